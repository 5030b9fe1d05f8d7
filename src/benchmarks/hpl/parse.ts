/**
 * HPL output (HPL 2.x `HPL.out`, and the HPL 2.0 inside HPCC). Each result line (`T/V N NB P Q Time Gflops`)
 * is a run, whatever the grid or variant; its validity comes from the residual line(s) that follow it:
 * PASSED is valid, FAILED is not, and no residual line — HPL skips the check when the threshold is not
 * positive — means correctness was never verified, so the run is invalid too. Output cut off before HPL's
 * closing `Finished … tests` summary is truncated.
 */
import type { ParsedRun } from "../parsed-run.js";
import { numberedLines, unparseable } from "../parsed-run.js";
import type { PrintedQuantity } from "../printed-number.js";
import { nonFiniteMetrics, printedQuantity } from "../printed-number.js";

/** Options of {@link parseHplOutput}. */
export interface HplParseOptions {
  /** Names the input in errors. */
  label: string;
  /** Implementation prefix: `hpl` (default) or `hpcc-hpl`; the version is appended. */
  implementationPrefix?: string;
  /** Section of a composite output. */
  section?: string;
}

const fix = "Pass HPL's complete output (HPL.out or its standard output), or HPCC's hpccoutf.txt with `parse hpcc`.";
const broadcasts = ["1ring", "1ringM", "2ring", "2ringM", "Long", "LongM"];
const factorizations: Record<string, string> = { L: "Left", C: "Crout", R: "Right" };
const resultLine = /^(W[RC][0-9A-Za-z]+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\S+)\s*$/;
const residualLine = /^(\|\|.*?)=\s*(\S+)\s+\.{3,}\s+(PASSED|FAILED)\s*$/;

interface PendingRun {
  run: ParsedRun;
  residuals: Array<{ name: string; value: PrintedQuantity; verdict: string }>;
}

/** Every HPL result in `text`; throws `OutputUnparseable` for empty, foreign or truncated output. */
export function parseHplOutput(text: string, options: HplParseOptions): ParsedRun[] {
  if (!text.trim()) throw unparseable(options.label, "is empty", fix);
  const lines = numberedLines(text);
  let version: string | undefined;
  let threshold: string | undefined;
  let eps: string | undefined;
  let sawHeader = false;
  let finished = false;
  const footer = { passed: 0, failed: 0, unchecked: 0, skipped: 0 };
  const pending: PendingRun[] = [];

  for (const { text: raw, line } of lines) {
    const text = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^HPLinpack (\d+(?:\.\d+)*[a-z]?)\s+--/.exec(text))) version = m[1];
    else if ((m = /scaled residuals are less than\s+(\S+)/.exec(text))) threshold = m[1];
    else if ((m = /relative machine precision \(eps\) is taken to be\s+(\S+)/.exec(text))) eps = m[1];
    else if (/^T\/V\s+N\s+NB\s+P\s+Q\s+Time\s+Gflops/.test(text)) sawHeader = true;
    else if (sawHeader && (m = resultLine.exec(text))) {
      pending.push({ run: resultRun(m, line, options), residuals: [] });
      finished = false;
    } else if ((m = residualLine.exec(text))) {
      const current = pending.at(-1);
      const value = printedQuantity(m[2] as string, "1");
      if (current && value) current.residuals.push({ name: (m[1] as string).trim(), value, verdict: m[3] as string });
    } else if ((m = /^Finished\s+(\d+)\s+tests/.exec(text))) {
      finished = true;
    } else if ((m = /^(\d+) tests completed and passed residual checks/.exec(text))) footer.passed += Number(m[1]);
    else if ((m = /^(\d+) tests completed and failed residual checks/.exec(text))) footer.failed += Number(m[1]);
    else if ((m = /^(\d+) tests completed without checking/.exec(text))) footer.unchecked += Number(m[1]);
    else if ((m = /^(\d+) tests skipped because of illegal input values/.exec(text))) footer.skipped += Number(m[1]);
  }

  if (pending.length === 0) {
    const problem =
      version || sawHeader
        ? "has no result lines ('T/V  N  NB  P  Q  Time  Gflops' rows): the run failed or was cut off"
        : "is not HPL output (no 'HPLinpack' banner and no result lines)";
    throw unparseable(options.label, problem, fix);
  }
  if (!finished) {
    throw unparseable(
      options.label,
      `is truncated: no 'Finished … tests' summary after the result on line ${pending.at(-1)?.run.line ?? "?"}`,
      fix,
    );
  }

  const implementation = `${options.implementationPrefix ?? "hpl"}-${version ?? "unknown"}`;
  const runs = pending.map(({ run, residuals }) => {
    run.implementation = implementation;
    if (threshold !== undefined) run.parameters["threshold"] = threshold;
    if (eps !== undefined) run.parameters["eps"] = eps;
    const failed = residuals.filter((r) => r.verdict === "FAILED");
    const [first] = residuals;
    if (first) run.metrics["scaledResidual"] = first.value;
    const nonFinite = nonFiniteMetrics(run.metrics);
    const reason =
      failed.length > 0
        ? `residual check FAILED: ${failed.map((r) => `${r.name}= ${r.value.printed}`).join("; ")} (threshold ${threshold ?? "unknown"})`
        : residuals.length === 0
          ? `residual check not performed${footer.unchecked > 0 ? ` (HPL reports ${footer.unchecked} tests completed without checking: its threshold was not positive)` : threshold !== undefined ? ` (threshold ${threshold})` : ""}: the solution's correctness was never verified`
          : nonFinite.length > 0
            ? `non-finite values printed for ${nonFinite.join(", ")}`
            : undefined;
    run.valid = reason === undefined;
    if (reason) run.invalidReason = reason;
    return run;
  });

  const passedRuns = pending.filter(
    ({ residuals }) => residuals.length > 0 && residuals.every((r) => r.verdict === "PASSED"),
  ).length;
  // `finished` holds here (a run without the footer was refused above), so the footer's counts were read.
  if (footer.passed + footer.failed > 0 && footer.passed !== passedRuns) {
    for (const run of runs)
      run.notes.push(
        `HPL's summary counts ${footer.passed} passed tests, but ${passedRuns} PASSED residual lines were found`,
      );
  }
  if (footer.skipped > 0)
    for (const run of runs) run.notes.push(`HPL skipped ${footer.skipped} tests because of illegal input values`);
  return runs;
}

function resultRun(m: RegExpExecArray, line: number, options: HplParseOptions): ParsedRun {
  const variant = m[1] as string;
  const p = Number(m[4]);
  const q = Number(m[5]);
  const metrics: Record<string, PrintedQuantity> = {};
  const time = printedQuantity(m[6] as string, "s");
  const gflops = printedQuantity(m[7] as string, "GFLOPS");
  if (gflops) metrics["gflops"] = gflops;
  if (time) metrics["time"] = time;
  return {
    benchmark: "hpl",
    implementation: "",
    ...(options.section ? { section: options.section } : {}),
    parameters: { variant, n: Number(m[2]), nb: Number(m[3]), p, q, processes: p * q, ...decodeVariant(variant) },
    metrics,
    valid: false,
    notes: [],
    line,
  };
}

/** HPL's T/V code `W R 1 1 C 2 R 4`: wall time, process order, depth, broadcast, rfact, ndiv, pfact, nbmin. */
export function decodeVariant(code: string): Record<string, string | number> {
  const m = /^W([RC])(\d)(\d)([LCR])(\d+)([LCR])(\d+)$/.exec(code);
  if (!m) return {};
  return {
    processOrder: m[1] === "R" ? "row-major" : "column-major",
    depth: Number(m[2]),
    broadcast: broadcasts[Number(m[3])] ?? (m[3] as string),
    rfact: factorizations[m[4] as string] as string,
    ndiv: Number(m[5]),
    pfact: factorizations[m[6] as string] as string,
    nbmin: Number(m[7]),
  };
}

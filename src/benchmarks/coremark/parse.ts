/**
 * CoreMark output (EEMBC core_main.c): single- and multi-threaded builds (PThreads, fork, sockets),
 * performance, validation and profile runs. A run is valid only when CoreMark validated its own results
 * (`Correct operation validated`) with none of its error lines: `ERROR! Must execute for at least 10 secs`
 * makes a run invalid even when the validation line also appears (seeds CoreMark does not know can produce
 * both), and unknown seeds (`Cannot validate operation for these seed values`) can never validate. A file may
 * hold several runs one after another.
 */
import type { ParsedRun } from "../parsed-run.js";
import { numberedLines, unparseable } from "../parsed-run.js";
import type { PrintedQuantity } from "../printed-number.js";
import { printedQuantity } from "../printed-number.js";

const fix = "Pass CoreMark's complete standard output (from its run-type line to the validation lines).";

/** Options of {@link parseCoremarkOutput}. */
export interface CoremarkParseOptions {
  /** Names the input in errors. */
  label: string;
}

/** CoreMark's PARALLEL_METHOD names → implementation suffixes. */
const parallelImplementation: Record<string, string> = { PThreads: "pthread", Fork: "fork", Socket: "socket" };

const runTypeLine = /^(?:(2K|6k|6K) (performance|validation)|(Profile generation)) run parameters for coremark\./;

/** Every CoreMark run in `text`; throws `OutputUnparseable` for empty, foreign or truncated output. */
export function parseCoremarkOutput(text: string, options: CoremarkParseOptions): ParsedRun[] {
  if (!text.trim()) throw unparseable(options.label, "is empty", fix);
  const lines = numberedLines(text);
  // A run starts at its run-type line; with seeds CoreMark does not know there is none, and it starts at
  // "CoreMark Size" (CoreMark prints no CRC error lines for such seeds, so nothing before it belongs to it).
  const starts: number[] = [];
  let sizeSeen = true;
  for (const [index, { text: raw }] of lines.entries()) {
    const line = raw.trim();
    if (runTypeLine.test(line)) {
      starts.push(index);
      sizeSeen = false;
    } else if (/^CoreMark Size\s*:/.test(line)) {
      if (sizeSeen) starts.push(index);
      sizeSeen = true;
    }
  }
  if (starts.length === 0) throw unparseable(options.label, "is not CoreMark output (no 'CoreMark Size' line)", fix);
  const several = starts.length > 1;
  return starts.map((start, index) =>
    parseRun(lines.slice(start, starts[index + 1] ?? lines.length), options, several),
  );
}

function parseRun(
  lines: ReadonlyArray<{ text: string; line: number }>,
  options: CoremarkParseOptions,
  several: boolean,
): ParsedRun {
  const parameters: ParsedRun["parameters"] = {};
  const metrics: Record<string, PrintedQuantity> = {};
  const errors: string[] = [];
  const notes: string[] = [];
  let validated = false;
  let cannotValidate = false;
  let errorsDetected = false;
  let parallelMethod: string | undefined;
  let score: PrintedQuantity | undefined;
  const first = lines[0]?.line ?? 1;
  const label = several ? `${options.label} (run starting at line ${first})` : options.label;

  for (const { text: raw } of lines) {
    const text = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = runTypeLine.exec(text))) {
      parameters["runType"] = m[3] ? "profile" : (m[2] as string);
      if (m[1]) parameters["dataSize"] = m[1].toUpperCase();
    } else if ((m = /^CoreMark Size\s*:\s*(\d+)/.exec(text))) parameters["coremarkSize"] = Number(m[1]);
    else if ((m = /^Total ticks\s*:\s*(\S+)/.exec(text))) setMetric(metrics, "totalTicks", m[1] as string, "ticks");
    else if ((m = /^Total time \(secs\)\s*:\s*(\S+)/.exec(text))) setMetric(metrics, "totalTime", m[1] as string, "s");
    else if ((m = /^Iterations\/Sec\s*:\s*(\S+)/.exec(text)))
      setMetric(metrics, "iterationsPerSecond", m[1] as string, "iterations/s");
    else if ((m = /^Iterations\s*:\s*(\d+)/.exec(text))) parameters["iterations"] = Number(m[1]);
    else if ((m = /^Compiler version\s*:\s*(.*)$/.exec(text))) parameters["compilerVersion"] = (m[1] as string).trim();
    else if ((m = /^Compiler flags\s*:\s*(.*)$/.exec(text))) parameters["compilerFlags"] = (m[1] as string).trim();
    else if ((m = /^Parallel (\S+)\s*:\s*(\d+)/.exec(text))) {
      const method = m[1] as string;
      parallelMethod = method;
      parameters["parallelMethod"] = method;
      parameters["threads"] = Number(m[2]);
    } else if ((m = /^Memory location\s*:\s*(.*)$/.exec(text))) parameters["memoryLocation"] = (m[1] as string).trim();
    else if ((m = /^seedcrc\s*:\s*(0x[0-9a-fA-F]+)/.exec(text))) parameters["seedCrc"] = m[1] as string;
    else if ((m = /^\[(\d+)\]crcfinal\s*:\s*(0x[0-9a-fA-F]+)/.exec(text)))
      parameters[`crcFinal${m[1] as string}`] = m[2] as string;
    else if (/ERROR!/.test(text)) errors.push(text);
    else if (/^Correct operation validated/.test(text)) validated = true;
    else if (/^Errors detected/.test(text)) errorsDetected = true;
    else if (/^Cannot validate operation for these seed values/.test(text)) cannotValidate = true;
    else if ((m = /^CoreMark 1\.0 : (\S+)/.exec(text))) score = printedQuantity(m[1] as string, "iterations/s");
  }

  if (parameters["coremarkSize"] === undefined) throw unparseable(label, "has no 'CoreMark Size' line", fix);
  if (!metrics["iterationsPerSecond"] && !metrics["totalTime"])
    throw unparseable(label, "is truncated: no 'Total time (secs)' or 'Iterations/Sec' line", fix);
  if (!validated && !errorsDetected && !cannotValidate && errors.length === 0) {
    throw unparseable(
      label,
      "is truncated: none of CoreMark's closing lines ('Correct operation validated', 'Errors detected', 'Cannot validate operation…')",
      fix,
    );
  }
  parameters["threads"] ??= 1;
  if (parameters["runType"] === undefined) parameters["runType"] = "unknown-seeds";
  if (score) {
    metrics["coremark"] = score;
    if (metrics["iterationsPerSecond"] && score.value !== metrics["iterationsPerSecond"].value) {
      notes.push(
        `the 'CoreMark 1.0' score ${score.printed} differs from Iterations/Sec ${metrics["iterationsPerSecond"].printed}`,
      );
    }
  }
  const seconds = metrics["totalTime"]?.value;
  if (parameters["runType"] === "validation" || parameters["runType"] === "profile") {
    notes.push(`${String(parameters["runType"])} run: it checks correctness; its speed is not a CoreMark score`);
  }

  const reasons: string[] = [];
  if (errors.length > 0) reasons.push(errors.join(" "));
  if (cannotValidate) reasons.push("CoreMark cannot validate results for these seed values (non-standard seeds)");
  else if (parameters["runType"] === "unknown-seeds")
    reasons.push("the seeds are not a set CoreMark knows, so its results cannot be validated");
  if (errorsDetected && errors.length === 0) reasons.push("CoreMark reported 'Errors detected'");
  if (seconds !== undefined && seconds !== null && seconds < 10 && !errors.some((e) => /at least 10 secs/.test(e))) {
    reasons.push(`ran ${metrics["totalTime"]?.printed ?? "?"} s; CoreMark requires at least 10 s`);
  }
  if (!validated && reasons.length === 0) reasons.push("CoreMark did not print 'Correct operation validated'");
  if (metrics["iterationsPerSecond"]?.value === null) reasons.push("Iterations/Sec is not a finite number");

  return {
    benchmark: "coremark",
    implementation: parallelMethod
      ? `coremark-${parallelImplementation[parallelMethod] ?? parallelMethod.toLowerCase()}`
      : "coremark",
    parameters,
    metrics,
    valid: reasons.length === 0,
    ...(reasons.length ? { invalidReason: reasons.join("; ") } : {}),
    notes,
    line: first,
  };
}

function setMetric(metrics: Record<string, PrintedQuantity>, name: string, token: string, unit: string): void {
  const quantity = printedQuantity(token, unit);
  if (quantity) metrics[name] = quantity;
}

/**
 * Review step 4 (issue #16): the raw outputs must agree with themselves. Every output a trial names is read again
 * and each printed rate is recomputed from the quantities printed beside it, within what the printed digits allow:
 *
 * - STREAM (stream.c, HPCC's STREAM) and the project's bandwidth kernel: rate = bytes moved / best time, with bytes
 *   = words per element (Copy and Scale 2, Add and Triad 3) × element size × array length, in MB/s (10⁶ B/s) or
 *   GB/s (10⁹ B/s) as printed.
 * - HPL: GFLOPS = flops / time / 10⁹ with flops between 2/3·N³ + 3/2·N² (what HPL_pdtest.c counts) and
 *   2/3·N³ + 2·N² (the issue's textbook count; they differ by under 1/N), and its residual check passed: PASSED,
 *   with the printed scaled residual below the printed threshold.
 * - CoreMark: iterations / total time = Iterations/Sec (and the `CoreMark 1.0` score is that number), at least 10 s
 *   timed (CoreMark's own run rule: the 21.9× CoreMark figure ec2instances.info once published came from a 0.6 s
 *   run), and the list, matrix and state CRCs of every context equal the known-good values CoreMark's core_main.c
 *   holds for the standard seeds its seed CRC names.
 *
 * "Within what the printed digits allow": a printed value stands for any number that rounds to it (± half a unit in
 * its last digit), so a rate is consistent when the interval of rates its printed operands allow meets the interval
 * its own printed digits allow. A hand-edited rate that keeps the times moves out of that interval by far more.
 * Any output that fails rejects the run, whatever its trial's validity: a contribution carries no output that
 * contradicts itself, and a run too short for CoreMark's rules is rerun, not submitted.
 */
import type { TrialRun } from "../benchmarks/definition.js";
import { parseCoremarkOutput } from "../benchmarks/coremark/parse.js";
import { parseHpccOutput } from "../benchmarks/hpcc/parse.js";
import { parseHplOutput } from "../benchmarks/hpl/parse.js";
import { membwBenchmarkName, parseMembwOutput } from "../benchmarks/membw/parse.js";
import type { PrintedQuantity } from "../benchmarks/printed-number.js";
import { parseStreamOutput } from "../benchmarks/stream/parse.js";
import type { BenchmarkResult, BenchmarkRun } from "../schemas/generated/benchmark-result.js";
import type { Finding } from "./findings.js";
import { readRunFile } from "./read-run-file.js";

/** CoreMark's shortest valid timed run, in seconds (its README's run rules; core_main.c prints an error below). */
export const coremarkMinimumSeconds = 10;

/**
 * Known-good CRCs of CoreMark's standard runs, by the seed CRC that names the run: list, matrix and state, as
 * `list_known_crc`, `matrix_known_crc` and `state_known_crc` in core_main.c of eembc/coremark hold them.
 */
export const coremarkKnownCrcs: Readonly<Record<string, { run: string; list: string; matrix: string; state: string }>> =
  {
    "0x8a02": { run: "6k performance", list: "0xd4b0", matrix: "0xbe52", state: "0x5e47" },
    "0x7b05": { run: "6k validation", list: "0x3340", matrix: "0x1199", state: "0x39bf" },
    "0x4eaf": { run: "profile generation", list: "0x6a79", matrix: "0x5608", state: "0xe5a4" },
    "0xe9f5": { run: "2K performance", list: "0xe714", matrix: "0x1fd7", state: "0x8e3a" },
    "0x18f2": { run: "2K validation", list: "0xe3c1", matrix: "0x0747", state: "0x8d84" },
  };

/** Bytes a bandwidth kernel moves per element and byte of element (Copy and Scale read one array and write one). */
const wordsPerElement: Readonly<Record<string, number>> = { copy: 2, scale: 2, add: 3, triad: 3 };

/** Bytes per second of a printed bandwidth unit. */
const bytesPerSecond: Readonly<Record<string, number>> = { "MB/s": 1e6, "GB/s": 1e9 };

/** Relative slack for floating-point rounding in the program and here, far below any printed digit. */
const floatSlack = 1e-9;

/**
 * Checks the internal arithmetic of every raw output `result`'s trials name under `runDir`. One `reject` per
 * output that contradicts itself; a `pass` per section whose outputs all agree; an output that cannot be read is
 * left to re-derivation (which rejects a missing or altered file), and the pass says how many were.
 */
export function checkArithmetic(runDir: string, result: BenchmarkResult): Finding[] {
  const findings: Finding[] = [];
  for (const section of result.benchmarks) {
    const files = [
      ...new Set(
        section.configurations.flatMap((configuration) =>
          configuration.trials.flatMap((trial) => (trial.rawFile ? [trial.rawFile] : [])),
        ),
      ),
    ];
    const problems: string[] = [];
    let checked = 0;
    let unreadable = 0;
    for (const file of files) {
      const read = readRunFile(runDir, file);
      const runs = "bytes" in read ? runsOf(section, read.bytes.toString("utf8"), file) : undefined;
      if (runs === undefined) {
        unreadable++;
        continue;
      }
      if (runs === "not-applicable") break;
      checked++;
      for (const run of runs) problems.push(...runProblems(section, run).map((problem) => `${file}: ${problem}`));
    }
    if (files.length === 0) {
      findings.push({
        step: "arithmetic",
        severity: "flag",
        reason: "no trial names a raw output: nothing to check",
        section: section.benchmark,
      });
      continue;
    }
    if (section.custom || (checked === 0 && unreadable === 0)) {
      findings.push({
        step: "arithmetic",
        severity: "flag",
        reason: `no arithmetic is known for ${section.custom ? `custom benchmark ${section.custom.name}` : section.benchmark}'s output: not checked`,
        section: section.benchmark,
      });
      continue;
    }
    for (const problem of problems)
      findings.push({ step: "arithmetic", severity: "reject", reason: problem, section: section.benchmark });
    if (problems.length === 0)
      findings.push({
        step: "arithmetic",
        severity: "pass",
        reason: `${checked} output(s) agree with themselves${unreadable ? ` (${unreadable} unreadable, left to re-derivation)` : ""}`,
        section: section.benchmark,
      });
  }
  return findings;
}

/** The runs of one output as this section's program printed them; undefined when unreadable. */
function runsOf(section: BenchmarkRun, text: string, label: string): TrialRun[] | "not-applicable" | undefined {
  try {
    if (section.custom) return "not-applicable";
    if (section.implementation.startsWith("hpcc-")) {
      const wanted = section.benchmark === "hpl" ? ["HPL"] : ["StarSTREAM", "SingleSTREAM"];
      return parseHpccOutput(text, { label, perSection: true }).runs.filter((run) =>
        wanted.includes(run.section ?? ""),
      );
    }
    switch (section.benchmark) {
      case "stream":
        return parseStreamOutput(text, { label });
      case membwBenchmarkName:
        return parseMembwOutput(text, label);
      case "hpl":
        return parseHplOutput(text, { label });
      case "coremark":
        return parseCoremarkOutput(text, { label }).map((run) => withCoremarkCrcs(run, text));
      default:
        return "not-applicable";
    }
  } catch {
    return undefined;
  }
}

function runProblems(section: BenchmarkRun, run: TrialRun): string[] {
  if (run.benchmark === "hpl") return hplProblems(run);
  if (run.benchmark === "coremark") return coremarkProblems(run);
  if (run.benchmark === "stream" || run.benchmark === membwBenchmarkName) return bandwidthProblems(run);
  return [`no arithmetic is known for ${section.benchmark}'s output`];
}

/** Half a unit in the last printed digit of `printed` (`0.007994` → 5e-7, `3.9144e+01` → 5e-4, `400000` → 0.5). */
export function printedHalfUnit(printed: string): number {
  const m = /^[-+]?(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/.exec(printed.trim());
  if (!m) return 0;
  const decimals = m[2]?.length ?? 0;
  const exponent = m[3] === undefined ? 0 : Number(m[3]);
  return 0.5 * 10 ** (exponent - decimals);
}

/** The values a printed quantity stands for. */
function printedRange(quantity: PrintedQuantity): [number, number] | undefined {
  if (quantity.value === null) return undefined;
  const half = printedHalfUnit(quantity.printed);
  return [quantity.value - half, quantity.value + half];
}

/** Whether `[low, high]` (widened by float slack) meets the range `printed` stands for. */
function consistent(low: number, high: number, printed: PrintedQuantity): boolean {
  const range = printedRange(printed);
  if (!range) return false;
  return range[0] <= high * (1 + floatSlack) && range[1] >= low * (1 - floatSlack);
}

function format(value: number): string {
  return Number(value.toPrecision(6)).toString();
}

function bandwidthProblems(run: TrialRun): string[] {
  const where = run.section ? `${run.section} (line ${run.line})` : `line ${run.line}`;
  const elements = run.parameters["arraySize"];
  const elementBytes = typeof run.parameters["elementBytes"] === "number" ? run.parameters["elementBytes"] : 8;
  const problems: string[] = [];
  if (!run.valid) problems.push(`${where}: ${run.invalidReason ?? "the run is invalid"}`);
  // SingleSTREAM on a rank other than 0 prints rates without times: nothing to recompute.
  if (typeof elements !== "number") return problems;
  for (const [kernel, words] of Object.entries(wordsPerElement)) {
    const rate = run.metrics[kernel];
    const time = run.metrics[`${kernel}MinTime`];
    if (!rate || !time) continue;
    const scale = bytesPerSecond[rate.unit];
    const times = printedRange(time);
    if (scale === undefined || !times || rate.value === null) {
      problems.push(`${where}: ${kernel} is ${rate.printed} ${rate.unit} over ${time.printed} s: not a checkable rate`);
      continue;
    }
    if (times[0] <= 0) continue; // a time printed as zero bounds nothing (STREAM marks such runs itself)
    const bytes = words * elementBytes * elements;
    const low = bytes / times[1] / scale;
    const high = bytes / times[0] / scale;
    if (!consistent(low, high, rate))
      problems.push(
        `${where}: ${kernel} printed ${rate.printed} ${rate.unit}, but ${bytes} bytes (${words} × ${elementBytes} B × ${elements} elements) in a best time of ${time.printed} s is ${format(low)}–${format(high)} ${rate.unit}`,
      );
  }
  return problems;
}

function hplProblems(run: TrialRun): string[] {
  const where = `${run.section ? `${run.section} ` : ""}result line ${run.line}`;
  const n = run.parameters["n"];
  const gflops = run.metrics["gflops"];
  const time = run.metrics["time"];
  const problems: string[] = [];
  if (!run.valid) problems.push(`${where}: ${run.invalidReason ?? "the run is invalid"}`);
  const residual = run.metrics["scaledResidual"]?.value;
  const threshold = Number(run.parameters["threshold"]);
  if (run.valid && residual != null && Number.isFinite(threshold) && !(residual < threshold))
    problems.push(
      `${where}: the residual check printed PASSED, but the scaled residual ${residual} is not below the threshold ${threshold}`,
    );
  const times = time ? printedRange(time) : undefined;
  if (typeof n !== "number" || !gflops || !times) {
    problems.push(`${where}: no N, time and GFLOPS to check`);
    return problems;
  }
  if (times[0] <= 0) {
    problems.push(`${where}: time printed as ${time?.printed ?? "?"} s: the GFLOPS cannot be checked`);
    return problems;
  }
  const fewest = (2 / 3) * n ** 3 + 1.5 * n ** 2;
  const most = (2 / 3) * n ** 3 + 2 * n ** 2;
  const low = fewest / times[1] / 1e9;
  const high = most / times[0] / 1e9;
  if (!consistent(low, high, gflops))
    problems.push(
      `${where}: printed ${gflops.printed} GFLOPS, but N = ${n} solved in ${time?.printed ?? "?"} s is ${format(low)}–${format(high)} GFLOPS (2/3·N³ + 3/2·N² to 2/3·N³ + 2·N² operations)`,
    );
  return problems;
}

/** CoreMark's per-context CRC lines, kept beside the parsed run (the parser keeps only the seed and final CRCs). */
interface CoremarkCrcs {
  list: string[];
  matrix: string[];
  state: string[];
}

const crcsOf = new WeakMap<TrialRun, CoremarkCrcs>();

function withCoremarkCrcs(run: TrialRun, text: string): TrialRun {
  const crcs: CoremarkCrcs = { list: [], matrix: [], state: [] };
  const lines = text.split(/\r\n|\r|\n/);
  // The run's lines: from its first line to the next run's type line (or the end).
  for (let index = run.line - 1; index < lines.length; index++) {
    const line = (lines[index] ?? "").trim();
    if (index > run.line - 1 && / run parameters for coremark\.$/.test(line)) break;
    const m = /^\[(\d+)\]crc(list|matrix|state)\s*:\s*(0x[0-9a-fA-F]+)/.exec(line);
    if (m) crcs[m[2] as keyof CoremarkCrcs][Number(m[1])] = (m[3] as string).toLowerCase();
  }
  crcsOf.set(run, crcs);
  return run;
}

function coremarkProblems(run: TrialRun): string[] {
  const where = `run at line ${run.line}`;
  const problems: string[] = [];
  if (!run.valid) problems.push(`${where}: ${run.invalidReason ?? "the run is invalid"}`);
  const time = run.metrics["totalTime"];
  const rate = run.metrics["iterationsPerSecond"];
  const iterations = run.parameters["iterations"];
  if (time?.value != null && time.value < coremarkMinimumSeconds)
    problems.push(
      `${where}: timed ${time.printed} s; CoreMark's run rules require at least ${coremarkMinimumSeconds} s (a shorter run's score is not a CoreMark score)`,
    );
  const times = time ? printedRange(time) : undefined;
  if (typeof iterations === "number" && rate && times && times[0] > 0) {
    const low = iterations / times[1];
    const high = iterations / times[0];
    if (!consistent(low, high, rate))
      problems.push(
        `${where}: Iterations/Sec printed ${rate.printed}, but ${iterations} iterations in ${time?.printed ?? "?"} s is ${format(low)}–${format(high)}`,
      );
  } else problems.push(`${where}: no iterations, time and Iterations/Sec to check`);
  const score = run.metrics["coremark"];
  if (score && rate && score.value !== rate.value)
    problems.push(`${where}: the 'CoreMark 1.0' score ${score.printed} is not Iterations/Sec ${rate.printed}`);
  problems.push(...crcProblems(run, where));
  return problems;
}

function crcProblems(run: TrialRun, where: string): string[] {
  const seed = typeof run.parameters["seedCrc"] === "string" ? run.parameters["seedCrc"].toLowerCase() : undefined;
  const known = seed ? coremarkKnownCrcs[seed] : undefined;
  if (!known)
    return [
      `${where}: seed CRC ${seed ?? "(none printed)"} names no standard CoreMark run, so its CRCs cannot be known`,
    ];
  const crcs = crcsOf.get(run) ?? { list: [], matrix: [], state: [] };
  const contexts = Math.max(1, Number(run.parameters["threads"] ?? 1));
  const problems: string[] = [];
  for (const kind of ["list", "matrix", "state"] as const) {
    for (let context = 0; context < contexts; context++) {
      const printed = crcs[kind][context];
      if (printed !== known[kind])
        problems.push(
          `${where}: context ${context}'s crc${kind} is ${printed ?? "not printed"}; CoreMark's ${known.run} run gives ${known[kind]}`,
        );
    }
  }
  return problems;
}

/**
 * Output of the project's own memory-bandwidth kernel (kernels/membw/aws-bench-membw.c), format
 * `aws-bench-membw/1`: `key: value` lines, one `result: KERNEL rate-MB/s=… min-s=… avg-s=… max-s=…` line per
 * kernel (copy, scale, add, triad), one `validation: passed|failed …` line per outcome, then
 * `end: aws-bench-membw`. Runs are recorded as benchmark `membw`, implementation `aws-bench-membw`: never as
 * STREAM. A run is valid when the kernel's own check passed, every rate is finite and each kernel lasted at
 * least 20 timer steps.
 */
import type { TrialRun } from "../definition.js";
import { numberedLines, unparseable } from "../parsed-run.js";
import type { PrintedQuantity } from "../printed-number.js";
import { nonFiniteMetrics, printedQuantity } from "../printed-number.js";

/** The benchmark name results record the kernel's runs under (its own: never `stream`). */
export const membwBenchmarkName = "membw";
/** The implementation name of the kernel's runs. */
export const membwImplementation = "aws-bench-membw";
/** Fewest timer steps a kernel must last for its time to be trusted. */
export const minimumTicksPerKernel = 20;

const kernels = ["copy", "scale", "add", "triad"] as const;
const fix = "Pass the complete standard output of one run of aws-bench-membw (kernels/membw/aws-bench-membw.c).";
const integerKeys: Readonly<Record<string, string>> = {
  "element-bytes": "elementBytes",
  "elements-per-array": "arraySize",
  "bytes-per-array": "bytesPerArray",
  ntimes: "ntimes",
  threads: "threads",
  "ticks-per-kernel": "ticksPerKernel",
};

/** The run in `text`; throws `OutputUnparseable` for empty, foreign or truncated output. */
export function parseMembwOutput(text: string, label: string): TrialRun[] {
  if (!text.trim()) throw unparseable(label, "is empty", fix);
  const lines = numberedLines(text);
  const start = lines.find((line) => line.text.trim().startsWith("format: "));
  if (!start || start.text.trim() !== "format: aws-bench-membw/1")
    throw unparseable(
      label,
      start
        ? `is in format '${start.text.trim().slice(8)}', not aws-bench-membw/1`
        : "is not aws-bench-membw output (no 'format: aws-bench-membw/1' line)",
      fix,
    );
  const parameters: TrialRun["parameters"] = {};
  const metrics: Record<string, PrintedQuantity> = {};
  const failures: string[] = [];
  const notes: string[] = [];
  let passed = false;
  let ended = false;
  for (const { text: raw } of lines.slice(start.line)) {
    const line = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^([a-z-]+): (\d+)$/.exec(line)) && integerKeys[m[1] as string])
      parameters[integerKeys[m[1] as string] as string] = Number(m[2]);
    else if ((m = /^timer-resolution-seconds: (\S+)$/.exec(line)))
      parameters["timerResolutionSeconds"] = m[1] as string;
    else if ((m = /^result: (copy|scale|add|triad) rate-MB\/s=(\S+) min-s=(\S+) avg-s=(\S+) max-s=(\S+)$/.exec(line))) {
      const [rate, min, avg, max] = [
        printedQuantity(m[2] as string, "MB/s"),
        printedQuantity(m[3] as string, "s"),
        printedQuantity(m[4] as string, "s"),
        printedQuantity(m[5] as string, "s"),
      ];
      if (!rate || !min || !avg || !max) throw unparseable(label, `has an unreadable result line: '${line}'`, fix);
      const kernel = m[1] as string;
      metrics[kernel] = rate;
      metrics[`${kernel}MinTime`] = min;
      metrics[`${kernel}AvgTime`] = avg;
      metrics[`${kernel}MaxTime`] = max;
    } else if ((m = /^validation: passed max-relative-error=(\S+) tolerance=(\S+)$/.exec(line))) {
      passed = true;
      parameters["validationMaxRelativeError"] = m[1] as string;
      parameters["validationTolerance"] = m[2] as string;
    } else if (/^validation: failed /.test(line)) failures.push(line.slice("validation: failed ".length));
    else if (line === "end: aws-bench-membw") {
      ended = true;
      break;
    }
  }
  const missing = kernels.filter((kernel) => !metrics[kernel]);
  if (missing.length > 0) throw unparseable(label, `is truncated: no result for ${missing.join(", ")}`, fix);
  if (!passed && failures.length === 0) throw unparseable(label, "is truncated: no validation line", fix);
  if (!ended) throw unparseable(label, "is truncated: no 'end: aws-bench-membw' line", fix);
  if (passed && failures.length > 0) throw unparseable(label, "reports validation both passed and failed", fix);

  const ticks = parameters["ticksPerKernel"];
  const nonFinite = nonFiniteMetrics(metrics);
  const invalidReason =
    failures.length > 0
      ? `validation failed: ${failures.join("; ")}`
      : nonFinite.length > 0
        ? `non-finite values printed for ${nonFinite.join(", ")}`
        : typeof ticks === "number" && ticks < minimumTicksPerKernel
          ? `each kernel lasted only ${ticks} timer steps (at least ${minimumTicksPerKernel} needed): arrays too small to time`
          : undefined;
  if (typeof ticks !== "number") notes.push("the output does not say how many timer steps a kernel lasted");
  return [
    {
      benchmark: membwBenchmarkName,
      implementation: membwImplementation,
      parameters,
      metrics,
      valid: invalidReason === undefined,
      ...(invalidReason ? { invalidReason } : {}),
      notes,
      line: start.line,
    },
  ];
}

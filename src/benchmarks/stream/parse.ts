/**
 * STREAM output (John McCalpin's stream.c 5.x, and the STREAM inside HPCC): OpenMP and serial builds, double
 * and float elements, `-DVERBOSE`, the warning block of builds compiled with `-DN`, non-zero `-DOFFSET`, tiny
 * arrays. A file may hold several runs one after another; each becomes a run. Validity is STREAM's own rule:
 * `Solution Validates` (any `Failed Validation` line makes the run invalid), and a bandwidth printed as inf or
 * nan is never a number.
 */
import type { ParsedRun } from "../parsed-run.js";
import { numberedLines, unparseable } from "../parsed-run.js";
import type { PrintedQuantity } from "../printed-number.js";
import { nonFiniteMetrics, printedQuantity } from "../printed-number.js";

const kernels = ["Copy", "Scale", "Add", "Triad"] as const;

/** Options of {@link parseStreamOutput}. */
export interface StreamParseOptions {
  /** Names the input in errors (a path). */
  label: string;
  /** Implementation to record instead of the one inferred (HPCC passes `hpcc-starstream`). */
  implementation?: string;
  /** Section of a composite output. */
  section?: string;
}

const fix = "Pass the complete standard output of one or more STREAM runs (stream.c 5.x or HPCC's STREAM section).";

/** Every STREAM run in `text`; throws `OutputUnparseable` for empty, foreign or truncated output. */
export function parseStreamOutput(text: string, options: StreamParseOptions): ParsedRun[] {
  const lines = numberedLines(text);
  if (!text.trim()) throw unparseable(options.label, "is empty", fix);
  // Each run starts at its banner, or (HPCC, trimmed logs) at its "This system uses" line.
  const starts = lines.filter((l) => /^STREAM version/.test(l.text.trim())).map((l) => l.line - 1);
  const segmentStarts = starts.length > 0 ? starts : [0];
  const several = segmentStarts.length > 1;
  return segmentStarts.map((start, index) =>
    parseRun(lines.slice(start, segmentStarts[index + 1] ?? lines.length), options, several),
  );
}

function parseRun(
  lines: ReadonlyArray<{ text: string; line: number }>,
  options: StreamParseOptions,
  several: boolean,
): ParsedRun {
  const parameters: ParsedRun["parameters"] = {};
  const metrics: Record<string, PrintedQuantity> = {};
  const notes: string[] = [];
  const failures: string[] = [];
  let unit: string | undefined;
  let validated = false;
  let threadsRequested: number | undefined;
  let threadsCounted: number | undefined;
  const first = lines[0]?.line ?? 1;

  for (const { text: raw } of lines) {
    const text = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^STREAM version \$Revision: ([\d.]+) \$/.exec(text))) parameters["version"] = m[1] as string;
    else if ((m = /^This system uses (\d+) bytes per (?:array element|DOUBLE PRECISION word)/.exec(text)))
      parameters["elementBytes"] = Number(m[1]);
    else if ((m = /^Array size = (\d+)(?: \(elements\))?, Offset = (-?\d+)/.exec(text))) {
      parameters["arraySize"] = Number(m[1]);
      parameters["offset"] = Number(m[2]);
    } else if ((m = /^Reverting to default value of STREAM_ARRAY_SIZE=(\d+)/.exec(text))) {
      notes.push(`built with -DN, which this STREAM ignores: the array size reverted to its default ${m[1] as string}`);
    } else if (
      (m = /^Each kernel will be executed (\d+) times/.exec(text)) ||
      (m = /^Each test is run (\d+) times/.exec(text))
    ) {
      parameters["ntimes"] = Number(m[1]);
    } else if ((m = /^Number of Threads requested = (\d+)/.exec(text))) threadsRequested = Number(m[1]);
    else if ((m = /^Number of Threads counted = (\d+)/.exec(text))) threadsCounted = Number(m[1]);
    else if ((m = /^Your clock granularity\/precision appears to be (\d+) microseconds/.exec(text)))
      parameters["clockGranularityMicroseconds"] = Number(m[1]);
    else if (/^Your clock granularity appears to be less than one microsecond/.test(text))
      parameters["clockGranularityMicroseconds"] = 0;
    else if ((m = /^\(= (\d+) clock ticks\)/.exec(text))) {
      parameters["clockTicksPerKernel"] = Number(m[1]);
      if (Number(m[1]) < 20)
        notes.push(
          `each kernel takes only ${m[1] as string} clock ticks (STREAM asks for at least 20): arrays too small for reliable timing`,
        );
    } else if (
      (m = /^Function\s+(?:Best Rate MB\/s|Rate \((MB|GB)\/s\))\s+Avg time\s+Min time\s+Max time/.exec(text))
    ) {
      unit = m[1] === "GB" ? "GB/s" : "MB/s";
    } else if (unit && (m = /^(Copy|Scale|Add|Triad):\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*$/.exec(text))) {
      const kernel = (m[1] as string).toLowerCase();
      const values = [
        printedQuantity(m[2] as string, unit),
        printedQuantity(m[3] as string, "s"),
        printedQuantity(m[4] as string, "s"),
        printedQuantity(m[5] as string, "s"),
      ];
      if (values.every((value) => value !== undefined)) {
        const [rate, avg, min, max] = values as [PrintedQuantity, PrintedQuantity, PrintedQuantity, PrintedQuantity];
        metrics[kernel] = rate;
        metrics[`${kernel}AvgTime`] = avg;
        metrics[`${kernel}MinTime`] = min;
        metrics[`${kernel}MaxTime`] = max;
      }
    } else if ((m = /^Solution Validates(?::\s*avg error less than (\S+) on all three arrays)?/.exec(text))) {
      validated = true;
      if (m[1]) parameters["validationEpsilon"] = m[1];
    } else if (/^Failed Validation on array/.test(text) || /^For array \w\[\], \d+ errors were found/.test(text)) {
      failures.push(text);
    }
  }

  if (threadsRequested !== undefined) parameters["threadsRequested"] = threadsRequested;
  if (threadsCounted !== undefined) parameters["threads"] = threadsCounted;
  if (threadsRequested !== undefined && threadsCounted !== undefined && threadsRequested !== threadsCounted) {
    notes.push(`OpenMP counted ${threadsCounted} threads but ${threadsRequested} were requested`);
  }

  const label = several ? `${options.label} (run starting at line ${first})` : options.label;
  if (!unit)
    throw unparseable(
      label,
      "has no STREAM results table ('Function  Best Rate MB/s  Avg time  Min time  Max time')",
      fix,
    );
  const found = kernels.filter((kernel) => metrics[kernel.toLowerCase()]);
  if (found.length < kernels.length) {
    throw unparseable(
      label,
      `is truncated: the results table has ${found.join(", ") || "no kernels"} (expected Copy, Scale, Add and Triad)`,
      fix,
    );
  }
  if (!validated && failures.length === 0) {
    throw unparseable(
      label,
      "is truncated: no validation line ('Solution Validates' or 'Failed Validation') after the results table",
      fix,
    );
  }

  const elementBytes = typeof parameters["elementBytes"] === "number" ? parameters["elementBytes"] : 8;
  const openmp = threadsRequested !== undefined || threadsCounted !== undefined;
  const implementation =
    options.implementation ?? `stream.c-${openmp ? "openmp" : "serial"}${elementBytes === 4 ? "-fp32" : ""}`;
  const nonFinite = nonFiniteMetrics(metrics);
  const invalidReason =
    failures.length > 0
      ? `validation failed: ${failures.join(" ")}`
      : nonFinite.length > 0
        ? `non-finite values printed for ${nonFinite.join(", ")}: the timer could not resolve the kernels`
        : undefined;
  return {
    benchmark: "stream",
    implementation,
    ...(options.section ? { section: options.section } : {}),
    parameters,
    metrics,
    valid: invalidReason === undefined,
    ...(invalidReason ? { invalidReason } : {}),
    notes,
    line: first,
  };
}

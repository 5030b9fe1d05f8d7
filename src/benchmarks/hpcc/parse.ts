/**
 * HPC Challenge output (`hpccoutf.txt`): its sections are framed by `Begin of X section.` and
 * `End of X section.`. The HPL section is HPL 2.0 (parsed as `hpcc-hpl-2.0`), StarSTREAM and SingleSTREAM
 * are HPCC's STREAM in GB/s (`hpcc-starstream`, `hpcc-singlestream`; StarSTREAM runs on every MPI rank at
 * once, with the minimum, average and maximum over ranks), and the Summary section is a `key=value` block kept
 * verbatim.
 */
import type { ParsedRun } from "../parsed-run.js";
import { numberedLines, unparseable } from "../parsed-run.js";
import { printedQuantity } from "../printed-number.js";
import { parseHplOutput } from "../hpl/parse.js";
import { parseStreamOutput } from "../stream/parse.js";

/** HPCC output, parsed. */
export interface HpccParse {
  /** HPL and STREAM runs found in their sections. */
  runs: ParsedRun[];
  /** The Summary section's `key=value` lines, values as printed. */
  summary: Record<string, string>;
  /** With `perSection`: sections that could not be parsed, and why (the others are still returned). */
  sectionFailures?: Record<string, string>;
}

/** Options of {@link parseHpccOutput}. */
export interface HpccParseOptions {
  /** Names the input in errors. */
  label: string;
  /**
   * Keep going when one section cannot be parsed, reporting it in `sectionFailures` (the runner: one broken
   * section must not void the others of the same execution). The default, strict, fails the whole file.
   */
  perSection?: boolean;
}

const fix = "Pass HPCC's complete hpccoutf.txt (it is written in the working directory of the run).";

/** Parses `hpccoutf.txt`; throws `OutputUnparseable` for empty, foreign or truncated output. */
export function parseHpccOutput(text: string, options: HpccParseOptions): HpccParse {
  if (!text.trim()) throw unparseable(options.label, "is empty", fix);
  const lines = numberedLines(text);
  const sections = new Map<string, { from: number; to?: number }>();
  for (const [index, { text: raw }] of lines.entries()) {
    let m: RegExpExecArray | null;
    if ((m = /^Begin of (\w+) section\.$/.exec(raw.trim()))) sections.set(m[1] as string, { from: index + 1 });
    else if ((m = /^End of (\w+) section\.$/.exec(raw.trim()))) {
      const section = sections.get(m[1] as string);
      if (section) section.to = index;
    }
  }
  if (!/HPC Challenge Benchmark/.test(text) && sections.size === 0) {
    throw unparseable(
      options.label,
      "is not HPCC output (no 'HPC Challenge Benchmark' banner and no 'Begin of … section.' lines)",
      fix,
    );
  }
  const sectionFailures: Record<string, string> = {};
  const open = [...sections].filter(([, range]) => range.to === undefined).map(([name]) => name);
  if (open.length > 0) {
    const problem = `is truncated: section ${open.join(", ")} has no 'End of … section.' line`;
    if (!options.perSection) throw unparseable(options.label, problem, fix);
    for (const name of open) sectionFailures[name] = `${options.label}: ${problem}`;
  }

  const body = (name: string): { text: string; offset: number } | undefined => {
    const range = sections.get(name);
    if (!range || range.to === undefined) return undefined;
    return {
      text: lines
        .slice(range.from, range.to)
        .map((l) => l.text)
        .join("\n"),
      offset: range.from,
    };
  };
  const runs: ParsedRun[] = [];
  const attempt = (section: string, parse: () => void) => {
    try {
      parse();
    } catch (error) {
      if (!options.perSection) throw error;
      sectionFailures[section] = (error as Error).message;
    }
  };
  const summary = parseSummary(body("Summary")?.text ?? "");
  const processes = summary["CommWorldProcs"] === undefined ? undefined : Number(summary["CommWorldProcs"]);

  for (const [section, implementation] of [
    ["StarSTREAM", "hpcc-starstream"],
    ["SingleSTREAM", "hpcc-singlestream"],
  ] as const) {
    const part = body(section);
    if (!part) continue;
    const label = `${options.label} section ${section}`;
    attempt(section, () => {
      // SingleSTREAM runs on one selected rank; when that is not rank 0 only its summary lines reach the file.
      const sectionRuns =
        section === "SingleSTREAM" && !/^Function\s/m.test(part.text)
          ? [selectedNodeRun(part.text, label, part.offset)]
          : parseStreamOutput(part.text, { label, implementation, section }).map((run) => ({
              ...run,
              line: run.line + part.offset,
            }));
      for (const run of sectionRuns) {
        addRankFigures(run, part.text);
        if (section === "StarSTREAM" && processes !== undefined) run.parameters["processes"] = processes;
        if (summary["STREAM_Threads"] !== undefined) run.parameters["threads"] = Number(summary["STREAM_Threads"]);
        if (summary["STREAM_VectorSize"] !== undefined)
          run.parameters["arraySize"] ??= Number(summary["STREAM_VectorSize"]);
        runs.push(run);
      }
    });
  }
  const hpl = body("HPL");
  if (hpl) {
    attempt("HPL", () => {
      for (const run of parseHplOutput(hpl.text, {
        label: `${options.label} section HPL`,
        implementationPrefix: "hpcc-hpl",
        section: "HPL",
      })) {
        run.line += hpl.offset;
        runs.push(run);
      }
    });
  }
  if (runs.length === 0 && Object.keys(sectionFailures).length === 0)
    throw unparseable(options.label, "has neither an HPL nor a STREAM section", fix);
  return { runs, summary, ...(Object.keys(sectionFailures).length ? { sectionFailures } : {}) };
}

/** SingleSTREAM as reported for a rank other than 0: `Single STREAM Triad GB/s 29.861344` lines only. */
function selectedNodeRun(text: string, label: string, offset: number): ParsedRun {
  const run: ParsedRun = {
    benchmark: "stream",
    implementation: "hpcc-singlestream",
    section: "SingleSTREAM",
    parameters: {},
    metrics: {},
    valid: true,
    notes: [],
    line: offset + 1,
  };
  for (const line of text.split("\n")) {
    let m: RegExpExecArray | null;
    if ((m = /^Single STREAM (Copy|Scale|Add|Triad) GB\/s (\S+)/.exec(line.trim()))) {
      const quantity = printedQuantity(m[2] as string, "GB/s");
      if (quantity) run.metrics[(m[1] as string).toLowerCase()] = quantity;
    } else if ((m = /^Node selected (\d+)/.exec(line.trim()))) run.parameters["selectedRank"] = Number(m[1]);
  }
  const missing = ["copy", "scale", "add", "triad"].filter((kernel) => !run.metrics[kernel]);
  if (missing.length > 0)
    throw unparseable(
      label,
      `has neither a STREAM table nor 'Single STREAM … GB/s' lines for ${missing.join(", ")}`,
      fix,
    );
  run.notes.push(
    `rank ${String(run.parameters["selectedRank"] ?? "?")} ran SingleSTREAM; only its summary lines (no timings) are in this file`,
  );
  return run;
}

function parseSummary(text: string): Record<string, string> {
  const summary: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Za-z_][\w]*)=(.*)$/.exec(line.trim());
    if (m) summary[m[1] as string] = m[2] as string;
  }
  return summary;
}

/** StarSTREAM's per-rank minimum/average/maximum, and any rank that reported an error. */
function addRankFigures(run: ParsedRun, text: string): void {
  for (const line of text.split("\n")) {
    let m: RegExpExecArray | null;
    if ((m = /^(Minimum|Average|Maximum) (Copy|Scale|Add|Triad) GB\/s (\S+)/.exec(line.trim()))) {
      const quantity = printedQuantity(m[3] as string, "GB/s");
      if (quantity) run.metrics[`${(m[2] as string).toLowerCase()}Rank${m[1] as string}`] = quantity;
    } else if ((m = /^Node\(s\) with error (\d+)/.exec(line.trim())) && Number(m[1]) > 0) {
      run.valid = false;
      run.invalidReason = [run.invalidReason, `${m[1] as string} MPI rank(s) reported a STREAM validation error`]
        .filter(Boolean)
        .join("; ");
    }
  }
}

/**
 * Review step 3 (issue #16): every number of a contributed run is re-derived from its raw outputs. Each trial's raw
 * file is read again with the project's own parser, the trials are summarized by the runner's own code
 * (settleImplementation, CoreMark's validation rule, HPCC's reading of one execution, summarizeBenchmark), and the
 * section that comes out is compared with the one in result.json. Any difference rejects: a result whose numbers
 * were edited while its raw files were not can never pass, and neither can a raw file that is missing or whose
 * bytes are not the ones result.json lists.
 *
 * Numbers are compared with a relative tolerance of 1e-9 ({@link rederiveTolerance}): the statistics are sums and
 * square roots of the same doubles, so the same code gives the same bits here, but another Node or CPU may order a
 * sum differently in the last bits; an edit of a printed figure changes it by far more (the smallest change of a
 * six-digit figure is 1e-6 of it). Text (validity, reasons, units, printed numbers) must match exactly.
 */
import { sha256Hex } from "../checksums.js";
import { requireValidation } from "../benchmarks/coremark/definition.js";
import type { Conformance, ConfigurationTrials, TrialEntry, TrialRun } from "../benchmarks/definition.js";
import { failedTrialRun } from "../benchmarks/definition.js";
import { hpccTrialRuns } from "../benchmarks/hpcc/suite.js";
import { membwBenchmarkName, parseMembwOutput } from "../benchmarks/membw/parse.js";
import type { BenchmarkRegistry } from "../benchmarks/registry.js";
import { builtinBenchmarks } from "../benchmarks/registry.js";
import { summarizeBenchmark } from "../runner/benchmark-summary.js";
import { settleImplementation } from "../runner/trials.js";
import type { BenchmarkResult, BenchmarkRun, Trial } from "../schemas/generated/benchmark-result.js";
import type { Finding } from "./findings.js";
import { readRunFile } from "./read-run-file.js";

/** Largest relative difference between a recorded and a re-derived number that still counts as equal. */
export const rederiveTolerance = 1e-9;

/** Options of {@link rederiveRun}. */
export interface RederiveOptions {
  /** Where benchmarks' parsers and headlines are looked up (default: the built-in registry). */
  registry?: BenchmarkRegistry;
  /** Differences listed per section before the rest are counted (default 5). */
  maxDifferencesPerSection?: number;
}

/**
 * Failure reasons the runner writes from a process's exit (timeout, exit code, no output file), which the raw
 * output cannot show: such a trial is re-derived with its recorded reason.
 */
const processFailure = /^(?:timed out after \d+ s|exited with |hpcc exited with |hpcc wrote no hpccoutf\.txt)/;

/**
 * Re-derives every section of `result` from the raw files under `runDir` (a run folder as `aws-bench run --target
 * local` writes it). One `reject` finding per missing or altered raw file and per section whose re-derivation
 * differs; a `flag` where a trial cannot be re-derived without a person (a custom benchmark, a process failure
 * whose output still reads as a valid run); a `pass` per section that matched.
 */
export function rederiveRun(runDir: string, result: BenchmarkResult, options: RederiveOptions = {}): Finding[] {
  const registry = options.registry ?? builtinBenchmarks;
  const findings: Finding[] = [];
  const texts = readListedRawFiles(runDir, result, findings);
  findings.push(...leftOutTrials(result));
  for (const section of result.benchmarks) {
    findings.push(...rederiveSection(section, texts, registry, options.maxDifferencesPerSection ?? 5));
  }
  return findings;
}

/**
 * A trial's output as the runner names it: `<folder>/trial-<n>.txt`, `-rerun` for its second attempt, `.stdout` for
 * an HPCC execution that wrote no hpccoutf.txt (its standard output is then the trial's output).
 */
const trialOutput = /^(.*\/)trial-(\d+)(-rerun|\.stdout)?\.txt$/;

/**
 * Outputs of trials that result.json leaves out: a listed `trial-<n>.txt` that no trial names (other than a first
 * attempt whose rerun a trial names), and gaps in a folder's trial numbers. Dropping a slow trial from result.json
 * and re-summarizing the rest would otherwise re-derive cleanly.
 */
function leftOutTrials(result: BenchmarkResult): Finding[] {
  const named = new Set(
    result.benchmarks.flatMap((section) =>
      section.configurations.flatMap((configuration) =>
        configuration.trials.flatMap((trial) => (trial.rawFile ? [trial.rawFile] : [])),
      ),
    ),
  );
  const findings: Finding[] = [];
  const numbers = new Map<string, Set<number>>();
  for (const path of named) {
    const m = trialOutput.exec(path);
    if (!m) continue;
    const folder = m[1] as string;
    numbers.set(folder, (numbers.get(folder) ?? new Set()).add(Number(m[2])));
  }
  for (const { path } of result.rawFiles) {
    const m = trialOutput.exec(path);
    // An HPCC execution's standard output is kept beside its hpccoutf.txt, which the trial names.
    if (!m || named.has(path) || m[3] === ".stdout") continue;
    if (!m[3] && named.has(`${m[1] as string}trial-${m[2] as string}-rerun.txt`)) continue;
    findings.push({
      step: "rederive",
      severity: "reject",
      reason: `${path} is a trial's output that no trial in result.json names: a trial was left out`,
    });
  }
  for (const [folder, seen] of numbers) {
    const highest = Math.max(...seen);
    const missing = Array.from({ length: highest }, (_, index) => index + 1).filter((n) => !seen.has(n));
    if (missing.length > 0)
      findings.push({
        step: "rederive",
        severity: "reject",
        reason: `${folder} has trials up to ${highest} but result.json names no trial ${missing.join(", ")}: a trial was left out`,
      });
  }
  return findings;
}

/** Reads every file result.json lists, checking it exists and has the listed SHA-256 and size. */
function readListedRawFiles(
  runDir: string,
  result: BenchmarkResult,
  findings: Finding[],
): Map<string, string | undefined> {
  // Undefined for a listed file that is missing or altered (reported here, once).
  const texts = new Map<string, string | undefined>();
  for (const listed of result.rawFiles) {
    const read = readRunFile(runDir, listed.path);
    if ("problem" in read) {
      findings.push({
        step: "rederive",
        severity: "reject",
        reason: read.problem.endsWith(" is missing") ? `${listed.path} is listed but missing` : read.problem,
      });
      texts.set(listed.path, undefined);
      continue;
    }
    const { bytes } = read;
    const sum = sha256Hex(bytes);
    if (sum !== listed.sha256 || (listed.bytes !== undefined && bytes.length !== listed.bytes)) {
      findings.push({
        step: "rederive",
        severity: "reject",
        reason: `${listed.path} is not the file result.json lists (SHA-256 ${sum}, ${bytes.length} bytes; listed ${listed.sha256}${listed.bytes === undefined ? "" : `, ${listed.bytes} bytes`})`,
      });
      texts.set(listed.path, undefined);
      continue;
    }
    texts.set(listed.path, bytes.toString("utf8"));
  }
  return texts;
}

function rederiveSection(
  section: BenchmarkRun,
  texts: ReadonlyMap<string, string | undefined>,
  registry: BenchmarkRegistry,
  maxDifferences: number,
): Finding[] {
  const name = section.benchmark;
  const finding = (severity: Finding["severity"], reason: string): Finding => ({
    step: "rederive",
    severity,
    reason,
    section: name,
  });
  if (section.custom)
    return [
      finding(
        "flag",
        `custom benchmark ${section.custom.name}: its definition file is not part of the run, so its trials were not re-derived`,
      ),
    ];
  // The project's bandwidth kernel answers a STREAM request and is summarized with STREAM's headline; HPCC's
  // sections with their benchmark's.
  const headline = registry.get(name === membwBenchmarkName ? "stream" : name)?.headline;
  if (!headline) return [finding("flag", `benchmark ${name} is not registered here: its trials were not re-derived`)];

  const problems: Finding[] = [];
  const configurations: ConfigurationTrials[] = section.configurations.map((configuration) => ({
    id: configuration.id,
    description: configuration.description,
    ...(configuration.placement ? { placement: { ...configuration.placement } } : {}),
    trials: configuration.trials.map((trial) => {
      const where = `configuration '${configuration.id}', trial ${trial.index}`;
      const run = rederiveTrial(section, configuration.id, trial, texts, where, problems, finding);
      const entry: TrialEntry = { run };
      if (trial.rawFile !== undefined) entry.rawFile = trial.rawFile;
      if (trial.startedAt !== undefined) entry.startedAt = trial.startedAt;
      if (trial.durationSeconds !== undefined) entry.durationSeconds = trial.durationSeconds;
      return entry;
    }),
  }));
  if (problems.some((problem) => problem.severity === "reject")) return problems;

  settleImplementation(configurations, section.implementation);
  const judged = name === "coremark" ? requireValidation(configurations) : configurations;
  let derived: BenchmarkRun;
  try {
    derived = summarizeBenchmark(name, section.parameters, judged, {
      headline,
      registry,
      ...(section.supplementary ? { supplementaryHeadline: section.headline.configuration } : {}),
      ...(conformanceOf(section) ? { conformance: conformanceOf(section) as Conformance } : {}),
    });
  } catch (error) {
    return [...problems, finding("reject", `its trials cannot be summarized: ${(error as Error).message}`)];
  }
  // The build record and a custom benchmark's name are added beside the summary; they are not derived from output.
  const recorded: Partial<BenchmarkRun> = { ...section };
  delete recorded.build;
  delete recorded.custom;
  const differences: string[] = [];
  compare([], JSON.parse(JSON.stringify(recorded)), JSON.parse(JSON.stringify(derived)), differences, section);
  if (differences.length > 0) {
    const shown = differences.slice(0, maxDifferences).join("; ");
    const more = differences.length > maxDifferences ? `; and ${differences.length - maxDifferences} more` : "";
    return [...problems, finding("reject", `result.json differs from what its raw files give: ${shown}${more}`)];
  }
  const trials = section.configurations.reduce((sum, configuration) => sum + configuration.trials.length, 0);
  return [
    ...problems,
    finding(
      "pass",
      `${trials} trial(s) of ${section.configurations.length} configuration(s) re-derived from their raw files: trials, statistics and headline match`,
    ),
  ];
}

/** The trial's run as its raw file gives it, or the recorded failure where only the process's exit could tell. */
function rederiveTrial(
  section: BenchmarkRun,
  configuration: string,
  trial: Trial,
  texts: ReadonlyMap<string, string | undefined>,
  where: string,
  problems: Finding[],
  finding: (severity: Finding["severity"], reason: string) => Finding,
): TrialRun {
  const name = section.benchmark;
  const recordedFailure =
    !trial.valid && trial.invalidReason !== undefined && processFailure.test(trial.invalidReason)
      ? trial.invalidReason
      : undefined;
  if (trial.rawFile === undefined) {
    if (!trial.valid && Object.keys(trial.metrics).length === 0)
      return failedTrialRun(name, "", trial.invalidReason ?? "no raw output");
    problems.push(finding("reject", `${where}: has numbers but names no raw file`));
    return failedTrialRun(name, "", "no raw output");
  }
  const text = texts.get(trial.rawFile);
  if (text === undefined) {
    problems.push(
      finding(
        "reject",
        texts.has(trial.rawFile)
          ? `${where}: cannot be re-derived: its raw file ${trial.rawFile} is missing or altered`
          : `${where}: its raw file ${trial.rawFile} is not among the files result.json lists`,
      ),
    );
    return failedTrialRun(name, "", "raw file unavailable");
  }
  const parsed = parseTrial(section, configuration, text, trial.rawFile);
  if (recordedFailure === undefined) return parsed;
  if (parsed.valid)
    problems.push(
      finding(
        "flag",
        `${where}: recorded as '${recordedFailure}', but its raw file ${trial.rawFile} reads as a valid run (the exit status is not in the raw files)`,
      ),
    );
  return failedTrialRun(name, "", recordedFailure);
}

/** Parses one raw file as the runner did for this section's trials (the first run found counts). */
function parseTrial(section: BenchmarkRun, configuration: string, text: string, rawFile: string): TrialRun {
  const name = section.benchmark;
  if (section.implementation.startsWith("hpcc-")) {
    const ranks = section.configurations.find((c) => c.id === configuration)?.placement?.["ranks"];
    const runs = hpccTrialRuns(text, rawFile, undefined, typeof ranks === "number" ? ranks : 1);
    if (name === "hpl") return runs.hpl;
    return configuration === "single-thread" ? runs.single : runs.star;
  }
  try {
    const runs =
      name === membwBenchmarkName
        ? parseMembwOutput(text, rawFile)
        : builtinBenchmarks.require(name).parse(text, rawFile);
    return runs[0] ?? failedTrialRun(name, "", "no run in the output");
  } catch (error) {
    return failedTrialRun(name, "", (error as Error).message);
  }
}

function conformanceOf(section: BenchmarkRun): Conformance | undefined {
  if (section.conforming === undefined) return undefined;
  return section.conforming ? { conforming: true } : { conforming: false, reason: section.nonConformingReason ?? "" };
}

/** Appends a line per difference between `recorded` and `derived` (JSON values), named for a reader. */
function compare(
  path: ReadonlyArray<string | number>,
  recorded: unknown,
  derived: unknown,
  out: string[],
  section: BenchmarkRun,
): void {
  if (typeof recorded === "number" && typeof derived === "number") {
    const scale = Math.max(Math.abs(recorded), Math.abs(derived));
    if (recorded !== derived && !(Math.abs(recorded - derived) <= rederiveTolerance * scale))
      out.push(`${describe(path, section)}: recorded ${recorded}, raw files give ${derived}`);
    return;
  }
  if (Array.isArray(recorded) && Array.isArray(derived)) {
    if (recorded.length !== derived.length)
      out.push(`${describe(path, section)}: recorded ${recorded.length} entries, raw files give ${derived.length}`);
    for (let index = 0; index < Math.min(recorded.length, derived.length); index++)
      compare([...path, index], recorded[index], derived[index], out, section);
    return;
  }
  if (isObject(recorded) && isObject(derived)) {
    for (const key of [...new Set([...Object.keys(recorded), ...Object.keys(derived)])].sort()) {
      if (!(key in derived)) out.push(`${describe([...path, key], section)}: recorded, but the raw files give none`);
      else if (!(key in recorded)) out.push(`${describe([...path, key], section)}: missing from result.json`);
      else compare([...path, key], recorded[key], derived[key], out, section);
    }
    return;
  }
  if (recorded !== derived)
    out.push(
      `${describe(path, section)}: recorded ${JSON.stringify(recorded)}, raw files give ${JSON.stringify(derived)}`,
    );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `configuration 'all-cores', trial 2 (raw/…): metrics.gflops.value` rather than a bare JSON path. */
function describe(path: ReadonlyArray<string | number>, section: BenchmarkRun): string {
  const [first, configurationIndex, third, trialIndex, ...rest] = path;
  if (first === "configurations" && typeof configurationIndex === "number") {
    const configuration = section.configurations[configurationIndex];
    const id = configuration ? `configuration '${configuration.id}'` : `configuration #${configurationIndex}`;
    if (third === "trials" && typeof trialIndex === "number") {
      const trial = configuration?.trials[trialIndex];
      const raw = trial?.rawFile ? ` (${trial.rawFile})` : "";
      return `${id}, trial ${trialIndex}${raw}${rest.length ? `: ${rest.join(".")}` : ""}`;
    }
    const tail = [third, trialIndex, ...rest].filter((part) => part !== undefined);
    return `${id}${tail.length ? `: ${tail.join(".")}` : ""}`;
  }
  return path.length ? path.join(".") : "the section";
}

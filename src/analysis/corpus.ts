/**
 * The runs `analyze` reads: every `result.json` under the inputs (data/raw/<type>/<batch>-<repeat>/ as `collect`
 * writes them, or a local run's folder), each checked before it counts — the file within its size bound, the
 * document against schemas/benchmark-result.schema.json, SHA256SUMS beside it covering result.json and every raw
 * file the result lists, each checksum matching the bytes on disk. A run that fails any check is skipped with its
 * reason (published with the database: failed and invalid runs are data), never silently dropped. Runs outside a
 * batch (no instance type or no benchmark image) are `local` evidence and are read only when asked for.
 */
import { readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { parseChecksumList, sha256Hex } from "../checksums.js";
import { BenchError } from "../errors.js";
import { readRegularFile } from "../input-files.js";
import { checkDocument } from "../schemas/documents.js";
import { checkRawFiles } from "../schemas/validate-files.js";
import type { BenchmarkResult } from "../schemas/generated/benchmark-result.js";
import type { Evidence } from "../schemas/generated/metric-summary.js";

/** Bounds of what one analysis reads. */
export const corpusLimits = {
  /** Result documents found under all inputs together. */
  runs: 200_000,
  /** Folder depth searched below an input. */
  depth: 8,
  /** Bytes of one result.json. */
  resultBytes: 32 * 1024 * 1024,
  /** Bytes of one SHA256SUMS. */
  sumsBytes: 4 * 1024 * 1024,
} as const;

/** One folder to read runs from. */
export interface CorpusInput {
  /** The folder. */
  dir: string;
  /** Whether runs outside a batch (local evidence) are read from it. */
  includeLocal: boolean;
}

/** A run that passed every check. */
export interface CorpusRun {
  /** The run's folder, relative to its input, with `/` separators. */
  path: string;
  /** The result document. */
  result: BenchmarkResult;
  /** SHA-256 of result.json. */
  resultSha256: string;
  /** maintainer (collected from a batch) or local. */
  evidence: Evidence;
}

/** A run that was not used, and why. */
export interface SkippedRun {
  /** The run's folder, relative to its input. */
  path: string;
  /** The instance type, when the document got that far. */
  type?: string;
  /** Why. */
  reason: string;
}

/** What {@link readCorpus} found. */
export interface Corpus {
  /** Valid runs, sorted by path. */
  runs: CorpusRun[];
  /** Skipped runs, sorted by path. */
  skipped: SkippedRun[];
}

/** Reads and checks every run under `inputs`; throws only for an input folder that cannot be read at all. */
export async function readCorpus(inputs: readonly CorpusInput[]): Promise<Corpus> {
  const runs: CorpusRun[] = [];
  const skipped: SkippedRun[] = [];
  const seen = new Map<string, string>();
  let found = 0;
  for (const input of inputs) {
    let stats;
    try {
      stats = statSync(input.dir);
    } catch {
      throw new BenchError("InputUnreadable", `Cannot read ${input.dir}: it does not exist.`, {
        fix: "Pass a folder holding collected runs (data/raw) or local runs (aws-bench-results) with --input.",
      });
    }
    if (!stats.isDirectory())
      throw new BenchError("InputUnreadable", `${input.dir} is not a folder.`, {
        fix: "Pass the folder that holds the runs, not a file.",
      });
    for (const folder of runFolders(input.dir)) {
      if (++found > corpusLimits.runs)
        throw new BenchError("InputMalformed", `More than ${corpusLimits.runs} runs under the inputs.`, {
          fix: "Analyze a narrower set of folders.",
        });
      const path = relative(input.dir, folder).split(sep).join("/") || ".";
      const checked = await checkRun(folder);
      if ("reason" in checked) {
        skipped.push({ path, ...(checked.type ? { type: checked.type } : {}), reason: checked.reason });
        continue;
      }
      const { result, resultSha256 } = checked;
      const type = result.host.instanceType;
      const evidence: Evidence = type !== undefined && result.container !== undefined ? "maintainer" : "local";
      if (evidence === "local" && !input.includeLocal) {
        skipped.push({
          path,
          ...(type ? { type } : {}),
          reason: "a run outside a batch (local evidence): pass --include-local to include it",
        });
        continue;
      }
      const earlier = seen.get(result.runId);
      if (earlier !== undefined) {
        skipped.push({ path, reason: `the same run (${result.runId}) as ${earlier}: counted once` });
        continue;
      }
      seen.set(result.runId, path);
      runs.push({ path, result: slimResult(result), resultSha256, evidence });
    }
  }
  const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  return { runs: runs.sort(byPath), skipped: skipped.sort(byPath) };
}

/**
 * The parts of a checked result the analysis reads — the host's type, place, CPU and size, dates, container, and per
 * section its validity, conformance, headline and each trial's validity and values — so ten thousand runs fit in
 * memory. Everything else (printed numbers, raw-file lists, per-configuration statistics) stays in the files.
 */
function slimResult(result: BenchmarkResult): BenchmarkResult {
  return {
    schemaVersion: result.schemaVersion,
    runId: result.runId,
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
    runner: result.runner,
    host: {
      architecture: result.host.architecture,
      cpuModel: result.host.cpuModel,
      logicalCpus: result.host.logicalCpus,
      memoryMiB: result.host.memoryMiB,
      kernel: result.host.kernel,
      ...(result.host.cores !== undefined ? { cores: result.host.cores } : {}),
      ...(result.host.instanceType !== undefined ? { instanceType: result.host.instanceType } : {}),
      ...(result.host.region !== undefined ? { region: result.host.region } : {}),
      ...(result.host.availabilityZoneId !== undefined ? { availabilityZoneId: result.host.availabilityZoneId } : {}),
    },
    ...(result.container ? { container: result.container } : {}),
    rawFiles: [],
    benchmarks: result.benchmarks.map((section) => ({
      benchmark: section.benchmark,
      ...(section.implementation !== undefined ? { implementation: section.implementation } : {}),
      validity: section.validity,
      ...(section.conforming !== undefined ? { conforming: section.conforming } : {}),
      ...(section.nonConformingReason !== undefined ? { nonConformingReason: section.nonConformingReason } : {}),
      ...(section.supplementary !== undefined ? { supplementary: section.supplementary } : {}),
      ...(section.headline
        ? { headline: { configuration: section.headline.configuration, metric: section.headline.metric } }
        : {}),
      parameters: section.parameters,
      ...(section.build ? { build: section.build } : {}),
      configurations: section.configurations.map((configuration) => ({
        id: configuration.id,
        description: configuration.description,
        statistics: {},
        trials: configuration.trials.map((trial) => ({
          ...trial,
          metrics: Object.fromEntries(
            Object.entries(trial.metrics).map(([name, metric]) => [name, { value: metric.value, unit: metric.unit }]),
          ),
        })),
      })),
    })) as BenchmarkResult["benchmarks"],
  };
}

/** Folders holding a result.json, in name order, skipping dot-folders and `private/`, bounded in depth. */
function runFolders(root: string): string[] {
  const folders: string[] = [];
  const walk = (dir: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    if (entries.some((entry) => entry.isFile() && entry.name === "result.json")) {
      folders.push(dir);
      return;
    }
    if (depth >= corpusLimits.depth) return;
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)))
      if (
        entry.isDirectory() &&
        !entry.name.startsWith(".") &&
        entry.name !== "private" &&
        entry.name !== "node_modules"
      )
        walk(join(dir, entry.name), depth + 1);
  };
  walk(root, 0);
  return folders;
}

type Checked = { result: BenchmarkResult; resultSha256: string } | { reason: string; type?: string };

/** One run folder's checks, in order; the first failure is the reason. */
async function checkRun(folder: string): Promise<Checked> {
  let bytes: Buffer;
  try {
    bytes = readRegularFile(join(folder, "result.json"), corpusLimits.resultBytes);
  } catch (error) {
    return { reason: `result.json cannot be read: ${(error as Error).message}` };
  }
  let document: unknown;
  try {
    document = JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    return { reason: `result.json is not JSON: ${(error as Error).message}` };
  }
  const type = instanceTypeOf(document);
  const schema = await checkDocument("benchmark-result", document);
  if (!schema.valid)
    return {
      reason: `result.json does not match the result schema: ${schema.errors.slice(0, 3).join("; ")}`,
      ...(type ? { type } : {}),
    };
  const result = document as BenchmarkResult;
  const resultSha256 = sha256Hex(bytes);
  const problem = checksumProblem(folder, resultSha256, result);
  if (problem) return { reason: problem, ...(type ? { type } : {}) };
  return { result, resultSha256 };
}

function instanceTypeOf(document: unknown): string | undefined {
  const host = (document as { host?: { instanceType?: unknown } } | null)?.host;
  return typeof host?.instanceType === "string" && /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/.test(host.instanceType)
    ? host.instanceType
    : undefined;
}

/** SHA256SUMS must list result.json and exactly the result's raw files, and every listed file must match. */
function checksumProblem(folder: string, resultSha256: string, result: BenchmarkResult): string | undefined {
  let text: string;
  try {
    text = readRegularFile(join(folder, "SHA256SUMS"), corpusLimits.sumsBytes).toString("utf8");
  } catch (error) {
    return `SHA256SUMS cannot be read: ${(error as Error).message}`;
  }
  const parsed = parseChecksumList(text);
  if (parsed.problem !== undefined) return `SHA256SUMS ${parsed.problem}`;
  const { sums } = parsed;
  const listed = new Set(result.rawFiles.map((file) => file.path));
  // The runner's own SHA256SUMS lists the raw files; collect's adds result.json. Either is accepted, nothing else.
  const foreign = [...sums.keys()].filter((path) => path !== "result.json" && !listed.has(path));
  if (foreign.length > 0) return `SHA256SUMS lists ${foreign[0]}, which the result does not`;
  const resultSum = sums.get("result.json");
  if (resultSum && resultSum.sha256 !== resultSha256)
    return `result.json does not match SHA256SUMS (expected ${resultSum.sha256}, got ${resultSha256})`;
  for (const file of result.rawFiles) {
    const sum = sums.get(file.path);
    if (!sum) return `SHA256SUMS does not list ${file.path}`;
    if (sum.sha256 !== file.sha256) return `${file.path}: SHA256SUMS and result.json disagree`;
  }
  // Each listed raw file against its recorded size and checksum, as `aws-bench validate` checks it.
  const [first] = checkRawFiles(result, folder);
  if (!first) return undefined;
  return first.checksums
    ? `${first.file} does not match its checksum (expected ${first.checksums.expected}, got ${first.checksums.actual})`
    : `${first.file}: ${first.message}`;
  return undefined;
}

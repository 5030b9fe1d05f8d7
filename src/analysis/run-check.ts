/**
 * The checks of one run folder that `analyze` makes before a run counts (src/analysis/corpus.ts decides what to do
 * with the outcome): result.json within its size bound, parsed, against schemas/benchmark-result.schema.json and free
 * of private details; SHA256SUMS beside it covering result.json and exactly the raw files the result lists; every raw
 * file matching its recorded size and checksum; a provenance.json, when there is one, against its schema. Pure of any
 * shared state, so worker threads run it (src/analysis/check-runs.ts); what passes comes back slimmed to what the
 * analysis reads.
 */
import { join } from "node:path";
import { parseChecksumList, sha256Hex } from "../checksums.js";
import { readRegularFile } from "../input-files.js";
import { checkDocument } from "../schemas/documents.js";
import { checkRawFiles } from "../schemas/validate-files.js";
import type { BenchmarkResult } from "../schemas/generated/benchmark-result.js";
import type { ContributionProvenance } from "../schemas/generated/contribution-provenance.js";
import { summarizedMetrics } from "./summarized-metrics.js";

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

/**
 * A run folder's checks passed (with the result as {@link slimResult} keeps it, and a merged community run's
 * provenance), or the first that failed.
 */
export type CheckedRun =
  | { result: BenchmarkResult; resultSha256: string; provenance?: ContributionProvenance }
  | { reason: string; type?: string };

/** One run folder's checks, in order; the first failure is the reason. The result comes back slimmed. */
export async function checkRun(folder: string): Promise<CheckedRun> {
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
  const provenance = await readProvenance(folder);
  if (provenance !== undefined && "reason" in provenance)
    return { reason: provenance.reason, ...(type ? { type } : {}) };
  return { result: slimResult(result), resultSha256, ...(provenance ? { provenance } : {}) };
}

/** A merged community run's provenance.json: absent, valid, or why it cannot be used (the run is then skipped). */
async function readProvenance(folder: string): Promise<ContributionProvenance | { reason: string } | undefined> {
  let data: unknown;
  try {
    data = JSON.parse(readRegularFile(join(folder, "provenance.json"), 64 * 1024).toString("utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    return { reason: `provenance.json cannot be read: ${(error as Error).message}` };
  }
  const check = await checkDocument("contribution-provenance", data);
  if (!check.valid)
    return { reason: `provenance.json does not match its schema: ${check.errors.slice(0, 3).join("; ")}` };
  return data as ContributionProvenance;
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
}

/**
 * The parts of a checked result the analysis reads — the host's type, place, CPU and size, dates, container, and per
 * section its validity, conformance, headline and each trial's validity and the values of the metrics it summarizes
 * ({@link summarizedMetrics}) — so ten thousand runs fit in memory. Everything else (printed numbers, per-kernel
 * times beside a rate headline, raw-file lists, per-configuration statistics) stays in the files.
 */
export function slimResult(result: BenchmarkResult): BenchmarkResult {
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
      configurations: section.configurations.map((configuration) => {
        const kept = summarizedMetrics(section, configuration);
        return {
          id: configuration.id,
          description: configuration.description,
          statistics: {},
          trials: configuration.trials.map((trial) => ({
            ...trial,
            metrics: Object.fromEntries(
              kept.flatMap((name) => {
                const metric = trial.metrics[name];
                return metric ? [[name, { value: metric.value, unit: metric.unit }]] : [];
              }),
            ),
          })),
        };
      }),
    })) as BenchmarkResult["benchmarks"],
  };
}

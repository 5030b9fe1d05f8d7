/**
 * What `rank` and `compare` read of an analyzed database, kept apart from `analyze` itself so that those commands
 * load only this: the metric's own processed/by-metric file, or processed/latest.json.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseChecksumList, sha256Hex } from "../checksums.js";
import { BenchError } from "../errors.js";
import { readRegularFile } from "../input-files.js";
import type { AnalysisDatabase } from "../schemas/generated/analysis-database.js";
import type { ApiIndex } from "../schemas/generated/api-index.js";
import type { ApiRanking } from "../schemas/generated/api-ranking.js";

/**
 * The database `rank` and `compare` read for `metric`: its own file under `processed/by-metric/` when analyze wrote
 * one (a metric of a headline configuration), else the whole `processed/latest.json`.
 */
export async function readDatabaseFor(dataDir: string, metric: string): Promise<AnalysisDatabase> {
  const own = join(dataDir, "processed", "by-metric", `${metric}.json`);
  const safe = /^[a-z0-9-]+\.[A-Za-z0-9_-]+$/.test(metric);
  if (safe && existsSync(own)) return readVouchedFor(own, `${metric}.json`) ?? readValidated(own);
  const latest = join(dataDir, "processed", "latest.json");
  if (!existsSync(latest))
    throw new BenchError("InputUnreadable", `${latest} does not exist: ${dataDir} is not an analyzed database.`, {
      fix: "Run `aws-bench analyze --out DIR` first and pass that DIR with --data.",
    });
  return readValidated(latest);
}

/**
 * The by-metric file `path` parsed without validating it again, when its bytes are exactly those analyze validated
 * and listed in the SHA256SUMS beside it; undefined otherwise (an edited or foreign file is validated as any input).
 * Validation costs rank and compare most of their start-up: loading and compiling the schemas.
 */
function readVouchedFor(path: string, name: string): AnalysisDatabase | undefined {
  try {
    const sums = parseChecksumList(readRegularFile(join(dirname(path), "SHA256SUMS"), 1024 * 1024).toString("utf8"));
    const expected = sums.sums?.get(name)?.sha256;
    if (expected === undefined) return undefined;
    const bytes = readRegularFile(path, 1024 * 1024 * 1024);
    return sha256Hex(bytes) === expected ? (JSON.parse(bytes.toString("utf8")) as AnalysisDatabase) : undefined;
  } catch {
    return undefined;
  }
}

/** A database file validated against its schema (the schemas are loaded only when a file needs them). */
async function readValidated(path: string): Promise<AnalysisDatabase> {
  const { readDocument } = await import("../schemas/documents.js");
  return readDocument("analysis-database", path);
}

/** The options analyze ranks each headline metric with for api/v1/rankings/ (besides the metric and implementation). */
export const publishedRankOptions = { per: "instance", minInstances: 1 } as const;

/** Whether a `rank` query is the one analyze published: its options, and no filter, baseline or cut. */
export function isPublishedQuery(query: {
  per: string;
  minInstances: number;
  architectures?: readonly string[] | undefined;
  families?: readonly string[] | undefined;
  evidence?: readonly string[] | undefined;
  baseline?: string | undefined;
  top?: number | undefined;
}): boolean {
  return (
    query.per === publishedRankOptions.per &&
    query.minInstances === publishedRankOptions.minInstances &&
    !query.architectures?.length &&
    !query.families?.length &&
    !query.evidence?.length &&
    query.baseline === undefined &&
    query.top === undefined
  );
}

/**
 * The ranking `analyze` published for `metric` (api/v1/rankings/, listed in api/v1/index.json) — per instance, every
 * type, no filter: exactly what `rankTypes` gives for that query — when its bytes match the SHA-256 the index lists;
 * undefined otherwise (no such file, an edited one, several implementations and none named), and the caller ranks
 * from the database instead.
 */
export function readPublishedRanking(dataDir: string, metric: string, implementation?: string): ApiRanking | undefined {
  try {
    const api = join(dataDir, "api", "v1");
    const index = JSON.parse(readRegularFile(join(api, "index.json"), 64 * 1024 * 1024).toString("utf8")) as ApiIndex;
    const entries = index.metrics.filter(
      (entry) => entry.metric === metric && (implementation === undefined || entry.implementation === implementation),
    );
    if (entries.length !== 1) return undefined;
    const file = (entries[0] as ApiIndex["metrics"][number]).file;
    const listed = index.files.find((entry) => entry.path === file);
    if (!listed || !/^rankings\/[A-Za-z0-9._-]+\.json$/.test(file)) return undefined;
    const bytes = readRegularFile(join(api, file), 256 * 1024 * 1024);
    if (sha256Hex(bytes) !== listed.sha256) return undefined;
    const ranking = JSON.parse(bytes.toString("utf8")) as ApiRanking;
    return ranking.metric === metric &&
      ranking.per === publishedRankOptions.per &&
      ranking.dataset.version === index.dataset.version
      ? ranking
      : undefined;
  } catch {
    return undefined;
  }
}

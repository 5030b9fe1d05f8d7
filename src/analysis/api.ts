/**
 * The static API, `data/api/v1/`, made from the analyzed database as `{path: content}`:
 *
 *   index.json               dataset version, licence, citation; every type, every ranked metric; every file with
 *                            its SHA-256, size and schema
 *   types/<type>.json        one type's facts, price, run cost and summaries (`local:` labels become `local_`)
 *   rankings/<metric>.json   each benchmark's headline metric ranked per instance, with rank intervals
 *   runs.csv                 long format: one row per instance × metric (headline configurations), with evidence
 *   openapi.json             the API as OpenAPI 3.1, responses referencing the schemas (src/analysis/openapi.ts)
 *   CHANGELOG.md             runs added, changed and removed per release (src/analysis/changelog.ts)
 *
 * Deterministic like the database it comes from. v1 is never broken in place: a breaking change is v2 beside it.
 */
import { sha256Hex } from "../checksums.js";
import { stableJson } from "../schemas/documents.js";
import type { AnalysisDatabase } from "../schemas/generated/analysis-database.js";
import type { ApiIndex } from "../schemas/generated/api-index.js";
import type { ApiRanking } from "../schemas/generated/api-ranking.js";
import type { ApiType } from "../schemas/generated/api-type.js";
import { buildChangelog, type PreviousRelease } from "./changelog.js";
import { csvField } from "./csv.js";
import { openApiDocument, openApiSchemaId, schemaId } from "./openapi.js";
import { rankTypes } from "./rank.js";
import { publishedRankOptions } from "./read-database.js";
import { SummaryJson } from "./summary-json.js";

/** The file name of a type's page: `:` is not allowed in file names everywhere. */
export function typeFileName(type: string): string {
  return `${type.replace(":", "_")}.json`;
}

/**
 * Every file of `api/v1/`, relative to it; `previous` is what the release before published (for the changelog).
 * The types' pages take their summaries' texts from `json` (made for processed/ already, when analyze passes it).
 */
export function buildApi(
  database: AnalysisDatabase,
  previous: PreviousRelease = {},
  json: SummaryJson = new SummaryJson(),
): Map<string, string> {
  const pages = buildApiPages(database, previous, json);
  const rest = finishApi(database, digestsOf(pages), publishedRankings(database));
  return new Map([...pages, ...rest]);
}

/** A file's SHA-256 and size in bytes, as index.json lists it. */
export interface FileDigest {
  sha256: string;
  bytes: number;
}

/** A file's {@link FileDigest}. */
export function digestOf(content: string): FileDigest {
  return { sha256: sha256Hex(content), bytes: Buffer.byteLength(content) };
}

/** Each file's {@link FileDigest}. */
export function digestsOf(files: ReadonlyMap<string, string>): Map<string, FileDigest> {
  return new Map([...files].map(([path, content]) => [path, digestOf(content)]));
}

/** A ranking the API publishes, and its file. */
export interface PublishedRanking {
  metric: string;
  implementation: string;
  /** Relative to `api/v1/`. */
  path: string;
  ranking: ApiRanking;
}

/**
 * The rankings the API publishes: each benchmark's headline metric per instance, every pair of types an exact test
 * (the other metrics of the headline configuration are ranked on demand by `aws-bench rank`, from
 * processed/by-metric/). Pure: analyze computes them on a worker thread from the summaries it wrote.
 */
export function publishedRankings(database: AnalysisDatabase): PublishedRanking[] {
  return headlineMetrics(database)
    .filter((m) => m.ranked)
    .map(({ metric, implementation }) => ({
      metric,
      implementation,
      path: `rankings/${metric}${implementationSuffix(database, metric, implementation)}.json`,
      ranking: rankTypes(database, { metric, implementation, ...publishedRankOptions }),
    }));
}

/** The files of `api/v1/` but the rankings and the index: the types' pages, runs.csv, CHANGELOG.md, openapi.json. */
export function buildApiPages(
  database: AnalysisDatabase,
  previous: PreviousRelease = {},
  json: SummaryJson = new SummaryJson(),
): Map<string, string> {
  return new Map(apiPages(database, previous, json));
}

/** {@link buildApiPages} one file at a time, each made when asked for (analyze writes each before the next). */
export function* apiPages(
  database: AnalysisDatabase,
  previous: PreviousRelease = {},
  json: SummaryJson = new SummaryJson(),
): Generator<[string, string]> {
  for (const type of Object.keys(database.types).sort()) {
    const page: ApiType = {
      schemaVersion: 1,
      dataset: database.dataset,
      type,
      facts: database.types[type] as ApiType["facts"],
      summaries: database.summaries.filter((summary) => summary.type === type),
      skipped: database.skipped.filter((skipped) => skipped.type === type),
    };
    const path = `types/${typeFileName(type)}`;
    yield [path, json.write(path, page)];
  }
  const runs = runsCsv(database);
  yield ["runs.csv", runs];
  yield ["CHANGELOG.md", buildChangelog(database.dataset.version, runs, previous)];
  yield ["openapi.json", stableJson(openApiDocument())];
}

/**
 * The rankings' files and index.json (every file with its SHA-256, size and schema), given the digests of the pages
 * ({@link buildApiPages}, written already).
 */
export function finishApi(
  database: AnalysisDatabase,
  pages: ReadonlyMap<string, FileDigest>,
  rankings: readonly PublishedRanking[],
): Map<string, string> {
  const files = new Map<string, string>();
  const digests = new Map(pages);
  const metrics: ApiIndex["metrics"] = [];
  for (const { metric, implementation, path, ranking } of rankings) {
    const text = stableJson(ranking);
    files.set(path, text);
    digests.set(path, digestOf(text));
    metrics.push({ metric, implementation, unit: ranking.unit, file: path, types: ranking.rows.length });
  }
  const index: ApiIndex = {
    schemaVersion: 1,
    apiVersion: "v1",
    dataset: database.dataset,
    types: Object.keys(database.types)
      .sort()
      .map((type) => ({
        type,
        file: `types/${typeFileName(type)}`,
        evidence: database.types[type]?.evidence ?? [],
        runs: database.types[type]?.runs ?? 0,
      })),
    metrics,
    files: [...digests.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([path, { sha256, bytes }]) => ({ path, sha256, bytes, schema: schemaOf(path) })),
  };
  files.set("index.json", stableJson(index));
  return files;
}

/** The schema (or media type) index.json names for an API file. */
function schemaOf(path: string): string {
  if (path.startsWith("types/")) return schemaId("api-type");
  if (path.startsWith("rankings/")) return schemaId("api-ranking");
  if (path === "runs.csv") return "text/csv";
  if (path === "CHANGELOG.md") return "text/markdown";
  if (path === "openapi.json") return openApiSchemaId;
  throw new Error(`no schema is known for api/v1/${path}`);
}

/** Every metric measured in a benchmark's headline configuration, per implementation, sorted. */
function headlineMetrics(
  database: AnalysisDatabase,
): Array<{ metric: string; implementation: string; ranked: boolean }> {
  const headlineConfig = new Map<string, string>();
  for (const summary of database.summaries)
    if (summary.headline)
      headlineConfig.set(`${summary.benchmark}\u0000${summary.implementation}`, summary.configuration);
  const found = new Map<string, { metric: string; implementation: string; ranked: boolean }>();
  for (const summary of database.summaries) {
    if (headlineConfig.get(`${summary.benchmark}\u0000${summary.implementation}`) !== summary.configuration) continue;
    const key = `${summary.metric}\u0000${summary.implementation}`;
    found.set(key, {
      metric: summary.metric,
      implementation: summary.implementation,
      ranked: (found.get(key)?.ranked ?? false) || summary.headline,
    });
  }
  return [...found.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, value]) => value);
}

/** `@<implementation>` when the metric has more than one implementation, so their rankings never share a file. */
function implementationSuffix(database: AnalysisDatabase, metric: string, implementation: string): string {
  const implementations = new Set(database.summaries.filter((s) => s.metric === metric).map((s) => s.implementation));
  return implementations.size > 1 ? `@${implementation}` : "";
}

/** One row per instance × metric in headline configurations. */
function runsCsv(database: AnalysisDatabase): string {
  const header =
    "type,metric,implementation,configuration,headline,runId,startedAt,value,unit,trials,evidence,cpuModel,region,availabilityZoneId,outlier";
  const wanted = new Set(
    headlineMetrics(database).map(({ metric, implementation }) => `${metric}\u0000${implementation}`),
  );
  const headlineConfig = new Map(
    database.summaries
      .filter((s) => s.headline)
      .map((s) => [`${s.benchmark}\u0000${s.implementation}`, s.configuration]),
  );
  const rows: string[] = [];
  for (const summary of database.summaries) {
    if (!wanted.has(`${summary.metric}\u0000${summary.implementation}`)) continue;
    if (headlineConfig.get(`${summary.benchmark}\u0000${summary.implementation}`) !== summary.configuration) continue;
    for (const instance of summary.instances)
      rows.push(
        [
          summary.type,
          summary.metric,
          summary.implementation,
          summary.configuration,
          String(summary.headline),
          instance.runId,
          instance.startedAt,
          String(instance.value),
          summary.unit,
          String(instance.trials),
          instance.evidence,
          instance.cpuModel,
          instance.region ?? "",
          instance.availabilityZoneId ?? "",
          instance.outlier === undefined ? "" : String(instance.outlier),
        ]
          .map(csvField)
          .join(","),
      );
  }
  // One join (a flat string): a template around it would make a rope, copied whole when written and hashed.
  return rows.length ? [header, ...rows.sort(), ""].join("\n") : `${header}\n`;
}

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
  const files = new Map<string, string>();
  const schemas = new Map<string, string>();
  const types = Object.keys(database.types).sort();
  for (const type of types) {
    const page: ApiType = {
      schemaVersion: 1,
      dataset: database.dataset,
      type,
      facts: database.types[type] as ApiType["facts"],
      summaries: database.summaries.filter((summary) => summary.type === type),
      skipped: database.skipped.filter((skipped) => skipped.type === type),
    };
    const path = `types/${typeFileName(type)}`;
    files.set(path, json.write(path, page));
    schemas.set(path, schemaId("api-type"));
  }
  const metrics: ApiIndex["metrics"] = [];
  // Ranked in the API: each benchmark's headline metric (every pair of types is an exact test; the other metrics of
  // the headline configuration are ranked on demand by `aws-bench rank`, from processed/by-metric/).
  for (const { metric, implementation } of headlineMetrics(database).filter((m) => m.ranked)) {
    const ranking = rankTypes(database, { metric, implementation, ...publishedRankOptions });
    const path = `rankings/${metric}${implementationSuffix(database, metric, implementation)}.json`;
    files.set(path, stableJson(ranking));
    schemas.set(path, schemaId("api-ranking"));
    metrics.push({ metric, implementation, unit: ranking.unit, file: path, types: ranking.rows.length });
  }
  const runs = runsCsv(database);
  files.set("runs.csv", runs);
  schemas.set("runs.csv", "text/csv");
  files.set("CHANGELOG.md", buildChangelog(database.dataset.version, runs, previous));
  schemas.set("CHANGELOG.md", "text/markdown");
  files.set("openapi.json", stableJson(openApiDocument()));
  schemas.set("openapi.json", openApiSchemaId);
  const index: ApiIndex = {
    schemaVersion: 1,
    apiVersion: "v1",
    dataset: database.dataset,
    types: types.map((type) => ({
      type,
      file: `types/${typeFileName(type)}`,
      evidence: database.types[type]?.evidence ?? [],
      runs: database.types[type]?.runs ?? 0,
    })),
    metrics,
    files: [...files.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([path, content]) => ({
        path,
        sha256: sha256Hex(content),
        bytes: Buffer.byteLength(content),
        schema: schemas.get(path) as string,
      })),
  };
  files.set("index.json", stableJson(index));
  return files;
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

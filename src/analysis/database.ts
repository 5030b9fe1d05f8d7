/**
 * `analyze`: checked runs → the database, as a pure function of its inputs returning `{path: content}` (written by
 * the caller all at once). The same runs, catalogue, prices and `--as-of` give the same bytes: no clock is read,
 * every list is sorted, JSON is written with sorted keys, and numbers are written as JavaScript prints them.
 *
 *   processed/latest.json               every summary, the types' facts and prices, every skipped run with its reason
 *   processed/historical/<metric>.csv   every instance's value over time, per type (for drift and plots)
 *   processed/by-metric/<metric>.json   one metric in its headline configuration: what `rank` and `compare` read
 *   processed/by-metric/SHA256SUMS      the checksum of each of those files as analyze validated it
 *   api/v1/…                            the published static API (src/analysis/api.ts)
 */
import { csvField } from "./csv.js";
import { sha256Hex } from "../checksums.js";
import type { AnalysisDatabase, TypeFacts } from "../schemas/generated/analysis-database.js";
import type { InstanceCatalog } from "../schemas/generated/instance-catalog.js";
import type { PriceSnapshot } from "../schemas/generated/price-snapshot.js";
import type { Corpus } from "./corpus.js";
import { median } from "./order-statistics.js";
import { observationsOf, summarize, typeLabel, type Observation } from "./summaries.js";
import { SummaryJson } from "./summary-json.js";

/** The data licence named in every published file. */
export const dataLicence = "CC-BY-4.0";

/** How to cite the database (also in CITATION.cff). */
export const citation =
  "aws-instance-benchmarks contributors, aws-instance-benchmarks: measured STREAM, HPL and CoreMark performance of AWS EC2 instance types, dataset version {version}, https://github.com/aws-instance-benchmarks/aws-instance-benchmarks";

/** What the database is built from besides the runs. */
export interface DatabaseInputs {
  /** The checked runs. */
  corpus: Corpus;
  /** Judgement date (YYYY-MM-DD): staleness and the dataset version's date. */
  asOf: string;
  /** The commit of data/raw (or undefined outside git: the inputs' checksum names the version). */
  dataCommit?: string | undefined;
  /** The instance catalogue (vCPUs, cores, memory, architecture of EC2 types). */
  catalog?: InstanceCatalog | undefined;
  /** The price snapshot (on-demand and spot per type, with its region and date). */
  prices?: PriceSnapshot | undefined;
}

/**
 * Builds the database document and the processed files; the API is made from the document. `json` holds each
 * summary's text and each file's skeleton (for the API's files and for validation).
 */
export function buildDatabase(inputs: DatabaseInputs): {
  database: AnalysisDatabase;
  files: Map<string, string>;
  json: SummaryJson;
} {
  const { corpus } = inputs;
  const observations: Observation[] = [];
  const skipped = [...corpus.skipped];
  for (const run of corpus.runs) {
    const found = observationsOf(run);
    observations.push(...found.observations);
    skipped.push(...found.skipped);
  }
  const summaries = summarize(observations, { asOf: inputs.asOf });
  const inputsSha256 = sha256Hex(corpus.runs.map((run) => `${run.path}\u0000${run.resultSha256}\n`).join(""));
  const version = `${inputs.asOf.replaceAll("-", ".")}+${inputs.dataCommit ?? inputsSha256.slice(0, 12)}`;
  const database: AnalysisDatabase = {
    schemaVersion: 1,
    dataset: {
      version,
      asOf: inputs.asOf,
      inputsSha256,
      licence: dataLicence,
      citation: citation.replace("{version}", version),
    },
    ...(inputs.prices
      ? {
          prices: {
            region: inputs.prices.region,
            snapshotDate: inputs.prices.source.asOf,
            source: inputs.prices.source.file ?? inputs.prices.source.kind,
          },
        }
      : {}),
    types: typeFacts(corpus, inputs.catalog, inputs.prices),
    summaries,
    skipped: skipped.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.reason < b.reason ? -1 : 1)),
  };
  const json = new SummaryJson();
  const files = new Map<string, string>([["processed/latest.json", json.write("processed/latest.json", database)]]);
  for (const [metric, text] of historicalSeries(database)) files.set(`processed/historical/${metric}.csv`, text);
  const sums: string[] = [];
  for (const [metric, subset] of byMetric(database)) {
    const path = `processed/by-metric/${metric}.json`;
    const text = json.write(path, subset);
    files.set(path, text);
    sums.push(`${sha256Hex(text)}  ${metric}.json`);
  }
  // analyze validates every file it writes; rank and compare skip validating again a file these sums vouch for.
  if (sums.length > 0) files.set("processed/by-metric/SHA256SUMS", `${sums.join("\n")}\n`);
  return { database, files, json };
}

/** Each type's hardware (catalogue first, else the probed host), evidence, runs, price and measured run cost. */
function typeFacts(
  corpus: Corpus,
  catalog: InstanceCatalog | undefined,
  prices: PriceSnapshot | undefined,
): Record<string, TypeFacts> {
  const byName = new Map((catalog?.instanceTypes ?? []).map((entry) => [entry.name, entry]));
  const facts: Record<string, TypeFacts> = {};
  const durations = new Map<string, number[]>();
  for (const run of [...corpus.runs].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    const { host } = run.result;
    const type = typeLabel(run.result);
    const known = host.instanceType ? byName.get(host.instanceType) : undefined;
    const entry = (facts[type] ??= {
      hardware: {
        vcpus: known?.vcpus ?? host.logicalCpus,
        ...((known?.defaultCores ?? host.cores) ? { cores: known?.defaultCores ?? host.cores } : {}),
        ...((known?.memoryMiB ?? host.memoryMiB) ? { memoryMiB: known?.memoryMiB ?? host.memoryMiB } : {}),
        architecture: host.architecture,
        ...(known ? { family: known.family } : {}),
        cpuModels: [],
      },
      evidence: [],
      runs: 0,
    });
    entry.runs++;
    if (!entry.evidence.includes(run.evidence)) entry.evidence.push(run.evidence);
    const models = entry.hardware.cpuModels ?? [];
    if (!models.includes(host.cpuModel)) models.push(host.cpuModel);
    if (run.evidence !== "local") {
      const seconds = (Date.parse(run.result.finishedAt) - Date.parse(run.result.startedAt)) / 1000;
      if (seconds >= 0) {
        const list = durations.get(type);
        if (list) list.push(seconds);
        else durations.set(type, [seconds]);
      }
    }
  }
  for (const [type, entry] of Object.entries(facts)) {
    entry.evidence.sort();
    entry.hardware.cpuModels?.sort();
    const onDemand = prices?.onDemandUsdPerHour[type];
    if (prices && onDemand !== undefined) {
      const spot = prices.spotUsdPerHour?.[type];
      const spotRange = prices.spotRangeUsdPerHour?.[type];
      entry.price = {
        region: prices.region,
        snapshotDate: prices.source.asOf,
        onDemandUsdPerHour: onDemand,
        ...(spot !== undefined ? { spotUsdPerHour: spot } : {}),
        ...(spot !== undefined && spotRange ? { spotRangeUsdPerHour: spotRange } : {}),
      };
      const seconds = durations.get(type);
      if (seconds?.length) entry.runCostUsd = { median: (median(seconds) / 3600) * onDemand, n: seconds.length };
    }
  }
  return facts;
}

/**
 * Per metric of a headline configuration, the database cut down to that metric's summaries there (and the facts of
 * their types): `rank` and `compare` read one small file instead of every summary of every configuration.
 */
function byMetric(database: AnalysisDatabase): Map<string, AnalysisDatabase> {
  const metrics = new Map<string, AnalysisDatabase["summaries"]>();
  for (const summary of database.summaries)
    if (summary.headlineConfiguration) {
      const list = metrics.get(summary.metric);
      if (list) list.push(summary);
      else metrics.set(summary.metric, [summary]);
    }
  return new Map(
    [...metrics.entries()].map(([metric, summaries]) => [
      metric,
      {
        ...database,
        types: Object.fromEntries(
          [...new Set(summaries.map((s) => s.type))].sort().map((type) => [type, database.types[type] as TypeFacts]),
        ),
        summaries,
        skipped: [],
      },
    ]),
  );
}

/** Per metric: `type,implementation,configuration,startedAt,runId,value,unit,evidence`, oldest first per type. */
function historicalSeries(database: AnalysisDatabase): Map<string, string> {
  const rows = new Map<string, string[]>();
  for (const summary of database.summaries)
    for (const instance of summary.instances) {
      const list = rows.get(summary.metric) ?? [];
      list.push(
        [
          summary.type,
          summary.implementation,
          summary.configuration,
          instance.startedAt,
          instance.runId,
          String(instance.value),
          summary.unit,
          instance.evidence,
        ]
          .map(csvField)
          .join(","),
      );
      rows.set(summary.metric, list);
    }
  const header = "type,implementation,configuration,startedAt,runId,value,unit,evidence";
  return new Map(
    [...rows.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      // One join (a flat string): a template around it would make a rope, copied whole when written.
      .map(([metric, list]) => [metric, [header, ...list.sort(), ""].join("\n")]),
  );
}

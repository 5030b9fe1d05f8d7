/**
 * From checked runs to per-type summaries. The unit is the instance: each run (one boot of one instance) first
 * reduces each metric's valid trials to one value, their median; statistics across a type are then over those
 * per-instance values, never over pooled trials (pooled trials would count one lucky host many times over and
 * overstate certainty). Different implementations of a benchmark (stream.c vs HPCC's STREAM, HPL 2.3 vs HPCC's
 * HPL 2.0) and different configurations are summarized apart; a section that is invalid or below its program's own
 * run rules (`conforming: false`) is not summarized at all, and is listed with its reason instead.
 */
import { stableJson } from "../schemas/documents.js";
import type { BenchmarkResult, BenchmarkRun } from "../schemas/generated/benchmark-result.js";
import type { Evidence, Instance, MetricSummary, Statistics } from "../schemas/generated/metric-summary.js";
import type { CorpusRun, SkippedRun } from "./corpus.js";
import { geometricMeanInterval } from "./geometric-mean.js";
import { median, medianConfidenceInterval, predictionInterval } from "./order-statistics.js";
import { robustZScores } from "./outliers.js";
import { summarizedMetrics } from "./summarized-metrics.js";
import { varianceComponents } from "./variance-components.js";

/** The confidence every interval aims for. */
export const targetCoverage = 0.95;

/** Fewer instances than this make a summary `provisional`: the median's 95 % interval needs 6. */
export const provisionalBelow = 6;

/** A summary whose latest instance is older than this many days (against `--as-of`) is `stale`. */
export const staleAfterDays = 365;

/** One instance's value of one metric. */
export interface Observation {
  /** The type label (instance type, or `local:<cpu>-<n>cpu`). */
  type: string;
  /** Key of its group: type, benchmark, implementation, configuration, metric. */
  key: string;
  benchmark: string;
  implementation: string;
  configuration: string;
  /** The metric's name within its benchmark. */
  name: string;
  unit: string;
  headline: boolean;
  /** The configuration is the benchmark's headline configuration. */
  headlineConfiguration: boolean;
  /** Every valid trial's value. */
  trials: number[];
  /** How the section was built and sized. */
  setup: { build?: BenchmarkRun["build"]; parameters: BenchmarkRun["parameters"] };
  /** The setup as stable JSON: equal setups, equal keys. */
  setupKey: string;
  instance: Instance;
  /** A community run's keyed account pseudonym (never published; only counted). */
  account?: string;
}

/** The label a run is grouped under: its instance type, or for a run outside EC2 its CPU and CPU count. */
export function typeLabel(result: BenchmarkResult): string {
  if (result.host.instanceType) return result.host.instanceType;
  const cpu =
    result.host.cpuModel
      .toLowerCase()
      .replace(/\(r\)|\(tm\)|cpu|@.*$/g, " ")
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "") || "cpu";
  return `local:${cpu.slice(0, 48)}-${result.host.logicalCpus}cpu`;
}

/** Whether a larger value is better: times are the only lower-is-better metrics the benchmarks report. */
export function higherIsBetter(unit: string): boolean {
  return unit !== "s";
}

/** Every per-instance value in `run`, and the sections that give none (invalid, non-conforming), with reasons. */
export function observationsOf(run: CorpusRun): { observations: Observation[]; skipped: SkippedRun[] } {
  const { result } = run;
  const type = typeLabel(result);
  const observations: Observation[] = [];
  const skipped: SkippedRun[] = [];
  for (const section of result.benchmarks) {
    const skip = (reason: string) => skipped.push({ path: run.path, type, reason: `${section.benchmark}: ${reason}` });
    if (!section.validity.valid) {
      skip(`invalid (${section.validity.validTrials} of ${section.validity.trials} trials valid)`);
      continue;
    }
    if (section.conforming === false) {
      skip(`non-conforming: ${section.nonConformingReason ?? "below the program's own run rules"}`);
      continue;
    }
    // One setup per section, and its key made once: every metric of every configuration shares it.
    const setup = { ...(section.build ? { build: section.build } : {}), parameters: section.parameters };
    const setupKey = stableJson(setup);
    for (const configuration of section.configurations) {
      for (const name of summarizedMetrics(section, configuration)) {
        const trials = configuration.trials
          .filter((trial) => trial.valid)
          .map((trial) => trial.metrics[name]?.value)
          .filter((value): value is number => typeof value === "number" && Number.isFinite(value));
        if (trials.length === 0) continue;
        const unit = configuration.trials.map((trial) => trial.metrics[name]?.unit).find((u) => u !== undefined) ?? "";
        const implementation = section.implementation ?? section.benchmark;
        const instance: Instance = {
          runId: result.runId,
          value: median(trials),
          trials: trials.length,
          startedAt: result.startedAt,
          cpuModel: result.host.cpuModel,
          evidence: run.evidence,
          rawPath: run.path,
        };
        if (result.host.availabilityZoneId) instance.availabilityZoneId = result.host.availabilityZoneId;
        if (result.host.region) instance.region = result.host.region;
        observations.push({
          type,
          key: [type, section.benchmark, implementation, configuration.id, name].join("\u0000"),
          benchmark: section.benchmark,
          implementation,
          configuration: configuration.id,
          name,
          unit,
          // A supplementary section (HPCC's SingleSTREAM) never stands for its benchmark in a ranking.
          headline:
            section.supplementary !== true &&
            section.headline?.configuration === configuration.id &&
            section.headline.metric === name,
          headlineConfiguration: section.supplementary !== true && section.headline?.configuration === configuration.id,
          trials,
          setup,
          setupKey,
          instance,
          ...(run.pseudonyms ? { account: run.pseudonyms.account } : {}),
        });
      }
    }
  }
  return { observations, skipped };
}

/** Statistics over per-instance values (and each instance's trials, for the within-instance spread). */
export function instanceStatistics(
  values: readonly number[],
  trialsByInstance: readonly (readonly number[])[],
): Statistics {
  const medianInterval = medianConfidenceInterval(values, targetCoverage);
  const prediction = predictionInterval(values, targetCoverage);
  const geometric = values.every((value) => value > 0) ? geometricMeanInterval(values, targetCoverage) : undefined;
  const components = varianceComponents(trialsByInstance);
  const n = values.length;
  const mean = values.reduce((sum, value) => sum + value, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1)) : undefined;
  // Only the schema's fields: the analysis functions return more (ranks, n) than a summary publishes.
  const fields = ["low", "high", "coverage", "coverageIsExact", "target", "meetsTarget", "method"] as const;
  const interval = (source: Statistics["medianInterval"]) =>
    Object.fromEntries(fields.map((field) => [field, source[field]])) as unknown as Statistics["medianInterval"];
  return {
    n,
    median: median(values),
    medianInterval: interval(medianInterval),
    predictionInterval: prediction.available
      ? { available: true, ...interval(prediction) }
      : { available: false, method: prediction.method, reason: prediction.reason },
    ...(geometric
      ? {
          geometricMean: {
            estimate: geometric.estimate,
            interval: geometric.interval.available
              ? { available: true, ...interval(geometric.interval) }
              : { available: false, method: geometric.interval.method, reason: geometric.interval.reason },
          },
        }
      : {}),
    ...(components.betweenStandardDeviation !== undefined
      ? {
          betweenInstanceStandardDeviation: components.betweenStandardDeviation,
          betweenFlooredAtZero: components.betweenFlooredAtZero,
        }
      : {}),
    ...(components.withinStandardDeviation !== undefined
      ? { withinInstanceStandardDeviation: components.withinStandardDeviation }
      : {}),
    ...(sd !== undefined && mean !== 0 ? { coefficientOfVariation: sd / Math.abs(mean) } : {}),
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

/** Options of {@link summarize}. */
export interface SummarizeOptions {
  /** The date staleness is judged against (YYYY-MM-DD). */
  asOf: string;
}

/** One summary per group of observations, sorted by metric, type, implementation and configuration. */
export function summarize(observations: readonly Observation[], options: SummarizeOptions): MetricSummary[] {
  const groups = new Map<string, Observation[]>();
  for (const observation of observations) {
    const group = groups.get(observation.key);
    if (group) group.push(observation);
    else groups.set(observation.key, [observation]);
  }
  const summaries = [...groups.values()].map((group) => summarizeGroup(group, options));
  const order = (s: MetricSummary) => [s.metric, s.type, s.implementation, s.configuration].join("\u0000");
  return summaries.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}

function summarizeGroup(group: Observation[], options: SummarizeOptions): MetricSummary {
  // Oldest first, ties by run id: the order plots, drift and the published list use.
  const sorted = [...group].sort((a, b) =>
    a.instance.startedAt !== b.instance.startedAt
      ? a.instance.startedAt < b.instance.startedAt
        ? -1
        : 1
      : a.instance.runId < b.instance.runId
        ? -1
        : 1,
  );
  const first = sorted[0] as Observation;
  const values = sorted.map((o) => o.instance.value);
  const statistics = instanceStatistics(
    values,
    sorted.map((o) => o.trials),
  );
  const z = robustZScores(values);
  const instances: Instance[] = sorted.map((o, index) => {
    // One literal, its keys in the order they are written (stableJson then writes it without a sorted copy); an
    // object spread here would take over three times the memory, for each of (instances × metrics) of them.
    const { instance } = o;
    const flagged = z.flaggingApplies;
    return {
      availabilityZoneId: instance.availabilityZoneId,
      cpuModel: instance.cpuModel,
      evidence: instance.evidence,
      outlier: flagged ? z.outlier[index] : undefined,
      rawPath: instance.rawPath,
      region: instance.region,
      robustZ: flagged ? z.z[index] : undefined,
      runId: instance.runId,
      startedAt: instance.startedAt,
      trials: instance.trials,
      value: instance.value,
    };
  });
  const flags = new Set<MetricSummary["flags"][number]>();
  if (values.length < provisionalBelow) flags.add("provisional");
  if (z.outlier.some(Boolean)) flags.add("outliers");
  const cpuModels = [...new Set(sorted.map((o) => o.instance.cpuModel))].sort();
  const byCpuModel =
    cpuModels.length > 1
      ? cpuModels.map((cpuModel) => {
          const of = sorted.filter((o) => o.instance.cpuModel === cpuModel);
          return {
            cpuModel,
            statistics: instanceStatistics(
              of.map((o) => o.instance.value),
              of.map((o) => o.trials),
            ),
          };
        })
      : undefined;
  if (byCpuModel) flags.add("mixed-cpu");
  const drift = driftOf(values, first.unit);
  if (drift?.flagged) flags.add("drift");
  const last = sorted.at(-1)?.instance.startedAt ?? first.instance.startedAt;
  if (daysBetween(last, options.asOf) > staleAfterDays) flags.add("stale");
  const evidence = strongestEvidence(sorted.map((o) => o.instance.evidence));
  return {
    type: first.type,
    metric: `${first.benchmark}.${first.name}`,
    benchmark: first.benchmark,
    implementation: first.implementation,
    configuration: first.configuration,
    name: first.name,
    unit: first.unit,
    higherIsBetter: higherIsBetter(first.unit),
    headline: first.headline,
    headlineConfiguration: first.headlineConfiguration,
    evidence,
    counts: {
      instances: values.length,
      trials: sorted.reduce((sum, o) => sum + o.trials.length, 0),
      zones: new Set(sorted.map((o) => o.instance.availabilityZoneId).filter(Boolean)).size,
      accounts: accountsOf(sorted),
    },
    dates: { first: sorted[0]?.instance.startedAt ?? last, last },
    statistics,
    flags: [...flags].sort(),
    ...(drift ? { drift: drift.record } : {}),
    ...(byCpuModel ? { byCpuModel } : {}),
    setups: setupsOf(sorted),
    instances,
  };
}

/**
 * Drift: the latest instances (the newest fifth) against the distribution-free prediction interval of the earlier
 * ones, flagged when every latest instance falls outside it on the same side. Judged only from 10 instances (2
 * latest against 8 earlier): without drift, k latest all beyond one end of m earlier has probability
 * k!·m!/(m+k)!, so the flag's false-alarm rate is at most 2/C(10, 2) = 4.4 % — with one latest instance it would be
 * 2/(m+1), a third of the time at m = 5.
 */
function driftOf(
  values: readonly number[],
  unit: string,
): { flagged: boolean; record: NonNullable<MetricSummary["drift"]> } | undefined {
  if (values.length < 10) return undefined;
  const latestCount = Math.floor(values.length / 5);
  const earlier = values.slice(0, values.length - latestCount);
  const latest = values.slice(values.length - latestCount);
  const interval = predictionInterval(earlier, targetCoverage);
  if (!interval.available) return undefined;
  const above = latest.filter((value) => value > interval.high).length;
  const below = latest.filter((value) => value < interval.low).length;
  const flagged = above === latest.length || below === latest.length;
  return {
    flagged,
    record: {
      latest: latest.length,
      earlier: earlier.length,
      outside: above + below,
      reason: flagged
        ? `the latest ${latest.length} instance(s) all fall ${above ? "above" : "below"} the ${(interval.coverage * 100).toFixed(1)} % prediction interval [${interval.low}, ${interval.high}] ${unit} of the ${earlier.length} earlier ones`
        : `${above + below} of the latest ${latest.length} instance(s) outside the ${(interval.coverage * 100).toFixed(1)} % prediction interval of the ${earlier.length} earlier ones`,
    },
  };
}

/** The evidence a summary is labelled with: the weakest of its instances (local below community below maintainer). */
function strongestEvidence(levels: readonly Evidence[]): Evidence {
  if (levels.includes("local")) return "local";
  if (levels.includes("community")) return "community";
  return "maintainer";
}

function daysBetween(from: string, to: string): number {
  return (Date.parse(to) - Date.parse(from)) / 86_400_000;
}

/** The distinct builds and sizings behind a summary, each with how many instances used it, most used first. */
function setupsOf(observations: readonly Observation[]): NonNullable<MetricSummary["setups"]> {
  const counts = new Map<string, { setup: Observation["setup"]; instances: number }>();
  for (const observation of observations) {
    const key = observation.setupKey;
    const entry = counts.get(key);
    if (entry) entry.instances++;
    else counts.set(key, { setup: observation.setup, instances: 1 });
  }
  return [...counts.entries()]
    .sort(([a, x], [b, y]) => y.instances - x.instances || (a < b ? -1 : 1))
    .map(([, { setup, instances }]) => ({ instances, ...setup }));
}

/**
 * Distinct AWS accounts behind a summary: each community instance's keyed account pseudonym, and the maintainers'
 * batches as one account. Unknown (null) when a local run is among them, since a workstation has no account.
 */
function accountsOf(observations: readonly Observation[]): number | null {
  if (observations.some((o) => o.instance.evidence === "local")) return null;
  const accounts = new Set(
    observations.map((o) => (o.instance.evidence === "maintainer" ? "maintainers" : (o.account ?? o.instance.runId))),
  );
  return accounts.size;
}

/**
 * `rank` and `compare` over the analyzed database. A metric is ranked in its benchmark's headline configuration
 * and one implementation (never two mixed); each type's per-instance values are first put in the ranking's unit —
 * per instance, per vCPU, per physical core, per dollar-hour (performance per on-demand USD/hour), or per
 * dollar-run (cost to solution: USD per 10^15 FLOP, per PB of Triad traffic, per 10^12 CoreMark iterations; lower is
 * better) — and the rank intervals come from pairwise exact Mann–Whitney tests on those values with Holm's
 * correction (src/analysis/ranking.ts). Prices are constants: an interval carries only the performance's
 * uncertainty, and every price-based figure names its region and snapshot date.
 */
import { BenchError } from "../errors.js";
import type { AnalysisDatabase } from "../schemas/generated/analysis-database.js";
import type { ApiRanking } from "../schemas/generated/api-ranking.js";
import type { MetricSummary } from "../schemas/generated/metric-summary.js";
import { medianConfidenceInterval, median } from "./order-statistics.js";
import { groupByRankInterval, rankIntervals } from "./ranking.js";
import { targetCoverage } from "./summaries.js";
import { compare, type Comparison } from "./two-sample.js";

/** What a ranking's values are per. */
export type RankPer = ApiRanking["per"];

/** Options of {@link rankTypes}. */
export interface RankOptions {
  /** `<benchmark>.<metric>`, e.g. `stream.triad`. */
  metric: string;
  /** The unit the values are put in. */
  per: RankPer;
  /** Only this implementation (required when the metric has several). */
  implementation?: string | undefined;
  /** Only these architectures (`x86_64`, `arm64`). */
  architectures?: readonly string[] | undefined;
  /** Only these families (`m7i`, `c7g`). */
  families?: readonly string[] | undefined;
  /**
   * Only summaries of these evidence levels (a summary's level is its weakest instance's). Default: every level the
   * database holds — maintainer and community, and local only when `analyze` was asked to read local runs.
   */
  evidence?: readonly string[] | undefined;
  /** Types with fewer instances are listed unranked. */
  minInstances: number;
  /** Show each row relative to this type. */
  baseline?: string | undefined;
  /** Keep the best K rows (by rank interval, then median). */
  top?: number | undefined;
  /** The equivalence margin of the baseline comparisons. */
  margin?: number | undefined;
}

/** Work per unit of a metric, for cost to solution: `[factor to the work unit per second, work unit name]`. */
const workUnits: Record<string, { perSecond: number; per: number; name: string }> = {
  GFLOPS: { perSecond: 1e9, per: 1e15, name: "USD per 10^15 FLOP" },
  "MB/s": { perSecond: 1e6, per: 1e15, name: "USD per PB moved" },
  "GB/s": { perSecond: 1e9, per: 1e15, name: "USD per PB moved" },
  "iterations/s": { perSecond: 1, per: 1e12, name: "USD per 10^12 iterations" },
};

/** The rows of one metric in its headline configuration, for one implementation. */
export function metricRows(database: AnalysisDatabase, metric: string, implementation?: string): MetricSummary[] {
  const ofMetric = database.summaries.filter((summary) => summary.metric === metric);
  if (ofMetric.length === 0) {
    const known = [...new Set(database.summaries.filter((s) => s.headline).map((s) => s.metric))].sort();
    // The project's bandwidth kernel measures what STREAM does, but is never ranked as STREAM: say where it is.
    const name = metric.slice(metric.indexOf(".") + 1);
    const sibling = [...new Set(database.summaries.filter((s) => s.name === name).map((s) => s.metric))].sort();
    if (sibling.length > 0)
      throw new BenchError(
        "InvalidArgument",
        `No runs in the database measure ${metric}; ${sibling.join(", ")} ${sibling.length > 1 ? "are" : "is"} measured by another program, which is never ranked as ${metric.split(".")[0]}.`,
        {
          fix: `Rank ${sibling[0]} (e.g. --metric ${sibling[0]}), or collect runs that build ${metric.split(".")[0]} from its verified source.`,
        },
      );
    throw new BenchError("InvalidArgument", `No runs in the database measure ${metric}.`, {
      fix: known.length
        ? `Rank one of the headline metrics: ${known.join(", ")} (or another metric of those benchmarks, e.g. stream.copy).`
        : "The database has no runs yet: collect some (aws-bench run), or analyze local runs with --include-local.",
    });
  }
  // The headline configuration: known from the rows themselves, or from the benchmark's headline summaries.
  const headlines = [
    ...ofMetric.filter((s) => s.headlineConfiguration),
    ...database.summaries.filter((s) => s.headline && s.benchmark === ofMetric[0]?.benchmark),
  ];
  const implementations = [...new Set(ofMetric.map((s) => s.implementation))].sort();
  const chosen = implementation ?? (implementations.length === 1 ? implementations[0] : undefined);
  if (chosen === undefined)
    throw new BenchError(
      "InvalidArgument",
      `${metric} was measured by ${implementations.join(", ")}, which are never ranked together.`,
      {
        fix: `Pick one with --implementation (${implementations.join(" or ")}).`,
      },
    );
  if (!implementations.includes(chosen))
    throw new BenchError("InvalidArgument", `No ${metric} runs of implementation ${chosen}.`, {
      fix: `Pick one of ${implementations.join(", ")}.`,
    });
  const configuration = headlines.find((s) => s.implementation === chosen)?.configuration;
  if (configuration === undefined)
    throw new BenchError("InvalidArgument", `${metric} (${chosen}) has no headline configuration in the database.`, {
      fix: "Rank a metric of a benchmark whose runs conform to its rules (a headline is never taken from other runs).",
    });
  return ofMetric.filter((s) => s.implementation === chosen && s.configuration === configuration);
}

/** Per-instance values of `summary` in the unit of `per`, and that unit; undefined when the type lacks the fact. */
export function valuesPer(
  summary: MetricSummary,
  per: RankPer,
  facts: AnalysisDatabase["types"][string] | undefined,
): { values: number[]; unit: string; higherIsBetter: boolean } | undefined {
  const raw = summary.instances.map((instance) => instance.value);
  const price = facts?.price?.onDemandUsdPerHour;
  switch (per) {
    case "instance":
      return { values: raw, unit: summary.unit, higherIsBetter: summary.higherIsBetter };
    case "vcpu":
      return facts
        ? {
            values: raw.map((v) => v / facts.hardware.vcpus),
            unit: `${summary.unit} per vCPU`,
            higherIsBetter: summary.higherIsBetter,
          }
        : undefined;
    case "core": {
      const cores = facts?.hardware.cores;
      return cores
        ? {
            values: raw.map((v) => v / cores),
            unit: `${summary.unit} per core`,
            higherIsBetter: summary.higherIsBetter,
          }
        : undefined;
    }
    case "dollar-hour":
      return price
        ? {
            values: raw.map((v) => v / price),
            unit: `${summary.unit} per USD/hour`,
            higherIsBetter: summary.higherIsBetter,
          }
        : undefined;
    case "dollar-run": {
      const work = workUnits[summary.unit];
      if (!work || !price || !summary.higherIsBetter) return undefined;
      // USD per unit of work = price per second / work per second.
      return {
        values: raw.map((v) => (price / 3600 / (v * work.perSecond)) * work.per),
        unit: work.name,
        higherIsBetter: false,
      };
    }
  }
}

/** The ranking of one metric. */
export function rankTypes(database: AnalysisDatabase, options: RankOptions): ApiRanking {
  if (!(Number.isInteger(options.minInstances) && options.minInstances >= 1))
    throw new BenchError("UsageError", `--min-instances ${options.minInstances} is not a whole number of at least 1.`);
  const rows = metricRows(database, options.metric, options.implementation).filter((summary) => {
    const facts = database.types[summary.type];
    return (
      (!options.architectures?.length || options.architectures.includes(facts?.hardware.architecture ?? "")) &&
      (!options.families?.length ||
        options.families.includes(facts?.hardware.family ?? summary.type.split(".")[0] ?? "")) &&
      (!options.evidence?.length || options.evidence.includes(summary.evidence))
    );
  });
  const first = rows[0];
  const prepared = rows.flatMap((summary) => {
    const values = valuesPer(summary, options.per, database.types[summary.type]);
    return values ? [{ summary, ...values }] : [];
  });
  const unit = prepared[0]?.unit ?? first?.unit ?? "";
  const higherIsBetter = prepared[0]?.higherIsBetter ?? first?.higherIsBetter ?? true;
  const ranked = prepared.filter((row) => row.values.length >= options.minInstances);
  const intervals = rankIntervals(
    ranked.map((row) => ({ name: row.summary.type, values: row.values })),
    { higherIsBetter },
  );
  const rankOf = new Map(intervals.types.map((type) => [type.name, type.rank]));
  const groupOf = new Map<string, number>();
  groupByRankInterval(intervals.types).forEach((group, index) => {
    for (const row of group.rows) groupOf.set(row.name, index + 1);
  });
  const baseline =
    options.baseline === undefined ? undefined : prepared.find((row) => row.summary.type === options.baseline);
  if (options.baseline !== undefined && !baseline)
    throw new BenchError(
      "InvalidArgument",
      `The baseline ${options.baseline} has no ${options.metric} values in this ranking.`,
      {
        fix: `Pick a type listed by \`aws-bench rank --metric ${options.metric}\`.`,
      },
    );
  const out = prepared.map((row) => {
    const interval = medianConfidenceInterval(row.values, targetCoverage);
    const rank = rankOf.get(row.summary.type);
    const facts = database.types[row.summary.type];
    const relative = baseline ? relativeTo(baseline, row, options.margin) : undefined;
    return {
      type: row.summary.type,
      evidence: [row.summary.evidence],
      n: row.values.length,
      median: median(row.values),
      interval: { low: interval.low, high: interval.high, coverage: interval.coverage, method: interval.method },
      rank: rank ? [rank[0], rank[1]] : null,
      ...(rank ? { group: groupOf.get(row.summary.type) } : {}),
      flags: [...row.summary.flags, ...(rank ? [] : [`unranked: fewer than ${options.minInstances} instances`])],
      provisional: row.summary.flags.includes("provisional"),
      ...(relative ? { relative } : {}),
      ...(facts?.price ? { price: facts.price } : {}),
    };
  });
  const better = (x: number, y: number) => (higherIsBetter ? y - x : x - y);
  out.sort(
    (a, b) =>
      (a.rank ? 0 : 1) - (b.rank ? 0 : 1) ||
      (a.rank?.[0] ?? 0) - (b.rank?.[0] ?? 0) ||
      (a.rank?.[1] ?? 0) - (b.rank?.[1] ?? 0) ||
      better(a.median, b.median) ||
      (a.type < b.type ? -1 : 1),
  );
  return {
    schemaVersion: 1,
    dataset: database.dataset,
    metric: options.metric,
    ...(first ? { implementation: first.implementation, configuration: first.configuration } : {}),
    unit,
    per: options.per,
    higherIsBetter,
    method: intervals.method,
    ...(database.prices && (options.per === "dollar-hour" || options.per === "dollar-run")
      ? { price: database.prices }
      : {}),
    rows: options.top === undefined ? out : out.slice(0, options.top),
  };
}

function relativeTo(
  baseline: { summary: MetricSummary; values: number[]; higherIsBetter: boolean },
  row: { summary: MetricSummary; values: number[] },
  margin: number | undefined,
) {
  const comparison = compare(baseline.values, row.values, { higherIsBetter: baseline.higherIsBetter, margin });
  return {
    baseline: baseline.summary.type,
    ...(comparison.kind === "too-few-instances"
      ? { ratio: median(row.values) / median(baseline.values) }
      : {
          ratio: comparison.estimate,
          low: comparison.interval.low,
          high: comparison.interval.high,
          coverage: comparison.interval.coverage,
        }),
    method: comparison.method,
    verdict: comparison.verdict,
  };
}

/** `compare A B`: the per-instance values of both types in the metric's headline configuration, compared. */
export function compareTypes(
  database: AnalysisDatabase,
  a: string,
  b: string,
  options: { metric: string; implementation?: string | undefined; margin?: number | undefined },
): {
  metric: string;
  implementation: string;
  configuration: string;
  unit: string;
  a: TypeValues;
  b: TypeValues;
  comparison: Comparison;
  pricePerformance?: { unit: string; comparison: Comparison };
} {
  const rows = metricRows(database, options.metric, options.implementation);
  const pick = (type: string) => {
    const summary = rows.find((row) => row.type === type);
    if (!summary)
      throw new BenchError("InvalidArgument", `${type} has no ${options.metric} values in the database.`, {
        fix: `Compare types listed by \`aws-bench rank --metric ${options.metric}\`: ${rows
          .map((row) => row.type)
          .slice(0, 12)
          .join(", ")}.`,
      });
    return summary;
  };
  const [summaryA, summaryB] = [pick(a), pick(b)];
  const comparison = compare(
    summaryA.instances.map((i) => i.value),
    summaryB.instances.map((i) => i.value),
    { higherIsBetter: summaryA.higherIsBetter, margin: options.margin },
  );
  const perDollarA = valuesPer(summaryA, "dollar-hour", database.types[a]);
  const perDollarB = valuesPer(summaryB, "dollar-hour", database.types[b]);
  return {
    metric: options.metric,
    implementation: summaryA.implementation,
    configuration: summaryA.configuration,
    unit: summaryA.unit,
    a: typeValues(summaryA),
    b: typeValues(summaryB),
    comparison,
    ...(perDollarA && perDollarB
      ? {
          pricePerformance: {
            unit: perDollarA.unit,
            comparison: compare(perDollarA.values, perDollarB.values, {
              higherIsBetter: perDollarA.higherIsBetter,
              margin: options.margin,
            }),
          },
        }
      : {}),
  };
}

/** A type's side of a comparison. */
export interface TypeValues {
  type: string;
  n: number;
  median: number;
  evidence: string;
  flags: string[];
}

function typeValues(summary: MetricSummary): TypeValues {
  return {
    type: summary.type,
    n: summary.counts.instances,
    median: summary.statistics.median,
    evidence: summary.evidence,
    flags: summary.flags,
  };
}

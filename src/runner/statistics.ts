/**
 * Statistics of one configuration's trials within one run (one boot of one host): the median with a
 * distribution-free confidence interval from order statistics, plus mean, standard deviation, coefficient of
 * variation, min, max and n. The interval makes no assumption about the shape of the distribution: for the
 * sorted sample x(1) ≤ … ≤ x(n), [x(k), x(n+1−k)] covers the population median with probability
 * 1 − 2·P(B ≤ k−1), B ~ Binomial(n, ½). The widest interval, [min, max], reaches 95 % only from n = 6; below
 * that the achieved coverage is reported as it is and `meetsTarget` is false.
 */
import { medianIntervalRanks } from "../analysis/order-statistics.js";
import type { Statistics } from "../schemas/generated/benchmark-result.js";

/** Summary of a sample of trial values (schemas/benchmark-result.schema.json `Statistics`). */
export type SampleStatistics = Statistics;

/** The confidence interval of a median: bounds, their ranks, achieved and target coverage. */
export type MedianInterval = NonNullable<Statistics["medianInterval"]>;

export { binomialHalfCdf } from "../analysis/order-statistics.js";

/**
 * The narrowest symmetric order-statistic interval for the median of `sorted` with coverage ≥ `target`;
 * when even [min, max] falls short, [min, max] with its achieved coverage. Undefined for n < 2. The ranks and
 * coverage come from src/analysis/order-statistics.ts (`medianIntervalRanks`), the one home of that math.
 */
export function medianInterval(sorted: readonly number[], target = 0.95): MedianInterval | undefined {
  const n = sorted.length;
  if (n < 2) return undefined;
  const { ranks, coverage, meetsTarget } = medianIntervalRanks(n, target);
  return {
    low: sorted[ranks[0] - 1] as number,
    high: sorted[ranks[1] - 1] as number,
    ranks,
    confidence: coverage,
    target,
    meetsTarget,
  };
}

/** Statistics of `values` (at least one, all finite). */
export function summarize(values: readonly number[], unit: string, target = 0.95): SampleStatistics {
  if (values.length === 0) throw new RangeError("summarize() needs at least one value");
  if (values.some((value) => !Number.isFinite(value))) throw new RangeError("summarize() needs finite values");
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const middle = Math.floor(n / 2);
  const median =
    n % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  const mean = sorted.reduce((sum, value) => sum + value, 0) / n;
  const interval = medianInterval(sorted, target);
  const standardDeviation =
    n > 1 ? Math.sqrt(sorted.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1)) : undefined;
  return {
    n,
    median,
    ...(interval ? { medianInterval: interval } : {}),
    mean,
    ...(standardDeviation === undefined ? {} : { standardDeviation }),
    ...(standardDeviation !== undefined && mean !== 0
      ? { coefficientOfVariation: standardDeviation / Math.abs(mean) }
      : {}),
    min: sorted[0] as number,
    max: sorted[n - 1] as number,
    unit,
  };
}

/**
 * Statistics of one configuration's trials within one run (one boot of one host): the median with a
 * distribution-free confidence interval from order statistics, plus mean, standard deviation, coefficient of
 * variation, min, max and n. The interval makes no assumption about the shape of the distribution: for the
 * sorted sample x(1) ≤ … ≤ x(n), [x(k), x(n+1−k)] covers the population median with probability
 * 1 − 2·P(B ≤ k−1), B ~ Binomial(n, ½). The widest interval, [min, max], reaches 95 % only from n = 6; below
 * that the achieved coverage is reported as it is and `meetsTarget` is false.
 */
import type { Statistics } from "../schemas/generated/benchmark-result.js";

/** Summary of a sample of trial values (schemas/benchmark-result.schema.json `Statistics`). */
export type SampleStatistics = Statistics;

/** The confidence interval of a median: bounds, their ranks, achieved and target coverage. */
export type MedianInterval = NonNullable<Statistics["medianInterval"]>;

/** P(B ≤ j) for B ~ Binomial(n, ½), computed in log space so large n does not underflow. */
export function binomialHalfCdf(n: number, j: number): number {
  if (j < 0) return 0;
  if (j >= n) return 1;
  let logTerm = -n * Math.LN2; // log P(B = 0)
  let sum = Math.exp(logTerm);
  for (let i = 0; i < j; i++) {
    logTerm += Math.log((n - i) / (i + 1));
    sum += Math.exp(logTerm);
  }
  return Math.min(1, sum);
}

/**
 * The narrowest symmetric order-statistic interval for the median of `sorted` with coverage ≥ `target`;
 * when even [min, max] falls short, [min, max] with its achieved coverage. Undefined for n < 2.
 */
export function medianInterval(sorted: readonly number[], target = 0.95): MedianInterval | undefined {
  const n = sorted.length;
  if (n < 2) return undefined;
  const coverage = (k: number) => 1 - 2 * binomialHalfCdf(n, k - 1);
  let k = 1;
  while (k + 1 <= Math.floor((n + 1) / 2) && coverage(k + 1) >= target) k++;
  const confidence = coverage(k);
  return {
    low: sorted[k - 1] as number,
    high: sorted[n - k] as number,
    ranks: [k, n + 1 - k],
    confidence,
    target,
    meetsTarget: confidence >= target,
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

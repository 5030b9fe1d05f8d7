/**
 * Distribution-free intervals from order statistics of per-instance values (each instance already reduced to one
 * number): a confidence interval for the median of the population of instances, and a prediction interval for the
 * next instance. They assume only that the instances are independent draws from one continuous population; with
 * ties the stated coverage is a lower bound for the confidence interval (Conover 1999, §3.2). Small n is said, not
 * hidden: every interval carries the coverage it achieves, which for few instances is below the target.
 */
import { BenchError } from "../errors.js";

/** An interval with the coverage it achieves and the method that made it. */
export interface CoverageInterval {
  /** Lower bound. */
  low: number;
  /** Upper bound. */
  high: number;
  /** Achieved coverage: exact for exact methods, nominal for approximate ones (see `coverageIsExact`). */
  coverage: number;
  /** True when `coverage` is the method's exact coverage under its assumptions, false when it is nominal. */
  coverageIsExact: boolean;
  /** The coverage asked for. */
  target: number;
  /** Whether `coverage` ≥ `target`; false means n was too small and the widest available interval is returned. */
  meetsTarget: boolean;
  /** Name of the method, to be printed next to the interval. */
  method: string;
}

/** An interval whose bounds are order statistics x(r₁), x(r₂) of the sorted sample (ranks from 1). */
export interface OrderStatisticInterval extends CoverageInterval {
  /** Number of values. */
  n: number;
  /** Ranks of the bounds in the sorted sample, 1-based. */
  ranks: [number, number];
}

/** Method name of {@link medianConfidenceInterval}. */
export const MEDIAN_INTERVAL_METHOD = "order-statistic interval for the median (exact binomial, distribution-free)";

/** Method name of {@link predictionInterval}. */
export const PREDICTION_INTERVAL_METHOD =
  "order-statistic prediction interval for one new instance (distribution-free)";

/** Throws unless `values` is a non-empty array of finite numbers; returns a sorted copy. */
export function sortedFinite(values: readonly number[], what: string): number[] {
  if (values.length === 0) {
    throw new BenchError("InvalidArgument", `${what} needs at least one value, got none`, {
      fix: "pass the per-instance values of at least one instance",
    });
  }
  const bad = values.find((value) => !Number.isFinite(value));
  if (bad !== undefined) {
    throw new BenchError("InvalidArgument", `${what} got a non-finite value (${bad})`, {
      fix: "drop or repair the instance whose value is not a finite number",
    });
  }
  return [...values].sort((a, b) => a - b);
}

/** Median of a sorted, non-empty array: the middle value, or the mean of the two middle values for even n. */
export function medianOfSorted(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  const middle = n >> 1;
  return n % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Sample median of `values` (at least one, all finite). */
export function median(values: readonly number[]): number {
  return medianOfSorted(sortedFinite(values, "median()"));
}

/**
 * P(B ≤ j) for B ~ Binomial(n, ½), summed in log space so that large n does not underflow. The probability that at
 * most j of n independent draws fall below the population median.
 */
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
 * Ranks [k, n+1−k] of the narrowest symmetric order-statistic interval for the median with coverage ≥ `target`, and
 * that coverage, 1 − 2·P(B ≤ k−1) with B ~ Binomial(n, ½). When even [x(1), x(n)] falls short, k = 1 and the coverage
 * is 1 − 2·0.5ⁿ (0 for n = 1, 50 % for 2, 75 % for 3, 93.75 % for 5, 96.9 % for 6).
 *
 * Method: the exact binomial (sign-test) interval for a quantile, assuming independent draws from a continuous
 * distribution. Reference: H. A. David & H. N. Nagaraja (2003), Order Statistics, 3rd ed., §7.1; W. J. Conover
 * (1999), Practical Nonparametric Statistics, 3rd ed., §3.2.
 */
export function medianIntervalRanks(
  n: number,
  target = 0.95,
): { ranks: [number, number]; coverage: number; meetsTarget: boolean } {
  if (!Number.isInteger(n) || n < 1)
    throw new BenchError("InvalidArgument", `medianIntervalRanks needs n ≥ 1, got ${n}`);
  checkTarget(target);
  const coverage = (k: number) => 1 - 2 * binomialHalfCdf(n, k - 1);
  let k = 1;
  while (k + 1 <= Math.floor((n + 1) / 2) && coverage(k + 1) >= target) k++;
  const achieved = coverage(k);
  return { ranks: [k, n + 1 - k], coverage: achieved, meetsTarget: achieved >= target };
}

/**
 * Confidence interval for the population median from per-instance values: [x(k), x(n+1−k)] with the ranks of
 * {@link medianIntervalRanks}. Exact and distribution-free for independent draws from a continuous distribution (with
 * ties the coverage is at least the stated one). For n < 6 the 95 % target cannot be met and [min, max] is returned
 * with its achieved coverage and `meetsTarget: false`.
 *
 * Reference: David & Nagaraja (2003), Order Statistics, 3rd ed., §7.1; Conover (1999), §3.2.
 */
export function medianConfidenceInterval(values: readonly number[], target = 0.95): OrderStatisticInterval {
  const sorted = sortedFinite(values, "medianConfidenceInterval()");
  const n = sorted.length;
  const { ranks, coverage, meetsTarget } = medianIntervalRanks(n, target);
  return {
    n,
    low: sorted[ranks[0] - 1] as number,
    high: sorted[ranks[1] - 1] as number,
    ranks,
    coverage,
    coverageIsExact: true,
    target,
    meetsTarget,
    method: MEDIAN_INTERVAL_METHOD,
  };
}

/** A prediction interval, or the reason there is none. */
export type PredictionInterval =
  | ({ available: true } & OrderStatisticInterval)
  | { available: false; n: number; target: number; method: string; reason: string };

/**
 * Prediction interval for the value of one new instance of the same type: [x(j), x(n+1−j)] contains it with
 * probability (n+1−2j)/(n+1), exactly, for any continuous distribution (the new value is equally likely to fall in
 * each of the n+1 gaps between the sorted values). The narrowest such interval reaching `target` is returned; when
 * even [min, max] falls short it is returned with its coverage (n−1)/(n+1) and `meetsTarget: false` (95 % needs
 * n ≥ 39). One instance gives no interval, and the result says so.
 *
 * Reference: S. S. Wilks (1941), "Determination of sample sizes for setting tolerance limits", Ann. Math. Statist.
 * 12, 91–96; G. J. Hahn, W. Q. Meeker & L. A. Escobar (2017), Statistical Intervals, 2nd ed., ch. 5
 * (distribution-free prediction intervals).
 */
export function predictionInterval(values: readonly number[], target = 0.95): PredictionInterval {
  const sorted = sortedFinite(values, "predictionInterval()");
  checkTarget(target);
  const n = sorted.length;
  if (n < 2) {
    return {
      available: false,
      n,
      target,
      method: PREDICTION_INTERVAL_METHOD,
      reason: "one instance gives no prediction interval for the next (the smallest, [min, max], needs two)",
    };
  }
  const coverage = (j: number) => (n + 1 - 2 * j) / (n + 1);
  let j = 1;
  while (j + 1 <= Math.floor(n / 2) && coverage(j + 1) >= target) j++;
  const achieved = coverage(j);
  return {
    available: true,
    n,
    low: sorted[j - 1] as number,
    high: sorted[n - j] as number,
    ranks: [j, n + 1 - j],
    coverage: achieved,
    coverageIsExact: true,
    target,
    meetsTarget: achieved >= target,
    method: PREDICTION_INTERVAL_METHOD,
  };
}

/** Throws unless 0 < target < 1. */
export function checkTarget(target: number): void {
  if (!(target > 0 && target < 1)) {
    throw new BenchError("InvalidArgument", `coverage target ${target} is not between 0 and 1`, {
      fix: "pass the target as a fraction, e.g. 0.95",
    });
  }
}

/**
 * Comparing two instance types A and B from their per-instance values (the unit is the instance): the ratio B/A of
 * their typical values with an interval whose method depends on how many instances there are, and a verdict
 * (faster, slower, equivalent within a margin, inconclusive, or too few instances to say).
 *
 * - n ≥ 6 instances of each type: bootstrap of instances, percentile interval of the ratio of medians.
 * - fewer: Hodges–Lehmann shift of the log values with the exact Mann–Whitney (Wilcoxon rank-sum) interval,
 *   exponentiated to a ratio; its coverage is exact and discrete, and reported.
 * - when even the widest exact interval cannot reach the target (e.g. 1 vs 1, 1 vs 2, 2 vs 2, 3 vs 3): no interval,
 *   "too few instances", with the coverage that would be reachable.
 */
import { BenchError } from "../errors.js";
import { checkTarget, medianOfSorted, type CoverageInterval } from "./order-statistics.js";
import { seededRandom } from "./random.js";

/**
 * Distribution of the sum of `size` scores drawn without replacement from `scores` (non-negative integers), all
 * C(N, size) subsets equally likely: element s is P(sum = s). This is the exact permutation null distribution of a
 * rank-sum statistic: with scores 1..N it is Wilcoxon's W without ties, with doubled mid-ranks the conditional
 * distribution given the ties. Dynamic programming over the scores, O(N·size·Σscores); no enumeration.
 *
 * Reference: M. Hollander, D. A. Wolfe & E. Chicken (2014), Nonparametric Statistical Methods, 3rd ed., §4.1
 * (rank-sum null distribution, and with ties the conditional one).
 */
export function rankSumNullDistribution(scores: readonly number[], size: number): Float64Array {
  const N = scores.length;
  if (!Number.isInteger(size) || size < 0 || size > N) {
    throw new BenchError("InvalidArgument", `rankSumNullDistribution: cannot draw ${size} of ${N} scores`);
  }
  if (scores.some((score) => !Number.isInteger(score) || score < 0)) {
    throw new BenchError("InvalidArgument", "rankSumNullDistribution needs non-negative integer scores");
  }
  const maxSum = [...scores]
    .sort((a, b) => b - a)
    .slice(0, size)
    .reduce((sum, score) => sum + score, 0);
  // counts[k][s]: number of k-subsets of the scores seen so far with sum s (as doubles: exact below 2^53, and
  // relatively accurate to 1e-16 beyond, which is all a probability needs).
  const counts = Array.from({ length: size + 1 }, () => new Float64Array(maxSum + 1));
  (counts[0] as Float64Array)[0] = 1;
  // reach[k]: the smallest and largest sums of k scores seen so far; outside them counts[k] is zero, so the loop
  // skips adding zeros (the same bits, a fraction of the work).
  const low = new Array<number>(size + 1).fill(Infinity);
  const high = new Array<number>(size + 1).fill(-Infinity);
  low[0] = 0;
  high[0] = 0;
  scores.forEach((score, index) => {
    for (let k = Math.min(index + 1, size); k >= 1; k--) {
      const into = counts[k] as Float64Array;
      const from = counts[k - 1] as Float64Array;
      const top = Math.min(maxSum, (high[k - 1] as number) + score);
      const bottom = Math.max(score, (low[k - 1] as number) + score);
      for (let s = top; s >= bottom; s--) into[s] = (into[s] as number) + (from[s - score] as number);
      high[k] = Math.max(high[k] as number, top);
      low[k] = Math.min(low[k] as number, bottom);
    }
  });
  const last = counts[size] as Float64Array;
  const total = last.reduce((sum, count) => sum + count, 0);
  return last.map((count) => count / total);
}

/**
 * Null distribution of the Mann–Whitney statistic U (number of pairs (x_i, y_j) with y_j > x_i) for samples of sizes
 * n and m without ties: element u is P(U = u), u = 0..n·m. U = W − m(m+1)/2 with W the rank sum of the y's.
 */
export function mannWhitneyNullDistribution(n: number, m: number): Float64Array {
  // Without ties U's distribution is the same for (n, m) and (m, n); drawing the smaller sample keeps the table small.
  const size = Math.min(n, m);
  const ranks = Array.from({ length: n + m }, (_, i) => i + 1);
  return rankSumNullDistribution(ranks, size).slice((size * (size + 1)) / 2);
}

/** Mid-ranks (1-based; tied values share the mean of their ranks) of `values`, in input order. */
export function midRanks(values: readonly number[]): number[] {
  const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const ranks = new Array<number>(values.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && (order[j + 1] as { value: number }).value === (order[i] as { value: number }).value)
      j++;
    for (let t = i; t <= j; t++) ranks[(order[t] as { index: number }).index] = (i + j + 2) / 2;
    i = j + 1;
  }
  return ranks;
}

/** Result of an exact Mann–Whitney test. */
export interface MannWhitneyTest {
  /** Sizes of the two samples. */
  n: [number, number];
  /** U for y over x: pairs with y > x, plus half the tied pairs. */
  u: number;
  /** Two-sided exact p-value, min(1, 2·min(P(U ≤ u), P(U ≥ u))) under the permutation distribution given the ties. */
  p: number;
  /** Name of the method. */
  method: string;
}

/** Method name of {@link mannWhitneyTest}. */
export const MANN_WHITNEY_TEST_METHOD = "exact Mann–Whitney (Wilcoxon rank-sum) test, two-sided, conditional on ties";

/**
 * Exact two-sided Mann–Whitney (Wilcoxon rank-sum) test of "x and y come from one distribution" against a shift,
 * with mid-ranks for ties and the exact permutation distribution given those ties. Two-sided p = min(1, 2·min of the
 * one-sided p-values), the doubling convention. Assumes independent instances; no distributional shape.
 *
 * Reference: H. B. Mann & D. R. Whitney (1947), Ann. Math. Statist. 18, 50–60; Hollander, Wolfe & Chicken (2014),
 * Nonparametric Statistical Methods, 3rd ed., §4.1.
 */
export function mannWhitneyTest(x: readonly number[], y: readonly number[]): MannWhitneyTest {
  return mannWhitneyTestOfSorted(
    sortedSample(x, "mannWhitneyTest() first sample"),
    sortedSample(y, "mannWhitneyTest() second sample"),
  );
}

/** `values` checked (non-empty, finite) and sorted ascending, for {@link mannWhitneyTestOfSorted}. */
export function sortedSample(values: readonly number[], what: string): Float64Array {
  checkSample(values, what);
  return Float64Array.from(values).sort();
}

/**
 * {@link mannWhitneyTest} of two samples already sorted ascending (finite, non-empty; not checked): a ranking sorts
 * each type once and merges every pair in O(n + m).
 *
 * The doubled mid-ranks come from the merge. Without ties the null distribution depends only on the sample sizes and
 * is computed once per pair of sizes ({@link rankSumNullDistribution} on 2, 4, …, 2N, cached). With ties only the
 * one tail the p-value needs is counted ({@link rankSumTailCount}): the subsets of the scores whose sum lies at or
 * beyond the observed one, out of C(N, size) — the same conditional distribution, without the rest of it.
 */
export function mannWhitneyTestOfSorted(x: Float64Array, y: Float64Array): MannWhitneyTest {
  const n = x.length;
  const m = y.length;
  const N = n + m;
  // Most pairs of a ranking have no ties: the first merge only sums y's ranks; the scores are written out only for
  // a pair that needs them.
  let { wY, tied } = mergeRanks(x, y, undefined);
  let scores: number[] | undefined;
  if (tied) {
    scores = new Array<number>(N);
    ({ wY, tied } = mergeRanks(x, y, scores));
  }
  // The two-sided p is the same computed from either sample's rank sum; the smaller one keeps the work small.
  const useY = m <= n;
  const size = useY ? m : n;
  const w = useY ? wY : N * (N + 1) - wY;
  let tail: number;
  if (!scores) {
    const tails = untiedRankSumTails(N, size);
    tail = Math.min(tails.below[w] as number, tails.above[w] as number);
  } else {
    tail = tiedTail(scores, size, w);
  }
  return {
    n: [n, m],
    u: wY / 2 - (m * (m + 1)) / 2,
    p: Math.min(1, 2 * tail),
    method: MANN_WHITNEY_TEST_METHOD,
  };
}

/**
 * The doubled rank sum of y in the merge of the sorted x and y (tied values share the mean of their ranks), whether
 * any values tie, and, into `scores` when given, every doubled mid-rank in ascending order.
 */
function mergeRanks(x: Float64Array, y: Float64Array, scores: number[] | undefined): { wY: number; tied: boolean } {
  const n = x.length;
  const m = y.length;
  let wY = 0;
  let tied = false;
  for (let i = 0, j = 0, position = 0; position < n + m;) {
    const value = j >= m || (i < n && (x[i] as number) <= (y[j] as number)) ? (x[i] as number) : (y[j] as number);
    let fromX = 0;
    let fromY = 0;
    while (i + fromX < n && x[i + fromX] === value) fromX++;
    while (j + fromY < m && y[j + fromY] === value) fromY++;
    i += fromX;
    j += fromY;
    const size = fromX + fromY;
    if (size > 1) tied = true;
    const score = 2 * position + size + 1; // positions position+1 … position+size share the mean of their ranks
    if (scores) for (let t = 0; t < size; t++) scores[position + t] = score;
    wY += fromY * score;
    position += size;
  }
  return { wY, tied };
}

/** Tail sums of the untied rank-sum null distributions already computed, by sample size and total size. */
const untiedTailCache = new Map<string, { below: Float64Array; above: Float64Array }>();
const untiedTailCacheSize = 256;

/**
 * P(W ≤ w) and P(W ≥ w) for every w of {@link rankSumNullDistribution}(2, 4, …, 2N; size), kept: a ranking of T
 * types makes T(T−1)/2 tests, nearly all without ties, i.e. with only a handful of different sizes.
 */
function untiedRankSumTails(N: number, size: number): { below: Float64Array; above: Float64Array } {
  const key = `${size}|${N}`;
  const cached = untiedTailCache.get(key);
  if (cached) return cached;
  const distribution = rankSumNullDistribution(
    Array.from({ length: N }, (_, i) => 2 * (i + 1)),
    size,
  );
  const below = new Float64Array(distribution.length);
  const above = new Float64Array(distribution.length);
  let sum = 0;
  for (let s = 0; s < distribution.length; s++) below[s] = sum += distribution[s] as number;
  sum = 0;
  for (let s = distribution.length - 1; s >= 0; s--) above[s] = sum += distribution[s] as number;
  if (untiedTailCache.size >= untiedTailCacheSize)
    untiedTailCache.delete(untiedTailCache.keys().next().value as string);
  const tails = { below, above };
  untiedTailCache.set(key, tails);
  return tails;
}

/**
 * min(P(W ≤ w), P(W ≥ w)) for W the sum of `size` of the ascending doubled mid-ranks `scores` drawn without
 * replacement. The tail on w's side of the mean is counted; when it holds more than half the mass the other may be the
 * smaller one, and it follows from P(W ≤ w) + P(W ≥ w) = 1 + P(W = w) without a second count.
 */
function tiedTail(scores: readonly number[], size: number, w: number): number {
  const N = scores.length;
  const total = binomial(N, size);
  const sum = N * (N + 1); // of all doubled ranks, ties or not
  let tail;
  if (w * N <= size * sum) tail = countTail(scores, size, w);
  else {
    // P(W ≥ w) is P(W' ≤ size·M − w) for the reflected scores M − s, ascending.
    const M = scores[N - 1] as number;
    const reflected = scores.map((_, i) => M - (scores[N - 1 - i] as number));
    tail = countTail(reflected, size, size * M - w);
  }
  // P(W ≤ w) + P(W ≥ w) = 1 + P(W = w): past half, the other tail may be the smaller one.
  return Math.min(tail.atMost, tail.atMost > total / 2 ? total - tail.atMost + tail.equal : Infinity) / total;
}

/** C(n, k) as a double (exact up to 2^53, relatively accurate to about 1e-15 beyond). */
function binomial(n: number, k: number): number {
  const j = Math.min(k, n - k);
  let result = 1;
  for (let i = 1; i <= j; i++) result = (result * (n - j + i)) / i;
  return result;
}

/** Reused work space of {@link rankSumTailCount}. */
let tailCounts = new Float64Array(1024);

/**
 * Number of `size`-subsets of the ascending non-negative integer `scores` whose sum is at most `limit`: the subset-sum
 * dynamic program of {@link rankSumNullDistribution}, kept to the sums that can still end at or below `limit`. A
 * k-subset's sum is stored as its excess over the k smallest scores, and a state is dropped when even the cheapest
 * completion from the scores still to come would pass the limit; so a tail far out (two types that barely overlap)
 * costs a few hundred additions instead of the whole distribution's millions.
 */
export function rankSumTailCount(scores: readonly number[], size: number, limit: number): number {
  return countTail(scores, size, limit).atMost;
}

/** {@link rankSumTailCount}, and how many of those subsets sum to exactly `limit`. */
function countTail(scores: readonly number[], size: number, limit: number): { atMost: number; equal: number } {
  const N = scores.length;
  const smallest = new Float64Array(N + 1); // smallest[i]: sum of scores[0 … i−1]
  for (let i = 0; i < N; i++) smallest[i + 1] = (smallest[i] as number) + (scores[i] as number);
  const excess = limit - (smallest[size] as number); // how far above the smallest possible sum the limit lies
  if (excess < 0) return { atMost: 0, equal: 0 };
  if (excess === 0) {
    // Only the smallest sum: every score below the size-th smallest, and the rest from those tied with it.
    const last = scores[size - 1] as number;
    let below = 0;
    while ((scores[below] as number) < last) below++;
    let tied = below;
    while (tied < N && scores[tied] === last) tied++;
    const count = binomial(tied - below, size - below);
    return { atMost: count, equal: count };
  }
  const width = excess + 1;
  const cells = (size + 1) * width;
  if (tailCounts.length < cells) tailCounts = new Float64Array(Math.max(cells, 2 * tailCounts.length));
  const counts = tailCounts; // counts[k·width + e]: k-subsets so far whose sum exceeds the k smallest scores' by e
  counts.fill(0, 0, cells);
  counts[0] = 1;
  for (let i = 0; i < N; i++) {
    const score = scores[i] as number;
    for (let k = Math.min(i + 1, size), last = Math.max(1, size - (N - 1 - i)); k >= last; k--) {
      // Adding score i to a (k−1)-subset raises the excess by score − scores[k−1]; the cheapest completion takes the
      // next size − k scores, which exceed the k…size−1 smallest by `future`; no (k−1)-subset of the scores before
      // i exceeds the k−1 smallest by more than its k−1 largest do (`reach`).
      const shift = score - (scores[k - 1] as number);
      const future =
        (smallest[i + 1 + size - k] as number) -
        (smallest[i + 1] as number) -
        ((smallest[size] as number) - (smallest[k] as number));
      const reach = (smallest[i] as number) - (smallest[i - k + 1] as number) - (smallest[k - 1] as number);
      const into = k * width;
      const from = (k - 1) * width - shift;
      for (let e = Math.min(excess - future, shift + reach); e >= shift; e--)
        counts[into + e] = (counts[into + e] as number) + (counts[from + e] as number);
    }
  }
  let atMost = 0;
  for (let e = size * width, end = e + width; e < end; e++) atMost += counts[e] as number;
  return { atMost, equal: counts[size * width + excess] as number };
}

/** Method name of {@link hodgesLehmannInterval}. */
export const HODGES_LEHMANN_METHOD = "Hodges–Lehmann shift with exact Mann–Whitney interval (Bauer 1972)";

/** A Hodges–Lehmann shift estimate with its exact interval. */
export interface HodgesLehmann {
  /** Median of the n·m differences y_j − x_i. */
  estimate: number;
  /** [D(k), D(nm+1−k)] of the sorted differences, with exact coverage 1 − 2·P(U ≤ k−1). */
  interval: CoverageInterval & { ranks: [number, number] };
}

/**
 * Hodges–Lehmann estimate of the shift Δ in y = x + Δ (the median of all n·m differences y_j − x_i) and the exact
 * distribution-free confidence interval [D(k), D(nm+1−k)] from the sorted differences, with the largest k whose
 * coverage 1 − 2·P(U ≤ k−1) (U the Mann–Whitney statistic under the null) still reaches `target`. When even
 * [min D, max D] (k = 1, coverage 1 − 2/C(n+m, n)) falls short, that widest interval is returned with
 * `meetsTarget: false`. Assumes independent samples from continuous distributions that differ only by a shift; then
 * the coverage is exact (it is discrete, so usually above the target).
 *
 * Reference: J. L. Hodges & E. L. Lehmann (1963), "Estimates of location based on rank tests", Ann. Math. Statist.
 * 34, 598–611; D. F. Bauer (1972), "Constructing confidence sets using rank statistics", JASA 67, 687–690;
 * Hollander, Wolfe & Chicken (2014), §4.2 (estimator) and §4.3 (interval).
 */
export function hodgesLehmannInterval(x: readonly number[], y: readonly number[], target = 0.95): HodgesLehmann {
  checkSample(x, "hodgesLehmannInterval() first sample");
  checkSample(y, "hodgesLehmannInterval() second sample");
  checkTarget(target);
  const differences = new Float64Array(x.length * y.length);
  let index = 0;
  for (const yj of y) for (const xi of x) differences[index++] = yj - xi;
  differences.sort();
  const { k, coverage } = mannWhitneyIntervalRank(x.length, y.length, target);
  const total = differences.length;
  return {
    estimate: medianOfSorted(differences),
    interval: {
      low: differences[k - 1] as number,
      high: differences[total - k] as number,
      ranks: [k, total + 1 - k],
      coverage,
      coverageIsExact: true,
      target,
      meetsTarget: coverage >= target,
      method: HODGES_LEHMANN_METHOD,
    },
  };
}

/**
 * The largest k with 1 − 2·P(U ≤ k−1) ≥ `target` for the Mann–Whitney U of sizes n, m (k = 1 when none does), and
 * that coverage.
 */
export function mannWhitneyIntervalRank(n: number, m: number, target: number): { k: number; coverage: number } {
  const distribution = mannWhitneyNullDistribution(n, m);
  const total = n * m;
  let k = 1;
  let cumulative = distribution[0] as number; // P(U ≤ k − 1)
  for (;;) {
    const next = cumulative + (distribution[k] as number); // P(U ≤ k) for interval rank k + 1
    if (k + 1 > total + 1 - (k + 1) || 1 - 2 * next < target) break;
    k++;
    cumulative = next;
  }
  return { k, coverage: 1 - 2 * cumulative };
}

/** Method name of {@link bootstrapMedianRatio}. */
export const BOOTSTRAP_METHOD = "bootstrap of instances, percentile interval of the ratio of medians";

/** Fewest instances of each type for which {@link compare} uses the bootstrap. */
export const MIN_INSTANCES_FOR_BOOTSTRAP = 6;

/** Default number of bootstrap resamples. */
export const DEFAULT_RESAMPLES = 4000;

/** Default bootstrap seed (a published result records the seed it used). */
export const DEFAULT_SEED = 14;

/** Bootstrap percentile intervals of the ratio of medians B/A. */
export interface BootstrapRatio {
  /** median(B)/median(A) of the data. */
  estimate: number;
  /** One interval per requested target, in the order asked. */
  intervals: CoverageInterval[];
  /** The seed of the resampling stream. */
  seed: number;
  /** Number of resamples. */
  resamples: number;
}

/**
 * Percentile bootstrap of the ratio of medians median(B)/median(A): each resample draws the instances of A and of B
 * with replacement, each group from itself; the interval at target 1 − α is the [⌊Rα/2⌋-th smallest, ⌊Rα/2⌋-th
 * largest] of the R resampled ratios. Assumes independent instances; the coverage is nominal (asymptotic), so it is
 * reported with `coverageIsExact: false`. {@link compare} uses it from 6 instances of each type: simulations of
 * 10,000 comparisons (1,000 resamples each) found 95 % intervals covering 95.9–96.8 % of the time for log-normal,
 * Pareto (α = 1.5) and log-t₃ populations at 6 vs 6, 6 vs 10, 10 vs 10 and 20 vs 20 — slightly conservative, from the
 * discreteness of resampled medians, and never short (test/unit/analysis/bootstrap-coverage.test.ts checks 95 % ± 2 %).
 *
 * Reference: B. Efron & R. J. Tibshirani (1993), An Introduction to the Bootstrap, §8.3 (two-sample problems) and
 * §13.3 (percentile interval); A. C. Davison & D. V. Hinkley (1997), Bootstrap Methods and their Application, §3.2.
 */
export function bootstrapMedianRatio(
  a: readonly number[],
  b: readonly number[],
  options: { targets?: readonly number[]; resamples?: number; seed?: number } = {},
): BootstrapRatio {
  logValues(a, "bootstrapMedianRatio() first sample");
  logValues(b, "bootstrapMedianRatio() second sample");
  const targets = options.targets ?? [0.95];
  targets.forEach(checkTarget);
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  if (!Number.isInteger(resamples) || resamples < 100) {
    throw new BenchError("InvalidArgument", `bootstrap needs at least 100 resamples, got ${resamples}`);
  }
  const seed = options.seed ?? DEFAULT_SEED;
  const random = seededRandom(seed);
  const bufferA = new Float64Array(a.length);
  const bufferB = new Float64Array(b.length);
  const ratios = new Float64Array(resamples);
  // Draw order (part of the reproducibility promise): per resample, A's instances, then B's.
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < bufferA.length; i++) bufferA[i] = a[random.nextInt(a.length)] as number;
    for (let i = 0; i < bufferB.length; i++) bufferB[i] = b[random.nextInt(b.length)] as number;
    ratios[r] = medianInPlace(bufferB) / medianInPlace(bufferA);
  }
  ratios.sort();
  const sortedA = Float64Array.from(a).sort();
  const sortedB = Float64Array.from(b).sort();
  return {
    estimate: medianOfSorted(sortedB) / medianOfSorted(sortedA),
    intervals: targets.map((target) => {
      // The ⌊Rα/2⌋-th smallest and largest (1-based); the 1e-9 keeps 4000·(1 − 0.9)/2 = 199.99… from flooring to 199.
      const lowIndex = Math.max(0, Math.floor((resamples * (1 - target)) / 2 + 1e-9) - 1);
      return {
        low: ratios[lowIndex] as number,
        high: ratios[resamples - 1 - lowIndex] as number,
        coverage: target,
        coverageIsExact: false,
        target,
        meetsTarget: true,
        method: BOOTSTRAP_METHOD,
      };
    }),
    seed,
    resamples,
  };
}

/** Options of {@link compare}. */
export interface CompareOptions {
  /** Whether a higher value is better (bandwidth, FLOP/s) or a lower one (time). Required: there is no safe default. */
  higherIsBetter: boolean;
  /**
   * Equivalence margin m: B and A are equivalent when the ratio B/A is shown to lie in [1/(1+m), 1+m], i.e. within
   * ±ln(1+m) on the log scale, symmetric for B/A and A/B.
   * @default 0.05
   */
  margin?: number;
  /**
   * Coverage of the interval that decides "faster"/"slower"; equivalence uses the 1 − 2(1 − target) interval
   * (two one-sided tests at level 1 − target).
   * @default 0.95
   */
  target?: number;
  /**
   * Bootstrap resamples (bootstrap method only).
   * @default 4000
   */
  resamples?: number;
  /**
   * Seed of the bootstrap's random stream (bootstrap method only), recorded in the result.
   * @default 14
   */
  seed?: number;
}

/** The verdict of a comparison of B against A. */
export type ComparisonVerdict = "faster" | "slower" | "equivalent" | "inconclusive" | "too-few-instances";

/** What every comparison carries. */
interface ComparisonCommon {
  /** Instances of A and of B. */
  nA: number;
  /** Instances of B. */
  nB: number;
  /** As given in the options. */
  higherIsBetter: boolean;
  /** The equivalence margin m. */
  margin: number;
  /** [1/(1+m), 1+m]: the range of B/A counted as equivalent. */
  equivalenceBounds: [number, number];
  /** The coverage asked for. */
  target: number;
  /** Name of the method (printed with the result). */
  method: string;
}

/** A comparison with an estimate and intervals. */
export interface EstimatedComparison extends ComparisonCommon {
  /** Which method made it. */
  kind: "bootstrap" | "hodges-lehmann";
  /** What `estimate` is: the ratio of medians, or exp of the Hodges–Lehmann shift of the log values. */
  estimator: string;
  /** B/A. */
  estimate: number;
  /** Interval for B/A at `target` (decides faster/slower). */
  interval: CoverageInterval;
  /** Interval for B/A at 1 − 2(1 − target) (decides equivalence by TOST). */
  equivalenceInterval: CoverageInterval;
  /**
   * B's advantage as a factor > 1 when B is better: B/A when higher is better, A/B when lower is better; with its
   * interval from `interval`. "B faster by X %" is X = 100·(factor − 1).
   */
  advantage: { estimate: number; low: number; high: number };
  /** Bootstrap seed and resamples, when the bootstrap was used. */
  bootstrap?: { seed: number; resamples: number };
  /** faster/slower when `interval` excludes 1; else equivalent when `equivalenceInterval` lies in the bounds. */
  verdict: "faster" | "slower" | "equivalent" | "inconclusive";
}

/** A comparison that cannot be made with the instances at hand. */
export interface TooFewComparison extends ComparisonCommon {
  /** No method applies. */
  kind: "too-few-instances";
  /** The best coverage an exact interval could reach with these counts: 1 − 2/C(nA+nB, nA). */
  reachableCoverage: number;
  /** Why. */
  reason: string;
  /** Always "too-few-instances". */
  verdict: "too-few-instances";
}

/** The outcome of {@link compare}. */
export type Comparison = EstimatedComparison | TooFewComparison;

/** Method name of a comparison with too few instances. */
export const TOO_FEW_METHOD = "none: too few instances for an exact interval at the target";

/**
 * Compares type B with type A from per-instance values (positive, e.g. GB/s or seconds): the ratio B/A with an
 * interval at `target` (default 95 %), and a verdict.
 *
 * Method by the numbers of instances: with at least {@link MIN_INSTANCES_FOR_BOOTSTRAP} of each,
 * {@link bootstrapMedianRatio} (ratio of medians, percentile interval, seeded, seed recorded); with fewer,
 * {@link hodgesLehmannInterval} on ln values, exponentiated (assumes B's log values are A's shifted, i.e. the types
 * differ by a factor; exact discrete coverage reported); when even the widest exact interval, [min, max] of the
 * ratios B_j/A_i with coverage 1 − 2/C(nA+nB, nA), cannot reach the target, no interval and `too-few-instances`.
 *
 * Verdict: `faster`/`slower` when the target interval excludes 1 (B better/worse in the metric's direction);
 * otherwise `equivalent` when the 1 − 2(1 − target) interval (90 % for 95 %) lies inside [1/(1+m), 1+m] — Schuirmann's
 * two one-sided tests at level 1 − target, with the margin symmetric on the log scale; otherwise `inconclusive`.
 * A difference shown takes precedence over equivalence (a small but clear difference is reported as one).
 *
 * Reference: D. J. Schuirmann (1987), "A comparison of the two one-sided tests procedure and the power approach for
 * assessing the equivalence of average bioavailability", J. Pharmacokinet. Biopharm. 15, 657–680; the interval
 * methods' references are on their functions.
 */
export function compare(a: readonly number[], b: readonly number[], options: CompareOptions): Comparison {
  logValues(a, "compare() type A");
  logValues(b, "compare() type B");
  const margin = options.margin ?? 0.05;
  if (!(margin > 0 && Number.isFinite(margin))) {
    throw new BenchError("InvalidArgument", `equivalence margin ${margin} is not a positive number`, {
      fix: "pass the margin as a fraction, e.g. 0.05 for ±5 %",
    });
  }
  const target = options.target ?? 0.95;
  checkTarget(target);
  const equivalenceTarget = Math.round((2 * target - 1) * 1e12) / 1e12; // 1 − 2(1 − target), without 0.8999…
  if (!(equivalenceTarget > 0)) {
    throw new BenchError("InvalidArgument", `target ${target} leaves no equivalence interval (needs target > 0.5)`);
  }
  const common: Omit<ComparisonCommon, "method"> = {
    nA: a.length,
    nB: b.length,
    higherIsBetter: options.higherIsBetter,
    margin,
    equivalenceBounds: [1 / (1 + margin), 1 + margin],
    target,
  };
  let estimated: Pick<EstimatedComparison, "kind" | "estimator" | "estimate" | "interval" | "equivalenceInterval"> & {
    bootstrap?: { seed: number; resamples: number };
  };
  if (a.length >= MIN_INSTANCES_FOR_BOOTSTRAP && b.length >= MIN_INSTANCES_FOR_BOOTSTRAP) {
    const bootstrap = bootstrapMedianRatio(a, b, {
      targets: [target, equivalenceTarget],
      ...(options.resamples === undefined ? {} : { resamples: options.resamples }),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
    });
    const [interval, equivalenceInterval] = bootstrap.intervals as [CoverageInterval, CoverageInterval];
    estimated = {
      kind: "bootstrap",
      estimator: "ratio of medians",
      estimate: bootstrap.estimate,
      interval,
      equivalenceInterval,
      bootstrap: { seed: bootstrap.seed, resamples: bootstrap.resamples },
    };
  } else {
    const logA = a.map(Math.log);
    const logB = b.map(Math.log);
    const main = hodgesLehmannInterval(logA, logB, target);
    if (!main.interval.meetsTarget) {
      return {
        ...common,
        kind: "too-few-instances",
        method: TOO_FEW_METHOD,
        reachableCoverage: main.interval.coverage,
        reason: `${a.length} vs ${b.length} instances: the widest exact interval covers ${main.interval.coverage}, below ${target}`,
        verdict: "too-few-instances",
      };
    }
    const equivalence = hodgesLehmannInterval(logA, logB, equivalenceTarget);
    const exponentiate = (interval: HodgesLehmann["interval"]): CoverageInterval => ({
      low: Math.exp(interval.low),
      high: Math.exp(interval.high),
      coverage: interval.coverage,
      coverageIsExact: true,
      target: interval.target,
      meetsTarget: interval.meetsTarget,
      method: interval.method + ", on log values, exponentiated",
    });
    estimated = {
      kind: "hodges-lehmann",
      estimator: "exp of the Hodges–Lehmann shift of log values",
      estimate: Math.exp(main.estimate),
      interval: exponentiate(main.interval),
      equivalenceInterval: exponentiate(equivalence.interval),
    };
  }
  const { interval, equivalenceInterval, estimate } = estimated;
  const advantage = options.higherIsBetter
    ? { estimate, low: interval.low, high: interval.high }
    : { estimate: 1 / estimate, low: 1 / interval.high, high: 1 / interval.low };
  let verdict: EstimatedComparison["verdict"];
  if (advantage.low > 1) verdict = "faster";
  else if (advantage.high < 1) verdict = "slower";
  else if (equivalenceInterval.low > 1 / (1 + margin) && equivalenceInterval.high < 1 + margin) verdict = "equivalent";
  else verdict = "inconclusive";
  return { ...common, method: interval.method, ...estimated, advantage, verdict };
}

/**
 * The median of `values` ({@link medianOfSorted} of them sorted: the same number, bit for bit), reordering them in
 * place. A handful of values are insertion-sorted; more are partitioned (quickselect, median-of-three pivot) only until
 * the middle one is in place, the lower middle then being the largest below it — linear instead of quadratic work,
 * which is most of a bootstrap of 50 instances.
 */
function medianInPlace(values: Float64Array): number {
  const n = values.length;
  if (n <= 16) return medianOfSorted(insertionSort(values));
  const middle = n >> 1;
  let low = 0;
  let high = n - 1;
  while (high > low) {
    // Median of three as the pivot, then Hoare's partition of values[low … high] around it.
    const mid = (low + high) >> 1;
    const a = values[low] as number;
    const b = values[mid] as number;
    const c = values[high] as number;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = low;
    let j = high;
    while (i <= j) {
      while ((values[i] as number) < pivot) i++;
      while ((values[j] as number) > pivot) j--;
      if (i <= j) {
        const swap = values[i] as number;
        values[i] = values[j] as number;
        values[j] = swap;
        i++;
        j--;
      }
    }
    // Now values[low … j] ≤ pivot ≤ values[i … high], and values strictly between j and i equal the pivot.
    if (middle <= j) high = j;
    else if (middle >= i) low = i;
    else break;
  }
  const upper = values[middle] as number;
  if (n % 2 === 1) return upper;
  let lower = values[0] as number;
  for (let i = 1; i < middle; i++) if ((values[i] as number) > lower) lower = values[i] as number;
  return (lower + upper) / 2;
}

/** Sorts in place; for the handful of instances a type has, insertion sort beats a typed array's sort() call. */
function insertionSort(values: Float64Array): Float64Array {
  if (values.length > 32) return values.sort();
  for (let i = 1; i < values.length; i++) {
    const value = values[i] as number;
    let j = i - 1;
    while (j >= 0 && (values[j] as number) > value) {
      values[j + 1] = values[j] as number;
      j--;
    }
    values[j + 1] = value;
  }
  return values;
}

function checkSample(values: readonly number[], what: string): void {
  if (values.length === 0) throw new BenchError("InvalidArgument", `${what} is empty`);
  const bad = values.find((value) => !Number.isFinite(value));
  if (bad !== undefined) throw new BenchError("InvalidArgument", `${what} has a non-finite value (${bad})`);
}

function logValues(values: readonly number[], what: string): number[] {
  if (values.length === 0) {
    throw new BenchError("InvalidArgument", `${what} has no instances`, {
      fix: "pass at least one per-instance value",
    });
  }
  return values.map((value) => {
    if (!(Number.isFinite(value) && value > 0)) {
      throw new BenchError(
        "InvalidArgument",
        `${what} has the value ${value}, but ratios need positive finite values`,
        {
          fix: "drop or repair the instance whose value is not a positive number",
        },
      );
    }
    return Math.log(value);
  });
}

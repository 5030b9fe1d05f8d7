/**
 * Ranking instance types with honest uncertainty: instead of a single rank, each type gets a rank interval that
 * follows from the pairwise comparisons that are significant after a multiple-testing correction. Types whose
 * intervals overlap cannot be told apart by the data.
 */
import { BenchError } from "../errors.js";
import { MANN_WHITNEY_TEST_METHOD, mannWhitneyTestOfSorted, sortedSample } from "./two-sample.js";

/**
 * Holm's step-down adjusted p-values, in input order: with p(1) ≤ … ≤ p(m) sorted, the adjusted value of p(i) is
 * max over j ≤ i of min(1, (m − j + 1)·p(j)). Rejecting every hypothesis whose adjusted p is ≤ α controls the
 * family-wise error rate at α under any dependence between the tests.
 *
 * Reference: S. Holm (1979), "A simple sequentially rejective multiple test procedure", Scand. J. Statist. 6, 65–70.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const bad = pValues.find((p) => !(p >= 0 && p <= 1));
  if (bad !== undefined) throw new BenchError("InvalidArgument", `holmAdjust() got ${bad}, which is not a p-value`);
  const m = pValues.length;
  const order = pValues.map((p, index) => ({ p, index })).sort((a, b) => a.p - b.p || a.index - b.index);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, index }, i) => {
    running = Math.max(running, Math.min(1, (m - i) * p));
    adjusted[index] = running;
  });
  return adjusted;
}

/** One instance type's per-instance values, for {@link rankIntervals}. */
export interface RankedGroup {
  /** Instance type, e.g. `c7i.large`. */
  name: string;
  /** Per-instance values (each instance reduced to one number). */
  values: readonly number[];
}

/** A pairwise comparison behind the rank intervals. */
export interface PairwiseComparison {
  /** First type. */
  a: string;
  /** Second type. */
  b: string;
  /** Exact two-sided Mann–Whitney p-value. */
  p: number;
  /** Holm-adjusted p-value over all pairs. */
  adjustedP: number;
  /** The better type when the adjusted p is ≤ α, else undefined. */
  better?: string;
}

/** A type's rank interval. */
export interface RankInterval {
  /** Instance type. */
  name: string;
  /** Its number of instances. */
  n: number;
  /** [1 + number of types significantly better, N − number significantly worse]; rank 1 is the best. */
  rank: [number, number];
  /** Types significantly better than this one. */
  worseThan: string[];
  /** Types significantly worse than this one. */
  betterThan: string[];
}

/** Rank intervals of all types, with the comparisons they come from. */
export interface RankIntervals {
  /** One per type, in input order. */
  types: RankInterval[];
  /** Every pair, in input order (i < j). */
  pairs: PairwiseComparison[];
  /** Family-wise error rate. */
  alpha: number;
  /** Name of the method. */
  method: string;
}

/** Method name of {@link rankIntervals}. */
export const RANK_INTERVAL_METHOD = `rank intervals from pairwise tests (${MANN_WHITNEY_TEST_METHOD}), Holm-corrected over all pairs`;

/**
 * Rank intervals for N instance types: every pair is compared by the exact two-sided Mann–Whitney test on the
 * instances' values ({@link mannWhitneyTest}; instance is the unit, no distributional shape assumed, conditional on
 * ties), the N(N−1)/2 p-values are Holm-adjusted, and each pair with adjusted p ≤ α counts as decided in the
 * direction of the Mann–Whitney U (U > n·m/2: the second type's instances tend to be higher). A type's interval is
 * [1 + number of types decided better, N − number decided worse]. Holm controls the chance of any false "differs"
 * at α, so all intervals hold together with probability about 1 − α (directional errors are controlled only
 * approximately, as for any two-sided test read in a direction). With few instances the tests cannot reach α (3 vs 3
 * gives p ≥ 0.1), every interval is [1, N], and that is the honest answer.
 *
 * Reference: Holm (1979), above; D. Al Mohamad, J. J. Goeman & E. W. van Zwet (2022), "Simultaneous confidence
 * intervals for ranks with application to ranking institutions", Biometrics 78, 238–247; Hollander, Wolfe & Chicken
 * (2014), Nonparametric Statistical Methods, 3rd ed., §4.1 (the test).
 */
export function rankIntervals(
  groups: readonly RankedGroup[],
  options: { higherIsBetter: boolean; alpha?: number },
): RankIntervals {
  const alpha = options.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new BenchError("InvalidArgument", `alpha ${alpha} is not between 0 and 1`);
  const names = new Set(groups.map((group) => group.name));
  if (names.size !== groups.length) {
    throw new BenchError("InvalidArgument", "rankIntervals() got the same type name twice", {
      fix: "pass each instance type once, with all its instances' values",
    });
  }
  // Each type's values sorted once; every pair is then a merge.
  const sorted = groups.map((group) => sortedSample(group.values, `rankIntervals() type ${group.name}`));
  const tests: Array<{ i: number; j: number; p: number; secondHigher: boolean }> = [];
  for (let i = 0; i < groups.length; i++) {
    for (let j = i + 1; j < groups.length; j++) {
      const first = sorted[i] as Float64Array;
      const second = sorted[j] as Float64Array;
      const test = mannWhitneyTestOfSorted(first, second);
      tests.push({ i, j, p: test.p, secondHigher: test.u > (first.length * second.length) / 2 });
    }
  }
  const adjusted = holmAdjust(tests.map((test) => test.p));
  const better = groups.map(() => new Set<number>()); // better[i]: indices decided better than i
  const pairs = tests.map((test, t): PairwiseComparison => {
    const first = groups[test.i] as RankedGroup;
    const second = groups[test.j] as RankedGroup;
    const adjustedP = adjusted[t] as number;
    const pair: PairwiseComparison = { a: first.name, b: second.name, p: test.p, adjustedP };
    if (adjustedP <= alpha) {
      const secondBetter = test.secondHigher === options.higherIsBetter;
      const [winner, loser] = secondBetter ? [test.j, test.i] : [test.i, test.j];
      (better[loser] as Set<number>).add(winner);
      pair.better = (groups[winner] as RankedGroup).name;
    }
    return pair;
  });
  const N = groups.length;
  const types = groups.map((group, i): RankInterval => {
    const worseThan = [...(better[i] as Set<number>)].sort((x, y) => x - y);
    const betterThan = better.flatMap((set, k) => (set.has(i) ? [k] : []));
    return {
      name: group.name,
      n: group.values.length,
      rank: [1 + worseThan.length, N - betterThan.length],
      worseThan: worseThan.map((k) => (groups[k] as RankedGroup).name),
      betterThan: betterThan.map((k) => (groups[k] as RankedGroup).name),
    };
  });
  return { types, pairs, alpha, method: RANK_INTERVAL_METHOD };
}

/**
 * Groups rows whose rank intervals are identical, for a table that shows "these types cannot be told apart": groups
 * ordered by interval (lower bound, then upper), rows within a group in their input order.
 */
export function groupByRankInterval<T extends { rank: readonly [number, number] }>(
  rows: readonly T[],
): Array<{ rank: [number, number]; rows: T[] }> {
  const groups = new Map<string, { rank: [number, number]; rows: T[] }>();
  for (const row of rows) {
    const key = `${row.rank[0]}-${row.rank[1]}`;
    const group = groups.get(key);
    if (group) group.rows.push(row);
    else groups.set(key, { rank: [row.rank[0], row.rank[1]], rows: [row] });
  }
  return [...groups.values()].sort((x, y) => x.rank[0] - y.rank[0] || x.rank[1] - y.rank[1]);
}

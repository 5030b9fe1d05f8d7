/**
 * Brute-force references for the two-sample and ranking tests, written independently of src/analysis: they enumerate
 * every way to split the pooled sample instead of using dynamic programming.
 */

/** All size-k subsets of {0, …, n−1}, as index arrays. */
export function subsets(n: number, k: number): number[][] {
  const out: number[][] = [];
  const pick = (start: number, chosen: number[]) => {
    if (chosen.length === k) {
      out.push([...chosen]);
      return;
    }
    for (let i = start; i < n; i++) pick(i + 1, [...chosen, i]);
  };
  pick(0, []);
  return out;
}

/** Mann–Whitney U of y over x: pairs with y > x, plus half the ties. */
export function uStatistic(x: readonly number[], y: readonly number[]): number {
  let u = 0;
  for (const yj of y) for (const xi of x) u += yj > xi ? 1 : yj === xi ? 0.5 : 0;
  return u;
}

/** Exact null distribution of U (no ties) for sizes n, m: P(U = u) by enumerating all C(n+m, m) placements. */
export function bruteUDistribution(n: number, m: number): number[] {
  const counts = new Array<number>(n * m + 1).fill(0);
  const all = subsets(n + m, m);
  for (const ys of all) {
    const isY = new Set(ys);
    const x = [...Array(n + m).keys()].filter((i) => !isY.has(i));
    counts[uStatistic(x, ys)]! += 1;
  }
  return counts.map((c) => c / all.length);
}

/** Exact two-sided permutation p-value of U (doubling convention), enumerating every relabelling of the pooled data. */
export function brutePermutationP(x: readonly number[], y: readonly number[]): number {
  const pooled = [...x, ...y];
  const observed = uStatistic(x, y);
  let below = 0;
  let above = 0;
  const all = subsets(pooled.length, y.length);
  for (const ys of all) {
    const isY = new Set(ys);
    const u = uStatistic(
      pooled.filter((_, i) => !isY.has(i)),
      ys.map((i) => pooled[i] as number),
    );
    if (u <= observed + 1e-9) below++;
    if (u >= observed - 1e-9) above++;
  }
  return Math.min(1, (2 * Math.min(below, above)) / all.length);
}

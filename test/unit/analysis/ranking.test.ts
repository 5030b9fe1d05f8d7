import { describe, expect, it } from "vitest";
import { seededRandom } from "../../../src/analysis/random.js";
import { groupByRankInterval, holmAdjust, rankIntervals, type RankedGroup } from "../../../src/analysis/ranking.js";
import { brutePermutationP, uStatistic } from "./brute-force.js";

describe("holmAdjust", () => {
  it("reproduces a worked example", () => {
    // p = 0.01, 0.04, 0.03, 0.005 (m = 4). Sorted: 0.005, 0.01, 0.03, 0.04, times 4, 3, 2, 1: 0.02, 0.03, 0.06, 0.04;
    // running maximum: 0.02, 0.03, 0.06, 0.06. Back in input order: 0.03, 0.06, 0.06, 0.02.
    const adjusted = holmAdjust([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((expected, i) => expect(adjusted[i]).toBeCloseTo(expected, 15));
    expect(holmAdjust([0.5, 0.9])).toEqual([1, 1]);
    expect(holmAdjust([])).toEqual([]);
    expect(() => holmAdjust([1.2])).toThrow(/p-value/);
  });

  it("rejects exactly what the step-down procedure rejects (Holm 1979)", () => {
    const random = seededRandom(21);
    for (let trial = 0; trial < 300; trial++) {
      const m = 1 + random.nextInt(12);
      const p = Array.from({ length: m }, () => random.nextDouble() ** 3);
      const alpha = 0.05;
      // Step-down: compare p(i) with α/(m − i + 1) from the smallest; stop at the first that fails.
      const order = p.map((value, index) => ({ value, index })).sort((x, y) => x.value - y.value);
      const rejected = new Set<number>();
      for (let i = 0; i < m; i++) {
        if (order[i]!.value > alpha / (m - i)) break;
        rejected.add(order[i]!.index);
      }
      const adjusted = holmAdjust(p);
      p.forEach((_, i) => expect(adjusted[i]! <= alpha).toBe(rejected.has(i)));
    }
  });
});

/** Brute-force rank intervals: enumerated permutation p-values, step-down Holm, and counts. */
function bruteRankIntervals(groups: RankedGroup[], higherIsBetter: boolean, alpha: number): Array<[number, number]> {
  const pairs: Array<{ i: number; j: number; p: number; jHigher: boolean }> = [];
  for (let i = 0; i < groups.length; i++) {
    for (let j = i + 1; j < groups.length; j++) {
      const x = groups[i]!.values;
      const y = groups[j]!.values;
      pairs.push({ i, j, p: brutePermutationP(x, y), jHigher: uStatistic(x, y) > (x.length * y.length) / 2 });
    }
  }
  const sorted = [...pairs].sort((a, b) => a.p - b.p);
  const significant = new Set<(typeof pairs)[number]>();
  for (let k = 0; k < sorted.length; k++) {
    if (sorted[k]!.p > alpha / (sorted.length - k)) break;
    significant.add(sorted[k]!);
  }
  const better = groups.map(() => 0);
  const worse = groups.map(() => 0);
  for (const pair of significant) {
    const jBetter = pair.jHigher === higherIsBetter;
    const [winner, loser] = jBetter ? [pair.j, pair.i] : [pair.i, pair.j];
    worse[winner]! += 1; // the winner has one more type worse than it
    better[loser]! += 1;
  }
  return groups.map((_, i) => [1 + better[i]!, groups.length - worse[i]!]);
}

describe("rankIntervals", () => {
  it("ranks well-separated types exactly, in either direction", () => {
    const spread = (center: number) => Array.from({ length: 8 }, (_, i) => center + i * 0.1);
    const groups = [
      { name: "mid", values: spread(20) },
      { name: "high", values: spread(30) },
      { name: "low", values: spread(10) },
    ];
    const up = rankIntervals(groups, { higherIsBetter: true });
    expect(up.types.map((t) => [t.name, t.rank])).toEqual([
      ["mid", [2, 2]],
      ["high", [1, 1]],
      ["low", [3, 3]],
    ]);
    expect(up.types[0]).toMatchObject({ worseThan: ["high"], betterThan: ["low"], n: 8 });
    const down = rankIntervals(groups, { higherIsBetter: false });
    expect(down.types.map((t) => t.rank)).toEqual([
      [2, 2],
      [3, 3],
      [1, 1],
    ]);
    expect(up.pairs).toHaveLength(3);
    expect(up.method).toMatch(/Holm/);
  });

  it("gives every type [1, N] when three instances each cannot reach significance", () => {
    // 3 vs 3: the smallest two-sided exact p is 2/20 = 0.1 > 0.05.
    const groups = [
      { name: "a", values: [1, 2, 3] },
      { name: "b", values: [10, 11, 12] },
      { name: "c", values: [100, 101, 102] },
    ];
    const result = rankIntervals(groups, { higherIsBetter: true });
    expect(result.types.map((t) => t.rank)).toEqual([
      [1, 3],
      [1, 3],
      [1, 3],
    ]);
    expect(result.pairs.every((pair) => pair.p === 0.1 && pair.better === undefined)).toBe(true);
  });

  it("equals a brute-force reference on random data with ties", () => {
    const random = seededRandom(2024);
    for (let trial = 0; trial < 12; trial++) {
      const count = 3 + random.nextInt(3);
      const groups = Array.from({ length: count }, (_, g) => ({
        name: `type-${g}`,
        // Rounded to whole numbers so that ties occur; shifted so that some pairs differ.
        values: Array.from({ length: 4 + random.nextInt(3) }, () =>
          Math.round(g * 3 * random.nextDouble() + 4 * random.nextDouble()),
        ),
      }));
      const higherIsBetter = trial % 2 === 0;
      const ours = rankIntervals(groups, { higherIsBetter, alpha: 0.1 });
      expect(ours.types.map((t) => t.rank)).toEqual(bruteRankIntervals(groups, higherIsBetter, 0.1));
    }
  });

  it("refuses a type named twice", () => {
    expect(() =>
      rankIntervals(
        [
          { name: "a", values: [1] },
          { name: "a", values: [2] },
        ],
        { higherIsBetter: true },
      ),
    ).toThrow(/twice/);
  });
});

describe("groupByRankInterval", () => {
  it("groups rows with identical intervals, ordered by interval, rows in input order", () => {
    const rows = [
      { name: "x", rank: [2, 4] as [number, number] },
      { name: "y", rank: [1, 1] as [number, number] },
      { name: "z", rank: [2, 4] as [number, number] },
      { name: "w", rank: [2, 3] as [number, number] },
    ];
    expect(groupByRankInterval(rows).map((g) => [g.rank, g.rows.map((r) => r.name)])).toEqual([
      [[1, 1], ["y"]],
      [[2, 3], ["w"]],
      [
        [2, 4],
        ["x", "z"],
      ],
    ]);
  });
});

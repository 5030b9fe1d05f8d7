import { describe, expect, it } from "vitest";
import { seededRandom } from "../../../src/analysis/random.js";
import {
  BOOTSTRAP_METHOD,
  bootstrapMedianRatio,
  compare,
  hodgesLehmannInterval,
  mannWhitneyNullDistribution,
  mannWhitneyTest,
  midRanks,
  rankSumTailCount,
} from "../../../src/analysis/two-sample.js";
import { bruteUDistribution, brutePermutationP, subsets, uStatistic } from "./brute-force.js";

describe("mannWhitneyNullDistribution", () => {
  it("equals the enumeration of every placement of the two samples", () => {
    for (const [n, m] of [
      [1, 1],
      [2, 3],
      [3, 3],
      [4, 5],
      [2, 8],
      [6, 5],
    ] as const) {
      const dp = Array.from(mannWhitneyNullDistribution(n, m));
      const brute = bruteUDistribution(n, m);
      expect(dp.length).toBe(brute.length);
      dp.forEach((p, u) => expect(p).toBeCloseTo(brute[u] as number, 14));
    }
    // 3 vs 3: counts 1 1 2 3 3 3 3 2 1 1 over C(6, 3) = 20.
    expect(Array.from(mannWhitneyNullDistribution(3, 3)).map((p) => Math.round(p * 20))).toEqual([
      1, 1, 2, 3, 3, 3, 3, 2, 1, 1,
    ]);
  });
});

describe("mannWhitneyTest", () => {
  it("matches SciPy's exact test without ties", () => {
    // scipy.stats.mannwhitneyu([1.1, 2.2, 3.3, 4.4], [2.5, 5.5, 6.6, 7.7, 8.8], method="exact"): U_x = 2,
    // p = 0.06349206349206349 (= 2·4/126).
    const test = mannWhitneyTest([1.1, 2.2, 3.3, 4.4], [2.5, 5.5, 6.6, 7.7, 8.8]);
    expect(test.u).toBe(18); // U of y over x = 4·5 − 2
    expect(test.p).toBeCloseTo(0.06349206349206349, 14);
  });

  it("uses the exact permutation distribution given ties (against enumeration)", () => {
    const cases: Array<[number[], number[]]> = [
      [
        [1, 2, 2, 3, 4],
        [2, 3, 5, 5, 6],
      ],
      [
        [7, 7, 7],
        [7, 8, 8, 9],
      ],
      [
        [3, 3, 3],
        [3, 3],
      ],
      [
        [10, 11, 12, 13, 14, 15, 16],
        [1, 2, 3],
      ],
    ];
    for (const [x, y] of cases) {
      const test = mannWhitneyTest(x, y);
      expect(test.u).toBe(uStatistic(x, y));
      expect(test.p).toBeCloseTo(brutePermutationP(x, y), 12);
    }
  });

  it("counts a tail of the tied rank-sum distribution exactly as enumeration does, at every limit", () => {
    const random = seededRandom(7);
    for (let trial = 0; trial < 40; trial++) {
      const N = 2 + random.nextInt(11);
      const size = 1 + random.nextInt(N);
      // Doubled mid-ranks of a sample with ties, ascending.
      const values = Array.from({ length: N }, () => random.nextInt(5));
      const scores = midRanks(values)
        .map((rank) => Math.round(2 * rank))
        .sort((a, b) => a - b);
      const sums = subsets(N, size).map((chosen) => chosen.reduce((sum, i) => sum + (scores[i] as number), 0));
      for (let limit = Math.min(...sums) - 2; limit <= Math.max(...sums) + 1; limit++)
        expect(rankSumTailCount(scores, size, limit)).toBe(sums.filter((sum) => sum <= limit).length);
    }
  });

  it("gives p = 1 when every value of both samples is the same (one tie block), as enumeration does", () => {
    for (const [n, m] of [
      [1, 1],
      [3, 5],
      [8, 8],
    ] as const) {
      const x = Array.from({ length: n }, () => 42.5);
      const y = Array.from({ length: m }, () => 42.5);
      expect(mannWhitneyTest(x, y).p).toBe(1);
      expect(brutePermutationP(x, y)).toBeCloseTo(1, 12);
    }
    expect(mannWhitneyTest(Array(50).fill(7), Array(50).fill(7)).p).toBe(1);
  });

  it("agrees with enumeration on larger tied samples, in either tail and for overlapping or separated types", () => {
    const random = seededRandom(21);
    for (let trial = 0; trial < 12; trial++) {
      const n = 5 + random.nextInt(4);
      const m = 5 + random.nextInt(4);
      const shift = [0, 1, 3, 8][trial % 4] as number;
      const x = Array.from({ length: n }, () => random.nextInt(6));
      const y = Array.from({ length: m }, () => random.nextInt(6) + (trial % 2 ? shift : -shift));
      const test = mannWhitneyTest(x, y);
      expect(test.u).toBe(uStatistic(x, y));
      expect(test.p).toBeCloseTo(brutePermutationP(x, y), 12);
    }
  });

  it("takes the smaller tail when ties skew the distribution (w below the mean, yet P(W ≥ w) < 1/2)", () => {
    // Here P(U ≤ u) = 23/36 and P(U ≥ u) = 15/36 (enumerated): the tail on w's side of the mean is the larger one.
    const x = [2, 2, 2, 2, 3, 2, 2];
    const y = [3, 0];
    expect(brutePermutationP(x, y)).toBeCloseTo(30 / 36, 12);
    expect(mannWhitneyTest(x, y).p).toBeCloseTo(30 / 36, 12);
  });

  it("gives mid-ranks to ties", () => {
    expect(midRanks([10, 20, 10, 30, 20, 20])).toEqual([1.5, 4, 1.5, 6, 4, 4]);
  });
});

describe("hodgesLehmannInterval", () => {
  /** Brute-force reference: all n·m differences, their median, and the exact interval from enumerated U. */
  function reference(x: number[], y: number[], target: number) {
    const differences = y.flatMap((yj) => x.map((xi) => yj - xi)).sort((a, b) => a - b);
    const N = differences.length;
    const mid = Math.floor(N / 2);
    const estimate = N % 2 ? differences[mid]! : (differences[mid - 1]! + differences[mid]!) / 2;
    const distribution = bruteUDistribution(x.length, y.length);
    const coverageOf = (k: number) => 1 - 2 * distribution.slice(0, k).reduce((s, p) => s + p, 0);
    let k = 1;
    for (let candidate = 1; candidate <= N + 1 - candidate; candidate++)
      if (coverageOf(candidate) >= target) k = candidate;
    return { estimate, low: differences[k - 1]!, high: differences[N - k]!, coverage: coverageOf(k), k };
  }

  it("equals the brute-force median of pairwise differences and the enumerated exact interval", () => {
    const random = seededRandom(11);
    for (const [n, m] of [
      [3, 5],
      [4, 4],
      [5, 5],
      [2, 8],
      [3, 7],
      [5, 3],
    ] as const) {
      const x = Array.from({ length: n }, () => Math.round(random.nextDouble() * 1000) / 100);
      const y = Array.from({ length: m }, () => Math.round(random.nextDouble() * 1000) / 100 + 1);
      for (const target of [0.9, 0.95]) {
        const ours = hodgesLehmannInterval(x, y, target);
        const brute = reference(x, y, target);
        expect(ours.estimate).toBeCloseTo(brute.estimate, 12);
        expect(ours.interval).toMatchObject({
          low: brute.low,
          high: brute.high,
          ranks: [brute.k, n * m + 1 - brute.k],
        });
        expect(ours.interval.coverage).toBeCloseTo(brute.coverage, 12);
        expect(ours.interval.meetsTarget).toBe(brute.coverage >= target);
      }
    }
  });

  it("knows the textbook counts: 5 vs 5 → k = 3 at 95 % (coverage 1 − 8/252)", () => {
    // P(U ≤ 2) = (1 + 1 + 2)/252 = 4/252 ≤ 0.025 < P(U ≤ 3) = 7/252.
    const result = hodgesLehmannInterval([1, 2, 3, 4, 5], [11, 12, 13, 14, 15]);
    expect(result.interval.ranks).toEqual([3, 23]);
    expect(result.interval.coverage).toBeCloseTo(1 - 8 / 252, 14);
    expect(result.estimate).toBe(10);
  });
});

describe("compare", () => {
  it("says 'too few instances' with the reachable coverage 1 − 2/C(nA+nB, nA)", () => {
    const cases: Array<[number, number, number]> = [
      [1, 1, 0], // C(2,1) = 2
      [1, 2, 1 / 3], // C(3,1) = 3
      [2, 2, 2 / 3], // C(4,2) = 6
      [3, 3, 0.9], // C(6,3) = 20
      [3, 4, 1 - 2 / 35], // 0.9429
      [1, 30, 1 - 2 / 31],
    ];
    for (const [nA, nB, reachable] of cases) {
      const a = Array.from({ length: nA }, (_, i) => 100 + i);
      const b = Array.from({ length: nB }, (_, i) => 200 + i);
      const result = compare(a, b, { higherIsBetter: true });
      expect(result).toMatchObject({ kind: "too-few-instances", verdict: "too-few-instances", nA, nB });
      if (result.kind !== "too-few-instances") throw new Error("expected too few");
      expect(result.reachableCoverage).toBeCloseTo(reachable, 14);
      expect(result).not.toHaveProperty("estimate");
    }
  });

  it("uses Hodges–Lehmann on log values below six instances, with exact coverage (4 vs 4: 1 − 2/70)", () => {
    const a = [100, 104, 98, 101];
    const b = [120, 118, 125, 121];
    const result = compare(a, b, { higherIsBetter: true });
    if (result.kind !== "hodges-lehmann") throw new Error(`expected Hodges–Lehmann, got ${result.kind}`);
    const logRatios = b.flatMap((y) => a.map((x) => Math.log(y) - Math.log(x))).sort((p, q) => p - q);
    expect(result.estimate).toBeCloseTo(Math.exp((logRatios[7]! + logRatios[8]!) / 2), 12);
    expect(result.interval.low).toBeCloseTo(Math.exp(logRatios[0]!), 12); // k = 1: 1 − 2·2/70 < 0.95
    expect(result.interval.high).toBeCloseTo(Math.exp(logRatios[15]!), 12);
    expect(result.interval.coverage).toBeCloseTo(1 - 2 / 70, 14);
    expect(result.interval.coverageIsExact).toBe(true);
    expect(result.verdict).toBe("faster"); // every B/A ratio > 1
    expect(result.advantage.estimate).toBe(result.estimate);
  });

  it("orients the verdict by higherIsBetter", () => {
    const a = [100, 104, 98, 101];
    const b = [120, 118, 125, 121];
    const times = compare(a, b, { higherIsBetter: false });
    expect(times.verdict).toBe("slower"); // B takes longer
    if (times.kind === "too-few-instances") throw new Error("unexpected");
    expect(times.advantage.estimate).toBeCloseTo(1 / times.estimate, 14);
    expect(times.advantage.low).toBeCloseTo(1 / times.interval.high, 14);
    expect(compare(b, a, { higherIsBetter: false }).verdict).toBe("faster");
  });

  it("declares equivalence exactly when the 90 % interval lies inside [1/(1+m), 1+m]", () => {
    const a = [100, 100.4, 99.7, 100.1];
    const b = [100.2, 99.9, 100.3, 100];
    const base = compare(a, b, { higherIsBetter: true, margin: 0.05 });
    if (base.kind !== "hodges-lehmann") throw new Error("unexpected");
    expect(base.verdict).toBe("equivalent");
    // 4 vs 4 at 90 %: P(U ≤ 1) = 2/70 ≤ 0.05 < P(U ≤ 2) = 4/70 → k = 2, coverage 1 − 4/70.
    expect(base.equivalenceInterval.coverage).toBeCloseTo(1 - 4 / 70, 14);
    const { low, high } = base.equivalenceInterval;
    // The smallest margin m with [low, high] ⊂ (1/(1+m), 1+m): m* = max(high − 1, 1/low − 1).
    const needed = Math.max(high - 1, 1 / low - 1);
    expect(compare(a, b, { higherIsBetter: true, margin: needed * 1.01 }).verdict).toBe("equivalent");
    expect(compare(a, b, { higherIsBetter: true, margin: needed * 0.99 }).verdict).toBe("inconclusive");
    expect(base.equivalenceBounds).toEqual([1 / 1.05, 1.05]);
  });

  it("is inconclusive when the interval is wide, and a clear difference wins over equivalence", () => {
    expect(compare([100, 130, 80, 110], [105, 70, 125, 95], { higherIsBetter: true }).verdict).toBe("inconclusive");
    // All ratios in [1.009, 1.031]: excludes 1, and also inside ±5 %: reported as a difference.
    expect(compare([100, 101, 100.5, 100.2], [102, 102.5, 102.2, 102.8], { higherIsBetter: true }).verdict).toBe(
      "faster",
    );
  });

  it("bootstraps instances from six of each, reproducibly, recording seed and resamples", () => {
    const a = [100, 97, 103, 99, 101, 98];
    const b = [108, 111, 105, 110, 107, 112];
    const result = compare(a, b, { higherIsBetter: true, seed: 5 });
    if (result.kind !== "bootstrap") throw new Error(`expected bootstrap, got ${result.kind}`);
    expect(result.method).toBe(BOOTSTRAP_METHOD);
    expect(result.bootstrap).toEqual({ seed: 5, resamples: 4000 });
    expect(result.estimate).toBeCloseTo(109 / 99.5, 14); // ratio of medians
    expect(result.interval).toMatchObject({ coverage: 0.95, coverageIsExact: false });
    expect(result.equivalenceInterval.target).toBe(0.9);
    expect(result.interval.low).toBeLessThan(result.estimate);
    expect(result.interval.high).toBeGreaterThan(result.estimate);
    expect(result.equivalenceInterval.low).toBeGreaterThanOrEqual(result.interval.low);
    expect(result.verdict).toBe("faster");
    expect(compare(a, b, { higherIsBetter: true, seed: 5 })).toEqual(result);
    expect(compare(a, b, { higherIsBetter: true, seed: 6 })).not.toEqual(result);
    expect(compare(a.slice(0, 5), b, { higherIsBetter: true }).kind).toBe("hodges-lehmann");
  });

  it("takes the percentile interval's bounds as the 100th smallest and largest of 4000 resampled ratios", () => {
    // Independent re-implementation with the documented draw order: for each resample, A's instances, then B's.
    const a = [3.1, 2.9, 3.3, 3.0, 2.7, 3.6, 3.2];
    const b = [2.2, 2.5, 2.4, 2.9, 2.1, 2.6];
    const random = seededRandom(99);
    const med = (values: number[]) => {
      const s = [...values].sort((p, q) => p - q);
      const h = Math.floor(s.length / 2);
      return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
    };
    const ratios: number[] = [];
    for (let r = 0; r < 4000; r++) {
      const ra = a.map(() => a[random.nextInt(a.length)]!);
      const rb = b.map(() => b[random.nextInt(b.length)]!);
      ratios.push(med(rb) / med(ra));
    }
    ratios.sort((p, q) => p - q);
    const ours = bootstrapMedianRatio(a, b, { seed: 99 });
    expect(ours.intervals[0]!.low).toBeCloseTo(ratios[99]!, 12);
    expect(ours.intervals[0]!.high).toBeCloseTo(ratios[3900]!, 12);
  });

  it("resamples larger types (odd and even counts, with ties) to exactly the ratios of sorted medians", () => {
    const values = seededRandom(3);
    const a = Array.from({ length: 41 }, () => 100 + values.nextInt(30));
    const b = Array.from({ length: 50 }, () => 95 + values.nextInt(40) / 4);
    const random = seededRandom(8);
    const med = (sample: number[]) => {
      const s = [...sample].sort((p, q) => p - q);
      const h = Math.floor(s.length / 2);
      return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
    };
    const ratios: number[] = [];
    for (let r = 0; r < 1000; r++) {
      const ra = a.map(() => a[random.nextInt(a.length)]!);
      const rb = b.map(() => b[random.nextInt(b.length)]!);
      ratios.push(med(rb) / med(ra));
    }
    ratios.sort((p, q) => p - q);
    const ours = bootstrapMedianRatio(a, b, { seed: 8, resamples: 1000, targets: [0.9, 0.5] });
    expect(ours.intervals.map((i) => [i.low, i.high])).toEqual([
      [ratios[49], ratios[950]],
      [ratios[249], ratios[750]],
    ]);
    expect(ours.estimate).toBe(med(b) / med(a));
  });

  it("refuses values a ratio cannot use, and a margin that is not positive", () => {
    expect(() => compare([1, 0], [1, 2], { higherIsBetter: true })).toThrow(/positive/);
    expect(() => compare([], [1, 2], { higherIsBetter: true })).toThrow(/no instances/);
    expect(() => compare([1], [1, 2], { higherIsBetter: true, margin: 0 })).toThrow(/margin/);
  });
});

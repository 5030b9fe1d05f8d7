import { describe, expect, it } from "vitest";
import {
  binomialHalfCdf,
  median,
  medianConfidenceInterval,
  medianIntervalRanks,
  predictionInterval,
} from "../../../src/analysis/order-statistics.js";

/** Brute-force reference: coverage of [x(k), x(n+1−k)] = P(k ≤ B ≤ n − k), B ~ Binomial(n, ½), by enumerating 2^n. */
function bruteCoverage(n: number, k: number): number {
  let inside = 0;
  for (let mask = 0; mask < 2 ** n; mask++) {
    let below = 0;
    for (let bit = 0; bit < n; bit++) if (mask & (1 << bit)) below++;
    if (below >= k && below <= n - k) inside++;
  }
  return inside / 2 ** n;
}

describe("medianConfidenceInterval", () => {
  it("gives [min, max] with coverage 1 − 2·0.5^n below n = 6, and says it misses the target", () => {
    // n = 1: 1 − 2·½ = 0; n = 2: 1 − 2/4 = 0.5; n = 3: 1 − 2/8 = 0.75; n = 5: 1 − 2/32 = 0.9375.
    expect(medianConfidenceInterval([4])).toMatchObject({ low: 4, high: 4, ranks: [1, 1], coverage: 0 });
    expect(medianConfidenceInterval([9, 7])).toMatchObject({ low: 7, high: 9, coverage: 0.5, meetsTarget: false });
    const three = medianConfidenceInterval([3, 1, 2]);
    expect(three).toMatchObject({ low: 1, high: 3, ranks: [1, 3], coverage: 0.75, meetsTarget: false, target: 0.95 });
    expect(three.method).toMatch(/order-statistic/);
    expect(three.coverageIsExact).toBe(true);
    expect(medianConfidenceInterval([5, 1, 4, 2, 3]).coverage).toBeCloseTo(0.9375, 15);
  });

  it("first reaches 95 % at n = 6 (96.9 %) and narrows as n grows (n = 10: ranks 2 and 9)", () => {
    const six = medianConfidenceInterval([6, 5, 4, 3, 2, 1]);
    expect(six).toMatchObject({ low: 1, high: 6, ranks: [1, 6], meetsTarget: true });
    expect(six.coverage).toBeCloseTo(1 - 2 / 64, 15); // 0.96875
    // n = 10: P(B ≤ 1) = 11/1024 → k = 2 covers 1 − 22/1024 = 0.978515625; k = 3 would cover 1 − 112/1024 = 0.89.
    const ten = medianConfidenceInterval([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(ten).toMatchObject({ low: 20, high: 90, ranks: [2, 9], meetsTarget: true });
    expect(ten.coverage).toBeCloseTo(1 - 22 / 1024, 15);
  });

  it("agrees with a brute-force enumeration of the binomial for every n up to 16", () => {
    for (let n = 1; n <= 16; n++) {
      for (const target of [0.5, 0.9, 0.95, 0.99]) {
        const { ranks, coverage } = medianIntervalRanks(n, target);
        expect(coverage).toBeCloseTo(bruteCoverage(n, ranks[0]), 12);
        // Narrowest: the next k either does not exist or falls short of the target.
        const k = ranks[0];
        if (coverage >= target && k + 1 <= Math.floor((n + 1) / 2)) {
          expect(bruteCoverage(n, k + 1)).toBeLessThan(target);
        }
      }
    }
  });

  it("keeps ties and identical values", () => {
    expect(medianConfidenceInterval([5, 5, 5, 5, 5, 5])).toMatchObject({ low: 5, high: 5, meetsTarget: true });
    expect(median([2, 2, 3, 9])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it("refuses empty and non-finite input, and targets that are not fractions", () => {
    expect(() => medianConfidenceInterval([])).toThrow(/at least one/);
    expect(() => medianConfidenceInterval([1, Number.NaN])).toThrow(/non-finite/);
    expect(() => medianConfidenceInterval([1, 2], 95)).toThrow(/target/);
  });

  it("binomialHalfCdf matches exact values", () => {
    expect(binomialHalfCdf(5, 1)).toBeCloseTo(6 / 32, 15);
    expect(binomialHalfCdf(10, 2)).toBeCloseTo(56 / 1024, 15);
  });
});

describe("predictionInterval", () => {
  it("says there is none for one instance", () => {
    const none = predictionInterval([3]);
    expect(none).toMatchObject({ available: false, n: 1 });
    if (!none.available) expect(none.reason).toMatch(/one instance/);
  });

  it("gives [min, max] with (n − 1)/(n + 1) below n = 39", () => {
    // n = 2: 1/3; n = 3: 2/4; n = 5: 4/6; n = 38: 37/39 = 0.9487 < 0.95.
    expect(predictionInterval([2, 1])).toMatchObject({ low: 1, high: 2, coverage: 1 / 3, meetsTarget: false });
    expect(predictionInterval([1, 2, 3])).toMatchObject({ coverage: 0.5, meetsTarget: false });
    expect(predictionInterval([5, 4, 3, 2, 1])).toMatchObject({ low: 1, high: 5, ranks: [1, 5], coverage: 4 / 6 });
    const n38 = predictionInterval(Array.from({ length: 38 }, (_, i) => i));
    expect(n38).toMatchObject({ coverage: 37 / 39, meetsTarget: false });
  });

  it("narrows once n allows: n = 39 → [min, max] at 95 %, n = 79 → ranks 2 and 78 at 95 %", () => {
    const n39 = predictionInterval(Array.from({ length: 39 }, (_, i) => i + 1));
    expect(n39).toMatchObject({ low: 1, high: 39, ranks: [1, 39], coverage: 38 / 40, meetsTarget: true });
    // n = 79: j = 2 covers (80 − 4)/80 = 0.95; j = 3 covers 74/80 = 0.925.
    const n79 = predictionInterval(Array.from({ length: 79 }, (_, i) => i + 1));
    expect(n79).toMatchObject({ low: 2, high: 78, ranks: [2, 78], coverage: 0.95, meetsTarget: true });
    // n = 10 at target 50 %: (11 − 2j)/11 ≥ 0.5 → j ≤ 2.75 → j = 2, coverage 7/11.
    expect(predictionInterval([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5)).toMatchObject({ ranks: [2, 9], coverage: 7 / 11 });
  });
});

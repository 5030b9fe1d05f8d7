import { describe, expect, it } from "vitest";
import { GEOMETRIC_MEAN_METHOD, geometricMeanInterval } from "../../../src/analysis/geometric-mean.js";
import { robustZScores } from "../../../src/analysis/outliers.js";
import { varianceComponents } from "../../../src/analysis/variance-components.js";

describe("geometricMeanInterval", () => {
  it("matches SciPy on fixed data", () => {
    // x = [90, 110, 100, 120, 95]; SciPy: exp(mean(log x)) = 102.44906736232512, sd(log x, ddof=1) =
    // 0.11524960847255299, exp(mean ∓ t.ppf(0.975, 4)·sd/√5) = 88.78915211344285, 118.21051506382328.
    const result = geometricMeanInterval([90, 110, 100, 120, 95]);
    expect(result.estimate).toBeCloseTo(102.44906736232512, 10);
    expect(result.logStandardDeviation).toBeCloseTo(0.11524960847255299, 13);
    expect(result.interval).toMatchObject({ available: true, method: GEOMETRIC_MEAN_METHOD, coverage: 0.95 });
    if (!result.interval.available) throw new Error("no interval");
    expect(result.interval.low).toBeCloseTo(88.78915211344285, 9);
    expect(result.interval.high).toBeCloseTo(118.21051506382328, 9);
    expect(result.interval.coverageIsExact).toBe(false);
  });

  it("uses t(0.975, 1) = 12.7062 for two instances", () => {
    // ln 2, ln 8: mean ln 4, sd = ln 4/√2; half width = 12.7062·(ln 4/√2)/√2 = 12.7062·ln 2.
    const result = geometricMeanInterval([2, 8]);
    expect(result.estimate).toBeCloseTo(4, 12);
    if (!result.interval.available) throw new Error("no interval");
    expect(Math.log(result.interval.high / 4)).toBeCloseTo(12.7062 * Math.LN2, 3);
  });

  it("has no interval for one instance and no spread for identical ones", () => {
    const one = geometricMeanInterval([5]);
    expect(one).toMatchObject({ n: 1, estimate: 5, interval: { available: false } });
    const same = geometricMeanInterval([3, 3, 3]);
    if (!same.interval.available) throw new Error("no interval");
    expect(same.interval.low).toBeCloseTo(3, 13);
    expect(same.interval.high).toBeCloseTo(3, 13);
  });

  it("refuses values that are not positive", () => {
    expect(() => geometricMeanInterval([1, 0])).toThrow(/positive/);
    expect(() => geometricMeanInterval([])).toThrow(/at least one/);
  });
});

describe("varianceComponents", () => {
  it("computes the unbalanced one-way ANOVA estimates by hand", () => {
    // Instances [1, 2, 3], [4, 6], [5]: N = 6, a = 3, means 2, 5, 5, grand mean 21/6 = 3.5.
    // SSW = (1 + 0 + 1) + (1 + 1) + 0 = 4, MSW = 4/(6 − 3) = 4/3.
    // SSB = 3·1.5² + 2·1.5² + 1·1.5² = 13.5, MSB = 13.5/2 = 6.75.
    // n₀ = (6 − (9 + 4 + 1)/6)/2 = 11/6; σ̂²_b = (6.75 − 4/3)/(11/6) = 32.5/11.
    const result = varianceComponents([[1, 2, 3], [4, 6], [5]]);
    expect(result).toMatchObject({ instances: 3, trials: 6, betweenFlooredAtZero: false, minTrial: 1, maxTrial: 6 });
    expect(result.grandMean).toBeCloseTo(3.5, 14);
    expect(result.withinStandardDeviation).toBeCloseTo(Math.sqrt(4 / 3), 14);
    expect(result.betweenStandardDeviation).toBeCloseTo(Math.sqrt(32.5 / 11), 14);
    expect(result.betweenCoefficientOfVariation).toBeCloseTo(Math.sqrt(32.5 / 11) / 3.5, 14);
    expect(result).toMatchObject({ minInstanceMean: 2, maxInstanceMean: 5 });
  });

  it("reduces to (MSB − MSW)/n for balanced data", () => {
    // [10, 12], [14, 16], [9, 11]: means 11, 15, 10, grand 12; MSW = (2+2+2)/3 = 2; MSB = 2·(1+9+4)/2 = 14;
    // σ̂²_b = (14 − 2)/2 = 6.
    const result = varianceComponents([
      [10, 12],
      [14, 16],
      [9, 11],
    ]);
    expect(result.withinStandardDeviation).toBeCloseTo(Math.SQRT2, 14);
    expect(result.betweenStandardDeviation).toBeCloseTo(Math.sqrt(6), 14);
  });

  it("floors a negative between-instance estimate at 0 and says so", () => {
    // Means 2 and 2: MSB = 0 < MSW, so (MSB − MSW)/n₀ < 0.
    const result = varianceComponents([
      [1, 3],
      [1.5, 2.5],
    ]);
    expect(result.betweenStandardDeviation).toBe(0);
    expect(result.betweenFlooredAtZero).toBe(true);
  });

  it("leaves out what the data cannot estimate", () => {
    const single = varianceComponents([[1, 2, 4]]);
    expect(single.withinStandardDeviation).toBeCloseTo(Math.sqrt(7 / 3), 14);
    expect(single.betweenStandardDeviation).toBeUndefined();
    const oneTrialEach = varianceComponents([[1], [2], [4]]);
    expect(oneTrialEach.withinStandardDeviation).toBeUndefined();
    expect(oneTrialEach.betweenStandardDeviation).toBeUndefined();
    expect(() => varianceComponents([[1], []])).toThrow(/instance 1 has no trials/);
  });
});

describe("robustZScores", () => {
  it("flags a far value by 0.6745·(x − median)/MAD, in input order", () => {
    // median (10 + 10.2)/2 = 10.1; |deviations| 0.1, 0.4, 0.6, 0.1, 0.3, 19.9 → MAD (0.3 + 0.4)/2 = 0.35.
    // z(30) = 0.6745·19.9/0.35 = 38.35; z(9.5) = 0.6745·(−0.6)/0.35 = −1.1563.
    const result = robustZScores([10, 10.5, 9.5, 10.2, 9.8, 30]);
    expect(result).toMatchObject({ n: 6, scale: "mad", flaggingApplies: true, threshold: 3.5 });
    expect(result.median).toBeCloseTo(10.1, 14);
    expect(result.mad).toBeCloseTo(0.35, 14);
    expect(result.z[5]).toBeCloseTo((0.6745 * 19.9) / 0.35, 10);
    expect(result.z[2]).toBeCloseTo((0.6745 * -0.6) / 0.35, 10);
    expect(result.outlier).toEqual([false, false, false, false, false, true]);
  });

  it("does not flag below five instances", () => {
    const result = robustZScores([10, 10.1, 9.9, 50]);
    expect(result.flaggingApplies).toBe(false);
    expect(result.outlier).toEqual([false, false, false, false]);
    expect(Math.abs(result.z[3] as number)).toBeGreaterThan(3.5);
  });

  it("handles MAD = 0 with the mean absolute deviation, and identical values with z = 0", () => {
    // [5, 5, 5, 5, 6]: MAD 0; mean |x − 5| = 0.2; z(6) = 1/(1.2533·0.2) = 3.9895 > 3.5.
    const ties = robustZScores([5, 5, 6, 5, 5]);
    expect(ties).toMatchObject({ mad: 0, scale: "meanAbsoluteDeviation" });
    expect(ties.z[2]).toBeCloseTo(1 / (1.2533 * 0.2), 10);
    expect(ties.outlier).toEqual([false, false, true, false, false]);
    const same = robustZScores([4, 4, 4, 4, 4, 4]);
    expect(same).toMatchObject({ scale: "none", z: [0, 0, 0, 0, 0, 0] });
    expect(same.outlier.some(Boolean)).toBe(false);
  });
});

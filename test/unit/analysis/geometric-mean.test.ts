import { describe, expect, it } from "vitest";
import { GEOMETRIC_MEAN_METHOD, geometricMeanInterval } from "../../../src/analysis/geometric-mean.js";

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

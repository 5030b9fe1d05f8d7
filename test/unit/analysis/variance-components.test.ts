import { describe, expect, it } from "vitest";
import { varianceComponents } from "../../../src/analysis/variance-components.js";

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

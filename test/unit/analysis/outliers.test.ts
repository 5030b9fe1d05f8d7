import { describe, expect, it } from "vitest";
import { robustZScores } from "../../../src/analysis/outliers.js";

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

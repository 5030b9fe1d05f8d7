import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { binomialHalfCdf, medianInterval, summarize } from "../../../src/runner/statistics.js";

const finite = fc.double({ min: -1e9, max: 1e9, noNaN: true, noDefaultInfinity: true });

describe("binomialHalfCdf", () => {
  it("matches exact values", () => {
    expect(binomialHalfCdf(5, 0)).toBeCloseTo(1 / 32, 15);
    expect(binomialHalfCdf(5, 1)).toBeCloseTo(6 / 32, 15);
    expect(binomialHalfCdf(10, 1)).toBeCloseTo(11 / 1024, 15);
    expect(binomialHalfCdf(4, -1)).toBe(0);
    expect(binomialHalfCdf(4, 4)).toBe(1);
  });

  it("does not underflow for large n and is symmetric", () => {
    expect(binomialHalfCdf(2000, 999)).toBeGreaterThan(0.48);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 300 }), (n, j) => {
        fc.pre(j < n);
        expect(binomialHalfCdf(n, j) + binomialHalfCdf(n, n - j - 1)).toBeCloseTo(1, 9);
      }),
    );
  });
});

describe("medianInterval", () => {
  it("uses the textbook ranks", () => {
    const sorted = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    expect(medianInterval(sorted(6))).toMatchObject({ ranks: [1, 6], low: 1, high: 6, meetsTarget: true });
    expect(medianInterval(sorted(6))?.confidence).toBeCloseTo(1 - 2 / 64, 12);
    expect(medianInterval(sorted(9))).toMatchObject({ ranks: [2, 8], meetsTarget: true });
    expect(medianInterval(sorted(9))?.confidence).toBeCloseTo(1 - 2 * (10 / 512), 12);
    expect(medianInterval(sorted(20))).toMatchObject({ ranks: [6, 15] });
    expect(medianInterval(sorted(1))).toBeUndefined();
  });

  it("says so when n is too small for 95 %", () => {
    const five = medianInterval([1, 2, 3, 4, 5]);
    expect(five).toMatchObject({ low: 1, high: 5, meetsTarget: false, target: 0.95 });
    expect(five?.confidence).toBeCloseTo(0.9375, 12);
    expect(medianInterval([7, 8])?.confidence).toBeCloseTo(0.5, 12);
  });

  it("always reaches the target from n = 6, and never uses a narrower interval than needed", () => {
    fc.assert(
      fc.property(fc.integer({ min: 6, max: 400 }), fc.constantFrom(0.9, 0.95, 0.99), (n, target) => {
        const sorted = Array.from({ length: n }, (_, i) => i);
        const interval = medianInterval(sorted, target);
        if (!interval) throw new Error("no interval");
        const k = interval.ranks[0] as number;
        if (n >= 6 && target <= 0.95) expect(interval.meetsTarget).toBe(true);
        if (interval.meetsTarget && k + 1 <= Math.floor((n + 1) / 2)) {
          expect(1 - 2 * binomialHalfCdf(n, k)).toBeLessThan(target); // the next narrower one falls short
        }
      }),
    );
  });
});

describe("summarize", () => {
  it("computes the figures of a known sample", () => {
    const stats = summarize([10, 12, 11, 13, 9, 14, 10.5], "MB/s");
    expect(stats).toMatchObject({ n: 7, median: 11, min: 9, max: 14, unit: "MB/s" });
    expect(stats.mean).toBeCloseTo(11.3571428571, 9);
    expect(stats.standardDeviation).toBeCloseTo(1.7491494531696854, 12); // Python statistics.stdev
    expect(stats.coefficientOfVariation).toBeCloseTo(0.15401315939858864, 12);
    expect(stats.medianInterval).toMatchObject({ low: 9, high: 14, ranks: [1, 7], meetsTarget: true });
    expect(summarize([4, 2], "s").median).toBe(3);
  });

  it("has no spread and no interval for one value", () => {
    const stats = summarize([42], "GFLOPS");
    expect(stats).toEqual({ n: 1, median: 42, mean: 42, min: 42, max: 42, unit: "GFLOPS" });
  });

  it("rejects empty and non-finite samples", () => {
    expect(() => summarize([], "s")).toThrow(RangeError);
    expect(() => summarize([1, Number.NaN], "s")).toThrow(RangeError);
  });

  it("holds its invariants for any sample", () => {
    fc.assert(
      fc.property(fc.array(finite, { minLength: 1, maxLength: 60 }), (values) => {
        const stats = summarize(values, "u");
        expect(stats.n).toBe(values.length);
        expect(stats.min).toBeLessThanOrEqual(stats.median);
        expect(stats.median).toBeLessThanOrEqual(stats.max);
        expect(stats.mean).toBeGreaterThanOrEqual(stats.min - 1e-6 * Math.abs(stats.min));
        expect(stats.mean).toBeLessThanOrEqual(stats.max + 1e-6 * Math.abs(stats.max));
        if (stats.medianInterval) {
          expect(stats.medianInterval.low).toBeLessThanOrEqual(stats.median);
          expect(stats.medianInterval.high).toBeGreaterThanOrEqual(stats.median);
          expect(values).toContain(stats.medianInterval.low);
          expect(values).toContain(stats.medianInterval.high);
        }
        if (stats.standardDeviation !== undefined) expect(stats.standardDeviation).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it("does not depend on the order of trials and scales with the data", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1, max: 1e6, noNaN: true }), { minLength: 2, maxLength: 40 }),
        fc.double({ min: 0.5, max: 1000, noNaN: true }),
        (values, factor) => {
          const forward = summarize(values, "u");
          const reversed = summarize([...values].reverse(), "u");
          expect(reversed.median).toBe(forward.median);
          expect(reversed.medianInterval).toEqual(forward.medianInterval);
          const scaled = summarize(
            values.map((v) => v * factor),
            "u",
          );
          expect(scaled.median).toBeCloseTo(forward.median * factor, 6);
          expect(scaled.coefficientOfVariation ?? 0).toBeCloseTo(forward.coefficientOfVariation ?? 0, 9);
        },
      ),
    );
  });
});

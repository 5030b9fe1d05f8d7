import { describe, expect, it } from "vitest";
import {
  logGamma,
  normalCdf,
  normalQuantile,
  regularizedIncompleteBeta,
  studentTCdf,
  studentTQuantile,
} from "../../../src/analysis/distributions.js";

/** Relative closeness. */
function expectRelative(actual: number, expected: number, tolerance: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.abs(expected));
}

describe("studentTQuantile", () => {
  it("matches printed tables", () => {
    // Two-sided 95 % critical values of any t table.
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.7062, 4);
    expect(studentTQuantile(0.975, 5)).toBeCloseTo(2.5706, 4);
    expect(studentTQuantile(0.975, 30)).toBeCloseTo(2.0423, 4);
    expect(studentTQuantile(0.995, 10)).toBeCloseTo(3.1693, 4);
  });

  it("matches SciPy's scipy.stats.t.ppf (an independent implementation) to 1e-12", () => {
    // Values printed by SciPy 1.17.1: repr(scipy.stats.t.ppf(p, df)).
    const cases: Array<[number, number, number]> = [
      [0.975, 1, 12.706204736174694],
      [0.975, 2, 4.302652729749462],
      [0.975, 3, 3.1824463052837078],
      [0.975, 5, 2.5705818356363146],
      [0.975, 30, 2.0422724563012378],
      [0.95, 4, 2.1318467863266495],
      [0.995, 7, 3.4994832973504924],
      [0.9995, 3, 12.923978636687961],
      [0.6, 10, 0.2601848294920803],
      [0.9, 12, 1.356217334023205],
      [0.975, 1000, 1.9623390808264083],
      [0.999999, 2.5, 220.17342917570426],
      [0.975, 0.5, 164.55767348048818],
    ];
    for (const [p, df, expected] of cases) {
      expectRelative(studentTQuantile(p, df), expected, 1e-12);
      expectRelative(studentTQuantile(1 - p, df), -expected, 1e-9); // symmetry (1 − p loses digits)
    }
    expect(studentTQuantile(0.5, 7)).toBe(0);
  });

  it("inverts the CDF, and the CDF matches SciPy", () => {
    expectRelative(studentTCdf(-2.5, 4), 0.03338327240599407, 1e-12); // scipy.stats.t.cdf(-2.5, 4)
    expectRelative(studentTCdf(1, 3.5), 0.8093313732182774, 1e-12); // scipy.stats.t.cdf(1.0, 3.5)
    for (const df of [1, 2, 3, 4.5, 9, 29, 200]) {
      for (const p of [0.001, 0.05, 0.3, 0.7, 0.975, 0.9999]) {
        expect(studentTCdf(studentTQuantile(p, df), df)).toBeCloseTo(p, 12);
      }
    }
  });

  it("refuses arguments outside its domain", () => {
    expect(() => studentTQuantile(1, 3)).toThrow(/0 < p < 1/);
    expect(() => studentTQuantile(0.5, 0)).toThrow(/df > 0/);
  });
});

describe("normal distribution", () => {
  it("matches SciPy's scipy.stats.norm", () => {
    const cdf: Array<[number, number]> = [
      [-8, 6.22096057427174e-16],
      [-3, 0.0013498980316300933],
      [-1.96, 0.024997895148220435],
      [0.5, 0.6914624612740131],
      [2, 0.9772498680518208],
      [6, 0.9999999990134123],
    ];
    for (const [z, expected] of cdf) expectRelative(normalCdf(z), expected, 1e-12);
    expect(normalCdf(0)).toBe(0.5);
    const quantiles: Array<[number, number]> = [
      [1e-10, -6.361340902404056],
      [0.001, -3.090232306167813],
      [0.025, -1.9599639845400545],
      [0.8, 0.8416212335729143],
      [0.975, 1.959963984540054],
    ];
    for (const [p, expected] of quantiles) expectRelative(normalQuantile(p), expected, 1e-12);
  });
});

describe("special functions", () => {
  it("match SciPy's gammaln and betainc", () => {
    expectRelative(logGamma(0.3), 1.0957979948180756, 1e-13); // scipy.special.gammaln(0.3)
    expectRelative(logGamma(10), Math.log(362880), 1e-14); // Γ(10) = 9!
    expectRelative(logGamma(100.5), 361.43554046777757, 1e-14);
    expectRelative(regularizedIncompleteBeta(0.3, 2.5, 0.5), 0.018927124071945658, 1e-12); // betainc(2.5, 0.5, 0.3)
    // I_x(1, 1) = x, I_x(a, 1) = x^a.
    expect(regularizedIncompleteBeta(0.37, 1, 1)).toBeCloseTo(0.37, 14);
    expect(regularizedIncompleteBeta(0.6, 3, 1)).toBeCloseTo(0.216, 14);
  });
});

/**
 * Coverage by simulation: each interval method, run 2,000 times on fresh samples from a log-normal and a heavy-tailed
 * population with a fixed seed, must cover the true value within ±2 % of the coverage it states — its achieved
 * coverage for the exact (discrete) methods, its nominal coverage for the parametric one.
 */
import { describe, expect, it } from "vitest";
import { geometricMeanInterval } from "../../../src/analysis/geometric-mean.js";
import { medianConfidenceInterval, predictionInterval } from "../../../src/analysis/order-statistics.js";
import { seededRandom } from "../../../src/analysis/random.js";
import { compare } from "../../../src/analysis/two-sample.js";
import { logNormal, logT3, pareto, REPLICATIONS, sample, TOLERANCE } from "./populations.js";

describe.each([logNormal, pareto])("coverage on $name", (population) => {
  it.each([3, 6, 10])("median interval, n = %i, covers as often as it says", (n) => {
    const random = seededRandom(100 + n);
    let covered = 0;
    let stated = Number.NaN;
    for (let r = 0; r < REPLICATIONS; r++) {
      const interval = medianConfidenceInterval(sample(random, population, n));
      stated = interval.coverage;
      if (interval.low <= population.median && population.median <= interval.high) covered++;
    }
    expect(Math.abs(covered / REPLICATIONS - stated)).toBeLessThanOrEqual(TOLERANCE);
  });

  it.each([5, 39])("prediction interval, n = %i, contains the next instance as often as it says", (n) => {
    const random = seededRandom(200 + n);
    let covered = 0;
    let stated = Number.NaN;
    for (let r = 0; r < REPLICATIONS; r++) {
      const interval = predictionInterval(sample(random, population, n));
      if (!interval.available) throw new Error("no interval");
      stated = interval.coverage;
      const next = population.draw(random);
      if (interval.low <= next && next <= interval.high) covered++;
    }
    expect(Math.abs(covered / REPLICATIONS - stated)).toBeLessThanOrEqual(TOLERANCE);
  });

  it.each([
    [3, 5],
    [4, 4],
    [5, 5],
    [2, 8],
  ])("Hodges–Lehmann ratio interval, %i vs %i, covers as often as it says", (nA, nB) => {
    const random = seededRandom(300 + 10 * nA + nB);
    let covered = 0;
    let stated = Number.NaN;
    for (let r = 0; r < REPLICATIONS; r++) {
      const result = compare(sample(random, population, nA), sample(random, population, nB, 1.2), {
        higherIsBetter: true,
      });
      if (result.kind !== "hodges-lehmann") throw new Error(`expected Hodges–Lehmann, got ${result.kind}`);
      stated = result.interval.coverage;
      if (result.interval.low <= 1.2 && 1.2 <= result.interval.high) covered++;
    }
    expect(Math.abs(covered / REPLICATIONS - stated)).toBeLessThanOrEqual(TOLERANCE);
  });
});

/**
 * The t-interval is exact for log-normal data. On log-t3 (symmetric, heavy-tailed logs) it is conservative: about
 * 96 % at n = 10 (mean of 40 runs of 2,000: 96.1 %), so these cases run 10,000 replications (SE 0.22 %) to keep
 * the ±2 % check from hanging on the luck of one seed. (On Pareto data, whose logs are skewed, it undercovers: about
 * 88 % at n = 3, 91 % at n = 10, 93 % at n = 30 — hence the method's "parametric" label; not asserted here.)
 */
const GEOMETRIC_MEAN_REPLICATIONS = 10_000;

describe.each([logNormal, logT3])("geometric mean t-interval on $name", (population) => {
  it.each([3, 10])("n = %i covers 0.95 ± 0.02", (n) => {
    const random = seededRandom(400 + n);
    let covered = 0;
    for (let r = 0; r < GEOMETRIC_MEAN_REPLICATIONS; r++) {
      const { interval } = geometricMeanInterval(sample(random, population, n));
      if (!interval.available) throw new Error("no interval");
      if (interval.low <= population.geometricMean && population.geometricMean <= interval.high) covered++;
    }
    expect(Math.abs(covered / GEOMETRIC_MEAN_REPLICATIONS - 0.95)).toBeLessThanOrEqual(TOLERANCE);
  });
});

/**
 * Populations for the coverage simulations, each with the true values the intervals aim at. Values are positive
 * (they stand for per-instance bandwidths or rates); scaling a population by c multiplies its median and geometric
 * mean by c, which is the two-sample "shift" on the log scale.
 */
import { standardNormal, type RandomSource } from "../../../src/analysis/random.js";

/** A population to draw per-instance values from. */
export interface Population {
  name: string;
  draw: (random: RandomSource) => number;
  median: number;
  geometricMean: number;
}

/** Log-normal: 100·exp(0.3·Z); median = geometric mean = 100. */
export const logNormal: Population = {
  name: "log-normal(σ = 0.3)",
  draw: (random) => 100 * Math.exp(0.3 * standardNormal(random)),
  median: 100,
  geometricMean: 100,
};

/** Pareto(α = 1.5, x_m = 100): infinite variance; median 100·2^(1/α), geometric mean 100·e^(1/α). */
export const pareto: Population = {
  name: "Pareto(α = 1.5)",
  draw: (random) => 100 * (1 - random.nextDouble()) ** (-1 / 1.5),
  median: 100 * 2 ** (1 / 1.5),
  geometricMean: 100 * Math.exp(1 / 1.5),
};

/** Log-t₃: 100·exp(0.2·T), T ~ t with 3 degrees of freedom (symmetric, heavy-tailed logs); median = GM = 100. */
export const logT3: Population = {
  name: "log-t3",
  draw: (random) => {
    const z = standardNormal(random);
    let chiSquare = 0;
    for (let i = 0; i < 3; i++) chiSquare += standardNormal(random) ** 2;
    return 100 * Math.exp((0.2 * z) / Math.sqrt(chiSquare / 3));
  },
  median: 100,
  geometricMean: 100,
};

/** n draws from `population`, times `factor`. */
export function sample(random: RandomSource, population: Population, n: number, factor = 1): number[] {
  return Array.from({ length: n }, () => factor * population.draw(random));
}

/** Replications of every coverage simulation: the SE of a coverage near 95 % is √(0.95·0.05/2000) = 0.49 %. */
export const REPLICATIONS = 2000;

/** Allowed distance between simulated and stated coverage: ±2 % is about 4 standard errors. */
export const TOLERANCE = 0.02;

/**
 * How much of a type's variability is between instances and how much within one instance (trial to trial), from each
 * instance's trial values. This tells whether more trials or more instances would sharpen a type's number: only the
 * between-instance part is about the next instance a user will get.
 */
import { BenchError } from "../errors.js";

/** Method name of {@link varianceComponents}. */
export const VARIANCE_COMPONENTS_METHOD = "one-way random-effects ANOVA (method of moments, unbalanced)";

/** Between- and within-instance spread of one instance type. */
export interface VarianceComponents {
  /** Number of instances (groups). */
  instances: number;
  /** Total number of trials over all instances. */
  trials: number;
  /** Mean of all trials (each trial weighted equally), ȳ.. of the ANOVA. */
  grandMean: number;
  /** √MSW: standard deviation of trials around their instance's mean; absent when no instance has two trials. */
  withinStandardDeviation?: number;
  /** √σ̂²_between; absent with one instance or when the within part cannot be estimated. */
  betweenStandardDeviation?: number;
  /** True when the moment estimate (MSB − MSW)/n₀ was negative and is reported as 0 (the usual truncation). */
  betweenFlooredAtZero: boolean;
  /** withinStandardDeviation / |grandMean|. */
  withinCoefficientOfVariation?: number;
  /** betweenStandardDeviation / |grandMean|. */
  betweenCoefficientOfVariation?: number;
  /** Smallest instance mean. */
  minInstanceMean: number;
  /** Largest instance mean. */
  maxInstanceMean: number;
  /** Smallest single trial. */
  minTrial: number;
  /** Largest single trial. */
  maxTrial: number;
  /** Name of the method. */
  method: string;
}

/**
 * Between-instance and within-instance standard deviations from per-instance trial arrays, by the ANOVA (method of
 * moments) estimators of the one-way random-effects model y_ij = μ + a_i + e_ij, a_i ~ (0, σ²_b), e_ij ~ (0, σ²_w),
 * unbalanced allowed: σ̂²_w = MSW = ΣΣ(y_ij − ȳ_i)²/(N − a), σ̂²_b = (MSB − MSW)/n₀ with MSB = Σ n_i(ȳ_i − ȳ..)²/(a − 1)
 * and n₀ = (N − Σn_i²/N)/(a − 1). A negative σ̂²_b (the instances differ less than their trials would lead one to
 * expect) is floored at 0 and `betweenFlooredAtZero` says so. Assumes independent instances and trials with equal
 * within-instance variance across instances; unbiased for σ² (not σ), no normality needed for the estimates.
 *
 * Reference: S. R. Searle, G. Casella & C. E. McCulloch (1992), Variance Components, ch. 3 (the one-way
 * classification: ANOVA estimators for balanced and unbalanced data, negative estimates); D. C. Montgomery, Design
 * and Analysis of Experiments, ch. 3 (the random effects model).
 */
export function varianceComponents(trialsByInstance: readonly (readonly number[])[]): VarianceComponents {
  if (trialsByInstance.length === 0) {
    throw new BenchError("InvalidArgument", "varianceComponents() needs at least one instance, got none");
  }
  trialsByInstance.forEach((trials, index) => {
    if (trials.length === 0 || trials.some((value) => !Number.isFinite(value))) {
      throw new BenchError(
        "InvalidArgument",
        `varianceComponents(): instance ${index} has ${trials.length === 0 ? "no trials" : "a non-finite trial"}`,
        { fix: "pass each instance's finite trial values; leave out instances without trials" },
      );
    }
  });
  const a = trialsByInstance.length;
  const sizes = trialsByInstance.map((trials) => trials.length);
  const N = sizes.reduce((sum, n) => sum + n, 0);
  const means = trialsByInstance.map((trials) => trials.reduce((sum, y) => sum + y, 0) / trials.length);
  const grandMean = trialsByInstance.reduce((sum, trials) => sum + trials.reduce((s, y) => s + y, 0), 0) / N;
  const ssWithin = trialsByInstance.reduce(
    (sum, trials, i) => sum + trials.reduce((s, y) => s + (y - (means[i] as number)) ** 2, 0),
    0,
  );
  const ssBetween = means.reduce((sum, mean, i) => sum + (sizes[i] as number) * (mean - grandMean) ** 2, 0);
  const allTrials = trialsByInstance.flat();
  const result: VarianceComponents = {
    instances: a,
    trials: N,
    grandMean,
    betweenFlooredAtZero: false,
    minInstanceMean: Math.min(...means),
    maxInstanceMean: Math.max(...means),
    minTrial: Math.min(...allTrials),
    maxTrial: Math.max(...allTrials),
    method: VARIANCE_COMPONENTS_METHOD,
  };
  const cv = (sd: number) => (grandMean === 0 ? undefined : sd / Math.abs(grandMean));
  if (N > a) {
    const msWithin = ssWithin / (N - a);
    result.withinStandardDeviation = Math.sqrt(msWithin);
    const withinCv = cv(result.withinStandardDeviation);
    if (withinCv !== undefined) result.withinCoefficientOfVariation = withinCv;
    if (a > 1) {
      const msBetween = ssBetween / (a - 1);
      const n0 = (N - sizes.reduce((sum, n) => sum + n * n, 0) / N) / (a - 1);
      const between = (msBetween - msWithin) / n0;
      result.betweenFlooredAtZero = between < 0;
      result.betweenStandardDeviation = Math.sqrt(Math.max(0, between));
      const betweenCv = cv(result.betweenStandardDeviation);
      if (betweenCv !== undefined) result.betweenCoefficientOfVariation = betweenCv;
    }
  }
  return result;
}

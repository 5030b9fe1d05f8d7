/* DO NOT EDIT: generated from schemas/metric-summary.schema.json by `npm run generate:types`. */

/**
 * maintainer: collected by `aws-bench collect` from a batch; community: a reviewed contribution; local: a run outside a batch (`--include-local`).
 */
export type Evidence = "maintainer" | "community" | "local";

/**
 * One instance type's measurements of one metric of one benchmark implementation in one configuration, over independent instances: every instance's value (the median of its valid trials), the median with its order-statistic interval, a prediction interval for the next instance, the geometric mean with a parametric interval, spread between and within instances, and flags. Written by `aws-bench analyze` (data/processed, data/api/v1).
 */
export interface MetricSummary {
  /**
   * The EC2 instance type (`m7i.large`), or `local:<cpu>-<n>cpu` for a local run.
   */
  type: string;
  /**
   * `<benchmark>.<metric>`, e.g. `stream.triad`.
   */
  metric: string;
  benchmark: string;
  /**
   * Never combined with another implementation of the same benchmark.
   */
  implementation: string;
  configuration: string;
  /**
   * The metric's name within its benchmark.
   */
  name: string;
  unit: string;
  higherIsBetter: boolean;
  /**
   * The benchmark's headline configuration and metric, fixed in advance.
   */
  headline: boolean;
  /**
   * This configuration is its benchmark's headline configuration (the one rankings use for every metric of it).
   */
  headlineConfiguration?: boolean;
  evidence: Evidence;
  counts: {
    instances: number;
    trials: number;
    /**
     * Distinct availability zone ids.
     */
    zones: number;
    /**
     * Distinct AWS accounts; null until results carry a keyed account pseudonym (community results).
     */
    accounts: number | null;
  };
  dates: {
    first: string;
    last: string;
  };
  statistics: Statistics;
  flags: ("provisional" | "mixed-cpu" | "drift" | "stale" | "outliers")[];
  drift?: {
    latest: number;
    earlier: number;
    outside: number;
    reason: string;
  };
  /**
   * Statistics per CPU model, when more than one is behind the type (`mixed-cpu`).
   */
  byCpuModel?: {
    cpuModel: string;
    statistics: Statistics;
  }[];
  /**
   * @minItems 1
   */
  instances: Instance[];
}
export interface Statistics {
  /**
   * Instances.
   */
  n: number;
  /**
   * Median of the per-instance values.
   */
  median: number;
  medianInterval: Interval;
  /**
   * Where one new instance of the type is expected to fall.
   */
  predictionInterval: AvailableInterval | NoInterval;
  /**
   * Absent when a value is not positive.
   */
  geometricMean?: {
    estimate: number;
    interval: AvailableInterval | NoInterval;
  };
  /**
   * Between-instance standard deviation (one-way random-effects ANOVA); absent with one instance or without repeated trials.
   */
  betweenInstanceStandardDeviation?: number;
  /**
   * The between-instance moment estimate was negative and is reported as 0.
   */
  betweenFlooredAtZero?: boolean;
  /**
   * Trial-to-trial standard deviation within an instance; absent when no instance has two valid trials.
   */
  withinInstanceStandardDeviation?: number;
  /**
   * Sample standard deviation of the per-instance values over their mean; absent with one instance.
   */
  coefficientOfVariation?: number;
  min: number;
  max: number;
}
export interface Interval {
  low: number;
  high: number;
  /**
   * The coverage the interval achieves (exact for distribution-free methods under their assumptions; nominal for parametric ones).
   */
  coverage: number;
  coverageIsExact: boolean;
  target: number;
  /**
   * False when there were too few instances to reach the target; the interval is then the widest available, with its own coverage.
   */
  meetsTarget: boolean;
  method: string;
}
export interface AvailableInterval {
  available: true;
  low: number;
  high: number;
  /**
   * The coverage the interval achieves (exact for distribution-free methods under their assumptions; nominal for parametric ones).
   */
  coverage: number;
  coverageIsExact: boolean;
  target: number;
  /**
   * False when there were too few instances to reach the target; the interval is then the widest available, with its own coverage.
   */
  meetsTarget: boolean;
  method: string;
}
export interface NoInterval {
  available: false;
  method: string;
  reason: string;
}
export interface Instance {
  runId: string;
  /**
   * The instance's value: the median of its valid trials.
   */
  value: number;
  /**
   * Valid trials behind the value.
   */
  trials: number;
  startedAt: string;
  cpuModel: string;
  availabilityZoneId?: string;
  region?: string;
  evidence: Evidence;
  /**
   * Modified z-score against the type's instances (when n ≥ 5).
   */
  robustZ?: number;
  /**
   * |robust z| > 3.5 (n ≥ 5): flagged, never removed.
   */
  outlier?: boolean;
  /**
   * The run's folder, relative to the input it was read from.
   */
  rawPath?: string;
}

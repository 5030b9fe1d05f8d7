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
     * Distinct AWS accounts: the keyed account pseudonyms of community instances, the maintainers' batches counted as one account; null when a local run is among the instances.
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
   * How the instances were measured: each distinct build of the program (source checksum and how it was verified, compiler, flags, BLAS, CPU target) and sizing (the section's parameters, e.g. STREAM's array size or HPL's N and NB), with the number of instances that used it, most used first.
   */
  setups?: {
    instances: number;
    build?: BuildProvenance;
    /**
     * The section's parameters as the runner recorded them.
     */
    parameters: {
      [k: string]: unknown;
    };
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
/**
 * How the benchmark's program was built on this host: from which source (its checksum and how it was verified), with which compiler, flags, BLAS and target.
 */
export interface BuildProvenance {
  source?: {
    /**
     * SHA-256 of the source file or archive; for a directory, of its sorted `SHA-256  path` list.
     */
    sha256: string;
    checksumOf: "file" | "tree";
    /**
     * Against configs/sources.json: the download's own SHA-256, every listed extracted file, or not pinned (a source the user gave that matches no pin: results of modified sources must be labelled).
     */
    verified: "sha256" | "files" | "not-pinned";
    /**
     * The pinned source it matched, e.g. `hpl 2.3`.
     */
    pinned?: string;
    /**
     * Where it came from: a public URL of the manifest, `source-mirror`, `cache`, `explicit-source` or `image-source` (a private mirror's location is not published).
     */
    origin?: string;
  };
  /**
   * The compiler's version line, e.g. `cc (Debian 12.2.0-14) 12.2.0`; through `mpicc` for MPI programs.
   */
  compiler: string;
  /**
   * Compiler flags as passed.
   */
  flags: string;
  /**
   * The build as run, e.g. `./configure CC=mpicc LIBS=-lopenblas …; make`.
   */
  buildCommand?: string;
  /**
   * The BLAS the program links, e.g. `OpenBLAS (/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3)`.
   */
  blas?: string;
  /**
   * The CPU target the compiler resolved the native flag to, e.g. `x86_64 -march=native (znver3)`.
   */
  target: string;
  /**
   * Built earlier on this host from the same source, compiler, BLAS and target, and reused.
   */
  cached?: boolean;
  /**
   * Built when the benchmark image was built, for its container tag's CPU target (recorded in `target`), and read back from the build record the image carries beside the program (`<image root>/bin/<program>.build.json`).
   */
  prebuiltInImage?: boolean;
  /**
   * The Spack (archspec) target a program built by Spack was built for, e.g. `zen3`. Spack's compiler wrapper adds the target's flags without showing them, so `flags` alone does not say it.
   */
  spackTarget?: string;
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

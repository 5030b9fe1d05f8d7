/* DO NOT EDIT: generated from schemas/benchmark-result.schema.json by `npm run generate:types`. */

/**
 * One run of the benchmark runner on one boot of one host: provenance, host, and per benchmark its parameters, every trial, statistics, validity and raw files with SHA-256. First version (0); the results issue makes it v1. Never holds an account id, instance id or private IP.
 */
export interface BenchmarkResult {
  schemaVersion: 0;
  runId: string;
  startedAt: string;
  finishedAt: string;
  runner: RunnerProvenance;
  host: Host;
  benchmarks: BenchmarkRun[];
  rawFiles: RawFile[];
}
export interface RunnerProvenance {
  version: string;
  gitCommit?: string;
  gitDirty?: boolean;
  containerImageDigest?: string;
}
export interface Host {
  architecture: "x86_64" | "arm64";
  cpuModel: string;
  cpuVendor?: string;
  microcode?: string;
  sockets?: number;
  cores?: number;
  threadsPerCore?: number;
  logicalCpus: number;
  numaNodes?: {
    id: number;
    cpus: number[];
    memoryMiB?: number;
  }[];
  memoryMiB: number;
  kernel: string;
  instanceType?: string;
  region?: string;
  availabilityZoneId?: string;
  amiId?: string;
}
export interface BenchmarkRun {
  benchmark: "stream" | "hpl" | "coremark";
  /**
   * e.g. `stream.c-openmp`, `hpcc-starstream`, `hpl-2.3`, `hpcc-hpl-2.0`, `coremark-pthread`; numbers from different implementations are never combined.
   */
  implementation: string;
  parameters: {
    [k: string]: string | number | boolean;
  };
  configurations: Configuration[];
  headline: {
    /**
     * The configuration fixed in advance for the headline, never the best of several.
     */
    configuration: string;
    metric: string;
  };
  validity: {
    valid: boolean;
    reason?: string;
  };
}
export interface Configuration {
  /**
   * e.g. `all-cores-spread`, `numa-node-0`, `single-thread`.
   */
  id: string;
  description: string;
  placement?: {
    [k: string]: string | number | boolean;
  };
  trials: Trial[];
  statistics: {
    [k: string]: Statistics;
  };
}
export interface Trial {
  index: number;
  valid: boolean;
  invalidReason?: string;
  metrics: {
    [k: string]: Quantity;
  };
  /**
   * Path of the trial's raw output within rawFiles.
   */
  rawFile?: string;
}
export interface Quantity {
  value: number;
  /**
   * Explicit unit, e.g. `MB/s` (10^6 bytes), `GFLOPS`, `iterations/s`, `s`.
   */
  unit: string;
}
export interface Statistics {
  n: number;
  median: number;
  medianInterval?: {
    low: number;
    high: number;
    /**
     * Achieved coverage of the order-statistic interval.
     */
    confidence: number;
  };
  mean: number;
  standardDeviation?: number;
  coefficientOfVariation?: number;
  min: number;
  max: number;
  unit: string;
}
export interface RawFile {
  path: string;
  sha256: string;
  bytes: number;
}

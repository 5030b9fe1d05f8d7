/* DO NOT EDIT: generated from schemas/benchmark-result.schema.json by `npm run generate:types`. */

/**
 * A file's path inside the run's directory, in normal form: relative, '/'-separated, no empty, '.' or '..' segment, no backslash or control character. Everything that checks or excludes a path (checksums, private/) compares this form, so one file has one name.
 */
export type RunPath = string;

/**
 * One run of the benchmark runner on one boot of one host: provenance, host, and per benchmark its implementation, parameters, every trial, per-configuration statistics, the headline (a configuration fixed in advance), validity, and every raw file with its SHA-256. Never holds an account id, instance id or private IP. Version 1.
 */
export interface BenchmarkResult {
  schemaVersion: 1;
  runId: string;
  startedAt: string;
  finishedAt: string;
  runner: RunnerProvenance;
  host: Host;
  benchmarks: BenchmarkRun[];
  rawFiles: RawFile[];
  toolchain?: Toolchain;
  container?: ContainerProvenance;
  /**
   * Benchmarks that did not run, with the reason and the command that fixes it.
   */
  skipped?: {
    /**
     * A registered benchmark's name (e.g. stream, hpl, coremark) or a custom benchmark's name.
     */
    benchmark: string;
    reason: string;
    fix: string;
  }[];
  /**
   * The run was interrupted; the result holds what finished.
   */
  interrupted?: boolean;
  /**
   * Raw files in which host names, private IPs, instance ids, ARNs with account ids or AWS credentials were replaced by <redacted> before checksumming.
   */
  redactedFiles?: RunPath[];
}
export interface RunnerProvenance {
  version: string;
  gitCommit?: string;
  gitDirty?: boolean;
  /**
   * SHA-256 of the runner bundle that ran.
   */
  bundleSha256?: string;
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
  /**
   * Cache size per level (`l1d`, `l2`, `l3`), per instance of that cache.
   */
  cacheBytes?: {
    [k: string]: number;
  };
  /**
   * Simultaneous multithreading active.
   */
  smt?: boolean;
  availableMemoryMiB?: number;
}
export interface BenchmarkRun {
  /**
   * A registered benchmark's name (built in: `stream`, `hpl`, `coremark`; src/benchmarks/registry.ts), or `custom` for one declared in a custom-benchmark file (see `custom`).
   */
  benchmark: string;
  /**
   * e.g. `stream.c-openmp`, `hpcc-starstream`, `hpl-2.3`, `hpcc-hpl-2.0`, `coremark-pthread`, `aws-bench-membw` (the project's own bandwidth kernel, recorded as benchmark `membw`, never as `stream`); numbers from different implementations are never combined.
   */
  implementation: string;
  /**
   * Array size, NTIMES, N, NB, P×Q, ranks × threads, iterations…, and which limit set them.
   */
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
    statistics?: Statistics;
  };
  validity: {
    valid: boolean;
    reason?: string;
    validTrials?: number;
    trials?: number;
  };
  build?: BuildProvenance;
  /**
   * A measurement beside the benchmark's headline (e.g. HPCC's SingleSTREAM, its own implementation): its headline is its own fixed configuration, and it never stands for the benchmark in rankings.
   */
  supplementary?: boolean;
  /**
   * Whether the run followed the benchmark's own run rules (bandwidth: each array at least 4× the sum of all last-level caches and at least 10 M elements). Absent where no such rule is checked (a prebuilt program). A non-conforming section keeps its trials and per-configuration statistics, but its headline carries no statistics: it is never a headline figure.
   */
  conforming?: boolean;
  /**
   * The run rule a non-conforming section failed, with the numbers (e.g. HPCC's STREAM arrays below STREAM's array rule).
   */
  nonConformingReason?: string;
  custom?: {
    name: string;
    /**
     * SHA-256 of the definition file that ran.
     */
    definitionSha256: string;
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
/**
 * One trial of one configuration: its metrics, whether it is valid, and `rawFile`, the path of its raw output (one of rawFiles).
 */
export interface Trial {
  index: number;
  valid: boolean;
  invalidReason?: string;
  metrics: {
    [k: string]: Quantity;
  };
  rawFile?: RunPath;
  startedAt?: string;
  durationSeconds?: number;
}
export interface Quantity {
  /**
   * null when the program printed inf or nan (the trial is then invalid).
   */
  value: number | null;
  /**
   * Explicit unit, e.g. `MB/s` (10^6 bytes per second), `GB/s`, `GFLOPS`, `iterations/s`, `s`.
   */
  unit: string;
  /**
   * The number exactly as the program printed it.
   */
  printed?: string;
}
export interface Statistics {
  n: number;
  median: number;
  medianInterval?: {
    low: number;
    high: number;
    /**
     * @minItems 2
     * @maxItems 2
     */
    ranks: number[];
    /**
     * Coverage the order-statistic interval achieves.
     */
    confidence: number;
    target: number;
    /**
     * False when n is too small for the target (n < 6 for 95 %).
     */
    meetsTarget: boolean;
  };
  mean: number;
  standardDeviation?: number;
  coefficientOfVariation?: number;
  min: number;
  max: number;
  unit: string;
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
export interface RawFile {
  path: RunPath;
  sha256: string;
  bytes: number;
}
export interface Toolchain {
  /**
   * e.g. `gcc 14.2.0`.
   */
  compiler?: string;
  compilerFlags?: string;
  /**
   * e.g. `Open MPI 5.0.7`.
   */
  mpi?: string;
  /**
   * e.g. `OpenBLAS 0.3.29`.
   */
  blas?: string;
  libraries?: {
    [k: string]: string;
  };
}
/**
 * The benchmark image the run ran in. Absent for a run outside an image (run --target local on a workstation); every run collected from a batch carries it, with the digest the batch launched.
 */
export interface ContainerProvenance {
  /**
   * Repository and tag, without registry credentials.
   */
  image?: string;
  /**
   * The manifest digest the image was pulled and run by (the instance's user-data passes it in as BENCHMARK_IMAGE_DIGEST).
   */
  imageDigest: string;
  /**
   * The container tag the image was built for (configs/container-tags.json), as the image states it.
   */
  containerTag?: string;
}

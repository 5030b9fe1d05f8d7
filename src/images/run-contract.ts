/**
 * The run contract: how every benchmark image is run — by tests, by instance user-data and in the docs — from
 * this one function. Host networking (IMDS, no NAT), host IPC (MPI shared memory), SYS_NICE (numactl binds
 * memory under the default seccomp profile), locked-memory and process limits for MPI, and the results
 * directory mounted at /results (writable by uid 1000, the image's user). All three limits are passed together
 * because podman replaces every configured limit when one is given. The environment tells the runner what it
 * cannot learn inside: the digest of the image it runs in (`BENCHMARK_IMAGE_DIGEST`), recorded in every result.
 */

/** Resource limits passed to the engine (`soft:hard`). */
export interface ContainerLimits {
  /** Locked memory in bytes, or -1 for unlimited (MPI registers memory). */
  memlock: string;
  /** Open files. */
  nofile: string;
  /** Processes. */
  nproc: string;
}

/** Limits for a benchmark instance: unlimited locked memory, generous files and processes. */
export const defaultLimits: ContainerLimits = { memlock: "-1:-1", nofile: "65536:65536", nproc: "65536:65536" };

/** What to run. */
export interface RunContract {
  /** Host directory mounted at /results. */
  resultsDir: string;
  /** Image reference. */
  image: string;
  /** Arguments to the image's entrypoint, e.g. `["run", "--benchmarks", "stream,hpl"]`. */
  runnerArgs: readonly string[];
  /** Resource limits (default {@link defaultLimits}); a sandbox may need lower ones. */
  limits?: ContainerLimits;
  /** Environment variables for the runner, e.g. `{ BENCHMARK_IMAGE_DIGEST: "sha256:…" }`, passed in key order. */
  env?: Readonly<Record<string, string>>;
}

/**
 * The variable naming the digest (`sha256:<64 hex>`) of the image a run is in; user-data sets it on instances. Not
 * `AWS_BENCH_…`: the CLI reads every `AWS_BENCH_*` variable as one of its flags.
 */
export const imageDigestVariable = "BENCHMARK_IMAGE_DIGEST";

/** The engine arguments (after `docker`/`podman`) that run a benchmark image. */
export function runContractArgs(contract: RunContract): string[] {
  const limits = contract.limits ?? defaultLimits;
  return [
    "run",
    "--rm",
    "--network",
    "host",
    "--ipc=host",
    "--cap-add",
    "SYS_NICE",
    "--ulimit",
    `memlock=${limits.memlock}`,
    "--ulimit",
    `nofile=${limits.nofile}`,
    "--ulimit",
    `nproc=${limits.nproc}`,
    "-v",
    `${contract.resultsDir}:/results`,
    ...Object.keys(contract.env ?? {})
      .sort()
      .flatMap((key) => ["--env", `${key}=${(contract.env as Record<string, string>)[key] as string}`]),
    contract.image,
    ...contract.runnerArgs,
  ];
}

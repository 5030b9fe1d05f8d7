import { sha256Hex } from "../../src/checksums.js";
import type { BenchmarkResult } from "../../src/schemas/generated/benchmark-result.js";
import { output } from "./fixtures.js";

/** The digest stacks/program-under-mocks.ts gives every image the batch program builds and pushes. */
export const mockPushedImageDigest = `sha256:${"a".repeat(64)}`;

/** The smallest valid result document, for tests to extend. */
export function minimalResult(overrides: Partial<BenchmarkResult> = {}): BenchmarkResult {
  return {
    schemaVersion: 1,
    runId: "run-1",
    startedAt: "2026-11-28T17:00:00Z",
    finishedAt: "2026-11-28T17:05:00Z",
    runner: { version: "0.1.0" },
    host: { architecture: "x86_64", cpuModel: "AMD EPYC 7R13", logicalCpus: 2, memoryMiB: 8192, kernel: "6.1.0" },
    benchmarks: [],
    rawFiles: [],
    ...overrides,
  };
}

/**
 * A summarized run in memory (no files): an m7i-class host of `instanceType`, in a container, with one STREAM section
 * whose configuration `main` (the headline) measured `triad` MB/s, and each of `otherConfigurations` its own triad.
 */
export function triadResult(options: {
  runId: string;
  instanceType: string;
  triad: number;
  region?: string;
  otherConfigurations?: Record<string, number>;
}): BenchmarkResult {
  const configuration = (id: string, value: number) => ({
    id,
    description: id,
    statistics: {},
    trials: [{ index: 0, valid: true, metrics: { triad: { value, unit: "MB/s", printed: "x" } } }],
  });
  return minimalResult({
    runId: options.runId,
    host: {
      architecture: "x86_64",
      cpuModel: "Intel(R) Xeon(R) Platinum 8488C",
      logicalCpus: 2,
      memoryMiB: 8192,
      kernel: "6.1.0",
      instanceType: options.instanceType,
      ...(options.region ? { region: options.region } : {}),
    },
    container: { imageDigest: `sha256:${"a".repeat(64)}` },
    benchmarks: [
      {
        benchmark: "stream",
        implementation: "stream",
        parameters: {},
        configurations: [
          ...Object.entries(options.otherConfigurations ?? {}).map(([id, value]) => configuration(id, value)),
          configuration("main", options.triad),
        ],
        headline: { configuration: "main", metric: "triad" },
        validity: { valid: true, validTrials: 1, trials: 1 },
      },
    ],
  });
}

/** One run as the runner leaves it: the result document and its raw files (path → bytes). */
export interface RunFiles {
  result: BenchmarkResult;
  raw: Map<string, Buffer>;
}

/** Where a STREAM trial's output goes in a run, as the runner names it. */
export const streamTrialPath = "raw/stream/all-cores-spread/trial-1.txt";

/** A STREAM run's raw files as the runner leaves them: one trial's output (real STREAM 5.10) and the build log. */
export function streamRawFiles(): Map<string, Buffer> {
  return new Map([
    [streamTrialPath, Buffer.from(output("shared/stream-omp-10M-ntimes10-t2.txt"))],
    ["build/stream.log", Buffer.from("cc -O3 -fopenmp -DSTREAM_ARRAY_SIZE=10000000 -DNTIMES=10 stream.c -o stream\n")],
  ]);
}

/**
 * A run on an EC2 instance as the runner writes it: the host with the instance type, region and zone ID from the
 * identity document, one STREAM trial (a real STREAM 5.10 output, its Triad the headline), the image it ran in
 * (`imageDigest`, default the digest the shared Pulumi mocks give a pushed image) and `rawFiles` with the size and
 * SHA-256 of every file of `raw` (default: that trial's output and its build log).
 */
export function ec2Run(options: {
  runId: string;
  instanceType: string;
  architecture: "x86_64" | "arm64";
  region?: string;
  availabilityZoneId?: string;
  raw?: Map<string, Buffer>;
  imageDigest?: string;
}): RunFiles {
  const raw = options.raw ?? streamRawFiles();
  const triad = { n: 1, median: 30022.8, mean: 30022.8, min: 30022.8, max: 30022.8, unit: "MB/s" };
  const result = minimalResult({
    runId: options.runId,
    host: {
      architecture: options.architecture,
      cpuModel: options.architecture === "arm64" ? "Neoverse-V1" : "Intel(R) Xeon(R) Platinum 8488C",
      logicalCpus: 2,
      memoryMiB: options.architecture === "arm64" ? 4096 : 8192,
      kernel: "6.1.0",
      instanceType: options.instanceType,
      region: options.region ?? "us-east-1",
      ...(options.availabilityZoneId ? { availabilityZoneId: options.availabilityZoneId } : {}),
    },
    container: { imageDigest: options.imageDigest ?? mockPushedImageDigest },
    benchmarks: [
      {
        benchmark: "stream",
        implementation: "stream.c-openmp",
        parameters: { arraySize: 10_000_000, ntimes: 10 },
        configurations: [
          {
            id: "all-cores-spread",
            description: "all cores, one thread per core, spread and bound",
            trials: [
              {
                index: 0,
                valid: true,
                metrics: { triad: { value: 30022.8, unit: "MB/s", printed: "30022.8" } },
                ...(raw.has(streamTrialPath) ? { rawFile: streamTrialPath } : {}),
              },
            ],
            statistics: { triad },
          },
        ],
        headline: { configuration: "all-cores-spread", metric: "triad", statistics: triad },
        validity: { valid: true, validTrials: 1, trials: 1 },
      },
    ],
    rawFiles: [...raw].map(([path, bytes]) => ({ path, sha256: sha256Hex(bytes), bytes: bytes.length })),
  });
  return { result, raw };
}

/** result.json's bytes as the runner writes them. */
export function resultBytes(result: BenchmarkResult): Buffer {
  return Buffer.from(`${JSON.stringify(result, null, 2)}\n`);
}

/** SHA256SUMS as the runner writes it: `<sha256>  <path>` per line, in the order given. */
export function sha256Sums(entries: ReadonlyArray<readonly [path: string, sha256: string]>): Buffer {
  return Buffer.from(`${entries.map(([path, sum]) => `${sum}  ${path}`).join("\n")}\n`);
}

/** Where an instance's run lies in the results bucket: `<prefix>/results/aws-bench-results/<runId>`. */
export function runKeyPrefix(prefix: string, runId: string): string {
  return `${prefix}/results/aws-bench-results/${runId}`;
}

/**
 * The objects an instance leaves under its results prefix (`batches/<batch>/<type>/<repeat>`): the run's raw
 * files, result.json, SHA256SUMS covering both (the runner's order: raw files, then result.json), the identity
 * document under private/, user-data.log and status.json. `resultJson` and `sums` replace what the runner would
 * write (`sums: null` leaves SHA256SUMS out).
 */
export function uploadedRun(
  prefix: string,
  run: RunFiles,
  options: { resultJson?: Buffer; sums?: Buffer | null; status?: Record<string, unknown> } = {},
): Map<string, Buffer> {
  const dir = runKeyPrefix(prefix, run.result.runId);
  const json = options.resultJson ?? resultBytes(run.result);
  const objects = new Map<string, Buffer>();
  for (const [path, bytes] of run.raw) objects.set(`${dir}/${path}`, bytes);
  objects.set(`${dir}/result.json`, json);
  const sums =
    options.sums === undefined
      ? sha256Sums([...run.result.rawFiles.map((f) => [f.path, f.sha256] as const), ["result.json", sha256Hex(json)]])
      : options.sums;
  if (sums) objects.set(`${dir}/SHA256SUMS`, sums);
  objects.set(
    `${dir}/private/instance-identity.json`,
    Buffer.from(
      JSON.stringify({ accountId: "123456789012", instanceId: "i-0123456789abcdef0", privateIp: "10.0.1.23" }),
    ),
  );
  objects.set(`${prefix}/user-data.log`, Buffer.from("aws-bench: done\n"));
  objects.set(
    `${prefix}/status.json`,
    Buffer.from(
      JSON.stringify(
        options.status ?? {
          state: "success",
          exitCode: 0,
          stage: "upload",
          error: "",
          startedAt: "2026-11-28T12:01:00Z",
          finishedAt: "2026-11-28T12:20:00Z",
        },
      ),
    ),
  );
  return objects;
}

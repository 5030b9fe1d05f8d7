/**
 * The runner's time estimate for an instance type before it exists: a host description built from the
 * catalogue record and the microarchitecture's facts, sized and estimated by each benchmark's own definition in
 * the registry — the same functions the runner uses on the instance (so the timers, deadlines and cost all come
 * from one estimate). Unknown facts are assumed on the long side: a timer that fires early loses a paid run.
 */
import { defaultTrials, estimateRunSeconds, plannedOnImage } from "../src/benchmarks/estimate.js";
import type { HostProbe } from "../src/benchmarks/host.js";
import type { BenchmarkName, BenchmarkRegistry } from "../src/benchmarks/registry.js";
import { builtinBenchmarks } from "../src/benchmarks/registry.js";
import type { MicroarchitectureFacts } from "../src/schemas/generated/architecture-mappings.js";
import type { InstanceTypeRecord } from "../src/schemas/generated/instance-catalog.js";

/** Run settings the estimate depends on. */
export interface EstimateSettings {
  /** Benchmarks to run. */
  benchmarks: BenchmarkName[];
  /** `--quick`. */
  quick?: boolean;
  /** Trials per configuration (default 5, quick 2). */
  trials?: number;
  /** HPL time budget in minutes. */
  hplMinutes?: number;
}

/** Seconds for program builds, probing and writing, on top of the benchmarks. */
export const runnerOverheadSeconds = 120;

/** The host the runner will find on `record`, as far as the catalogue and the facts tell. */
export function expectedHost(record: InstanceTypeRecord, facts: MicroarchitectureFacts | undefined): HostProbe {
  const sockets = record.vcpus >= 96 && record.bareMetal ? 2 : 1;
  const flopsFlags =
    (facts?.fp64FlopsPerCyclePerCore ?? 16) >= 32 ? ["avx", "avx2", "fma", "avx512f"] : ["avx", "avx2", "fma"];
  return {
    architecture: facts?.architecture ?? (record.architectures.some((a) => a.startsWith("arm64")) ? "arm64" : "x86_64"),
    cpuModel: facts?.name ?? "unknown",
    cpuVendor: facts?.vendor ?? "unknown",
    flags:
      facts?.architecture === "arm64"
        ? (facts.fp64FlopsPerCyclePerCore ?? 8) >= 16
          ? ["asimd", "sve"]
          : ["asimd"]
        : flopsFlags,
    ...(record.sustainedClockGhz ? { clockGhz: record.sustainedClockGhz } : {}),
    sockets,
    cores: record.defaultCores,
    threadsPerCore: record.defaultThreadsPerCore,
    logicalCpus: record.vcpus,
    firstThreadOfEachCore: Array.from({ length: record.defaultCores }, (_, i) => i),
    smt: record.defaultThreadsPerCore > 1,
    caches: [],
    // Not in the catalogue: 4 MiB of last-level cache per core errs towards bigger STREAM arrays (longer runs).
    lastLevelCacheBytes: record.defaultCores * 4 * 1024 ** 2,
    numaNodes: Array.from({ length: sockets }, (_, id) => ({ id, cpus: [] })),
    memoryMiB: record.memoryMiB,
    availableMemoryMiB: Math.floor(record.memoryMiB * 0.9),
    kernel: "unknown",
  };
}

/**
 * Predicted seconds of the planned benchmarks on `record` with the benchmark image's programs, looked up in
 * `registry` (the built-in benchmarks by default). The image's runner takes its own programs first — STREAM and
 * CoreMark built from its verified sources, the HPL 2.3 it built — with mpirun and numactl present (so STREAM's
 * per-NUMA-node configurations run), and falls back to HPCC if one fails; the estimate is the longer of the two, so
 * a timer never fires before either can finish.
 */
export function estimateBenchmarkSeconds(
  record: InstanceTypeRecord,
  facts: MicroarchitectureFacts | undefined,
  settings: EstimateSettings,
  registry: BenchmarkRegistry = builtinBenchmarks,
): number {
  const host = expectedHost(record, facts);
  const definitions = settings.benchmarks.map((name) => registry.require(name));
  const trials = settings.trials ?? defaultTrials(settings.quick);
  const runSettings = {
    quick: settings.quick ?? false,
    hplMinutes: settings.hplMinutes,
    flopsPerCycle: facts?.fp64FlopsPerCyclePerCore,
  };
  const own = estimateRunSeconds(
    host,
    definitions.map((definition) => ({ definition })),
    trials,
    runSettings,
    { mpirun: "mpirun", numactl: "numactl", asRoot: false },
  );
  const fallback = estimateRunSeconds(host, plannedOnImage(definitions), trials, runSettings, { asRoot: false });
  return Math.ceil(Math.max(own, fallback) + runnerOverheadSeconds);
}

import type { BenchmarkResult } from "../../src/schemas/generated/benchmark-result.js";

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

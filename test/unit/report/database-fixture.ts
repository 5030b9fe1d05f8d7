/**
 * Analyzed databases for the report's tests, made by src/analysis's own `buildDatabase` from runs described here
 * (one run per instance, one trial per metric), so the site is generated from exactly what `analyze` would hold.
 */
import type { CorpusRun } from "../../../src/analysis/corpus.js";
import { buildDatabase } from "../../../src/analysis/database.js";
import type { AnalysisDatabase } from "../../../src/schemas/generated/analysis-database.js";
import type { BenchmarkRun } from "../../../src/schemas/generated/benchmark-result.js";
import { minimalResult } from "../../helpers/results.js";

/** A CPU model string a hostile host could report: it must appear escaped everywhere. */
export const hostileCpuModel = `<img src=x onerror=alert(1)> "Xeon" & 'co'`;

/** One type of a fixture database. */
export interface FixtureType {
  vcpus: number;
  cores: number;
  architecture?: "x86_64" | "arm64";
  /** Per metric key `benchmark.metric`, one value per instance. */
  values: Record<string, number[]>;
  /** CPU model of each instance (default: one Xeon for all). */
  cpuModels?: string[];
}

const units: Record<string, string> = {
  "stream.triad": "MB/s",
  "hpl.gflops": "GFLOPS",
  "custom.seconds": "s",
};

function section(benchmark: string, metric: string, unit: string, value: number): BenchmarkRun {
  return {
    benchmark,
    implementation: benchmark,
    parameters: { arraySize: 80_000_000 },
    build: {
      source: { sha256: "ab".repeat(32), checksumOf: "file", verified: "sha256", pinned: `${benchmark} 1` },
      compiler: "cc (Debian 14.2.0-19) 14.2.0",
      flags: "-O3 -march=native -fopenmp",
      blas: "OpenBLAS",
      target: "x86_64 -march=native (znver3)",
    },
    configurations: [
      {
        id: "main",
        description: "main",
        trials: [{ index: 0, valid: true, metrics: { [metric]: { value, unit, printed: String(value) } } }],
        statistics: {},
      },
    ],
    headline: { configuration: "main", metric },
    validity: { valid: true, validTrials: 1, trials: 1 },
  };
}

/** A database of `types`, priced by `prices` (on-demand USD/hour, us-east-1). */
export function fixtureDatabase(
  types: Record<string, FixtureType>,
  prices: Record<string, number> = {},
): AnalysisDatabase {
  const runs: CorpusRun[] = [];
  for (const [type, plan] of Object.entries(types)) {
    const count = Math.max(...Object.values(plan.values).map((v) => v.length));
    for (let i = 0; i < count; i++) {
      const sections = Object.entries(plan.values).flatMap(([key, values]) => {
        const value = values[i];
        const [benchmark, metric] = key.split(".") as [string, string];
        return value === undefined ? [] : [section(benchmark, metric, units[key] ?? "units", value)];
      });
      runs.push({
        path: `${type}/b-${i}`,
        resultSha256: "0".repeat(64),
        evidence: "maintainer",
        result: minimalResult({
          runId: `${type}-${i}`,
          startedAt: `2026-11-01T00:${String(i).padStart(2, "0")}:00Z`,
          finishedAt: `2026-11-01T01:${String(i).padStart(2, "0")}:00Z`,
          host: {
            architecture: plan.architecture ?? "x86_64",
            cpuModel: plan.cpuModels?.[i] ?? "Intel(R) Xeon(R) Platinum 8488C",
            logicalCpus: plan.vcpus,
            cores: plan.cores,
            memoryMiB: 8192,
            kernel: "6.1.0",
            instanceType: type,
            region: "us-east-1",
          },
          container: { imageDigest: `sha256:${"a".repeat(64)}` },
          benchmarks: sections,
        }),
      });
    }
  }
  return buildDatabase({
    corpus: { runs, skipped: [] },
    asOf: "2026-12-01",
    prices: {
      schemaVersion: 1,
      region: "us-east-1",
      currency: "USD",
      source: { kind: "file", asOf: "2026-10-01" },
      onDemandUsdPerHour: prices,
    },
  }).database;
}

/** Three types: one with mixed CPU models (one hostile), one without a price, one on arm64. */
export function sampleDatabase(): AnalysisDatabase {
  return fixtureDatabase(
    {
      "m7i.large": {
        vcpus: 2,
        cores: 1,
        values: { "stream.triad": [10010, 10100, 9900, 10040, 9970, 10150], "hpl.gflops": [50, 52, 51] },
        cpuModels: [
          "Intel(R) Xeon(R) Platinum 8488C",
          hostileCpuModel,
          "Intel(R) Xeon(R) Platinum 8488C",
          hostileCpuModel,
          "Intel(R) Xeon(R) Platinum 8488C",
          hostileCpuModel,
        ],
      },
      "m7a.xlarge": { vcpus: 4, cores: 4, values: { "stream.triad": [15020, 14900, 15150, 15080, 14960, 15210] } },
      "c7g.large": { vcpus: 2, cores: 2, architecture: "arm64", values: { "stream.triad": [12000, 12100, 11900] } },
    },
    { "m7i.large": 0.1008, "c7g.large": 0.0725 },
  );
}

/** The database of no runs. */
export function emptyDatabase(): AnalysisDatabase {
  return fixtureDatabase({});
}

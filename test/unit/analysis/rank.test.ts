/**
 * `rank` and `compare` over a database (src/analysis/rank.ts): the per-vCPU, per-core, per-dollar-hour and
 * cost-to-solution transforms with their units (checked against arithmetic done here), one implementation at a time,
 * types below --min-instances listed unranked, and rows relative to a baseline.
 */
import { describe, expect, it } from "vitest";
import type { CorpusRun } from "../../../src/analysis/corpus.js";
import { buildDatabase } from "../../../src/analysis/database.js";
import { compareTypes, rankTypes, valuesPer, type RankOptions } from "../../../src/analysis/rank.js";
import { isBenchError } from "../../../src/errors.js";
import type { AnalysisDatabase } from "../../../src/schemas/generated/analysis-database.js";
import type { BenchmarkRun } from "../../../src/schemas/generated/benchmark-result.js";
import type { PriceSnapshot } from "../../../src/schemas/generated/price-snapshot.js";
import { minimalResult } from "../../helpers/results.js";

/** A section of one configuration `main` whose single trial reports `value` of `metric` in `unit`. */
function section(
  benchmark: string,
  metric: string,
  unit: string,
  value: number,
  implementation = benchmark,
): BenchmarkRun {
  return {
    benchmark,
    implementation,
    parameters: {},
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

interface TypePlan {
  vcpus: number;
  cores: number;
  /** One value per instance, per metric key `benchmark.metric`. */
  values: Record<string, number[]>;
}

const units: Record<string, string> = {
  "stream.triad": "MB/s",
  "hpl.gflops": "GFLOPS",
  "coremark.iterationsPerSecond": "iterations/s",
  "custom.seconds": "s",
};

/** A database of runs made from `types` (one run per instance, every metric in it), priced by `prices`. */
function database(types: Record<string, TypePlan>, prices: Record<string, number> = {}): AnalysisDatabase {
  const runs: CorpusRun[] = [];
  for (const [type, plan] of Object.entries(types)) {
    const count = Math.max(...Object.values(plan.values).map((v) => v.length));
    for (let i = 0; i < count; i++) {
      const runId = `${type}-${i}`;
      const sections = Object.entries(plan.values).flatMap(([key, values]) => {
        const value = values[i];
        const [benchmark, metric] = key.split(".") as [string, string];
        return value === undefined ? [] : [section(benchmark, metric, units[key] as string, value)];
      });
      runs.push({
        path: `${type}/b-${i}`,
        resultSha256: "0".repeat(64),
        evidence: "maintainer",
        result: minimalResult({
          runId,
          startedAt: `2026-11-01T00:${String(i).padStart(2, "0")}:00Z`,
          finishedAt: `2026-11-01T01:${String(i).padStart(2, "0")}:00Z`,
          host: {
            architecture: "x86_64",
            cpuModel: "Intel(R) Xeon(R) Platinum 8488C",
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
  const snapshot: PriceSnapshot = {
    schemaVersion: 1,
    region: "us-east-1",
    currency: "USD",
    source: { kind: "file", asOf: "2026-10-01" },
    onDemandUsdPerHour: prices,
    spotUsdPerHour: { "m7i.large": 1.2 },
    spotRangeUsdPerHour: { "m7i.large": { low: 0.9, high: 2.5, zones: 4 } },
  };
  return buildDatabase({ corpus: { runs, skipped: [] }, asOf: "2026-12-01", prices: snapshot }).database;
}

const median = (values: readonly number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

const rank = (db: AnalysisDatabase, options: Partial<RankOptions> & { metric: string }) =>
  rankTypes(db, { per: "instance", minInstances: 1, ...options });

function expectClose(actual: number | undefined, expected: number) {
  expect(actual).toBeDefined();
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(Math.abs(expected) * 1e-12);
}

function thrown(fn: () => unknown): { code: string; message: string; fix?: string | undefined } {
  try {
    fn();
  } catch (error) {
    if (isBenchError(error)) return { code: error.code, message: error.message, fix: error.fix };
    throw error;
  }
  throw new Error("expected a BenchError");
}

// Prices of 3.6 USD/hour make one USD-second = 0.001 USD, so costs to solution come out round.
const small = { vcpus: 2, cores: 1, values: { "stream.triad": [100, 200, 300], "hpl.gflops": [50, 100, 150] } };
const large = {
  vcpus: 4,
  cores: 4,
  values: { "stream.triad": [400, 500, 600], "hpl.gflops": [80, 90, 100], "coremark.iterationsPerSecond": [1e6] },
};
const priced = database({ "m7i.large": small, "m7a.xlarge": large }, { "m7i.large": 3.6, "m7a.xlarge": 7.2 });

describe("rank: the unit of the values", () => {
  it("per instance, per vCPU and per physical core divide each instance's value by the type's counts", () => {
    const medians = (per: RankOptions["per"]) =>
      Object.fromEntries(rank(priced, { metric: "stream.triad", per }).rows.map((row) => [row.type, row.median]));
    expect(medians("instance")).toEqual({ "m7i.large": 200, "m7a.xlarge": 500 });
    expect(medians("vcpu")).toEqual({ "m7i.large": 100, "m7a.xlarge": 125 });
    expect(medians("core")).toEqual({ "m7i.large": 200, "m7a.xlarge": 125 });
    expect(rank(priced, { metric: "stream.triad", per: "vcpu" }).unit).toBe("MB/s per vCPU");
    expect(rank(priced, { metric: "stream.triad", per: "core" }).unit).toBe("MB/s per core");
  });

  it("per dollar-hour divides by the on-demand price and names the snapshot", () => {
    const ranking = rank(priced, { metric: "stream.triad", per: "dollar-hour" });
    expect(ranking).toMatchObject({
      unit: "MB/s per USD/hour",
      higherIsBetter: true,
      price: { region: "us-east-1", snapshotDate: "2026-10-01" },
    });
    const byType = Object.fromEntries(ranking.rows.map((row) => [row.type, row]));
    expectClose(byType["m7i.large"]?.median, 200 / 3.6);
    expectClose(byType["m7a.xlarge"]?.median, 500 / 7.2);
    expect(byType["m7i.large"]?.price?.onDemandUsdPerHour).toBe(3.6);
    // Spot: the median across zones with its range, carried from the snapshot to the type's facts.
    expect(priced.types["m7i.large"]?.price).toMatchObject({
      spotUsdPerHour: 1.2,
      spotRangeUsdPerHour: { low: 0.9, high: 2.5, zones: 4 },
    });
  });

  it("per dollar-run is the cost to solution in USD per unit of work, lower is better", () => {
    // 3.6 USD/hour = 0.001 USD/s. STREAM: 200 MB/s → 0.001 / 2e8 B × 1e15 = 5000 USD per PB.
    const stream = rank(priced, { metric: "stream.triad", per: "dollar-run" });
    expect(stream).toMatchObject({ unit: "USD per PB moved", higherIsBetter: false });
    const streamCost = Object.fromEntries(stream.rows.map((row) => [row.type, row.median]));
    expectClose(streamCost["m7i.large"], 5000);
    expectClose(streamCost["m7a.xlarge"], (0.002 / 5e8) * 1e15);
    // Cheaper first: m7a.xlarge at 4000 USD/PB ranks above m7i.large at 5000.
    expect(stream.rows.map((row) => row.type)).toEqual(["m7a.xlarge", "m7i.large"]);
    // HPL: 100 GFLOPS → 0.001 / 1e11 FLOP × 1e15 = 10 USD per 10^15 FLOP.
    const hpl = rank(priced, { metric: "hpl.gflops", per: "dollar-run" });
    expect(hpl.unit).toBe("USD per 10^15 FLOP");
    expectClose(hpl.rows.find((row) => row.type === "m7i.large")?.median, 10);
    // The interval is the transformed instances' interval: the cheapest instance bounds it below.
    expectClose(hpl.rows.find((row) => row.type === "m7i.large")?.interval.low, (0.001 / 150e9) * 1e15);
    // CoreMark: 1e6 iterations/s at 7.2 USD/hour → 0.002 / 1e6 × 1e12 = 2000 USD per 10^12 iterations.
    const coremark = rank(priced, { metric: "coremark.iterationsPerSecond", per: "dollar-run" });
    expect(coremark.unit).toBe("USD per 10^12 iterations");
    expectClose(coremark.rows[0]?.median, 2000);
  });

  it("gives no cost to solution for a metric that is not a rate of work", () => {
    const db = database(
      { "m7i.large": { vcpus: 2, cores: 1, values: { "custom.seconds": [10, 11] } } },
      { "m7i.large": 1 },
    );
    expect(rank(db, { metric: "custom.seconds", per: "dollar-run" }).rows).toEqual([]);
    const summary = db.summaries.find((s) => s.metric === "custom.seconds");
    expect(summary && valuesPer(summary, "dollar-run", db.types["m7i.large"])).toBeUndefined();
    // Per dollar-hour a time is still divided by the price, and lower stays better.
    expect(rank(db, { metric: "custom.seconds", per: "dollar-hour" })).toMatchObject({
      higherIsBetter: false,
      rows: [{ median: 10.5 }],
    });
  });
});

describe("rank: what is ranked together", () => {
  it("refuses to mix implementations of one metric and ranks the one asked for", () => {
    const runs = database({
      "m7i.large": { vcpus: 2, cores: 1, values: { "stream.triad": [100, 110] } },
    });
    // The same type measured by HPCC's STREAM as well: a second implementation of stream.triad.
    const hpcc = database({ "m7a.large": { vcpus: 2, cores: 1, values: { "stream.triad": [90] } } });
    for (const summary of hpcc.summaries) summary.implementation = "hpcc-starstream";
    const mixed: AnalysisDatabase = {
      ...runs,
      types: { ...runs.types, ...hpcc.types },
      summaries: [...runs.summaries, ...hpcc.summaries],
    };
    const refused = thrown(() => rank(mixed, { metric: "stream.triad" }));
    expect(refused.code).toBe("InvalidArgument");
    expect(refused.message).toMatch(/measured by hpcc-starstream, stream, which are never ranked together/);
    expect(refused.fix).toMatch(/--implementation/);
    const chosen = rank(mixed, { metric: "stream.triad", implementation: "hpcc-starstream" });
    expect(chosen.implementation).toBe("hpcc-starstream");
    expect(chosen.rows.map((row) => row.type)).toEqual(["m7a.large"]);
    expect(thrown(() => rank(mixed, { metric: "stream.triad", implementation: "stream.c-serial" })).message).toMatch(
      /No stream\.triad runs of implementation stream\.c-serial/,
    );
  });

  it("lists types with fewer instances than --min-instances unranked, after the ranked ones", () => {
    const db = database({
      "m7i.large": { vcpus: 2, cores: 1, values: { "stream.triad": [100, 101, 102, 103, 104, 105] } },
      "m7a.large": { vcpus: 2, cores: 1, values: { "stream.triad": [200, 201, 202, 203, 204, 205] } },
      "c7i.large": { vcpus: 2, cores: 1, values: { "stream.triad": [900, 901] } },
    });
    const ranking = rank(db, { metric: "stream.triad", minInstances: 3 });
    expect(ranking.rows.map((row) => [row.type, row.rank, row.n])).toEqual([
      ["m7a.large", [1, 1], 6],
      ["m7i.large", [2, 2], 6],
      // The best median of all, but too few instances to be placed.
      ["c7i.large", null, 2],
    ]);
    expect(ranking.rows[2]?.flags).toEqual(["provisional", "unranked: fewer than 3 instances"]);
    expect(ranking.rows[2]?.provisional).toBe(true);
    expect(rank(db, { metric: "stream.triad", minInstances: 2 }).rows.every((row) => row.rank !== null)).toBe(true);
    expect(thrown(() => rank(db, { metric: "stream.triad", minInstances: 0 })).code).toBe("UsageError");
    expect(rank(db, { metric: "stream.triad", minInstances: 3, top: 1 }).rows.map((row) => row.type)).toEqual([
      "m7a.large",
    ]);
  });

  it("shows each row against a baseline: the ratio, its interval and a verdict", () => {
    const values = [100, 101, 102, 103, 104, 105];
    const db = database({
      "m7i.large": { vcpus: 2, cores: 1, values: { "stream.triad": values } },
      "m7a.large": { vcpus: 2, cores: 1, values: { "stream.triad": values.map((v) => v * 2) } },
      "c7i.large": { vcpus: 2, cores: 1, values: { "stream.triad": [150, 151] } },
    });
    const ranking = rank(db, { metric: "stream.triad", baseline: "m7i.large", margin: 0.03 });
    const byType = Object.fromEntries(ranking.rows.map((row) => [row.type, row.relative]));
    expect(byType["m7a.large"]).toMatchObject({ baseline: "m7i.large", verdict: "faster" });
    expectClose(byType["m7a.large"]?.ratio, 2);
    expect(byType["m7a.large"]?.low).toBeGreaterThan(1);
    // The baseline against itself: equivalent, ratio 1.
    expect(byType["m7i.large"]).toMatchObject({ ratio: 1, verdict: "equivalent" });
    // Too few instances: the ratio of medians, with no interval.
    expect(byType["c7i.large"]).toMatchObject({ verdict: "too-few-instances" });
    expectClose(byType["c7i.large"]?.ratio, 150.5 / median(values));
    expect(byType["c7i.large"]?.low).toBeUndefined();
    const unknown = thrown(() => rank(db, { metric: "stream.triad", baseline: "m9z.large" }));
    expect(unknown.message).toMatch(/baseline m9z\.large has no stream\.triad values/);
  });
});

describe("compareTypes", () => {
  it("compares B against A, and their price-performance when both are priced", () => {
    const result = compareTypes(priced, "m7i.large", "m7a.xlarge", { metric: "stream.triad", margin: 0.03 });
    expect(result).toMatchObject({ metric: "stream.triad", configuration: "main", unit: "MB/s" });
    expect(result.a).toMatchObject({ type: "m7i.large", n: 3, median: 200 });
    expect(result.b).toMatchObject({ type: "m7a.xlarge", n: 3, median: 500 });
    // 3 vs 3 cannot reach 95 % (best exact interval covers 1 − 2/20).
    expect(result.comparison).toMatchObject({ kind: "too-few-instances", reachableCoverage: 0.9 });
    expect(result.pricePerformance?.unit).toBe("MB/s per USD/hour");
    const unpriced = database({ "m7i.large": small, "m7a.xlarge": large }, { "m7i.large": 1 });
    expect(compareTypes(unpriced, "m7i.large", "m7a.xlarge", { metric: "stream.triad" }).pricePerformance).toBe(
      undefined,
    );
  });
});

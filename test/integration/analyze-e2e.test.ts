/**
 * `analyze` → `rank` / `compare` end to end over runs made by the real runner (test/helpers/corpus.ts): fake EC2
 * instances answered by a fake IMDS, a stand-in STREAM printing the Triad values chosen here, a custom benchmark
 * printing chosen times. Every number asserted is computed in this file from the chosen values by its own small
 * code (medians, order-statistic intervals and coverage, Mann–Whitney by enumeration, Holm, rank intervals), never by
 * calling src/analysis.
 */
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryIo } from "../../src/cli/io.js";
import { exec } from "../../src/cli/main.js";
import { checkDocument, type DocumentKind } from "../../src/schemas/documents.js";
import type { AnalysisDatabase } from "../../src/schemas/generated/analysis-database.js";
import type { ApiIndex } from "../../src/schemas/generated/api-index.js";
import type { ApiRanking } from "../../src/schemas/generated/api-ranking.js";
import type { InstanceCatalog } from "../../src/schemas/generated/instance-catalog.js";
import type { MetricSummary } from "../../src/schemas/generated/metric-summary.js";
import { useRunnerCorpus, type PlannedInstance } from "../helpers/corpus.js";

// ---------------------------------------------------------------------------------------------------------------
// The chosen values. Each instance's trials are its centre moved by fixed offsets in a rotating order, so the
// per-instance median (the centre) is not always the first trial.

/** Per-instance centres of Triad (MB/s), per type; the types' catalogue facts come from the shipped catalogue. */
const triadCentres: Record<string, number[]> = {
  // m7i.large and m6i.large interleave (equivalent); m7a.xlarge is clearly faster per instance, slower per vCPU.
  "m7i.large": [10010.5, 10100.5, 9900.5, 10040.5, 9970.5, 10150.5],
  "m6i.large": [10030.5, 9950.5, 10080.5, 9990.5, 10120.5, 9930.5],
  "m7a.xlarge": [15020.5, 14900.5, 15150.5, 15080.5, 14960.5, 15210.5],
  // Two instances each: too few for any interval at 95 %.
  "c7i.large": [11000.5, 11100.5],
  "c6i.large": [10500.5, 10400.5],
};

/** Trial offsets per type: 3 trials (odd median), 2 trials (even median: the mean of the two), or 1. */
const trialOffsets: Record<string, number[]> = {
  "m7i.large": [-7.5, 0, 12.5],
  "m6i.large": [-5, 5],
  "m7a.xlarge": [0],
  "c7i.large": [0],
  "c6i.large": [0],
};

/** Seconds of the custom benchmark (lower is better) per instance, for the two types that run it. */
const secondsCentres: Record<string, number[]> = {
  "m7i.large": [20.5, 20.1, 20.9, 20.3, 20.7, 20.2],
  "m7a.xlarge": [14.5, 14.2, 14.8, 14.4, 14.6, 14.3],
};

/** On-demand prices of the snapshot the test passes with --prices. */
const prices: Record<string, number> = {
  "m7i.large": 0.1008,
  "m6i.large": 0.096,
  "m7a.xlarge": 0.23184,
  "c7i.large": 0.08925,
  "c6i.large": 0.085,
};

const rotate = <T>(values: readonly T[], by: number): T[] =>
  values.map((_, i) => values[(i + by) % values.length] as T);
const round1 = (value: number) => Math.round(value * 10) / 10;

/** Offsets of the custom benchmark's trials (seconds), as many as the type's Triad trials. */
const secondsOffsets: Record<string, number[]> = { "m7i.large": [0.3, -0.2, 0], "m7a.xlarge": [0] };

function trialsOf(centre: number, offsets: readonly number[], instance: number): number[] {
  return rotate(offsets, instance).map((offset) => round1(centre + offset));
}

const plan: PlannedInstance[] = [
  ...Object.entries(triadCentres).flatMap(([type, centres]) =>
    centres.map((_, i): PlannedInstance => ({
      type,
      batch: "b20261101",
      repeat: i + 1,
      zoneId: i % 2 ? "use1-az2" : "use1-az1",
      triad: trialsOf(centres[i] as number, trialOffsets[type] ?? [0], i),
      ...(secondsCentres[type]
        ? { seconds: trialsOf(secondsCentres[type][i] as number, secondsOffsets[type] ?? [0], i) }
        : {}),
    })),
  ),
  // Workstation runs: no instance type, no image.
  { local: true, batch: "workstation", repeat: 1, triad: [8000.5] },
  { local: true, batch: "workstation", repeat: 2, triad: [8100.5] },
];

// ---------------------------------------------------------------------------------------------------------------
// Independent reference statistics.

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function choose(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c;
}

/**
 * The exact binomial interval for the median: the largest k with P(X(k) ≤ m ≤ X(n+1−k)) = 1 − 2·P(B ≤ k−1) ≥ 0.95,
 * else k = 1 with whatever [min, max] covers.
 */
function medianInterval(values: readonly number[]): { low: number; high: number; coverage: number } {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  const coverage = (k: number) => {
    let tail = 0;
    for (let j = 0; j <= k - 1; j++) tail += choose(n, j) / 2 ** n;
    return 1 - 2 * tail;
  };
  let k = 1;
  for (let candidate = 2; candidate <= Math.floor((n + 1) / 2); candidate++)
    if (coverage(candidate) >= 0.95) k = candidate;
  return { low: s[k - 1] as number, high: s[n - k] as number, coverage: coverage(k) };
}

/** All size-k subsets of n indices. */
function subsets(n: number, k: number): number[][] {
  if (k === 0) return [[]];
  if (n < k) return [];
  return [...subsets(n - 1, k - 1).map((s) => [...s, n - 1]), ...subsets(n - 1, k)];
}

/** U of y over x: pairs with y > x plus half the ties. */
function uOf(x: readonly number[], y: readonly number[]): number {
  let u = 0;
  for (const b of y) for (const a of x) u += b > a ? 1 : b === a ? 0.5 : 0;
  return u;
}

/** Exact two-sided Mann–Whitney p by enumerating every relabelling (doubling convention). */
function permutationP(x: readonly number[], y: readonly number[]): number {
  const pooled = [...x, ...y];
  const observed = uOf(x, y);
  let below = 0;
  let above = 0;
  const all = subsets(pooled.length, y.length);
  for (const ys of all) {
    const inY = new Set(ys);
    const u = uOf(
      pooled.filter((_, i) => !inY.has(i)),
      ys.map((i) => pooled[i] as number),
    );
    if (u <= observed + 1e-9) below++;
    if (u >= observed - 1e-9) above++;
  }
  return Math.min(1, (2 * Math.min(below, above)) / all.length);
}

/** Rank intervals: pairwise exact tests, Holm over all pairs at 5 %, [1 + #better, N − #worse]. */
function referenceRanks(groups: Record<string, number[]>, higherIsBetter: boolean): Record<string, [number, number]> {
  const names = Object.keys(groups);
  const pairs: Array<{ a: string; b: string; p: number; bHigher: boolean }> = [];
  for (let i = 0; i < names.length; i++)
    for (let j = i + 1; j < names.length; j++) {
      const x = groups[names[i] as string] as number[];
      const y = groups[names[j] as string] as number[];
      pairs.push({
        a: names[i] as string,
        b: names[j] as string,
        p: permutationP(x, y),
        bHigher: uOf(x, y) > (x.length * y.length) / 2,
      });
    }
  // Holm: step down through the sorted p-values; stop at the first that is not rejected.
  const sorted = [...pairs].sort((p, q) => p.p - q.p);
  const rejected = new Set<(typeof pairs)[number]>();
  for (const [i, pair] of sorted.entries()) {
    if (pair.p * (sorted.length - i) > 0.05) break;
    rejected.add(pair);
  }
  const better = new Map(names.map((name) => [name, 0]));
  const worse = new Map(names.map((name) => [name, 0]));
  for (const pair of rejected) {
    const bWins = pair.bHigher === higherIsBetter;
    const [winner, loser] = bWins ? [pair.b, pair.a] : [pair.a, pair.b];
    better.set(loser, (better.get(loser) ?? 0) + 1);
    worse.set(winner, (worse.get(winner) ?? 0) + 1);
  }
  return Object.fromEntries(
    names.map((name) => [
      name,
      [1 + (better.get(name) ?? 0), names.length - (worse.get(name) ?? 0)] as [number, number],
    ]),
  );
}

function expectClose(actual: number | undefined, expected: number, relative = 1e-12) {
  expect(actual).toBeDefined();
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(Math.abs(expected) * relative);
}

/** Per-instance values of a type (median of its trials), in the order planned. */
function instanceValues(type: string, metric: "triad" | "seconds"): number[] {
  return plan
    .filter((p) => p.type === type && !p.local)
    .map((p) => median(metric === "triad" ? p.triad : (p.seconds as number[])));
}

// ---------------------------------------------------------------------------------------------------------------
// The CLI in this process.

const corpus = useRunnerCorpus(plan);
let work: string;
let catalogFile: string;
let pricesFile: string;
let catalog: InstanceCatalog;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "aws-bench-analyze-e2e-"));
  const shipped = JSON.parse(
    readFileSync(join(import.meta.dirname, "..", "..", "data", "catalog", "instance-types.json"), "utf8"),
  ) as InstanceCatalog;
  catalog = { ...shipped, instanceTypes: shipped.instanceTypes.filter((t) => t.name in triadCentres) };
  catalogFile = join(work, "catalog.json");
  writeFileSync(catalogFile, JSON.stringify(catalog));
  pricesFile = join(work, "prices.json");
  writeFileSync(
    pricesFile,
    JSON.stringify({
      schemaVersion: 1,
      region: "us-east-1",
      currency: "USD",
      source: { kind: "file", file: "test-prices.csv", asOf: "2026-11-01" },
      onDemandUsdPerHour: prices,
    }),
  );
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function cli(args: string[]) {
  const io = memoryIo({ cwd: work, env: {} });
  const code = await exec(args, io);
  return { code, stdout: io.out(), stderr: io.err() };
}

let outCount = 0;
/** `analyze` of the corpus (or `inputs`) into a fresh folder; returns the folder and what it printed. */
async function analyzeInto(extra: string[] = [], inputs?: string[]) {
  const out = join(work, `out-${++outCount}`);
  const result = await cli([
    "analyze",
    ...(inputs ?? [corpus().root]).flatMap((input) => ["--input", input]),
    "--out",
    out,
    "--catalog",
    catalogFile,
    "--prices",
    pricesFile,
    "--as-of",
    "2026-12-01",
    ...extra,
  ]);
  return { out, ...result };
}

const readJson = <T>(path: string) => JSON.parse(readFileSync(path, "utf8")) as T;

function filesUnder(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((entry) => {
      const path = prefix ? `${prefix}/${entry.name}` : entry.name;
      return entry.isDirectory() ? filesUnder(dir, path) : [path];
    })
    .sort();
}

let database: AnalysisDatabase;
let dataDir: string;

describe("analyze over runs made by the real runner", () => {
  beforeAll(async () => {
    const { out, code, stderr } = await analyzeInto();
    expect(stderr).toBe("");
    expect(code).toBe(0);
    dataDir = out;
    database = readJson<AnalysisDatabase>(join(out, "processed", "latest.json"));
  });

  const headline = (type: string, metric = "stream.triad") =>
    database.summaries.find((s) => s.type === type && s.metric === metric && s.headline) as MetricSummary;

  it("reads every maintainer run, one value per instance: the median of its valid trials", () => {
    const types = Object.keys(triadCentres);
    expect(Object.keys(database.types).sort()).toEqual([...types].sort());
    for (const type of types) {
      const summary = headline(type);
      expect(summary, type).toBeDefined();
      expect(summary).toMatchObject({
        configuration: "all-cores-spread",
        implementation: "stream.c-openmp",
        unit: "MB/s",
        evidence: "maintainer",
        higherIsBetter: true,
      });
      expect(database.types[type]?.runs).toBe(triadCentres[type]?.length);
      // Oldest first = the order the runner made them = the order planned.
      expect(summary.instances.map((i) => i.value)).toEqual(instanceValues(type, "triad"));
      expect(summary.instances.map((i) => i.trials)).toEqual(summary.instances.map(() => trialOffsets[type]?.length));
      expect(summary.counts).toMatchObject({
        instances: triadCentres[type]?.length,
        trials: (triadCentres[type]?.length ?? 0) * (trialOffsets[type]?.length ?? 0),
        zones: 2,
      });
      expect(summary.instances.every((i) => i.evidence === "maintainer" && i.region === "us-east-1")).toBe(true);
    }
    // The stand-in printed each centre exactly; the median of 2 trials is their mean.
    expect(instanceValues("m7i.large", "triad")).toEqual(triadCentres["m7i.large"]);
    expect(instanceValues("m6i.large", "triad")).toEqual(triadCentres["m6i.large"]);
  });

  it("summarizes over instances: the median, and its order-statistic interval with the coverage it achieves", () => {
    for (const type of Object.keys(triadCentres)) {
      const values = instanceValues(type, "triad");
      const { statistics, flags } = headline(type);
      const expected = medianInterval(values);
      expect(statistics.n).toBe(values.length);
      expect(statistics.median).toBe(median(values));
      expect(statistics.medianInterval).toMatchObject({ low: expected.low, high: expected.high, target: 0.95 });
      expectClose(statistics.medianInterval.coverage, expected.coverage);
      expect(statistics.medianInterval.meetsTarget).toBe(expected.coverage >= 0.95);
      expect(statistics.min).toBe(Math.min(...values));
      expect(statistics.max).toBe(Math.max(...values));
      // Fewer than 6 instances: provisional.
      expect(flags.includes("provisional")).toBe(values.length < 6);
      expect(flags).not.toContain("stale");
    }
    // 6 instances: [min, max] at 1 − 2/64; 2 instances: [min, max] at 50 %.
    expectClose(headline("m7i.large").statistics.medianInterval.coverage, 1 - 2 / 64);
    expectClose(headline("c7i.large").statistics.medianInterval.coverage, 0.5);
  });

  it("ranks per instance with rank intervals equal to a brute-force reference; too few instances are unranked", async () => {
    const rankWith = async (extra: string[]) => {
      const { code, stdout } = await cli(["rank", "--metric", "stream.triad", "--data", dataDir, "--json", ...extra]);
      expect(code).toBe(0);
      return JSON.parse(stdout) as ApiRanking;
    };
    const referenceOver = (minInstances: number) =>
      referenceRanks(
        Object.fromEntries(
          Object.keys(triadCentres)
            .filter((type) => (triadCentres[type]?.length ?? 0) >= minInstances)
            .map((type) => [type, instanceValues(type, "triad")]),
        ),
        true,
      );
    const checkRows = (ranking: ApiRanking, minInstances: number, reference: Record<string, [number, number]>) => {
      expect(ranking).toMatchObject({ metric: "stream.triad", per: "instance", unit: "MB/s", higherIsBetter: true });
      for (const row of ranking.rows) {
        const values = instanceValues(row.type, "triad");
        expect(row.n).toBe(values.length);
        expect(row.median).toBe(median(values));
        const interval = medianInterval(values);
        expect(row.interval).toMatchObject({ low: interval.low, high: interval.high });
        expectClose(row.interval.coverage, interval.coverage);
        if (values.length >= minInstances) expect(row.rank, row.type).toEqual(reference[row.type]);
        else {
          expect(row.rank).toBeNull();
          expect(row.flags).toContain(`unranked: fewer than ${minInstances} instances`);
        }
      }
    };
    // Only the types of 6: clearly separated m7a.xlarge alone at 1; m7i and m6i overlap and share [2, 3].
    const ofSix = referenceOver(3);
    expect(ofSix).toEqual({ "m7i.large": [2, 3], "m6i.large": [2, 3], "m7a.xlarge": [1, 1] });
    const three = await rankWith(["--min-instances", "3"]);
    checkRows(three, 3, ofSix);
    expect(three.rows.map((row) => row.type)).toEqual([
      "m7a.xlarge",
      "m7i.large", // [2, 3], then by median: m7i 10025.5 > m6i 10010.5
      "m6i.large",
      "c7i.large", // unranked, after the ranked rows
      "c6i.large",
    ]);
    expect(median(instanceValues("m7i.large", "triad"))).toBeGreaterThan(median(instanceValues("m6i.large", "triad")));
    // Every type (the default): 10 pairs under Holm; 2 instances can never be told from anything (p ≥ 2/28), and
    // the extra tests widen m7a.xlarge's interval to [1, 3].
    const all = referenceOver(1);
    expect(all).toEqual({
      "m7i.large": [2, 5],
      "m6i.large": [2, 5],
      "m7a.xlarge": [1, 3],
      "c7i.large": [1, 5],
      "c6i.large": [1, 5],
    });
    checkRows(await rankWith([]), 1, all);
  });

  it("answers the published query from api/v1/rankings, byte for byte what ranking again gives, and ignores an edited file", async () => {
    const published = await cli(["rank", "--metric", "stream.triad", "--data", dataDir, "--json"]);
    // --top with more rows than there are types forces a fresh ranking from the database.
    const fresh = await cli(["rank", "--metric", "stream.triad", "--data", dataDir, "--json", "--top", "999"]);
    const file = join(dataDir, "api", "v1", "rankings", "stream.triad.json");
    expect([published.code, published.stdout]).toEqual([0, readFileSync(file, "utf8")]);
    expect(fresh.stdout).toBe(published.stdout);
    // An edited published ranking no longer matches the index's SHA-256: rank ranks again instead of printing it.
    const original = readFileSync(file, "utf8");
    try {
      writeFileSync(file, original.replace(/"median": (\d)/, '"median": 9$1'));
      expect(readFileSync(file, "utf8")).not.toBe(original);
      const afterEdit = await cli(["rank", "--metric", "stream.triad", "--data", dataDir, "--json"]);
      expect(afterEdit.stdout).toBe(original);
    } finally {
      writeFileSync(file, original);
    }
  });

  it("ranks a lower-is-better metric (a custom benchmark's seconds) with the direction reversed", async () => {
    const { code, stdout } = await cli(["rank", "--metric", "custom.seconds", "--data", dataDir, "--json"]);
    expect(code).toBe(0);
    const ranking = JSON.parse(stdout) as ApiRanking;
    expect(ranking).toMatchObject({ unit: "s", higherIsBetter: false, implementation: "custom-solve" });
    const reference = referenceRanks(
      { "m7i.large": instanceValues("m7i.large", "seconds"), "m7a.xlarge": instanceValues("m7a.xlarge", "seconds") },
      false,
    );
    expect(reference).toEqual({ "m7a.xlarge": [1, 1], "m7i.large": [2, 2] });
    expect(ranking.rows.map((row) => [row.type, row.rank, row.median])).toEqual([
      ["m7a.xlarge", [1, 1], median(instanceValues("m7a.xlarge", "seconds"))],
      ["m7i.large", [2, 2], median(instanceValues("m7i.large", "seconds"))],
    ]);
  });

  it("ranks per vCPU, per core, per dollar-hour and per dollar-run with the catalogue's and snapshot's facts", async () => {
    const facts = (type: string) =>
      catalog.instanceTypes.find((t) => t.name === type) as InstanceCatalog["instanceTypes"][number];
    const per = async (kind: string) => {
      const { code, stdout, stderr } = await cli([
        "rank",
        "--metric",
        "stream.triad",
        "--data",
        dataDir,
        "--per",
        kind,
        "--min-instances",
        "6",
        "--json",
      ]);
      expect(stderr).toBe("");
      expect(code).toBe(0);
      return JSON.parse(stdout) as ApiRanking;
    };
    const vcpu = await per("vcpu");
    expect(vcpu.unit).toBe("MB/s per vCPU");
    for (const row of vcpu.rows)
      expectClose(row.median, median(instanceValues(row.type, "triad").map((v) => v / facts(row.type).vcpus)));
    // m7a.xlarge has 4 vCPUs: fastest per instance, last per vCPU.
    expect(facts("m7a.xlarge").vcpus).toBe(4);
    expect(vcpu.rows.at(-3)?.type).toBe("m7a.xlarge");
    const core = await per("core");
    expect(core.unit).toBe("MB/s per core");
    for (const row of core.rows)
      expectClose(row.median, median(instanceValues(row.type, "triad").map((v) => v / facts(row.type).defaultCores)));
    const hour = await per("dollar-hour");
    expect(hour).toMatchObject({
      unit: "MB/s per USD/hour",
      price: { region: "us-east-1", snapshotDate: "2026-11-01" },
    });
    for (const row of hour.rows) {
      expectClose(row.median, median(instanceValues(row.type, "triad").map((v) => v / (prices[row.type] as number))));
      expect(row.price?.onDemandUsdPerHour).toBe(prices[row.type]);
    }
    // Cost to solution: USD per PB of Triad traffic = (USD per second) / (bytes per second) × 10^15; lower is better.
    const run = await per("dollar-run");
    expect(run).toMatchObject({ unit: "USD per PB moved", higherIsBetter: false });
    for (const row of run.rows) {
      const usdPerPb = instanceValues(row.type, "triad").map(
        (mbPerS) => ((prices[row.type] as number) / 3600 / (mbPerS * 1e6)) * 1e15,
      );
      expectClose(row.median, median(usdPerPb), 1e-9);
    }
    // Unranked rows (2 instances, --min-instances 6) come last, with the reason.
    expect(
      run.rows.slice(-2).every((row) => row.rank === null && row.flags.includes("unranked: fewer than 6 instances")),
    ).toBe(true);
    const ranks = referenceRanks(
      Object.fromEntries(
        ["m7i.large", "m6i.large", "m7a.xlarge"].map((type) => [
          type,
          instanceValues(type, "triad").map((v) => ((prices[type] as number) / 3600 / (v * 1e6)) * 1e15),
        ]),
      ),
      false,
    );
    for (const row of run.rows.slice(0, 3)) expect(row.rank, row.type).toEqual(ranks[row.type]);
  });

  it("shows every row against a baseline with its ratio and verdict", async () => {
    const { code, stdout } = await cli([
      "rank",
      "--metric",
      "stream.triad",
      "--data",
      dataDir,
      "--baseline",
      "m7i.large",
      "--json",
    ]);
    expect(code).toBe(0);
    const rows = (JSON.parse(stdout) as ApiRanking).rows;
    const base = median(instanceValues("m7i.large", "triad"));
    const faster = rows.find((row) => row.type === "m7a.xlarge");
    expect(faster?.relative).toMatchObject({ baseline: "m7i.large", verdict: "faster" });
    expectClose(faster?.relative?.ratio, median(instanceValues("m7a.xlarge", "triad")) / base);
    const few = rows.find((row) => row.type === "c7i.large");
    expect(few?.relative).toMatchObject({ verdict: "too-few-instances" });
    expectClose(few?.relative?.ratio, median(instanceValues("c7i.large", "triad")) / base);
  });

  it("compares a clearly faster pair (6 vs 6: bootstrap) and an equivalent pair, and says when there are too few", async () => {
    const compare = async (a: string, b: string) => {
      const { code, stdout } = await cli(["compare", a, b, "--metric", "stream.triad", "--data", dataDir, "--json"]);
      expect(code).toBe(0);
      return JSON.parse(stdout) as {
        a: { type: string; n: number; median: number };
        b: { type: string; n: number; median: number };
        comparison: {
          kind: string;
          estimate?: number;
          interval?: { low: number; high: number; coverage: number };
          verdict: string;
          reachableCoverage?: number;
          method: string;
        };
        pricePerformance?: { comparison: { verdict: string; estimate?: number } };
      };
    };
    const fast = await compare("m7i.large", "m7a.xlarge");
    const ratio = median(instanceValues("m7a.xlarge", "triad")) / median(instanceValues("m7i.large", "triad"));
    expect(fast.comparison).toMatchObject({ kind: "bootstrap", verdict: "faster" });
    expectClose(fast.comparison.estimate, ratio);
    // Every bootstrap ratio lies between the extreme ratios of the two samples' values.
    const lowest =
      Math.min(...instanceValues("m7a.xlarge", "triad")) / Math.max(...instanceValues("m7i.large", "triad"));
    const highest =
      Math.max(...instanceValues("m7a.xlarge", "triad")) / Math.min(...instanceValues("m7i.large", "triad"));
    expect(fast.comparison.interval?.low).toBeGreaterThanOrEqual(lowest);
    expect(fast.comparison.interval?.high).toBeLessThanOrEqual(highest);
    expect(fast.comparison.interval?.low).toBeGreaterThan(1);
    expect(fast.a).toMatchObject({ type: "m7i.large", n: 6, median: median(instanceValues("m7i.large", "triad")) });
    // Per dollar-hour m7a.xlarge costs 2.3 times as much for 1.5 times the bandwidth: worse.
    expect(fast.pricePerformance?.comparison.verdict).toBe("slower");

    const same = await compare("m7i.large", "m6i.large");
    expect(same.comparison.kind).toBe("bootstrap");
    expectClose(
      same.comparison.estimate,
      median(instanceValues("m6i.large", "triad")) / median(instanceValues("m7i.large", "triad")),
    );
    expect(same.comparison.verdict).toBe("equivalent");
    expect(same.comparison.interval?.low).toBeLessThan(1);
    expect(same.comparison.interval?.high).toBeGreaterThan(1);

    const few = await compare("c7i.large", "c6i.large");
    expect(few.comparison).toMatchObject({ kind: "too-few-instances", verdict: "too-few-instances" });
    // The widest exact Mann–Whitney interval for 2 vs 2 leaves out the two extreme arrangements of C(4, 2).
    expectClose(few.comparison.reachableCoverage, 1 - 2 / choose(4, 2));
  });

  it("writes the same bytes twice from the same runs", async () => {
    const again = await analyzeInto();
    expect(again.code).toBe(0);
    const first = filesUnder(dataDir);
    expect(filesUnder(again.out)).toEqual(first);
    expect(first).toContain("processed/historical/stream.triad.csv");
    for (const file of first)
      expect(readFileSync(join(again.out, file), "utf8"), file).toBe(readFileSync(join(dataDir, file), "utf8"));
  });

  it("writes API files that follow their schemas, indexed with their SHA-256 and size", async () => {
    const kinds: Array<[RegExp, DocumentKind]> = [
      [/^processed\/latest\.json$/, "analysis-database"],
      [/^api\/v1\/index\.json$/, "api-index"],
      [/^api\/v1\/types\/.+\.json$/, "api-type"],
      [/^api\/v1\/rankings\/.+\.json$/, "api-ranking"],
    ];
    const files = filesUnder(dataDir);
    const checked: string[] = [];
    for (const file of files.filter((f) => f.endsWith(".json"))) {
      const document: unknown = readJson(join(dataDir, file));
      // Files of other kinds (openapi.json) follow no schema of this project; they must still be JSON.
      const kind = kinds.find(([pattern]) => pattern.test(file))?.[1];
      if (!kind) continue;
      const verdict = await checkDocument(kind, document);
      expect(verdict.valid ? [] : verdict.errors, file).toEqual([]);
      checked.push(file);
    }
    expect(checked).toEqual(
      expect.arrayContaining([
        "processed/latest.json",
        "api/v1/index.json",
        ...Object.keys(triadCentres).map((type) => `api/v1/types/${type}.json`),
        "api/v1/rankings/stream.triad.json",
        "api/v1/rankings/custom.seconds.json",
      ]),
    );
    const index = readJson<ApiIndex>(join(dataDir, "api", "v1", "index.json"));
    const listed = index.files.map((f) => f.path).sort();
    expect(listed).toEqual(
      files.filter((f) => f.startsWith("api/v1/") && f !== "api/v1/index.json").map((f) => f.slice(7)),
    );
    for (const entry of index.files) {
      const bytes = readFileSync(join(dataDir, "api", "v1", entry.path));
      expect(entry.sha256, entry.path).toBe(createHash("sha256").update(bytes).digest("hex"));
      expect(entry.bytes).toBe(bytes.length);
    }
    expect(index.types.map((t) => t.type)).toEqual(Object.keys(triadCentres).sort());
    expect(index.metrics.map((m) => m.metric)).toEqual(expect.arrayContaining(["stream.triad", "custom.seconds"]));
  });

  it("skips workstation runs without --include-local, saying why, and labels them local with it", async () => {
    const localPaths = plan.filter((p) => p.local).map((p) => `local/${p.batch}-${p.repeat}`);
    const skipped = database.skipped.filter((s) => s.path.startsWith("local/"));
    expect(skipped.map((s) => s.path)).toEqual(localPaths);
    for (const entry of skipped) expect(entry.reason).toMatch(/outside a batch \(local evidence\).*--include-local/);

    const { out, code, stdout } = await analyzeInto(["--include-local"]);
    expect(code).toBe(0);
    expect(stdout).not.toMatch(/skipped local\//);
    const withLocal = readJson<AnalysisDatabase>(join(out, "processed", "latest.json"));
    const localTypes = Object.keys(withLocal.types).filter((type) => type.startsWith("local:"));
    expect(localTypes).toHaveLength(1);
    const localType = localTypes[0] as string;
    expect(withLocal.types[localType]).toMatchObject({ evidence: ["local"], runs: 2 });
    const summary = withLocal.summaries.find((s) => s.type === localType && s.metric === "stream.triad" && s.headline);
    expect(summary?.evidence).toBe("local");
    expect(summary?.instances.map((i) => [i.value, i.evidence])).toEqual([
      [8000.5, "local"],
      [8100.5, "local"],
    ]);
    // Maintainer summaries are unchanged by the local runs.
    expect(withLocal.summaries.filter((s) => !s.type.startsWith("local:"))).toEqual(database.summaries);
  });
});

describe("analyze refuses bad runs and bad input without writing anything", () => {
  it("skips a run whose raw file changed by one byte, with a checksum reason, and keeps the others", async () => {
    const copy = join(work, "tampered");
    cpSync(corpus().root, copy, { recursive: true });
    const victim = corpus().runs.find((run) => run.planned.type === "m7i.large" && run.planned.repeat === 3);
    const rawFile = join(copy, victim?.path ?? "", "raw", "stream", "all-cores-spread", "trial-1.txt");
    const bytes = readFileSync(rawFile);
    bytes[bytes.length - 2] = (bytes[bytes.length - 2] as number) ^ 1;
    writeFileSync(rawFile, bytes);
    const { out, code, stdout } = await analyzeInto([], [copy]);
    expect(code).toBe(0);
    const tampered = readJson<AnalysisDatabase>(join(out, "processed", "latest.json"));
    const skipped = tampered.skipped.find((s) => s.path === victim?.path);
    expect(skipped?.reason).toMatch(/^raw\/stream\/all-cores-spread\/trial-1\.txt does not match its checksum/);
    expect(stdout).toContain(`skipped ${victim?.path}: raw/stream/all-cores-spread/trial-1.txt does not match`);
    expect(tampered.types["m7i.large"]?.runs).toBe(5);
    const summary = tampered.summaries.find((s) => s.type === "m7i.large" && s.metric === "stream.triad" && s.headline);
    expect(summary?.instances.map((i) => i.value)).toEqual(
      instanceValues("m7i.large", "triad").filter((_, i) => i !== 2),
    );
    const total = Object.values(tampered.types).reduce((sum, facts) => sum + facts.runs, 0);
    expect(total).toBe(plan.filter((p) => !p.local).length - 1);
  });

  it("makes a valid empty database from an empty input, and says it is empty", async () => {
    const empty = join(work, "empty");
    mkdirSync(empty, { recursive: true });
    const { out, code, stdout } = await analyzeInto([], [empty]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/analyze: 0 run\(s\) of 0 type\(s\)/);
    expect(stdout).toMatch(/no runs yet/);
    const db = readJson<AnalysisDatabase>(join(out, "processed", "latest.json"));
    expect(db).toMatchObject({ types: {}, summaries: [], skipped: [] });
    expect((await checkDocument("analysis-database", db)).valid).toBe(true);
    const index = readJson<ApiIndex>(join(out, "api", "v1", "index.json"));
    expect((await checkDocument("api-index", index)).valid).toBe(true);
    expect(index.types).toEqual([]);
    expect(index.metrics).toEqual([]);
  });

  it("refuses an impossible --as-of and writes nothing", async () => {
    const out = join(work, "refused");
    const { code, stderr } = await cli(["analyze", "--input", corpus().root, "--out", out, "--as-of", "2026-13-40"]);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/--as-of "2026-13-40" is not a date/);
    expect(existsSync(out)).toBe(false);
  });

  it("names the known metrics for an unknown metric, and the known types for an unknown type", async () => {
    const before = filesUnder(dataDir).map((file) => [file, readFileSync(join(dataDir, file), "utf8")] as const);
    const metric = await cli(["rank", "--metric", "stream.tirad", "--data", dataDir]);
    expect(metric.code).not.toBe(0);
    expect(metric.stdout).toBe("");
    expect(metric.stderr).toMatch(/No runs in the database measure stream\.tirad/);
    expect(metric.stderr).toMatch(/custom\.seconds, stream\.triad/);
    const type = await cli(["compare", "m7i.large", "m9z.large", "--metric", "stream.triad", "--data", dataDir]);
    expect(type.code).not.toBe(0);
    expect(type.stdout).toBe("");
    expect(type.stderr).toMatch(/m9z\.large has no stream\.triad values/);
    for (const known of Object.keys(triadCentres)) expect(type.stderr).toContain(known);
    // Reading commands never touch the database.
    expect(filesUnder(dataDir)).toEqual(before.map(([file]) => file));
    for (const [file, text] of before) expect(readFileSync(join(dataDir, file), "utf8"), file).toBe(text);
  });
});

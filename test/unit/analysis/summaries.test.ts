/**
 * From runs to per-type summaries (src/analysis/summaries.ts): one value per instance (the median of its valid
 * trials), sections that give none listed with their reasons, supplementary sections never headline, and the flags a
 * reader relies on — provisional, mixed-cpu, drift, stale, outliers — each checked on both sides of its threshold.
 */
import { describe, expect, it } from "vitest";
import { observationsOf, summarize, type Observation } from "../../../src/analysis/summaries.js";
import type { CorpusRun } from "../../../src/analysis/corpus.js";
import type { BenchmarkRun } from "../../../src/schemas/generated/benchmark-result.js";
import type { Evidence } from "../../../src/schemas/generated/metric-summary.js";
import { minimalResult } from "../../helpers/results.js";

/** A STREAM section whose headline configuration's trials print `triads` (null: an invalid trial). */
function streamSection(triads: ReadonlyArray<number | null>, overrides: Partial<BenchmarkRun> = {}): BenchmarkRun {
  const valid = triads.filter((value) => value !== null).length;
  return {
    benchmark: "stream",
    implementation: "stream.c-openmp",
    parameters: {},
    configurations: [
      {
        id: "all-cores-spread",
        description: "all cores",
        trials: triads.map((value, index) => ({
          index,
          valid: value !== null,
          ...(value === null ? { invalidReason: "validation failed" } : {}),
          metrics: {
            triad: { value: value ?? 1, unit: "MB/s", printed: String(value ?? 1) },
            copy: { value: (value ?? 1) / 2, unit: "MB/s", printed: String((value ?? 1) / 2) },
          },
        })),
        statistics: {},
      },
      {
        id: "single-thread",
        description: "one thread",
        trials: [{ index: 0, valid: true, metrics: { triad: { value: 5, unit: "MB/s", printed: "5" } } }],
        statistics: {},
      },
    ],
    headline: { configuration: "all-cores-spread", metric: "triad" },
    validity: { valid: true, validTrials: valid, trials: triads.length },
    ...overrides,
  };
}

let runs = 0;
/** One run (instance) of `type` with the given sections. */
function run(
  sections: BenchmarkRun[],
  options: { type?: string; startedAt?: string; cpuModel?: string; evidence?: Evidence } = {},
): CorpusRun {
  const id = `run-${String(++runs).padStart(4, "0")}`;
  return {
    path: `${options.type ?? "m7i.large"}/${id}`,
    resultSha256: "0".repeat(64),
    evidence: options.evidence ?? "maintainer",
    result: minimalResult({
      runId: id,
      startedAt: options.startedAt ?? "2026-11-01T00:00:00Z",
      host: {
        architecture: "x86_64",
        cpuModel: options.cpuModel ?? "Intel(R) Xeon(R) Platinum 8488C",
        logicalCpus: 2,
        memoryMiB: 8192,
        kernel: "6.1.0",
        instanceType: options.type ?? "m7i.large",
        region: "us-east-1",
      },
      container: { imageDigest: `sha256:${"a".repeat(64)}` },
      benchmarks: sections,
    }),
  };
}

/** Observations of many runs. */
const observe = (list: CorpusRun[]) => list.flatMap((r) => observationsOf(r).observations);

/** The headline summary of stream.triad over one-trial instances with these values (oldest first). */
function triadSummary(
  values: readonly number[],
  options: { cpuModels?: readonly string[]; startedAt?: (i: number) => string; asOf?: string } = {},
) {
  const list = values.map((value, i) =>
    run([streamSection([value])], {
      ...(options.cpuModels ? { cpuModel: options.cpuModels[i] as string } : {}),
      startedAt: options.startedAt?.(i) ?? `2026-11-01T00:${String(i).padStart(2, "0")}:00Z`,
    }),
  );
  const summaries = summarize(observe(list), { asOf: options.asOf ?? "2026-12-01" });
  const summary = summaries.find((s) => s.metric === "stream.triad" && s.headline);
  if (!summary) throw new Error("no headline summary");
  return summary;
}

describe("observationsOf", () => {
  it("gives each metric of each configuration one value per instance: the median of its valid trials", () => {
    const { observations, skipped } = observationsOf(run([streamSection([100, null, 300, 200])]));
    expect(skipped).toEqual([]);
    const triad = observations.find((o) => o.name === "triad" && o.configuration === "all-cores-spread");
    // The invalid trial is left out: median of 100, 300, 200.
    expect(triad).toMatchObject({ trials: [100, 300, 200], headline: true, unit: "MB/s", type: "m7i.large" });
    expect(triad?.instance).toMatchObject({ value: 200, trials: 3, evidence: "maintainer", region: "us-east-1" });
    // Even count: the mean of the middle two.
    const even = observationsOf(run([streamSection([100, 300, 200, 400])])).observations.find(
      (o) => o.name === "triad" && o.headline,
    );
    expect(even?.instance.value).toBe(250);
    // Another metric and another configuration are observations too, but not the headline.
    const others = observations.filter((o) => !o.headline).map((o) => `${o.configuration}/${o.name}`);
    expect(others.sort()).toEqual(["all-cores-spread/copy", "single-thread/triad"]);
  });

  it("leaves per-kernel times beside a rate headline out, and marks the headline configuration's summaries", () => {
    const section = streamSection([100, 200]);
    for (const trial of section.configurations[0]?.trials ?? [])
      trial.metrics["triadMinTime"] = { value: 0.01, unit: "s", printed: "0.01" };
    const { observations } = observationsOf(run([section]));
    expect(observations.map((o) => o.name)).not.toContain("triadMinTime");
    expect(
      observations
        .filter((o) => o.headlineConfiguration)
        .map((o) => o.name)
        .sort(),
    ).toEqual(["copy", "triad"]);
    // A benchmark whose headline is a time keeps it.
    const timed = streamSection([1, 2], { headline: { configuration: "all-cores-spread", metric: "triadMinTime" } });
    for (const trial of timed.configurations[0]?.trials ?? [])
      trial.metrics["triadMinTime"] = { value: 0.01, unit: "s", printed: "0.01" };
    expect(observationsOf(run([timed])).observations.map((o) => o.name)).toContain("triadMinTime");
  });

  it("records each distinct build and sizing behind a summary, with how many instances used it", () => {
    const build = { compiler: "cc 14.2", flags: "-O3 -march=native", target: "x86_64 -march=native (znver3)" };
    const sized = (arraySize: number) =>
      run([streamSection([100], { parameters: { arraySize }, build: { ...build, blas: "none" } })]);
    const summaries = summarize(observe([sized(80_000_000), sized(80_000_000), sized(40_000_000)]), {
      asOf: "2026-12-01",
    });
    const triad = summaries.find((s) => s.metric === "stream.triad" && s.headline);
    expect(triad?.setups).toEqual([
      { instances: 2, build: { ...build, blas: "none" }, parameters: { arraySize: 80_000_000 } },
      { instances: 1, build: { ...build, blas: "none" }, parameters: { arraySize: 40_000_000 } },
    ]);
  });

  it("skips an invalid section and a non-conforming section, each with its reason, and keeps the rest of the run", () => {
    const invalid = streamSection([null, null, 100], {
      validity: { valid: false, reason: "2 of 3 trials failed the benchmark's own check", validTrials: 1, trials: 3 },
    });
    const nonConforming = streamSection([100], {
      benchmark: "hpl",
      implementation: "hpl-2.3",
      conforming: false,
      nonConformingReason: "N below the run rules",
    });
    const kept = streamSection([42], { benchmark: "coremark", implementation: "coremark" });
    const corpusRun = run([invalid, nonConforming, kept]);
    const { observations, skipped } = observationsOf(corpusRun);
    expect(skipped).toEqual([
      { path: corpusRun.path, type: "m7i.large", reason: "stream: invalid (1 of 3 trials valid)" },
      { path: corpusRun.path, type: "m7i.large", reason: "hpl: non-conforming: N below the run rules" },
    ]);
    expect(new Set(observations.map((o) => o.benchmark))).toEqual(new Set(["coremark"]));
  });

  it("never takes a supplementary section (HPCC's SingleSTREAM) as its benchmark's headline", () => {
    const supplementary = streamSection([100], {
      implementation: "hpcc-singlestream",
      supplementary: true,
      headline: { configuration: "all-cores-spread", metric: "triad" },
    });
    const { observations } = observationsOf(run([supplementary]));
    expect(observations.length).toBeGreaterThan(0);
    expect(observations.some((o) => o.headline)).toBe(false);
  });

  it("labels a run outside EC2 by its CPU and CPU count", () => {
    const local = run([streamSection([1])], { evidence: "local", cpuModel: "AMD Ryzen 9 7950X 16-Core Processor" });
    delete local.result.host.instanceType;
    const [first] = observationsOf(local).observations;
    expect(first?.type).toBe("local:amd-ryzen-9-7950x-16-core-processor-2cpu");
    expect(first?.instance.evidence).toBe("local");
  });
});

describe("summarize", () => {
  it("groups instances per type, implementation, configuration and metric, never pooling trials", () => {
    const list = [
      run([streamSection([100, 110, 120])]),
      run([streamSection([200])]),
      run([streamSection([300])], { type: "m7a.large" }),
    ];
    const summaries = summarize(observe(list), { asOf: "2026-12-01" });
    const m7i = summaries.find((s) => s.type === "m7i.large" && s.metric === "stream.triad" && s.headline);
    // Two instances, values 110 and 200: the median over instances is 155 (pooled trials would give 115).
    expect(m7i?.statistics.median).toBe(155);
    expect(m7i?.counts).toMatchObject({ instances: 2, trials: 4 });
    expect(summaries.filter((s) => s.metric === "stream.triad").map((s) => [s.type, s.configuration])).toEqual([
      ["m7a.large", "all-cores-spread"],
      ["m7a.large", "single-thread"],
      ["m7i.large", "all-cores-spread"],
      ["m7i.large", "single-thread"],
    ]);
  });

  it("flags a summary of fewer than 6 instances as provisional, and 6 as not", () => {
    expect(triadSummary([1, 2, 3, 4, 5]).flags).toContain("provisional");
    expect(triadSummary([1, 2, 3, 4, 5, 6]).flags).not.toContain("provisional");
  });

  it("flags mixed CPU models and summarizes each model apart", () => {
    const summary = triadSummary([100, 102, 104, 200, 202], {
      cpuModels: ["Intel A", "Intel A", "Intel A", "Intel B", "Intel B"],
    });
    expect(summary.flags).toContain("mixed-cpu");
    expect(summary.byCpuModel?.map((m) => [m.cpuModel, m.statistics.n, m.statistics.median])).toEqual([
      ["Intel A", 3, 102],
      ["Intel B", 2, 201],
    ]);
    const one = triadSummary([100, 102, 104]);
    expect(one.flags).not.toContain("mixed-cpu");
    expect(one.byCpuModel).toBeUndefined();
  });

  it("flags drift when the newest instances all fall outside the earlier ones' prediction interval", () => {
    // 10 instances: the newest 2 against the 8 earlier (8 give a prediction interval [min, max] of 7/9 coverage).
    const earlier = [100, 101, 99, 102, 98, 100.5, 101.5, 99.5];
    const drifted = triadSummary([...earlier, 120, 121]);
    expect(drifted.flags).toContain("drift");
    expect(drifted.drift).toMatchObject({ latest: 2, earlier: 8, outside: 2 });
    expect(drifted.drift?.reason).toMatch(/latest 2 instance\(s\) all fall above the 77\.8 % prediction interval/);
    // One of the two newest inside: recorded, not flagged.
    const mixed = triadSummary([...earlier, 120, 100]);
    expect(mixed.flags).not.toContain("drift");
    expect(mixed.drift).toMatchObject({ outside: 1, latest: 2 });
    // Fewer than 10 instances: not judged (one newest instance beyond 5 earlier happens a third of the time).
    expect(triadSummary([100, 101, 99, 102, 130]).drift).toBeUndefined();
    expect(triadSummary([...earlier, 130]).drift).toBeUndefined();
  });

  it("flags a summary stale when its newest instance is more than 365 days before --as-of", () => {
    const at = () => "2025-11-01T00:00:00Z";
    expect(triadSummary([1, 2], { startedAt: at, asOf: "2026-11-02" }).flags).toContain("stale");
    expect(triadSummary([1, 2], { startedAt: at, asOf: "2026-11-01" }).flags).not.toContain("stale");
    expect(triadSummary([1, 2], { startedAt: at, asOf: "2026-06-01" }).flags).not.toContain("stale");
  });

  it("flags outliers only from 5 instances on, and never removes them", () => {
    const four = triadSummary([100, 101, 102, 1000]);
    expect(four.flags).not.toContain("outliers");
    expect(four.instances.every((i) => i.outlier === undefined && i.robustZ === undefined)).toBe(true);
    const five = triadSummary([100, 101, 102, 103, 1000]);
    expect(five.flags).toContain("outliers");
    expect(five.instances.map((i) => i.outlier)).toEqual([false, false, false, false, true]);
    expect(five.statistics.n).toBe(5);
    expect(five.statistics.max).toBe(1000);
    const calm = triadSummary([100, 101, 102, 103, 104]);
    expect(calm.flags).not.toContain("outliers");
    expect(calm.instances.every((i) => i.outlier === false)).toBe(true);
  });

  it("labels a summary with its weakest evidence", () => {
    const list = [run([streamSection([1])]), run([streamSection([2])], { evidence: "local" })];
    const observations: Observation[] = observe(list);
    const [summary] = summarize(observations, { asOf: "2026-12-01" }).filter((s) => s.headline);
    expect(summary?.evidence).toBe("local");
    expect(summary?.instances.map((i) => i.evidence)).toEqual(["maintainer", "local"]);
  });
});

import { describe, expect, it } from "vitest";
import type { ParsedRun } from "../../../src/benchmarks/parsed-run.js";
import { parseStreamOutput } from "../../../src/benchmarks/stream/parse.js";
import { headlineChoice, summarizeBenchmark } from "../../../src/runner/benchmark-summary.js";
import { assertDocument } from "../../../src/schemas/documents.js";
import { output } from "../../helpers/fixtures.js";
import { minimalResult } from "../../helpers/results.js";

const base = parseStreamOutput(output("shared/stream-omp-10M-ntimes10-t2.txt"), { label: "fixture" })[0] as ParsedRun;
const streamRun = (triad: number, valid = true): ParsedRun => ({
  ...structuredClone(base),
  metrics: { ...structuredClone(base.metrics), triad: { value: triad, unit: "MB/s", printed: triad.toFixed(1) } },
  valid,
  ...(valid ? {} : { invalidReason: "validation failed: test" }),
});

describe("summarizeBenchmark", () => {
  it("labels a run outside the run rules non-conforming: numbers kept, no headline figure, still valid", async () => {
    const configurations = [
      {
        id: "all-cores-spread",
        description: "all cores",
        trials: [1, 2, 3].map((i) => ({ run: streamRun(30000 + i) })),
      },
    ];
    const reason = "arrays of 2796202 elements are below the array rule";
    const off = summarizeBenchmark("stream", {}, configurations, { conformance: { conforming: false, reason } });
    expect(off).toMatchObject({ conforming: false, nonConformingReason: reason, validity: { valid: true } });
    expect(off.headline).toEqual({ configuration: "all-cores-spread", metric: "triad" });
    expect(off.configurations[0]?.statistics["triad"]?.median).toBe(30002);
    const on = summarizeBenchmark("stream", {}, configurations, { conformance: { conforming: true } });
    expect(on.conforming).toBe(true);
    expect(on.nonConformingReason).toBeUndefined();
    expect(on.headline.statistics?.median).toBe(30002);
    expect(summarizeBenchmark("stream", {}, configurations).conforming).toBeUndefined();
    await expect(
      assertDocument("benchmark-result", { ...minimalResult(), benchmarks: [off, on] }, "result"),
    ).resolves.toBeTruthy();
  });

  it("takes the headline from the configuration fixed in advance, even when another one is faster", () => {
    const section = summarizeBenchmark("stream", { arraySize: 10_000_000 }, [
      {
        id: "all-cores-spread",
        description: "all cores, one thread per core, spread",
        trials: [1, 2, 3, 4, 5, 6].map((i) => ({ run: streamRun(30000 + i), rawFile: `stream/spread-${i}.txt` })),
      },
      {
        id: "all-vcpus",
        description: "one thread per vCPU",
        trials: [1, 2, 3].map((i) => ({ run: streamRun(40000 + i) })),
      },
    ]);
    expect(headlineChoice.stream).toEqual({ configuration: "all-cores-spread", metric: "triad" });
    expect(section.headline).toMatchObject({
      configuration: "all-cores-spread",
      metric: "triad",
      statistics: { n: 6, median: 30003.5, min: 30001, max: 30006, unit: "MB/s" },
    });
    expect(section.headline.statistics?.medianInterval).toMatchObject({ low: 30001, high: 30006, meetsTarget: true });
    expect(section.validity).toEqual({ valid: true, validTrials: 6, trials: 6 });
    expect(section.configurations[1]?.statistics["triad"]?.median).toBe(40002);
    expect(section.configurations[0]?.trials[0]).toMatchObject({
      index: 0,
      valid: true,
      rawFile: "stream/spread-1.txt",
    });
  });

  it("keeps invalid trials but leaves them out of the statistics", () => {
    const noOutput: ParsedRun = { ...streamRun(0, false), metrics: {}, invalidReason: "timed out after 60 s" };
    const section = summarizeBenchmark("stream", {}, [
      {
        id: "all-cores-spread",
        description: "d",
        trials: [{ run: streamRun(100) }, { run: noOutput }, { run: streamRun(300) }],
      },
    ]);
    expect(section.configurations[0]?.trials).toHaveLength(3);
    expect(section.configurations[0]?.trials[1]).toMatchObject({ valid: false, invalidReason: "timed out after 60 s" });
    expect(section.headline.statistics).toMatchObject({ n: 2, median: 200, max: 300 });
    expect(section.validity).toEqual({ valid: true, validTrials: 2, trials: 3 });
  });

  it("is invalid when any trial failed the benchmark's own check (wrong answers), even if others passed", () => {
    const section = summarizeBenchmark("stream", {}, [
      {
        id: "all-cores-spread",
        description: "d",
        trials: [{ run: streamRun(100) }, { run: streamRun(999999, false) }, { run: streamRun(300) }],
      },
    ]);
    expect(section.headline.statistics).toMatchObject({ n: 2 });
    expect(section.validity).toMatchObject({ valid: false, validTrials: 2, trials: 3 });
    expect(section.validity.reason).toMatch(
      /1 of 3 trials of 'all-cores-spread' failed the benchmark's own check \(first: validation failed: test\)/,
    );
  });

  it("is invalid, not quietly substituted, when the headline configuration is missing or never valid", () => {
    const missing = summarizeBenchmark("stream", {}, [
      { id: "single-thread", description: "d", trials: [{ run: streamRun(5000) }] },
    ]);
    expect(missing.validity).toMatchObject({
      valid: false,
      reason: "the headline configuration 'all-cores-spread' was not run",
    });
    expect(missing.headline.statistics).toBeUndefined();
    const invalid = summarizeBenchmark("stream", {}, [
      { id: "all-cores-spread", description: "d", trials: [{ run: streamRun(1, false) }] },
    ]);
    expect(invalid.validity.reason).toMatch(
      /no valid trial of 'all-cores-spread' measured triad \(first trial's reason: validation failed: test\)/,
    );
  });

  it("refuses to combine implementations or benchmarks", () => {
    const serial = { ...streamRun(1), implementation: "stream.c-serial" };
    expect(() =>
      summarizeBenchmark("stream", {}, [
        { id: "all-cores-spread", description: "d", trials: [{ run: streamRun(1) }, { run: serial }] },
      ]),
    ).toThrow(/different implementations \(stream.c-openmp, stream.c-serial\)/);
    expect(() =>
      summarizeBenchmark("hpl", {}, [{ id: "all-cores", description: "d", trials: [{ run: streamRun(1) }] }]),
    ).toThrow(/a stream trial was passed/);
  });

  it("produces a section the result schema accepts", async () => {
    const section = summarizeBenchmark("stream", { arraySize: 10_000_000 }, [
      {
        id: "all-cores-spread",
        description: "d",
        placement: { OMP_PROC_BIND: "spread" },
        trials: [{ run: streamRun(1) }],
      },
    ]);
    await expect(
      assertDocument("benchmark-result", minimalResult({ benchmarks: [section] }), "result"),
    ).resolves.toBeTruthy();
  });
});

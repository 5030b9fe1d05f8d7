/**
 * The benchmark registry: the built-in list comes from it, it refuses definitions the runner could not use, and
 * a benchmark added with one line — the toy `triangle` of test/fixtures/benchmarks/ — runs through the real
 * runner end to end (its result passes the same validation as a real one) and is estimated by the planner.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { BenchmarkDefinition, TrialRun } from "../../../src/benchmarks/definition.js";
import { coremarkBenchmark } from "../../../src/benchmarks/coremark/definition.js";
import { estimateRunSeconds, plannedOnImage } from "../../../src/benchmarks/estimate.js";
import { hpccSuite } from "../../../src/benchmarks/hpcc/suite.js";
import { parseHpccOutput } from "../../../src/benchmarks/hpcc/parse.js";
import { hplBenchmark } from "../../../src/benchmarks/hpl/definition.js";
import {
  BenchmarkRegistry,
  benchmarkNames,
  builtinBenchmarks,
  parseBenchmarkList,
} from "../../../src/benchmarks/registry.js";
import { streamBenchmark } from "../../../src/benchmarks/stream/definition.js";
import { memoryIo } from "../../../src/cli/io.js";
import { exec } from "../../../src/cli/main.js";
import { runLocal } from "../../../src/runner/local-run.js";
import { ProcessGroupSet } from "../../../src/runner/processes.js";
import { assertDocument } from "../../../src/schemas/documents.js";
import type { InstanceTypeRecord } from "../../../src/schemas/generated/instance-catalog.js";
import { estimateBenchmarkSeconds, expectedHost, runnerOverheadSeconds } from "../../../stacks/estimates.js";
import { triangleBenchmark, triangleProgram } from "../../fixtures/benchmarks/triangle/definition.js";
import { output } from "../../helpers/fixtures.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const tempDir = useTempDir();

/** m7i.large as the offline catalogue describes it. */
function m7iLarge(): InstanceTypeRecord {
  const catalog = JSON.parse(
    readFileSync(join(import.meta.dirname, "..", "..", "..", "data", "catalog", "instance-types.json"), "utf8"),
  ) as { instanceTypes: InstanceTypeRecord[] };
  return catalog.instanceTypes.find((type) => type.name === "m7i.large") as InstanceTypeRecord;
}

/** The one line that registers the test benchmark. */
const registry = builtinBenchmarks.with(triangleBenchmark);

/** A local run of `benchmarks` from `registry`, with a PATH that has no benchmark programs. */
async function runHere(
  benchmarks: string[],
  programs: { programs?: Record<string, string>; sources?: Record<string, string> },
) {
  const dir = tempDir();
  const lines: string[] = [];
  const outcome = await runLocal(
    {
      benchmarks,
      registry,
      quick: true,
      trials: 3,
      outDir: join(dir, "out"),
      cwd: dir,
      env: { PATH: "/usr/bin:/bin", HOME: dir, XDG_CACHE_HOME: join(dir, "cache") },
      programs: programs.programs ?? {},
      sources: programs.sources ?? {},
      imds: false,
      imageRoot: join(dir, "no-image"),
      progress: (line) => lines.push(line),
    },
    new ProcessGroupSet(),
  );
  return { dir, outcome, progress: lines.join("\n") };
}

describe("the benchmark registry", () => {
  it("is where the built-in list and --benchmarks come from", () => {
    expect(builtinBenchmarks.names).toEqual(["stream", "hpl", "coremark"]);
    expect(benchmarkNames).toEqual(builtinBenchmarks.names);
    expect(parseBenchmarkList("coremark, stream,coremark")).toEqual(["coremark", "stream"]);
    expect(() => parseBenchmarkList("stream,triangle")).toThrow(/--benchmarks: unknown triangle/);
    expect(parseBenchmarkList("stream,triangle", registry)).toEqual(["stream", "triangle"]);
    expect(registry.names).toEqual(["stream", "hpl", "coremark", "triangle"]);
    // Registering returns a new registry: the built-in one is never changed behind the CLI's back.
    expect(builtinBenchmarks.get("triangle")).toBeUndefined();
  });

  it("refuses definitions the runner could not use, naming the benchmark and the problem", () => {
    const like = (patch: Partial<BenchmarkDefinition>): BenchmarkDefinition => ({ ...triangleBenchmark, ...patch });
    expect(() => registry.with(triangleBenchmark)).toThrow(/benchmark 'triangle': registered twice/);
    expect(() => builtinBenchmarks.with(like({ name: "Triangle" }))).toThrow(/must be lower case/);
    expect(() => builtinBenchmarks.with(like({ name: "custom" }))).toThrow(
      /reserved for benchmarks declared in a file/,
    );
    expect(() => builtinBenchmarks.with(like({ name: "hpcc" }))).toThrow(/is a program suite's/);
    expect(() =>
      builtinBenchmarks.with(like({ headline: { configuration: "single-process", metric: "sum" } })),
    ).toThrow(/the headline metric sum is not among its metrics/);
    expect(() => new BenchmarkRegistry([streamBenchmark, like({ metrics: [] })])).toThrow(/'triangle'/);
  });

  it("declares the units its parsers report for each headline metric", () => {
    const units = (definition: BenchmarkDefinition, metric: string) =>
      definition.metrics.find((declared) => declared.name === metric)?.units ?? [];
    const check = (definition: BenchmarkDefinition, runs: TrialRun[]) => {
      for (const run of runs) {
        const metric = definition.headline.metricByImplementation?.[run.implementation] ?? definition.headline.metric;
        const quantity = run.metrics[metric];
        if (quantity) expect(units(definition, metric)).toContain(quantity.unit);
      }
      return runs.length;
    };
    const parsed = (definition: BenchmarkDefinition, file: string) => definition.parse(output(file), file);
    expect(check(streamBenchmark, parsed(streamBenchmark, "shared/stream-omp-10M-ntimes10-t2.txt"))).toBe(1);
    expect(check(hplBenchmark, parsed(hplBenchmark, "shared/hpl-1x1-np1-N2000-6000-NB128-192.txt"))).toBeGreaterThan(1);
    expect(check(coremarkBenchmark, parsed(coremarkBenchmark, "shared/coremark-st-run1-performance.txt"))).toBe(1);
    const hpcc = parseHpccOutput(output("shared/hpcc-1x1-np1-N4000-NB192.txt"), { label: "hpcc" }).runs;
    expect(
      check(
        streamBenchmark,
        hpcc.filter((run) => run.benchmark === "stream"),
      ),
    ).toBe(2);
    expect(
      check(
        hplBenchmark,
        hpcc.filter((run) => run.benchmark === "hpl"),
      ),
    ).toBeGreaterThan(0);
    // The suite STREAM and HPL fall back on is the one the image ships, and it serves both.
    for (const definition of [streamBenchmark, hplBenchmark])
      expect(definition.program.kind === "searched" && definition.program.suites).toEqual([hpccSuite]);
  });
});

describe("estimateRunSeconds", () => {
  it("counts a suite once per trial for all it measures, and every other benchmark by its own estimate", () => {
    const host = expectedHost(m7iLarge(), undefined);
    const settings = { quick: true };
    const tools = { asRoot: false };
    const suiteTrial = hpccSuite.estimateTrialSeconds(host, settings, ["stream", "hpl"]);
    const coremarkTrial = coremarkBenchmark.estimateTrialSeconds(host, settings, tools);
    expect(coremarkTrial).toBe(30);
    const throughHpcc = estimateRunSeconds(
      host,
      [
        { definition: streamBenchmark, suite: hpccSuite },
        { definition: hplBenchmark, suite: hpccSuite },
        { definition: coremarkBenchmark },
      ],
      2,
      settings,
      tools,
    );
    expect(throughHpcc).toBeCloseTo(2 * suiteTrial + 2 * coremarkTrial, 6);
    // What the image's runner falls back to: HPCC for STREAM and HPL, CoreMark's own program.
    expect(plannedOnImage([streamBenchmark, hplBenchmark, coremarkBenchmark]).map((p) => p.suite?.name)).toEqual([
      "hpcc",
      "hpcc",
      undefined,
    ]);
    // The planner keeps the longer of the image's own programs (with mpirun and numactl) and that fallback.
    const record = m7iLarge();
    const expected = expectedHost(record, undefined);
    const quick = { quick: true };
    const own = estimateRunSeconds(
      expected,
      [{ definition: streamBenchmark }, { definition: hplBenchmark }],
      2,
      quick,
      { mpirun: "mpirun", numactl: "numactl", asRoot: false },
    );
    const fallback = estimateRunSeconds(expected, plannedOnImage([streamBenchmark, hplBenchmark]), 2, quick, {
      asRoot: false,
    });
    expect(own).not.toBeCloseTo(fallback, 0);
    expect(estimateBenchmarkSeconds(record, undefined, { benchmarks: ["stream", "hpl"], quick: true })).toBe(
      Math.ceil(Math.max(own, fallback) + runnerOverheadSeconds),
    );
    const ownPrograms = estimateRunSeconds(
      host,
      [{ definition: streamBenchmark }, { definition: hplBenchmark }],
      2,
      settings,
      tools,
    );
    expect(ownPrograms).toBeCloseTo(
      2 * streamBenchmark.estimateTrialSeconds(host, settings, tools) +
        2 * hplBenchmark.estimateTrialSeconds(host, settings, tools),
      6,
    );
  });
});

describe("a benchmark added to a registry in a test", () => {
  it("runs through the real runner from its source, and its result passes the result validation", async () => {
    const source = join(tempDir(), "triangle-src");
    mkdirSync(source);
    writeFileSync(join(source, "triangle.mjs"), triangleProgram);
    const { dir, outcome, progress } = await runHere(["triangle"], { sources: { triangle: source } });
    expect(progress).toMatch(/triangle: explicit-source /);
    expect(progress).toMatch(/\[triangle\] single-process trial 3\/3/);
    expect(outcome.skipped).toEqual([]);
    const [section] = outcome.result.benchmarks;
    expect(section).toMatchObject({
      benchmark: "triangle",
      implementation: "triangle-node",
      parameters: { program: "explicit-source", n: 200_000 },
      headline: {
        configuration: "single-process",
        metric: "additionsPerSecond",
        statistics: { n: 3, unit: "additions/s" },
      },
      validity: { valid: true, validTrials: 3, trials: 3 },
    });
    expect(section?.configurations[0]?.trials[0]?.rawFile).toBe("raw/triangle/single-process/trial-1.txt");
    expect(readFileSync(join(outcome.outDir, "raw", "triangle", "single-process", "trial-1.txt"), "utf8")).toMatch(
      /^sum = 20000100000$/m,
    );
    // The same checks as any result: the schema, private details, and every raw file against its checksum.
    await expect(assertDocument("benchmark-result", outcome.result, outcome.resultPath)).resolves.toBeTruthy();
    const io = memoryIo({ cwd: dir });
    expect(await exec(["validate", outcome.resultPath], io)).toBe(0);
  });

  it("is judged by its own validity rule: a wrong answer invalidates the benchmark, however fast", async () => {
    const program = join(tempDir(), "triangle");
    writeFileSync(
      program,
      `#!${process.execPath}\nconsole.log("triangle n = " + process.argv[2] + "\\nsum = 42\\nseconds = 0.001\\nrate = 1e12 additions/s");\n`,
      { mode: 0o755 },
    );
    const { outcome } = await runHere(["triangle"], { programs: { triangle: program } });
    const [section] = outcome.result.benchmarks;
    expect(section?.configurations[0]?.trials[0]).toMatchObject({
      valid: false,
      invalidReason: "the sum 42 is not n(n+1)/2 = 20000100000",
    });
    expect(section?.headline.statistics).toBeUndefined();
    expect(section?.validity).toMatchObject({ valid: false, validTrials: 0 });
  });

  it("is skipped with its own fix when no program is found, and an unknown name is refused before anything runs", async () => {
    const { outcome, progress } = await runHere(["triangle"], {});
    expect(outcome.skipped).toEqual([
      expect.objectContaining({ benchmark: "triangle", fix: "pass --source triangle=DIR holding triangle.mjs" }),
    ]);
    expect(progress).toMatch(/triangle: PATH: none of triangle/);
    const elsewhere = join(tempDir(), "elsewhere");
    mkdirSync(elsewhere);
    await expect(
      runLocal(
        {
          benchmarks: ["triangle"],
          quick: true,
          cwd: elsewhere,
          env: {},
          programs: {},
          sources: {},
          progress: () => undefined,
        },
        new ProcessGroupSet(),
      ),
    ).rejects.toThrow(/unknown benchmark triangle/);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it("is estimated by the planner's estimate function, from its own estimate", () => {
    const record = m7iLarge();
    const settings = { benchmarks: ["triangle"], quick: true, trials: 3 };
    const perTrial = triangleBenchmark.estimateTrialSeconds(
      expectedHost(record, undefined),
      { quick: true },
      {
        asRoot: false,
      },
    );
    expect(perTrial).toBeCloseTo(1.02);
    expect(estimateBenchmarkSeconds(record, undefined, settings, registry)).toBe(
      Math.ceil(3 * perTrial + runnerOverheadSeconds),
    );
    // Beside the built-ins it adds its own share (each total is rounded up to a whole second).
    const builtins = { ...settings, benchmarks: ["stream", "hpl", "coremark"] };
    const added =
      estimateBenchmarkSeconds(
        record,
        undefined,
        { ...builtins, benchmarks: [...builtins.benchmarks, "triangle"] },
        registry,
      ) - estimateBenchmarkSeconds(record, undefined, builtins);
    expect(added).toBeGreaterThanOrEqual(Math.floor(3 * perTrial));
    expect(added).toBeLessThanOrEqual(Math.ceil(3 * perTrial));
    expect(() => estimateBenchmarkSeconds(record, undefined, settings)).toThrow(/unknown benchmark triangle/);
  });
});

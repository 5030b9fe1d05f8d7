import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCustomBenchmark, parseCustomOutput, substitute } from "../../../src/benchmarks/custom/definition.js";
import { exec } from "../../../src/cli/main.js";
import { memoryIo } from "../../../src/cli/io.js";
import type { BenchmarkResult } from "../../../src/schemas/generated/benchmark-result.js";
import { fixturesDir } from "../../helpers/fixtures.js";
import { useTempDir } from "../../helpers/temp-dir.js";
import { readFileSync } from "node:fs";

const tempDir = useTempDir();
const counter = join(fixturesDir, "custom", "counter.json");

describe("custom benchmark definitions", () => {
  it("extracts the declared metrics with their units and checks validity patterns", async () => {
    const { definition, sha256 } = await loadCustomBenchmark(counter);
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
    const run = parseCustomOutput(definition, "rate: 1.5 counts/s\nrate: 2.5 counts/s\ndone\n", "out.txt");
    expect(run).toMatchObject({ benchmark: "custom", implementation: "custom-counter", valid: true });
    expect(run.metrics).toEqual({
      rate: { value: 2.5, unit: "counts/s", printed: "2.5" },
      firstRate: { value: 1.5, unit: "counts/s", printed: "1.5" },
    });
    const missing = parseCustomOutput(definition, "rate: fast counts/s\nerror: oops\n", "out.txt");
    expect(missing.valid).toBe(false);
    expect(missing.invalidReason).toMatch(/metric rate: 'fast' is not a number/);
    expect(missing.invalidReason).toMatch(/required output \/\^done\$\/ missing/);
    expect(missing.invalidReason).toMatch(/forbidden output \/error\/ present/);
    expect(parseCustomOutput(definition, "nothing\n", "x").invalidReason).toMatch(/metric rate not found/);
  });

  it("substitutes placeholders without a shell", () => {
    expect(
      substitute("--threads={cores} --all={vcpus} {workdir}/in {other}", { cores: 4, vcpus: 8, workdir: "/w" }),
    ).toBe("--threads=4 --all=8 /w/in {other}");
  });

  it("rejects a definition whose headline, patterns or name are wrong, naming where", async () => {
    const base = JSON.parse(readFileSync(counter, "utf8")) as Record<string, unknown>;
    const write = (patch: Record<string, unknown>) => {
      const path = join(tempDir(), `def-${Math.random()}.json`);
      writeFileSync(path, JSON.stringify({ ...base, ...patch }));
      return path;
    };
    await expect(loadCustomBenchmark(write({ headline: "speed" }))).rejects.toThrow(
      /\/headline: 'speed' is not one of the metrics \(rate, firstRate\)/,
    );
    await expect(
      loadCustomBenchmark(write({ metrics: [{ name: "rate", unit: "x", pattern: "rate (" }] })),
    ).rejects.toThrow(/\/metrics\/0\/pattern: not a regular expression/);
    await expect(
      loadCustomBenchmark(write({ metrics: [{ name: "rate", unit: "x", pattern: "rate \\d+" }] })),
    ).rejects.toThrow(/needs exactly one capture group, has 0/);
    await expect(loadCustomBenchmark(write({ name: "stream" }))).rejects.toThrow(
      /does not match schemas\/custom-benchmark\.schema\.json: \/name/,
    );
    await expect(loadCustomBenchmark(write({ command: [] }))).rejects.toThrow(/\/command/);
  });

  it("runs under the local runner with trials, statistics, inputs and checksums", async () => {
    const dir = tempDir();
    const io = memoryIo({ cwd: dir, env: { PATH: "/usr/bin:/bin", HOME: dir } });
    const code = await exec(
      [
        "run",
        "--target",
        "local",
        "--benchmarks",
        "none",
        "--custom",
        counter,
        "--trials",
        "3",
        "--out",
        "out",
        "--no-imds",
        "--image-root",
        join(dir, "none"),
      ],
      io,
    );
    expect(io.err()).toMatch(/counter: custom benchmark from/);
    expect(code).toBe(0);
    expect(io.out()).toMatch(/counter\s+custom-counter\s+default \*\s+rate\s+2345\.6 counts\/s/);
    const result = JSON.parse(readFileSync(join(dir, "out", "result.json"), "utf8")) as BenchmarkResult;
    expect(result.benchmarks[0]).toMatchObject({
      benchmark: "custom",
      custom: { name: "counter" },
      headline: { configuration: "default", metric: "rate", statistics: { n: 3, median: 2345.6 } },
    });
    expect(readFileSync(join(dir, "out", "raw", "custom", "counter", "default", "trial-1.txt"), "utf8")).toMatch(
      /^threads: \d+$/m,
    );
    expect(result.rawFiles.map((f) => f.path)).toContain("inputs/counter/count.sh");
    const twice = memoryIo({ cwd: dir });
    expect(
      await exec(["run", "--target", "local", "--benchmarks", "none", "--custom", counter, "--custom", counter], twice),
    ).toBe(2);
    expect(twice.err()).toMatch(/both name the benchmark 'counter'/);
    const none = memoryIo({ cwd: dir });
    expect(await exec(["run", "--target", "local", "--benchmarks", "none"], none)).toBe(2);
    expect(none.err()).toMatch(/--benchmarks none leaves nothing to run/);
  });
});

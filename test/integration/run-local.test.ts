/**
 * `aws-bench run --target local` end to end with the built CLI: STREAM built from a source the test supplies
 * (a directory, a tar archive, and a pinned download from an HTTP server on 127.0.0.1), run in each placement
 * configuration, parsed, summarized and written with checksums; the result validates. The stand-in source
 * prints STREAM's format with the size and threads it was compiled and run with.
 */
import { execFile, execFileSync, spawn } from "node:child_process";
import { randomInt } from "node:crypto";
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, watch, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import type { BenchmarkResult } from "../../src/schemas/generated/benchmark-result.js";
import { exec } from "../../src/cli/main.js";
import { memoryIo } from "../../src/cli/io.js";
import { fixturesDir } from "../helpers/fixtures.js";
import { hasCommands } from "../helpers/prerequisites.js";
import { isAlive, processesMatching } from "../helpers/processes.js";
import { useTempDir } from "../helpers/temp-dir.js";

const bin = join(import.meta.dirname, "..", "..", "dist", "src", "cli", "bin.js");
const hasCompiler = hasCommands("run --target local (builds C sources)", ["cc"], "apt-get install gcc");
const tempDir = useTempDir();
const run = promisify(execFile);

/** The CLI in this process (so coverage sees the runner), with a PATH that has no benchmark programs. */
async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const io = memoryIo({
    cwd: tempDir(),
    env: { PATH: "/usr/bin:/bin", HOME: tempDir(), XDG_CACHE_HOME: join(tempDir(), "cache"), ...env },
  });
  // An empty source mirror: a local run here never reaches for upstream sources (source-fetch.test.ts tests that).
  mkdirSync(join(tempDir(), "empty-mirror"), { recursive: true });
  const local = [
    "--image-root",
    join(tempDir(), "no-image"),
    ...(args.includes("--source-mirror") ? [] : ["--source-mirror", join(tempDir(), "empty-mirror")]),
  ];
  const code = await exec(args[0] === "run" ? [...args, ...local] : args, io);
  return { code, stdout: io.out(), stderr: io.err() };
}

/** The built executable, as a user runs it. */
async function builtCli(args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      cwd: tempDir(),
      env: { PATH: "/usr/bin:/bin", HOME: tempDir() },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe.skipIf(!hasCompiler)("run --target local", () => {
  it("builds STREAM from a source directory for this host, runs each configuration and writes a valid result", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "src"));
    copyFileSync(join(fixturesDir, "generators", "fake-stream.c"), join(dir, "src", "stream.c"));
    const { code, stdout, stderr } = await cli([
      "run",
      "--target",
      "local",
      "--benchmarks",
      "stream",
      "--source",
      "stream=src",
      "--trials",
      "3",
      "--out",
      "out",
      "--no-imds",
    ]);
    expect(stderr).toMatch(/stream: explicit-source /);
    expect(code).toBe(0);
    expect(stdout).toMatch(/stream\s+stream\.c-openmp\s+all-cores-spread \*\s+triad/);
    expect(stdout).toMatch(/single-thread/);
    const result = JSON.parse(readFileSync(join(dir, "out", "result.json"), "utf8")) as BenchmarkResult;
    const [section] = result.benchmarks;
    expect(section?.implementation).toBe("stream.c-openmp");
    expect(section?.headline).toMatchObject({
      configuration: "all-cores-spread",
      metric: "triad",
      statistics: { n: 3 },
    });
    expect(section?.parameters).toMatchObject({
      program: "explicit-source",
      arraySizeLimitedBy: expect.stringMatching(/last-level-cache|minimum-elements|available-memory/),
    });
    // What was built, and how: the compiler, the flags for this host, the target (a source not matching the pin
    // is recorded as such).
    expect(section?.build).toMatchObject({
      compiler: expect.stringMatching(/\d+\.\d+/),
      flags: expect.stringMatching(/-O3 -m(arch|cpu)=native -fopenmp -DSTREAM_ARRAY_SIZE=\d+ -DNTIMES=\d+/),
      buildCommand: expect.stringMatching(/^cc -O3 .*stream\.c -o /),
      target: expect.stringMatching(/native/),
    });
    const spread = section?.configurations.find((c) => c.id === "all-cores-spread");
    expect(spread?.placement).toMatchObject({ OMP_PROC_BIND: "spread", OMP_PLACES: "cores" });
    expect(spread?.trials[0]?.rawFile).toBe("raw/stream/all-cores-spread/trial-1.txt");
    // The build used the sized array: the program reports it.
    const printed = readFileSync(join(dir, "out", "raw", "stream", "all-cores-spread", "trial-1.txt"), "utf8");
    expect(printed).toContain(`Array size = ${String(section?.parameters["arraySize"])} (elements)`);
    expect(readFileSync(join(dir, "out", "build", "stream.log"), "utf8")).toMatch(
      /-O3 -march=native -fopenmp -DSTREAM_ARRAY_SIZE=\d+ -DNTIMES=20/,
    );
    expect(result.rawFiles.some((file) => file.path === "build/stream.log")).toBe(true);
    const sums = readFileSync(join(dir, "out", "SHA256SUMS"), "utf8");
    expect(sums).toMatch(/^[0-9a-f]{64} {2}raw\/stream\/all-cores-spread\/trial-1\.txt$/m);
    const validated = await builtCli(["validate", "out/result.json"]);
    expect(validated.code).toBe(0);
  });

  it("builds from an archive", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "pkg", "stream-5.10"), { recursive: true });
    copyFileSync(join(fixturesDir, "generators", "fake-stream.c"), join(dir, "pkg", "stream-5.10", "stream.c"));
    execFileSync("tar", ["-czf", "stream.tar.gz", "-C", "pkg", "stream-5.10"], { cwd: dir });
    const fromArchive = await cli([
      "run",
      "--target",
      "local",
      "--benchmarks",
      "stream",
      "--source",
      "stream=stream.tar.gz",
      "--trials",
      "1",
      "--out",
      "a",
      "--no-imds",
    ]);
    expect(fromArchive.code).toBe(0);
    expect(fromArchive.stderr).toMatch(/stream: explicit-source .*stream-5\.10/);

    // Pinned downloads (match, mismatch, truncation, an unreachable mirror): test/integration/source-fetch.test.ts.
  });

  it("skips a benchmark it has no program for, says how to fix it, and still runs the others", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "stream.c"), readFileSync(join(fixturesDir, "generators", "fake-stream.c")));
    const { code, stdout } = await cli([
      "run",
      "--target",
      "local",
      "--benchmarks",
      "stream,coremark",
      "--source",
      "stream=stream.c",
      "--trials",
      "1",
      "--out",
      "o",
      "--no-imds",
    ]);
    expect(code).toBe(3);
    expect(stdout).toMatch(
      /skipped coremark: no program: .*manifest coremark 1\.01: --source-mirror coremark-1\.01\.tar\.gz: not in the mirror folder/,
    );
    expect(stdout).toMatch(/fix: give CoreMark 1\.01's source: --source-mirror DIR .*--source coremark=/);
    const result = JSON.parse(readFileSync(join(dir, "o", "result.json"), "utf8")) as BenchmarkResult;
    expect(result.skipped?.[0]).toMatchObject({ benchmark: "coremark" });
  });

  it("builds and records the sizes the user fixed by hand", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "stream.c"), readFileSync(join(fixturesDir, "generators", "fake-stream.c")));
    const { code } = await cli([
      "run",
      "--target",
      "local",
      "--benchmarks",
      "stream",
      "--source",
      "stream=stream.c",
      "--stream-array-size",
      "12345678",
      "--stream-ntimes",
      "12",
      "--trials",
      "1",
      "--out",
      "o",
      "--no-imds",
    ]);
    expect(code).toBe(0);
    const result = JSON.parse(readFileSync(join(dir, "o", "result.json"), "utf8")) as BenchmarkResult;
    expect(result.benchmarks[0]?.parameters).toMatchObject({
      arraySize: 12345678,
      ntimes: 12,
      arraySizeLimitedBy: "override",
    });
    expect(readFileSync(join(dir, "o", "build", "stream.log"), "utf8")).toContain(
      "-DSTREAM_ARRAY_SIZE=12345678 -DNTIMES=12",
    );
    expect((await cli(["run", "--target", "local", "--hpl-n", "12.5"])).stderr).toMatch(
      /--hpl-n 12\.5 is not a positive whole number/,
    );
  });

  it("refuses bad options before running anything", async () => {
    expect((await cli(["run", "--target", "local", "--benchmarks", "linpack"])).stderr).toMatch(
      /--benchmarks: unknown linpack/,
    );
    expect((await cli(["run", "--target", "local", "--program", "stream"])).stderr).toMatch(
      /--program 'stream' is not NAME=PATH/,
    );
    expect((await cli(["run", "--target", "local", "--trials", "0"])).code).toBe(2);
    const noMirror = await cli(["run", "--target", "local", "--source-mirror", "nowhere", "--out", "m", "--no-imds"]);
    expect(noMirror.stderr).toMatch(/--source-mirror nowhere is not a folder/);
    expect(noMirror.code).toBe(1);
    expect(existsSync(join(tempDir(), "m"))).toBe(false);
    expect((await cli(["run", "--source-mirror", "/tmp", "--instance-types", "m7i.large"])).stderr).toMatch(
      /--source-mirror do(es)? not apply to --target aws/,
    );
    const dir = tempDir();
    mkdirSync(join(dir, "full"));
    writeFileSync(join(dir, "full", "keep.txt"), "x");
    const full = await cli(["run", "--target", "local", "--out", "full", "--benchmarks", "stream", "--no-imds"]);
    expect(full.code).toBe(1);
    expect(full.stderr).toMatch(/already holds files; a run never overwrites results/);
    expect(readFileSync(join(dir, "full", "keep.txt"), "utf8")).toBe("x");
  });
});

describe.skipIf(!hasCompiler)("run --target local: CoreMark and interruption", () => {
  it("builds CoreMark with one context per vCPU and reruns a run shorter than 10 s", async () => {
    const dir = tempDir();
    cpSync(join(fixturesDir, "generators", "fake-coremark"), join(dir, "coremark"), { recursive: true });
    const { code, stdout, stderr } = await cli([
      "run",
      "--target",
      "local",
      "--benchmarks",
      "coremark",
      "--source",
      "coremark=coremark",
      "--trials",
      "2",
      "--out",
      "c",
      "--no-imds",
    ]);
    expect(stderr).toMatch(/CoreMark ran 6 s, under its 10 s minimum; running it again/);
    expect(code).toBe(0);
    expect(stdout).toMatch(/coremark\s+coremark(-pthread)?\s+all-threads \*\s+iterationsPerSecond/);
    const result = JSON.parse(readFileSync(join(dir, "c", "result.json"), "utf8")) as BenchmarkResult;
    const [section] = result.benchmarks;
    expect(section?.validity).toMatchObject({ valid: true, validTrials: 2 });
    expect(section?.configurations[0]?.trials[0]?.rawFile).toBe("raw/coremark/all-threads/trial-1-rerun.txt");
    expect(readFileSync(join(dir, "c", "build", "coremark.log"), "utf8")).toMatch(/-DITERATIONS=0/);
    expect(result.rawFiles.map((f) => f.path)).toContain("raw/coremark/all-threads/trial-1.txt");
  });

  it("stops the running benchmark and everything it started on Ctrl-C, keeps what finished, and exits 130", async () => {
    const dir = tempDir();
    const fake = join(dir, "slow-stream");
    // A duration no other process on the machine sleeps: the marker of every process this test starts.
    const marker = `61.${randomInt(100_000, 1_000_000)}`;
    // Prints a STREAM output at once the first time; then hangs as a stuck benchmark would, with two children: a
    // plain sleep, and a helper that ignores SIGTERM and holds no output pipe (as a daemonised rank would), which
    // only SIGKILL stops. It records its own process ids and says once both children are running.
    writeFileSync(
      fake,
      [
        "#!/bin/sh",
        `if [ -f "${dir}/once" ]; then`,
        `  echo $$ > "${dir}/script.pid"`,
        `  sh -c 'trap "" TERM; touch "$1/stubborn-ready"; exec sleep ${marker}' sh "${dir}" </dev/null >/dev/null 2>&1 &`,
        `  echo $! > "${dir}/stubborn.pid"`,
        `  sleep ${marker} &`,
        `  echo $! > "${dir}/sleep.pid"`,
        `  while [ ! -f "${dir}/stubborn-ready" ]; do sleep 0.01; done`,
        `  touch "${dir}/hanging"`,
        "  wait",
        "fi",
        `touch "${dir}/once"`,
        `cat "${join(fixturesDir, "outputs", "shared", "stream-omp-10M-ntimes10-t2.txt")}"`,
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    const child = spawn(
      process.execPath,
      [
        bin,
        "run",
        "--target",
        "local",
        "--benchmarks",
        "stream",
        "--program",
        "stream=./slow-stream",
        "--trials",
        "3",
        "--out",
        "i",
        "--no-imds",
        "--image-root",
        join(dir, "none"),
      ],
      { cwd: dir, env: { PATH: "/usr/bin:/bin", HOME: dir } },
    );
    try {
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      // Ctrl-C the moment the second trial is stuck, so the interruption has a running benchmark to stop.
      const watcher = watch(dir, (_event, name) => {
        if (name === "hanging" && !child.killed) child.kill("SIGINT");
      });
      const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
      watcher.close();
      expect(existsSync(join(dir, "hanging"))).toBe(true);
      expect(stderr).toContain("run: interrupted; stopping the running benchmark and keeping what finished");
      expect(code).toBe(130);
      const result = JSON.parse(readFileSync(join(dir, "i", "result.json"), "utf8")) as BenchmarkResult;
      expect(result.interrupted).toBe(true);
      expect(result.benchmarks[0]?.configurations[0]?.trials).toHaveLength(1);
      expect(result.benchmarks[0]?.parameters["arraySizeFixedAtBuild"]).toBe(true);
      // Nothing the benchmark started outlives the run: not the script, not its sleep, not the helper that ignored
      // SIGTERM — by the process ids they recorded, and by the marker (any process the test did not record).
      const pids = ["script", "sleep", "stubborn"].map((name) =>
        Number(readFileSync(join(dir, `${name}.pid`), "utf8")),
      );
      expect(pids.every((pid) => pid > 1)).toBe(true);
      expect(pids.filter((pid) => isAlive(pid))).toEqual([]);
      expect(processesMatching(`sleep ${marker}`)).toEqual([]);
    } finally {
      child.kill("SIGKILL");
      for (const { pid } of processesMatching(marker)) process.kill(pid, "SIGKILL");
    }
  }, 30_000);
});

const hasHpcc = hasCommands("run --target local with Debian's hpcc", ["hpcc", "mpirun"], "apt-get install hpcc");

describe.skipIf(!hasHpcc)("run --target local with Debian's hpcc", () => {
  it("measures STREAM and HPL through HPCC, headline summed over ranks, and the result validates", async () => {
    // A host with HPCC but no C compiler: the project's own bandwidth kernel cannot be built, so HPCC measures
    // STREAM (the runner looks for programs on this PATH; the processes it starts keep the test's own PATH).
    const tools = join(tempDir(), "hpcc-only");
    mkdirSync(tools);
    for (const tool of ["hpcc", "mpirun"])
      symlinkSync(execFileSync("which", [tool], { encoding: "utf8" }).trim(), join(tools, tool));
    const { code, stdout, stderr } = await cli(
      [
        "run",
        "--target",
        "local",
        "--benchmarks",
        "stream,hpl",
        "--trials",
        "1",
        "--hpl-n",
        "4096",
        "--hpl-nb",
        "192",
        "--out",
        "h",
        "--no-imds",
        "--json",
      ],
      { PATH: tools },
    );
    expect(stderr).toMatch(
      /stream: aws-bench-membw \(the project's own bandwidth kernel\): no C compiler \(cc\) on PATH/,
    );
    expect(stderr).toMatch(/stream: hpcc /);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout) as {
      resultPath: string;
      benchmarks: Array<{
        implementation: string;
        headline: { metric: string; statistics?: { median: number } };
        validity: { valid: boolean };
      }>;
    };
    expect(summary.benchmarks.map((b) => [b.implementation, b.headline.metric, b.validity.valid])).toEqual([
      ["hpcc-starstream", "triadAllRanks", true],
      ["hpcc-singlestream", "triad", true],
      ["hpcc-hpl-2.0", "gflops", true],
    ]);
    const result = JSON.parse(readFileSync(summary.resultPath, "utf8")) as BenchmarkResult;
    // N = 4096 sizes HPCC's STREAM far below the array rule: labelled non-conforming, its numbers kept, no headline.
    const [star, single] = result.benchmarks;
    expect(star).toMatchObject({
      conforming: false,
      nonConformingReason: expect.stringMatching(/below the array rule/),
    });
    expect(star?.headline.statistics).toBeUndefined();
    expect(star?.configurations[0]?.statistics["triadAllRanks"]?.median).toBeGreaterThan(0);
    expect(single).toMatchObject({ conforming: false, supplementary: true });
    expect(single?.headline.statistics).toBeUndefined();
    expect(result.benchmarks[2]?.conforming).toBeUndefined();
    expect(result.toolchain?.mpi).toMatch(/Open MPI|mpirun/);
    expect(result.benchmarks[2]?.parameters).toMatchObject({
      program: "hpcc",
      n: 4096,
      nb: 192,
      nLimitedBy: "override",
      ranks: expect.any(Number),
    });
    expect(readFileSync(join(tempDir(), "h", "inputs", "hpccinf.txt"), "utf8")).toMatch(/^4096 +Ns$/m);
    expect((await builtCli(["validate", summary.resultPath])).code).toBe(0);
    // HPCC names the host in its output (on EC2, an internal name built from the private IP): redacted.
    expect(result.redactedFiles).toContain("raw/hpcc/trial-1.txt");
    expect(readFileSync(join(tempDir(), "h", "raw", "hpcc", "trial-1.txt"), "utf8")).toContain(
      "Hostname: '<redacted>'",
    );
  }, 600_000);
});

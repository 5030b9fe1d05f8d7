/**
 * Runs made by the real runner (`runLocal`) for the review checks' tests, each benchmark's program a stand-in that
 * prints a real output (the project's copies of ../shared/fixtures/outputs in test/fixtures/outputs/shared, or an
 * edited copy of one):
 * - STREAM and CoreMark are `--program` scripts; CoreMark's prints the validation output when given the validation
 *   seeds (0x3415) and the performance output otherwise.
 * - HPL's `--program` runs under this machine's real mpirun (one copy per rank); only rank 0 prints, as xhpl does.
 * The host is this machine, probed for real; no IMDS is asked (the checks read the host from result.json, which a
 * test may then give an instance type).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runLocal } from "../../../src/runner/local-run.js";
import { ProcessGroupSet } from "../../../src/runner/processes.js";
import type { BenchmarkResult } from "../../../src/schemas/generated/benchmark-result.js";
import { output } from "../../helpers/fixtures.js";

/** A real output measured on a machine like this one (test/fixtures/outputs/shared). */
export function realOutput(name: string): string {
  return output(`shared/${name}`);
}

/** What each benchmark's stand-in prints (a benchmark left out is not run). */
export interface PlannedOutputs {
  stream?: string;
  coremark?: { performance: string; validation: string };
  hpl?: string;
  /** HPCC's hpccoutf.txt: a stand-in `hpcc` first on PATH measures HPL (no xhpl is given). */
  hpcc?: string;
  /**
   * With `hpcc`: the runner's PATH holds only the stand-in and mpirun (no C compiler, so the project's bandwidth
   * kernel cannot be built), and HPCC measures STREAM too.
   */
  hpccOnly?: boolean;
  /** STREAM measured by the project's own kernel (membw), compiled here with cc: no STREAM program is given. */
  membw?: boolean;
}

/** A run folder the runner wrote, and its result. */
export interface RunnerRun {
  dir: string;
  result: BenchmarkResult;
}

function printer(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return path;
}

/** Runs the planned stand-ins with the real runner under `work` (2 trials per configuration unless told). */
export async function runnerRun(work: string, planned: PlannedOutputs, trials = 2): Promise<RunnerRun> {
  const bin = join(work, "programs");
  mkdirSync(bin, { recursive: true });
  const programs: Record<string, string> = {};
  const benchmarks: string[] = [];
  if (planned.stream !== undefined) {
    writeFileSync(join(bin, "stream.txt"), planned.stream);
    programs["stream"] = printer(bin, "stream", `cat "${join(bin, "stream.txt")}"`);
    benchmarks.push("stream");
  }
  if (planned.hpl !== undefined) {
    writeFileSync(join(bin, "hpl.txt"), planned.hpl);
    programs["hpl"] = printer(
      bin,
      "xhpl",
      `[ "\${OMPI_COMM_WORLD_RANK:-0}" = 0 ] && cat "${join(bin, "hpl.txt")}"\nexit 0`,
    );
    benchmarks.push("hpl");
  }
  if (planned.hpcc !== undefined) {
    writeFileSync(join(bin, "hpccoutf.txt"), planned.hpcc);
    // HPCC writes its results to hpccoutf.txt in its working directory; rank 0 does.
    printer(
      bin,
      "hpcc",
      `[ "\${OMPI_COMM_WORLD_RANK:-0}" = 0 ] && cp "${join(bin, "hpccoutf.txt")}" hpccoutf.txt\nexit 0`,
    );
    if (planned.hpccOnly) {
      symlinkSync(execFileSync("which", ["mpirun"], { encoding: "utf8" }).trim(), join(bin, "mpirun"));
      benchmarks.push("stream");
    }
    benchmarks.push("hpl");
  }
  if (planned.membw) benchmarks.unshift("stream");
  if (planned.coremark !== undefined) {
    writeFileSync(join(bin, "performance.txt"), planned.coremark.performance);
    writeFileSync(join(bin, "validation.txt"), planned.coremark.validation);
    programs["coremark"] = printer(
      bin,
      "coremark",
      `if [ "$1" = 0x3415 ]; then cat "${join(bin, "validation.txt")}"; else cat "${join(bin, "performance.txt")}"; fi`,
    );
    benchmarks.push("coremark");
  }
  const dir = join(work, "run");
  const outcome = await runLocal(
    {
      benchmarks,
      quick: true,
      trials,
      outDir: dir,
      cwd: work,
      env: {
        PATH: planned.hpccOnly
          ? bin
          : `${planned.hpcc === undefined ? "" : `${bin}:`}${process.env["PATH"] ?? "/usr/bin:/bin"}`,
        HOME: work,
        XDG_CACHE_HOME: join(work, "cache"),
      },
      programs,
      sources: {},
      imds: false,
      imageRoot: join(work, "no-image"),
      progress: () => undefined,
    },
    new ProcessGroupSet(),
  );
  if (outcome.skipped.length > 0) throw new Error(`the runner skipped a benchmark: ${JSON.stringify(outcome.skipped)}`);
  return { dir, result: outcome.result };
}

/** Rewrites result.json in `run` (SHA256SUMS is left alone: the review's other steps check it). */
export function rewriteResult(run: RunnerRun, edit: (result: BenchmarkResult) => void): BenchmarkResult {
  const result = structuredClone(run.result);
  edit(result);
  writeFileSync(join(run.dir, "result.json"), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

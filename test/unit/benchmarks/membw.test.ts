/**
 * The project's own bandwidth kernel (kernels/membw/aws-bench-membw.c): its output format and parser, the kernel
 * built and run here with real gcc (results validate; a build with an injected fault fails validation), and how
 * the `stream` request records it — as benchmark `membw`, never as STREAM.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { membwArgs, membwCompileArgs, membwKernel } from "../../../src/benchmarks/membw/launch.js";
import { parseMembwOutput } from "../../../src/benchmarks/membw/parse.js";
import { streamBenchmark } from "../../../src/benchmarks/stream/definition.js";
import { outputPath } from "../../helpers/fixtures.js";
import { hasCommands } from "../../helpers/prerequisites.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const real = readFileSync(outputPath("produced-here/membw-16M-ntimes20-t2.txt"), "utf8");

describe("aws-bench-membw output", () => {
  it("reads a real run: every kernel's best rate in MB/s with its times, the sizes, and the validation", () => {
    const [run] = parseMembwOutput(real, "trial-1.txt");
    expect(run).toMatchObject({
      benchmark: "membw",
      implementation: "aws-bench-membw",
      valid: true,
      parameters: { arraySize: 16_777_216, ntimes: 20, threads: 2, elementBytes: 8, ticksPerKernel: 564_798 },
    });
    expect(run?.metrics["triad"]).toEqual({ value: 20308.6, unit: "MB/s", printed: "20308.6" });
    expect(run?.metrics["copyMinTime"]).toEqual({ value: 0.013234, unit: "s", printed: "0.013234" });
    expect(run?.parameters["validationMaxRelativeError"]).toBe("0.000e+00");
  });

  it("marks a failed validation, a non-finite rate and too few timer steps invalid, with the reason", () => {
    const failed = real.replace(
      /^validation: passed .*$/m,
      "validation: failed array=b max-relative-error=6.584e-06 tolerance=1.0e-13",
    );
    expect(parseMembwOutput(failed, "f")[0]).toMatchObject({
      valid: false,
      invalidReason: "validation failed: array=b max-relative-error=6.584e-06 tolerance=1.0e-13",
    });
    const inf = real.replace("rate-MB/s=20308.6", "rate-MB/s=inf");
    expect(parseMembwOutput(inf, "i")[0]?.invalidReason).toMatch(/non-finite values printed for triad \(inf\)/);
    expect(parseMembwOutput(inf, "i")[0]?.metrics["triad"]?.value).toBeNull();
    const short = real.replace("ticks-per-kernel: 564798", "ticks-per-kernel: 12");
    expect(parseMembwOutput(short, "s")[0]?.invalidReason).toMatch(/only 12 timer steps \(at least 20 needed\)/);
    expect(parseMembwOutput(real.replace("ticks-per-kernel: 564798", "ticks-per-kernel: 20"), "s")[0]?.valid).toBe(
      true,
    );
  });

  it("refuses empty, foreign and truncated output, naming what is missing", () => {
    expect(() => parseMembwOutput(" \n", "e")).toThrow(/e: is empty/);
    expect(() => parseMembwOutput("STREAM version $Revision: 5.10 $\n", "s")).toThrow(/not aws-bench-membw output/);
    expect(() => parseMembwOutput(real.replace("aws-bench-membw/1", "aws-bench-membw/2"), "v")).toThrow(
      /format 'aws-bench-membw\/2'/,
    );
    const cut = (marker: string) => real.slice(0, real.indexOf(marker));
    expect(() => parseMembwOutput(cut("result: triad"), "t")).toThrow(/truncated: no result for triad/);
    expect(() => parseMembwOutput(cut("validation:"), "t")).toThrow(/truncated: no validation line/);
    expect(() => parseMembwOutput(cut("end:"), "t")).toThrow(/truncated: no 'end: aws-bench-membw' line/);
  });

  it("is read by the stream definition's parser, which still reads stream.c's output as STREAM", () => {
    expect(streamBenchmark.parse(real, "x")[0]?.benchmark).toBe("membw");
    const stream = readFileSync(outputPath("shared/stream-omp-10M-ntimes10-t2.txt"), "utf8");
    expect(streamBenchmark.parse(stream, "y")[0]).toMatchObject({
      benchmark: "stream",
      implementation: "stream.c-openmp",
    });
  });
});

describe("aws-bench-membw command lines", () => {
  it("builds for the host's CPU with OpenMP from the shipped source, and passes size and passes as arguments", () => {
    expect(membwCompileArgs({ architecture: "x86_64" }, "/k", "/b/m")).toEqual([
      "-O3",
      "-march=native",
      "-fopenmp",
      "/k/aws-bench-membw.c",
      "-o",
      "/b/m",
      "-lm",
    ]);
    expect(membwCompileArgs({ architecture: "arm64" }, "/k", "/b/m")[1]).toBe("-mcpu=native");
    expect(membwArgs({ arraySize: 16_777_216, ntimes: 20 })).toEqual(["16777216", "20"]);
    expect(readFileSync(join(membwKernel.directory(), membwKernel.sourceFile), "utf8")).toMatch(/not STREAM/);
  });
});

const hasGcc = hasCommands("the bandwidth kernel built with gcc", ["cc"], "apt-get install gcc");

describe.skipIf(!hasGcc)("aws-bench-membw built and run here", () => {
  const tempDir = useTempDir();
  const build = (name: string, extra: string[] = []) => {
    const binary = join(tempDir(), name);
    execFileSync(
      "cc",
      membwCompileArgs(
        { architecture: process.arch === "arm64" ? "arm64" : "x86_64" },
        membwKernel.directory(),
        binary,
        extra,
      ),
    );
    return binary;
  };
  const runKernel = (binary: string, args: string[]) =>
    spawnSync(binary, args, { encoding: "utf8", env: { ...process.env, OMP_NUM_THREADS: "2" } });

  it("computes what the scalar model says: validation passes with no error at all", () => {
    const result = runKernel(build("membw"), ["200000", "30"]);
    expect(result.status).toBe(0);
    const [run] = parseMembwOutput(result.stdout, "run");
    expect(run).toMatchObject({ valid: true, parameters: { arraySize: 200_000, ntimes: 30, threads: 2 } });
    expect(run?.parameters["validationMaxRelativeError"]).toBe("0.000e+00");
    for (const kernel of ["copy", "scale", "add", "triad"]) expect(run?.metrics[kernel]?.value).toBeGreaterThan(0);
  }, 60_000);

  it("fails validation when one element is corrupted after the timed passes (the fault build)", () => {
    const result = runKernel(build("membw-fault", ["-DAWS_BENCH_MEMBW_INJECT_FAULT"]), ["200000", "5"]);
    expect(result.status).toBe(1);
    expect(parseMembwOutput(result.stdout, "fault")[0]).toMatchObject({
      valid: false,
      invalidReason: expect.stringMatching(/^validation failed: array=b max-relative-error=/),
    });
  }, 60_000);

  it("refuses arguments it cannot honour", () => {
    const binary = build("membw-args");
    expect(runKernel(binary, ["10", "5"]).stderr).toMatch(/ELEMENTS must be an integer >= 1000/);
    expect(runKernel(binary, ["100000", "1"]).stderr).toMatch(/NTIMES must be an integer >= 2/);
    expect(runKernel(binary, ["100000", "1001"]).stderr).toMatch(/NTIMES must be at most 1000/);
    expect(runKernel(binary, []).status).toBe(2);
  }, 60_000);
});

/**
 * A real measurement parsed end to end: Debian's `hpcc` (HPL 2.0 and STREAM, with Open MPI and OpenBLAS) is run
 * here on a small problem, and `aws-bench parse hpcc` must report exactly what HPCC printed, cross-checked
 * against HPCC's own summary block. Skipped, with the reason printed, where hpcc or mpirun is not installed
 * (.ci/run installs them).
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ParsedOutput } from "../../src/schemas/generated/parsed-output.js";
import { fixturesDir } from "../helpers/fixtures.js";
import { hasCommands } from "../helpers/prerequisites.js";
import { useTempDir } from "../helpers/temp-dir.js";

const available = hasCommands("Debian's hpcc, run here", ["hpcc", "mpirun"], "apt-get install hpcc");
const bin = join(import.meta.dirname, "..", "..", "dist", "src", "cli", "bin.js");
const tempDir = useTempDir();

describe.skipIf(!available)("Debian's hpcc, run here", () => {
  it("parses a fresh run with the numbers HPCC printed", () => {
    const dir = tempDir();
    // The one-grid input of the negative-threshold fixture, checked this time: a positive threshold.
    const input = readFileSync(join(fixturesDir, "generators", "hpccinf-threshold-negative.txt"), "utf8").replace(
      "-16.0        threshold",
      "16.0         threshold",
    );
    writeFileSync(join(dir, "hpccinf.txt"), input);
    execFileSync("mpirun", ["--allow-run-as-root", "--oversubscribe", "-np", "1", "hpcc"], {
      cwd: dir,
      stdio: "ignore",
      timeout: 240_000,
    });
    const parsed = JSON.parse(
      execFileSync(process.execPath, [bin, "parse", "hpcc", "hpccoutf.txt", "--json"], { cwd: dir, encoding: "utf8" }),
    ) as ParsedOutput;
    const summary = parsed.summary ?? {};
    const hpl = parsed.runs.filter((run) => run.implementation === "hpcc-hpl-2.0");
    expect(hpl).toHaveLength(16);
    expect(hpl.every((run) => run.valid)).toBe(true);
    // HPCC's summary reports its best HPL run in Tflops; the parsed Gflops must contain that figure.
    const best = Math.max(...hpl.map((run) => run.metrics["gflops"]?.value ?? 0));
    expect(best / 1000).toBeCloseTo(Number(summary["HPL_Tflops"]), 3);
    const star = parsed.runs.find((run) => run.implementation === "hpcc-starstream");
    expect(star?.valid).toBe(true);
    expect(star?.metrics["triad"]?.value).toBeCloseTo(Number(summary["StarSTREAM_Triad"]), 3);
    expect(star?.metrics["triadRankAverage"]?.value).toBeCloseTo(Number(summary["StarSTREAM_Triad"]), 4);
    expect(summary["Success"]).toBe("1");
  }, 300_000);
});

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkArithmetic, printedHalfUnit } from "../../../src/community/arithmetic.js";
import type { Finding } from "../../../src/community/findings.js";
import { minimalResult } from "../../helpers/results.js";
import { useTempDir } from "../../helpers/temp-dir.js";
import { realOutput, runnerRun } from "./runner-runs.js";

const tempDir = useTempDir();

const coremark = {
  performance: realOutput("coremark-st-run1-performance.txt"),
  validation: realOutput("coremark-st-run2-validation.txt"),
};
const hpl = realOutput("hpl-1x1-np1-N2000-6000-NB128-192.txt");
const stream = realOutput("stream-omp-10M-ntimes10-t2.txt");

function severities(findings: readonly Finding[]): Array<[string | undefined, string]> {
  return findings.map((finding) => [finding.section, finding.severity]);
}

function rejections(findings: readonly Finding[]): string[] {
  return findings.filter((finding) => finding.severity === "reject").map((finding) => finding.reason);
}

describe("the internal arithmetic of raw outputs", () => {
  it("reads the precision a number was printed with", () => {
    expect(printedHalfUnit("0.007994")).toBeCloseTo(5e-7, 15);
    expect(printedHalfUnit("30022.8")).toBeCloseTo(0.05, 12);
    expect(printedHalfUnit("3.9144e+01")).toBeCloseTo(5e-4, 12);
    expect(printedHalfUnit("4.479e+01")).toBeCloseTo(5e-3, 12);
    expect(printedHalfUnit("0.14")).toBeCloseTo(0.005, 12);
    expect(printedHalfUnit("400000")).toBe(0.5);
  });

  it("passes an honest run of real STREAM, HPL and CoreMark outputs made by the runner", async () => {
    const run = await runnerRun(tempDir(), { stream, coremark, hpl });
    expect(severities(checkArithmetic(run.dir, run.result))).toEqual([
      ["stream", "pass"],
      ["hpl", "pass"],
      ["coremark", "pass"],
    ]);
  });

  it("passes the other real outputs: serial STREAM, CoreMark on two PThreads", async () => {
    const run = await runnerRun(tempDir(), {
      stream: realOutput("stream-serial-10M-ntimes10.txt"),
      // No two-context validation output was measured: the performance output answers both seeds here.
      coremark: {
        performance: realOutput("coremark-mt2-pthread-run1-performance.txt"),
        validation: realOutput("coremark-mt2-pthread-run1-performance.txt"),
      },
    });
    expect(severities(checkArithmetic(run.dir, run.result))).toEqual([
      ["stream", "pass"],
      ["coremark", "pass"],
    ]);
  });

  it("passes HPCC's HPL and the project's bandwidth kernel measured here", async () => {
    const run = await runnerRun(tempDir(), { membw: true, hpcc: realOutput("hpcc-1x1-np1-N4000-NB192.txt") });
    expect(severities(checkArithmetic(run.dir, run.result))).toEqual([
      ["hpl", "pass"],
      ["membw", "pass"],
    ]);
  });

  it("passes a run in which HPCC measured STREAM and HPL", async () => {
    const run = await runnerRun(tempDir(), { hpcc: realOutput("hpcc-1x1-np1-N4000-NB192.txt"), hpccOnly: true }, 1);
    expect(severities(checkArithmetic(run.dir, run.result))).toEqual([
      ["stream", "pass"],
      ["stream", "pass"],
      ["hpl", "pass"],
    ]);
  });

  it("reads HPCC's StarSTREAM and SingleSTREAM tables (GB/s, per-rank arrays) and rejects an edited one", () => {
    const dir = tempDir();
    const hpcc = realOutput("hpcc-1x1-np1-N4000-NB192.txt");
    mkdirSync(join(dir, "raw", "hpcc"), { recursive: true });
    writeFileSync(join(dir, "raw", "hpcc", "trial-1.txt"), hpcc);
    writeFileSync(
      join(dir, "raw", "hpcc", "trial-2.txt"),
      hpcc.replace("Triad:         27.9556", "Triad:         29.9556"),
    );
    // The sections as the HPCC suite records them: every configuration's trials name the execution's output.
    const section = (rawFile: string) => ({
      benchmark: "stream",
      implementation: "hpcc-starstream",
      parameters: {},
      configurations: [
        {
          id: "all-cores-spread",
          description: "StarSTREAM",
          trials: [{ index: 0, valid: true, metrics: {}, rawFile }],
          statistics: {},
        },
      ],
      headline: { configuration: "all-cores-spread", metric: "triadAllRanks" },
      validity: { valid: true },
    });
    const result = (rawFile: string) => ({ ...minimalResult(), benchmarks: [section(rawFile)] });
    expect(severities(checkArithmetic(dir, result("raw/hpcc/trial-1.txt")))).toEqual([["stream", "pass"]]);
    expect(rejections(checkArithmetic(dir, result("raw/hpcc/trial-2.txt")))).toEqual([
      expect.stringMatching(
        /StarSTREAM \(line \d+\): triad printed 29\.9556 GB\/s, but 127999992 bytes \(3 × 8 B × 5333333 elements\) in a best time of 0\.0046 s is 27\.5\d*–28\.1\d* GB\/s/,
      ),
    ]);
  });

  it("rejects a CoreMark run under 10 s, as CoreMark's run rules do (the 0.6 s run behind a published 21.9×)", async () => {
    // The same run printed as a 0.6 s one: iterations and rate consistent, CRCs right, only too short.
    const short = coremark.performance
      .replace("Total ticks      : 13788", "Total ticks      : 600")
      .replace("13.788000", "0.600000")
      .replace("Iterations       : 400000", "Iterations       : 17406")
      .replaceAll("29010.733972", "29010.000000");
    const run = await runnerRun(tempDir(), { coremark: { performance: short, validation: coremark.validation } }, 1);
    const reasons = rejections(checkArithmetic(run.dir, run.result));
    expect(reasons.some((reason) => /timed 0\.600000 s; CoreMark's run rules require at least 10 s/.test(reason))).toBe(
      true,
    );
    expect(reasons.every((reason) => !/Iterations\/Sec printed/.test(reason))).toBe(true);
  });

  it("rejects a CoreMark score that its iterations and time do not give, and a wrong CRC", async () => {
    const inflated = coremark.performance.replaceAll("29010.733972", "39010.733972");
    const badCrc = coremark.validation.replace("[0]crcmatrix     : 0x0747", "[0]crcmatrix     : 0x0748");
    const run = await runnerRun(tempDir(), { coremark: { performance: inflated, validation: badCrc } }, 1);
    const reasons = rejections(checkArithmetic(run.dir, run.result));
    expect(reasons).toContainEqual(
      expect.stringMatching(
        /raw\/coremark\/all-threads\/trial-1\.txt: run at line 1: Iterations\/Sec printed 39010\.733972, but 400000 iterations in 13\.788000 s is 29010\.7/,
      ),
    );
    expect(reasons).toContainEqual(
      expect.stringMatching(
        /validation\/trial-1\.txt: .*context 0's crcmatrix is 0x0748; CoreMark's 2K validation run gives 0x0747/,
      ),
    );
  });

  it("rejects an HPL output whose GFLOPS does not match N and time", async () => {
    // 4000 in 1.06 s (1.055–1.065 s) is 40.1–40.5 GFLOPS: 4.5416e+01 cannot be.
    const run = await runnerRun(tempDir(), { hpl: hpl.replace("4.0416e+01", "4.5416e+01") }, 1);
    const reasons = rejections(checkArithmetic(run.dir, run.result));
    expect(reasons).toEqual([
      expect.stringMatching(
        /raw\/hpl\/all-cores\/trial-1\.txt: result line \d+: printed 4\.5416e\+01 GFLOPS, but N = 4000 solved in 1\.06 s is 40\.0851–40\.4727 GFLOPS/,
      ),
    ]);
  });

  it("rejects an HPL output whose residual check failed, or printed PASSED over the threshold", async () => {
    const failed = await runnerRun(
      join(tempDir(), "failed"),
      { hpl: realOutput("hpl-1x1-np1-threshold1e-6-FAILED.txt") },
      1,
    );
    expect(rejections(checkArithmetic(failed.dir, failed.result))[0]).toMatch(/residual check FAILED/);
    const relabelled = hpl.replace("3.30338351e-03 ...... PASSED", "3.30338351e+03 ...... PASSED");
    const run = await runnerRun(join(tempDir(), "relabelled"), { hpl: relabelled }, 1);
    expect(rejections(checkArithmetic(run.dir, run.result))).toEqual([
      expect.stringMatching(
        /the residual check printed PASSED, but the scaled residual 3303\.38351 is not below the threshold 16/,
      ),
    ]);
  });

  it("rejects a STREAM rate that is not the bytes moved over the best time", async () => {
    const run = await runnerRun(tempDir(), {
      stream: stream.replace("Triad:          30022.8", "Triad:          36022.8"),
    });
    const reasons = rejections(checkArithmetic(run.dir, run.result));
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons[0]).toMatch(
      /triad printed 36022\.8 MB\/s, but 240000000 bytes \(3 × 8 B × 10000000 elements\) in a best time of 0\.007994 s is 30020\.6–30024\.4 MB\/s/,
    );
  });
});

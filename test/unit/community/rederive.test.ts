import { readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { rederiveRun } from "../../../src/community/rederive.js";
import { useTempDir } from "../../helpers/temp-dir.js";
import type { RunnerRun } from "./runner-runs.js";
import { realOutput, rewriteResult, runnerRun } from "./runner-runs.js";

const tempDir = useTempDir();

const coremark = {
  performance: realOutput("coremark-st-run1-performance.txt"),
  validation: realOutput("coremark-st-run2-validation.txt"),
};

function severities(findings: ReturnType<typeof rederiveRun>): Array<[string | undefined, string]> {
  return findings.map((finding) => [finding.section, finding.severity]);
}

function rejections(findings: ReturnType<typeof rederiveRun>): string[] {
  return findings.filter((finding) => finding.severity === "reject").map((finding) => finding.reason);
}

async function honestRun(): Promise<RunnerRun> {
  return runnerRun(tempDir(), {
    stream: realOutput("stream-omp-10M-ntimes10-t2.txt"),
    coremark,
    hpl: realOutput("hpl-1x1-np1-N2000-6000-NB128-192.txt"),
  });
}

describe("re-derivation of a run from its raw files", () => {
  it("passes every section of an honest run made by the runner", async () => {
    const run = await honestRun();
    expect(severities(rederiveRun(run.dir, run.result))).toEqual([
      ["stream", "pass"],
      ["hpl", "pass"],
      ["coremark", "pass"],
    ]);
  });

  it("rejects a result.json whose trial value was edited, naming section, configuration, trial and field", async () => {
    const run = await honestRun();
    const edited = rewriteResult(run, (result) => {
      const trial = result.benchmarks[1]?.configurations[0]?.trials[1];
      if (!trial?.metrics["gflops"]) throw new Error("no HPL trial");
      trial.metrics["gflops"].value = 41.5;
    });
    const findings = rederiveRun(run.dir, edited);
    expect(severities(findings)).toEqual([
      ["stream", "pass"],
      ["hpl", "reject"],
      ["coremark", "pass"],
    ]);
    expect(rejections(findings)[0]).toMatch(
      /configuration 'all-cores', trial 1 \(raw\/hpl\/all-cores\/trial-2\.txt\): metrics\.gflops\.value: recorded 41\.5, raw files give 39\.144/,
    );
  });

  it("rejects an edited headline and statistics even when every trial is left as the runner wrote it", async () => {
    const run = await honestRun();
    const edited = rewriteResult(run, (result) => {
      const stream = result.benchmarks[0];
      if (!stream?.headline.statistics) throw new Error("no STREAM headline");
      stream.headline.statistics.median *= 1.2;
      const statistics = stream.configurations[0]?.statistics["triad"];
      if (statistics) statistics.max = 99_999;
    });
    const reasons = rejections(rederiveRun(run.dir, edited));
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(
      /configuration 'all-cores-spread': statistics\.triad\.max: recorded 99999, raw files give 30022\.8/,
    );
    expect(reasons[0]).toMatch(/headline\.statistics\.median: recorded 36027\.36, raw files give 30022\.8/);
  });

  it("rejects a trial turned from invalid to valid, and a CoreMark run whose failed validation was hidden", async () => {
    const short = realOutput("coremark-st-run1-performance.txt").replace("13.788000", "9.788000");
    const run = await runnerRun(tempDir(), { coremark: { performance: short, validation: coremark.validation } }, 1);
    expect(run.result.benchmarks[0]?.validity.valid).toBe(false);
    const edited = rewriteResult(run, (result) => {
      const section = result.benchmarks[0];
      if (!section) throw new Error("no section");
      for (const configuration of section.configurations)
        for (const trial of configuration.trials) {
          trial.valid = true;
          delete trial.invalidReason;
        }
      section.validity = { valid: true, validTrials: 1, trials: 1 };
    });
    const reasons = rejections(rederiveRun(run.dir, edited));
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(
      /configuration 'all-threads', trial 0 \(raw\/coremark\/all-threads\/trial-1-rerun\.txt\): invalidReason: missing from result\.json/,
    );
    expect(reasons[0]).toMatch(/valid: recorded true, raw files give false/);
  });

  it("rejects a result.json that leaves a trial out, though the rest re-derive", async () => {
    const run = await runnerRun(tempDir(), { hpl: realOutput("hpl-1x1-np1-N2000-6000-NB128-192.txt") }, 3);
    const edited = rewriteResult(run, (result) => {
      const configuration = result.benchmarks[0]?.configurations[0];
      if (!configuration) throw new Error("no HPL configuration");
      configuration.trials.splice(1, 1);
    });
    const reasons = rejections(rederiveRun(run.dir, edited));
    expect(reasons).toContain(
      "raw/hpl/all-cores/trial-2.txt is a trial's output that no trial in result.json names: a trial was left out",
    );
    expect(reasons).toContain(
      "raw/hpl/all-cores/ has trials up to 3 but result.json names no trial 2: a trial was left out",
    );
    // Without its file either, the gap in the numbers still tells.
    const hidden = rewriteResult(run, (result) => {
      result.benchmarks[0]?.configurations[0]?.trials.splice(1, 1);
      result.rawFiles = result.rawFiles.filter((file) => file.path !== "raw/hpl/all-cores/trial-2.txt");
    });
    expect(rejections(rederiveRun(run.dir, hidden))).toContain(
      "raw/hpl/all-cores/ has trials up to 3 but result.json names no trial 2: a trial was left out",
    );
  });

  it("rejects a listed raw file that is missing, and one whose bytes changed", async () => {
    const run = await honestRun();
    rmSync(join(run.dir, "raw/stream/all-cores-spread/trial-1.txt"));
    writeFileSync(
      join(run.dir, "raw/hpl/all-cores/trial-1.txt"),
      realOutput("hpl-1x1-np1-N2000-6000-NB128-192.txt").replace("3.9144e+01", "4.9144e+01"),
    );
    const reasons = rejections(rederiveRun(run.dir, run.result));
    expect(reasons).toEqual([
      expect.stringMatching(/^raw\/hpl\/all-cores\/trial-1\.txt is not the file result\.json lists \(SHA-256/),
      "raw/stream/all-cores-spread/trial-1.txt is listed but missing",
      expect.stringMatching(
        /trial 0: cannot be re-derived: its raw file raw\/stream\/all-cores-spread\/trial-1\.txt is missing or altered/,
      ),
      expect.stringMatching(
        /trial 0: cannot be re-derived: its raw file raw\/hpl\/all-cores\/trial-1\.txt is missing or altered/,
      ),
    ]);
  });

  it("reads only regular files inside the run: a path leaving it or a symbolic link rejects, and nothing throws", async () => {
    const run = await runnerRun(tempDir(), { stream: realOutput("stream-omp-10M-ntimes10-t2.txt") }, 1);
    const trialFile = "raw/stream/all-cores-spread/trial-1.txt";
    const bytes = readFileSync(join(run.dir, trialFile));
    rmSync(join(run.dir, trialFile));
    writeFileSync(join(run.dir, "..", "outside.txt"), bytes);
    symlinkSync(join(run.dir, "..", "outside.txt"), join(run.dir, trialFile));
    const edited = rewriteResult(run, (result) => {
      result.rawFiles.push({ path: "../outside.txt", sha256: "0".repeat(64), bytes: 1 });
    });
    const reasons = rejections(rederiveRun(run.dir, edited));
    expect(reasons).toContain(`${trialFile} is a symbolic link, not a file`);
    expect(reasons).toContain("'../outside.txt' is not a path inside the run in normal form");
  });

  it("re-derives HPCC's StarSTREAM (summed over ranks), SingleSTREAM and HPL from one execution's output", async () => {
    const run = await runnerRun(tempDir(), { hpcc: realOutput("hpcc-1x1-np1-N4000-NB192.txt"), hpccOnly: true }, 2);
    expect(run.result.benchmarks.map((section) => [section.benchmark, section.implementation])).toEqual([
      ["stream", "hpcc-starstream"],
      ["stream", "hpcc-singlestream"],
      ["hpl", "hpcc-hpl-2.0"],
    ]);
    expect(severities(rederiveRun(run.dir, run.result))).toEqual([
      ["stream", "pass"],
      ["stream", "pass"],
      ["hpl", "pass"],
    ]);
    const edited = rewriteResult(run, (result) => {
      const all = result.benchmarks[0]?.configurations[0]?.trials[1]?.metrics["triadAllRanks"];
      if (!all?.value) throw new Error("no StarSTREAM sum");
      all.value += 1;
    });
    expect(rejections(rederiveRun(run.dir, edited))).toEqual([
      expect.stringMatching(
        /configuration 'all-cores-spread', trial 1 \(raw\/hpcc\/trial-2\.txt\): metrics\.triadAllRanks\.value: recorded/,
      ),
    ]);
  });

  it("re-derives HPCC's HPL and the project's bandwidth kernel as the runner recorded them", async () => {
    const run = await runnerRun(tempDir(), { membw: true, hpcc: realOutput("hpcc-1x1-np1-N4000-NB192.txt") }, 2);
    expect(run.result.benchmarks.map((section) => [section.benchmark, section.implementation])).toEqual([
      ["hpl", "hpcc-hpl-2.0"],
      ["membw", "aws-bench-membw"],
    ]);
    expect(severities(rederiveRun(run.dir, run.result))).toEqual([
      ["hpl", "pass"],
      ["membw", "pass"],
    ]);
    const edited = rewriteResult(run, (result) => {
      const triad = result.benchmarks[1]?.configurations[0]?.trials[0]?.metrics["triad"];
      if (!triad?.value) throw new Error("no membw triad");
      triad.value *= 1.000001;
    });
    expect(rejections(rederiveRun(run.dir, edited))[0]).toMatch(/trial 0 .*metrics\.triad\.value: recorded/);
  });
});

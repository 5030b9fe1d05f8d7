import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { checkArithmetic } from "../../../src/community/arithmetic.js";
import { checkCeilings, coremarkPerThreadBand } from "../../../src/community/ceilings.js";
import type { Finding } from "../../../src/community/findings.js";
import { loadFamilyTable } from "../../../src/discovery/family-table.js";
import type { BenchmarkResult } from "../../../src/schemas/generated/benchmark-result.js";
import type { FamilyTable } from "../../../src/schemas/generated/families.js";
import { useTempDir } from "../../helpers/temp-dir.js";
import { realOutput, runnerRun } from "./runner-runs.js";

const tempDir = useTempDir();
let table: FamilyTable;
beforeAll(async () => {
  // The shipped table: the ceilings below are its facts (m6a: AMD EPYC 7R13, 8 × DDR4-3200 per socket, 16 FP64
  // FLOPs/cycle, 3.6 GHz; a1: Graviton, 4 FLOPs/cycle, 2.3 GHz).
  table = await loadFamilyTable();
});

const coremark = {
  performance: realOutput("coremark-st-run1-performance.txt"),
  validation: realOutput("coremark-st-run2-validation.txt"),
};
const m6a = { instanceType: "m6a.large", cpuModel: "AMD EPYC 7R13 Processor", sockets: 1, cores: 1 };
/** m6a's memory ceiling: 8 channels × 3200 MT/s × 8 B × 1 socket. */
const m6aMemoryCeiling = 8 * 3200 * 8;

/** A real STREAM output whose Triad line says `rate` MB/s with the best time that gives it (so it is self-consistent). */
function streamWithTriad(rate: number): string {
  const seconds = (3 * 8 * 10_000_000) / (rate * 1e6);
  const printedTime = seconds.toFixed(6);
  const printedRate = ((3 * 8 * 10_000_000) / Number(printedTime) / 1e6).toFixed(1);
  return realOutput("stream-omp-10M-ntimes10-t2.txt").replace(
    "Triad:          30022.8     0.030449     0.007994     0.174436",
    `Triad:          ${printedRate}     0.030449     ${printedTime}     0.174436`,
  );
}

function on(result: BenchmarkResult, host: Partial<BenchmarkResult["host"]>): BenchmarkResult {
  return { ...result, host: { ...result.host, ...host } };
}

function summary(findings: readonly Finding[]): Array<[string | undefined, string]> {
  return findings.map((finding) => [finding.section, finding.severity]);
}

describe("physical ceilings from the family table", () => {
  it("passes an honest run on the type it names", async () => {
    const run = await runnerRun(tempDir(), {
      stream: realOutput("stream-omp-10M-ntimes10-t2.txt"),
      hpl: realOutput("hpl-1x1-np1-N2000-6000-NB128-192.txt"),
      coremark,
    });
    const findings = checkCeilings(on(run.result, m6a), table);
    expect(summary(findings)).toEqual([
      ["stream", "pass"],
      ["hpl", "pass"],
      ["coremark", "pass"],
    ]);
    expect(findings[0]?.reason).toContain("8 channels × 3200 MT/s × 8 B × 1 socket(s) = 204800 MB/s");
    expect(findings[1]?.reason).toContain("1 cores × 16 FLOPs/cycle × 3.6 GHz = 57.6 GFLOPS");
  });

  it("rejects a STREAM figure above the memory system's ceiling, and flags one just above it", async () => {
    const over = await runnerRun(join(tempDir(), "over"), { stream: streamWithTriad(m6aMemoryCeiling * 1.2) }, 1);
    // The output agrees with itself: only the hardware says it is impossible.
    expect(summary(checkArithmetic(over.dir, over.result))).toEqual([["stream", "pass"]]);
    const rejected = checkCeilings(on(over.result, m6a), table);
    expect(summary(rejected)).toEqual([["stream", "reject"]]);
    expect(rejected[0]?.reason).toMatch(
      /above the physical ceiling by 19\.9 %: configuration '.*', trial 0, triad 24\d+\.\d MB\/s .* = 204800 MB\/s$/,
    );

    const near = await runnerRun(join(tempDir(), "near"), { stream: streamWithTriad(m6aMemoryCeiling * 1.03) }, 1);
    const flagged = checkCeilings(on(near.result, m6a), table);
    expect(summary(flagged)).toEqual([["stream", "flag"]]);
    expect(flagged[0]?.reason).toMatch(/above the physical ceiling by 2\.98 % \(within the 5 % margin\)/);
  });

  it("rejects HPL above cores × FLOPs per cycle × maximum clock, and CoreMark above its per-thread band", async () => {
    const twice = coremark.performance
      .replace("Iterations       : 400000", "Iterations       : 800000")
      .replaceAll("29010.733972", "58021.467943");
    const run = await runnerRun(
      tempDir(),
      {
        hpl: realOutput("hpl-1x1-np1-N2000-6000-NB128-192.txt"),
        coremark: { performance: twice, validation: coremark.validation },
      },
      1,
    );
    // a1: one Graviton core, 4 FLOPs/cycle at 2.3 GHz = 9.2 GFLOPS; CoreMark at most 20,000 × 2.3 per thread.
    const findings = checkCeilings(
      on(run.result, { instanceType: "a1.medium", cpuModel: "", sockets: 1, cores: 1 }),
      table,
    );
    expect(summary(findings)).toEqual([
      ["hpl", "reject"],
      ["coremark", "reject"],
    ]);
    expect(findings[0]?.reason).toMatch(
      /39\.144 GFLOPS against the FP64 peak of graviton1 \(family a1\): 1 cores × 4 FLOPs\/cycle × 2\.3 GHz = 9\.2 GFLOPS/,
    );
    expect(findings[1]?.reason).toContain(`${coremarkPerThreadBand.highPerGhz} per GHz × 2.3 GHz = 46000`);
  });

  it("flags a CoreMark rate per thread below the band: slow is possible, a person looks", async () => {
    const slow = coremark.performance
      .replace("Iterations       : 400000", "Iterations       : 20000")
      .replaceAll("29010.733972", "1450.536699");
    const run = await runnerRun(tempDir(), { coremark: { performance: slow, validation: coremark.validation } }, 1);
    const findings = checkCeilings(on(run.result, m6a), table);
    expect(summary(findings)).toEqual([["coremark", "flag"]]);
    expect(findings[0]?.reason).toContain("below the expected range");
    expect(findings[0]?.reason).toContain(`${coremarkPerThreadBand.lowPerGhz} per GHz × 3.6 GHz = 3600`);
  });

  it("flags, saying why, whatever it cannot hold to a ceiling; never a silent pass", async () => {
    const run = await runnerRun(
      tempDir(),
      {
        stream: realOutput("stream-omp-10M-ntimes10-t2.txt"),
        hpl: realOutput("hpl-1x1-np1-N2000-6000-NB128-192.txt"),
      },
      1,
    );
    const reasons = (host: Partial<BenchmarkResult["host"]>) =>
      checkCeilings(on(run.result, host), table).map((finding) => `${finding.severity}: ${finding.reason}`);
    expect(reasons({ instanceType: undefined })).toEqual([
      "flag: the run names no instance type: its ceilings cannot be computed",
      "flag: the run names no instance type: its ceilings cannot be computed",
    ]);
    expect(reasons({ instanceType: "zz9.large" })[0]).toBe(
      "flag: family zz9 (zz9.large) is not in configs/families.json: its ceilings cannot be computed",
    );
    expect(reasons({ ...m6a, sockets: undefined })[0]).toBe(
      "flag: the run does not record its sockets, so its memory ceiling is unknown",
    );
    // M3 (Ivy Bridge or Sandy Bridge): the table holds no clock AWS states for either.
    expect(reasons({ instanceType: "m3.large", cpuModel: "", sockets: 1, cores: 1 })[1]).toMatch(
      /^flag: the maximum clock of the most permissive of intel-ivybridge, intel-sandybridge .* is not in the table$/,
    );
  });

  it("holds a family with alternatives to the probed CPU's microarchitecture, else to the most permissive", async () => {
    const run = await runnerRun(tempDir(), { hpl: realOutput("hpl-1x1-np1-N2000-6000-NB128-192.txt") }, 1);
    const m5 = { instanceType: "m5.large", sockets: 1, cores: 1 };
    const probed = checkCeilings(
      on(run.result, { ...m5, cpuModel: "Intel(R) Xeon(R) Platinum 8175M CPU @ 2.50GHz" }),
      table,
    );
    expect(probed[0]?.reason).toContain("intel-skylake (probed CPU");
    const unknown = checkCeilings(on(run.result, { ...m5, cpuModel: "something else" }), table);
    expect(unknown[0]?.reason).toContain("the most permissive of intel-skylake, intel-cascadelake");
    expect(unknown[0]?.reason).toContain("× 4.5 GHz");
  });
});

import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compileCpuModels, loadFamilyTable } from "../../../src/discovery/family-table.js";
import { checkMeasuredCpus, identifyCpuModel } from "../../../src/discovery/measured-cpus.js";
import { parseCpuinfo } from "../../../src/runner/host-probe.js";
import type { FamilyTable } from "../../../src/schemas/generated/families.js";
import { output } from "../../helpers/fixtures.js";
import { measuredResults, writeMeasuredResult } from "../../helpers/measured-results.js";
import { useTempDir } from "../../helpers/temp-dir.js";

let table: FamilyTable;
beforeAll(async () => {
  table = await loadFamilyTable();
});

const tempDir = useTempDir();

/** The microarchitecture(s) the shipped table reads in a probed model string, or null. */
function readModel(model: string): string[] | null {
  return identifyCpuModel(model, compileCpuModels(table))?.microarchitectures ?? null;
}

/**
 * Previous-generation families as AWS lists them (docs.aws.amazon.com/ec2/latest/instancetypes/pg.html and the
 * families the brief names); those not in the shipped table are left out below.
 */
const previousGeneration = [
  ..."a1 c1 c3 c4 c5 c5d c5n d2 g2 g3 h1 i2 i3 m1 m2 m3 m4 m5 m5d p2 p3 r3 r4 r5 r5d t1 t2 x1 x1e z1d".split(" "),
  ..."cc2 cr1 hs1 f1".split(" "),
];

describe("the CPU-model table", () => {
  it.each([
    ["Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz", ["intel-cascadelake"]],
    ["Intel(R) Xeon(R) Platinum 8275CL CPU @ 3.00GHz", ["intel-cascadelake"]],
    ["Intel(R) Xeon(R) Platinum 8175M CPU @ 2.50GHz", ["intel-skylake"]],
    ["Intel(R) Xeon(R) Platinum 8124M CPU @ 3.00GHz", ["intel-skylake"]],
    ["Intel(R) Xeon(R) CPU E5-2676 v3 @ 2.40GHz", ["intel-haswell"]],
    ["Intel(R) Xeon(R) CPU E5-2686 v4 @ 2.30GHz", ["intel-broadwell"]],
    ["Intel(R) Xeon(R) CPU E5-2670 v2 @ 2.50GHz", ["intel-ivybridge"]],
    ["Intel(R) Xeon(R) CPU E5-2670 0 @ 2.60GHz", ["intel-sandybridge"]],
    ["AMD EPYC 7R13 Processor", ["amd-zen3"]],
    ["AMD EPYC 7571", ["amd-zen1"]],
    ["AMD EPYC 7R32", ["amd-zen2"]],
    ["AMD EPYC 9R14", ["amd-zen4"]],
    ["Neoverse-N1", ["graviton2"]],
    ["Arm Neoverse V1", ["graviton3", "graviton3e"]],
    ["Arm Neoverse V2", ["graviton4"]],
  ])("reads %s as %j", (model, expected) => {
    expect(readModel(model)).toEqual(expected);
  });

  it("reads the Arm core the host probe names from /proc/cpuinfo's implementer and part", () => {
    const cpuinfo = "processor\t: 0\nBogoMIPS\t: 243.75\nCPU implementer\t: 0x41\nCPU part\t: 0xd0c\n";
    expect(readModel(parseCpuinfo(cpuinfo).model ?? "")).toEqual(["graviton2"]);
  });

  it("does not guess a model a hypervisor masked (a real KVM guest reports only 'AMD EPYC')", () => {
    const probed = parseCpuinfo(output("shared/sysinfo-proc-cpuinfo-head40.txt")).model;
    expect(probed).toBe("AMD EPYC");
    expect(readModel(probed ?? "")).toBeNull();
  });

  it("cites public evidence for every model", () => {
    for (const entry of table.cpuModels) expect(entry.evidence.length, entry.model).toBeGreaterThan(0);
  });
});

describe("the shipped family table against AWS's documented processors", () => {
  it("maps no family to an unspecified Xeon unless AWS itself names no model, and says so in AWS's words", () => {
    const unspecified = Object.entries(table.families).filter(
      ([, entry]) => entry.microarchitecture === "intel-xeon-unspecified",
    );
    for (const [family, entry] of unspecified) {
      expect(entry.documentedAs, family).toMatch(/^(Intel Xeon Family|Variable)$/);
      expect(entry.processors, family).toEqual([]);
    }
    expect(unspecified.map(([family]) => family).sort()).toEqual(["c1", "m1", "m2", "t1"]);
  });

  it("gives every previous-generation family a documented processor the CPU-model table reads as its microarchitecture", () => {
    const present = previousGeneration.filter((family) => table.families[family]);
    expect(present.length).toBeGreaterThan(20);
    for (const family of present) {
      const entry = table.families[family]!;
      if (entry.documentedAs !== undefined && entry.processors.length === 0) continue;
      expect(entry.processors.length, family).toBeGreaterThan(0);
      const readings = entry.processors.map(readModel).filter((reading) => reading !== null);
      expect(readings.length, `${family}: ${entry.processors.join(", ")}`).toBeGreaterThan(0);
      for (const reading of readings) expect(reading, family).toContain(entry.microarchitecture);
    }
  });

  it("records both generations, with evidence, where AWS names two", () => {
    const twoGenerations: Record<string, [string, string]> = {
      c5: ["intel-skylake", "intel-cascadelake"],
      c5d: ["intel-skylake", "intel-cascadelake"],
      m5: ["intel-skylake", "intel-cascadelake"],
      m5d: ["intel-skylake", "intel-cascadelake"],
      r5: ["intel-skylake", "intel-cascadelake"],
      r5d: ["intel-skylake", "intel-cascadelake"],
      t3: ["intel-skylake", "intel-cascadelake"],
      i3en: ["intel-skylake", "intel-cascadelake"],
      m4: ["intel-haswell", "intel-broadwell"],
      // AWS documents the E5-2670 v2 for M3 and notes that it may also launch on the Sandy Bridge E5-2670.
      m3: ["intel-ivybridge", "intel-sandybridge"],
    };
    for (const [family, [primary, alternative]] of Object.entries(twoGenerations)) {
      const entry = table.families[family]!;
      expect(entry.microarchitecture, family).toBe(primary);
      expect(
        entry.alternatives?.map((a) => a.microarchitecture),
        family,
      ).toEqual([alternative]);
    }
  });

  it("gives every alternative evidence and processors the CPU-model table reads as that alternative", () => {
    let alternatives = 0;
    for (const [family, entry] of Object.entries(table.families)) {
      for (const alternative of entry.alternatives ?? []) {
        alternatives++;
        expect(alternative.evidence.length, family).toBeGreaterThan(0);
        for (const url of alternative.evidence) expect(url, family).toMatch(/^https:\/\//);
        for (const processor of alternative.processors) {
          expect(readModel(processor), `${family}: ${processor}`).toContain(alternative.microarchitecture);
        }
      }
    }
    expect(alternatives).toBeGreaterThanOrEqual(12);
  });
});

describe("checkMeasuredCpus", () => {
  it("lists the families whose measured CPU is neither the table's primary nor an alternative", async () => {
    const root = tempDir();
    measuredResults(root);
    const check = await checkMeasuredCpus(root, table);
    expect(check.resultFiles).toBe(9);
    expect(check.differing).toEqual(["c5", "m1"]);
    const byFamily = Object.fromEntries(check.families.map((family) => [family.family, family]));
    expect(byFamily["m5"]?.verdict).toBe("agrees");
    expect(byFamily["m5"]?.measured.map((cpu) => cpu.verdict)).toEqual(["alternative", "primary"]);
    expect(byFamily["c5"]?.measured).toEqual([
      expect.objectContaining({
        file: join("c5.large", "b1-0", "result.json"),
        verdict: "differs",
        identified: { model: "Intel Xeon Platinum 8375C", microarchitectures: ["intel-icelake"] },
      }),
      expect.objectContaining({ file: join("c5.large", "b1-1", "result.json"), verdict: "alternative" }),
    ]);
    expect(byFamily["m1"]).toMatchObject({
      microarchitecture: "intel-xeon-unspecified",
      documentedAs: "Intel Xeon Family",
      verdict: "differs",
    });
    expect(byFamily["c7g"]?.verdict).toBe("agrees");
    expect(byFamily["m7a"]?.verdict).toBe("unrecognized");
    expect(check.skipped.map((skipped) => skipped.file)).toEqual([
      join("broken.large", "b1-0", "result.json"),
      join("local", "run-1", "result.json"),
    ]);
    expect(check.skipped[0]?.reason).toMatch(/^not a valid result/);
    expect(check.skipped[1]?.reason).toMatch(/no EC2 instance type/);
  });

  it("counts a measured family the table lacks as differing", async () => {
    const root = tempDir();
    writeMeasuredResult(root, "q9z.large/b1-0", { instanceType: "q9z.large", cpuModel: "AMD EPYC 9R14" });
    const check = await checkMeasuredCpus(root, table);
    expect(check.differing).toEqual(["q9z"]);
    expect(check.families[0]?.measured[0]?.verdict).toBe("not-in-table");
  });

  it("refuses a folder without results", async () => {
    await expect(checkMeasuredCpus(tempDir(), table)).rejects.toMatchObject({ code: "EmptyResult" });
    await expect(checkMeasuredCpus(join(tempDir(), "absent"), table)).rejects.toMatchObject({
      code: "InputUnreadable",
    });
  });
});

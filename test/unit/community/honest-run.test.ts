import { beforeAll, describe, expect, it } from "vitest";
import { checkArithmetic } from "../../../src/community/arithmetic.js";
import { checkCeilings } from "../../../src/community/ceilings.js";
import type { Finding } from "../../../src/community/findings.js";
import { worstSeverity } from "../../../src/community/findings.js";
import { rederiveRun } from "../../../src/community/rederive.js";
import { robustZ } from "../../../src/community/robust-z.js";
import { loadFamilyTable } from "../../../src/discovery/family-table.js";
import type { FamilyTable } from "../../../src/schemas/generated/families.js";
import { useTempDir } from "../../helpers/temp-dir.js";
import { realOutput, runnerRun } from "./runner-runs.js";

const tempDir = useTempDir();
let table: FamilyTable;
beforeAll(async () => {
  table = await loadFamilyTable();
});

describe("an honest run through review steps 3–6", () => {
  it("passes every check, each saying what it checked", async () => {
    const run = await runnerRun(tempDir(), {
      stream: realOutput("stream-omp-10M-ntimes10-t2.txt"),
      hpl: realOutput("hpl-1x1-np1-N2000-6000-NB128-192.txt"),
      coremark: {
        performance: realOutput("coremark-st-run1-performance.txt"),
        validation: realOutput("coremark-st-run2-validation.txt"),
      },
    });
    // The outputs were measured on a 2-vCPU AMD EPYC guest: review them as an m6a.large (EPYC 7R13, one core).
    const result = {
      ...run.result,
      host: {
        ...run.result.host,
        instanceType: "m6a.large",
        cpuModel: "AMD EPYC 7R13 Processor",
        sockets: 1,
        cores: 1,
      },
    };
    const findings: Finding[] = [
      ...rederiveRun(run.dir, result),
      ...checkArithmetic(run.dir, result),
      ...checkCeilings(result, table),
      ...robustZ(result, []),
    ];
    expect(worstSeverity(findings)).toBe("pass");
    expect(findings.map((finding) => `${finding.step} ${finding.section ?? ""}`)).toEqual([
      "rederive stream",
      "rederive hpl",
      "rederive coremark",
      "arithmetic stream",
      "arithmetic hpl",
      "arithmetic coremark",
      "ceilings stream",
      "ceilings hpl",
      "ceilings coremark",
      "robust-z stream",
      "robust-z hpl",
      "robust-z coremark",
    ]);
    expect(findings.every((finding) => finding.reason.length > 20)).toBe(true);
  });

  it("takes the worst severity as the verdict of several findings", () => {
    const pass: Finding = { step: "rederive", severity: "pass", reason: "matched" };
    expect(worstSeverity([])).toBe("pass");
    expect(worstSeverity([pass, { ...pass, severity: "flag" }])).toBe("flag");
    expect(worstSeverity([{ ...pass, severity: "reject" }, pass, { ...pass, severity: "flag" }])).toBe("reject");
  });
});

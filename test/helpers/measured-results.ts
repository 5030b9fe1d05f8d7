/** Result folders for `discover --check-measured` tests: results made in the real result shape, one per case. */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { BenchmarkResult } from "../../src/schemas/generated/benchmark-result.js";
import { minimalResult } from "./results.js";

/** Writes a result as the runner leaves it under data/raw/<type>/<run>/result.json. */
export function writeMeasuredResult(root: string, run: string, host: Partial<BenchmarkResult["host"]> | null): void {
  const path = join(root, run, "result.json");
  mkdirSync(dirname(path), { recursive: true });
  const result = minimalResult({ runId: run.replaceAll("/", "-") });
  if (host === null) writeFileSync(path, JSON.stringify({ ...result, host: undefined }));
  else writeFileSync(path, JSON.stringify({ ...result, host: { ...result.host, ...host } }));
}

/** A data/raw folder with results that agree, differ, cannot be read and cannot be judged. */
export function measuredResults(root: string): void {
  writeMeasuredResult(root, "m5.large/b1-0", {
    instanceType: "m5.large",
    cpuModel: "Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz",
  });
  writeMeasuredResult(root, "m5.xlarge/b1-0", {
    instanceType: "m5.xlarge",
    cpuModel: "Intel(R) Xeon(R) Platinum 8175M CPU @ 2.50GHz",
  });
  writeMeasuredResult(root, "c5.large/b1-0", {
    instanceType: "c5.large",
    cpuModel: "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz",
  });
  writeMeasuredResult(root, "c5.large/b1-1", {
    instanceType: "c5.large",
    cpuModel: "Intel(R) Xeon(R) Platinum 8275CL CPU @ 3.00GHz",
  });
  writeMeasuredResult(root, "m1.small/b1-0", {
    instanceType: "m1.small",
    cpuModel: "Intel(R) Xeon(R) CPU E5-2670 v2 @ 2.50GHz",
  });
  writeMeasuredResult(root, "c7g.large/b1-0", {
    architecture: "arm64",
    instanceType: "c7g.large",
    cpuModel: "Neoverse-V1",
  });
  writeMeasuredResult(root, "m7a.large/b1-0", { instanceType: "m7a.large", cpuModel: "AMD EPYC" });
  writeMeasuredResult(root, "local/run-1", {});
  writeMeasuredResult(root, "broken.large/b1-0", null);
}

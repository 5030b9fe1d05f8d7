/**
 * The family table checked against measured CPUs (`discover --check-measured DIR`). Every `result.json` under the
 * folder (the `data/raw/<type>/<run>/result.json` layout, or any part of it) is validated against the result
 * schema; the CPU model its host probe recorded is identified through the table's `cpuModels` and compared with
 * the family's primary microarchitecture and its alternatives. A family differs when one of its measured CPUs is
 * none of them — AWS's documentation and the hosts disagree, and the table should follow the hosts.
 *
 * What cannot be judged is reported, never guessed: a model string no entry recognises (a hypervisor may mask it,
 * as KVM guests reporting only "AMD EPYC" do), a result without an instance type (a local run), a file that is not
 * a valid result.
 */
import { lstatSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { BenchError, isBenchError } from "../errors.js";
import { readDocument } from "../schemas/documents.js";
import type { FamilyTable } from "../schemas/generated/families.js";
import { compareText } from "./architecture-mapping.js";
import { alternativeMicroarchitectures, compileCpuModels, type CompiledCpuModel } from "./family-table.js";
import { familyOf, isInstanceTypeName } from "./instance-type-name.js";

/** How one measured CPU compares with its family's entry. */
export type MeasuredVerdict = "primary" | "alternative" | "differs" | "not-in-table" | "unrecognized";

/** One result's probed CPU and how it compares with the table. */
export interface MeasuredCpu {
  /** The result file, relative to the checked folder. */
  file: string;
  /** The instance type the result ran on. */
  instanceType: string;
  /** Its family. */
  family: string;
  /** The CPU model string the host probe recorded. */
  cpuModel: string;
  /** The table's reading of that string: the model and its microarchitecture(s); null when none or several match. */
  identified: { model: string; microarchitectures: string[] } | null;
  /** `primary` or `alternative` when it agrees with the table, else why not. */
  verdict: MeasuredVerdict;
}

/** A family's measured CPUs against its table entry. */
export interface FamilyCheck {
  /** The family. */
  family: string;
  /** The table's primary microarchitecture, null when the family is not in the table. */
  microarchitecture: string | null;
  /** The table's alternatives. */
  alternatives: string[];
  /** AWS's wording where it names no model (`Intel Xeon Family`, `Variable`). */
  documentedAs?: string;
  /** `differs` when any measured CPU is neither the primary nor an alternative (or the family is not in the table). */
  verdict: "agrees" | "differs" | "unrecognized";
  /** The measurements, sorted by file. */
  measured: MeasuredCpu[];
}

/** A result file that could not be judged. */
export interface SkippedResult {
  /** The file, relative to the checked folder. */
  file: string;
  /** Why. */
  reason: string;
}

/** The whole check. */
export interface MeasuredCheck {
  /** The folder checked. */
  directory: string;
  /** Result files found. */
  resultFiles: number;
  /** One entry per measured family, sorted by name. */
  families: FamilyCheck[];
  /** The families whose measured CPU differs from the table, sorted. */
  differing: string[];
  /** Files that could not be judged. */
  skipped: SkippedResult[];
}

/**
 * Checks every result under `directory` against `table`. Throws `InputUnreadable` when the folder cannot be read
 * and `EmptyResult` when it holds no result.json at all.
 */
export async function checkMeasuredCpus(directory: string, table: FamilyTable): Promise<MeasuredCheck> {
  const files = findResultFiles(directory);
  if (files.length === 0) {
    throw new BenchError("EmptyResult", `${directory} holds no result.json.`, {
      fix: "Point --check-measured at data/raw (results are read from <type>/<run>/result.json).",
    });
  }
  const models = compileCpuModels(table);
  const measured: MeasuredCpu[] = [];
  const skipped: SkippedResult[] = [];
  for (const path of files) {
    const file = relative(directory, path);
    let host;
    try {
      host = (await readDocument("benchmark-result", path)).host;
    } catch (error) {
      if (!isBenchError(error)) throw error;
      skipped.push({ file, reason: `not a valid result: ${error.message}` });
      continue;
    }
    if (host.instanceType === undefined || !isInstanceTypeName(host.instanceType)) {
      skipped.push({ file, reason: "its host names no EC2 instance type (a local run)" });
      continue;
    }
    measured.push(judgeMeasuredCpu(file, host.instanceType, host.cpuModel, table, models));
  }
  const families = groupFamilies(measured, table);
  return {
    directory,
    resultFiles: files.length,
    families,
    differing: families.filter((check) => check.verdict === "differs").map((check) => check.family),
    skipped,
  };
}

/** Compares one probed CPU model with the family table. */
export function judgeMeasuredCpu(
  file: string,
  instanceType: string,
  cpuModel: string,
  table: FamilyTable,
  models: readonly CompiledCpuModel[] = compileCpuModels(table),
): MeasuredCpu {
  const family = familyOf(instanceType);
  const identified = identifyCpuModel(cpuModel, models);
  const entry = table.families[family];
  const base = { file, instanceType, family, cpuModel, identified };
  if (!identified) return { ...base, verdict: "unrecognized" };
  if (!entry) return { ...base, verdict: "not-in-table" };
  if (identified.microarchitectures.includes(entry.microarchitecture)) return { ...base, verdict: "primary" };
  if (alternativeMicroarchitectures(entry).some((id) => identified.microarchitectures.includes(id)))
    return { ...base, verdict: "alternative" };
  return { ...base, verdict: "differs" };
}

/** The table's reading of a probed model string: the one entry whose pattern matches, else null. */
export function identifyCpuModel(
  cpuModel: string,
  models: readonly CompiledCpuModel[],
): { model: string; microarchitectures: string[] } | null {
  const matches = models.filter(({ pattern }) => pattern.test(cpuModel));
  if (matches.length !== 1) return null;
  const { entry } = matches[0] as CompiledCpuModel;
  return { model: entry.model, microarchitectures: [...entry.microarchitectures] };
}

function groupFamilies(measured: readonly MeasuredCpu[], table: FamilyTable): FamilyCheck[] {
  const byFamily = new Map<string, MeasuredCpu[]>();
  for (const cpu of measured) byFamily.set(cpu.family, [...(byFamily.get(cpu.family) ?? []), cpu]);
  return [...byFamily.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([family, cpus]): FamilyCheck => {
      const entry = table.families[family];
      const verdicts = new Set(cpus.map((cpu) => cpu.verdict));
      const verdict =
        verdicts.has("differs") || verdicts.has("not-in-table")
          ? "differs"
          : verdicts.has("primary") || verdicts.has("alternative")
            ? "agrees"
            : "unrecognized";
      return {
        family,
        microarchitecture: entry?.microarchitecture ?? null,
        alternatives: entry ? alternativeMicroarchitectures(entry) : [],
        ...(entry?.documentedAs === undefined ? {} : { documentedAs: entry.documentedAs }),
        verdict,
        measured: [...cpus].sort((a, b) => compareText(a.file, b.file)),
      };
    });
}

/** Every file named result.json under `directory`, sorted; symbolic links are not followed. */
export function findResultFiles(directory: string): string[] {
  let stat;
  try {
    stat = lstatSync(directory);
  } catch (error) {
    throw new BenchError("InputUnreadable", `Cannot read ${directory}: ${(error as Error).message}.`, {
      fix: "Pass a folder of results, such as data/raw.",
      cause: error,
    });
  }
  if (stat.isFile()) return directory.endsWith("result.json") ? [directory] : [];
  if (!stat.isDirectory()) return [];
  const found: string[] = [];
  for (const name of readdirSync(directory).sort(compareText)) {
    const path = join(directory, name);
    const entry = lstatSync(path);
    if (entry.isDirectory()) found.push(...findResultFiles(path));
    else if (entry.isFile() && name === "result.json") found.push(path);
  }
  return found;
}

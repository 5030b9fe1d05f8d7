/**
 * The curated family table (`configs/families.json`): loaded, schema-checked, and checked for the
 * consistency the schema cannot express — every referenced microarchitecture and container tag exists, a tag's
 * architecture is its microarchitectures' architecture, a family's alternatives share its architecture, and each
 * CPU-model pattern compiles and recognises its own examples and no other entry's. A table that fails is a
 * reviewing mistake, so the error names the entry.
 */
import { BenchError } from "../errors.js";
import { packagePath } from "../package-files.js";
import { readDocument } from "../schemas/documents.js";
import type { CpuModel, FamilyEntry, FamilyTable } from "../schemas/generated/families.js";

/** Where the shipped table lives. */
export function defaultFamilyTablePath(): string {
  return packagePath("configs", "families.json");
}

/** Reads and checks a family table; throws `SchemaViolation` or `FamilyTableInvalid`. */
export async function loadFamilyTable(path = defaultFamilyTablePath()): Promise<FamilyTable> {
  const table = await readDocument("families", path);
  const problems = familyTableProblems(table);
  if (problems.length > 0) {
    throw new BenchError("FamilyTableInvalid", `${path} is inconsistent: ${problems.join("; ")}.`, {
      fix: "Correct the table (it is reviewed like code) so every reference resolves.",
    });
  }
  return table;
}

/** Consistency problems of a schema-valid table, one line each; empty when it is sound. */
export function familyTableProblems(table: FamilyTable): string[] {
  const problems: string[] = [];
  for (const [id, micro] of Object.entries(table.microarchitectures)) {
    if (micro.containerTag === null) continue;
    const tag = table.containerTags[micro.containerTag];
    if (!tag)
      problems.push(
        `microarchitecture ${id} uses container tag ${micro.containerTag}, which containerTags does not define`,
      );
    else if (tag.architecture !== micro.architecture) {
      problems.push(
        `microarchitecture ${id} is ${micro.architecture} but its container tag ${micro.containerTag} is ${tag.architecture}`,
      );
    }
  }
  for (const [family, entry] of Object.entries(table.families)) {
    const alternatives = alternativeMicroarchitectures(entry);
    for (const id of [entry.microarchitecture, ...alternatives]) {
      if (!table.microarchitectures[id])
        problems.push(`family ${family} names microarchitecture ${id}, which is not defined`);
    }
    if (alternatives.includes(entry.microarchitecture))
      problems.push(`family ${family} lists its primary ${entry.microarchitecture} again as an alternative`);
    const primary = table.microarchitectures[entry.microarchitecture];
    for (const id of alternatives) {
      const other = table.microarchitectures[id];
      if (primary && other && other.architecture !== primary.architecture) {
        problems.push(
          `family ${family} mixes ${primary.architecture} (${entry.microarchitecture}) and ${other.architecture} (${id})`,
        );
      }
    }
  }
  problems.push(...cpuModelProblems(table));
  return problems;
}

/** The microarchitecture ids of a family's alternatives, in table order. */
export function alternativeMicroarchitectures(entry: FamilyEntry): string[] {
  return (entry.alternatives ?? []).map((alternative) => alternative.microarchitecture);
}

/** A CPU-model entry with its pattern compiled (case-insensitive). */
export interface CompiledCpuModel {
  /** The table's entry. */
  entry: CpuModel;
  /** Its pattern. */
  pattern: RegExp;
}

/** Compiles the table's CPU-model patterns; throws `FamilyTableInvalid` naming the first that does not compile. */
export function compileCpuModels(table: FamilyTable): CompiledCpuModel[] {
  return table.cpuModels.map((entry) => {
    const pattern = compilePattern(entry.pattern);
    if (!pattern) {
      throw new BenchError("FamilyTableInvalid", `cpuModels entry ${entry.model} has an invalid pattern.`, {
        fix: "Correct the regular expression in configs/families.json.",
      });
    }
    return { entry, pattern };
  });
}

function compilePattern(source: string): RegExp | undefined {
  try {
    return new RegExp(source, "i");
  } catch {
    return undefined;
  }
}

function cpuModelProblems(table: FamilyTable): string[] {
  const problems: string[] = [];
  const compiled: { entry: CpuModel; pattern: RegExp }[] = [];
  for (const entry of table.cpuModels) {
    for (const id of entry.microarchitectures) {
      if (!table.microarchitectures[id])
        problems.push(`cpuModels entry ${entry.model} names microarchitecture ${id}, which is not defined`);
    }
    const pattern = compilePattern(entry.pattern);
    if (pattern) compiled.push({ entry, pattern });
    else problems.push(`cpuModels entry ${entry.model} has a pattern that does not compile: ${entry.pattern}`);
  }
  // Each example must identify its own entry and only it, so a probed string never has two readings.
  for (const { entry } of compiled) {
    for (const example of entry.examples) {
      const matches = compiled.filter(({ pattern }) => pattern.test(example)).map((other) => other.entry.model);
      if (matches.length !== 1 || matches[0] !== entry.model) {
        problems.push(
          `cpuModels example '${example}' of ${entry.model} is matched by ${matches.length ? matches.join(", ") : "no entry"}`,
        );
      }
    }
  }
  return problems;
}

/**
 * The curated family table (`configs/families.json`): loaded, schema-checked, and checked for the
 * consistency the schema cannot express — every referenced microarchitecture and container tag exists, and a
 * tag's architecture is its microarchitectures' architecture. A table that fails is a reviewing mistake, so
 * the error names the entry.
 */
import { BenchError } from "../errors.js";
import { packagePath } from "../package-files.js";
import { readDocument } from "../schemas/documents.js";
import type { FamilyTable } from "../schemas/generated/families.js";

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
    for (const id of [entry.microarchitecture, ...(entry.alsoSeen ?? [])]) {
      if (!table.microarchitectures[id])
        problems.push(`family ${family} names microarchitecture ${id}, which is not defined`);
    }
    const primary = table.microarchitectures[entry.microarchitecture];
    for (const id of entry.alsoSeen ?? []) {
      const other = table.microarchitectures[id];
      if (primary && other && other.architecture !== primary.architecture) {
        problems.push(
          `family ${family} mixes ${primary.architecture} (${entry.microarchitecture}) and ${other.architecture} (${id})`,
        );
      }
    }
  }
  return problems;
}

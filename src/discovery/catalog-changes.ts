/**
 * What a discovery run would change in the files under git: instance types and families added, removed or
 * changed. `--dry-run` prints this instead of writing.
 */
import type { ArchitectureMappings } from "../schemas/generated/architecture-mappings.js";
import type { InstanceCatalog } from "../schemas/generated/instance-catalog.js";
import { stableJson } from "../schemas/documents.js";
import { compareText } from "./architecture-mapping.js";

/** Added, removed and changed keys, each sorted. */
export interface KeyChanges {
  /** New keys. */
  added: string[];
  /** Keys that disappeared. */
  removed: string[];
  /** Keys whose value changed. */
  changed: string[];
}

/** Changes to the catalogue (by instance type) and to the mappings (by family). */
export interface CatalogChanges {
  /** Instance types. */
  instanceTypes: KeyChanges;
  /** Family mappings (microarchitecture, container tag, origin, type count). */
  families: KeyChanges;
}

/** Compares two keyed collections by their stable JSON. */
export function keyChanges<T>(before: ReadonlyMap<string, T>, after: ReadonlyMap<string, T>): KeyChanges {
  const added = [...after.keys()].filter((key) => !before.has(key)).sort(compareText);
  const removed = [...before.keys()].filter((key) => !after.has(key)).sort(compareText);
  const changed = [...after.keys()]
    .filter((key) => before.has(key) && stableJson(before.get(key)) !== stableJson(after.get(key)))
    .sort(compareText);
  return { added, removed, changed };
}

/** Changes from the files on disk (`undefined` when absent) to the newly discovered ones. */
export function catalogChanges(
  before: { catalog?: InstanceCatalog | undefined; mappings?: ArchitectureMappings | undefined },
  after: { catalog: InstanceCatalog; mappings: ArchitectureMappings },
): CatalogChanges {
  const types = (catalog?: InstanceCatalog) =>
    new Map((catalog?.instanceTypes ?? []).map((record) => [record.name, record] as const));
  const families = (mappings?: ArchitectureMappings) => new Map(Object.entries(mappings?.families ?? {}));
  return {
    instanceTypes: keyChanges(types(before.catalog), types(after.catalog)),
    families: keyChanges(families(before.mappings), families(after.mappings)),
  };
}

/**
 * The shipped catalogue as one value — instance types (`data/catalog/instance-types.json`), the family →
 * microarchitecture → container-tag mappings and the container tags (`configs/`) — read once per process, and the
 * one function that resolves instance type names against it. The planner, the stack program, quotas and
 * `--images` all resolve types here, so a type is refused for the same reasons everywhere.
 */
import { BenchError } from "../errors.js";
import { packagePath } from "../package-files.js";
import { readDocument } from "../schemas/documents.js";
import type {
  ArchitectureMappings,
  FamilyMapping,
  MicroarchitectureFacts,
} from "../schemas/generated/architecture-mappings.js";
import type { ContainerTag, ContainerTagList } from "../schemas/generated/container-tags.js";
import type { InstanceCatalog, InstanceTypeRecord } from "../schemas/generated/instance-catalog.js";

/** The three shipped documents. */
export interface Catalogue {
  /** Instance types. */
  catalog: InstanceCatalog;
  /** Family → microarchitecture → container tag. */
  mappings: ArchitectureMappings;
  /** The container tags (one benchmark image each). */
  containerTags: ContainerTagList;
}

/** One instance type with what the batch needs to know of it. */
export interface ResolvedInstanceType {
  /** Its catalogue record. */
  record: InstanceTypeRecord;
  /** Its family's mapping. */
  mapping: FamilyMapping;
  /** Its microarchitecture's facts (FLOPs per cycle, memory channels …), when the family is mapped to one. */
  facts: MicroarchitectureFacts | undefined;
  /** The image it runs. */
  containerTag: ContainerTag;
}

let loaded: Promise<Catalogue> | undefined;

/** The shipped catalogue, read and schema-checked once per process. */
export function loadCatalogue(): Promise<Catalogue> {
  loaded ??= Promise.all([
    readDocument("instance-catalog", packagePath("data", "catalog", "instance-types.json")),
    readDocument("architecture-mappings", packagePath("configs", "architecture-mappings.json")),
    readDocument("container-tags", packagePath("configs", "container-tags.json")),
  ]).then(([catalog, mappings, containerTags]) => ({ catalog, mappings, containerTags }));
  // A failed read is not cached: the next call reports it again (or succeeds once the file is fixed).
  loaded.catch(() => (loaded = undefined));
  return loaded;
}

/**
 * Resolves instance type names for a batch; throws `InvalidArgument` naming every type that cannot run as
 * planned (not in the catalogue, macOS-only, no benchmark image, not offered as spot when `spot`, 32-bit only).
 */
export function resolveInstanceTypes(
  names: readonly string[],
  catalogue: Catalogue,
  options: { spot?: boolean | undefined } = {},
): ResolvedInstanceType[] {
  const problems: string[] = [];
  const resolved: ResolvedInstanceType[] = [];
  for (const name of names) {
    const record = catalogue.catalog.instanceTypes.find((type) => type.name === name);
    if (!record) {
      problems.push(`${name}: not in the catalogue (check the name, or run aws-bench discover)`);
      continue;
    }
    const mapping = catalogue.mappings.families[record.family];
    const containerTag = catalogue.containerTags.tags.find((tag) => tag.tag === mapping?.containerTag);
    const before = problems.length;
    if (record.architectures.some((a) => a.endsWith("_mac")))
      problems.push(`${name}: mac instances need dedicated hosts and run macOS, not the Linux benchmark image`);
    else if (!mapping || !containerTag)
      problems.push(`${name}: no benchmark image (${mapping?.reason ?? "family not mapped"})`);
    if (options.spot && !record.usageClasses.includes("spot"))
      problems.push(`${name}: not offered as spot (usage classes: ${record.usageClasses.join(", ")})`);
    if (record.architectures.length === 1 && record.architectures[0] === "i386") problems.push(`${name}: 32-bit only`);
    if (problems.length > before || !mapping || !containerTag) continue;
    const facts = mapping.microarchitecture
      ? catalogue.mappings.microarchitectures[mapping.microarchitecture]
      : undefined;
    resolved.push({ record, mapping, facts, containerTag });
  }
  if (problems.length) {
    throw new BenchError("InvalidArgument", `These types cannot run as planned: ${problems.join("; ")}.`, {
      fix: "Remove them from --instance-types, or drop --spot for on-demand-only types.",
    });
  }
  return resolved;
}

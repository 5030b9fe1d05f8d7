/**
 * family → microarchitecture → container tag, for every family in a catalogue. Curated families come from the
 * family table. A family the table does not know is inferred from its manufacturer, architecture, generation
 * and clock (the closest curated family of the same vendor and architecture), marked `inferred` and reported
 * as a warning; when nothing safe can be inferred it is `unmapped` and gets no image. An instance type is
 * never given a microarchitecture of another architecture: that is checked for every type before anything is
 * written.
 */
import { BenchError } from "../errors.js";
import type {
  ArchitectureMappings,
  ContainerTagUse,
  FamilyMapping,
  MicroarchitectureFacts,
} from "../schemas/generated/architecture-mappings.js";
import type { FamilyTable, Microarchitecture } from "../schemas/generated/families.js";
import type { InstanceTypeRecord } from "../schemas/generated/instance-catalog.js";
import { parseInstanceTypeName } from "./instance-type-name.js";

/** The CPU architecture a container must be built for. */
export type Architecture = "x86_64" | "arm64";

/** Architecture of an instance type from EC2's SupportedArchitectures (`i386` and `*_mac` fold into their ISA). */
export function architectureOf(record: Pick<InstanceTypeRecord, "architectures" | "name">): Architecture {
  const arm = record.architectures.some((arch) => arch === "arm64" || arch === "arm64_mac");
  const x86 = record.architectures.some((arch) => arch === "x86_64" || arch === "x86_64_mac" || arch === "i386");
  if (arm === x86) {
    throw new BenchError(
      "InputMalformed",
      `${record.name} reports architectures [${record.architectures.join(", ")}], which name no single ISA.`,
      {
        fix: "Check the DescribeInstanceTypes data for this type.",
      },
    );
  }
  return arm ? "arm64" : "x86_64";
}

const vendorOfManufacturer: Record<string, string> = { Intel: "intel", AMD: "amd", AWS: "aws", Apple: "apple" };

/** One instance type's mapping, as `discover --json` lists it. */
export interface InstanceTypeMapping {
  /** Instance type name. */
  instanceType: string;
  /** Its family. */
  family: string;
  /** x86_64 or arm64. */
  architecture: Architecture;
  /** Microarchitecture id, or null when unmapped. */
  microarchitecture: string | null;
  /** Benchmark image tag, or null when no image can run on it. */
  containerTag: string | null;
  /** How the mapping was decided. */
  origin: FamilyMapping["origin"];
}

/** Mappings for a catalogue, with per-type detail and warnings about inferred or unmapped families. */
export interface MappingResult {
  /** The document written to configs/architecture-mappings.json. */
  mappings: ArchitectureMappings;
  /** One entry per instance type, sorted by name. */
  instanceTypes: InstanceTypeMapping[];
  /** One line per inferred or unmapped family. */
  warnings: string[];
}

/**
 * Maps every family of `records` through `table`; throws `MappingMismatch` when a curated family's
 * microarchitecture has another architecture (or vendor) than one of its instance types.
 */
export function mapInstanceFamilies(records: readonly InstanceTypeRecord[], table: FamilyTable): MappingResult {
  const byFamily = groupByFamily(records);
  const families: Record<string, FamilyMapping> = {};
  const warnings: string[] = [];
  const mismatches: string[] = [];

  for (const [family, members] of byFamily) {
    const architecture = familyArchitecture(family, members);
    const manufacturer = members[0]?.manufacturer ?? null;
    const curated = table.families[family];
    if (curated) {
      const micro = table.microarchitectures[curated.microarchitecture] as Microarchitecture;
      for (const member of members) {
        const memberArchitecture = architectureOf(member);
        if (memberArchitecture !== micro.architecture) {
          mismatches.push(
            `${member.name} is ${memberArchitecture} but family ${family} maps to ${curated.microarchitecture} (${micro.architecture})`,
          );
        }
        const vendor = member.manufacturer ? vendorOfManufacturer[member.manufacturer] : undefined;
        if (vendor && vendor !== micro.vendor) {
          mismatches.push(
            `${member.name} is made by ${String(member.manufacturer)} but family ${family} maps to ${curated.microarchitecture} (${micro.vendor})`,
          );
        }
      }
      families[family] = {
        architecture: micro.architecture,
        manufacturer,
        microarchitecture: curated.microarchitecture,
        ...(curated.alternatives?.length
          ? { alsoSeen: curated.alternatives.map((alternative) => alternative.microarchitecture) }
          : {}),
        containerTag: micro.containerTag,
        origin: "curated",
        ...(micro.containerTag === null
          ? { reason: `${micro.name} hosts run macOS, which cannot run the Linux benchmark container` }
          : {}),
        instanceTypes: members.length,
      };
      continue;
    }
    const inferred = inferFamily(family, architecture, members, table, byFamily);
    families[family] = { architecture, manufacturer, ...inferred, instanceTypes: members.length };
    warnings.push(
      `family ${family} is not in configs/families.json: ${inferred.reason}; add it to the table after checking its CPU`,
    );
  }

  if (mismatches.length > 0) {
    throw new BenchError(
      "MappingMismatch",
      `Architecture mapping contradicts EC2's data: ${mismatches.slice(0, 10).join("; ")}${mismatches.length > 10 ? ` (and ${mismatches.length - 10} more)` : ""}.`,
      {
        fix: "Correct configs/families.json for these families; nothing was written.",
      },
    );
  }

  const instanceTypes = [...records]
    .sort((a, b) => compareText(a.name, b.name))
    .map((record): InstanceTypeMapping => {
      const mapping = families[record.family] as FamilyMapping;
      return {
        instanceType: record.name,
        family: record.family,
        architecture: architectureOf(record),
        microarchitecture: mapping.microarchitecture,
        containerTag: mapping.containerTag,
        origin: mapping.origin,
      };
    });

  return {
    mappings: {
      schemaVersion: 1,
      families,
      microarchitectures: usedMicroarchitectures(families, table),
      containerTags: tagUses(families),
    },
    instanceTypes,
    warnings,
  };
}

function groupByFamily(records: readonly InstanceTypeRecord[]): Map<string, InstanceTypeRecord[]> {
  const groups = new Map<string, InstanceTypeRecord[]>();
  for (const record of [...records].sort((a, b) => compareText(a.name, b.name))) {
    const members = groups.get(record.family) ?? [];
    members.push(record);
    groups.set(record.family, members);
  }
  return groups;
}

function familyArchitecture(family: string, members: readonly InstanceTypeRecord[]): Architecture {
  const architectures = new Set(members.map(architectureOf));
  if (architectures.size > 1) {
    throw new BenchError(
      "MappingMismatch",
      `Family ${family} has instance types of several architectures (${[...architectures].join(", ")}).`,
      {
        fix: "Check the DescribeInstanceTypes data; one family has always been one ISA.",
      },
    );
  }
  return [...architectures][0] as Architecture;
}

type InferredMapping = Pick<FamilyMapping, "microarchitecture" | "containerTag" | "origin" | "reason">;

/** The closest curated family of the same vendor and architecture, by generation, then sustained clock. */
function inferFamily(
  family: string,
  architecture: Architecture,
  members: readonly InstanceTypeRecord[],
  table: FamilyTable,
  catalogFamilies: ReadonlyMap<string, readonly InstanceTypeRecord[]>,
): InferredMapping {
  const manufacturer = members[0]?.manufacturer ?? null;
  const vendor = manufacturer ? vendorOfManufacturer[manufacturer] : undefined;
  const generation = parseInstanceTypeName(members[0]?.name ?? `${family}.x`).generation;
  const clock = members[0]?.sustainedClockGhz ?? null;
  const described = `${manufacturer ?? "unknown manufacturer"}, ${architecture}, generation ${generation ?? "none"}, ${clock ?? "unknown"} GHz`;
  if (!vendor) {
    return {
      microarchitecture: null,
      containerTag: null,
      origin: "unmapped",
      reason: `no curated family shares its manufacturer (${described})`,
    };
  }
  const candidates = Object.entries(table.families)
    .map(([name, entry]) => ({
      name,
      entry,
      micro: table.microarchitectures[entry.microarchitecture] as Microarchitecture,
    }))
    .filter(
      ({ micro }) => micro.vendor === vendor && micro.architecture === architecture && micro.containerTag !== null,
    )
    .map((candidate) => {
      const candidateGeneration = parseInstanceTypeName(`${candidate.name}.x`).generation;
      const candidateClock = catalogFamilies.get(candidate.name)?.[0]?.sustainedClockGhz ?? null;
      return {
        ...candidate,
        generationDistance:
          generation === null || candidateGeneration === null ? 99 : Math.abs(candidateGeneration - generation),
        clockDistance: clock === null || candidateClock === null ? 99 : Math.abs(candidateClock - clock),
      };
    })
    .sort(
      (a, b) =>
        a.generationDistance - b.generationDistance || a.clockDistance - b.clockDistance || compareText(a.name, b.name),
    );
  const best = candidates[0];
  if (!best) {
    return {
      microarchitecture: null,
      containerTag: null,
      origin: "unmapped",
      reason: `no curated ${architecture} family from ${manufacturer} to infer from (${described})`,
    };
  }
  return {
    microarchitecture: best.entry.microarchitecture,
    containerTag: best.micro.containerTag,
    origin: "inferred",
    reason: `inferred from ${described}: closest curated family is ${best.name} (${best.entry.microarchitecture})`,
  };
}

function usedMicroarchitectures(
  families: Readonly<Record<string, FamilyMapping>>,
  table: FamilyTable,
): Record<string, MicroarchitectureFacts> {
  const used: Record<string, MicroarchitectureFacts> = {};
  for (const mapping of Object.values(families)) {
    for (const id of [mapping.microarchitecture, ...(mapping.alsoSeen ?? [])]) {
      const micro = id === null ? undefined : table.microarchitectures[id];
      if (id === null || !micro) continue;
      used[id] = {
        vendor: micro.vendor,
        architecture: micro.architecture,
        name: micro.name,
        containerTag: micro.containerTag,
        ...(micro.compiler ? { gccFlags: micro.compiler.gccFlags, spackTarget: micro.compiler.spackTarget } : {}),
        ...(micro.blas ? { blas: [...micro.blas] } : {}),
        ...(micro.fp64FlopsPerCyclePerCore === undefined
          ? {}
          : { fp64FlopsPerCyclePerCore: micro.fp64FlopsPerCyclePerCore }),
        ...(micro.memory ? { memory: { ...micro.memory } } : {}),
      };
    }
  }
  return used;
}

function tagUses(families: Readonly<Record<string, FamilyMapping>>): Record<string, ContainerTagUse> {
  const uses: Record<string, ContainerTagUse> = {};
  for (const [family, mapping] of Object.entries(families).sort(([a], [b]) => compareText(a, b))) {
    if (mapping.containerTag === null || mapping.microarchitecture === null) continue;
    const use = (uses[mapping.containerTag] ??= {
      architecture: mapping.architecture,
      microarchitectures: [],
      families: [],
    });
    use.families.push(family);
    for (const id of [mapping.microarchitecture, ...(mapping.alsoSeen ?? [])]) {
      if (!use.microarchitectures.includes(id)) use.microarchitectures.push(id);
    }
    use.microarchitectures.sort(compareText);
  }
  return uses;
}

/** Plain code-point order: the same on every machine and locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

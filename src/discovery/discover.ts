/**
 * `aws-bench discover`: instance types from EC2 (or a saved dump) → the catalogue
 * (`data/catalog/instance-types.json`), the architecture mappings (`configs/architecture-mappings.json`) and,
 * on request, the container-tag list (`configs/container-tags.json`). Everything is computed and validated
 * before anything is written, and files whose content did not change are not touched, so a re-run with the
 * same input leaves `git diff` empty.
 */
import { existsSync } from "node:fs";
import { basename, resolve } from "node:path";
import type { InstanceTypeInfo } from "@aws-sdk/client-ec2";
import type { AwsSettings } from "../aws/clients.js";
import { BenchError } from "../errors.js";
import type { DocumentKind, DocumentTypes, PendingDocument } from "../schemas/documents.js";
import { assertDocument, readDocument, stableJson, writeDocuments } from "../schemas/documents.js";
import type { ArchitectureMappings } from "../schemas/generated/architecture-mappings.js";
import type { ContainerTagList } from "../schemas/generated/container-tags.js";
import type { FamilyTable } from "../schemas/generated/families.js";
import type { CatalogSource, InstanceCatalog, InstanceTypeRecord } from "../schemas/generated/instance-catalog.js";
import type { InstanceTypeMapping } from "./architecture-mapping.js";
import { compareText, mapInstanceFamilies } from "./architecture-mapping.js";
import type { CatalogChanges } from "./catalog-changes.js";
import { catalogChanges } from "./catalog-changes.js";
import { instanceTypesFromDump, isCatalogDocument, readJsonInput } from "./dump-input.js";
import { loadFamilyTable } from "./family-table.js";
import { normalizeInstanceType } from "./normalize.js";

/** Where discover reads and writes; relative paths resolve against the working directory. */
export interface DiscoverPaths {
  /** The catalogue to write. */
  catalog: string;
  /** The architecture mappings to write. */
  mappings: string;
  /** The container-tag list, written only with `updateContainers`. */
  containerTags: string;
  /** The curated family table to read. */
  families: string;
}

/** Everything `discover` needs to know. */
export interface DiscoverOptions {
  /** A saved DescribeInstanceTypes dump instead of calling AWS. */
  input?: string | undefined;
  /** Query every enabled region instead of one. */
  allRegions: boolean;
  /** Compute and report, write nothing. */
  dryRun: boolean;
  /** Also rewrite the container-tag list. */
  updateContainers: boolean;
  /** The date the data describes (YYYY-MM-DD); default: kept when the data did not change, else today (UTC). */
  asOf?: string | undefined;
  /** Files. */
  paths: DiscoverPaths;
  /** AWS profile and region. */
  aws: AwsSettings;
}

/** What a discovery run found and did. */
export interface DiscoverResult {
  /** True when nothing was written on purpose. */
  dryRun: boolean;
  /** Where the data came from. */
  source: CatalogSource;
  /** Number of instance types. */
  instanceTypeCount: number;
  /** Number of families. */
  familyCount: number;
  /** What changed against the files on disk. */
  changes: CatalogChanges;
  /** Files written (none on a dry run). */
  written: string[];
  /** Files that would change (equal to `written` unless dry run). */
  wouldWrite: string[];
  /** Inferred or unmapped families, one line each. */
  warnings: string[];
  /** Families guessed from manufacturer, architecture, generation and clock. */
  inferredFamilies: string[];
  /** Families with no safe guess (no image). */
  unmappedFamilies: string[];
  /** Per-type mapping, sorted by name. */
  instanceTypes: InstanceTypeMapping[];
}

/** Runs discovery; `progress` receives one line per step (stderr in the CLI). */
export async function discoverInstanceTypes(
  options: DiscoverOptions,
  progress: (line: string) => void = () => {},
): Promise<DiscoverResult> {
  const table = await loadFamilyTable(options.paths.families);
  const {
    records,
    source,
    asOf: sourceDate,
  } = options.input ? await fromFile(options.input) : await fromAws(options, progress);

  const existing = {
    catalog: await readIfPresent("instance-catalog", options.paths.catalog, progress),
    mappings: await readIfPresent("architecture-mappings", options.paths.mappings, progress),
    containerTags: options.updateContainers
      ? await readIfPresent("container-tags", options.paths.containerTags, progress)
      : undefined,
  };
  const instanceTypes = [...records].sort((a, b) => compareText(a.name, b.name));
  const asOf =
    options.asOf ??
    sourceDate ??
    keptDate(existing.catalog, source, instanceTypes) ??
    new Date().toISOString().slice(0, 10);
  const catalog: InstanceCatalog = { schemaVersion: 1, source: { ...source, asOf }, instanceTypes };
  const mapped = mapInstanceFamilies(instanceTypes, table);

  const pending: PendingDocument[] = [];
  const stage = <K extends DocumentKind>(
    kind: K,
    path: string,
    data: DocumentTypes[K],
    current: DocumentTypes[K] | undefined,
  ): void => {
    if (current === undefined || stableJson(current) !== stableJson(data)) pending.push({ kind, path, data });
  };
  stage("instance-catalog", options.paths.catalog, catalog, existing.catalog);
  stage("architecture-mappings", options.paths.mappings, mapped.mappings, existing.mappings);
  if (options.updateContainers)
    stage(
      "container-tags",
      options.paths.containerTags,
      containerTagList(mapped.mappings, table),
      existing.containerTags,
    );

  if (!options.dryRun) await writeDocuments(pending);
  const families = Object.entries(mapped.mappings.families);
  return {
    dryRun: options.dryRun,
    source: catalog.source,
    instanceTypeCount: instanceTypes.length,
    familyCount: families.length,
    changes: catalogChanges(existing, { catalog, mappings: mapped.mappings }),
    written: options.dryRun ? [] : pending.map((document) => document.path),
    wouldWrite: pending.map((document) => document.path),
    warnings: mapped.warnings,
    inferredFamilies: families.filter(([, mapping]) => mapping.origin === "inferred").map(([family]) => family),
    unmappedFamilies: families.filter(([, mapping]) => mapping.origin === "unmapped").map(([family]) => family),
    instanceTypes: mapped.instanceTypes,
  };
}

/** The container-tag list the images are built from: each tag used by the catalogue, with its build target. */
export function containerTagList(mappings: ArchitectureMappings, table: FamilyTable): ContainerTagList {
  const tags = Object.entries(mappings.containerTags)
    .sort(([a], [b]) => compareText(a, b))
    .map(([tag, use]) => {
      // loadFamilyTable() has checked that every tag a microarchitecture names is defined.
      const definition = table.containerTags[tag] as FamilyTable["containerTags"][string];
      return {
        tag,
        architecture: definition.architecture,
        platform: definition.architecture === "arm64" ? ("linux/arm64" as const) : ("linux/amd64" as const),
        gccFlags: definition.gccFlags,
        spackTarget: definition.spackTarget,
        blas: [...definition.blas],
        microarchitectures: [...use.microarchitectures],
      };
    });
  return { schemaVersion: 1, tags };
}

async function fromFile(
  input: string,
): Promise<{ records: InstanceTypeRecord[]; source: Omit<CatalogSource, "asOf">; asOf?: string }> {
  const { data, sha256 } = readJsonInput(input);
  // A catalogue written earlier re-maps offline (after a family-table edit) and keeps its own provenance.
  if (isCatalogDocument(data)) {
    const catalog = await assertDocument("instance-catalog", data, `--input ${input}`);
    const { asOf, ...source } = catalog.source;
    return { records: catalog.instanceTypes, source, asOf };
  }
  const records = uniqueByName(instanceTypesFromDump(data, input).map(normalizeInstanceType), input);
  return { records, source: { kind: "file", file: basename(input), sha256 } };
}

async function fromAws(
  options: DiscoverOptions,
  progress: (line: string) => void,
): Promise<{ records: InstanceTypeRecord[]; source: Omit<CatalogSource, "asOf">; asOf?: string }> {
  // The SDK is loaded only here: offline runs never pay for it.
  const { fetchCatalogs } = await import("./ec2-catalog.js");
  const regional = await fetchCatalogs(options.aws, options.allRegions, progress);
  const merged = new Map<string, { info: InstanceTypeInfo; regions: Record<string, { zoneIds: string[] }> }>();
  for (const { region, instanceTypes, zoneIds } of [...regional].sort((a, b) => compareText(a.region, b.region))) {
    for (const info of instanceTypes) {
      const name = String(info.InstanceType);
      // The first region (alphabetically) describes the type; specifications do not differ between regions.
      const entry = merged.get(name) ?? { info, regions: {} };
      entry.regions[region] = { zoneIds: zoneIds.get(name) ?? [] };
      merged.set(name, entry);
    }
  }
  const records = [...merged.values()].map(({ info, regions }) => ({ ...normalizeInstanceType(info), regions }));
  return { records, source: { kind: "ec2-api", regions: regional.map((r) => r.region).sort(compareText) } };
}

function uniqueByName(records: InstanceTypeRecord[], input: string): InstanceTypeRecord[] {
  const seen = new Map<string, InstanceTypeRecord>();
  for (const record of records) {
    const previous = seen.get(record.name);
    if (previous && stableJson(previous) !== stableJson(record)) {
      throw new BenchError("InputMalformed", `--input ${input} describes ${record.name} twice, differently.`, {
        fix: "Save the dump again from one region; a type appears once per DescribeInstanceTypes answer.",
      });
    }
    seen.set(record.name, record);
  }
  return [...seen.values()];
}

/** The existing catalogue's date, when its data equals the new data (so an identical re-run changes nothing). */
function keptDate(
  existing: InstanceCatalog | undefined,
  source: Omit<CatalogSource, "asOf">,
  records: InstanceTypeRecord[],
): string | undefined {
  if (!existing) return undefined;
  const { asOf, ...existingSource } = existing.source;
  return stableJson(existingSource) === stableJson(source) && stableJson(existing.instanceTypes) === stableJson(records)
    ? asOf
    : undefined;
}

async function readIfPresent<K extends DocumentKind>(
  kind: K,
  path: string,
  progress: (line: string) => void,
): Promise<DocumentTypes[K] | undefined> {
  if (!existsSync(path)) return undefined;
  try {
    return await readDocument(kind, path);
  } catch (error) {
    progress(
      `discover: ${resolve(path)} is not a valid ${kind} document and will be replaced (${(error as Error).message})`,
    );
    return undefined;
  }
}

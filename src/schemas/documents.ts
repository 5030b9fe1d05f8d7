/**
 * Every JSON file the project reads or writes has a schema in `schemas/`; this module validates documents on
 * read and on write, and writes them deterministically (sorted keys, two-space indent, newline at end), all at
 * once and atomically, so a failure never leaves a half-written set of files.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, basename, join } from "node:path";
import type { ErrorObject, ValidateFunction } from "ajv";
import { sha256Hex } from "../checksums.js";
import { readRegularFile } from "../input-files.js";
import { BenchError } from "../errors.js";
import { packagePath } from "../package-files.js";
import { findPrivateDetails } from "./private-details.js";
import type { AnalysisDatabase } from "./generated/analysis-database.js";
import type { ApiIndex } from "./generated/api-index.js";
import type { ApiRanking } from "./generated/api-ranking.js";
import type { ApiType } from "./generated/api-type.js";
import type { ArchitectureMappings } from "./generated/architecture-mappings.js";
import type { AwsIdentityCertificateCatalogue } from "./generated/aws-identity-certificates.js";
import type { BenchmarkResult } from "./generated/benchmark-result.js";
import type { ContainerTagList } from "./generated/container-tags.js";
import type { ContributionBundle } from "./generated/contribution-bundle.js";
import type { ContributionProvenance } from "./generated/contribution-provenance.js";
import type { CustomBenchmark } from "./generated/custom-benchmark.js";
import type { FamilyTable } from "./generated/families.js";
import type { InstanceCatalog } from "./generated/instance-catalog.js";
import type { MetricSummary } from "./generated/metric-summary.js";
import type { ParsedOutput } from "./generated/parsed-output.js";
import type { PriceSnapshot } from "./generated/price-snapshot.js";
import type { ReviewReport } from "./generated/review-report.js";
import type { ReviewKeyRing } from "./generated/review-keys.js";
import type { BatchRecord } from "./generated/batch-record.js";
import type { BatchSpec } from "./generated/batch-spec.js";
import type { SourceManifest } from "./generated/source-manifest.js";

/** Document kinds and their TypeScript types (generated from the schemas). */
export interface DocumentTypes {
  "analysis-database": AnalysisDatabase;
  "api-index": ApiIndex;
  "api-ranking": ApiRanking;
  "api-type": ApiType;
  "architecture-mappings": ArchitectureMappings;
  "aws-identity-certificates": AwsIdentityCertificateCatalogue;
  "batch-record": BatchRecord;
  "batch-spec": BatchSpec;
  "benchmark-result": BenchmarkResult;
  "container-tags": ContainerTagList;
  "contribution-bundle": ContributionBundle;
  "contribution-provenance": ContributionProvenance;
  "custom-benchmark": CustomBenchmark;
  families: FamilyTable;
  "instance-catalog": InstanceCatalog;
  "metric-summary": MetricSummary;
  "parsed-output": ParsedOutput;
  "price-snapshot": PriceSnapshot;
  "review-report": ReviewReport;
  "review-keys": ReviewKeyRing;
  "source-manifest": SourceManifest;
}

/** Name of a schema in `schemas/` (without `.schema.json`). */
export type DocumentKind = keyof DocumentTypes;

/** Every document kind, for tools that check any file (`validate`). */
export const documentKinds: readonly DocumentKind[] = [
  "analysis-database",
  "api-index",
  "api-ranking",
  "api-type",
  "architecture-mappings",
  "aws-identity-certificates",
  "batch-record",
  "batch-spec",
  "benchmark-result",
  "container-tags",
  "contribution-bundle",
  "contribution-provenance",
  "custom-benchmark",
  "families",
  "instance-catalog",
  "metric-summary",
  "parsed-output",
  "price-snapshot",
  "review-report",
  "review-keys",
  "source-manifest",
];

type AjvInstance = { getSchema(id: string): ValidateFunction | undefined };

/** Options of the build's standalone code (ajv's `code` option). */
export interface ValidatorCodeOptions {
  source: true;
  esm: true;
  formats: unknown;
}

/** Each schema's text, by kind, read once. */
let schemaTexts: Map<DocumentKind, string> | undefined;
function schemaTextsOf(): Map<DocumentKind, string> {
  schemaTexts ??= new Map(documentKinds.map((kind) => [kind, readFileSync(packagePath("schemas", `${kind}.schema.json`), "utf8")]));
  return schemaTexts;
}

/** SHA-256 of every schema's text, in {@link documentKinds} order: what a set of prebuilt validators was made from. */
export function schemasSha256(): string {
  return sha256Hex([...schemaTextsOf().values()].join("\u0000"));
}

/** The export of a kind's validator in the prebuilt module (`benchmark-result` → `benchmark_result`). */
export function prebuiltName(kind: DocumentKind): string {
  return kind.replaceAll("-", "_");
}

/**
 * An ajv instance as the project validates with, holding every schema (schemas embed each other by `$id`), and each
 * kind's `$id`. With `code`, it keeps each validator's source: the build writes them out as standalone code
 * (scripts/build-validators.mjs), so commands do not compile schemas at start-up.
 */
export async function createSchemaCompiler(code?: ValidatorCodeOptions): Promise<{
  ajv: AjvInstance & { opts: unknown };
  ids: Map<DocumentKind, string>;
}> {
  // Loaded on first use: ajv costs start-up time that --help should not pay.
  const [{ default: Ajv2020 }, { default: addFormats }] = await Promise.all([import("ajv/dist/2020.js"), import("ajv-formats")]);
  const instance = new Ajv2020.default({ allErrors: true, strict: true, allowUnionTypes: true, ...(code ? { code: code as never } : {}) });
  addFormats.default(instance);
  // `tsType` names the generated TypeScript type of an embedded document; validation ignores it.
  instance.addVocabulary(["tsType"]);
  const ids = new Map<DocumentKind, string>();
  for (const [kind, text] of schemaTextsOf()) {
    const schema = JSON.parse(text) as { $id: string };
    instance.addSchema(schema);
    ids.set(kind, schema.$id);
  }
  return { ajv: instance, ids };
}

let compiler: Promise<{ ajv: AjvInstance; ids: Map<DocumentKind, string> }> | undefined;
let prebuilt: Promise<Record<string, unknown> | undefined> | undefined;
const validators = new Map<DocumentKind, ValidateFunction>();

/**
 * The validators the build wrote over prebuilt-validators.js beside this module, when they were made from the
 * schemas as they are now; otherwise (the sources' module holds none, the runner bundle takes it from before the
 * build wrote them, or a schema was edited since) undefined, and the schemas are compiled instead.
 */
function prebuiltValidators(): Promise<Record<string, unknown> | undefined> {
  prebuilt ??= (async () => {
    const module = (await import("./prebuilt-validators.js")) as unknown as Record<string, unknown>;
    return module["schemasSha256"] === schemasSha256() ? module : undefined;
  })();
  return prebuilt;
}

async function validatorFor(kind: DocumentKind): Promise<ValidateFunction> {
  const cached = validators.get(kind);
  if (cached) return cached;
  const ready = (await prebuiltValidators())?.[prebuiltName(kind)];
  let validate: ValidateFunction;
  if (typeof ready === "function") validate = ready as ValidateFunction;
  else {
    compiler ??= createSchemaCompiler();
    const { ajv, ids } = await compiler;
    validate = ajv.getSchema(ids.get(kind) as string) as ValidateFunction;
  }
  validators.set(kind, validate);
  return validate;
}

/** Schema errors as lines `JSON path: message`, the path in JSON Pointer form (`/instanceTypes/3/vcpus`). */
export function formatSchemaErrors(errors: readonly ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => {
    const path = error.instancePath === "" ? "/" : error.instancePath;
    const detail =
      error.keyword === "additionalProperties"
        ? `unknown property '${String((error.params as { additionalProperty?: string }).additionalProperty)}'`
        : error.message ?? error.keyword;
    return `${path}: ${detail}`;
  });
}

/** Result of {@link checkDocument}: valid, or the list of errors with their JSON paths. */
export type CheckResult = { valid: true } | { valid: false; errors: string[] };

/** Rules beyond the schema, per kind: results never carry private details. */
const extraRules: Partial<Record<DocumentKind, (data: unknown) => string[]>> = {
  "benchmark-result": findPrivateDetails,
  "parsed-output": findPrivateDetails,
};

/** Checks `data` against the schema of `kind` (and the kind's extra rules) without throwing. */
export async function checkDocument(kind: DocumentKind, data: unknown): Promise<CheckResult> {
  // The checks below recurse; no document of ours nests anywhere near this deep, a hostile one could overflow them.
  const tooDeep = deeperThan(data, maxNesting);
  if (tooDeep) return { valid: false, errors: [`${tooDeep}: nested more than ${maxNesting} levels deep`] };
  const validate = await validatorFor(kind);
  const errors = validate(data) ? [] : formatSchemaErrors(validate.errors);
  errors.push(...(extraRules[kind]?.(data) ?? []));
  return errors.length === 0 ? { valid: true } : { valid: false, errors };
}

/** How deep arrays and objects may nest in a document. */
const maxNesting = 64;

/** The JSON path of the first value nested deeper than `limit`, found without recursion; undefined when none is. */
function deeperThan(data: unknown, limit: number): string | undefined {
  // Depths alone first (nearly every document passes); paths are built only to name where one does not.
  const values: unknown[] = [data];
  const depths: number[] = [0];
  let deep = false;
  while (values.length && !deep) {
    const value = values.pop();
    const depth = depths.pop() as number;
    if (value === null || typeof value !== "object") continue;
    if (depth >= limit) deep = true;
    else
      for (const child of Array.isArray(value) ? value : Object.values(value))
        if (child !== null && typeof child === "object") {
          values.push(child);
          depths.push(depth + 1);
        }
  }
  return deep ? deepPath(data, limit) : undefined;
}

/** {@link deeperThan}'s answer, with the path built at every step. */
function deepPath(data: unknown, limit: number): string | undefined {
  const stack: Array<{ value: unknown; depth: number; path: string }> = [{ value: data, depth: 0, path: "" }];
  while (stack.length) {
    const { value, depth, path } = stack.pop() as { value: unknown; depth: number; path: string };
    if (value === null || typeof value !== "object") continue;
    if (depth >= limit) return path || "/";
    for (const [key, child] of Object.entries(value)) stack.push({ value: child, depth: depth + 1, path: `${path}/${key}` });
  }
  return undefined;
}

/**
 * Validates `data` as a `kind` document and returns it typed; throws `SchemaViolation` naming `label` (a file
 * path or a description) and the JSON path of each error.
 */
export async function assertDocument<K extends DocumentKind>(kind: K, data: unknown, label: string): Promise<DocumentTypes[K]> {
  const result = await checkDocument(kind, data);
  if (!result.valid) throw schemaViolation(kind, label, result.errors);
  return data as DocumentTypes[K];
}

/** The `SchemaViolation` of a `kind` document named `label`, showing its first errors. */
export function schemaViolation(kind: DocumentKind, label: string, errors: readonly string[]): BenchError {
  const shown = errors.slice(0, 10).join("; ");
  const more = errors.length > 10 ? ` (and ${errors.length - 10} more)` : "";
  return new BenchError("SchemaViolation", `${label} does not match schemas/${kind}.schema.json: ${shown}${more}`, {
    fix: `Correct the listed fields, or regenerate the file with the command that owns it.`,
  });
}

/** A file's bytes; throws `InputUnreadable` naming the file. */
function readFileBytes(path: string): Buffer {
  try {
    return readRegularFile(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "it does not exist" : (error as Error).message;
    throw new BenchError("InputUnreadable", `Cannot read ${path}: ${reason}.`, { fix: "Check the path and its permissions.", cause: error });
  }
}

function parseJson(path: string, bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    throw new BenchError("InputMalformed", `${path} is not valid JSON: ${(error as Error).message}.`, {
      fix: "Pass the JSON exactly as the producing command wrote it.",
      cause: error,
    });
  }
}

/** Reads a JSON file; throws `InputUnreadable` or `InputMalformed` naming the file. */
export function readJsonFile(path: string): unknown {
  return parseJson(path, readFileBytes(path));
}

/** Reads and validates a document, with the SHA-256 of exactly the bytes that were validated. */
export async function readDocumentWithChecksum<K extends DocumentKind>(kind: K, path: string): Promise<{ document: DocumentTypes[K]; sha256: string }> {
  const bytes = readFileBytes(path);
  return { document: await assertDocument(kind, parseJson(path, bytes), path), sha256: sha256Hex(bytes) };
}

/** Reads and validates a document; throws naming the file and the first problems. */
export async function readDocument<K extends DocumentKind>(kind: K, path: string): Promise<DocumentTypes[K]> {
  return assertDocument(kind, readJsonFile(path), path);
}

/** JSON with object keys sorted at every level, two-space indent and a final newline: stable under re-runs. */
export function stableJson(value: unknown): string {
  // Each object is re-keyed only while it is written, so a large document is never held twice in memory.
  return `${JSON.stringify(value, sortedKeysOf, 2)}\n`;
}

/**
 * One item of a document's top-level array as {@link stableJson} writes it there (indented two levels deeper), so
 * documents sharing an item serialize it once and splice it in with {@link stableJsonWithItems}.
 */
export function stableJsonItem(value: unknown): string {
  // Written where it will stand (in an array under a top-level key), then cut out: no second pass to indent it.
  const text = JSON.stringify({ items: [value] }, sortedKeysOf, 2);
  return text.slice('{\n  "items": [\n    '.length, text.length - "\n  ]\n}".length);
}

/**
 * `stableJson(document)` for a document whose top-level array `key` holds the items `items` were made from (by
 * {@link stableJsonItem}), byte for byte, with the same text without those items (`skeleton`): `document[key]` itself is
 * not read.
 */
export function stableJsonWithItems(
  document: object,
  key: string,
  items: readonly string[],
): { text: string; skeleton: string } {
  const skeleton = stableJson({ ...document, [key]: [] });
  // Only top-level keys are indented by exactly two spaces, and each key appears once at that level.
  const empty = `\n  ${JSON.stringify(key)}: []`;
  const at = skeleton.indexOf(empty);
  if (items.length === 0) return { text: skeleton, skeleton };
  // One join into one flat string: pieces added with `+` would make a rope that is copied whole when it is written.
  const pieces = new Array<string>(2 * items.length + 1);
  pieces[0] = `${skeleton.slice(0, at)}${empty.slice(0, -1)}\n    `;
  items.forEach((item, index) => {
    pieces[2 * index + 1] = item;
    pieces[2 * index + 2] = index + 1 < items.length ? ",\n    " : `\n  ]${skeleton.slice(at + empty.length)}`;
  });
  return { text: pieces.join(""), skeleton };
}

/** JSON.stringify replacer: the value as the document holds it (toJSON not applied), objects with sorted keys. */
function sortedKeysOf(this: Record<string, unknown>, key: string): unknown {
  const value = this[key];
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  // An object whose keys are in order already is written as it is (JSON leaves out undefined values itself).
  const keys = Object.keys(value);
  let ordered = true;
  for (let at = 1; at < keys.length && ordered; at++) ordered = (keys[at - 1] as string) < (keys[at] as string);
  if (ordered) return value;
  const sorted: Record<string, unknown> = {};
  for (const name of Object.keys(value).sort()) {
    const item = (value as Record<string, unknown>)[name];
    if (item !== undefined) sorted[name] = item;
  }
  return sorted;
}

/** One document to write with {@link writeDocuments}. */
export interface PendingDocument<K extends DocumentKind = DocumentKind> {
  /** Its schema. */
  kind: K;
  /** Destination path. */
  path: string;
  /** Content. */
  data: DocumentTypes[K];
}

/**
 * Validates every document first, then writes each to a temporary file beside its destination and renames them
 * into place: on any validation or write error nothing is replaced.
 */
export async function writeDocuments(documents: readonly PendingDocument[]): Promise<void> {
  for (const document of documents) await assertDocument(document.kind, document.data, `${document.path} (to be written)`);
  const staged: Array<{ temporary: string; path: string }> = [];
  try {
    for (const document of documents) {
      mkdirSync(dirname(document.path), { recursive: true });
      const temporary = join(dirname(document.path), `.${basename(document.path)}.${process.pid}.tmp`);
      writeFileSync(temporary, stableJson(document.data));
      staged.push({ temporary, path: document.path });
    }
  } catch (error) {
    for (const { temporary } of staged) rmSync(temporary, { force: true });
    throw new BenchError("WriteFailed", `Cannot write ${documents.map((d) => d.path).join(", ")}: ${(error as Error).message}.`, {
      fix: "Check that the directories are writable and the disk has space; nothing was changed.",
      cause: error,
    });
  }
  for (const { temporary, path } of staged) renameSync(temporary, path);
}

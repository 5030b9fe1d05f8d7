/**
 * `aws-bench validate`: any data file against its schema. The kind is recognised from the document's shape
 * (or given), every error is printed with its JSON path, and a benchmark result's raw files are checked
 * against their recorded size and SHA-256 when they sit beside it.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { sha256Hex } from "../checksums.js";
import { readRegularFile } from "../input-files.js";
import { BenchError } from "../errors.js";
import type { DocumentKind } from "./documents.js";
import { checkDocument, documentKinds } from "./documents.js";

/** The outcome for one file. */
export interface FileValidation {
  /** The file. */
  path: string;
  /** The schema applied, when one could be chosen. */
  kind?: DocumentKind;
  /** Problems, each `JSON path: message`; empty when valid. */
  errors: string[];
}

/** Options of {@link validateDataFiles}. */
export interface ValidateOptions {
  /** Apply this schema instead of recognising one. */
  kind?: DocumentKind | undefined;
  /** Check a result's raw files (default true). */
  rawFiles?: boolean;
}

/** Recognises the kind of a parsed document from its top-level shape. */
export function detectDocumentKind(data: unknown): DocumentKind | undefined {
  if (data === null || typeof data !== "object" || Array.isArray(data)) return undefined;
  const has = (key: string) => key in data;
  if (has("runId") && has("benchmarks")) return "benchmark-result";
  if (has("contributor") && has("runs") && has("tool")) return "contribution-bundle";
  if (has("reviewedAt") && has("bundles") && has("keyed")) return "review-report";
  if (has("instancePseudonym") && has("bundleSha256")) return "contribution-provenance";
  if (has("certificates") && has("missing")) return "aws-identity-certificates";
  if (has("keys") && has("schemaVersion") && Object.keys(data).length === 2) return "review-keys";
  if (has("summaries") && has("skipped") && has("types")) return "analysis-database";
  if (has("apiVersion") && has("files")) return "api-index";
  if (has("rows") && has("per")) return "api-ranking";
  if (has("summaries") && has("facts")) return "api-type";
  if (has("instances") && has("statistics") && has("metric")) return "metric-summary";
  if (has("program") && has("runs")) return "parsed-output";
  if (has("command") && has("metrics") && has("headline")) return "custom-benchmark";
  if (has("batchId") && has("stackName")) return "batch-record";
  if (has("instanceTypes")) return "instance-catalog";
  if (has("onDemandUsdPerHour")) return "price-snapshot";
  if (has("sources") && has("schemaVersion")) return "source-manifest";
  if (has("tags") && !has("families")) return "container-tags";
  if (has("families") && has("containerTags")) {
    const first = Object.values((data as { families: Record<string, unknown> }).families)[0];
    return first !== null && typeof first === "object" && "origin" in first ? "architecture-mappings" : "families";
  }
  return undefined;
}

/** JSON files under `paths` (directories are searched recursively, skipping dot-folders and node_modules). */
export function expandPaths(paths: readonly string[]): string[] {
  const files: string[] = [];
  const visit = (path: string, top: boolean): void => {
    let stats;
    try {
      stats = statSync(path);
    } catch {
      if (top) files.push(path); // reported as unreadable by the check
      return;
    }
    if (stats.isDirectory()) {
      for (const entry of readdirSync(path).sort()) {
        if (entry.startsWith(".") || entry === "node_modules") continue;
        const child = join(path, entry);
        if (statSync(child).isDirectory() || entry.endsWith(".json")) visit(child, false);
      }
    } else files.push(path);
  };
  for (const path of paths) visit(resolve(path), true);
  return files;
}

/** Validates each file; never throws for a bad file (its errors are in the result). */
export async function validateDataFiles(paths: readonly string[], options: ValidateOptions = {}): Promise<FileValidation[]> {
  const results: FileValidation[] = [];
  for (const path of expandPaths(paths)) results.push(await validateFile(path, options));
  return results;
}

async function validateFile(path: string, options: ValidateOptions): Promise<FileValidation> {
  let data: unknown;
  try {
    data = JSON.parse(readRegularFile(path).toString("utf8"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "it does not exist" : code ? (error as Error).message : `not valid JSON (${(error as Error).message})`;
    return { path, errors: [`/: cannot read: ${reason}`] };
  }
  const kind = options.kind ?? detectDocumentKind(data);
  if (!kind) return { path, errors: [`/: cannot tell which schema applies; pass --kind (one of ${documentKinds.join(", ")})`] };
  const check = await checkDocument(kind, data);
  const errors = check.valid ? [] : [...check.errors];
  if (kind === "benchmark-result" && options.rawFiles !== false && check.valid) errors.push(...checkRawFiles(data, dirname(path)).map((p) => `/rawFiles/${p.index}/${p.field}: ${p.message}`));
  return { path, kind, errors };
}

/** The largest raw file read to check its checksum. */
export const rawFileLimitBytes = 128 * 1024 * 1024;

/** One raw file that does not check out: which entry of `rawFiles`, which field, and what is wrong. */
export interface RawFileProblem {
  /** Index in the result's `rawFiles`. */
  index: number;
  /** The file, as the result names it. */
  file: string;
  /** The field at fault. */
  field: "path" | "bytes" | "sha256";
  /** What is wrong. */
  message: string;
  /** For `sha256`: the recorded and the actual checksum. */
  checksums?: { expected: string; actual: string };
}

/**
 * Size and SHA-256 of each raw file a result lists, relative to the result's directory: a path outside the
 * directory, a missing or unreadable file (regular files only, up to {@link rawFileLimitBytes}), a size or checksum
 * other than the result records. Shared by `validate` and `analyze`, which word the problems each their own way.
 */
export function checkRawFiles(data: unknown, directory: string): RawFileProblem[] {
  const rawFiles = (data as { rawFiles: Array<{ path: string; sha256: string; bytes: number }> }).rawFiles;
  return rawFiles.flatMap((raw, index): RawFileProblem[] => {
    const at = { index, file: raw.path };
    const file = resolve(directory, raw.path);
    const within = relative(resolve(directory), file);
    if (within.startsWith("..") || isAbsolute(within))
      return [{ ...at, field: "path", message: `'${raw.path}' points outside the result's directory` }];
    let bytes: Buffer;
    try {
      bytes = readRegularFile(file, rawFileLimitBytes);
    } catch (error) {
      const message =
        (error as NodeJS.ErrnoException).code === "ENOENT"
          ? `raw file '${raw.path}' is missing beside the result (use --no-raw-files to skip)`
          : `cannot read '${raw.path}': ${(error as Error).message}`;
      return [{ ...at, field: "path", message }];
    }
    const problems: RawFileProblem[] = [];
    if (bytes.length !== raw.bytes)
      problems.push({ ...at, field: "bytes", message: `the file has ${bytes.length} bytes, the result says ${raw.bytes}` });
    const sha256 = sha256Hex(bytes);
    if (sha256 !== raw.sha256)
      problems.push({
        ...at,
        field: "sha256",
        message: `checksum mismatch for '${raw.path}': the file hashes to ${sha256}, the result says ${raw.sha256}`,
        checksums: { expected: raw.sha256, actual: sha256 },
      });
    return problems;
  });
}

/** Default paths when none are given: `configs/` and `data/` under `cwd`, where they exist. */
export function defaultValidationPaths(cwd: string): string[] {
  const paths = ["configs", "data"].map((folder) => join(cwd, folder)).filter((path) => existsSync(path));
  if (paths.length === 0) {
    throw new BenchError("UsageError", "No files to validate: name them, or run where configs/ or data/ exist.", {
      fix: "aws-bench validate FILE_OR_DIRECTORY…",
    });
  }
  return paths;
}

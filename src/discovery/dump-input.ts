/**
 * Saved DescribeInstanceTypes dumps for `discover --input`: offline, air-gapped and test use. Three shapes are
 * accepted, because that is what people have on disk:
 *   - what `aws ec2 describe-instance-types --output json` prints: `{ "InstanceTypes": [ … ] }`;
 *   - a plain array of InstanceTypeInfo;
 *   - an object keyed by instance type name (each value an InstanceTypeInfo of that name).
 * Each entry is checked for the fields the catalogue needs, and errors name the file and the JSON path.
 */
import type { InstanceTypeInfo } from "@aws-sdk/client-ec2";
import { sha256Hex } from "../checksums.js";
import { readRegularFile } from "../input-files.js";
import { BenchError } from "../errors.js";
import { isInstanceTypeName } from "./instance-type-name.js";

/** A JSON input file, parsed, with the SHA-256 of its bytes. */
export interface JsonInput {
  /** Parsed content. */
  data: unknown;
  /** SHA-256 of the file's bytes. */
  sha256: string;
}

/** Reads and parses `--input`; throws `InputUnreadable` or `InputMalformed` naming the file. */
export function readJsonInput(path: string): JsonInput {
  let bytes: Buffer;
  try {
    bytes = readRegularFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT" ? "it does not exist" : code === "EISDIR" ? "it is a directory" : (error as Error).message;
    throw new BenchError("InputUnreadable", `Cannot read --input ${path}: ${reason}.`, {
      fix: "Pass the path of a file saved with `aws ec2 describe-instance-types --output json > FILE`.",
      cause: error,
    });
  }
  try {
    return { data: JSON.parse(bytes.toString("utf8")), sha256: sha256Hex(bytes) };
  } catch (error) {
    throw new BenchError(
      "InputMalformed",
      `--input ${path} is not valid JSON (${(error as Error).message}); it may be truncated.`,
      {
        fix: "Save the dump again with `aws ec2 describe-instance-types --output json > FILE`.",
        cause: error,
      },
    );
  }
}

/** True when parsed input is one of this project's catalogues rather than a DescribeInstanceTypes dump. */
export function isCatalogDocument(data: unknown): boolean {
  return isObject(data) && "schemaVersion" in data && Array.isArray(data["instanceTypes"]);
}

/** The InstanceTypeInfo entries of a parsed dump, each checked; throws `InputMalformed` or `EmptyResult`. */
export function instanceTypesFromDump(data: unknown, path: string): InstanceTypeInfo[] {
  const instanceTypes = entriesOf(data, path);
  if (instanceTypes.length === 0) {
    throw new BenchError("EmptyResult", `--input ${path} holds no instance types.`, {
      fix: "Check that the dump was saved from a region with instance types (a filter may have matched nothing).",
    });
  }
  return instanceTypes;
}

function entriesOf(data: unknown, path: string): InstanceTypeInfo[] {
  if (Array.isArray(data)) return data.map((entry, index) => checkedEntry(entry, `/${index}`, path));
  if (isObject(data) && Array.isArray(data["InstanceTypes"])) {
    return data["InstanceTypes"].map((entry, index) => checkedEntry(entry, `/InstanceTypes/${index}`, path));
  }
  if (isObject(data) && !("InstanceTypes" in data)) {
    return Object.entries(data).map(([key, entry]) => {
      const info = checkedEntry(entry, `/${key}`, path);
      if (info.InstanceType !== key)
        malformed(path, `/${key}/InstanceType`, `is '${String(info.InstanceType)}' under the key '${key}'`);
      return info;
    });
  }
  return malformed(
    path,
    "/",
    'is neither {"InstanceTypes": [...]}, an array of InstanceTypeInfo, nor an object keyed by type name',
  );
}

function checkedEntry(entry: unknown, pointer: string, path: string): InstanceTypeInfo {
  if (!isObject(entry)) return malformed(path, pointer, "is not an InstanceTypeInfo object");
  const name = entry["InstanceType"];
  if (typeof name !== "string" || !isInstanceTypeName(name))
    malformed(path, `${pointer}/InstanceType`, "is missing or not an instance type name");
  requireNumber(entry, ["VCpuInfo", "DefaultVCpus"], pointer, path);
  requireNumber(entry, ["MemoryInfo", "SizeInMiB"], pointer, path);
  const architectures = (entry["ProcessorInfo"] as Record<string, unknown> | undefined)?.["SupportedArchitectures"];
  if (!Array.isArray(architectures) || architectures.length === 0) {
    malformed(path, `${pointer}/ProcessorInfo/SupportedArchitectures`, "is missing or empty");
  }
  return entry;
}

function requireNumber(
  entry: Record<string, unknown>,
  keys: readonly [string, string],
  pointer: string,
  path: string,
): void {
  const parent = entry[keys[0]];
  const value = isObject(parent) ? parent[keys[1]] : undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    malformed(path, `${pointer}/${keys.join("/")}`, "is missing or not a positive number");
  }
}

function malformed(path: string, pointer: string, problem: string): never {
  throw new BenchError("InputMalformed", `--input ${path}: ${pointer} ${problem}.`, {
    fix: "Pass DescribeInstanceTypes output as saved by the AWS CLI or SDK, unedited.",
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

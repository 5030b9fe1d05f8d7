/**
 * Instance type names, e.g. `c7gd.2xlarge`, `u7in-24tb.224xlarge`, `mac2-m2pro.metal`. Validated here before
 * any name reaches AWS or a shell.
 */
import { BenchError } from "../errors.js";

const instanceTypePattern = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;

/** The parts of an instance type name. */
export interface InstanceTypeName {
  /** The part before the dot, e.g. `c7gd`. */
  family: string;
  /** Leading letters, e.g. `c`, `hpc`, `mac`, `u`. */
  series: string;
  /** The family's generation number, e.g. 7 for `c7gd`, 1 for `u-6tb1`; null when it has none (`mac-m4`). */
  generation: number | null;
  /** What follows the generation, e.g. `gd`, `i-flex`, `-m2pro`. */
  attributes: string;
  /** The part after the dot, e.g. `2xlarge`. */
  size: string;
}

/** True when `name` has the shape of an EC2 instance type name. */
export function isInstanceTypeName(name: string): boolean {
  return instanceTypePattern.test(name);
}

/** Splits an instance type name into family, series, generation, attributes and size; throws on a malformed name. */
export function parseInstanceTypeName(name: string): InstanceTypeName {
  if (!isInstanceTypeName(name)) {
    throw new BenchError("InvalidArgument", `'${name}' is not an EC2 instance type name.`, {
      fix: "Use names like m7i.large or c7gd.2xlarge (lower case, family.size).",
    });
  }
  const dot = name.indexOf(".");
  const family = name.slice(0, dot);
  const size = name.slice(dot + 1);
  // High-memory types put the memory before the generation: u-6tb1 is generation 1.
  const highMemory = /^u-\d+tb(\d+)$/.exec(family);
  if (highMemory) return { family, series: "u", generation: Number(highMemory[1]), attributes: family.slice(1), size };
  const parts = /^([a-z]+)(\d*)(.*)$/.exec(family);
  const series = parts?.[1] ?? family;
  const digits = parts?.[2] ?? "";
  return { family, series, generation: digits === "" ? null : Number(digits), attributes: parts?.[3] ?? "", size };
}

/** The family of an instance type name (`c7gd.2xlarge` → `c7gd`). */
export function familyOf(name: string): string {
  return parseInstanceTypeName(name).family;
}

/**
 * Where the package's own files (schemas, configs, the shipped catalogue) are, whether this code runs from
 * `src/` under vitest, from `dist/` in a clone, or from an installed copy under `node_modules/`.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cachedRoot: string | undefined;

/** The directory holding this package's package.json. */
export function packageRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "package.json");
    if (existsSync(candidate)) {
      const name = (JSON.parse(readFileSync(candidate, "utf8")) as { name?: string }).name;
      if (name === "aws-instance-benchmarks") return (cachedRoot = dir);
    }
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error("aws-instance-benchmarks: cannot find the package root above " + import.meta.url);
    dir = parent;
  }
}

/** Absolute path of a file shipped with the package, e.g. `packagePath("schemas", "x.json")`. */
export function packagePath(...segments: string[]): string {
  return join(packageRoot(), ...segments);
}

/** The package version from package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(packagePath("package.json"), "utf8")) as { version: string }).version;
}

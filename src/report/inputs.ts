/**
 * What `report` reads: the database `analyze` wrote (`processed/latest.json`, validated against its schema), the
 * static API beside it (`api/v1/`, copied into the site) and the project's documents when the package has them
 * (docs/ is not in the npm package: the pages then say where the documents live).
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { BenchError } from "../errors.js";
import { readRegularFile } from "../input-files.js";
import { packagePath } from "../package-files.js";
import { readDocument } from "../schemas/documents.js";
import type { SiteInputs } from "./site.js";

/** Bounds of what the site copies from api/v1/: folder depth, file count, and bytes in all. */
const apiLimits = { depth: 4, files: 100_000, bytes: 2 * 1024 * 1024 * 1024 } as const;

/** The regular files under `dir` (relative, sorted), not following symbolic links, within {@link apiLimits}. */
function filesUnder(dir: string, prefix = "", depth = 0, found: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.isDirectory() && depth < apiLimits.depth)
      filesUnder(join(dir, entry.name), `${prefix}${entry.name}/`, depth + 1, found);
    else if (entry.isFile()) found.push(`${prefix}${entry.name}`);
    if (found.length > apiLimits.files)
      throw new BenchError("InputMalformed", `${dir} holds more than ${apiLimits.files} files.`, {
        fix: "Pass the folder `aws-bench analyze --out` wrote as --data.",
      });
  }
  return found;
}

/** A file's text, read within the size bound, when it exists. */
function readText(path: string): string {
  try {
    return readRegularFile(path).toString("utf8");
  } catch (error) {
    throw new BenchError("InputUnreadable", `Cannot read ${path}: ${(error as Error).message}.`, {
      fix: "Run `aws-bench analyze` again to rewrite the database.",
      cause: error,
    });
  }
}

function optionalText(path: string): string | undefined {
  return existsSync(path) ? readText(path) : undefined;
}

/** Reads the database under `dataDir` and the documents the site shows. */
export async function readReportInputs(dataDir: string): Promise<Omit<SiteInputs, "baseUrl">> {
  const latest = join(dataDir, "processed", "latest.json");
  if (!existsSync(latest))
    throw new BenchError("InputUnreadable", `There is no analyzed database at ${latest}.`, {
      fix: "Run `aws-bench analyze` first (with --include-local --input ./aws-bench-results for local runs), then pass its --out as --data.",
    });
  const database = await readDocument("analysis-database", latest);
  const apiDir = join(dataDir, "api", "v1");
  const api = new Map<string, string>();
  let bytes = 0;
  for (const path of existsSync(apiDir) ? filesUnder(apiDir) : []) {
    const text = readText(join(apiDir, path));
    bytes += text.length;
    if (bytes > apiLimits.bytes)
      throw new BenchError("InputTooLarge", `${apiDir} holds more than ${apiLimits.bytes} bytes.`, {
        fix: "Pass the folder `aws-bench analyze --out` wrote as --data.",
      });
    api.set(path, text);
  }
  return {
    database,
    api,
    documents: {
      methodology: optionalText(packagePath("docs", "METHODOLOGY.md")),
      api: optionalText(packagePath("docs", "API.md")),
      citation: optionalText(packagePath("CITATION.cff")),
    },
  };
}

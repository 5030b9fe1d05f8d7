/**
 * What `report` reads: the database `analyze` wrote (`processed/latest.json`, validated against its schema), the
 * static API beside it (`api/v1/`, copied into the site) and the project's documents when the package has them
 * (docs/ is not in the npm package: the pages then say where the documents live).
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { BenchError } from "../errors.js";
import { packagePath } from "../package-files.js";
import { readDocument } from "../schemas/documents.js";
import type { SiteInputs } from "./site.js";

function filesUnder(dir: string, prefix = ""): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? filesUnder(path, `${prefix}${name}/`) : [`${prefix}${name}`];
    });
}

function optionalText(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, "utf8") : undefined;
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
  const api = new Map<string, string>(
    existsSync(apiDir) ? filesUnder(apiDir).map((path) => [path, readFileSync(join(apiDir, path), "utf8")]) : [],
  );
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

#!/usr/bin/env node
// Generates src/schemas/generated/*.ts from schemas/*.schema.json: the schemas are the single source of truth.
// `--check` exits 1 when a generated file is out of date (run by the tests).
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { compile } from "json-schema-to-typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const schemaDir = join(root, "schemas");
const outDir = join(root, "src", "schemas", "generated");
const check = process.argv.includes("--check");

const banner = "/* DO NOT EDIT: generated from schemas/%s by `npm run generate:types`. */";

/** Generated TypeScript for one schema file. */
export async function generate(file) {
  const schema = JSON.parse(readFileSync(join(schemaDir, file), "utf8"));
  const body = await compile(schema, schema.title, {
    bannerComment: banner.replace("%s", file),
    additionalProperties: false,
    strictIndexSignatures: false,
    ignoreMinAndMaxItems: true,
    format: true,
    style: { printWidth: 120 },
    cwd: schemaDir,
  });
  return body;
}

const files = readdirSync(schemaDir)
  .filter((f) => f.endsWith(".schema.json"))
  .sort();
let stale = [];
mkdirSync(outDir, { recursive: true });
for (const file of files) {
  const target = join(outDir, file.replace(/\.schema\.json$/, ".ts"));
  const text = await generate(file);
  let current = "";
  try {
    current = readFileSync(target, "utf8");
  } catch {
    /* missing: stale */
  }
  if (current !== text) {
    if (check) stale.push(target);
    else writeFileSync(target, text);
  }
}
if (stale.length) {
  console.error(`Out of date (run npm run generate:types): ${stale.join(", ")}`);
  process.exit(1);
}

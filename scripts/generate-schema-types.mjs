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

// Schemas refer to each other by $id (https://aws-instance-benchmarks.dev/schemas/<name>/v<N>.json), never by URL
// fetch: the resolver reads schemas/<name>.schema.json instead. A property that embeds another document names its
// generated type with `tsType`, and the generated file imports it, so each document has exactly one type.
const idPattern = /^https:\/\/aws-instance-benchmarks\.dev\/schemas\/([a-z-]+)\/v\d+\.json$/;
const localSchemas = {
  order: 1,
  canRead: (file) => idPattern.test(file.url),
  read: (file) => readFileSync(join(schemaDir, `${idPattern.exec(file.url)[1]}.schema.json`), "utf8"),
};

/** `import type` lines for the generated types another schema's `tsType` names (titles of schemas/ files). */
function importsFor(schema, file) {
  const used = new Set();
  const walk = (node) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === "object") {
      if (typeof node.tsType === "string" && typeof node.$ref === "string" && idPattern.test(node.$ref)) {
        used.add(`import type { ${node.tsType} } from "./${idPattern.exec(node.$ref)[1]}.js";`);
      }
      Object.values(node).forEach(walk);
    }
  };
  walk(schema);
  used.delete(`import type { ${schema.title} } from "./${file.replace(/\.schema\.json$/, "")}.js";`);
  return [...used].sort();
}

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
    $refOptions: { resolve: { http: false, localSchemas } },
  });
  const imports = importsFor(schema, file);
  if (imports.length === 0) return body;
  // The generator also aliases each imported type to itself (`export type BatchSpec = BatchSpec;`): drop those.
  const names = imports.map((line) => /\{ (\w+) \}/.exec(line)[1]);
  const aliases = new RegExp(`\\n/\\*\\*(?:(?!\\*/)[\\s\\S])*\\*/\\nexport type (${names.join("|")}) = \\1;\\n`, "g");
  const [first, ...rest] = body.replace(aliases, "").split("\n");
  return [first, "", ...imports, ...rest].join("\n");
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

#!/usr/bin/env node
// Bundles the CLI and runner into one ES module with its schemas and configs, for the benchmark images
// (no npm install inside an image): dist/bundle/runner/{package.json, dist/aws-bench.mjs, schemas/, configs/}.
// Prints the bundle's SHA-256 (recorded in results as runner.bundleSha256 and part of the image's content hash).
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "bundle", "runner");
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "dist"), { recursive: true });
await build({
  entryPoints: [join(root, "dist", "src", "cli", "bin.js")],
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  outfile: join(out, "dist", "aws-bench.mjs"),
  // CommonJS dependencies (ajv, the AWS SDK) call require(); give the ES module one.
  banner: { js: 'import { createRequire as createRequireForBundle } from "node:module"; const require = createRequireForBundle(import.meta.url);' },
  legalComments: "eof",
  logLevel: "warning",
});
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
writeFileSync(join(out, "package.json"), `${JSON.stringify({ name: pkg.name, version: pkg.version, type: "module", license: pkg.license }, null, 2)}\n`);
for (const folder of ["schemas", "configs"]) cpSync(join(root, folder), join(out, folder), { recursive: true });
const sha256 = createHash("sha256").update(readFileSync(join(out, "dist", "aws-bench.mjs"))).digest("hex");
writeFileSync(join(out, "BUNDLE_SHA256"), `${sha256}\n`);
console.log(sha256);

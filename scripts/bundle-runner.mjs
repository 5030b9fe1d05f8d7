#!/usr/bin/env node
// Bundles the CLI and runner into one ES module with its schemas and configs, for the benchmark images
// (no npm install inside an image): dist/bundle/runner/{package.json, dist/aws-bench.mjs, schemas/, configs/}.
// Prints the bundle's SHA-256 (recorded in results as runner.bundleSha256 and part of the image's content hash).
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "bundle", "runner");
// Rebuilt in place, each file replaced by a rename, BUNDLE_SHA256 last: tests running in parallel (and anything
// reading the bundle) never see it missing or half-written.
mkdirSync(join(out, "dist"), { recursive: true });
const staged = join(out, "dist", `.aws-bench.${process.pid}.mjs`);
const atomicWrite = (path, text) => {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
};
await build({
  entryPoints: [join(root, "dist", "src", "cli", "bin.js")],
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  outfile: staged,
  // CommonJS dependencies (ajv, the AWS SDK) call require(); give the ES module one.
  banner: {
    js: 'import { createRequire as createRequireForBundle } from "node:module"; const require = createRequireForBundle(import.meta.url);',
  },
  legalComments: "eof",
  logLevel: "warning",
});
renameSync(staged, join(out, "dist", "aws-bench.mjs"));
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
atomicWrite(
  join(out, "package.json"),
  `${JSON.stringify({ name: pkg.name, version: pkg.version, type: "module", license: pkg.license }, null, 2)}\n`,
);
for (const folder of ["schemas", "configs"]) {
  const temporary = join(out, `.${folder}.${process.pid}`);
  cpSync(join(root, folder), temporary, { recursive: true });
  rmSync(join(out, folder), { recursive: true, force: true });
  renameSync(temporary, join(out, folder));
}
const sha256 = createHash("sha256")
  .update(readFileSync(join(out, "dist", "aws-bench.mjs")))
  .digest("hex");
atomicWrite(join(out, "BUNDLE_SHA256"), `${sha256}\n`);
console.log(sha256);

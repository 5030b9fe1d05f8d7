#!/usr/bin/env node
// Writes spack-configs/<tag>.yaml for every container tag of configs/families.json and the project's Spack package
// repository (spack-configs/spack_repo/aws_bench/) from configs/sources.json, through the built
// src/images/spack-environment.ts. Run with `npm run generate:spack`; test/unit/images/spack-configs.test.ts holds
// the committed files to the same function.
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const root = join(import.meta.dirname, "..");
const { spackEnvironment, spackRepository } = await import(join(root, "dist", "src", "images", "spack-environment.js"));
const families = JSON.parse(readFileSync(join(root, "configs", "families.json"), "utf8"));
const manifest = JSON.parse(readFileSync(join(root, "configs", "sources.json"), "utf8"));
const dir = join(root, "spack-configs");

const tags = Object.entries(families.containerTags);
for (const [tag, spec] of tags) writeFileSync(join(dir, `${tag}.yaml`), spackEnvironment(tag, spec, manifest));
// An environment whose tag is gone is removed, not left to be built.
for (const file of readdirSync(dir).filter((name) => name.endsWith(".yaml")))
  if (!families.containerTags[file.replace(/\.yaml$/, "")]) rmSync(join(dir, file));
rmSync(join(dir, "spack_repo"), { recursive: true, force: true });
for (const [path, text] of Object.entries(spackRepository(manifest))) {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}
console.log(`spack-configs: ${tags.length} environments and the aws_bench package repository written`);

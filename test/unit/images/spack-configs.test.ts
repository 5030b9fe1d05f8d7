import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = join(import.meta.dirname, "..", "..", "..");
const dir = join(root, "spack-configs");
const families = JSON.parse(readFileSync(join(root, "configs", "families.json"), "utf8")) as {
  containerTags: Record<string, { architecture: string; spackTarget: string }>;
};
const shipped = JSON.parse(readFileSync(join(root, "configs", "container-tags.json"), "utf8")) as {
  tags: Array<{ tag: string; spackTarget: string }>;
};
const targets = new Set((JSON.parse(readFileSync(join(dir, "targets.json"), "utf8")) as { targets: string[] }).targets);

interface SpackEnvironment {
  spack: { specs: string[]; packages: { all: { require: string[] } }; concretizer: { unify: boolean; reuse: boolean } };
}

describe("spack-configs", () => {
  const files = readdirSync(dir).filter((file) => file.endsWith(".yaml"));

  it("has one environment per container tag, and none without a tag", () => {
    const tags = Object.keys(families.containerTags).sort();
    expect(files.map((file) => file.replace(/\.yaml$/, "")).sort()).toEqual(tags);
    for (const { tag } of shipped.tags) expect(files).toContain(`${tag}.yaml`);
  });

  it("targets the tag's core with a name archspec knows, HPL with a BLAS and MPI, reproducibly", () => {
    for (const file of files) {
      const tag = file.replace(/\.yaml$/, "");
      const environment = parse(readFileSync(join(dir, file), "utf8")) as SpackEnvironment;
      const requirements = environment.spack.packages.all.require;
      const target = requirements.find((r) => r.startsWith("target="))?.slice("target=".length);
      expect(target, file).toBe(families.containerTags[tag]?.spackTarget);
      expect(targets.has(target ?? ""), `${file}: ${target} not in targets.json`).toBe(true);
      expect(
        requirements.some((r) => /^%gcc@\d+/.test(r)),
        file,
      ).toBe(true);
      const [spec] = environment.spack.specs;
      expect(spec, file).toMatch(/^hpl@2\.3 \^(openblas|amdblis)@[\d.]+ threads=none \^openmpi@[\d.]+$/);
      expect(environment.spack.concretizer).toMatchObject({ unify: true, reuse: false });
    }
  });
});

/**
 * The Spack stage's files: one environment per container tag and the project's package repository, exactly what
 * src/images/spack-environment.ts generates from configs/families.json and configs/sources.json (so a change of a
 * pin or a tag cannot leave a stale file), each environment targeting its tag's core by a name archspec knows,
 * Debian's compiler, OpenBLAS and Open MPI as externals, reproducible concretization; the recipes pin the manifest's
 * checksums and are valid Python. (No Spack here: concretizing and installing is left to the image build.)
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  mirrorPath,
  spackEnvironment,
  spackPackages,
  spackRepository,
  type SpackTag,
} from "../../../src/images/spack-environment.js";
import type { SourceManifest } from "../../../src/schemas/generated/source-manifest.js";

const root = join(import.meta.dirname, "..", "..", "..");
const dir = join(root, "spack-configs");
const families = JSON.parse(readFileSync(join(root, "configs", "families.json"), "utf8")) as {
  containerTags: Record<string, SpackTag>;
};
const manifest = JSON.parse(readFileSync(join(root, "configs", "sources.json"), "utf8")) as SourceManifest;
const targets = new Set((JSON.parse(readFileSync(join(dir, "targets.json"), "utf8")) as { targets: string[] }).targets);

interface External {
  spec: string;
  prefix: string;
  extra_attributes?: { compilers: Record<string, string> };
}
interface SpackEnvironment {
  spack: {
    specs: string[];
    repos: Record<string, string>;
    mirrors: Record<string, { url: string }>;
    packages: Record<string, { require?: string[]; buildable?: boolean; externals?: External[] }>;
    concretizer: { unify: boolean; reuse: boolean };
  };
}

describe("spack-configs", () => {
  const files = readdirSync(dir).filter((file) => file.endsWith(".yaml"));

  it("has one environment per container tag, none without a tag, each exactly as generated", () => {
    expect(files.map((file) => file.replace(/\.yaml$/, "")).sort()).toEqual(Object.keys(families.containerTags).sort());
    for (const [tag, spec] of Object.entries(families.containerTags))
      expect(readFileSync(join(dir, `${tag}.yaml`), "utf8"), `${tag}.yaml: run npm run generate:spack`).toBe(
        spackEnvironment(tag, spec, manifest),
      );
    for (const [path, text] of Object.entries(spackRepository(manifest)))
      expect(readFileSync(join(dir, path), "utf8"), `${path}: run npm run generate:spack`).toBe(text);
  });

  it("targets the tag's core with a name archspec knows, builds HPL only, on Debian's externals, reproducibly", () => {
    for (const [tag, spec] of Object.entries(families.containerTags)) {
      const environment = (parse(readFileSync(join(dir, `${tag}.yaml`), "utf8")) as SpackEnvironment).spack;
      const requirements = environment.packages["all"]?.require ?? [];
      const target = requirements.find((r) => r.startsWith("target="))?.slice("target=".length);
      expect(target, tag).toBe(spec.spackTarget);
      expect(targets.has(target ?? ""), `${tag}: ${target} not in targets.json`).toBe(true);
      expect(requirements).toContain("%gcc@14");
      expect(environment.specs).toEqual([
        `hpl@${manifest.sources["hpl"]?.version} ^openblas@0.3.29 ^openmpi@5.0.7`,
        `aws-bench-stream@${manifest.sources["stream"]?.version}`,
        `aws-bench-coremark@${manifest.sources["coremark"]?.version}`,
      ]);
      // The compiler, BLAS and MPI are the image's Debian packages: never built by Spack.
      for (const name of ["gcc", "openblas", "openmpi"])
        expect(environment.packages[name]?.buildable, name).toBe(false);
      const triplet = spec.architecture === "arm64" ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
      expect(environment.packages["openmpi"]?.externals?.[0]?.prefix).toBe(`/usr/lib/${triplet}/openmpi`);
      expect(environment.packages["gcc"]?.externals?.[0]?.extra_attributes?.compilers).toEqual({
        c: "/usr/bin/gcc-14",
        cxx: "/usr/bin/g++-14",
        fortran: "/usr/bin/gfortran-14",
      });
      expect(environment.concretizer).toMatchObject({ unify: true, reuse: false });
      expect(environment.mirrors["aws-bench-sources"]?.url).toMatch(/^file:\/\//);
      expect(Object.values(environment.repos)).toEqual(["/opt/aws-bench/spack-repos/spack_repo/aws_bench"]);
    }
  });

  it("recipes pin the manifest's checksums, install the verified sources for the runner, and are valid Python", () => {
    const repository = spackRepository(manifest);
    const scratch = mkdtempSync(join(tmpdir(), "aws-bench-spack-"));
    try {
      for (const name of ["stream", "coremark"] as const) {
        const source = manifest.sources[name];
        const path = `spack_repo/aws_bench/packages/${spackPackages[name].replace(/-/g, "_")}/package.py`;
        const text = repository[path] ?? "";
        expect(text).toContain(`version("${source?.version}", sha256="${source?.sha256}"`);
        expect(text).toContain(`url = "${source?.url}"`);
        expect(text).toContain(`"share/aws-bench/sources", "${name}"`);
        const file = join(scratch, `${name}.py`);
        writeFileSync(file, text);
        execFileSync("python3", ["-m", "py_compile", file], { stdio: "pipe" });
      }
      expect(repository["spack_repo/aws_bench/repo.yaml"]).toMatch(/namespace: aws_bench\n {2}api: v2\.0/);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it("refuses a source without a pinned checksum, and a target name that is not one", () => {
    const unpinned = structuredClone(manifest);
    delete (unpinned.sources["hpl"] as { sha256?: string }).sha256;
    expect(() => spackEnvironment("x", { architecture: "x86_64", spackTarget: "zen3" }, unpinned)).toThrow(
      /pins no SHA-256 for hpl/,
    );
    expect(() => spackEnvironment("x", { architecture: "x86_64", spackTarget: "zen3 ^evil" }, manifest)).toThrow(
      /not a target name/,
    );
  });

  it("files the mirror's sources by checksum, as Spack looks them up", () => {
    const stream = manifest.sources["stream"] as Parameters<typeof mirrorPath>[0];
    expect(mirrorPath(stream)).toBe(`_source-cache/archive/${stream.sha256.slice(0, 2)}/${stream.sha256}.c`);
    const hpl = manifest.sources["hpl"] as Parameters<typeof mirrorPath>[0];
    expect(mirrorPath(hpl)).toBe(`_source-cache/archive/32/${hpl.sha256}.tar.gz`);
  });
});

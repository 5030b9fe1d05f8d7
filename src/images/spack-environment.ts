/**
 * The Spack stage of the benchmark images, generated: one environment per container tag (`spack-configs/<tag>.yaml`)
 * and the project's own package repository (`spack-configs/spack_repo/aws_bench/`) with recipes for STREAM and
 * CoreMark, whose sources are pinned in configs/sources.json (Spack's builtin `stream` fetches git without a ref,
 * and there is no `coremark` recipe). Every environment builds HPL 2.3 with Spack for the tag's oldest core and
 * installs the two verified sources for the runner to compile per host (their sizes and thread counts are
 * compile-time constants); Debian's gcc, OpenBLAS and Open MPI are declared as externals by hand, so Spack builds
 * nothing but HPL; `reuse: false` and pinned versions make a file concretize the same way every time; sources come
 * from a content-addressed mirror filled from the verified downloads. `npm run generate:spack` writes the files; a
 * test holds the committed ones to this module.
 */
import { stringify } from "yaml";
import type { PinnedSource, SourceManifest } from "../schemas/generated/source-manifest.js";

/** What a container tag needs here: its architecture and the Spack (archspec) target of its oldest core. */
export interface SpackTag {
  /** `x86_64` or `arm64`. */
  architecture: "x86_64" | "arm64";
  /** An archspec target name, e.g. `zen3`, `neoverse_v1`, `skylake_avx512`. */
  spackTarget: string;
}

/**
 * The image's Debian 13 packages Spack uses as externals (the versions trixie ships, so that the concretizer's
 * choice is exactly what is installed) and where Spack's own files go in the image.
 */
export const spackImage = {
  gcc: "14.2.0",
  openblas: "0.3.29",
  openmpi: "5.0.7",
  /** The project's package repository in the image (Spack's `repos:` entry). */
  repository: "/opt/aws-bench/spack-repos/spack_repo/aws_bench",
  /** The content-addressed source mirror the image's build fills from verified downloads. */
  mirror: "file:///opt/aws-bench/source-mirror",
  view: "/opt/aws-bench/spack-view",
  installTree: "/opt/spack-store",
  /** Where the recipes install the verified sources; the runner's image sources (`<image root>/sources/<name>`). */
  sources: "share/aws-bench/sources",
} as const;

/** The Debian multiarch triplet of an architecture: Open MPI lives under `/usr/lib/<triplet>/openmpi`. */
function triplet(architecture: SpackTag["architecture"]): string {
  return architecture === "arm64" ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
}

/** The Spack package names of the project's recipes, by benchmark. */
export const spackPackages = { stream: "aws-bench-stream", coremark: "aws-bench-coremark" } as const;

function pinned(manifest: SourceManifest, name: "stream" | "coremark" | "hpl"): PinnedSource & { sha256: string } {
  const source = manifest.sources[name];
  if (!source?.sha256)
    throw new Error(`configs/sources.json pins no SHA-256 for ${name}: the Spack stage builds only verified sources`);
  return source as PinnedSource & { sha256: string };
}

/** The text of `spack-configs/<tag>.yaml`. */
export function spackEnvironment(tag: string, spec: SpackTag, manifest: SourceManifest): string {
  if (!/^[a-z0-9_]+$/.test(spec.spackTarget)) throw new Error(`${tag}: '${spec.spackTarget}' is not a target name`);
  const hpl = pinned(manifest, "hpl");
  const stream = pinned(manifest, "stream");
  const coremark = pinned(manifest, "coremark");
  const compilers = { c: "/usr/bin/gcc-14", cxx: "/usr/bin/g++-14", fortran: "/usr/bin/gfortran-14" };
  const environment = {
    spack: {
      specs: [
        `hpl@${hpl.version} ^openblas@${spackImage.openblas} ^openmpi@${spackImage.openmpi}`,
        `${spackPackages.stream}@${stream.version}`,
        `${spackPackages.coremark}@${coremark.version}`,
      ],
      repos: { aws_bench: spackImage.repository },
      mirrors: { "aws-bench-sources": { url: spackImage.mirror, signed: false } },
      packages: {
        all: { require: [`target=${spec.spackTarget}`, "%gcc@14"] },
        gcc: {
          buildable: false,
          externals: [
            {
              spec: `gcc@${spackImage.gcc} languages='c,c++,fortran'`,
              prefix: "/usr",
              extra_attributes: { compilers },
            },
          ],
        },
        openblas: {
          buildable: false,
          externals: [{ spec: `openblas@${spackImage.openblas} threads=pthreads`, prefix: "/usr" }],
        },
        openmpi: {
          buildable: false,
          externals: [
            { spec: `openmpi@${spackImage.openmpi}`, prefix: `/usr/lib/${triplet(spec.architecture)}/openmpi` },
          ],
        },
      },
      concretizer: {
        unify: true,
        reuse: false,
        targets: { granularity: "microarchitectures", host_compatible: false },
      },
      view: spackImage.view,
      config: { install_tree: { root: spackImage.installTree } },
    },
  };
  const header = [
    `# Spack environment for container tag \`${tag}\` (${spec.architecture}): HPL ${hpl.version} built for \`${spec.spackTarget}\`,`,
    "# the oldest core using this tag, so the image runs on every instance of it; STREAM and CoreMark installed as",
    "# verified sources for the runner to compile per host. GENERATED by `npm run generate:spack` from",
    "# configs/families.json and configs/sources.json (src/images/spack-environment.ts): do not edit.",
  ];
  return `${header.join("\n")}\n${stringify(environment, { lineWidth: 0 })}`;
}

/** The recipe of one of the project's packages, as Python text. */
function recipe(name: "stream" | "coremark", source: PinnedSource & { sha256: string }): string {
  const className = spackPackages[name]
    .split("-")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
  const isFile = source.archive === "file";
  const about =
    name === "stream"
      ? "STREAM sustainable memory bandwidth benchmark (John D. McCalpin), the single file stream.c"
      : "CoreMark processor benchmark (EEMBC)";
  const install = isFile
    ? [
        `        target = join_path(prefix, ${quoted(spackImage.sources)}, ${quoted(name)})`,
        "        mkdirp(target)",
        `        install(self.stage.archive_file, join_path(target, ${quoted(source.fileName)}))`,
      ]
    : [`        install_tree(".", join_path(prefix, ${quoted(spackImage.sources)}, ${quoted(name)}))`];
  return [
    "# GENERATED by `npm run generate:spack` from configs/sources.json (src/images/spack-environment.ts): do not edit.",
    `# The project's recipe for ${name}: it installs the verified source, which the aws-bench runner compiles on each`,
    "# host (array sizes and thread counts are compile-time constants), and records nothing else.",
    "from spack_repo.builtin.build_systems.generic import Package",
    "",
    "from spack.package import *",
    "",
    "",
    `class ${className}(Package):`,
    `    """${about}, pinned by aws-instance-benchmarks."""`,
    "",
    `    url = ${quoted(source.url)}`,
    "",
    `    version(${quoted(source.version)}, sha256=${quoted(source.sha256)}${isFile ? ", expand=False" : ""})`,
    "",
    "    def install(self, spec, prefix):",
    ...install,
    "",
  ].join("\n");
}

/** A Python string literal of `text` (the texts here hold no quote or backslash; refused if they do). */
function quoted(text: string): string {
  if (/["\\\n]/.test(text)) throw new Error(`cannot quote ${JSON.stringify(text)} for a recipe`);
  return `"${text}"`;
}

/** The project's package repository: relative path under `spack-configs/` → file text. */
export function spackRepository(manifest: SourceManifest): Record<string, string> {
  const root = "spack_repo/aws_bench";
  return {
    [`${root}/repo.yaml`]:
      "# GENERATED by `npm run generate:spack` (src/images/spack-environment.ts): do not edit.\nrepo:\n  namespace: aws_bench\n  api: v2.0\n",
    [`${root}/packages/${spackPackages.stream.replace(/-/g, "_")}/package.py`]: recipe(
      "stream",
      pinned(manifest, "stream"),
    ),
    [`${root}/packages/${spackPackages.coremark.replace(/-/g, "_")}/package.py`]: recipe(
      "coremark",
      pinned(manifest, "coremark"),
    ),
  };
}

/**
 * Where Spack looks a source up in a mirror: `_source-cache/archive/<first two hex>/<sha256>.<extension>`, so the
 * mirror is content-addressed and a file there is the one its checksum names.
 */
export function mirrorPath(source: PinnedSource & { sha256: string }): string {
  const extension = source.archive === "file" ? (source.fileName.split(".").pop() ?? "bin") : source.archive;
  return `_source-cache/archive/${source.sha256.slice(0, 2)}/${source.sha256}.${extension}`;
}

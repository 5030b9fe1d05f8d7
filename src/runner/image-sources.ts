/**
 * The pinned sources an image carries, fetched by the runner's own fetch-and-verify (programs.ts) into the image's
 * source folder (`<image root>/sources/`, step 2 of program resolution), so an image's build runs exactly the code a
 * run does and the runner later finds them there. Each source is placed as the runner reads it back: a source
 * verified by its archive's SHA-256 as that archive itself (`sources/<name>`, so a run records it as pinned by the
 * same checksum), a single file or a source verified file by file as a folder of the verified files
 * (`sources/<name>/`). Nothing unverified is placed; a source no location gives verified is an error naming every
 * attempt (a mismatch names both sums).
 */
import { copyFileSync, cpSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { BenchmarkRegistry } from "../benchmarks/registry.js";
import { BenchError } from "../errors.js";
import type { SourceManifest } from "../schemas/generated/source-manifest.js";
import { fetchVerifiedSource, type SourceMirror } from "./programs.js";

/** What {@link fetchImageSources} needs. */
export interface ImageSourcesOptions {
  /** The image's source folder, e.g. /opt/aws-bench/sources. */
  dest: string;
  /** Benchmarks whose pinned sources to fetch, in order. */
  names: readonly string[];
  /** The manifest the sources are verified against. */
  manifest: SourceManifest;
  /** The benchmark definitions (their source markers). */
  registry: BenchmarkRegistry;
  /** Where downloads are kept (verified again on reuse). */
  cacheDir: string;
  /** Scratch space for extraction. */
  workDir: string;
  /** A mirror instead of the manifest's URLs. */
  sourceMirror?: SourceMirror | undefined;
  /** Progress lines. */
  progress: (line: string) => void;
}

/** One placed source. */
export interface PlacedSource {
  /** Benchmark. */
  name: string;
  /** The manifest's version. */
  version: string;
  /** Where it was placed. */
  path: string;
  /** `sha256` (the file or archive) or `files` (each listed file). */
  verified: string;
  /** SHA-256 of the download. */
  sha256: string;
  /** Where it came from (a URL, `source-mirror` or `cache`). */
  origin: string;
}

/** Fetches, verifies and places each source; throws `ChecksumMismatch` for the first that cannot be had verified. */
export async function fetchImageSources(options: ImageSourcesOptions): Promise<PlacedSource[]> {
  const placed: PlacedSource[] = [];
  for (const name of options.names) {
    const definition = options.registry.require(name);
    const pinned = options.manifest.sources[name];
    if (!pinned)
      throw new BenchError("InvalidArgument", `The source manifest has no entry for ${name}.`, {
        fix: `Fetch only benchmarks the manifest pins (${Object.keys(options.manifest.sources).join(", ")}).`,
      });
    const { source, attempts } = await fetchVerifiedSource(definition, pinned, {
      programs: {},
      sources: {},
      imageRoot: join(options.workDir, "no-image"),
      manifest: options.manifest,
      cacheDir: options.cacheDir,
      workDir: options.workDir,
      pathEnv: "",
      sourceMirror: options.sourceMirror,
    });
    for (const attempt of attempts) options.progress(`  ${name}: ${attempt}`);
    if (!source)
      throw new BenchError(
        "ChecksumMismatch",
        `No verified copy of ${name} ${pinned.version}: ${attempts.join("; ")}.`,
        {
          fix: options.sourceMirror
            ? `Put ${pinned.fileName} with the pinned SHA-256 in the mirror, or fetch from upstream (no --source-mirror).`
            : `Check that ${pinned.url} is reachable from the build, or pass --source-mirror URL|DIR holding ${pinned.fileName}.`,
        },
      );
    const path = join(options.dest, name);
    rmSync(path, { recursive: true, force: true });
    mkdirSync(options.dest, { recursive: true });
    if (source.source.verified === "sha256" && pinned.archive !== "file") copyFileSync(source.download, path);
    else cpSync(source.tree, path, { recursive: true });
    placed.push({
      name,
      version: pinned.version,
      path,
      verified: source.source.verified,
      sha256: source.source.sha256,
      origin: source.source.origin ?? "",
    });
    options.progress(
      `${name} ${pinned.version}: verified by ${source.source.verified === "sha256" ? "SHA-256" : "each listed file"} (${source.source.sha256}) from ${source.source.origin ?? "?"}; placed at ${path}`,
    );
  }
  return placed;
}

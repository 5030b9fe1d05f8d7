/**
 * Where a benchmark's program comes from, tried in this order, each failure recorded with its reason:
 *   1. `--program NAME=PATH` (an executable) or `--source NAME=DIR_OR_ARCHIVE` (compiled for this host);
 *   2. the benchmark image's programs and sources (`--image-root`, default /opt/aws-bench);
 *   3. the source manifest (configs/sources.json): downloaded to a cache, every extracted file checked against
 *      its pinned SHA-256, then compiled for this host;
 *   4. a program on PATH;
 *   5. the project's own program for the quantity, when the definition has one and a C compiler is on PATH (for
 *      `stream`: the memory-bandwidth kernel aws-bench-membw, recorded as its own benchmark `membw`, never as STREAM);
 *   6. a suite that measures the benchmark among others, with the programs it needs (Debian's `hpcc` for
 *      STREAM and HPL: HPL 2.0 and HPCC's own STREAM, recorded as such).
 * The names, source marker, fix and suites come from the benchmark's definition (src/benchmarks/<name>/). STREAM
 * and CoreMark are compiled per host and per size, because their array size and thread count are compile-time
 * constants; a prebuilt binary runs with whatever it was built with. A benchmark declared in a file names its
 * own command: nothing is looked for.
 */
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { basename, delimiter, join } from "node:path";
import { execFileSync } from "node:child_process";
import type { BenchmarkDefinition, ProgramChoice, ProjectKernel, SearchedProgram } from "../benchmarks/definition.js";
import { sha256File } from "../checksums.js";
import type { PinnedSource, SourceManifest } from "../schemas/generated/source-manifest.js";

/** A program ready to run or build (the type benchmark definitions prepare from; re-exported here). */
export type { ProgramChoice };

/** The outcome: a program, or why the benchmark is skipped and what fixes it. */
export type ProgramResolution =
  { found: true; program: ProgramChoice; attempts: string[] } | { found: false; attempts: string[]; fix: string };

/** What resolution may look at. */
export interface ResolveOptions {
  /** `--program NAME=PATH`. */
  programs: Partial<Record<string, string>>;
  /** `--source NAME=DIR_OR_ARCHIVE`. */
  sources: Partial<Record<string, string>>;
  /** Root of the image's programs (`bin/`) and sources (`sources/`). */
  imageRoot: string;
  /** The source manifest. */
  manifest: SourceManifest;
  /** Where downloads are cached. */
  cacheDir: string;
  /** Scratch space for extracted archives. */
  workDir: string;
  /** PATH to search. */
  pathEnv: string;
  /** Downloads a URL to a file (tests replace it); throws on failure. */
  download?: (url: string, file: string) => Promise<void>;
}

/** Default cache for downloaded sources. */
export function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  return join(env["XDG_CACHE_HOME"] ?? join(homedir(), ".cache"), "aws-bench", "sources");
}

/** Finds an executable on `pathEnv`. */
export function findOnPath(names: readonly string[], pathEnv: string): string | undefined {
  for (const dir of pathEnv.split(delimiter).filter(Boolean)) {
    for (const name of names) {
      const candidate = join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Resolves the program of `definition`, trying each source in order. */
export async function resolveProgram(
  definition: Pick<BenchmarkDefinition, "name" | "program">,
  options: ResolveOptions,
): Promise<ProgramResolution> {
  const { name: benchmark, program: spec } = definition;
  if (spec.kind === "declared")
    return { found: true, program: { kind: "declared", how: "declared", path: spec.file }, attempts: [] };
  const attempts: string[] = [];
  const explicitProgram = options.programs[benchmark];
  if (explicitProgram !== undefined) {
    if (isExecutable(explicitProgram))
      return { found: true, program: { kind: "binary", how: "explicit-program", path: explicitProgram }, attempts };
    attempts.push(`--program ${benchmark}=${explicitProgram}: not an executable file`);
  }
  const explicitSource = options.sources[benchmark];
  if (explicitSource !== undefined) {
    const tree = sourceTree(
      benchmark,
      spec,
      explicitSource,
      options.workDir,
      attempts,
      `--source ${benchmark}=${explicitSource}`,
    );
    if (tree) return { found: true, program: { kind: "source", how: "explicit-source", path: tree }, attempts };
  }
  for (const name of spec.executables) {
    const candidate = join(options.imageRoot, "bin", name);
    if (isExecutable(candidate))
      return { found: true, program: { kind: "binary", how: "image-program", path: candidate }, attempts };
  }
  const imageSource = join(options.imageRoot, "sources", benchmark);
  if (existsSync(imageSource)) {
    const tree = sourceTree(benchmark, spec, imageSource, options.workDir, attempts, `image source ${imageSource}`);
    if (tree) return { found: true, program: { kind: "source", how: "image-source", path: tree }, attempts };
  } else attempts.push(`image: no ${benchmark} program or source under ${options.imageRoot}`);
  const pinned = options.manifest.sources[benchmark];
  if (!pinned) attempts.push(`manifest: no ${benchmark} entry in configs/sources.json`);
  else {
    const tree = await fetchPinnedSource(benchmark, spec, pinned, options, attempts);
    if (tree)
      return {
        found: true,
        program: { kind: "source", how: "manifest", path: tree, pinned: `${benchmark} ${pinned.version}` },
        attempts,
      };
  }
  const onPath = findOnPath(spec.executables, options.pathEnv);
  if (onPath) return { found: true, program: { kind: "binary", how: "path", path: onPath }, attempts };
  attempts.push(`PATH: none of ${spec.executables.join(", ")}`);
  const kernel = spec.projectKernel && projectKernelSource(spec.projectKernel, options.pathEnv, attempts);
  if (kernel) return { found: true, program: { kind: "source", how: "project-kernel", path: kernel }, attempts };
  for (const suite of spec.suites ?? []) {
    const path = findOnPath(suite.executables, options.pathEnv);
    const missing = suite.requires.filter((tool) => !findOnPath([tool], options.pathEnv));
    if (path && missing.length === 0)
      return { found: true, program: { kind: "suite", how: suite.name, path, suite }, attempts };
    attempts.push(path ? `${suite.name}: found, but ${missing.join(", ")} is missing` : `${suite.name}: not installed`);
  }
  return { found: false, attempts, fix: spec.fix };
}

/** The project's own kernel's folder, when its source is shipped and a C compiler (`cc`) is on PATH to build it. */
function projectKernelSource(kernel: ProjectKernel, pathEnv: string, attempts: string[]): string | undefined {
  const directory = kernel.directory();
  if (!existsSync(join(directory, kernel.sourceFile)))
    attempts.push(`${kernel.name}: ${join(directory, kernel.sourceFile)} is missing from the package`);
  else if (!findOnPath(["cc"], pathEnv)) attempts.push(`${kernel.name}: no C compiler (cc) on PATH to build it`);
  else return directory;
  return undefined;
}

/** A directory holding the benchmark's sources, from a directory, an archive or a single file. */
function sourceTree(
  benchmark: string,
  spec: SearchedProgram,
  path: string,
  workDir: string,
  attempts: string[],
  label: string,
): string | undefined {
  if (!existsSync(path)) {
    attempts.push(`${label}: does not exist`);
    return undefined;
  }
  let dir = path;
  if (statSync(path).isFile()) {
    const target = join(workDir, "sources", benchmark);
    mkdirSync(target, { recursive: true });
    if (basename(path) === spec.sourceMarker || path.endsWith(".c"))
      writeFileSync(join(target, spec.sourceMarker), readFileSync(path));
    else {
      try {
        execFileSync("tar", ["-xf", path, "-C", target], { stdio: "pipe" });
      } catch (error) {
        attempts.push(`${label}: cannot extract (${(error as Error).message.split("\n")[0] ?? ""})`);
        return undefined;
      }
    }
    dir = target;
  }
  const found = findMarker(dir, spec.sourceMarker, 3);
  if (!found) attempts.push(`${label}: no ${spec.sourceMarker} inside`);
  return found;
}

function findMarker(dir: string, marker: string, depth: number): string | undefined {
  if (existsSync(join(dir, marker))) return dir;
  if (depth === 0) return undefined;
  for (const entry of readdirSync(dir).sort()) {
    const child = join(dir, entry);
    if (statSync(child).isDirectory()) {
      const found = findMarker(child, marker, depth - 1);
      if (found) return found;
    }
  }
  return undefined;
}

async function fetchPinnedSource(
  benchmark: string,
  spec: SearchedProgram,
  pinned: PinnedSource,
  options: ResolveOptions,
  attempts: string[],
): Promise<string | undefined> {
  const label = `manifest ${benchmark} ${pinned.version}`;
  if (Object.keys(pinned.files).length === 0) {
    attempts.push(`${label}: not pinned (configs/sources.json lists no file checksums), so it is not downloaded`);
    return undefined;
  }
  const cache = join(options.cacheDir, `${benchmark}-${pinned.version}`);
  const tree = join(cache, "tree");
  const verify = (): string | undefined => {
    for (const [file, expected] of Object.entries(pinned.files)) {
      const path = join(tree, file);
      if (!existsSync(path)) return `${file} is missing`;
      const actual = sha256File(path);
      if (actual !== expected) return `checksum mismatch for ${file}: expected ${expected}, got ${actual}`;
    }
    return undefined;
  };
  if (existsSync(tree) && verify() === undefined) return tree;
  try {
    mkdirSync(tree, { recursive: true });
    const archive = join(
      cache,
      pinned.archive === "file" ? basename(new URL(pinned.url).pathname) : `source.${pinned.archive}`,
    );
    await (options.download ?? downloadTo)(pinned.url, archive);
    if (pinned.archive === "file") writeFileSync(join(tree, basename(archive)), readFileSync(archive));
    else
      execFileSync(
        "tar",
        [
          "-xf",
          archive,
          "-C",
          tree,
          ...(pinned.stripComponents ? [`--strip-components=${pinned.stripComponents}`] : []),
        ],
        { stdio: "pipe" },
      );
  } catch (error) {
    attempts.push(`${label}: download from ${pinned.url} failed (${(error as Error).message.split("\n")[0] ?? ""})`);
    return undefined;
  }
  const problem = verify();
  if (problem) {
    attempts.push(`${label}: ${problem}; not used`);
    return undefined;
  }
  return (
    findMarker(tree, spec.sourceMarker, 3) ?? (attempts.push(`${label}: no ${spec.sourceMarker} inside`), undefined)
  );
}

async function downloadTo(url: string, file: string): Promise<void> {
  const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  writeFileSync(file, Buffer.from(await response.arrayBuffer()));
}

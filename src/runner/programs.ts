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
import { randomBytes } from "node:crypto";
import {
  accessSync,
  closeSync,
  constants,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { homedir } from "node:os";
import { basename, delimiter, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { execFileSync } from "node:child_process";
import type {
  BenchmarkDefinition,
  ProgramChoice,
  ProjectKernel,
  SearchedProgram,
  SourceProvenance,
} from "../benchmarks/definition.js";
import { sha256File, sha256Hex } from "../checksums.js";
import { findFileInTree } from "../input-files.js";
import { BenchError } from "../errors.js";
import type { BuildProvenance } from "../schemas/generated/benchmark-result.js";
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
  /** `--source-mirror`: pinned sources are looked up there, by their upstream file names, instead of upstream. */
  sourceMirror?: SourceMirror | undefined;
  /** Bounds of each download (default {@link defaultDownloadLimits}). */
  downloadLimits?: DownloadLimits | undefined;
}

/** Default cache for downloaded sources. */
export function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  return join(env["XDG_CACHE_HOME"] ?? join(homedir(), ".cache"), "aws-bench", "sources");
}

/** Default cache for programs built from verified sources (HPL: once per source, compiler, BLAS and target). */
export function defaultBuildCacheDir(env: NodeJS.ProcessEnv): string {
  return join(env["XDG_CACHE_HOME"] ?? join(homedir(), ".cache"), "aws-bench", "builds");
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
    if (tree)
      return {
        found: true,
        program: {
          kind: "source",
          how: "explicit-source",
          path: tree,
          ...givenSourceProvenance(
            explicitSource,
            tree,
            benchmark,
            options.manifest.sources[benchmark],
            "explicit-source",
          ),
        },
        attempts,
      };
  }
  for (const name of spec.executables) {
    const candidate = join(options.imageRoot, "bin", name);
    if (isExecutable(candidate)) {
      const build = imageBuildRecord(candidate, attempts);
      return {
        found: true,
        program: { kind: "binary", how: "image-program", path: candidate, ...(build ? { build } : {}) },
        attempts,
      };
    }
  }
  const imageSource = join(options.imageRoot, "sources", benchmark);
  if (existsSync(imageSource)) {
    const tree = sourceTree(benchmark, spec, imageSource, options.workDir, attempts, `image source ${imageSource}`);
    if (tree)
      return {
        found: true,
        program: {
          kind: "source",
          how: "image-source",
          path: tree,
          ...givenSourceProvenance(imageSource, tree, benchmark, options.manifest.sources[benchmark], "image-source"),
        },
        attempts,
      };
  } else attempts.push(`image: no ${benchmark} program or source under ${options.imageRoot}`);
  const pinned = options.manifest.sources[benchmark];
  if (!pinned) attempts.push(`manifest: no ${benchmark} entry in configs/sources.json`);
  else {
    const verified = await fetchPinnedSource(benchmark, spec, pinned, options, attempts);
    if (verified)
      return {
        found: true,
        program: {
          kind: "source",
          how: "manifest",
          path: verified.tree,
          pinned: `${benchmark} ${pinned.version}`,
          source: verified.source,
        },
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

/**
 * The build record an image carries beside a program it built (`<program>.build.json`, written by
 * `aws-bench sources build`): how the program was built, recorded with its results. It must be a
 * BuildProvenance of the result schema exactly (checked here, so a bad record never fails the result at the end);
 * one that is not is left out with a note, and the program runs either way.
 */
export function imageBuildRecord(program: string, attempts: string[]): BuildProvenance | undefined {
  const path = `${program}.build.json`;
  if (!existsSync(path)) return undefined;
  try {
    if (statSync(path).size > 64 * 1024) throw new Error("larger than 64 KiB");
    return checkBuildRecord(JSON.parse(readFileSync(path, "utf8")));
  } catch (error) {
    attempts.push(`image: ${path} is not a build record (${(error as Error).message}); the build is not recorded`);
    return undefined;
  }
}

const buildRecordFields: Record<string, "string" | "boolean" | "source"> = {
  compiler: "string",
  flags: "string",
  target: "string",
  buildCommand: "string",
  blas: "string",
  cached: "boolean",
  prebuiltInImage: "boolean",
  spackTarget: "string",
  source: "source",
};

function checkBuildRecord(record: unknown): BuildProvenance {
  if (typeof record !== "object" || record === null || Array.isArray(record)) throw new Error("not an object");
  for (const [key, value] of Object.entries(record)) {
    const kind = buildRecordFields[key];
    if (!kind) throw new Error(`unknown field ${key}`);
    if (kind === "source") checkSourceRecord(value);
    else if (typeof value !== kind) throw new Error(`${key} is not a ${kind}`);
  }
  const { compiler, flags, target, spackTarget } = record as Partial<BuildProvenance>;
  if (compiler === undefined || flags === undefined || target === undefined)
    throw new Error("no compiler, flags or target");
  if (spackTarget !== undefined && !/^[a-z0-9_]+$/.test(spackTarget))
    throw new Error(`spackTarget ${JSON.stringify(spackTarget)} is not a target name`);
  return record as BuildProvenance;
}

function checkSourceRecord(value: unknown): void {
  const source = value as Partial<SourceProvenance> | null;
  const known = new Set(["sha256", "checksumOf", "verified", "pinned", "origin"]);
  if (
    typeof source !== "object" ||
    source === null ||
    Object.keys(source).some((key) => !known.has(key)) ||
    !/^[0-9a-f]{64}$/.test(String(source.sha256)) ||
    !["file", "tree"].includes(String(source.checksumOf)) ||
    !["sha256", "files", "not-pinned"].includes(String(source.verified)) ||
    (source.pinned !== undefined && typeof source.pinned !== "string") ||
    (source.origin !== undefined && typeof source.origin !== "string")
  )
    throw new Error("source is not a source record (sha256, checksumOf, verified, pinned, origin)");
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

/**
 * The checksum of a source the user or the image gave, and whether it is a pinned source: a file or archive by
 * its SHA-256 (pinned when it equals the manifest's), a folder by the SHA-256 of its sorted `SHA-256  path` list
 * (pinned when every file the manifest lists, or the pinned single file, matches). Results of modified sources
 * must be labelled, so this is recorded with every build from it.
 */
function givenSourceProvenance(
  given: string,
  tree: string,
  benchmark: string,
  pinned: PinnedSource | undefined,
  origin: string,
): { source?: SourceProvenance } {
  const label = pinned ? `${benchmark} ${pinned.version}` : undefined;
  if (statSync(given).isFile()) {
    const sha256 = sha256File(given);
    const matches = pinned?.sha256 === sha256;
    return {
      source: {
        sha256,
        checksumOf: "file",
        verified: matches ? "sha256" : "not-pinned",
        ...(matches && label ? { pinned: label } : {}),
        origin,
      },
    };
  }
  const listing = treeListing(tree);
  if (!listing) return {};
  const sums = new Map(listing.map(({ path, sha256 }) => [path, sha256]));
  const listed = Object.entries(pinned?.files ?? {});
  let verified: SourceProvenance["verified"] = "not-pinned";
  if (pinned?.archive === "file" && pinned.sha256 !== undefined && sums.get(pinned.fileName) === pinned.sha256)
    verified = "sha256";
  else if (listed.length > 0 && listed.every(([path, sha256]) => sums.get(path) === sha256)) verified = "files";
  return {
    source: {
      sha256: sha256Hex(listing.map(({ path, sha256 }) => `${sha256}  ${path}\n`).join("")),
      checksumOf: "tree",
      verified,
      ...(verified !== "not-pinned" && label ? { pinned: label } : {}),
      origin,
    },
  };
}

/** Every regular file under `dir` with its SHA-256, sorted by path; undefined past 20,000 files (not a source tree). */
function treeListing(dir: string): { path: string; sha256: string }[] | undefined {
  const files: { path: string; sha256: string }[] = [];
  const walk = (folder: string): boolean => {
    for (const entry of readdirSync(folder).sort()) {
      const path = join(folder, entry);
      const stat = lstatSync(path);
      if (stat.isDirectory()) {
        if (!walk(path)) return false;
      } else if (stat.isFile()) {
        if (files.length >= 20_000) return false;
        files.push({ path: relative(dir, path).split("\\").join("/"), sha256: sha256File(path) });
      }
    }
    return true;
  };
  if (!walk(dir)) return undefined;
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The folder holding the source tree's marker file, at most `depth` levels down, or undefined. */
function findMarker(dir: string, marker: string, depth: number): string | undefined {
  const file = findFileInTree(dir, marker, depth);
  return file === undefined ? undefined : dirname(file);
}

/** Where `--source-mirror` points: a folder, or an HTTP(S) base URL, holding files under their upstream names. */
export type SourceMirror = { kind: "dir"; path: string } | { kind: "url"; base: string };

/**
 * `--source-mirror URL|DIR`, checked before anything is created: `http(s)://…` is a base URL, `file://…` or
 * a path (relative to `cwd`) an existing folder. A URL with credentials is refused: results and logs name the
 * mirror, and a password must not end up there.
 */
export function parseSourceMirror(value: string, cwd: string): SourceMirror {
  const fix =
    "Pass --source-mirror https://host/path/ or a folder holding stream.c, hpl-2.3.tar.gz, coremark-1.01.tar.gz.";
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new BenchError("InvalidArgument", `--source-mirror ${JSON.stringify(value)} is not a URL.`, { fix });
    }
    if (url.protocol === "file:") return parseSourceMirror(fileURLToPath(url), cwd);
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new BenchError("InvalidArgument", `--source-mirror: ${url.protocol} URLs are not supported.`, { fix });
    if (url.username || url.password)
      throw new BenchError("InvalidArgument", "--source-mirror: a URL with credentials is refused.", {
        fix: "Serve the mirror without credentials inside your network, or copy the files into a folder.",
      });
    url.search = "";
    url.hash = "";
    if (!url.pathname.endsWith("/")) url.pathname += "/";
    return { kind: "url", base: url.href };
  }
  const path = resolve(cwd, value);
  if (!existsSync(path) || !statSync(path).isDirectory())
    throw new BenchError("InvalidArgument", `--source-mirror ${value} is not a folder.`, { fix });
  return { kind: "dir", path };
}

/** Bounds of every download (tests shorten them). */
export interface DownloadLimits {
  /** Give up when nothing arrives for this long, connecting included (default 30 s). */
  idleSeconds: number;
  /** Give up when a download takes longer than this in all (default 600 s). */
  totalSeconds: number;
  /** Largest download accepted when the manifest gives no size (default 64 MiB). */
  maxBytes: number;
}

/** Default download bounds. */
export const defaultDownloadLimits: DownloadLimits = { idleSeconds: 30, totalSeconds: 600, maxBytes: 64 * 1024 ** 2 };

/** One place a pinned file may be fetched from. */
interface SourceLocation {
  /** Printed and recorded: a public URL, or `--source-mirror <file name>` (a private mirror is never named). */
  label: string;
  /** Recorded as the source's origin. */
  origin: string;
  /** Where it is. */
  where: { kind: "dir"; path: string } | { kind: "url"; url: string };
}

/** A source that passed its checksums: the tree to build from, and how it was verified. */
export interface VerifiedSource {
  tree: string;
  source: SourceProvenance;
}

/** Hosts (and mirrors) that did not answer during one resolution session, with why: asked only once per run. */
const unreachable = new WeakMap<ResolveOptions, Map<string, string>>();

function locationsOf(pinned: PinnedSource, mirror: SourceMirror | undefined): SourceLocation[] {
  if (!mirror)
    return [pinned.url, ...(pinned.mirrors ?? [])].map((url) => ({
      label: url,
      origin: url,
      where: { kind: "url", url },
    }));
  // Looked up by the upstream file name, and by the URL's last segment when that differs (a GitHub tag archive).
  const names = [...new Set([pinned.fileName, basename(new URL(pinned.url).pathname)])];
  return names.map((name) => ({
    label: `--source-mirror ${name}`,
    origin: "source-mirror",
    where:
      mirror.kind === "dir"
        ? { kind: "dir", path: join(mirror.path, name) }
        : { kind: "url", url: new URL(encodeURIComponent(name), mirror.base).href },
  }));
}

/**
 * The same fetch and verification the runner does for a pinned source (below), for callers that keep the verified
 * result (an image's build step): the tree to build from, how it was verified, the verified download in the cache,
 * and every attempt with its reason. Undefined `source` when no location gave a verified copy.
 */
export async function fetchVerifiedSource(
  definition: Pick<BenchmarkDefinition, "name" | "program">,
  pinned: PinnedSource,
  options: ResolveOptions,
): Promise<{ source?: VerifiedSource & { download: string }; attempts: string[] }> {
  const attempts: string[] = [];
  const { name, program } = definition;
  if (program.kind !== "searched") {
    attempts.push(`${name}: its program is declared, not built from a source`);
    return { attempts };
  }
  const verified = await fetchPinnedSource(name, program, pinned, options, attempts);
  if (!verified) return { attempts };
  const download = join(options.cacheDir, `${name}-${pinned.version}`, pinned.fileName);
  return { source: { ...verified, download }, attempts };
}

/**
 * Fetches a pinned source into the cache and verifies it: the download's SHA-256, or with a list of files (an
 * archive whose bytes are not guaranteed stable), every listed file after extraction — and then only the listed
 * files are built. A cached download is verified again before each use. Each failure is recorded in `attempts`
 * (a mismatch names both sums) and the next location is tried; nothing unverified is ever returned.
 */
async function fetchPinnedSource(
  benchmark: string,
  spec: SearchedProgram,
  pinned: PinnedSource,
  options: ResolveOptions,
  attempts: string[],
): Promise<VerifiedSource | undefined> {
  const label = `manifest ${benchmark} ${pinned.version}`;
  if (pinned.sha256 === undefined && Object.keys(pinned.files).length === 0) {
    attempts.push(`${label}: not pinned (configs/sources.json gives no SHA-256), so it is not downloaded`);
    return undefined;
  }
  const limits = options.downloadLimits ?? defaultDownloadLimits;
  const cacheFolder = join(options.cacheDir, `${benchmark}-${pinned.version}`);
  const cached = join(cacheFolder, pinned.fileName);
  const scratch = join(options.workDir, "sources");
  const accept = (checked: VerifiedFile, origin: string): VerifiedSource | undefined => {
    const tree = findMarker(checked.tree, spec.sourceMarker, 3);
    if (!tree) {
      attempts.push(`${label}: no ${spec.sourceMarker} inside`);
      return undefined;
    }
    return {
      tree,
      source: {
        sha256: checked.sha256,
        checksumOf: "file",
        verified: checked.by,
        pinned: `${benchmark} ${pinned.version}`,
        origin,
      },
    };
  };
  if (existsSync(cached)) {
    const checked = verifyDownload(cached, pinned, scratch, benchmark);
    if (checked.ok) return accept(checked, "cache");
    attempts.push(`${label}: the cached copy no longer verifies (${checked.problem}); fetching it again`);
    rmSync(cached, { force: true });
  }
  mkdirSync(cacheFolder, { recursive: true });
  const down = unreachable.get(options) ?? new Map<string, string>();
  unreachable.set(options, down);
  for (const location of locationsOf(pinned, options.sourceMirror)) {
    const host = location.where.kind === "url" ? new URL(location.where.url).host : undefined;
    const known = host === undefined ? undefined : down.get(host);
    if (known !== undefined) {
      attempts.push(`${label}: ${location.label}: not tried (${known} earlier in this run)`);
      continue;
    }
    const partial = `${cached}.partial-${process.pid}-${randomBytes(4).toString("hex")}`;
    try {
      await fetchTo(location, partial, limits, pinned.bytes);
    } catch (error) {
      rmSync(partial, { force: true });
      const failure = error instanceof FetchFailure ? error : new FetchFailure(String(error), false);
      if (failure.hostDown && host !== undefined) down.set(host, failure.message);
      attempts.push(`${label}: ${location.label}: ${failure.message}`);
      continue;
    }
    const checked = verifyDownload(partial, pinned, scratch, benchmark);
    if (!checked.ok) {
      rmSync(partial, { force: true });
      attempts.push(`${label}: ${location.label}: ${checked.problem}; not used`);
      continue;
    }
    renameSync(partial, cached);
    return accept(checked, location.origin);
  }
  return undefined;
}

/** The outcome of checking a downloaded file against its pin. */
type Verified = VerifiedFile | { ok: false; problem: string };

/** A download that passed its checksums, laid out as a tree. */
interface VerifiedFile {
  ok: true;
  tree: string;
  sha256: string;
  by: "sha256" | "files";
}

/**
 * Checks `file` against `pinned` and lays out the tree to build from under `scratch/<benchmark>` (fresh each
 * time). A mismatch names the expected and the actual SHA-256.
 */
/** Bounds on an archive opened before its contents are verified. */
export const untrustedArchiveLimits = { entries: 10_000, bytes: 256 * 1024 ** 2 };

/**
 * Why an unverified archive must not be extracted, or undefined when it holds only regular files and folders,
 * none with an absolute path or a `..` step, within {@link untrustedArchiveLimits}. Read from `tar -tv` (GNU tar's
 * listing: the type letter first, the size in the third field).
 */
export function unsafeArchive(file: string): string | undefined {
  let listing: string;
  try {
    listing = execFileSync("tar", ["--numeric-owner", "-tvf", file], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 60_000,
      maxBuffer: 16 * 1024 ** 2,
    });
  } catch (error) {
    return `it cannot be listed (${(error as Error).message.split("\n")[0] ?? ""})`;
  }
  const lines = listing.split("\n").filter((line) => line.trim() !== "");
  if (lines.length > untrustedArchiveLimits.entries)
    return `it holds more than ${untrustedArchiveLimits.entries} entries`;
  let bytes = 0;
  for (const line of lines) {
    const type = line[0];
    if (type !== "-" && type !== "d") return `it holds something other than files and folders: ${line.slice(0, 200)}`;
    const fields = line.trim().split(/\s+/);
    bytes += Number(fields[2]) || 0;
    const name = fields.slice(5).join(" ");
    if (name.startsWith("/") || name.split("/").includes("..")) return `it holds a path outside its folder: ${name}`;
  }
  if (bytes > untrustedArchiveLimits.bytes)
    return `it would unpack to ${bytes} bytes, above ${untrustedArchiveLimits.bytes}`;
  return undefined;
}

function verifyDownload(file: string, pinned: PinnedSource, scratch: string, benchmark: string): Verified {
  const actual = sha256File(file);
  const tree = join(scratch, benchmark);
  rmSync(tree, { recursive: true, force: true });
  mkdirSync(tree, { recursive: true });
  const archiveMismatch = `checksum mismatch for ${pinned.fileName}: expected ${pinned.sha256 ?? "(not pinned)"}, got ${actual}`;
  if (pinned.archive === "file") {
    const expected = pinned.sha256 ?? pinned.files[pinned.fileName];
    if (expected !== actual)
      return {
        ok: false,
        problem: `checksum mismatch for ${pinned.fileName}: expected ${expected ?? "?"}, got ${actual}`,
      };
    copyFileSync(file, join(tree, pinned.fileName));
    return { ok: true, tree, sha256: actual, by: "sha256" };
  }
  const listed = Object.entries(pinned.files);
  if (pinned.sha256 !== actual && listed.length === 0) return { ok: false, problem: archiveMismatch };
  const staging = pinned.sha256 === actual ? tree : `${tree}.extracted`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  // An archive that is not the pinned one is untrusted until its files check out: it is opened only when it holds
  // plain files and folders within bounds (no links or devices, no path leaving the folder, no bomb).
  if (pinned.sha256 !== actual) {
    const refused = unsafeArchive(file);
    if (refused) return { ok: false, problem: `${archiveMismatch}, and it is not extracted: ${refused}` };
  }
  try {
    execFileSync(
      "tar",
      ["-xf", file, "-C", staging, ...(pinned.stripComponents ? [`--strip-components=${pinned.stripComponents}`] : [])],
      { stdio: "pipe", timeout: 120_000 },
    );
  } catch (error) {
    const why = (error as Error).message.split("\n")[0] ?? "";
    return {
      ok: false,
      problem: `${pinned.sha256 === actual ? "" : `${archiveMismatch}, and it `}cannot be extracted (${why})`,
    };
  }
  if (pinned.sha256 === actual) return { ok: true, tree, sha256: actual, by: "sha256" };
  // The archive differs from the pinned one: every listed file decides, and only those files are kept.
  const wrong: string[] = [];
  for (const [path, expected] of listed) {
    const extracted = join(staging, path);
    const stat = existsSync(extracted) ? lstatSync(extracted) : undefined;
    if (!stat?.isFile()) wrong.push(`${path} is missing`);
    else {
      const got = sha256File(extracted);
      if (got !== expected) wrong.push(`${path}: expected ${expected}, got ${got}`);
    }
  }
  if (wrong.length > 0) {
    rmSync(staging, { recursive: true, force: true });
    return {
      ok: false,
      problem: `${archiveMismatch}; ${wrong.length} of ${listed.length} listed files differ (first: ${wrong[0] ?? ""})`,
    };
  }
  for (const [path] of listed) {
    mkdirSync(dirname(join(tree, path)), { recursive: true });
    copyFileSync(join(staging, path), join(tree, path));
  }
  rmSync(staging, { recursive: true, force: true });
  return { ok: true, tree, sha256: actual, by: "files" };
}

/** A failed fetch; `hostDown` when the host did not answer at all (it is then not asked again this run). */
class FetchFailure extends Error {
  constructor(
    message: string,
    readonly hostDown: boolean,
  ) {
    super(message);
  }
}

/** Copies or downloads one location to `file`, bounded in time and size. */
async function fetchTo(
  location: SourceLocation,
  file: string,
  limits: DownloadLimits,
  expectedBytes: number | undefined,
): Promise<void> {
  const max = expectedBytes ?? limits.maxBytes;
  const tooLarge = (bytes: number) =>
    new FetchFailure(
      `${bytes} bytes or more, larger than ${expectedBytes === undefined ? `the ${max}-byte limit` : `the pinned ${max} bytes`}`,
      false,
    );
  if (location.where.kind === "dir") {
    const { path } = location.where;
    if (!existsSync(path)) throw new FetchFailure("not in the mirror folder", false);
    const size = statSync(path).size;
    if (size > max) throw tooLarge(size);
    copyFileSync(path, file);
    if (expectedBytes !== undefined && size < expectedBytes)
      throw new FetchFailure(`truncated: ${size} of the pinned ${expectedBytes} bytes`, false);
    return;
  }
  const controller = new AbortController();
  let why = "";
  const stop = (reason: string) => {
    why = reason;
    controller.abort();
  };
  const total = setTimeout(
    () => stop(`no complete download within ${limits.totalSeconds} s`),
    limits.totalSeconds * 1000,
  );
  let idle = setTimeout(() => stop(`no answer within ${limits.idleSeconds} s`), limits.idleSeconds * 1000);
  const progressed = () => {
    clearTimeout(idle);
    idle = setTimeout(() => stop(`nothing received for ${limits.idleSeconds} s`), limits.idleSeconds * 1000);
  };
  let answered = false;
  let received = 0;
  let out: number | undefined;
  try {
    const response = await fetch(location.where.url, { signal: controller.signal, redirect: "follow" });
    answered = true;
    progressed();
    if (!response.ok || !response.body) throw new FetchFailure(`HTTP ${response.status}`, false);
    const declared = Number(response.headers.get("content-length") ?? Number.NaN);
    if (declared > max) throw tooLarge(declared);
    out = openSync(file, "w");
    try {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        received += chunk.length;
        if (received > max) throw tooLarge(received);
        writeSync(out, chunk);
        progressed();
      }
    } catch (error) {
      if (error instanceof FetchFailure || controller.signal.aborted) throw error;
      throw new FetchFailure(
        `truncated: the connection ended after ${received}${Number.isFinite(declared) ? ` of ${declared}` : ""} bytes`,
        false,
      );
    }
    if (Number.isFinite(declared) && received !== declared)
      throw new FetchFailure(`truncated: ${received} of ${declared} bytes`, false);
    if (expectedBytes !== undefined && received < expectedBytes)
      throw new FetchFailure(`truncated: ${received} of the pinned ${expectedBytes} bytes`, false);
  } catch (error) {
    if (controller.signal.aborted) throw new FetchFailure(why, !answered);
    if (error instanceof FetchFailure) throw error;
    // Connection refused, no such host, TLS failure: name the cause's code, not an address.
    const cause = (error as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause;
    const reason = cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (error as Error).message;
    throw new FetchFailure(
      `unreachable (${reason.replace(/\[?[0-9a-f:.]*[:.][0-9a-f:.]+\]?(:\d+)?/gi, "<address>")})`,
      true,
    );
  } finally {
    clearTimeout(total);
    clearTimeout(idle);
    if (out !== undefined) closeSync(out);
  }
}

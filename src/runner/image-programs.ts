/**
 * The programs an image builds ahead of its runs: HPL 2.3 from the image's own verified source
 * (`<image root>/sources/hpl`, placed by `aws-bench sources fetch`), built by the runner's own HPL build
 * (src/benchmarks/hpl/build.ts) for the image's container tag's CPU target instead of the build machine's, and
 * installed as `<image root>/bin/xhpl` with its build record beside it (`xhpl.build.json`). A run takes that
 * program first (program resolution, step 2) and records the build from the record, so an instance spends no
 * minute building HPL. The tag's target is the oldest core the image runs on; HPL's time is in the BLAS, which
 * picks the running CPU's kernels when it loads, so nothing that matters is lost against a per-host build.
 *
 * A Spack image builds HPL with Spack instead; then only the record is written here, for the program in Spack's
 * view, naming the Spack target (Spack's compiler wrapper adds the target's flags without showing them).
 */
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { OwnProgram } from "../benchmarks/definition.js";
import { buildHpl } from "../benchmarks/hpl/build.js";
import { hplBenchmark } from "../benchmarks/hpl/definition.js";
import { compilerVersion } from "../benchmarks/toolchain.js";
import { BenchError } from "../errors.js";
import type { BuildProvenance } from "../schemas/generated/benchmark-result.js";
import type { SourceManifest } from "../schemas/generated/source-manifest.js";
import { probeHost } from "./host-probe.js";
import { ProcessGroupSet } from "./processes.js";
import { findOnPath, resolveProgram } from "./programs.js";
import { LocalRunContext, linkedBlas } from "./run-context.js";

/** A compiler's CPU target flag, as a container tag gives it (`-march=x86-64`, `-mcpu=neoverse-v1`). */
export const targetFlagPattern = /^-m(arch|cpu)=[a-z0-9][a-z0-9._+-]*$/;

/** What {@link buildImagePrograms} needs. */
export interface ImageProgramsOptions {
  /** The image's root: sources are read from `sources/`, programs go to `bin/`. */
  imageRoot: string;
  /** The container tag's CPU target flag (`gccFlags` in configs/container-tags.json). */
  targetFlag: string;
  /** The manifest the image's sources were verified against (their pins are recorded with the build). */
  manifest: SourceManifest;
  /** The environment (PATH for mpicc and mpirun). */
  env: NodeJS.ProcessEnv;
  /** Progress lines. */
  progress: (line: string) => void;
}

/** One program placed in the image. */
export interface ImageProgram {
  /** Benchmark. */
  benchmark: string;
  /** The program. */
  path: string;
  /** Its build record (also written beside it). */
  build: BuildProvenance;
}

/** Builds HPL from the image's verified source for the tag's target; returns what was placed. */
export async function buildImagePrograms(options: ImageProgramsOptions): Promise<ImageProgram[]> {
  if (!targetFlagPattern.test(options.targetFlag))
    throw new BenchError(
      "InvalidArgument",
      `--target-flag ${JSON.stringify(options.targetFlag)} is not a CPU target flag.`,
      {
        fix: "Pass the container tag's gccFlags, e.g. -march=x86-64 or -mcpu=neoverse-n1 (configs/container-tags.json).",
      },
    );
  const source = join(options.imageRoot, "sources", "hpl");
  if (!existsSync(source))
    throw new BenchError("InvalidArgument", `No HPL source in the image: ${source} does not exist.`, {
      fix: "Run `aws-bench sources fetch` into the image's sources/ first.",
    });
  const bin = join(options.imageRoot, "bin");
  const xhpl = join(bin, "xhpl");
  const pathEnv = options.env["PATH"] ?? "";
  const scratch = mkdtempSync(join(tmpdir(), "aws-bench-image-build-"));
  try {
    // Resolved through a view of the image holding only its sources, so a program already in bin/ (which a run
    // would take first) is neither taken nor removed before the new one is built.
    const sourcesOnly = join(scratch, "image");
    mkdirSync(sourcesOnly);
    symlinkSync(join(options.imageRoot, "sources"), join(sourcesOnly, "sources"));
    const resolution = await resolveProgram(hplBenchmark, {
      programs: {},
      sources: {},
      imageRoot: sourcesOnly,
      manifest: options.manifest,
      cacheDir: join(scratch, "cache"),
      workDir: join(scratch, "work"),
      pathEnv,
    });
    const program = resolution.found ? resolution.program : undefined;
    if (program?.kind !== "source" || program.how !== "image-source")
      throw new BenchError(
        "InvalidArgument",
        `${source} is not an HPL source (${resolution.attempts.join("; ") || "another program was found"}).`,
        { fix: "Run `aws-bench sources fetch` into the image's sources/ again." },
      );
    const context = buildContext(scratch, pathEnv, options.progress, (await probeHost({ imds: false })).host);
    const built = await buildHplLogged(context, program, options.targetFlag, scratch, options.progress);
    // Not `cached`: that says a run reused a host's build; this one was made with the image.
    const build: BuildProvenance = { ...built.build, prebuiltInImage: true };
    delete build.cached;
    placeProgram(built.xhpl, xhpl, build);
    options.progress(`hpl: built for ${build.target} into ${xhpl} (${build.blas ?? "BLAS unknown"})`);
    return [{ benchmark: "hpl", path: xhpl, build }];
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Puts a program and its build record in place, each written beside its final name first and then renamed. */
function placeProgram(from: string, to: string, build: BuildProvenance): void {
  mkdirSync(dirname(to), { recursive: true });
  const suffix = `.tmp-${process.pid}`;
  copyFileSync(from, `${to}${suffix}`);
  chmodSync(`${to}${suffix}`, 0o755);
  writeFileSync(`${to}.build.json${suffix}`, `${JSON.stringify(build, null, 2)}\n`);
  renameSync(`${to}${suffix}`, to);
  renameSync(`${to}.build.json${suffix}`, `${to}.build.json`);
}

/** What {@link recordSpackPrograms} needs. */
export interface SpackProgramsOptions {
  /** The image's root: the program is linked into `bin/` with its record. */
  imageRoot: string;
  /** Spack's view of the environment (`<view>/bin/xhpl`). */
  view: string;
  /** The archspec target the environment was concretized for. */
  spackTarget: string;
  /** The manifest whose HPL pin Spack built (Spack checks the same archive's SHA-256 itself). */
  manifest: SourceManifest;
  /** The environment (PATH for gcc). */
  env: NodeJS.ProcessEnv;
  /** Progress lines. */
  progress: (line: string) => void;
}

/** Records the HPL Spack built: copies it into `bin/` with a build record naming the Spack target. */
export function recordSpackPrograms(options: SpackProgramsOptions): ImageProgram[] {
  if (!/^[a-z0-9_]+$/.test(options.spackTarget))
    throw new BenchError(
      "InvalidArgument",
      `--spack-target ${JSON.stringify(options.spackTarget)} is not a target name.`,
      {
        fix: "Pass the container tag's spackTarget, e.g. zen3 or neoverse_v1 (configs/container-tags.json).",
      },
    );
  const built = join(options.view, "bin", "xhpl");
  if (!existsSync(built))
    throw new BenchError("InvalidArgument", `Spack's view ${options.view} holds no bin/xhpl.`, {
      fix: "Install the environment (spack install) and pass its view with --spack-view.",
    });
  const gcc = findOnPath(["gcc"], options.env["PATH"] ?? "");
  const blas = linkedBlas(built);
  // Spack fetched the archive from the image's mirror, filled from the verified download, and checked it again.
  const hpl = options.manifest.sources["hpl"];
  const source: BuildProvenance["source"] = hpl?.sha256
    ? {
        sha256: hpl.sha256,
        checksumOf: "file",
        verified: "sha256",
        pinned: `hpl ${hpl.version}`,
        origin: "source-mirror",
      }
    : undefined;
  const build: BuildProvenance = {
    ...(source ? { source } : {}),
    compiler: `${(gcc && compilerVersion(gcc)) ?? "gcc (version unknown)"} (through Spack's compiler wrapper)`,
    flags: "Spack's hpl recipe; Spack's compiler wrapper adds the target's flags",
    buildCommand: "spack install (spack-configs/<tag>.yaml)",
    ...(blas ? { blas } : {}),
    target: `spack target=${options.spackTarget}`,
    spackTarget: options.spackTarget,
    prebuiltInImage: true,
  };
  const xhpl = join(options.imageRoot, "bin", "xhpl");
  placeProgram(built, xhpl, build);
  options.progress(`hpl: Spack's build for target ${options.spackTarget} recorded at ${xhpl}`);
  return [{ benchmark: "hpl", path: xhpl, build }];
}

function buildContext(
  scratch: string,
  pathEnv: string,
  progress: (line: string) => void,
  host: LocalRunContext["host"],
): LocalRunContext {
  const outDir = join(scratch, "run");
  for (const folder of ["build", "work", "inputs", "raw"]) mkdirSync(join(outDir, folder), { recursive: true });
  return new LocalRunContext({
    host,
    settings: { quick: false },
    tools: {
      mpirun: findOnPath(["mpirun"], pathEnv),
      mpicc: findOnPath(["mpicc"], pathEnv),
      numactl: findOnPath(["numactl"], pathEnv),
      asRoot: typeof process.getuid === "function" && process.getuid() === 0,
    },
    trials: 1,
    outDir,
    cwd: scratch,
    processes: new ProcessGroupSet(),
    progress,
    startedAt: Date.now(),
    buildCacheDir: undefined,
  });
}

/** The HPL build; a failure prints the end of its logs first, since the scratch folder goes with the build. */
async function buildHplLogged(
  context: LocalRunContext,
  program: Extract<OwnProgram, { kind: "source" }>,
  targetFlag: string,
  scratch: string,
  progress: (line: string) => void,
): Promise<Awaited<ReturnType<typeof buildHpl>>> {
  try {
    return await buildHpl(context, program, targetFlag);
  } catch (error) {
    for (const log of ["hpl-configure", "hpl-make"].flatMap((name) => [`${name}.log`, `${name}.stderr.log`])) {
      const path = join(scratch, "run", "build", log);
      if (!existsSync(path)) continue;
      const tail = readFileSync(path, "utf8").split("\n").slice(-30).join("\n");
      progress(`--- ${log} (last lines) ---\n${tail}`);
    }
    throw error;
  }
}

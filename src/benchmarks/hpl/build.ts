/**
 * HPL 2.3 built from its verified source as an expert builds it: `./configure CC=mpicc LIBS=<best BLAS>` with
 * `-O3` and the host's native flag, then `make`, against Open MPI and the best BLAS that links (OpenBLAS before
 * BLIS before the reference BLAS). The build takes about a minute, so it is done once per host and kept in the
 * build cache under a key of everything that decides the binary: the source's checksum, the compiler's version,
 * the BLAS (as linked and as loaded), the CPU target and the flags. A cached build is used only when its record
 * says it was built from exactly those.
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { sha256Hex } from "../../checksums.js";
import { findFileInTree } from "../../input-files.js";
import { BenchError } from "../../errors.js";
import type { BuildProvenance } from "../../schemas/generated/benchmark-result.js";
import type { BenchmarkContext, OwnProgram } from "../definition.js";
import { nativeFlag } from "../launch.js";
import { bestLinkableBlas, compilerTarget, compilerVersion } from "../toolchain.js";

/** What decides an HPL binary: the cache key is the SHA-256 of these. */
export interface HplBuildInputs {
  /** SHA-256 of the source (archive or tree). */
  sourceSha256: string;
  /** `mpicc --version`'s first line. */
  compiler: string;
  /** The link flags of the BLAS (`-lopenblas`). */
  blasLibs: string;
  /** The BLAS a program linked with them loads (ldd), when known. */
  blasLoaded: string;
  /** The CPU target of the native flag. */
  target: string;
  /** CFLAGS. */
  flags: string;
}

/** The cache folder name of an HPL build: `hpl-<first 16 hex of the key>`. */
export function hplBuildKey(inputs: HplBuildInputs): string {
  const ordered = Object.fromEntries(Object.entries(inputs).sort(([a], [b]) => (a < b ? -1 : 1)));
  return `hpl-${sha256Hex(JSON.stringify(ordered)).slice(0, 16)}`;
}

/** HPL's configure arguments: the MPI compiler wrapper, the BLAS, and the flags. */
export function hplConfigureArgs(mpicc: string, blasLibs: string, flags: string): string[] {
  return [`CC=${mpicc}`, `LIBS=${blasLibs}`, `CFLAGS=${flags}`];
}

/**
 * CFLAGS for HPL: `-O3` and the CPU target, by default this host's native flag. HPL's time is in the BLAS, which
 * picks this CPU's kernels when it loads, so an image's build for its container tag's target (`targetFlag`, e.g.
 * `-march=x86-64`) gives up nothing that matters; its own code still gets the best target it may assume.
 */
export function hplCompilerFlags(host: Parameters<typeof nativeFlag>[0], targetFlag = nativeFlag(host)): string {
  return `-O3 ${targetFlag}`;
}

/** A built xhpl and how it was built. */
export interface BuiltHpl {
  /** The executable. */
  xhpl: string;
  /** Recorded with the result. */
  build: BuildProvenance;
}

/**
 * Builds HPL from `program` (a verified or given source tree), or reuses the cached build of the same inputs.
 * Configure and make run as bounded, interruptible commands, logged under `build/`. `targetFlag` replaces the
 * host's native flag (an image's build for its container tag).
 */
export async function buildHpl(
  context: BenchmarkContext,
  program: Extract<OwnProgram, { kind: "source" }>,
  targetFlag?: string,
): Promise<BuiltHpl> {
  const mpicc = context.tools.mpicc;
  if (!mpicc)
    throw new BenchError("BuildFailed", "building HPL needs mpicc, which is not on PATH", {
      fix: "apt-get install libopenmpi-dev (Open MPI's compiler wrapper), or pass a built xhpl with --program hpl=PATH.",
    });
  const compiler = compilerVersion(mpicc);
  if (!compiler)
    throw new BenchError("BuildFailed", `${mpicc} --version failed: no working compiler behind mpicc`, {
      fix: "apt-get install gcc libopenmpi-dev",
    });
  const scratch = join(context.outDir, "work", "hpl-toolchain");
  const blas = bestLinkableBlas(mpicc, scratch);
  if (!blas)
    throw new BenchError("BuildFailed", "no BLAS links with mpicc (tried -lopenblas, -lblis, -lblas)", {
      fix: "apt-get install libopenblas-dev",
    });
  const blasLoaded = context.noteBlas(blas.testProgram) ?? blas.name;
  const flags = hplCompilerFlags(context.host, targetFlag);
  const target = compilerTarget(mpicc, context.host, targetFlag);
  const source = program.source;
  const inputs: HplBuildInputs = {
    sourceSha256: source?.sha256 ?? "unknown",
    compiler,
    blasLibs: blas.libs,
    blasLoaded,
    target,
    flags,
  };
  const configureArgs = hplConfigureArgs("mpicc", blas.libs, flags);
  const jobs = Math.max(1, context.host.logicalCpus);
  const buildCommand = `./configure ${configureArgs.map((arg) => (arg.includes(" ") ? arg.replace("=", '="') + '"' : arg)).join(" ")} && make -j${jobs}`;
  const provenance = (cached: boolean): BuildProvenance => ({
    ...(source ? { source } : {}),
    compiler: `${compiler} (through mpicc)`,
    flags,
    buildCommand,
    blas: blasLoaded,
    target,
    cached,
  });
  // Without a cache (or with a source of unknown checksum) the build goes into the run and is not kept.
  const cacheable = context.buildCacheDir !== undefined && source !== undefined;
  const home = cacheable ? join(context.buildCacheDir, hplBuildKey(inputs)) : join(context.outDir, "work", "hpl-build");
  const xhpl = join(home, "bin", "xhpl");
  if (cacheable && existsSync(xhpl) && cachedInputsMatch(join(home, "build.json"), inputs)) {
    context.progress(`hpl: reusing the HPL build in ${home} (same source, compiler, BLAS and target)`);
    return { xhpl, build: provenance(true) };
  }

  const staging = `${home}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  const tree = join(staging, "src");
  mkdirSync(staging, { recursive: true });
  cpSync(program.path, tree, { recursive: true });
  context.progress(`hpl: building HPL from ${source?.pinned ?? program.how} with ${blas.name} (${buildCommand})`);
  try {
    await step(
      context,
      "hpl-configure",
      "sh",
      ["./configure", ...hplConfigureArgs(mpicc, blas.libs, flags)],
      tree,
      600,
    );
    await step(context, "hpl-make", "make", [`-j${jobs}`], tree, 1800);
    const built = findFileInTree(tree, "xhpl", 3);
    if (!built)
      throw new BenchError("BuildFailed", "HPL's make finished without an xhpl (log: build/hpl-make.log)", {
        fix: "Read build/hpl-make.log; pass a built xhpl with --program hpl=PATH meanwhile.",
      });
    mkdirSync(join(staging, "bin"), { recursive: true });
    copyFileSync(built, join(staging, "bin", "xhpl"));
    writeFileSync(join(staging, "build.json"), `${JSON.stringify({ inputs, build: provenance(false) }, null, 2)}\n`);
    rmSync(tree, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
    mkdirSync(join(home, ".."), { recursive: true });
    renameSync(staging, home);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return { xhpl, build: provenance(false) };
}

/** Runs one build step in its own process group, bounded; a failure names its log. */
async function step(
  context: BenchmarkContext,
  name: string,
  command: string,
  args: readonly string[],
  cwd: string,
  timeoutSeconds: number,
): Promise<void> {
  const log = join(context.outDir, "build", `${name}.log`);
  const outcome = await context.run({
    command,
    args,
    cwd,
    stdoutFile: log,
    stderrFile: join(context.outDir, "build", `${name}.stderr.log`),
    timeoutSeconds,
  });
  if (outcome.interrupted)
    throw new BenchError("BuildFailed", `building HPL was interrupted (${name})`, { fix: "Run again." });
  if (outcome.timedOut || outcome.exitCode !== 0)
    throw new BenchError(
      "BuildFailed",
      `HPL's ${name.replace("hpl-", "")} ${outcome.timedOut ? `ran over ${timeoutSeconds} s` : `exited with ${outcome.exitCode ?? outcome.signal ?? "?"}`} (log: build/${name}.log, build/${name}.stderr.log)`,
      { fix: "apt-get install libopenmpi-dev libopenblas-dev make, or pass a built xhpl with --program hpl=PATH." },
    );
}

function cachedInputsMatch(record: string, inputs: HplBuildInputs): boolean {
  try {
    const stored = (JSON.parse(readFileSync(record, "utf8")) as { inputs?: unknown }).inputs;
    return JSON.stringify(stored) === JSON.stringify(inputs);
  } catch {
    return false;
  }
}

/**
 * `aws-bench run --target local`: probe the host, find each benchmark's program, size it, run every
 * configuration's trials, parse and validate each output, and write the result document with every raw output,
 * generated input and checksum under one run directory. What each benchmark is — its program, sizing, builds,
 * configurations, parser, validity and headline — comes from its definition in the registry (built-in by
 * default); this module only sequences them. A benchmark with no program is skipped with the reason and the
 * command that fixes it; the others still run. Interrupting stops the running process group and keeps what
 * finished.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { LoadedCustomBenchmark } from "../benchmarks/custom/definition.js";
import { customBenchmark } from "../benchmarks/custom/definition.js";
import type { BenchmarkDefinition, ProgramChoice, ProgramSuite, RunSettings } from "../benchmarks/definition.js";
import { defaultTrials, estimateRunSeconds } from "../benchmarks/estimate.js";
import type { BenchmarkName, BenchmarkRegistry } from "../benchmarks/registry.js";
import { builtinBenchmarks } from "../benchmarks/registry.js";
import { BenchError, isBenchError } from "../errors.js";
import { packageRoot } from "../package-files.js";
import { readDocument } from "../schemas/documents.js";
import type { BenchmarkResult, BenchmarkRun } from "../schemas/generated/benchmark-result.js";
import { summarizeBenchmark } from "./benchmark-summary.js";
import { probeHost } from "./host-probe.js";
import type { ProcessGroupSet } from "./processes.js";
import type { DownloadLimits, SourceMirror } from "./programs.js";
import { defaultBuildCacheDir, defaultCacheDir, findOnPath, parseSourceMirror, resolveProgram } from "./programs.js";
import type { SourceManifest } from "../schemas/generated/source-manifest.js";
import type { SkippedBenchmark } from "./result-document.js";
import { containerProvenance, writeResult } from "./result-document.js";
import { duration, LocalRunContext } from "./run-context.js";
import { runBenchmark } from "./trials.js";

/** What a local run was asked to do. */
export interface LocalRunOptions extends RunSettings {
  /** Benchmarks, in order: names in `registry`. */
  benchmarks: BenchmarkName[];
  /** Where benchmark names are looked up (default: the built-in benchmarks). */
  registry?: BenchmarkRegistry | undefined;
  /** Trials per configuration (default 5, quick 2). */
  trials?: number | undefined;
  /** Output directory (default ./aws-bench-results/<run-id>). */
  outDir?: string | undefined;
  /** Working directory. */
  cwd: string;
  /** Environment (PATH, cache and image locations). */
  env: NodeJS.ProcessEnv;
  /** `--program NAME=PATH`. */
  programs: Partial<Record<BenchmarkName, string>>;
  /** `--source NAME=DIR_OR_ARCHIVE`. */
  sources: Partial<Record<BenchmarkName, string>>;
  /** Ask EC2's metadata service (default true). */
  imds?: boolean;
  /** The metadata service's base URL (default EC2's 169.254.169.254; tests point it at a local fake). */
  imdsEndpoint?: string | undefined;
  /** Where /proc and /sys are read from (default /; tests give a recorded host's files, e.g. an EC2 CPU model). */
  hostRoot?: string | undefined;
  /** Custom benchmarks to run after the registered ones (already loaded and checked). */
  customs?: LoadedCustomBenchmark[] | undefined;
  /** Root of the benchmark image's programs (`bin/`) and sources (`sources/`); default /opt/aws-bench. */
  imageRoot?: string | undefined;
  /** `--source-mirror URL|DIR`: pinned sources are looked up there by their upstream file names. */
  sourceMirror?: string | undefined;
  /** The source manifest (default: the package's configs/sources.json). */
  manifest?: SourceManifest | undefined;
  /** Where programs built from verified sources are kept (default: the user's cache, aws-bench/builds). */
  buildCacheDir?: string | undefined;
  /** Bounds of each source download (default: programs.ts's). */
  downloadLimits?: DownloadLimits | undefined;
  /** Progress lines (stderr in the CLI). */
  progress: (line: string) => void;
}

/** What a local run produced. */
export interface LocalRunOutcome {
  /** Run id. */
  runId: string;
  /** Directory holding everything. */
  outDir: string;
  /** The result document's path. */
  resultPath: string;
  /** The result document. */
  result: BenchmarkResult;
  /** Benchmarks that did not run. */
  skipped: SkippedBenchmark[];
  /** True when the run was interrupted. */
  interrupted: boolean;
}

/** A benchmark whose program was found, with why earlier program sources were passed over. */
interface Chosen {
  definition: BenchmarkDefinition;
  program: ProgramChoice;
  passedOver?: string | undefined;
}

/** Runs the benchmarks on this host. */
export async function runLocal(options: LocalRunOptions, processes: ProcessGroupSet): Promise<LocalRunOutcome> {
  const registry = options.registry ?? builtinBenchmarks;
  // Unknown names fail here, before anything is created.
  const definitions = [
    ...options.benchmarks.map((name) => registry.require(name)),
    ...(options.customs ?? []).map(customBenchmark),
  ];
  // Inside a benchmark image: the image's digest, checked before anything is written; the mirror likewise.
  const container = containerProvenance(options.env);
  const sourceMirror =
    options.sourceMirror === undefined ? undefined : parseSourceMirror(options.sourceMirror, options.cwd);
  const startedAt = new Date();
  const runId = `local-${startedAt
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")}-${randomBytes(3).toString("hex")}`;
  const outDir = options.outDir ?? join(options.cwd, "aws-bench-results", runId);
  if (existsSync(outDir) && readdirSync(outDir).length > 0) {
    throw new BenchError("InvalidArgument", `--out ${outDir} already holds files; a run never overwrites results.`, {
      fix: "Name a new or empty directory.",
    });
  }
  for (const sub of ["raw", "inputs", "build", "work"]) mkdirSync(join(outDir, sub), { recursive: true });

  const { host, identity } = await probeHost({
    imds: options.imds ?? true,
    ...(options.imdsEndpoint ? { imdsEndpoint: options.imdsEndpoint } : {}),
    ...(options.hostRoot ? { root: options.hostRoot } : {}),
  });
  if (identity) {
    // Holds the account and instance ids: kept apart, for a signed contribution, never inside the result.
    mkdirSync(join(outDir, "private"), { recursive: true, mode: 0o700 });
    // The document's exact bytes (what AWS signed), its rsa2048 CMS, and the RSA signature as a weak fallback.
    writeFileSync(join(outDir, "private", "instance-identity.json"), identity.document, { mode: 0o600 });
    if (identity.rsa2048)
      writeFileSync(join(outDir, "private", "instance-identity.rsa2048"), identity.rsa2048, { mode: 0o600 });
    if (identity.signature)
      writeFileSync(join(outDir, "private", "instance-identity.signature"), identity.signature, { mode: 0o600 });
  }
  const pathEnv = options.env["PATH"] ?? "";
  const settings: RunSettings = {
    quick: options.quick,
    hplMinutes: options.hplMinutes,
    hplSizing: options.hplSizing,
    overrides: options.overrides,
    flopsPerCycle: options.flopsPerCycle,
  };
  const context = new LocalRunContext({
    host,
    settings,
    tools: {
      mpirun: findOnPath(["mpirun"], pathEnv),
      mpicc: findOnPath(["mpicc"], pathEnv),
      numactl: findOnPath(["numactl"], pathEnv),
      asRoot: typeof process.getuid === "function" && process.getuid() === 0,
    },
    trials: options.trials ?? defaultTrials(options.quick),
    outDir,
    cwd: options.cwd,
    processes,
    progress: options.progress,
    startedAt: startedAt.getTime(),
    buildCacheDir: options.buildCacheDir ?? defaultBuildCacheDir(options.env),
  });
  options.progress(
    `run ${runId}: ${host.cpuModel}, ${host.sockets} socket(s), ${host.cores} cores, ${host.logicalCpus} vCPUs, ${host.numaNodes.length} NUMA node(s), ${Math.round(host.availableMemoryMiB / 1024)} GiB available`,
  );

  const skipped: SkippedBenchmark[] = [];
  if (sourceMirror)
    options.progress(
      `sources: pinned sources are looked up in ${sourceMirror.kind === "dir" ? sourceMirror.path : sourceMirror.base} (--source-mirror), each verified by its SHA-256`,
    );
  const chosen = await choosePrograms(definitions, { ...options, sourceMirror }, outDir, pathEnv, skipped);
  context.estimatedSeconds = estimateRunSeconds(
    host,
    chosen.map(({ definition, program }) => ({
      definition,
      suite: program.kind === "suite" ? program.suite : undefined,
    })),
    context.trials,
    settings,
    context.tools,
  );
  if (chosen.length > 0)
    options.progress(
      `run: ${context.trials} trial(s) per configuration; estimated ${duration(context.estimatedSeconds)} of benchmarks`,
    );

  const sections: BenchmarkRun[] = [];
  const skip = (definition: BenchmarkDefinition, error: unknown) => {
    if (!isBenchError(error)) throw error;
    skipped.push({
      benchmark: definition.name,
      reason: error.message,
      fix: error.fix ?? "see the build log under build/",
    });
    options.progress(`${definition.name}: skipped: ${error.message}`);
  };
  // A suite runs first, once for all the benchmarks it measures.
  for (const [suite, { path, members }] of suitesOf(chosen)) {
    if (processes.interrupted) break;
    try {
      sections.push(...(await runSuite(context, suite, path, members)));
    } catch (error) {
      for (const member of members) skip(member.definition, error);
    }
  }
  for (const member of chosen) {
    if (member.program.kind === "suite" || processes.interrupted) continue;
    try {
      sections.push(withFallbacks(await runBenchmark(context, member.definition, member.program), member));
    } catch (error) {
      skip(member.definition, error);
    }
  }

  const result = await writeResult({
    runId,
    outDir,
    startedAt,
    host,
    sections,
    skipped,
    interrupted: processes.interrupted,
    container,
    mpirun: context.tools.mpirun,
    blas: context.blas,
  });
  return {
    runId,
    outDir,
    resultPath: join(outDir, "result.json"),
    result,
    skipped,
    interrupted: processes.interrupted,
  };
}

/** Finds each benchmark's program in the fixed order; a benchmark without one is skipped with its fix. */
async function choosePrograms(
  definitions: readonly BenchmarkDefinition[],
  options: Omit<LocalRunOptions, "sourceMirror"> & { sourceMirror: SourceMirror | undefined },
  outDir: string,
  pathEnv: string,
  skipped: SkippedBenchmark[],
): Promise<Chosen[]> {
  const resolveOptions = {
    programs: options.programs,
    sources: options.sources,
    imageRoot: options.imageRoot ?? "/opt/aws-bench",
    manifest:
      options.manifest ?? (await readDocument("source-manifest", join(packageRoot(), "configs", "sources.json"))),
    cacheDir: defaultCacheDir(options.env),
    workDir: join(outDir, "work"),
    pathEnv,
    sourceMirror: options.sourceMirror,
    downloadLimits: options.downloadLimits,
  };
  const chosen: Chosen[] = [];
  for (const definition of definitions) {
    const { name } = definition;
    const resolution = await resolveProgram(definition, resolveOptions);
    for (const attempt of resolution.attempts) options.progress(`  ${name}: ${attempt}`);
    if (!resolution.found) {
      skipped.push({ benchmark: name, reason: `no program: ${resolution.attempts.join("; ")}`, fix: resolution.fix });
      options.progress(`${name}: skipped (fix: ${resolution.fix})`);
      continue;
    }
    // A declared command is announced by its benchmark when it starts.
    if (resolution.program.kind !== "declared")
      options.progress(`${name}: ${resolution.program.how} ${resolution.program.path}`);
    chosen.push({
      definition,
      program: resolution.program,
      passedOver: resolution.attempts.length > 0 ? resolution.attempts.join("; ") : undefined,
    });
  }
  return chosen;
}

/** The suites among the chosen programs, in order of first use, with the benchmarks each measures. */
function suitesOf(chosen: readonly Chosen[]): Map<ProgramSuite, { path: string; members: Chosen[] }> {
  const suites = new Map<ProgramSuite, { path: string; members: Chosen[] }>();
  for (const member of chosen) {
    if (member.program.kind !== "suite") continue;
    const entry = suites.get(member.program.suite) ?? { path: member.program.path, members: [] };
    entry.members.push(member);
    suites.set(member.program.suite, entry);
  }
  return suites;
}

/** Runs a suite for `members` and summarizes each section it measured with its benchmark's headline. */
async function runSuite(
  context: LocalRunContext,
  suite: ProgramSuite,
  path: string,
  members: readonly Chosen[],
): Promise<BenchmarkRun[]> {
  const measured = await suite.run(
    context,
    path,
    members.map((member) => member.definition.name),
  );
  return measured.map((section) => {
    const member = members.find((candidate) => candidate.definition.name === section.benchmark);
    if (!member) throw new Error(`${suite.name} measured ${section.benchmark}, which it was not asked for`);
    const summary = summarizeBenchmark(section.benchmark, section.parameters, section.configurations, {
      headline: member.definition.headline,
      ...(section.supplementaryHeadline ? { supplementaryHeadline: section.supplementaryHeadline } : {}),
      ...(section.conformance ? { conformance: section.conformance } : {}),
    });
    return withFallbacks(summary, member);
  });
}

/** Records with a section why earlier program sources were passed over for its benchmark. */
function withFallbacks(section: BenchmarkRun, member: Chosen): BenchmarkRun {
  if (member.passedOver) section.parameters["programFallbacks"] = member.passedOver;
  return section;
}

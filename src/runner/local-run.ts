/**
 * `aws-bench run --target local`: probe the host, find each benchmark's program, size it, run every
 * configuration's trials, parse and validate each output, and write the result document with every raw output,
 * generated input and checksum under one run directory. A benchmark with no program is skipped with the reason
 * and the command that fixes it; the others still run. Interrupting stops the running process group and keeps
 * what finished.
 */
import { randomBytes } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  realpathSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { execFileSync } from "node:child_process";
import { BenchError } from "../errors.js";
import { packagePath, packageRoot, packageVersion } from "../package-files.js";
import type { BenchmarkName, ParsedRun } from "../benchmarks/parsed-output.js";
import {
  coremarkCompileArgs,
  coremarkPerformanceArgs,
  hpccInput,
  hplDat,
  mpirunArgs,
  streamCompileArgs,
  streamConfigurations,
} from "../benchmarks/launch.js";
import type { LaunchConfiguration } from "../benchmarks/launch.js";
import { parseCoremarkOutput } from "../benchmarks/coremark/parse.js";
import type { LoadedCustomBenchmark } from "../benchmarks/custom/definition.js";
import { parseCustomOutput, substitute } from "../benchmarks/custom/definition.js";
import { parseHpccOutput } from "../benchmarks/hpcc/parse.js";
import { parseHplOutput } from "../benchmarks/hpl/parse.js";
import { estimateStreamSeconds, sizeStream } from "../benchmarks/stream/sizing.js";
import type { StreamSizing } from "../benchmarks/stream/sizing.js";
import { sizeHpl } from "../benchmarks/hpl/sizing.js";
import type { HplSizing } from "../benchmarks/hpl/sizing.js";
import { parseStreamOutput } from "../benchmarks/stream/parse.js";
import { readDocument, writeDocuments } from "../schemas/documents.js";
import { redactRawOutput } from "../schemas/private-details.js";
import type { BenchmarkResult, BenchmarkRun } from "../schemas/generated/benchmark-result.js";
import type { ConfigurationTrials } from "./benchmark-summary.js";
import { summarizeBenchmark } from "./benchmark-summary.js";
import type { HostProbe } from "./host-probe.js";
import { probeHost } from "./host-probe.js";
import type { ProcessGroupSet } from "./processes.js";
import type { ProgramChoice } from "./programs.js";
import { defaultCacheDir, findOnPath, resolveProgram } from "./programs.js";
import { sha256File } from "../checksums.js";

/** What a local run was asked to do. */
export interface LocalRunOptions {
  /** Benchmarks, in order. */
  benchmarks: BenchmarkName[];
  /** Shorter run: 2 trials, HPL within 1 minute. */
  quick: boolean;
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
  /** HPL time budget in minutes (default 5, quick 1). */
  hplMinutes?: number | undefined;
  /** HPL sizing rule. */
  hplSizing?: "time" | "top500" | undefined;
  /** Sizes given by the user instead of the computed ones (recorded as `override`). */
  overrides?: SizingOverrides | undefined;
  /** Ask EC2's metadata service (default true). */
  imds?: boolean;
  /** Custom benchmarks to run after the built-in ones (already loaded and checked). */
  customs?: LoadedCustomBenchmark[] | undefined;
  /** Root of the benchmark image's programs (`bin/`) and sources (`sources/`); default /opt/aws-bench. */
  imageRoot?: string | undefined;
  /** Progress lines (stderr in the CLI). */
  progress: (line: string) => void;
}

/** Sizes the user fixed by hand. */
export interface SizingOverrides {
  /** STREAM elements per array. */
  streamArraySize?: number | undefined;
  /** STREAM repetitions. */
  streamNtimes?: number | undefined;
  /** HPL matrix order. */
  hplN?: number | undefined;
  /** HPL block size. */
  hplNb?: number | undefined;
  /** CoreMark contexts (default: one per vCPU). */
  coremarkThreads?: number | undefined;
}

type SizingInputs = Pick<LocalRunOptions, "quick" | "hplMinutes" | "hplSizing" | "overrides"> & {
  /** FP64 FLOPs per cycle per core when known better than the CPU flags tell (the planner's family facts). */
  flopsPerCycle?: number | undefined;
};

/** STREAM's sizing for this run (computed, or the user's override). */
function streamSizingFor(host: HostProbe, options: SizingInputs): StreamSizing {
  return sizeStream(host, { arraySize: options.overrides?.streamArraySize, ntimes: options.overrides?.streamNtimes });
}

/**
 * HPL's sizing for this run: `budgetShare` of the time budget (HPCC's HPL gets a share), or the user's N and NB.
 * With the reference BLAS HPL reaches a few percent of peak, so N is sized for that instead of the usual half.
 */
function hplSizingFor(host: HostProbe, options: SizingInputs, budgetShare = 1, blas?: string): HplSizing {
  const minutes = (options.hplMinutes ?? (options.quick ? 1 : 5)) * budgetShare;
  const efficiency = blas && /reference/.test(blas) ? 0.03 : undefined;
  return sizeHpl(host, {
    minutes,
    sizing: options.hplSizing,
    n: options.overrides?.hplN,
    nb: options.overrides?.hplNb,
    efficiency,
    flopsPerCycle: options.flopsPerCycle,
  });
}

/** Trials per configuration unless `--trials` says otherwise: 5, or 2 with `--quick`. */
export function defaultTrials(quick: boolean | undefined): number {
  return quick ? 2 : 5;
}

/** A benchmark that did not run. */
export interface SkippedBenchmark {
  /** Which (a built-in name, or a custom benchmark's name). */
  benchmark: string;
  /** Why. */
  reason: string;
  /** The command that fixes it. */
  fix: string;
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

interface RunContext {
  options: LocalRunOptions;
  host: HostProbe;
  outDir: string;
  trials: number;
  processes: ProcessGroupSet;
  asRoot: boolean;
  mpirun?: string | undefined;
  numactl?: string | undefined;
  /** When the run started (ms since epoch). */
  startedAt: number;
  /** Predicted seconds of the whole run. */
  estimatedSeconds: number;
  /** The BLAS the MPI programs load, when known. */
  blas?: string | undefined;
}

/** Runs the benchmarks on this host. */
export async function runLocal(options: LocalRunOptions, processes: ProcessGroupSet): Promise<LocalRunOutcome> {
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

  const { host, identity } = await probeHost({ imds: options.imds ?? true });
  if (identity) {
    // Holds the account and instance ids: kept apart, for a signed contribution, never inside the result.
    mkdirSync(join(outDir, "private"), { recursive: true, mode: 0o700 });
    writeFileSync(join(outDir, "private", "instance-identity.json"), identity.document, { mode: 0o600 });
    if (identity.pkcs7)
      writeFileSync(join(outDir, "private", "instance-identity.pkcs7"), identity.pkcs7, { mode: 0o600 });
  }
  const pathEnv = options.env["PATH"] ?? "";
  const context: RunContext = {
    options,
    host,
    outDir,
    trials: options.trials ?? defaultTrials(options.quick),
    processes,
    asRoot: typeof process.getuid === "function" && process.getuid() === 0,
    mpirun: findOnPath(["mpirun"], pathEnv),
    numactl: findOnPath(["numactl"], pathEnv),
    startedAt: startedAt.getTime(),
    estimatedSeconds: 0,
  };
  options.progress(
    `run ${runId}: ${host.cpuModel}, ${host.sockets} socket(s), ${host.cores} cores, ${host.logicalCpus} vCPUs, ${host.numaNodes.length} NUMA node(s), ${Math.round(host.availableMemoryMiB / 1024)} GiB available`,
  );

  const manifest = await readDocument("source-manifest", join(packageRoot(), "configs", "sources.json"));
  const resolveOptions = {
    programs: options.programs,
    sources: options.sources,
    imageRoot: options.imageRoot ?? "/opt/aws-bench",
    manifest,
    cacheDir: defaultCacheDir(options.env),
    workDir: join(outDir, "work"),
    pathEnv,
  };
  const skipped: SkippedBenchmark[] = [];
  const chosen = new Map<BenchmarkName, ProgramChoice>();
  // Why earlier program sources were passed over, recorded with the benchmark that ran.
  const fallbacks = new Map<BenchmarkName, string>();
  for (const benchmark of options.benchmarks) {
    const resolution = await resolveProgram(benchmark, resolveOptions);
    for (const attempt of resolution.attempts) options.progress(`  ${benchmark}: ${attempt}`);
    if (!resolution.found) {
      skipped.push({ benchmark, reason: `no program: ${resolution.attempts.join("; ")}`, fix: resolution.fix });
      options.progress(`${benchmark}: skipped (fix: ${resolution.fix})`);
      continue;
    }
    chosen.set(benchmark, resolution.program);
    if (resolution.attempts.length > 0) fallbacks.set(benchmark, resolution.attempts.join("; "));
    options.progress(`${benchmark}: ${resolution.program.how} ${resolution.program.path}`);
  }

  context.estimatedSeconds =
    estimateRunSeconds(host, chosen, context.trials, options, context.numactl) +
    context.trials * (options.customs ?? []).reduce((sum, custom) => sum + custom.definition.timeoutSeconds, 0);
  if (chosen.size > 0 || options.customs?.length)
    options.progress(
      `run: ${context.trials} trial(s) per configuration; estimated ${duration(context.estimatedSeconds)} of benchmarks`,
    );
  const sections: BenchmarkRun[] = [];
  const hpccFor = [...chosen].filter(([, program]) => program.kind === "hpcc").map(([benchmark]) => benchmark);
  if (hpccFor.length > 0)
    sections.push(...(await runHpcc(context, chosen.get(hpccFor[0] as BenchmarkName)?.path as string, hpccFor)));
  for (const [benchmark, program] of chosen) {
    if (program.kind === "hpcc" || processes.interrupted) continue;
    try {
      if (benchmark === "stream") sections.push(await runStream(context, program));
      else if (benchmark === "coremark") sections.push(await runCoremark(context, program));
      else sections.push(await runHpl(context, program));
    } catch (error) {
      if (!(error instanceof BenchError)) throw error;
      skipped.push({ benchmark, reason: error.message, fix: error.fix ?? "see the build log under build/" });
      options.progress(`${benchmark}: skipped: ${error.message}`);
    }
  }

  for (const section of sections) {
    const passedOver = section.benchmark === "custom" ? undefined : fallbacks.get(section.benchmark);
    if (passedOver) section.parameters["programFallbacks"] = passedOver;
  }
  for (const custom of options.customs ?? []) {
    if (processes.interrupted) break;
    try {
      sections.push(await runCustom(context, custom));
    } catch (error) {
      skipped.push({
        benchmark: custom.definition.name,
        reason: (error as Error).message,
        fix: "Check the custom benchmark file and its command.",
      });
      options.progress(`${custom.definition.name}: skipped: ${(error as Error).message}`);
    }
  }
  const result = await writeResult(context, runId, startedAt, sections, skipped);
  return {
    runId,
    outDir,
    resultPath: join(outDir, "result.json"),
    result,
    skipped,
    interrupted: processes.interrupted,
  };
}

function progressLine(
  context: RunContext,
  benchmark: string,
  configuration: string,
  trial: number,
  seconds: number,
): void {
  const elapsed = (Date.now() - context.startedAt) / 1000;
  const left = Math.max(0, context.estimatedSeconds - elapsed);
  context.options.progress(
    `[${benchmark}] ${configuration} trial ${trial}/${context.trials}: ${seconds.toFixed(1)} s (elapsed ${duration(elapsed)}, about ${duration(left)} left)`,
  );
}

/** `1m05s`, `42s`. */
export function duration(seconds: number): string {
  const whole = Math.round(seconds);
  return whole >= 60 ? `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, "0")}s` : `${whole}s`;
}

/** Predicted seconds of the whole run, from each benchmark's own estimate (what the batch planner uses too). */
export function estimateRunSeconds(
  host: HostProbe,
  chosen: ReadonlyMap<BenchmarkName, ProgramChoice>,
  trials: number,
  options: SizingInputs,
  numactl?: string,
): number {
  let seconds = 0;
  if ([...chosen.values()].some((program) => program.kind === "hpcc")) {
    seconds += (trials * hplSizingFor(host, options, hpccHplShare).predictedSeconds) / hpccHplShare;
  }
  for (const [benchmark, program] of chosen) {
    if (program.kind === "hpcc") continue;
    if (benchmark === "stream") {
      const sizing = streamSizingFor(host, options);
      seconds +=
        trials *
        streamConfigurations(host, numactl).reduce(
          (sum, configuration) => sum + estimateStreamSeconds(sizing, host, configuration.threads),
          0,
        );
    } else if (benchmark === "hpl") seconds += trials * hplSizingFor(host, options).predictedSeconds;
    else seconds += trials * coremarkSecondsPerRun;
  }
  return seconds;
}

/** A CoreMark run: its own calibration, then at least 10 s of timed iterations. */
const coremarkSecondsPerRun = 15;

/** Compiles with `cc`, logging to build/<name>.log; a failure is a BenchError naming the log. */
function compile(context: RunContext, name: string, args: string[]): void {
  const log = join(context.outDir, "build", `${name}.log`);
  writeFileSync(log, `cc ${args.join(" ")}\n`);
  try {
    const output = execFileSync("cc", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    writeFileSync(log, `cc ${args.join(" ")}\n${output}`);
  } catch (error) {
    if (context.processes.interrupted)
      throw new BenchError("BuildFailed", `compiling ${name} was interrupted`, { fix: "Run again." });
    const failed = error as { stderr?: string; message: string };
    writeFileSync(log, `cc ${args.join(" ")}\n${failed.stderr ?? failed.message}`);
    throw new BenchError("BuildFailed", `compiling ${name} failed (log: ${relative(context.options.cwd, log)})`, {
      fix: "Install a C compiler with OpenMP (apt-get install gcc), or pass a prebuilt program with --program.",
    });
  }
}

/** Runs one configuration's trials; `rerun` may ask for one more attempt of a trial with other arguments. */
async function runTrials(
  context: RunContext,
  benchmark: BenchmarkName | "custom",
  configuration: LaunchConfiguration,
  command: { path: string; args: string[]; cwd?: string; env?: Record<string, string> },
  parse: (text: string, label: string) => ParsedRun[],
  timeoutSeconds: number,
  rerun?: (run: ParsedRun) => { args: string[]; why: string } | undefined,
  rawFolder: string = benchmark,
): Promise<ConfigurationTrials> {
  const trials: ConfigurationTrials["trials"][number][] = [];
  const dir = join(context.outDir, "raw", rawFolder, configuration.id);
  mkdirSync(dir, { recursive: true });
  const attempt = async (trial: number, args: string[], suffix: string) => {
    const stdoutFile = join(dir, `trial-${trial}${suffix}.txt`);
    const startedAt = new Date().toISOString();
    const outcome = await context.processes.run({
      command: configuration.prefix[0] ?? command.path,
      args: configuration.prefix.length ? [...configuration.prefix.slice(1), command.path, ...args] : args,
      cwd: command.cwd ?? dir,
      env: { ...configuration.env, ...command.env },
      stdoutFile,
      stderrFile: join(dir, `trial-${trial}${suffix}.stderr.txt`),
      timeoutSeconds,
    });
    const rawFile = relative(context.outDir, stdoutFile);
    // A trial with no parsable output takes the implementation of its siblings (settleImplementation).
    const failed = (reason: string): ParsedRun => ({
      benchmark,
      implementation: "",
      parameters: {},
      metrics: {},
      valid: false,
      invalidReason: reason,
      notes: [],
      line: 1,
    });
    let run: ParsedRun;
    if (outcome.timedOut) run = failed(`timed out after ${timeoutSeconds} s`);
    else if (outcome.exitCode !== 0)
      run = failed(
        `exited with ${outcome.exitCode === null ? `signal ${outcome.signal ?? "?"}` : `code ${outcome.exitCode}`} (see ${rawFile.replace(/\.txt$/, ".stderr.txt")})`,
      );
    else {
      try {
        run = parse(readFileSync(stdoutFile, "utf8"), rawFile)[0] ?? failed("no run in the output");
      } catch (error) {
        run = failed((error as Error).message);
      }
    }
    return { outcome, entry: { run, rawFile, startedAt, durationSeconds: Math.round(outcome.seconds * 1000) / 1000 } };
  };
  for (let trial = 1; trial <= context.trials && !context.processes.interrupted; trial++) {
    let { outcome, entry } = await attempt(trial, command.args, "");
    if (outcome.interrupted) break;
    progressLine(context, benchmark, configuration.id, trial, outcome.seconds);
    const again = rerun?.(entry.run);
    if (again && !context.processes.interrupted) {
      context.options.progress(`[${benchmark}] ${configuration.id} trial ${trial}: ${again.why}; running it again`);
      const first = entry.rawFile;
      ({ outcome, entry } = await attempt(trial, again.args, "-rerun"));
      if (outcome.interrupted) break;
      entry.run.notes.push(`${again.why}; rerun (first attempt kept in ${first})`);
    }
    trials.push(entry);
  }
  return { id: configuration.id, description: configuration.description, placement: configuration.placement, trials };
}

/**
 * CoreMark calibrates its own iteration count for about 10 s; when a run still falls short, run it once more
 * with enough iterations for 12 s at the measured rate.
 */
export function coremarkRerun(run: ParsedRun): { args: string[]; why: string } | undefined {
  const seconds = run.metrics["totalTime"]?.value;
  const iterations = run.parameters["iterations"];
  if (seconds === undefined || seconds === null || seconds >= 10 || typeof iterations !== "number" || iterations <= 0)
    return undefined;
  const needed = Math.ceil((iterations * 12) / Math.max(seconds, 0.001));
  const perContext = Math.ceil(needed / Number(run.parameters["threads"] ?? 1));
  const args = [...coremarkPerformanceArgs];
  args[3] = String(perContext);
  return { args, why: `CoreMark ran ${seconds} s, under its 10 s minimum` };
}

async function runStream(context: RunContext, program: ProgramChoice): Promise<BenchmarkRun> {
  const { host } = context;
  const sizing = streamSizingFor(host, context.options);
  let path = program.path;
  const parameters: Record<string, string | number | boolean> = { program: program.how };
  if (program.kind === "source") {
    path = join(context.outDir, "build", "stream");
    compile(context, "stream", streamCompileArgs(host, sizing, join(program.path, "stream.c"), path));
    Object.assign(parameters, streamParameters(sizing));
    for (const note of sizing.notes) context.options.progress(`stream: ${note}`);
  } else parameters["arraySizeFixedAtBuild"] = true;
  const configurations: ConfigurationTrials[] = [];
  for (const configuration of streamConfigurations(host, context.numactl)) {
    const timeout = Math.ceil(estimateStreamSeconds(sizing, host, configuration.threads) * 4 + 60);
    configurations.push(
      await runTrials(
        context,
        "stream",
        configuration,
        { path, args: [] },
        (text, label) => parseStreamOutput(text, { label }),
        timeout,
      ),
    );
  }
  settleImplementation(configurations, "stream.c-openmp");
  return summarizeBenchmark("stream", parameters, configurations);
}

/** Trials that produced no parsable output belong to the program that ran: give them its implementation. */
function settleImplementation(configurations: ConfigurationTrials[], fallback: string): void {
  const runs = configurations.flatMap((configuration) => configuration.trials.map((trial) => trial.run));
  const implementation = runs.find((run) => run.implementation !== "")?.implementation ?? fallback;
  for (const run of runs) if (run.implementation === "") run.implementation = implementation;
}

/** A custom benchmark: its inputs written into its working directory, its command run per trial. */
async function runCustom(context: RunContext, custom: LoadedCustomBenchmark): Promise<BenchmarkRun> {
  const { definition } = custom;
  const work = join(context.outDir, "work", `custom-${definition.name}`);
  mkdirSync(work, { recursive: true });
  for (const [name, content] of Object.entries(definition.inputs ?? {})) {
    writeFileSync(join(work, name), content);
    mkdirSync(join(context.outDir, "inputs", definition.name), { recursive: true });
    writeFileSync(join(context.outDir, "inputs", definition.name, name), content);
  }
  const values = { cores: context.host.cores, vcpus: context.host.logicalCpus, workdir: work };
  const [command, ...args] = definition.command.map((part) => substitute(part, values)) as [string, ...string[]];
  // A relative program (./solver) lives beside the definition file; a bare name is looked up on PATH.
  const program = command.includes("/") && !isAbsolute(command) ? resolve(dirname(custom.path), command) : command;
  const env = Object.fromEntries(
    Object.entries(definition.env ?? {}).map(([key, value]) => [key, substitute(value, values)]),
  );
  const configuration: LaunchConfiguration = {
    id: "default",
    description: definition.description,
    env,
    prefix: [],
    placement: {},
    threads: context.host.cores,
  };
  context.options.progress(`${definition.name}: custom benchmark from ${custom.path}`);
  const section = await runTrials(
    context,
    "custom",
    configuration,
    { path: program, args, cwd: work },
    (text, label) => [parseCustomOutput(definition, text, label)],
    definition.timeoutSeconds,
    undefined,
    join("custom", definition.name),
  );
  settleImplementation([section], `custom-${definition.name}`);
  const summary = summarizeBenchmark("custom", { command: definition.command.join(" ") }, [section], {
    customHeadline: { configuration: "default", metric: definition.headline },
  });
  return { ...summary, custom: { name: definition.name, definitionSha256: custom.sha256 } };
}

function streamParameters(sizing: StreamSizing): Record<string, string | number | boolean> {
  return {
    arraySize: sizing.arraySize,
    ntimes: sizing.ntimes,
    arraySizeLimitedBy: sizing.limitedBy,
    mcmodelMedium: sizing.mcmodelMedium,
  };
}

async function runCoremark(context: RunContext, program: ProgramChoice): Promise<BenchmarkRun> {
  const { host } = context;
  let path = program.path;
  const threads = context.options.overrides?.coremarkThreads ?? host.logicalCpus;
  if (program.kind === "source") {
    path = join(context.outDir, "build", "coremark");
    const port = ["posix", "linux64", "linux"]
      .map((dir) => join(program.path, dir))
      .find((dir) => existsSync(join(dir, "core_portme.c")));
    if (!port)
      throw new BenchError(
        "BuildFailed",
        `no CoreMark port directory (posix/, linux64/ or linux/) in ${program.path}`,
        {
          fix: "Pass the eembc/coremark source tree with --source coremark=DIR.",
        },
      );
    compile(context, "coremark", coremarkCompileArgs(host, threads, program.path, port, path));
  }
  const configuration: LaunchConfiguration = {
    id: "all-threads",
    description: "one CoreMark context per vCPU (PThreads)",
    env: {},
    prefix: [],
    placement: { threads },
    threads,
  };
  const section = await runTrials(
    context,
    "coremark",
    configuration,
    { path, args: coremarkPerformanceArgs },
    (text, label) => parseCoremarkOutput(text, { label }),
    600,
    coremarkRerun,
  );
  settleImplementation([section], threads > 1 ? "coremark-pthread" : "coremark");
  if (program.kind === "binary") {
    // A prebuilt CoreMark runs with the contexts it was built with: record those, not the ones asked for.
    const built = section.trials
      .map((trial) => trial.run.parameters["threads"])
      .find((value) => typeof value === "number");
    if (context.options.overrides?.coremarkThreads !== undefined)
      context.options.progress(
        `coremark: --coremark-threads is ignored: ${program.path} was built with its own thread count`,
      );
    return summarizeBenchmark(
      "coremark",
      { program: program.how, threads: typeof built === "number" ? built : threads, threadsFixedAtBuild: true },
      [{ ...section, placement: { threads: typeof built === "number" ? built : threads } }],
    );
  }
  return summarizeBenchmark("coremark", { program: program.how, threads }, [section]);
}

function hplParameters(sizing: HplSizing): Record<string, string | number | boolean> {
  return {
    n: sizing.n,
    nb: sizing.nb,
    p: sizing.p,
    q: sizing.q,
    ranks: sizing.ranks,
    threadsPerRank: sizing.threadsPerRank,
    nLimitedBy: sizing.limitedBy,
    predictedSeconds: Math.round(sizing.predictedSeconds),
    assumedPeakGflops: Math.round(sizing.peakGflops),
    assumedEfficiency: sizing.efficiency,
  };
}

async function runHpl(context: RunContext, program: ProgramChoice): Promise<BenchmarkRun> {
  if (!context.mpirun)
    throw new BenchError("BuildFailed", "HPL needs mpirun, which is not on PATH", {
      fix: "apt-get install openmpi-bin",
    });
  if (program.kind === "source")
    throw new BenchError("NotYetAvailable", "building HPL from source is not yet available", {
      fix: "Pass a built xhpl with --program hpl=PATH, or apt-get install hpcc.",
    });
  noteBlas(context, program.path);
  const sizing = hplSizingFor(context.host, context.options, 1, context.blas);
  const work = join(context.outDir, "work", "hpl");
  mkdirSync(work, { recursive: true });
  writeFileSync(join(context.outDir, "inputs", "HPL.dat"), hplDat(sizing));
  copyFileSync(join(context.outDir, "inputs", "HPL.dat"), join(work, "HPL.dat"));
  const configuration: LaunchConfiguration = {
    id: "all-cores",
    description: `one MPI rank per core (${sizing.p}×${sizing.q}), one BLAS thread each`,
    env: { OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" },
    prefix: [],
    placement: { ranks: sizing.ranks, threadsPerRank: 1, bindTo: "core" },
    threads: sizing.ranks,
  };
  const section = await runTrials(
    context,
    "hpl",
    configuration,
    { path: context.mpirun, args: [...mpirunArgs(sizing.ranks, context.asRoot), program.path], cwd: work },
    (text, label) => parseHplOutput(text, { label }),
    Math.ceil(sizing.predictedSeconds * 4 + 120),
  );
  settleImplementation([section], "hpl-unknown");
  return summarizeBenchmark("hpl", { program: program.how, ...hplParameters(sizing) }, [section]);
}

/** Share of the time budget HPCC's HPL gets (its other tests take the rest). */
export const hpccHplShare = 1 / 20;

/** HPCC runs STREAM and HPL (and its other tests) in one execution per trial; its input sets HPL's N, from which HPCC sizes STREAM. */
async function runHpcc(context: RunContext, hpcc: string, benchmarks: BenchmarkName[]): Promise<BenchmarkRun[]> {
  if (!context.mpirun)
    throw new BenchError("BuildFailed", "hpcc needs mpirun, which is not on PATH", {
      fix: "apt-get install openmpi-bin",
    });
  noteBlas(context, hpcc);
  // HPCC also runs RandomAccess, DGEMM, FFT and PTRANS, sized from the same N; with Debian's hpcc 1.5.0 they
  // took 15 to 20 times as long as its HPL (measured at N = 4,000 and 10,000), so HPL gets 1/20 of the budget.
  const sizing = hplSizingFor(context.host, context.options, hpccHplShare, context.blas);
  writeFileSync(join(context.outDir, "inputs", "hpccinf.txt"), hpccInput(sizing));
  const starStream: ConfigurationTrials = {
    id: "all-cores-spread",
    description: `HPCC StarSTREAM: one MPI rank per core (${sizing.ranks}), bound; bandwidth summed over ranks`,
    placement: { ranks: sizing.ranks, bindTo: "core" },
    trials: [],
  };
  const singleStream: ConfigurationTrials = {
    id: "single-thread",
    description: "HPCC SingleSTREAM: one rank while the others wait",
    placement: { ranks: 1 },
    trials: [],
  };
  const hpl: ConfigurationTrials = {
    id: "all-cores",
    description: `HPCC HPL 2.0: one MPI rank per core (${sizing.p}×${sizing.q}), one BLAS thread each`,
    placement: { ranks: sizing.ranks, threadsPerRank: 1, bindTo: "core" },
    trials: [],
  };
  const timeout = Math.ceil((sizing.predictedSeconds * 4) / hpccHplShare + 300);
  for (let trial = 1; trial <= context.trials && !context.processes.interrupted; trial++) {
    const work = join(context.outDir, "work", `hpcc-trial-${trial}`);
    mkdirSync(work, { recursive: true });
    copyFileSync(join(context.outDir, "inputs", "hpccinf.txt"), join(work, "hpccinf.txt"));
    const raw = join(context.outDir, "raw", "hpcc");
    mkdirSync(raw, { recursive: true });
    const outcome = await context.processes.run({
      command: context.mpirun,
      args: [...mpirunArgs(sizing.ranks, context.asRoot), hpcc],
      cwd: work,
      env: { OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" },
      stdoutFile: join(raw, `trial-${trial}.stdout.txt`),
      stderrFile: join(raw, `trial-${trial}.stderr.txt`),
      timeoutSeconds: timeout,
    });
    if (outcome.interrupted) break;
    progressLine(context, "hpcc", benchmarks.join("+"), trial, outcome.seconds);
    let rawFile = join("raw", "hpcc", `trial-${trial}.txt`);
    const failed = (benchmark: BenchmarkName, implementation: string, reason: string): ParsedRun => ({
      benchmark,
      implementation,
      parameters: {},
      metrics: {},
      valid: false,
      invalidReason: reason,
      notes: [],
      line: 1,
    });
    let runs: ParsedRun[] = [];
    let failure: string | undefined;
    const wroteOutput = existsSync(join(work, "hpccoutf.txt"));
    if (wroteOutput) copyFileSync(join(work, "hpccoutf.txt"), join(context.outDir, rawFile));
    else rawFile = join("raw", "hpcc", `trial-${trial}.stdout.txt`);
    if (outcome.timedOut) failure = `timed out after ${timeout} s`;
    else if (outcome.exitCode !== 0)
      failure = `hpcc exited with code ${String(outcome.exitCode)} (see raw/hpcc/trial-${trial}.stderr.txt)`;
    else if (!wroteOutput) failure = "hpcc wrote no hpccoutf.txt";
    let sectionFailures: Record<string, string> = {};
    if (!failure) {
      try {
        // One broken section (a truncated HPL, say) must not void the valid STREAM sections of the same execution.
        const parsed = parseHpccOutput(readFileSync(join(context.outDir, rawFile), "utf8"), {
          label: rawFile,
          perSection: true,
        });
        runs = parsed.runs;
        sectionFailures = parsed.sectionFailures ?? {};
      } catch (error) {
        failure = (error as Error).message;
      }
    }
    const pick = (section: string, benchmark: BenchmarkName, implementation: string) =>
      runs.find((run) => run.section === section) ??
      failed(
        benchmark,
        implementation,
        failure ?? sectionFailures[section] ?? `no ${section} section in HPCC's output`,
      );
    const star = pick("StarSTREAM", "stream", "hpcc-starstream");
    const ranks = Number(star.parameters["processes"] ?? sizing.ranks);
    const average = star.metrics["triadRankAverage"];
    if (average?.value != null) {
      star.metrics["triadAllRanks"] = {
        value: Math.round(average.value * ranks * 1e6) / 1e6,
        unit: "GB/s",
        printed: `${average.printed} × ${ranks} ranks`,
      };
    }
    const startedAt = new Date(Date.now() - outcome.seconds * 1000).toISOString();
    const durationSeconds = Math.round(outcome.seconds * 1000) / 1000;
    starStream.trials.push({ run: star, rawFile, startedAt, durationSeconds });
    singleStream.trials.push({
      run: pick("SingleSTREAM", "stream", "hpcc-singlestream"),
      rawFile,
      startedAt,
      durationSeconds,
    });
    const hplRun = runs.filter((run) => run.section === "HPL");
    hpl.trials.push({
      run: hplRun[0] ?? failed("hpl", "hpcc-hpl-2.0", failure ?? sectionFailures["HPL"] ?? "no HPL result"),
      rawFile,
      startedAt,
      durationSeconds,
    });
  }
  const sections: BenchmarkRun[] = [];
  // HPCC sizes each rank's STREAM arrays from HPL's N (about N²/(3·ranks)); the parsed output says exactly.
  const printedSize = starStream.trials
    .map((trial) => trial.run.parameters["arraySize"])
    .find((size) => typeof size === "number");
  const streamArray = typeof printedSize === "number" ? printedSize : Math.floor(sizing.n ** 2 / (3 * sizing.ranks));
  if (benchmarks.includes("stream")) {
    const rule = Math.max(10_000_000, Math.ceil((4 * context.host.lastLevelCacheBytes) / 8));
    if (streamArray < rule)
      context.options.progress(
        `stream: HPCC sizes STREAM from HPL's N: ${streamArray} elements per array and rank, below STREAM's rule of ${rule}`,
      );
    sections.push(
      summarizeBenchmark(
        "stream",
        { program: "hpcc", arraySize: streamArray, arraySizeLimitedBy: "hpcc-hpl-n", streamRuleElements: rule },
        [starStream],
      ),
    );
    // SingleSTREAM is its own implementation: reported in its own section, never mixed with StarSTREAM.
    sections.push(
      summarizeBenchmark("stream", { program: "hpcc", arraySize: streamArray }, [singleStream], {
        supplementaryHeadline: "single-thread",
      }),
    );
  }
  if (benchmarks.includes("hpl"))
    sections.push(summarizeBenchmark("hpl", { program: "hpcc", ...hplParameters(sizing) }, [hpl]));
  return sections;
}

async function writeResult(
  context: RunContext,
  runId: string,
  startedAt: Date,
  sections: BenchmarkRun[],
  skipped: SkippedBenchmark[],
): Promise<BenchmarkResult> {
  const { host, outDir } = context;
  const redactedFiles = redactFiles(outDir);
  const rawFiles = listFiles(outDir)
    .filter((file) => /^(raw|inputs|build)\//.test(file))
    .map((file) => ({ path: file, sha256: sha256File(join(outDir, file)), bytes: statSync(join(outDir, file)).size }));
  const git = gitProvenance();
  const result: BenchmarkResult = {
    schemaVersion: 1,
    runId,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    runner: { version: packageVersion(), ...git, ...bundleProvenance() },
    host: {
      architecture: host.architecture,
      cpuModel: host.cpuModel,
      cpuVendor: host.cpuVendor,
      ...(host.microcode ? { microcode: host.microcode } : {}),
      sockets: host.sockets,
      cores: host.cores,
      threadsPerCore: host.threadsPerCore,
      logicalCpus: host.logicalCpus,
      smt: host.smt,
      cacheBytes: Object.fromEntries(
        host.caches.map((cache) => [
          `l${cache.level}${cache.type === "Data" ? "d" : cache.type === "Instruction" ? "i" : ""}`,
          cache.sizeBytes,
        ]),
      ),
      numaNodes: host.numaNodes,
      memoryMiB: host.memoryMiB,
      availableMemoryMiB: host.availableMemoryMiB,
      kernel: host.kernel,
      ...(host.ec2 ? { instanceType: host.ec2.instanceType, region: host.ec2.region } : {}),
      ...(host.ec2?.availabilityZoneId ? { availabilityZoneId: host.ec2.availabilityZoneId } : {}),
      ...(host.ec2?.amiId ? { amiId: host.ec2.amiId } : {}),
    },
    toolchain: {
      ...(host.compiler ? { compiler: host.compiler } : {}),
      ...mpiVersion(context),
      ...(context.blas ? { blas: context.blas } : {}),
    },
    benchmarks: sections,
    ...(skipped.length ? { skipped } : {}),
    ...(context.processes.interrupted ? { interrupted: true } : {}),
    ...(redactedFiles.length ? { redactedFiles } : {}),
    rawFiles,
  };
  const resultPath = join(outDir, "result.json");
  await writeDocuments([{ kind: "benchmark-result", path: resultPath, data: result }]);
  const sums = [...rawFiles, { path: "result.json", sha256: sha256File(resultPath) }]
    .map((file) => `${file.sha256}  ${file.path}`)
    .join("\n");
  writeFileSync(join(outDir, "SHA256SUMS"), `${sums}\n`);
  return result;
}

/** Inside the benchmark image the runner is the bundle, whose SHA-256 sits beside it (scripts/bundle-runner.mjs). */
function bundleProvenance(): { bundleSha256?: string } {
  const file = packagePath("BUNDLE_SHA256");
  if (!existsSync(file)) return {};
  const sum = readFileSync(file, "utf8").trim();
  return /^[0-9a-f]{64}$/.test(sum) ? { bundleSha256: sum } : {};
}

/** Redacts private details in the published text files (raw/, inputs/, build/); returns the files changed. */
function redactFiles(outDir: string): string[] {
  const changed: string[] = [];
  for (const file of listFiles(outDir).filter((path) => /^(raw|inputs|build)\//.test(path))) {
    const path = join(outDir, file);
    const bytes = readFileSync(path);
    if (bytes.includes(0)) continue; // binary: not a program's text output
    const { text, replaced } = redactRawOutput(bytes.toString("utf8"));
    if (replaced > 0) {
      writeFileSync(path, text);
      changed.push(file);
    }
  }
  return changed;
}

function listFiles(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix))
    .sort()
    .flatMap((entry) => {
      const path = prefix ? `${prefix}/${entry}` : entry;
      return statSync(join(dir, path)).isDirectory() ? listFiles(dir, path) : [path];
    });
}

function gitProvenance(): { gitCommit?: string; gitDirty?: boolean } {
  const root = packageRoot();
  if (!existsSync(join(root, ".git"))) return {};
  try {
    const commit = execFileSync("git", ["-C", root, "rev-parse", "HEAD"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
    const dirty =
      execFileSync("git", ["-C", root, "status", "--porcelain", "--untracked-files=no"], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      }).trim() !== "";
    return { gitCommit: commit, gitDirty: dirty };
  } catch {
    return {};
  }
}

/** Records which BLAS `program` loads, and warns loudly about the reference BLAS (an order of magnitude slower). */
function noteBlas(context: RunContext, program: string): void {
  const blas = linkedBlas(program);
  if (!blas) return;
  context.blas = blas;
  if (/reference/.test(blas)) {
    context.options.progress(
      `hpl: ${program} loads the reference BLAS (${blas}): HPL will run far below this CPU's capability. Install OpenBLAS (apt-get install libopenblas0-pthread) so libblas.so.3 points to it.`,
    );
  }
}

/** The BLAS a dynamically linked program loads, from `ldd`: `OpenBLAS (…path)`, `reference BLAS (…path)`, … */
export function linkedBlas(program: string): string | undefined {
  let output: string;
  try {
    output = execFileSync("ldd", [program], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return undefined;
  }
  const line = output.split("\n").find((l) => /lib(open)?blas|libblis|libmkl|libarmpl/.test(l));
  const path = /=>\s*(\S+)/.exec(line ?? "")?.[1];
  if (!path) return undefined;
  let real = path;
  try {
    real = realpathSync(path);
  } catch {
    // keep the linked path
  }
  const kind = /openblas/i.test(real)
    ? "OpenBLAS"
    : /blis/i.test(real)
      ? "BLIS"
      : /mkl/i.test(real)
        ? "oneMKL"
        : /armpl/i.test(real)
          ? "Arm PL"
          : /atlas/i.test(real)
            ? "ATLAS"
            : "reference BLAS";
  return `${kind} (${real})`;
}

function mpiVersion(context: RunContext): { mpi?: string } {
  if (!context.mpirun) return {};
  try {
    const line = execFileSync(context.mpirun, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
      .split("\n")[0]
      ?.trim();
    return line ? { mpi: line } : {};
  } catch {
    return {};
  }
}

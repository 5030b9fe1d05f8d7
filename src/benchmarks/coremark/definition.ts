/**
 * CoreMark (EEMBC): integer throughput, one context per vCPU. Built per host from its source with its own Makefile
 * (`make PORT_DIR=linux64 XCFLAGS="-O3 -march=native -DMULTITHREAD=N -DUSE_PTHREAD -pthread"`), because the
 * thread count is a compile-time constant; a prebuilt CoreMark runs with the contexts it was built with, and
 * those are recorded. A run counts only when CoreMark validated its own results over at least 10 s, and the run
 * rules' validation run (other seeds, once) validated too.
 */
import { chmodSync, copyFileSync, cpSync, existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { BenchError } from "../../errors.js";
import type {
  BenchmarkContext,
  BenchmarkDefinition,
  ConfigurationTrials,
  OwnProgram,
  PreparedRun,
  TrialRun,
} from "../definition.js";
import type { BuildProvenance } from "../../schemas/generated/benchmark-result.js";
import { compilerTarget, compilerVersion } from "../toolchain.js";
import {
  coremarkCompileArgs,
  coremarkMakeArgs,
  coremarkPerformanceArgs,
  coremarkValidationArgs,
  coremarkXcflags,
} from "./launch.js";
import { parseCoremarkOutput } from "./parse.js";

/** A CoreMark run: its own calibration, then at least 10 s of timed iterations. */
const coremarkSecondsPerRun = 15;

/**
 * CoreMark calibrates its own iteration count for about 10 s; when a run still falls short, run it once more
 * with the same seeds (`args`) and enough iterations for 12 s at the measured rate.
 */
export function coremarkRerunWith(
  args: readonly string[],
): (run: TrialRun) => { args: string[]; why: string } | undefined {
  return (run) => {
    const seconds = run.metrics["totalTime"]?.value;
    const iterations = run.parameters["iterations"];
    if (seconds === undefined || seconds === null || seconds >= 10 || typeof iterations !== "number" || iterations <= 0)
      return undefined;
    const needed = Math.ceil((iterations * 12) / Math.max(seconds, 0.001));
    const perContext = Math.ceil(needed / Number(run.parameters["threads"] ?? 1));
    const again = [...args];
    again[3] = String(perContext);
    return { args: again, why: `CoreMark ran ${seconds} s, under its 10 s minimum` };
  };
}

/** The performance run's rerun ({@link coremarkRerunWith} its seeds). */
export const coremarkRerun = coremarkRerunWith(coremarkPerformanceArgs);

/** A CoreMark tree with its own Makefile and a Linux port: built the way its README says. */
function makePort(tree: string): string | undefined {
  if (!existsSync(join(tree, "Makefile"))) return undefined;
  return ["linux64", "linux"].find((dir) => existsSync(join(tree, dir, "core_portme.mak")));
}

/**
 * Builds CoreMark from `program`: with its Makefile (`make PORT_DIR=linux64 XCFLAGS="…" coremark.exe`, in a copy of
 * the tree), or, for a tree without one, by compiling its files directly. Returns the executable and the build's
 * record.
 */
async function buildCoremark(
  context: BenchmarkContext,
  program: Extract<OwnProgram, { kind: "source" }>,
  threads: number,
): Promise<{ path: string; build: BuildProvenance }> {
  const { host } = context;
  const output = join(context.outDir, "build", "coremark");
  const port = makePort(program.path);
  const source = program.source ? { source: program.source } : {};
  if (port) {
    const tree = join(context.outDir, "work", "coremark-build");
    rmSync(tree, { recursive: true, force: true });
    cpSync(program.path, tree, { recursive: true });
    const args = coremarkMakeArgs(host, threads, port);
    const outcome = await context.run({
      command: "make",
      args,
      cwd: tree,
      stdoutFile: join(context.outDir, "build", "coremark-make.log"),
      stderrFile: join(context.outDir, "build", "coremark-make.stderr.log"),
      timeoutSeconds: 600,
    });
    const built = ["coremark.exe", "coremark"].map((name) => join(tree, name)).find((file) => existsSync(file));
    if (outcome.interrupted)
      throw new BenchError("BuildFailed", "building CoreMark was interrupted", { fix: "Run again." });
    if (outcome.exitCode !== 0 || !built)
      throw new BenchError(
        "BuildFailed",
        `CoreMark's make ${outcome.timedOut ? "ran over 600 s" : outcome.exitCode !== 0 ? `exited with ${outcome.exitCode ?? outcome.signal ?? "?"}` : "left no coremark.exe"} (log: build/coremark-make.log)`,
        { fix: "apt-get install gcc make; or pass a built CoreMark with --program coremark=PATH." },
      );
    copyFileSync(built, output);
    chmodSync(output, 0o755);
    return {
      path: output,
      build: {
        ...source,
        compiler: compilerVersion("gcc") ?? compilerVersion("cc") ?? "unknown",
        flags: coremarkXcflags(host, threads),
        buildCommand: `make ${args.map((arg) => (arg.includes(" ") ? arg.replace("=", '="') + '"' : arg)).join(" ")}`,
        target: compilerTarget("gcc", host),
      },
    };
  }
  const portDir = ["posix", "linux64", "linux"]
    .map((dir) => join(program.path, dir))
    .find((dir) => existsSync(join(dir, "core_portme.c")));
  if (!portDir)
    throw new BenchError("BuildFailed", `no CoreMark port directory (posix/, linux64/ or linux/) in ${program.path}`, {
      fix: "Pass the eembc/coremark source tree with --source coremark=DIR.",
    });
  const args = coremarkCompileArgs(host, threads, program.path, portDir, output);
  context.compile("coremark", args);
  return {
    path: output,
    build: {
      ...source,
      compiler: compilerVersion("cc") ?? "unknown",
      flags: args.filter((arg) => /^-(O|m|D(?!FLAGS_STR))/.test(arg)).join(" "),
      buildCommand: "cc (CoreMark's files compiled directly: the tree has no Makefile with a Linux port)",
      target: compilerTarget("cc", host),
    },
  };
}

/**
 * The run rules' validation run must validate too: when it did not, the performance trials computed on a machine
 * that got CoreMark's answers wrong, and they are marked invalid with that reason. Exported for the review's
 * re-derivation (src/community/rederive.ts), which must judge trials exactly as the run did.
 */
export function requireValidation(configurations: ConfigurationTrials[]): ConfigurationTrials[] {
  const validation = configurations.find((configuration) => configuration.id === "validation");
  const failed = validation?.trials.find((trial) => !trial.run.valid);
  if (!failed) return configurations;
  const reason = `the run rules' validation run failed: ${failed.run.invalidReason ?? "no reason given"}`;
  return configurations.map((configuration) =>
    configuration.id === "validation"
      ? configuration
      : {
          ...configuration,
          trials: configuration.trials.map((trial) => ({
            ...trial,
            run: {
              ...trial.run,
              valid: false,
              invalidReason: trial.run.invalidReason ? `${trial.run.invalidReason}; ${reason}` : reason,
            },
          })),
        },
  );
}

async function prepareCoremark(context: BenchmarkContext, program: OwnProgram): Promise<PreparedRun> {
  const { host } = context;
  const requested = context.settings.overrides?.coremarkThreads;
  const threads = requested ?? host.logicalCpus;
  const built = program.kind === "source" ? await buildCoremark(context, program, threads) : undefined;
  const path = built?.path ?? program.path;
  const launch = (id: string, description: string) => ({
    id,
    description,
    env: {},
    prefix: [],
    placement: { threads },
    threads,
  });
  const prepared: PreparedRun = {
    parameters: { program: program.how, threads },
    implementation: threads > 1 ? "coremark-pthread" : "coremark",
    ...(built ? { build: built.build } : {}),
    configurations: [
      {
        launch: launch("all-threads", "one CoreMark context per vCPU (PThreads): the performance run"),
        command: { path, args: coremarkPerformanceArgs },
        timeoutSeconds: 600,
        rerun: coremarkRerun,
      },
      {
        // Once per run: it checks correctness with CoreMark's other seeds; its speed is not a score.
        launch: launch("validation", "the run rules' validation run (seeds 0x3415, 0x3415, 0x66), once"),
        command: { path, args: coremarkValidationArgs },
        timeoutSeconds: 600,
        trials: 1,
        rerun: coremarkRerunWith(coremarkValidationArgs),
      },
    ],
    finish: (configurations) => ({
      parameters: prepared.parameters,
      configurations: requireValidation(configurations),
    }),
  };
  if (program.kind !== "binary") return prepared;
  // A prebuilt CoreMark runs with the contexts it was built with: record those, not the ones asked for.
  const finish = (configurations: ConfigurationTrials[]) => {
    const built = configurations
      .flatMap((configuration) => configuration.trials)
      .map((trial) => trial.run.parameters["threads"])
      .find((value) => typeof value === "number");
    if (requested !== undefined)
      context.progress(`coremark: --coremark-threads is ignored: ${program.path} was built with its own thread count`);
    const recorded = typeof built === "number" ? built : threads;
    return {
      parameters: { program: program.how, threads: recorded, threadsFixedAtBuild: true },
      configurations: requireValidation(configurations).map((configuration) => ({
        ...configuration,
        placement: { threads: recorded },
      })),
    };
  };
  return { ...prepared, finish };
}

/** CoreMark. */
export const coremarkBenchmark: BenchmarkDefinition = {
  name: "coremark",
  description: "integer throughput: one CoreMark context per vCPU",
  program: {
    kind: "searched",
    executables: ["coremark", "coremark.exe"],
    sourceMarker: "core_main.c",
    fix: "give CoreMark 1.01's source: --source-mirror DIR holding coremark-1.01.tar.gz (or v1.01.tar.gz), or --source coremark=PATH/TO/coremark (a checkout or release archive of eembc/coremark)",
  },
  // A performance run, plus the validation run that runs once per run: counted with every trial, which errs long.
  estimateTrialSeconds: () => 2 * coremarkSecondsPerRun,
  prepare: prepareCoremark,
  parse: (text, label) => parseCoremarkOutput(text, { label }),
  validity:
    "CoreMark's own check: 'Correct operation validated' with none of its error lines, over at least 10 s, with seeds CoreMark knows",
  metrics: [
    {
      name: "iterationsPerSecond",
      units: ["iterations/s"],
      description: "CoreMark iterations per second, all contexts",
    },
    { name: "coremark", units: ["iterations/s"], description: "the 'CoreMark 1.0' score line, when printed" },
    { name: "totalTime", units: ["s"], description: "timed seconds of the run" },
    { name: "totalTicks", units: ["ticks"], description: "timed ticks of the run" },
  ],
  headline: { configuration: "all-threads", metric: "iterationsPerSecond" },
};

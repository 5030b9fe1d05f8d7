/**
 * CoreMark (EEMBC): integer throughput, one context per vCPU. Built per host from its source, because the
 * thread count is a compile-time constant; a prebuilt CoreMark runs with the contexts it was built with, and
 * those are recorded. A run counts only when CoreMark validated its own results over at least 10 s.
 */
import { existsSync } from "node:fs";
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
import { coremarkCompileArgs, coremarkPerformanceArgs } from "./launch.js";
import { parseCoremarkOutput } from "./parse.js";

/** A CoreMark run: its own calibration, then at least 10 s of timed iterations. */
const coremarkSecondsPerRun = 15;

/**
 * CoreMark calibrates its own iteration count for about 10 s; when a run still falls short, run it once more
 * with enough iterations for 12 s at the measured rate.
 */
export function coremarkRerun(run: TrialRun): { args: string[]; why: string } | undefined {
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

function prepareCoremark(context: BenchmarkContext, program: OwnProgram): PreparedRun {
  const { host } = context;
  const requested = context.settings.overrides?.coremarkThreads;
  const threads = requested ?? host.logicalCpus;
  let path = program.path;
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
    context.compile("coremark", coremarkCompileArgs(host, threads, program.path, port, path));
  }
  const prepared: PreparedRun = {
    parameters: { program: program.how, threads },
    implementation: threads > 1 ? "coremark-pthread" : "coremark",
    configurations: [
      {
        launch: {
          id: "all-threads",
          description: "one CoreMark context per vCPU (PThreads)",
          env: {},
          prefix: [],
          placement: { threads },
          threads,
        },
        command: { path, args: coremarkPerformanceArgs },
        timeoutSeconds: 600,
        rerun: coremarkRerun,
      },
    ],
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
      configurations: configurations.map((configuration) => ({ ...configuration, placement: { threads: recorded } })),
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
    fix: "pass --source coremark=PATH/TO/coremark (a checkout or release archive of eembc/coremark)",
  },
  estimateTrialSeconds: () => coremarkSecondsPerRun,
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

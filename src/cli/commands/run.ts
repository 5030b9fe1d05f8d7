/**
 * `aws-bench run`: the default target benchmarks a batch of EC2 instance types in the user's account (the whole
 * lifecycle, in batch.ts); `--target local` benchmarks this host.
 */
import { resolve } from "node:path";
import { batchRequestOptions, batchRequestsFromArgs, passedFlags } from "../batch-options.js";
import { combineExitCodes, printReport, stepContext } from "../batch-session.js";
import { defineCommand } from "../command.js";
import { BenchError } from "../../errors.js";
import { ExitCode } from "../errors.js";
import type { CliIo } from "../io.js";
import { benchmarkNames, parseBenchmarkList, type BenchmarkName } from "../../benchmarks/registry.js";
import type { LoadedCustomBenchmark } from "../../benchmarks/custom/definition.js";
import type { LocalRunOutcome } from "../../runner/local-run.js";

/** Flags only a local run reads. */
const localOnlyFlags = [
  "trials",
  "out",
  "program",
  "source",
  "hpl-minutes",
  "hpl-sizing",
  "stream-array-size",
  "stream-ntimes",
  "hpl-n",
  "hpl-nb",
  "coremark-threads",
  "imds",
  "image-root",
  "source-mirror",
] as const;

/** Flags only a batch on EC2 reads (`--benchmarks` and `--quick` apply to both). */
const awsOnlyFlags = Object.keys(batchRequestOptions)
  .filter((flag) => flag !== "benchmarks" && flag !== "quick")
  .concat("keep");

/** The `run` command. */
export const runCommand = defineCommand({
  command: "run",
  describe: "Benchmark a batch of EC2 instance types in your account, or this host (--target local)",
  options: {
    target: {
      choices: ["aws", "local"] as const,
      default: "aws" as const,
      describe: "Where to run: EC2 instances in your account, or this host",
    },
    custom: {
      type: "string",
      array: true,
      describe: "Also run a custom benchmark declared in FILE (schemas/custom-benchmark.schema.json)",
    },
    trials: { type: "number", describe: "Trials per configuration (default 5; --quick 2)" },
    out: { type: "string", describe: "Output directory (default ./aws-bench-results/<run-id>)" },
    program: { type: "string", array: true, describe: "Use this executable: NAME=PATH (e.g. hpl=/opt/hpl/xhpl)" },
    source: {
      type: "string",
      array: true,
      describe: "Build from this source: NAME=DIR_OR_ARCHIVE (e.g. stream=./stream.c)",
    },
    "hpl-minutes": { type: "number", describe: "HPL time budget in minutes (default 5; --quick 1)" },
    "hpl-sizing": {
      choices: ["time", "top500"] as const,
      describe: "time: N within the budget; top500: N by memory alone",
    },
    "stream-array-size": {
      type: "number",
      describe: "STREAM elements per array (default: ≥ 4× last-level cache, ≥ 10M, ≤ 60 % of memory)",
    },
    "stream-ntimes": { type: "number", describe: "STREAM repetitions per kernel (at least 10)" },
    "hpl-n": { type: "number", describe: "HPL matrix order N (default: sized by memory and time)" },
    "hpl-nb": { type: "number", describe: "HPL block size NB (default: by vector width)" },
    "coremark-threads": { type: "number", describe: "CoreMark contexts (default: one per vCPU)" },
    imds: {
      type: "boolean",
      default: true,
      describe: "Ask EC2's metadata service for the instance type and zone (--no-imds to skip)",
    },
    "image-root": {
      type: "string",
      default: "/opt/aws-bench",
      describe: "Where the benchmark image keeps its programs (bin/) and sources (sources/)",
    },
    "source-mirror": {
      type: "string",
      describe:
        "Look pinned sources (configs/sources.json) up here by their upstream file names instead of upstream: a folder or an http(s) URL; each is verified by its SHA-256 (env AWS_BENCH_SOURCE_MIRROR)",
    },
    ...batchRequestOptions,
    benchmarks: {
      ...batchRequestOptions.benchmarks,
      describe: `Comma-separated: ${benchmarkNames.join(", ")}; or none (local, only --custom)`,
    },
    keep: {
      type: "boolean",
      default: false,
      describe: "Leave the stack up afterwards (prints how to destroy it)",
    },
  },
  configure: (argv) =>
    argv
      .group([...localOnlyFlags, "custom"], "This host (--target local):")
      .group([...awsOnlyFlags], "A batch on EC2 (--target aws, the default):"),
  examples: [
    ["$0 run --target local --quick", "a short local run of STREAM, HPL and CoreMark"],
    [
      "$0 run --target local --source-mirror /shared/benchmark-sources",
      "a cluster without internet: stream.c, hpl-2.3.tar.gz and coremark-1.01.tar.gz from a folder, verified",
    ],
    [
      "$0 run --target local --benchmarks stream --source stream=./stream.c",
      "STREAM built from its source for this host",
    ],
    ["$0 run --target local --benchmarks none --custom solver.json", "only your own benchmark, declared in a file"],
    [
      "$0 run --instance-types m7i.large,c7g.large --benchmarks stream,hpl --results-bucket my-results",
      "a batch on EC2: plan, confirm, launch, collect, destroy",
    ],
  ],
  async run(args, { io, argv }) {
    // A flag of the other target would be silently ignored: refuse it by name instead.
    const misplaced = passedFlags(argv, args.target === "aws" ? [...localOnlyFlags, "custom"] : awsOnlyFlags);
    if (misplaced.length) {
      throw new BenchError(
        "UsageError",
        `${misplaced.map((flag) => `--${flag}`).join(", ")} ${misplaced.length === 1 ? "does" : "do"} not apply to --target ${args.target}.`,
        {
          fix:
            args.target === "aws"
              ? "Leave it out for a batch on EC2, or add --target local to benchmark this host."
              : "Leave it out for a local run; batches on EC2 are the default target (drop --target local).",
        },
      );
    }
    if (args.target === "aws") {
      // The spec records --keep, so the batch's tags say cleanup must leave it.
      const requests = (await batchRequestsFromArgs(args, io)).map((request) => ({ ...request, keep: args.keep }));
      const { runBatches } = await import("../../orchestrator/batch-steps.js");
      const reports = await runBatches(
        requests,
        { keep: args.keep, skipQuotaCheck: args["skip-quota-check"] },
        stepContext(io, args),
      );
      let exitCode: number = ExitCode.Success;
      for (const [index, { region, report }] of reports.entries()) {
        if (reports.length > 1 && !args.json) io.stdout.write(`${region}:\n`);
        exitCode = combineExitCodes(exitCode, await printReport(report, io, args.json), index === 0);
      }
      return exitCode;
    }
    const benchmarks = args.benchmarks.trim() === "none" ? [] : parseBenchmarkList(args.benchmarks);
    const { loadCustomBenchmark } = await import("../../benchmarks/custom/definition.js");
    const customs: LoadedCustomBenchmark[] = [];
    for (const file of args.custom ?? []) {
      const custom = await loadCustomBenchmark(resolve(io.cwd, file));
      const twin = customs.find((other) => other.definition.name === custom.definition.name);
      if (twin)
        throw new BenchError(
          "UsageError",
          `--custom ${file} and ${twin.path} both name the benchmark '${custom.definition.name}'.`,
          { fix: "Give each custom benchmark its own name." },
        );
      customs.push(custom);
    }
    if (benchmarks.length === 0 && customs.length === 0) {
      throw new BenchError("UsageError", "--benchmarks none leaves nothing to run.", {
        fix: "Name benchmarks, or add --custom FILE.",
      });
    }
    if (args.trials !== undefined && (!Number.isInteger(args.trials) || args.trials < 1)) {
      throw new BenchError("UsageError", `--trials ${args.trials} is not a positive whole number.`, {
        fix: "Pass --trials 1 or more.",
      });
    }
    if (args["stream-ntimes"] !== undefined && args["stream-ntimes"] < 10) {
      throw new BenchError("UsageError", `--stream-ntimes ${args["stream-ntimes"]} is below STREAM's minimum of 10.`, {
        fix: "Pass --stream-ntimes 10 or more.",
      });
    }
    for (const flag of ["stream-array-size", "stream-ntimes", "hpl-n", "hpl-nb", "coremark-threads"] as const) {
      const value = args[flag];
      if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
        throw new BenchError("UsageError", `--${flag} ${value} is not a positive whole number.`, {
          fix: `Pass --${flag} with a whole number, or leave it out to size it for this host.`,
        });
      }
    }
    if (args["hpl-minutes"] !== undefined && !(args["hpl-minutes"] > 0)) {
      throw new BenchError("UsageError", `--hpl-minutes ${args["hpl-minutes"]} must be positive.`, {
        fix: "Pass e.g. --hpl-minutes 5.",
      });
    }
    const { runLocal } = await import("../../runner/local-run.js");
    const { ProcessGroupSet } = await import("../../runner/processes.js");
    const processes = new ProcessGroupSet();
    let signals = 0;
    const stop = () => {
      signals++;
      io.stderr.write(
        signals === 1
          ? "\nrun: interrupted; stopping the running benchmark and keeping what finished…\n"
          : "\nrun: interrupted again; killing the running benchmark now\n",
      );
      processes.stopAll(signals > 1);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    let outcome: LocalRunOutcome;
    try {
      outcome = await runLocal(
        {
          benchmarks,
          quick: args.quick,
          trials: args.trials,
          outDir: args.out === undefined ? undefined : resolve(io.cwd, args.out),
          cwd: io.cwd,
          env: io.env,
          programs: assignments("--program", args.program, (path) => resolve(io.cwd, path)),
          sources: assignments("--source", args.source, (path) => resolve(io.cwd, path)),
          hplMinutes: args["hpl-minutes"],
          hplSizing: args["hpl-sizing"],
          overrides: {
            streamArraySize: args["stream-array-size"],
            streamNtimes: args["stream-ntimes"],
            hplN: args["hpl-n"],
            hplNb: args["hpl-nb"],
            coremarkThreads: args["coremark-threads"],
          },
          imds: args.imds,
          imageRoot: resolve(io.cwd, args["image-root"]),
          sourceMirror: args["source-mirror"],
          customs,
          progress: (line) => io.stderr.write(`${line}\n`),
        },
        processes,
      );
    } finally {
      process.removeListener("SIGINT", stop);
      process.removeListener("SIGTERM", stop);
    }
    if (args.json) io.stdout.write(`${JSON.stringify(summaryJson(outcome), null, 2)}\n`);
    else printSummary(outcome, io);
    if (outcome.interrupted) return ExitCode.Interrupted;
    const headlines = outcome.result.benchmarks.filter((section) => !section.supplementary);
    const valid = headlines.filter((section) => section.validity.valid).length;
    if (valid === 0) return ExitCode.Failure;
    return outcome.skipped.length > 0 || valid < headlines.length ? ExitCode.Partial : ExitCode.Success;
  },
});

function assignments(
  flag: string,
  values: readonly string[] | undefined,
  transform: (value: string) => string = (value) => value,
): Partial<Record<BenchmarkName, string>> {
  const result: Partial<Record<BenchmarkName, string>> = {};
  for (const value of values ?? []) {
    const m = /^([a-z][a-z0-9-]*)=(.+)$/.exec(value);
    if (!m || !benchmarkNames.includes(m[1] as string))
      throw new BenchError(
        "UsageError",
        `${flag} '${value}' is not NAME=PATH with NAME one of ${benchmarkNames.join(", ")}.`,
        { fix: `e.g. ${flag} stream=./stream.c` },
      );
    result[m[1] as BenchmarkName] = transform(m[2] as string);
  }
  return result;
}

function summaryJson(outcome: LocalRunOutcome): object {
  return {
    runId: outcome.runId,
    outDir: outcome.outDir,
    resultPath: outcome.resultPath,
    interrupted: outcome.interrupted,
    skipped: outcome.skipped,
    benchmarks: outcome.result.benchmarks.map((section) => ({
      benchmark: section.custom?.name ?? section.benchmark,
      implementation: section.implementation,
      headline: section.headline,
      validity: section.validity,
    })),
  };
}

function printSummary(outcome: LocalRunOutcome, io: CliIo): void {
  const rows = [
    ["benchmark", "implementation", "configuration", "metric", "median", "interval (coverage)", "n", "valid"],
  ];
  for (const section of outcome.result.benchmarks) {
    for (const configuration of section.configurations) {
      const isHeadline = configuration.id === section.headline.configuration;
      const metric = section.headline.metric;
      const stats = configuration.statistics[metric];
      const interval = stats?.medianInterval
        ? `[${format(stats.medianInterval.low)}, ${format(stats.medianInterval.high)}] (${Math.round(stats.medianInterval.confidence * 100)}%${stats.medianInterval.meetsTarget ? "" : ", n too small for 95%"})`
        : "-";
      const validTrials = configuration.trials.filter((trial) => trial.valid).length;
      rows.push([
        section.custom?.name ?? section.benchmark,
        section.implementation,
        `${configuration.id}${isHeadline ? " *" : ""}`,
        metric,
        stats ? `${format(stats.median)} ${stats.unit}` : "-",
        interval,
        `${validTrials}/${configuration.trials.length}`,
        isHeadline
          ? section.validity.valid
            ? "yes"
            : `no: ${section.validity.reason ?? ""}`
          : validTrials > 0
            ? "yes"
            : "no",
      ]);
    }
  }
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  const lines = rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd(),
  );
  for (const skipped of outcome.skipped)
    lines.push(`skipped ${skipped.benchmark}: ${skipped.reason}\n  fix: ${skipped.fix}`);
  lines.push("* headline configuration (fixed in advance)");
  lines.push(`result: ${outcome.resultPath}${outcome.interrupted ? " (interrupted: holds what finished)" : ""}`);
  io.stdout.write(`${lines.join("\n")}\n`);
}

function format(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(1) : value.toPrecision(4);
}

/**
 * STREAM (John McCalpin's stream.c): sustainable memory bandwidth. Built per host from its source, because
 * the array size and repetitions are compile-time constants; a prebuilt binary runs with whatever it was built
 * with. Every placement configuration is reported; the headline is all cores, one thread per core, spread and
 * bound, Triad. Where no stream.c or binary is found, the project's own kernel (aws-bench-membw) measures the same
 * quantity by the same rules when a C compiler is present — recorded as benchmark `membw`, never as STREAM — and
 * otherwise HPCC does (its StarSTREAM and SingleSTREAM, labelled non-conforming when below the array rule).
 */
import { join } from "node:path";
import type {
  BenchmarkContext,
  BenchmarkDefinition,
  OwnProgram,
  PreparedRun,
  RunSettings,
  SourceProvenance,
  TrialRun,
} from "../definition.js";
import { compilerTarget, compilerVersion } from "../toolchain.js";
import type { BuildProvenance } from "../../schemas/generated/benchmark-result.js";
import { hpccSuite } from "../hpcc/suite.js";
import type { HostProbe } from "../host.js";
import { membwArgs, membwCompileArgs, membwKernel } from "../membw/launch.js";
import { membwBenchmarkName, membwImplementation, parseMembwOutput } from "../membw/parse.js";
import { streamCompileArgs, streamConfigurations } from "./launch.js";
import { parseStreamOutput } from "./parse.js";
import type { StreamSizing } from "./sizing.js";
import { estimateStreamSeconds, sizeStream, streamConformance, streamRuleElements } from "./sizing.js";

/** STREAM's sizing for a run: computed, or the user's override. */
export function sizeStreamForRun(
  host: Pick<HostProbe, "lastLevelCacheBytes" | "availableMemoryMiB" | "architecture">,
  settings: RunSettings,
): StreamSizing {
  return sizeStream(host, {
    arraySize: settings.overrides?.streamArraySize,
    ntimes: settings.overrides?.streamNtimes,
    quick: settings.quick,
  });
}

function prepareStream(context: BenchmarkContext, program: OwnProgram): PreparedRun {
  const { host } = context;
  const sizing = sizeStreamForRun(host, context.settings);
  if (program.how === "project-kernel") return prepareMembw(context, program.path, sizing);
  let path = program.path;
  let build: BuildProvenance | undefined;
  const parameters: Record<string, string | number | boolean> = { program: program.how };
  if (program.kind === "source") {
    path = join(context.outDir, "build", "stream");
    const args = streamCompileArgs(host, sizing, join(program.path, "stream.c"), path);
    context.compile("stream", args);
    build = compiledBuild(host, args, program.source);
    Object.assign(parameters, {
      arraySize: sizing.arraySize,
      ntimes: sizing.ntimes,
      arraySizeLimitedBy: sizing.limitedBy,
      mcmodelMedium: sizing.mcmodelMedium,
    });
    for (const note of sizing.notes) context.progress(`stream: ${note}`);
  } else parameters["arraySizeFixedAtBuild"] = true;
  return {
    parameters,
    implementation: "stream.c-openmp",
    ...(build ? { build } : {}),
    ...(program.kind === "source" ? { conformance: streamConformance(host, sizing.arraySize) } : {}),
    configurations: streamConfigurations(host, context.tools.numactl).map((launch) => ({
      launch,
      command: { path, args: [] },
      timeoutSeconds: Math.ceil(estimateStreamSeconds(sizing, host, launch.threads) * 4 + 60),
    })),
  };
}

/** What a build with `cc` of `args` was: compiler, flags, the command, the target, and the source when pinned. */
function compiledBuild(
  host: Pick<HostProbe, "architecture">,
  args: readonly string[],
  source: SourceProvenance | undefined,
): BuildProvenance {
  return {
    ...(source ? { source } : {}),
    compiler: compilerVersion("cc") ?? "unknown",
    flags: args.filter((arg) => /^-(O|m|f|D)/.test(arg)).join(" "),
    buildCommand: `cc ${args.join(" ")}`,
    target: compilerTarget("cc", host),
  };
}

/**
 * The project's own kernel answering a `stream` request (no stream.c and no STREAM binary could be had): built
 * here, sized by STREAM's rules, run in STREAM's configurations, and recorded as benchmark `membw`,
 * implementation `aws-bench-membw` — never as STREAM.
 */
function prepareMembw(context: BenchmarkContext, sourceDirectory: string, sizing: StreamSizing): PreparedRun {
  const { host } = context;
  const path = join(context.outDir, "build", membwImplementation);
  const args = membwCompileArgs(host, sourceDirectory, path);
  context.compile(membwImplementation, args);
  for (const note of sizing.notes) context.progress(`${membwBenchmarkName}: ${note}`);
  context.progress(
    `stream: no STREAM source or program; measuring with the project's own kernel, recorded as '${membwBenchmarkName}' (not STREAM)`,
  );
  return {
    parameters: {
      program: "project-kernel",
      requestedAs: "stream",
      arraySize: sizing.arraySize,
      ntimes: sizing.ntimes,
      arraySizeLimitedBy: sizing.limitedBy,
      streamRuleElements: streamRuleElements(host),
      allocation: "heap",
    },
    implementation: membwImplementation,
    build: compiledBuild(host, args, undefined),
    recordedAs: membwBenchmarkName,
    conformance: streamConformance(host, sizing.arraySize),
    configurations: streamConfigurations(host, context.tools.numactl).map((launch) => ({
      launch,
      command: { path, args: membwArgs(sizing) },
      timeoutSeconds: Math.ceil(estimateStreamSeconds(sizing, host, launch.threads) * 4 + 60),
    })),
  };
}

/** Reads a STREAM output, or the project kernel's (recognised by its format line). */
function parseBandwidthOutput(text: string, label: string): TrialRun[] {
  return /^format: aws-bench-membw\//m.test(text) ? parseMembwOutput(text, label) : parseStreamOutput(text, { label });
}

/** STREAM. */
export const streamBenchmark: BenchmarkDefinition = {
  name: "stream",
  description: "sustainable memory bandwidth (Copy, Scale, Add, Triad) in each placement configuration",
  program: {
    kind: "searched",
    executables: ["stream", "stream_c.exe", "stream_omp"],
    sourceMarker: "stream.c",
    fix: "apt-get install gcc (the project's own bandwidth kernel) or hpcc (HPCC's STREAM), or pass --source stream=PATH/TO/stream.c",
    projectKernel: membwKernel,
    suites: [hpccSuite],
  },
  estimateTrialSeconds: (host, settings, tools) => {
    const sizing = sizeStreamForRun(host, settings);
    return streamConfigurations(host, tools.numactl).reduce(
      (sum, configuration) => sum + estimateStreamSeconds(sizing, host, configuration.threads),
      0,
    );
  },
  prepare: prepareStream,
  parse: parseBandwidthOutput,
  validity:
    "STREAM's own check: 'Solution Validates' and no 'Failed Validation' line; a bandwidth printed as inf or nan is never a number",
  metrics: [
    { name: "copy", units: ["MB/s", "GB/s"], description: "Copy bandwidth, best of NTIMES" },
    { name: "scale", units: ["MB/s", "GB/s"], description: "Scale bandwidth, best of NTIMES" },
    { name: "add", units: ["MB/s", "GB/s"], description: "Add bandwidth, best of NTIMES" },
    { name: "triad", units: ["MB/s", "GB/s"], description: "Triad bandwidth, best of NTIMES" },
    {
      name: "triadAllRanks",
      units: ["GB/s"],
      description: "HPCC StarSTREAM: Triad bandwidth per rank times the ranks (all cores at once)",
    },
  ],
  headline: {
    configuration: "all-cores-spread",
    metric: "triad",
    metricByImplementation: { "hpcc-starstream": "triadAllRanks" },
  },
};

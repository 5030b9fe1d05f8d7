/**
 * What a benchmark is, for the runner and the batch planner. A definition says where the benchmark's program
 * comes from, how long one trial takes on a host (sizing lives in the benchmark's folder and feeds both the
 * estimate and the run), how the program is built and launched in each configuration, how an output is read and
 * judged, which metrics it reports and which configuration and metric stand for it — fixed before any number is
 * seen. Each benchmark folder holds one definition and registry.ts lists them; the runner and the planner branch
 * on nothing else.
 *
 * A program suite (HPCC) is not a benchmark: it is a program that measures several benchmarks in one execution,
 * offered by their definitions as a last resort and run once for all of them.
 */
import type { BuildProvenance } from "../schemas/generated/benchmark-result.js";
import type { ParsedRun } from "../schemas/generated/parsed-output.js";
import type { HostProbe } from "./host.js";
import type { LaunchConfiguration } from "./launch.js";

/**
 * A run as the runner records it: a parsed run of any registered benchmark. (The parsed-output schema lists the
 * built-in names only, because `aws-bench parse` reads only their programs.)
 */
export type TrialRun = Omit<ParsedRun, "benchmark"> & { benchmark: string };

/** A trial that produced no readable run (timed out, crashed, printed nothing the parser knows): invalid, with why. */
export function failedTrialRun(benchmark: string, implementation: string, reason: string): TrialRun {
  return {
    benchmark,
    implementation,
    parameters: {},
    metrics: {},
    valid: false,
    invalidReason: reason,
    notes: [],
    line: 1,
  };
}

/** Sizes the user fixed by hand (each recorded as `override` where its benchmark records the rule that set it). */
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

/** The run's settings that sizing reads; each benchmark reads the ones that concern it. */
export interface RunSettings {
  /** Shorter run (2 trials, HPL within 1 minute). */
  quick: boolean;
  /** HPL time budget in minutes (default 5, quick 1). */
  hplMinutes?: number | undefined;
  /** HPL sizing rule. */
  hplSizing?: "time" | "top500" | undefined;
  /** Sizes given by the user instead of the computed ones. */
  overrides?: SizingOverrides | undefined;
  /** FP64 FLOPs per cycle per core when known better than the CPU flags tell (the planner's family facts). */
  flopsPerCycle?: number | undefined;
}

/** Programs on the host that change how benchmarks are launched. */
export interface HostTools {
  /** mpirun, when on PATH. */
  mpirun?: string | undefined;
  /** mpicc, when on PATH (HPL's build). */
  mpicc?: string | undefined;
  /** numactl, when on PATH (STREAM measures each NUMA node alone with it). */
  numactl?: string | undefined;
  /** Running as root (mpirun then needs `--allow-run-as-root`). */
  asRoot: boolean;
}

/** A command to run. */
export interface CommandSpec {
  /** Executable. */
  command: string;
  /** Arguments (never passed through a shell). */
  args: readonly string[];
  /** Working directory. */
  cwd: string;
  /** Environment additions. */
  env?: Record<string, string>;
  /** File receiving stdout. */
  stdoutFile: string;
  /** File receiving stderr. */
  stderrFile: string;
  /** Kill after this many seconds. */
  timeoutSeconds: number;
}

/** How a command ended. */
export interface CommandOutcome {
  /** Exit code, or null when killed by a signal. */
  exitCode: number | null;
  /** Signal that ended it. */
  signal: NodeJS.Signals | null;
  /** Whether the timeout fired. */
  timedOut: boolean;
  /** Whether it was stopped because the run was interrupted. */
  interrupted: boolean;
  /** Wall seconds. */
  seconds: number;
}

/** What the runner offers a benchmark while it prepares and runs. */
export interface BenchmarkContext {
  /** The host. */
  readonly host: HostProbe;
  /** The run's settings. */
  readonly settings: RunSettings;
  /** mpirun, numactl, root. */
  readonly tools: HostTools;
  /** Trials per configuration. */
  readonly trials: number;
  /** The run directory: `raw/`, `inputs/` (generated input files, published), `build/` (build logs), `work/`. */
  readonly outDir: string;
  /** True once the run was interrupted: start nothing new. */
  readonly interrupted: boolean;
  /** Writes a progress line. */
  progress(line: string): void;
  /** Runs `cc args`, logging to `build/<name>.log`; throws `BuildFailed` naming the log. */
  compile(name: string, args: readonly string[]): void;
  /**
   * Where programs built from verified sources are kept between runs on this host (HPL: built once per source,
   * compiler, BLAS and target); undefined to build into the run directory every time.
   */
  readonly buildCacheDir?: string | undefined;
  /** Records which BLAS `program` loads (for the result's toolchain) and warns about the reference BLAS. */
  noteBlas(program: string): string | undefined;
  /** Runs one command in its own process group (stopped on timeout and on Ctrl-C). */
  run(spec: CommandSpec): Promise<CommandOutcome>;
  /** Reports a finished trial with the time left (for code that runs its own trial loop, like a suite). */
  reportTrial(label: string, configuration: string, trial: number, seconds: number): void;
}

/** The program chosen for a benchmark. */
export type ProgramChoice =
  | {
      kind: "binary";
      how: "explicit-program" | "image-program" | "path";
      path: string;
      /** How an image's program was built, from the record the image carries beside it. */
      build?: BuildProvenance;
    }
  | {
      kind: "source";
      how: "explicit-source" | "image-source" | "manifest" | "project-kernel";
      path: string;
      pinned?: string;
      /** The source's checksum and how it was verified, recorded with every build from it. */
      source?: SourceProvenance;
    }
  | { kind: "suite"; how: string; path: string; suite: ProgramSuite }
  | { kind: "declared"; how: "declared"; path: string };

/** Where a source came from and how it was checked (a result's `build.source`). */
export type SourceProvenance = NonNullable<BuildProvenance["source"]>;

/** The programs a definition prepares itself: a suite's benchmarks are run by the suite. */
export type OwnProgram = Exclude<ProgramChoice, { kind: "suite" }>;

/** Where a benchmark's program comes from. */
export type ProgramSpec = SearchedProgram | DeclaredProgram;

/**
 * A program the runner looks for, in its fixed order (src/runner/programs.ts): `--program`/`--source`, the
 * image's `bin/` and `sources/<name>/`, the pinned source in configs/sources.json under the benchmark's name,
 * PATH, then each suite.
 */
export interface SearchedProgram {
  /** Discriminant. */
  kind: "searched";
  /** Executable names in the image's `bin/` and on PATH, in order of preference. */
  executables: readonly string[];
  /** The file that identifies a source tree (a single file given as the source is saved under this name). */
  sourceMarker: string;
  /** The command that gets a program, printed when none is found. */
  fix: string;
  /**
   * The project's own program for the quantity, tried after PATH and before the suites (for `stream`: the
   * memory-bandwidth kernel `aws-bench-membw`). It is compiled per host with `cc`, so it is offered only when a C
   * compiler is on PATH; its runs are recorded under their own benchmark name, never as the benchmark's.
   */
  projectKernel?: ProjectKernel;
  /** Suites that measure this benchmark among others, tried last. */
  suites?: readonly ProgramSuite[];
}

/** The project's own source for a benchmark's quantity, shipped with the package (see {@link SearchedProgram}). */
export interface ProjectKernel {
  /** What it is called in the attempts and the progress lines. */
  name: string;
  /** The folder holding its source (absolute; a function because it is found from the installed package). */
  directory: () => string;
  /** The file that must be in that folder. */
  sourceFile: string;
}

/**
 * Whether a section measured what its benchmark's own run rules ask for (for bandwidth: each array at least 4×
 * all last-level caches). A non-conforming section keeps its trials and statistics but never gives a headline.
 */
export type Conformance = { conforming: true } | { conforming: false; reason: string };

/** A command the definition names itself (a custom benchmark file's): nothing is searched for or built. */
export interface DeclaredProgram {
  /** Discriminant. */
  kind: "declared";
  /** The file that declares the command. */
  file: string;
}

/** One configuration of a prepared run: how it is launched, its command and its time limit. */
export interface PlannedConfiguration {
  /** Id, description, environment, placement prefix and threads. */
  launch: LaunchConfiguration;
  /** The program and its arguments (the launch's prefix goes before them); `cwd` defaults to the raw folder. */
  command: { path: string; args: readonly string[]; cwd?: string };
  /** A trial still running after this many seconds is stopped and recorded as timed out. */
  timeoutSeconds: number;
  /** Trials of this configuration when not the run's count (CoreMark's validation run: once). */
  trials?: number;
  /** Asks for one more attempt of a trial with other arguments, saying why (CoreMark's 10 s minimum). */
  rerun?: (run: TrialRun) => { args: string[]; why: string } | undefined;
}

/** A benchmark sized, built and laid out for this host, ready for its trials. */
export interface PreparedRun {
  /** Recorded in the result: sizes, the rule that set them, where the program came from. */
  parameters: Record<string, string | number | boolean>;
  /** The configurations, each run for every trial, in order. */
  configurations: readonly PlannedConfiguration[];
  /** Implementation recorded for trials with no parsable output when no other trial names one. */
  implementation: string;
  /**
   * The benchmark name results record these runs under when the program measures the quantity but is not the
   * benchmark itself (the project's bandwidth kernel answering a `stream` request is recorded as `membw`).
   */
  recordedAs?: string;
  /** Whether the run follows the benchmark's run rules, when the benchmark has such rules. */
  conformance?: Conformance;
  /** How the program was built on this host (source checksum, compiler, flags, BLAS, target), when it was. */
  build?: BuildProvenance;
  /** Adjusts what is recorded once the trials are in (a prebuilt program reports what it was built with). */
  finish?: (configurations: ConfigurationTrials[]) => {
    parameters: Record<string, string | number | boolean>;
    configurations: ConfigurationTrials[];
  };
}

/** One trial as collected: its run and where its raw output is. */
export interface TrialEntry {
  /** The parsed run (or the reason there is none, as an invalid run). */
  run: TrialRun;
  /** Raw output, relative to the run directory. */
  rawFile?: string;
  /** When it started. */
  startedAt?: string;
  /** Wall seconds. */
  durationSeconds?: number;
}

/** One configuration's trials, as the runner collected them. */
export interface ConfigurationTrials {
  /** Configuration id, e.g. `all-cores-spread`, `numa-node-1`, `single-thread`. */
  id: string;
  /** What it is, for people. */
  description: string;
  /** Placement settings (OMP_PROC_BIND, OMP_PLACES, numactl binding…). */
  placement?: Record<string, string | number | boolean>;
  /** Each trial's parsed run and where its raw output is. */
  trials: TrialEntry[];
}

/** The configuration and metric that stand for a benchmark, decided before any number is seen. */
export interface HeadlineChoice {
  /** Configuration id. */
  configuration: string;
  /** Metric name. */
  metric: string;
  /**
   * Implementations whose output carries the headline quantity under another metric: HPCC's StarSTREAM prints
   * per-rank bandwidth, so its headline is the sum over ranks (`triadAllRanks`).
   */
  metricByImplementation?: Readonly<Record<string, string>>;
}

/** A metric a benchmark reports. */
export interface MetricDeclaration {
  /** Name in `metrics` of a run. */
  name: string;
  /** The units it comes in, as its implementations print them (never converted, so never mixed in statistics). */
  units: readonly string[];
  /** What it measures. */
  description: string;
}

/** A benchmark. */
export interface BenchmarkDefinition {
  /** Lower-case name: `--benchmarks`, `--program NAME=…`, results, `raw/<name>/`, configs/sources.json. */
  name: string;
  /** One line for people. */
  description: string;
  /** Where its program comes from. */
  program: ProgramSpec;
  /**
   * Predicted seconds of one trial of every configuration with its own program on `host`. The runner's
   * progress and the batch planner's timers, deadlines and cost come from it: err long.
   */
  estimateTrialSeconds(host: HostProbe, settings: RunSettings, tools: HostTools): number;
  /** Sizes it for the host, builds the program when it is a source, and lays out the configurations. */
  prepare(context: BenchmarkContext, program: OwnProgram): PreparedRun | Promise<PreparedRun>;
  /** Reads one trial's output (the first run found counts); throws `OutputUnparseable` when it cannot. */
  parse(text: string, label: string): TrialRun[];
  /** The benchmark's own rule for a valid run, in words; `parse` applies it (a run it fails is invalid, with the reason). */
  validity: string;
  /** The metrics it reports, with their units. */
  metrics: readonly MetricDeclaration[];
  /** The headline. */
  headline: HeadlineChoice;
  /**
   * How results name it when not by `name`: a benchmark declared in a file is recorded as `custom` with its own
   * name and the file's SHA-256, under `raw/custom/<name>/`.
   */
  recordedAs?: { benchmark: "custom"; custom: { name: string; definitionSha256: string } };
}

/** A section a suite measured, for the runner to summarize with its benchmark's headline. */
export interface SuiteSection {
  /** The benchmark measured. */
  benchmark: string;
  /** Recorded parameters. */
  parameters: Record<string, string | number | boolean>;
  /** Configurations and their trials. */
  configurations: ConfigurationTrials[];
  /** A measurement beside the headline, its own implementation: its headline is this configuration of its own. */
  supplementaryHeadline?: string;
  /** Whether it follows the benchmark's run rules, when the benchmark has such rules. */
  conformance?: Conformance;
}

/** A program that measures several benchmarks in one execution per trial (HPCC: STREAM and HPL). */
export interface ProgramSuite {
  /** Name: printed, recorded as the program, and the name of its raw folder. */
  name: string;
  /** Executable names on PATH. */
  executables: readonly string[];
  /** Other programs it needs on PATH. */
  requires: readonly string[];
  /** Predicted seconds of one execution measuring `benchmarks`. */
  estimateTrialSeconds(host: HostProbe, settings: RunSettings, benchmarks: readonly string[]): number;
  /** Runs every trial, each one execution measuring `benchmarks`. */
  run(context: BenchmarkContext, program: string, benchmarks: readonly string[]): Promise<SuiteSection[]>;
}

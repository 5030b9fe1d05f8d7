/**
 * The trial loop: a benchmark prepared by its definition runs every configuration `trials` times, each trial
 * one process group with a timeout, its output kept under raw/ and read by the benchmark's parser; a trial that
 * timed out, failed or printed nothing readable is kept as an invalid trial with the reason. The trials become
 * the result's section, with the headline the definition fixed in advance.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import type {
  BenchmarkContext,
  BenchmarkDefinition,
  ConfigurationTrials,
  OwnProgram,
  PlannedConfiguration,
  TrialEntry,
  TrialRun,
} from "../benchmarks/definition.js";
import { failedTrialRun } from "../benchmarks/definition.js";
import type { BenchmarkRun } from "../schemas/generated/benchmark-result.js";
import { summarizeBenchmark } from "./benchmark-summary.js";

/** The name results give `definition`'s sections (`custom` for a benchmark declared in a file). */
function recordedName(definition: BenchmarkDefinition): string {
  return definition.recordedAs?.benchmark ?? definition.name;
}

/** Prepares `definition` with its program, runs its trials and summarizes them into a result section. */
export async function runBenchmark(
  context: BenchmarkContext,
  definition: BenchmarkDefinition,
  program: OwnProgram,
): Promise<BenchmarkRun> {
  const prepared = await definition.prepare(context, program);
  // The project's own kernel answering a request is recorded under its own name (and raw folder), never the request's.
  const benchmark = prepared.recordedAs ?? recordedName(definition);
  const rawFolder = definition.recordedAs ? join(benchmark, definition.name) : (prepared.recordedAs ?? definition.name);
  let configurations: ConfigurationTrials[] = [];
  for (const configuration of prepared.configurations)
    configurations.push(await runTrials(context, benchmark, configuration, definition, rawFolder));
  settleImplementation(configurations, prepared.implementation);
  let parameters = prepared.parameters;
  if (prepared.finish) ({ parameters, configurations } = prepared.finish(configurations));
  const summarized = summarizeBenchmark(benchmark, parameters, configurations, {
    headline: definition.headline,
    ...(prepared.conformance ? { conformance: prepared.conformance } : {}),
  });
  const section = prepared.build ? { ...summarized, build: prepared.build } : summarized;
  return definition.recordedAs?.custom ? { ...section, custom: definition.recordedAs.custom } : section;
}

/** Runs one configuration's trials; its `rerun` may ask for one more attempt of a trial with other arguments. */
export async function runTrials(
  context: BenchmarkContext,
  benchmark: string,
  planned: PlannedConfiguration,
  parser: Pick<BenchmarkDefinition, "parse">,
  rawFolder: string = benchmark,
): Promise<ConfigurationTrials> {
  const { launch: configuration, command, timeoutSeconds, rerun } = planned;
  const trials: TrialEntry[] = [];
  const dir = join(context.outDir, "raw", rawFolder, configuration.id);
  mkdirSync(dir, { recursive: true });
  const attempt = async (trial: number, args: readonly string[], suffix: string) => {
    const stdoutFile = join(dir, `trial-${trial}${suffix}.txt`);
    const startedAt = new Date().toISOString();
    const outcome = await context.run({
      command: configuration.prefix[0] ?? command.path,
      args: configuration.prefix.length ? [...configuration.prefix.slice(1), command.path, ...args] : args,
      cwd: command.cwd ?? dir,
      env: { ...configuration.env },
      stdoutFile,
      stderrFile: join(dir, `trial-${trial}${suffix}.stderr.txt`),
      timeoutSeconds,
    });
    const rawFile = relative(context.outDir, stdoutFile);
    // A trial with no parsable output takes the implementation of its siblings (settleImplementation).
    const failed = (reason: string): TrialRun => failedTrialRun(benchmark, "", reason);
    let run: TrialRun;
    if (outcome.timedOut) run = failed(`timed out after ${timeoutSeconds} s`);
    else if (outcome.exitCode !== 0)
      run = failed(
        `exited with ${outcome.exitCode === null ? `signal ${outcome.signal ?? "?"}` : `code ${outcome.exitCode}`} (see ${rawFile.replace(/\.txt$/, ".stderr.txt")})`,
      );
    else {
      try {
        run = parser.parse(readFileSync(stdoutFile, "utf8"), rawFile)[0] ?? failed("no run in the output");
      } catch (error) {
        run = failed((error as Error).message);
      }
    }
    const durationSeconds = Math.round(outcome.seconds * 1000) / 1000;
    return { outcome, entry: { run, rawFile, startedAt, durationSeconds } };
  };
  const count = planned.trials ?? context.trials;
  for (let trial = 1; trial <= count && !context.interrupted; trial++) {
    let { outcome, entry } = await attempt(trial, command.args, "");
    if (outcome.interrupted) break;
    context.reportTrial(benchmark, configuration.id, trial, outcome.seconds);
    const again = rerun?.(entry.run);
    if (again && !context.interrupted) {
      context.progress(`[${benchmark}] ${configuration.id} trial ${trial}: ${again.why}; running it again`);
      const first = entry.rawFile;
      ({ outcome, entry } = await attempt(trial, again.args, "-rerun"));
      if (outcome.interrupted) break;
      entry.run.notes.push(`${again.why}; rerun (first attempt kept in ${first})`);
    }
    trials.push(entry);
  }
  return { id: configuration.id, description: configuration.description, placement: configuration.placement, trials };
}

/** Trials that produced no parsable output belong to the program that ran: give them its implementation. */
export function settleImplementation(configurations: readonly ConfigurationTrials[], fallback: string): void {
  const runs = configurations.flatMap((configuration) => configuration.trials.map((trial) => trial.run));
  const implementation = runs.find((run) => run.implementation !== "")?.implementation ?? fallback;
  for (const run of runs) if (run.implementation === "") run.implementation = implementation;
}

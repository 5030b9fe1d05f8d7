/**
 * How long a run takes before it starts, from each benchmark's own estimate: what the runner prints as its
 * progress and what the batch planner turns into timers, deadlines and cost. A suite counts once per trial for
 * all the benchmarks it measures.
 */
import type { BenchmarkDefinition, HostTools, ProgramSuite, RunSettings } from "./definition.js";
import type { HostProbe } from "./host.js";

/** Trials per configuration unless `--trials` says otherwise: 5, or 2 with `--quick`. */
export function defaultTrials(quick: boolean | undefined): number {
  return quick ? 2 : 5;
}

/** A benchmark as it will run: by its own program, or by a suite that measures it with others. */
export interface PlannedBenchmark {
  /** The benchmark. */
  definition: BenchmarkDefinition;
  /** The suite that measures it, when that is its program. */
  suite?: ProgramSuite | undefined;
}

/** Predicted seconds of running `planned` with `trials` trials of each configuration. */
export function estimateRunSeconds(
  host: HostProbe,
  planned: readonly PlannedBenchmark[],
  trials: number,
  settings: RunSettings,
  tools: HostTools,
): number {
  const suites = new Map<ProgramSuite, string[]>();
  for (const { definition, suite } of planned)
    if (suite) suites.set(suite, [...(suites.get(suite) ?? []), definition.name]);
  let seconds = 0;
  // Suites run first (src/runner/local-run.ts); the sum keeps that order.
  for (const [suite, benchmarks] of suites) seconds += trials * suite.estimateTrialSeconds(host, settings, benchmarks);
  for (const { definition, suite } of planned)
    if (!suite) seconds += trials * definition.estimateTrialSeconds(host, settings, tools);
  return seconds;
}

/**
 * The programs the benchmark image's runner falls back to when its own fail (its verified sources and the HPL 2.3 it
 * built are taken first): the benchmark's first suite when it has one (Debian's HPCC for STREAM and HPL), else its
 * own program. The planner estimates both and keeps the longer.
 */
export function plannedOnImage(definitions: readonly BenchmarkDefinition[]): PlannedBenchmark[] {
  return definitions.map((definition) => ({
    definition,
    suite: definition.program.kind === "searched" ? definition.program.suites?.[0] : undefined,
  }));
}

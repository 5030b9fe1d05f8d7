/**
 * Trials of one benchmark in one run → the result document's benchmark section: per configuration every
 * trial and the statistics of each metric over its valid trials; the headline from the configuration fixed in
 * advance for that benchmark (for STREAM: all cores, one thread per core, spread and bound), never the best of
 * several; and validity. Trials of different implementations are never summarized together.
 */
import type { Conformance, ConfigurationTrials, HeadlineChoice } from "../benchmarks/definition.js";
import type { BenchmarkRegistry } from "../benchmarks/registry.js";
import { builtinBenchmarks } from "../benchmarks/registry.js";
import type { BenchmarkRun, Configuration, Statistics, Trial } from "../schemas/generated/benchmark-result.js";
import { summarize } from "./statistics.js";

/** One configuration's trials (the type moved to the benchmark definitions; re-exported for the runner's callers). */
export type { ConfigurationTrials };

/** The headline configuration and metric of each built-in benchmark, as their definitions fix them in advance. */
export const headlineChoice: Readonly<Record<string, { configuration: string; metric: string }>> = Object.fromEntries(
  builtinBenchmarks.definitions.map(({ name, headline }) => [
    name,
    { configuration: headline.configuration, metric: headline.metric },
  ]),
);

/** Options of {@link summarizeBenchmark}. */
export interface SummaryOptions {
  /**
   * A supplementary section (a measurement beside the headline, such as HPCC's SingleSTREAM): its headline is
   * this configuration of its own, and it never stands for the benchmark.
   */
  supplementaryHeadline?: string;
  /** The headline, when not the registered benchmark's (a custom benchmark's, as its file declares it). */
  headline?: HeadlineChoice;
  /** Where a benchmark's headline is looked up when none is given (default: the built-in registry). */
  registry?: BenchmarkRegistry;
  /** Whether the run followed the benchmark's run rules; a non-conforming section's headline has no statistics. */
  conformance?: Conformance;
}

/** Builds a benchmark section; throws when trials of different implementations or benchmarks are mixed. */
export function summarizeBenchmark(
  benchmark: string,
  parameters: Record<string, string | number | boolean>,
  configurations: readonly ConfigurationTrials[],
  options: SummaryOptions = {},
): BenchmarkRun {
  const runs = configurations.flatMap((configuration) => configuration.trials.map((trial) => trial.run));
  const implementations = [...new Set(runs.map((run) => run.implementation))];
  if (implementations.length > 1)
    throw new Error(
      `${benchmark}: trials of different implementations (${implementations.join(", ")}) cannot be summarized together`,
    );
  const foreign = runs.find((run) => run.benchmark !== benchmark);
  if (foreign) throw new Error(`${benchmark}: a ${foreign.benchmark} trial was passed`);
  const implementation = implementations[0] ?? "unknown";

  const sections: Configuration[] = configurations.map((configuration) => {
    const trials: Trial[] = configuration.trials.map((trial, index) => ({
      index,
      valid: trial.run.valid,
      ...(trial.run.invalidReason ? { invalidReason: trial.run.invalidReason } : {}),
      metrics: Object.fromEntries(
        Object.entries(trial.run.metrics).map(([name, q]) => [
          name,
          { value: q.value, unit: q.unit, printed: q.printed },
        ]),
      ),
      ...(trial.rawFile ? { rawFile: trial.rawFile } : {}),
      ...(trial.startedAt ? { startedAt: trial.startedAt } : {}),
      ...(trial.durationSeconds === undefined ? {} : { durationSeconds: trial.durationSeconds }),
    }));
    return {
      id: configuration.id,
      description: configuration.description,
      ...(configuration.placement ? { placement: { ...configuration.placement } } : {}),
      trials,
      statistics: metricStatistics(trials),
    };
  });

  const fixed = options.headline ?? (options.registry ?? builtinBenchmarks).get(benchmark)?.headline;
  if (!fixed) throw new Error(`${benchmark}: no headline (not a registered benchmark, and none was given)`);
  const choice = {
    configuration: options.supplementaryHeadline ?? fixed.configuration,
    metric: fixed.metricByImplementation?.[implementation] ?? fixed.metric,
  };
  const headlineSection = sections.find((section) => section.id === choice.configuration);
  const headlineStatistics = headlineSection?.statistics[choice.metric];
  const validTrials = headlineSection?.trials.filter((trial) => trial.valid).length ?? 0;
  // A trial that ran and printed numbers but failed the benchmark's own check (HPL's residual, STREAM's
  // validation) means the machine computed wrong answers: that invalidates the benchmark, not just the trial.
  const ruledOut =
    headlineSection?.trials.filter((trial) => !trial.valid && Object.keys(trial.metrics).length > 0) ?? [];
  const reason = !headlineSection
    ? `the headline configuration '${choice.configuration}' was not run`
    : !headlineStatistics
      ? `no valid trial of '${choice.configuration}' measured ${choice.metric}${firstReason(headlineSection)}`
      : ruledOut.length > 0
        ? `${ruledOut.length} of ${headlineSection.trials.length} trials of '${choice.configuration}' failed the benchmark's own check (first: ${ruledOut[0]?.invalidReason ?? "no reason given"})`
        : undefined;
  // A run outside the benchmark's run rules (HPCC's STREAM below the array rule) keeps its numbers in its
  // configurations, but never gives a headline figure.
  const conforming = options.conformance?.conforming !== false;
  return {
    benchmark,
    implementation,
    parameters: { ...parameters },
    configurations: sections,
    headline: { ...choice, ...(headlineStatistics && conforming ? { statistics: headlineStatistics } : {}) },
    ...(options.supplementaryHeadline ? { supplementary: true } : {}),
    ...(options.conformance ? { conforming: options.conformance.conforming } : {}),
    ...(options.conformance?.conforming === false ? { nonConformingReason: options.conformance.reason } : {}),
    validity: {
      valid: reason === undefined,
      ...(reason ? { reason } : {}),
      validTrials,
      trials: headlineSection?.trials.length ?? 0,
    },
  };
}

/** Statistics of every metric over the valid trials that have a finite value for it. */
function metricStatistics(trials: readonly Trial[]): Record<string, Statistics> {
  const byMetric = new Map<string, { unit: string; values: number[] }>();
  for (const trial of trials.filter((t) => t.valid)) {
    for (const [name, quantity] of Object.entries(trial.metrics)) {
      if (quantity.value === null || !Number.isFinite(quantity.value)) continue;
      const entry = byMetric.get(name) ?? { unit: quantity.unit, values: [] };
      if (entry.unit !== quantity.unit)
        throw new Error(`metric ${name} is reported in both ${entry.unit} and ${quantity.unit}`);
      entry.values.push(quantity.value);
      byMetric.set(name, entry);
    }
  }
  return Object.fromEntries([...byMetric].map(([name, { unit, values }]) => [name, summarize(values, unit)]));
}

function firstReason(section: Configuration): string {
  const reason = section.trials.find((trial) => trial.invalidReason)?.invalidReason;
  return reason ? ` (first trial's reason: ${reason})` : "";
}

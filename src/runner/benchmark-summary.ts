/**
 * Trials of one benchmark in one run → the result document's benchmark section: per configuration every
 * trial and the statistics of each metric over its valid trials; the headline from the configuration fixed in
 * advance for that benchmark (for STREAM: all cores, one thread per core, spread and bound), never the best of
 * several; and validity. Trials of different implementations are never summarized together.
 */
import type { BenchmarkName, ParsedRun } from "../benchmarks/parsed-output.js";
import type { BenchmarkRun, Configuration, Statistics, Trial } from "../schemas/generated/benchmark-result.js";
import { summarize } from "./statistics.js";

/** The headline configuration and metric of each benchmark, decided before any number is seen. */
export const headlineChoice: Readonly<Record<BenchmarkName, { configuration: string; metric: string }>> = {
  stream: { configuration: "all-cores-spread", metric: "triad" },
  hpl: { configuration: "all-cores", metric: "gflops" },
  coremark: { configuration: "all-threads", metric: "iterationsPerSecond" },
};

/**
 * Implementations whose headline metric differs from their benchmark's: HPCC's StarSTREAM prints per-rank
 * bandwidth, so its headline is the sum over ranks (the runner derives `triadAllRanks`).
 */
export const headlineMetricByImplementation: Readonly<Record<string, string>> = { "hpcc-starstream": "triadAllRanks" };

/** One configuration's trials, as the runner collected them. */
export interface ConfigurationTrials {
  /** Configuration id, e.g. `all-cores-spread`, `numa-node-1`, `single-thread`. */
  id: string;
  /** What it is, for people. */
  description: string;
  /** Placement settings (OMP_PROC_BIND, OMP_PLACES, numactl binding…). */
  placement?: Record<string, string | number | boolean>;
  /** Each trial's parsed run and where its raw output is. */
  trials: Array<{ run: ParsedRun; rawFile?: string; startedAt?: string; durationSeconds?: number }>;
}

/** Options of {@link summarizeBenchmark}. */
export interface SummaryOptions {
  /**
   * A supplementary section (a measurement beside the headline, such as HPCC's SingleSTREAM): its headline is
   * this configuration of its own, and it never stands for the benchmark.
   */
  supplementaryHeadline?: string;
  /** The headline of a custom benchmark, as its definition declares it. */
  customHeadline?: { configuration: string; metric: string };
}

/** Builds a benchmark section; throws when trials of different implementations or benchmarks are mixed. */
export function summarizeBenchmark(
  benchmark: BenchmarkName | "custom",
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

  const fixed = benchmark === "custom" ? options.customHeadline : headlineChoice[benchmark];
  if (!fixed) throw new Error("a custom benchmark's section needs its declared headline");
  const choice = {
    configuration: options.supplementaryHeadline ?? fixed.configuration,
    metric: headlineMetricByImplementation[implementation] ?? fixed.metric,
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
  return {
    benchmark,
    implementation,
    parameters: { ...parameters },
    configurations: sections,
    headline: { ...choice, ...(headlineStatistics ? { statistics: headlineStatistics } : {}) },
    ...(options.supplementaryHeadline ? { supplementary: true } : {}),
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

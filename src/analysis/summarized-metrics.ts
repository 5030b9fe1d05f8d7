/** Which metrics of a run's section the analysis summarizes (src/analysis/summaries.ts) and so keeps (run-check.ts). */
import type { BenchmarkRun } from "../schemas/generated/benchmark-result.js";

/**
 * The metrics of `configuration` that are summarized, sorted: every one its trials report, except, beside a rate
 * headline, per-kernel times (STREAM's min, average and max time of each kernel) — the rates carry the same
 * measurement, and the times stay in result.json and the raw files.
 */
export function summarizedMetrics(
  section: BenchmarkRun,
  configuration: BenchmarkRun["configurations"][number],
): string[] {
  const headlineUnit = section.configurations
    .flatMap((c) => c.trials)
    .map((trial) => (section.headline ? trial.metrics[section.headline.metric]?.unit : undefined))
    .find((unit) => unit !== undefined);
  const names = new Set(configuration.trials.flatMap((trial) => Object.keys(trial.metrics)));
  return [...names].sort().filter((name) => {
    const unit = configuration.trials.map((trial) => trial.metrics[name]?.unit).find((u) => u !== undefined);
    return !(unit === "s" && headlineUnit !== undefined && headlineUnit !== "s" && section.headline?.metric !== name);
  });
}

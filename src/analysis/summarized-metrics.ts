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
  const headline = section.headline?.metric;
  let headlineUnit: string | undefined;
  if (headline !== undefined)
    for (const { trials } of section.configurations) {
      for (const trial of trials) {
        headlineUnit = trial.metrics[headline]?.unit;
        if (headlineUnit !== undefined) break;
      }
      if (headlineUnit !== undefined) break;
    }
  // Each metric's unit as its first trial that reports it gives it.
  const units = new Map<string, string>();
  for (const trial of configuration.trials)
    for (const [name, metric] of Object.entries(trial.metrics)) if (!units.has(name)) units.set(name, metric.unit);
  const timesAside = headlineUnit !== undefined && headlineUnit !== "s";
  return [...units.keys()].sort().filter((name) => !(timesAside && units.get(name) === "s" && name !== headline));
}

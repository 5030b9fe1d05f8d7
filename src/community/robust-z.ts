/**
 * Review step 6 (issue #16): a contributed headline far from what other instances of the same type measured needs
 * a person's look. Each headline (the median over the run's trials of the configuration and metric fixed in advance)
 * is scored among the accepted runs' headlines of the same benchmark, implementation, configuration, metric and unit
 * by the robust (modified) z-score of src/analysis/outliers.ts — the median and MAD, so the peers' own outliers do
 * not move the yardstick — computed over the peers and this run together, as analyze scores each instance among
 * its type's. The peers are the same instance type's runs when there are at least
 * {@link MIN_VALUES_FOR_OUTLIER_FLAGS}; otherwise the family's, per physical core (every size of a family shares
 * its processor, so per-core figures are comparable across sizes); with fewer still the step is skipped with a note
 * saying how many there were. |z| beyond the method's threshold (3.5) flags; nothing here rejects, because a fast
 * or slow instance is possible — the ceilings judge what is impossible.
 *
 * Each accepted result counts as one instance: the review's independence step (pseudonyms) is what makes two runs of
 * one instance count once before the runs reach the accepted database.
 */
import { median } from "../analysis/order-statistics.js";
import { MIN_VALUES_FOR_OUTLIER_FLAGS, ROBUST_Z_METHOD, robustZScores } from "../analysis/outliers.js";
import type { BenchmarkResult, BenchmarkRun } from "../schemas/generated/benchmark-result.js";
import type { Finding } from "./findings.js";

/** A section's headline figure and what makes another run's comparable with it. */
interface Headline {
  key: string;
  value: number;
  unit: string;
}

/**
 * Robust z of each headline of `result` against `accepted` (the database's accepted runs; `result` itself, by run
 * id, is left out). One finding per section with a headline: `flag` when |z| exceeds the threshold, `pass` with z
 * otherwise, or `pass` noting the step was skipped for want of peers.
 */
export function robustZ(result: BenchmarkResult, accepted: readonly BenchmarkResult[]): Finding[] {
  const others = accepted.filter((other) => other.runId !== result.runId);
  const type = result.host.instanceType;
  const family = familyOf(type);
  const findings: Finding[] = [];
  for (const section of result.benchmarks) {
    const headline = headlineOf(section);
    if (!headline) continue;
    const finding = (severity: Finding["severity"], reason: string): Finding => ({
      step: "robust-z",
      severity,
      reason,
      section: section.benchmark,
    });
    if (!type) {
      findings.push(finding("pass", "skipped: the run names no instance type to compare it with"));
      continue;
    }
    const sameType = peerValues(others, headline.key, (other) => other.host.instanceType === type);
    if (sameType.length >= MIN_VALUES_FOR_OUTLIER_FLAGS) {
      findings.push(
        judge(finding, headline.value, sameType, `${type}'s ${sameType.length} accepted instances`, headline.unit),
      );
      continue;
    }
    const cores = coresOf(result);
    const sameFamily = peerValues(
      others,
      headline.key,
      (other) => familyOf(other.host.instanceType) === family,
      (other) => coresOf(other),
    );
    if (cores !== undefined && sameFamily.length >= MIN_VALUES_FOR_OUTLIER_FLAGS) {
      findings.push(
        judge(
          finding,
          headline.value / cores,
          sameFamily,
          `family ${family ?? "?"}'s ${sameFamily.length} accepted instances, per physical core`,
          `${headline.unit} per core`,
        ),
      );
      continue;
    }
    findings.push(
      finding(
        "pass",
        `skipped: ${type} has ${sameType.length} accepted instance(s) and family ${family ?? "?"} ${sameFamily.length} with the same headline; robust z needs at least ${MIN_VALUES_FOR_OUTLIER_FLAGS}`,
      ),
    );
  }
  return findings;
}

function judge(
  finding: (severity: Finding["severity"], reason: string) => Finding,
  value: number,
  peers: readonly number[],
  among: string,
  unit: string,
): Finding {
  const scores = robustZScores([...peers, value]);
  const z = scores.z[scores.z.length - 1] as number;
  const stated = `z = ${z.toFixed(2)} among ${among} (${format(value)} ${unit} against their median ${format(scores.median)}, MAD ${format(scores.mad)}; ${ROBUST_Z_METHOD})`;
  return Math.abs(z) > scores.threshold
    ? finding("flag", `far from the other instances, |z| > ${scores.threshold}: ${stated}`)
    : finding("pass", stated);
}

/** The headline figure of a section that has one (valid, conforming, not a supplementary measurement). */
function headlineOf(section: BenchmarkRun): Headline | undefined {
  // From the headline configuration's valid trials, as analyze takes each instance's value: the median. A result
  // as analyze's corpus holds it (slimmed) keeps its trials but not its per-configuration statistics.
  if (!section.headline || !section.validity.valid || section.supplementary) return undefined;
  const { configuration: id, metric } = section.headline;
  const trials = section.configurations.find((configuration) => configuration.id === id)?.trials ?? [];
  const values = trials
    .filter((trial) => trial.valid)
    .map((trial) => trial.metrics[metric]?.value)
    .filter((value): value is number => typeof value === "number" && Number.isFinite(value));
  const unit = trials.map((trial) => trial.metrics[metric]?.unit).find((u) => u !== undefined);
  if (values.length === 0 || unit === undefined) return undefined;
  return {
    key: JSON.stringify([section.benchmark, section.custom?.name ?? "", section.implementation, id, metric, unit]),
    value: median(values),
    unit,
  };
}

/** The headline values (divided by `per`, when given) of the runs `which` selects with the same headline key. */
function peerValues(
  runs: readonly BenchmarkResult[],
  key: string,
  which: (run: BenchmarkResult) => boolean,
  per?: (run: BenchmarkResult) => number | undefined,
): number[] {
  const values: number[] = [];
  for (const run of runs.filter(which)) {
    const divisor = per ? per(run) : 1;
    if (divisor === undefined) continue;
    for (const section of run.benchmarks) {
      const headline = headlineOf(section);
      if (headline?.key === key) values.push(headline.value / divisor);
    }
  }
  return values;
}

function familyOf(type: string | undefined): string | undefined {
  return type?.split(".")[0];
}

function coresOf(result: BenchmarkResult): number | undefined {
  const cores = result.host.cores;
  return cores !== undefined && cores > 0 ? cores : undefined;
}

function format(value: number): string {
  return Number(value.toPrecision(6)).toString();
}

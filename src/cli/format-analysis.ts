/** Text and CSV for `rank` and `compare`: every number printed with its n, interval, coverage and method. */
import { csvField } from "../analysis/csv.js";
import type { RankPer } from "../analysis/rank.js";
import type { compareTypes } from "../analysis/rank.js";
import type { Comparison } from "../analysis/two-sample.js";
import type { ApiRanking } from "../schemas/generated/api-ranking.js";

/** Four significant digits, without exponent for ordinary magnitudes. */
export function significant(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e7 || abs < 1e-4)) return value.toExponential(3);
  return String(Number(value.toPrecision(4)));
}

const percent = (fraction: number) => `${(fraction * 100).toFixed(fraction > 0.99 && fraction < 1 ? 1 : 0)}%`;

/** The ranking as an aligned table (or CSV), grouped by identical rank intervals. */
export function formatRanking(ranking: ApiRanking, as: "table" | "csv"): string {
  const header = [
    "rank",
    "type",
    "median",
    "low",
    "high",
    "coverage",
    "n",
    "evidence",
    "flags",
    ...(ranking.rows.some((r) => r.relative) ? ["vs-baseline", "verdict"] : []),
  ];
  const rows = ranking.rows.map((row) => [
    row.rank ? (row.rank[0] === row.rank[1] ? String(row.rank[0]) : `${row.rank[0]}-${row.rank[1]}`) : "-",
    row.type,
    significant(row.median),
    significant(row.interval.low),
    significant(row.interval.high),
    percent(row.interval.coverage),
    String(row.n),
    row.evidence.join("+"),
    row.flags.join(" ") || "-",
    ...(row.relative
      ? [
          `${significant(row.relative.ratio)}${row.relative.low !== undefined ? ` [${significant(row.relative.low)}, ${significant(row.relative.high ?? Number.NaN)}]` : ""}`,
          row.relative.verdict,
        ]
      : header.length > 9
        ? ["-", "-"]
        : []),
  ]);
  if (as === "csv") return [header, ...rows].map((cells) => cells.map(csvField).join(",")).join("\n") + "\n";
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((cells) => (cells[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  const price = ranking.price
    ? ` Prices: ${ranking.price.region}, on-demand, snapshot ${ranking.price.snapshotDate}.`
    : "";
  const notes = [
    `${ranking.metric}${ranking.implementation ? ` (${ranking.implementation}, ${ranking.configuration})` : ""} in ${ranking.unit}, per ${perName(ranking.per)}; ${ranking.higherIsBetter ? "higher" : "lower"} is better.${price}`,
    `Interval: the median's order-statistic interval with its achieved coverage. Rank: ${ranking.method}; rows with the same rank interval cannot be told apart.`,
  ];
  if (ranking.rows.length === 0) return `${notes[0]}\nNo types to rank.\n`;
  return `${[line(header), ...rows.map(line)].join("\n")}\n\n${notes.join("\n")}\n`;
}

function perName(per: RankPer): string {
  return {
    instance: "instance",
    vcpu: "vCPU",
    core: "physical core",
    "dollar-hour": "USD/hour (on-demand)",
    "dollar-run": "unit of work (cost to solution)",
  }[per];
}

/** A comparison in words: the ratio, its interval, method and verdict, and the same for price-performance. */
export function formatComparison(result: ReturnType<typeof compareTypes>): string {
  const side = (s: typeof result.a) =>
    `${s.type}: median ${significant(s.median)} ${result.unit} over ${s.n} instance(s) (${s.evidence}${s.flags.length ? `; ${s.flags.join(", ")}` : ""})`;
  const lines = [
    `${result.metric} (${result.implementation}, ${result.configuration})`,
    `  A ${side(result.a)}`,
    `  B ${side(result.b)}`,
    `  ${describe(result.comparison, result.a.type, result.b.type)}`,
  ];
  if (result.pricePerformance)
    lines.push(`  per USD/hour: ${describe(result.pricePerformance.comparison, result.a.type, result.b.type)}`);
  return `${lines.join("\n")}\n`;
}

function describe(comparison: Comparison, a: string, b: string): string {
  if (comparison.kind === "too-few-instances")
    return `too few instances (${comparison.nA} vs ${comparison.nB}): the best an exact interval could reach is ${percent(comparison.reachableCoverage)} — ${comparison.reason}`;
  const ratio = `B/A = ${significant(comparison.estimate)} [${significant(comparison.interval.low)}, ${significant(comparison.interval.high)}] (${percent(comparison.interval.coverage)}, ${comparison.method})`;
  const by = (factor: number) => `${significant((factor - 1) * 100)} %`;
  const { advantage } = comparison;
  const verdict =
    comparison.verdict === "faster"
      ? `${b} is better than ${a} by ${by(advantage.estimate)} [${by(advantage.low)}, ${by(advantage.high)}]`
      : comparison.verdict === "slower"
        ? `${b} is worse than ${a}: ${a} is better by ${by(1 / advantage.estimate)} [${by(1 / advantage.high)}, ${by(1 / advantage.low)}]`
        : comparison.verdict === "equivalent"
          ? `equivalent within ±${significant(comparison.margin * 100)} % (two one-sided tests)`
          : `inconclusive: neither a difference nor equivalence within ±${significant(comparison.margin * 100)} % is shown`;
  return `${ratio}; ${verdict}`;
}

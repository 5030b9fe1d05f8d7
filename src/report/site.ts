/**
 * The static site (`aws-bench report`): a pure function of the analyzed database, the static API and the project's
 * documents, returning every file as `{path: content}`; {@link writeSite} puts it in place whole. Pages are plain
 * HTML with the tables in markup and the charts as inline SVG, so they work opened from disk (`file://` blocks
 * `fetch` and ES modules) as well as served; one classic script (`assets/site.js`) over inline JSON sorts, filters,
 * switches metrics, shows rows relative to a baseline and downloads what is shown as CSV.
 *
 * Every number shown travels with its n, interval, coverage and method: the figures come from src/analysis
 * (`rankTypes` for medians, intervals and rank intervals; `compareTypes` for the baseline and compare verdicts).
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { typeFileName } from "../analysis/api.js";
import { replaceFoldersWhole } from "../output-folders.js";
import { compareTypes, rankTypes } from "../analysis/rank.js";
import { BenchError } from "../errors.js";
import type { AnalysisDatabase, TypeFacts } from "../schemas/generated/analysis-database.js";
import type { ApiRanking } from "../schemas/generated/api-ranking.js";
import type { MetricSummary } from "../schemas/generated/metric-summary.js";
import { paretoFront, scatterPlot, stripPlot } from "./charts.js";
import { escapeHtml, formatCoverage, formatNumber, inlineJson, page } from "./html.js";
import { markdownToHtml } from "./markdown.js";
import { siteScript } from "./script.js";

/** What {@link buildSite} makes the site from. */
export interface SiteInputs {
  /** `processed/latest.json`. */
  database: AnalysisDatabase;
  /** The static API's files, relative to `api/v1/` (copied into the site so its links work from disk). */
  api: ReadonlyMap<string, string>;
  /** The project's documents, as Markdown/YAML text; a missing one gets a page that says where it lives. */
  documents: { methodology?: string | undefined; api?: string | undefined; citation?: string | undefined };
  /** The site's public address (`--base-url`), for canonical links; nothing is loaded from it. */
  baseUrl?: string | undefined;
  /** Precompute baseline-relative rows with intervals only up to this many types per metric (default 24). */
  maxBaselineTypes?: number;
}

/** The headline metric shown first when present. */
export const defaultMetric = "stream.triad";

/** One ranked metric of the site: a headline metric in one implementation. */
interface MetricView {
  key: string;
  id: string;
  metric: string;
  implementation: string;
  ranking: ApiRanking;
  perDollar: Map<string, ApiRanking["rows"][number]>;
  costToSolution: Map<string, ApiRanking["rows"][number]>;
  perDollarUnit: string;
  costUnit: string;
  /** baseline → type → relative figure; absent when the metric has too many types to precompute. */
  relative?: Record<string, Record<string, RelativeFigure>>;
}

/** A row relative to a baseline, as the script shows it. */
interface RelativeFigure {
  ratio: number;
  low?: number;
  high?: number;
  coverage?: number;
  verdict: string;
  method: string;
}

/** The type page's file name, without extension (`:` is not allowed in file names everywhere). */
export function typePageName(type: string): string {
  return typeFileName(type).replace(/\.json$/, "");
}

function metricViews(database: AnalysisDatabase, maxBaselineTypes: number): MetricView[] {
  const keys = new Map<string, { metric: string; implementation: string }>();
  for (const summary of database.summaries)
    if (summary.headline)
      keys.set(`${summary.metric}\u0000${summary.implementation}`, {
        metric: summary.metric,
        implementation: summary.implementation,
      });
  const sorted = [...keys.values()].sort(
    (a, b) =>
      (a.metric === defaultMetric ? 0 : 1) - (b.metric === defaultMetric ? 0 : 1) ||
      (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0) ||
      (a.implementation < b.implementation ? -1 : a.implementation > b.implementation ? 1 : 0),
  );
  const metricsWithSeveral = new Set(
    sorted.filter((k, i) => sorted.findIndex((o) => o.metric === k.metric) !== i).map((k) => k.metric),
  );
  return sorted.map(({ metric, implementation }, index) => {
    const options = { metric, implementation, minInstances: 1 } as const;
    const ranking = rankTypes(database, { ...options, per: "instance" });
    const perDollar = rankTypes(database, { ...options, per: "dollar-hour" });
    const cost = rankTypes(database, { ...options, per: "dollar-run" });
    const key = metricsWithSeveral.has(metric) ? `${metric} (${implementation})` : metric;
    const view: MetricView = {
      key,
      id: `metric-${index + 1}`,
      metric,
      implementation,
      ranking,
      perDollar: new Map(perDollar.rows.map((row) => [row.type, row])),
      costToSolution: new Map(cost.rows.map((row) => [row.type, row])),
      perDollarUnit: perDollar.unit,
      costUnit: cost.unit,
    };
    const types = ranking.rows.map((row) => row.type);
    if (types.length <= maxBaselineTypes) {
      const relative: Record<string, Record<string, RelativeFigure>> = {};
      for (const baseline of types) {
        const figures: Record<string, RelativeFigure> = {};
        for (const type of types) {
          const { comparison } = compareTypes(database, baseline, type, { metric, implementation });
          figures[type] =
            comparison.kind === "too-few-instances"
              ? {
                  ratio:
                    (ranking.rows.find((r) => r.type === type)?.median ?? NaN) /
                    (ranking.rows.find((r) => r.type === baseline)?.median ?? NaN),
                  verdict: comparison.verdict,
                  method: `ratio of medians only: ${comparison.method}`,
                }
              : {
                  ratio: comparison.estimate,
                  low: comparison.interval.low,
                  high: comparison.interval.high,
                  coverage: comparison.interval.coverage,
                  verdict: comparison.verdict,
                  method: comparison.method,
                };
        }
        relative[baseline] = figures;
      }
      view.relative = relative;
    }
    return view;
  });
}

function flagsMarkup(flags: readonly string[]): string {
  return flags.length === 0
    ? '<span class="note">none</span>'
    : flags.map((flag) => `<span class="flag">${escapeHtml(flag)}</span>`).join(" ");
}

function familyOf(type: string, facts: TypeFacts | undefined): string {
  return facts?.hardware.family ?? type.split(".")[0] ?? type;
}

/** The CPU vendor, read from the CPU models measured behind a type (Graviton reports no vendor name). */
function vendorOf(facts: TypeFacts | undefined): string {
  const models = (facts?.hardware.cpuModels ?? []).join(" ");
  if (/intel/i.test(models)) return "Intel";
  if (/\bamd\b|epyc/i.test(models)) return "AMD";
  if (facts?.hardware.architecture === "arm64") return "AWS Graviton / Arm";
  return "unknown";
}

/** Memory in GiB, as the catalogue (or the probed host) gives it. */
function memoryGiB(facts: TypeFacts | undefined): number | undefined {
  const mib = facts?.hardware.memoryMiB;
  return mib === undefined ? undefined : Math.round((mib / 1024) * 100) / 100;
}

/** How a summary's instances were measured: each build and sizing, with its source checksum and instance count. */
function setupTable(summary: MetricSummary): string {
  const setups = summary.setups ?? [];
  if (setups.length === 0) return "";
  const parameters = (values: Record<string, unknown>) =>
    Object.entries(values)
      .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
      .join(", ");
  const rows = setups.map((setup) => {
    const build = setup.build;
    const source = build?.source
      ? `${build.source.sha256.slice(0, 16)}… (${build.source.verified}${build.source.pinned ? `, ${build.source.pinned}` : ""})`
      : "not built here (a given or prebuilt program)";
    return `<tr><td class="num">${setup.instances}</td><td><code>${escapeHtml(source)}</code></td><td>${escapeHtml(build?.compiler ?? "—")}</td><td><code>${escapeHtml(build?.flags ?? "—")}</code></td><td>${escapeHtml(build?.blas ?? "—")}</td><td>${escapeHtml(build?.target ?? "—")}</td><td><code>${escapeHtml(parameters(setup.parameters))}</code></td></tr>`;
  });
  return `<table><caption>${escapeHtml(summary.metric)}: how it was measured (build and sizing per instance count)</caption><thead><tr><th scope="col">Instances</th><th scope="col">Source SHA-256 (verified)</th><th scope="col">Compiler</th><th scope="col">Flags</th><th scope="col">BLAS</th><th scope="col">CPU target</th><th scope="col">Sizing and parameters</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function rankText(rank: number[] | null): string {
  if (!rank) return "unranked";
  return rank[0] === rank[1] ? String(rank[0]) : `${rank[0]}–${rank[1]}`;
}

const noRunsYet = `<p><strong>There are no runs in this database yet.</strong> Add some, then build the site again:</p>
<ol><li>Measure this machine: <code>aws-bench run --target local --benchmarks stream,hpl --quick</code> (or run a batch on EC2: <code>aws-bench run --instance-types m7i.large</code>).</li>
<li>Analyze, including local runs: <code>aws-bench analyze --input ./aws-bench-results --include-local --out data</code>.</li>
<li>Build the site: <code>aws-bench report --data data --out site</code>.</li></ol>
`;

function selectMarkup(
  id: string,
  label: string,
  values: readonly string[],
  all: string,
  text: (value: string) => string = (value) => value,
): string {
  return `<label for="${id}">${escapeHtml(label)}</label> <select id="${id}"><option value="">${escapeHtml(all)}</option>${values
    .map((value) => `<option value="${escapeHtml(value)}">${escapeHtml(text(value))}</option>`)
    .join("")}</select>`;
}

/** DESIGN.md's evidence levels beside their names: M maintainers' batch, C1 verified community, L local. */
const evidenceCodes: Readonly<Record<string, string>> = { maintainer: "M", community: "C1", local: "L" };

/** `community (C1)`; several levels joined with commas. */
function evidenceLabel(levels: string | readonly string[]): string {
  return (typeof levels === "string" ? [levels] : levels)
    .map((level) => (evidenceCodes[level] ? `${level} (${evidenceCodes[level]})` : level))
    .join(", ");
}

function indexPage(database: AnalysisDatabase, views: readonly MetricView[], baseUrl: string | undefined): string {
  const dataset = database.dataset.version;
  if (views.length === 0)
    return page({ title: "Which EC2 instance type?", path: "index.html", dataset, baseUrl, body: noRunsYet });
  const allTypes = [...new Set(views.flatMap((view) => view.ranking.rows.map((row) => row.type)))].sort();
  const facts = (type: string) => database.types[type];
  const architectures = [...new Set(allTypes.map((t) => facts(t)?.hardware.architecture ?? "unknown"))].sort();
  const families = [...new Set(allTypes.map((t) => familyOf(t, facts(t))))].sort();
  const vendors = [...new Set(allTypes.map((t) => vendorOf(facts(t))))].sort();
  const controls = `<form id="controls" onsubmit="return false">
<fieldset><legend>Metric</legend>${selectMarkup(
    "metric",
    "Metric shown",
    views.map((view) => view.key),
    "every metric",
  ).replace(`<option value="">every metric</option>`, "")}</fieldset>
<fieldset><legend>Filters</legend>
${selectMarkup("filter-arch", "Architecture", architectures, "any")}
${selectMarkup("filter-family", "Family", families, "any")}
${selectMarkup("filter-vendor", "CPU vendor", vendors, "any")}
${selectMarkup("filter-evidence", "Evidence", ["maintainer", "community", "local"], "any", evidenceLabel)}
<label for="filter-vcpu-min">vCPUs from</label> <input id="filter-vcpu-min" type="number" min="0" inputmode="numeric" size="5">
<label for="filter-vcpu-max">to</label> <input id="filter-vcpu-max" type="number" min="0" inputmode="numeric" size="5">
<label for="filter-memory-min">Memory (GiB) from</label> <input id="filter-memory-min" type="number" min="0" step="any" inputmode="decimal" size="6">
<label for="filter-memory-max">to</label> <input id="filter-memory-max" type="number" min="0" step="any" inputmode="decimal" size="6">
<label for="filter-min-instances">At least n instances</label> <input id="filter-min-instances" type="number" min="1" value="1" size="4">
</fieldset>
<p><a id="csv" href="#" download="ranking.csv">Download the rows shown as CSV</a> · <span id="shown" aria-live="polite"></span></p>
</form>`;
  const sections = views.map((view) => metricSection(database, view)).join("\n");
  const data = Object.fromEntries(views.map((view) => [view.id, { key: view.key, relative: view.relative ?? null }]));
  const body = `<p>Each row is an instance type measured on several instances; the median is over instances, its interval is a distribution-free confidence interval with the coverage it achieves, and the rank interval says which ranks the data cannot tell apart (see <a href="methodology.html">methodology</a>). Dataset ${escapeHtml(dataset)}, as of ${escapeHtml(database.dataset.asOf)}${database.prices ? `; prices: ${escapeHtml(database.prices.region)} on-demand, snapshot ${escapeHtml(database.prices.snapshotDate)}` : ""}.</p>
${controls}
${sections}
<script type="application/json" id="site-data">${inlineJson(data)}</script>`;
  return page({ title: "Which EC2 instance type?", path: "index.html", dataset, baseUrl, body, script: true });
}

function metricSection(database: AnalysisDatabase, view: MetricView): string {
  const { ranking } = view;
  const unit = ranking.unit;
  const header = (label: string, kind: "number" | "text") =>
    `<th scope="col" aria-sort="none" data-kind="${kind}"><button type="button">${escapeHtml(label)}</button></th>`;
  const rows = ranking.rows.map((row) => {
    const facts = database.types[row.type];
    const hardware = facts?.hardware;
    const perDollar = view.perDollar.get(row.type);
    const cost = view.costToSolution.get(row.type);
    const cell = (value: number | undefined, text: string) =>
      `<td class="num" data-value="${value === undefined ? "" : String(value)}">${text}</td>`;
    return `<tr data-type="${escapeHtml(row.type)}" data-arch="${escapeHtml(hardware?.architecture ?? "unknown")}" data-family="${escapeHtml(familyOf(row.type, facts))}" data-vcpus="${hardware?.vcpus ?? ""}" data-memory="${memoryGiB(facts) ?? ""}" data-vendor="${escapeHtml(vendorOf(facts))}" data-evidence="${escapeHtml(row.evidence.join(" "))}" data-n="${row.n}" data-median="${row.median}">
<th scope="row"><a href="types/${escapeHtml(encodeURIComponent(typePageName(row.type)))}.html">${escapeHtml(row.type)}</a></th>
${cell(row.median, formatNumber(row.median))}
<td data-value="${row.interval.low}">[${formatNumber(row.interval.low)}, ${formatNumber(row.interval.high)}] (${formatCoverage(row.interval.coverage)})</td>
<td data-value="${row.rank ? row.rank[0] : ""}">${rankText(row.rank)}</td>
${cell(row.n, String(row.n))}
<td data-value="${escapeHtml(row.flags.join(" "))}">${flagsMarkup(row.flags)}</td>
<td data-value="${escapeHtml(row.evidence.join(" "))}">${escapeHtml(evidenceLabel(row.evidence))}</td>
${cell(hardware?.vcpus, hardware ? String(hardware.vcpus) : "—")}
${cell(hardware?.cores, hardware?.cores !== undefined ? String(hardware.cores) : "—")}
${cell(memoryGiB(facts), memoryGiB(facts) !== undefined ? formatNumber(memoryGiB(facts) as number) : "—")}
${cell(perDollar?.median, perDollar ? formatNumber(perDollar.median) : "no price")}
${cell(cost?.median, cost ? formatNumber(cost.median) : "—")}
<td class="relative" data-value="">—</td>
</tr>`;
  });
  const baselineSelect = `<label for="${view.id}-baseline">Baseline type</label> <select id="${view.id}-baseline" class="baseline"><option value="">none</option>${ranking.rows
    .map((row) => `<option value="${escapeHtml(row.type)}">${escapeHtml(row.type)}</option>`)
    .join("")}</select>`;
  const relativeNote = view.relative
    ? "relative values are B/A with a confidence interval and the compare verdict (src/analysis compare)"
    : "too many types to precompute intervals: relative values are ratios of medians, without an interval";
  return `<section class="metric" id="${view.id}" data-metric="${escapeHtml(view.key)}" aria-labelledby="${view.id}-title">
<h2 id="${view.id}-title">${escapeHtml(view.key)} <span class="note">(${escapeHtml(view.implementation)}, configuration ${escapeHtml(ranking.configuration ?? "")}, ${escapeHtml(unit)}, ${ranking.higherIsBetter === false ? "lower" : "higher"} is better)</span></h2>
<p>${baselineSelect} <span class="note">${escapeHtml(relativeNote)}.</span></p>
<table class="ranking">
<caption>${escapeHtml(view.key)}: ${ranking.rows.length} type(s). Rank: ${escapeHtml(ranking.method)}</caption>
<thead><tr><th scope="col" aria-sort="none" data-kind="text"><button type="button">Type</button></th>${header(`Median (${unit})`, "number")}${header("Interval of the median (coverage)", "number")}${header("Rank interval", "number")}${header("n instances", "number")}${header("Flags", "text")}${header("Evidence", "text")}${header("vCPUs", "number")}${header("Physical cores", "number")}${header("Memory (GiB)", "number")}${header(`Price-performance (${view.perDollarUnit})`, "number")}${header(`Cost to solution (${view.costUnit})`, "number")}${header("Relative to baseline", "number")}</tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>
</section>`;
}

function typePage(
  database: AnalysisDatabase,
  type: string,
  summaries: readonly MetricSummary[],
  api: ReadonlyMap<string, string>,
  baseUrl: string | undefined,
): string {
  const facts = database.types[type];
  const name = typePageName(type);
  const path = `types/${name}.html`;
  const hardware = facts?.hardware;
  const headline = summaries.filter((s) => s.headline);
  const factRows: Array<[string, string]> = [
    ["vCPUs", hardware ? String(hardware.vcpus) : "unknown"],
    ["Physical cores", hardware?.cores === undefined ? "unknown" : String(hardware.cores)],
    ["Memory (MiB)", hardware?.memoryMiB === undefined ? "unknown" : String(hardware.memoryMiB)],
    ["Architecture", hardware?.architecture ?? "unknown"],
    ["Family", familyOf(type, facts)],
    ["CPU models seen", (hardware?.cpuModels ?? []).join("; ") || "unknown"],
    ["Evidence", evidenceLabel(facts?.evidence ?? [])],
    ["Runs", String(facts?.runs ?? 0)],
    [
      "Price (on-demand)",
      facts?.price
        ? `${facts.price.onDemandUsdPerHour} USD/hour, ${facts.price.region}, snapshot ${facts.price.snapshotDate}${facts.price.spotUsdPerHour === undefined ? "" : `; spot ${facts.price.spotUsdPerHour} USD/hour (median over zones${facts.price.spotRangeUsdPerHour ? `; ${facts.price.spotRangeUsdPerHour.low}–${facts.price.spotRangeUsdPerHour.high} across ${facts.price.spotRangeUsdPerHour.zones} zone(s)` : ""})`}`
        : "no price in the snapshot",
    ],
    [
      "Median cost of a run",
      facts?.runCostUsd ? `${formatNumber(facts.runCostUsd.median)} USD (n = ${facts.runCostUsd.n})` : "unknown",
    ],
  ];
  const apiFile = `types/${typeFileName(type)}`;
  const apiLink = api.has(apiFile)
    ? `<p>API record: <a href="../api/v1/${escapeHtml(apiFile)}">api/v1/${escapeHtml(apiFile)}</a> · summary for assistants: <a href="${escapeHtml(encodeURIComponent(name))}.md">${escapeHtml(name)}.md</a></p>`
    : `<p>Summary for assistants: <a href="${escapeHtml(encodeURIComponent(name))}.md">${escapeHtml(name)}.md</a></p>`;
  const plots = headline.map((summary) => {
    const statistics = summary.statistics;
    const prediction = statistics.predictionInterval.available ? statistics.predictionInterval : undefined;
    const plot = stripPlot({
      title: `${type}: ${summary.metric} of each of ${summary.instances.length} instance(s)`,
      unit: summary.unit,
      instances: summary.instances.map((instance) => ({
        value: instance.value,
        label: `${instance.runId} (${instance.cpuModel})`,
        lane: instance.cpuModel,
      })),
      median: statistics.median,
      medianInterval: statistics.medianInterval,
      predictionInterval: prediction,
    });
    const byCpu =
      summary.byCpuModel && summary.byCpuModel.length > 1
        ? `<table><caption>${escapeHtml(summary.metric)} per CPU model</caption><thead><tr><th scope="col">CPU model</th><th scope="col">n</th><th scope="col">Median</th><th scope="col">Interval (coverage)</th></tr></thead><tbody>${summary.byCpuModel
            .map(
              (group) =>
                `<tr><th scope="row">${escapeHtml(group.cpuModel)}</th><td class="num">${group.statistics.n}</td><td class="num">${formatNumber(group.statistics.median)}</td><td>[${formatNumber(group.statistics.medianInterval.low)}, ${formatNumber(group.statistics.medianInterval.high)}] (${formatCoverage(group.statistics.medianInterval.coverage)})</td></tr>`,
            )
            .join("")}</tbody></table>`
        : "";
    const instances = `<table><caption>${escapeHtml(summary.metric)}: every instance</caption><thead><tr><th scope="col">Run</th><th scope="col">Value (${escapeHtml(summary.unit)})</th><th scope="col">Trials</th><th scope="col">Started</th><th scope="col">CPU model</th><th scope="col">Zone</th><th scope="col">Evidence</th><th scope="col">Raw files</th></tr></thead><tbody>${summary.instances
      .map(
        (instance) =>
          `<tr><th scope="row">${escapeHtml(instance.runId)}</th><td class="num">${formatNumber(instance.value)}${instance.outlier ? ' <span class="flag">outlier</span>' : ""}</td><td class="num">${instance.trials}</td><td>${escapeHtml(instance.startedAt)}</td><td>${escapeHtml(instance.cpuModel)}</td><td>${escapeHtml(instance.availabilityZoneId ?? "")}</td><td>${escapeHtml(evidenceLabel(instance.evidence))}</td><td><code>${escapeHtml(instance.rawPath ?? "")}</code></td></tr>`,
      )
      .join("")}</tbody></table>`;
    const setups = setupTable(summary);
    const predictionText = statistics.predictionInterval.available
      ? `[${formatNumber(statistics.predictionInterval.low)}, ${formatNumber(statistics.predictionInterval.high)}] (${formatCoverage(statistics.predictionInterval.coverage)}, ${escapeHtml(statistics.predictionInterval.method)})`
      : `not available: ${escapeHtml(statistics.predictionInterval.reason)}`;
    return `<section aria-labelledby="${escapeHtml(slugOf(summary.metric))}">
<h2 id="${escapeHtml(slugOf(summary.metric))}">${escapeHtml(summary.metric)} <span class="note">(${escapeHtml(summary.implementation)}, configuration ${escapeHtml(summary.configuration)})</span></h2>
<p>Median ${formatNumber(statistics.median)} ${escapeHtml(summary.unit)} over n = ${statistics.n} instance(s); interval of the median [${formatNumber(statistics.medianInterval.low)}, ${formatNumber(statistics.medianInterval.high)}] (${formatCoverage(statistics.medianInterval.coverage)}, ${escapeHtml(statistics.medianInterval.method)}); next instance ${predictionText}. Flags: ${flagsMarkup(summary.flags)}. Evidence: ${escapeHtml(evidenceLabel(summary.evidence))}. ${summary.dates.first === summary.dates.last ? `Measured ${escapeHtml(summary.dates.first)}` : `Measured ${escapeHtml(summary.dates.first)} to ${escapeHtml(summary.dates.last)}`}.</p>
${plot}
<p class="note">Dots: one per instance (its median over trials)${summary.byCpuModel && summary.byCpuModel.length > 1 ? ", one lane per CPU model" : ""}; dark line: median; shaded band: interval of the median; dashed box: prediction interval for the next instance.</p>
${byCpu}
${setups}
${instances}
</section>`;
  });
  const all = `<table><caption>Every metric and configuration measured</caption><thead><tr><th scope="col">Metric</th><th scope="col">Implementation</th><th scope="col">Configuration</th><th scope="col">n</th><th scope="col">Median</th><th scope="col">Interval (coverage)</th><th scope="col">Unit</th><th scope="col">Flags</th></tr></thead><tbody>${summaries
    .map(
      (s) =>
        `<tr><th scope="row">${escapeHtml(s.metric)}${s.headline ? " (headline)" : ""}</th><td>${escapeHtml(s.implementation)}</td><td>${escapeHtml(s.configuration)}</td><td class="num">${s.statistics.n}</td><td class="num">${formatNumber(s.statistics.median)}</td><td>[${formatNumber(s.statistics.medianInterval.low)}, ${formatNumber(s.statistics.medianInterval.high)}] (${formatCoverage(s.statistics.medianInterval.coverage)})</td><td>${escapeHtml(s.unit)}</td><td>${flagsMarkup(s.flags)}</td></tr>`,
    )
    .join("")}</tbody></table>`;
  const body = `<table><caption>The type</caption><tbody>${factRows
    .map(([label, value]) => `<tr><th scope="row">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`)
    .join("")}</tbody></table>
${apiLink}
${plots.join("\n")}
<h2>All measurements</h2>
${all}`;
  return page({ title: type, path, dataset: database.dataset.version, baseUrl, body });
}

function slugOf(text: string): string {
  return `m-${text.replace(/[^A-Za-z0-9]+/g, "-")}`;
}

function typeMarkdown(database: AnalysisDatabase, type: string, summaries: readonly MetricSummary[]): string {
  const facts = database.types[type];
  const lines = [
    `# ${type}`,
    "",
    `Dataset ${database.dataset.version} (as of ${database.dataset.asOf}); data licence CC BY 4.0.`,
    "",
    `- vCPUs: ${facts?.hardware.vcpus ?? "unknown"}; cores: ${facts?.hardware.cores ?? "unknown"}; memory: ${facts?.hardware.memoryMiB ?? "unknown"} MiB; architecture: ${facts?.hardware.architecture ?? "unknown"}`,
    `- CPU models seen: ${(facts?.hardware.cpuModels ?? []).join("; ") || "unknown"}`,
    `- Price: ${facts?.price ? `${facts.price.onDemandUsdPerHour} USD/hour on demand (${facts.price.region}, snapshot ${facts.price.snapshotDate})` : "not in the price snapshot"}`,
    `- Runs: ${facts?.runs ?? 0}; evidence: ${evidenceLabel(facts?.evidence ?? [])}`,
    "",
    "| metric | implementation | configuration | n | median | interval of the median | coverage | prediction interval (next instance) | flags |",
    "|---|---|---|---|---|---|---|---|---|",
    ...summaries
      .filter((s) => s.headline)
      .map((s) => {
        const p = s.statistics.predictionInterval;
        const i = s.statistics.medianInterval;
        return `| ${s.metric} (${s.unit}) | ${s.implementation} | ${s.configuration} | ${s.statistics.n} | ${formatNumber(s.statistics.median)} | ${formatNumber(i.low)} – ${formatNumber(i.high)} | ${formatCoverage(i.coverage)} | ${p.available ? `${formatNumber(p.low)} – ${formatNumber(p.high)} (${formatCoverage(p.coverage)})` : "not available"} | ${s.flags.join(", ") || "none"} |`;
      }),
    "",
  ];
  // Markdown from hosts' strings: a pipe or newline in a CPU model must not break the table.
  return `${lines.map((line) => line.replace(/\r?\n/g, " ")).join("\n")}\n`;
}

function scatterPage(database: AnalysisDatabase, views: readonly MetricView[], baseUrl: string | undefined): string {
  const dataset = database.dataset.version;
  if (views.length === 0)
    return page({ title: "Price and performance", path: "scatter.html", dataset, baseUrl, body: noRunsYet });
  const sections = views.map((view) => {
    const points = view.ranking.rows.flatMap((row) =>
      row.price
        ? [
            {
              type: row.type,
              price: row.price.onDemandUsdPerHour,
              median: row.median,
              low: row.interval.low,
              high: row.interval.high,
              href: `types/${encodeURIComponent(typePageName(row.type))}.html`,
            },
          ]
        : [],
    );
    if (points.length === 0)
      return `<section><h2>${escapeHtml(view.key)}</h2><p>No type of this metric has a price in the snapshot.</p></section>`;
    const higherIsBetter = view.ranking.higherIsBetter !== false;
    const front = new Set(paretoFront(points, higherIsBetter).map((p) => p.type));
    const svg = scatterPlot({
      title: `${view.key} (${view.ranking.unit}) against on-demand price, ${points.length} type(s)`,
      unit: view.ranking.unit,
      higherIsBetter,
      points,
    });
    const table = `<table><caption>${escapeHtml(view.key)}: the points of the chart</caption><thead><tr><th scope="col">Type</th><th scope="col">USD/hour</th><th scope="col">Median (${escapeHtml(view.ranking.unit)})</th><th scope="col">Interval</th><th scope="col">Pareto front</th></tr></thead><tbody>${points
      .map(
        (p) =>
          `<tr><th scope="row"><a href="${escapeHtml(p.href)}">${escapeHtml(p.type)}</a></th><td class="num">${p.price}</td><td class="num">${formatNumber(p.median)}</td><td>[${formatNumber(p.low)}, ${formatNumber(p.high)}]</td><td>${front.has(p.type) ? "yes" : "no"}</td></tr>`,
      )
      .join("")}</tbody></table>`;
    return `<section aria-labelledby="${view.id}-scatter"><h2 id="${view.id}-scatter">${escapeHtml(view.key)}</h2>
${svg}
<p class="note">Each point is a type at its on-demand price (${escapeHtml(database.prices ? `${database.prices.region}, snapshot ${database.prices.snapshotDate}` : "no snapshot")}); bars: the interval of the median; orange points joined by the dashed line: the Pareto front (no type is both cheaper and better), also listed in the table.</p>
${table}</section>`;
  });
  return page({ title: "Price and performance", path: "scatter.html", dataset, baseUrl, body: sections.join("\n") });
}

function comparePage(database: AnalysisDatabase, views: readonly MetricView[], baseUrl: string | undefined): string {
  const dataset = database.dataset.version;
  if (views.length === 0) return page({ title: "Compare", path: "compare.html", dataset, baseUrl, body: noRunsYet });
  const sections = views.map((view) => {
    const rows = view.ranking.rows;
    const options = rows.map((row) => `<option value="${escapeHtml(row.type)}">${escapeHtml(row.type)}</option>`);
    const checks = rows
      .map(
        (row, i) =>
          `<label><input type="checkbox" class="compare-type" value="${escapeHtml(row.type)}"${i < 2 ? " checked" : ""}> ${escapeHtml(row.type)}</label>`,
      )
      .join(" ");
    const reference = rows[0]?.type ?? "";
    const body = rows
      .map((row, i) => {
        const figure = view.relative?.[reference]?.[row.type];
        const relative = figure ? relativeText(figure) : "—";
        return `<tr data-type="${escapeHtml(row.type)}"${i < 2 ? "" : " hidden"}><th scope="row">${escapeHtml(row.type)}</th><td class="num">${formatNumber(row.median)}</td><td>[${formatNumber(row.interval.low)}, ${formatNumber(row.interval.high)}] (${formatCoverage(row.interval.coverage)})</td><td class="num">${row.n}</td><td>${flagsMarkup(row.flags)}</td><td class="relative">${escapeHtml(relative)}</td></tr>`;
      })
      .join("\n");
    return `<section class="compare" id="${view.id}" data-metric="${escapeHtml(view.key)}"><h2>${escapeHtml(view.key)} <span class="note">(${escapeHtml(view.ranking.unit)})</span></h2>
<fieldset><legend>Types to compare</legend>${checks}</fieldset>
<p><label for="${view.id}-reference">Compare against</label> <select id="${view.id}-reference" class="reference">${options.join("")}</select></p>
<table><thead><tr><th scope="col">Type</th><th scope="col">Median</th><th scope="col">Interval (coverage)</th><th scope="col">n</th><th scope="col">Flags</th><th scope="col">Against the reference (B/A, interval, verdict)</th></tr></thead><tbody>
${body}
</tbody></table></section>`;
  });
  const data = Object.fromEntries(views.map((view) => [view.id, { key: view.key, relative: view.relative ?? null }]));
  const text = `<p>Pick two or more types; each is compared with the reference by src/analysis <code>compare</code> (bootstrap of instances from 6 of each, else Hodges–Lehmann with an exact interval, else too few instances), with an equivalence margin of ±5 %.</p>
${sections.join("\n")}
<script type="application/json" id="site-data">${inlineJson(data)}</script>`;
  return page({ title: "Compare", path: "compare.html", dataset, baseUrl, body: text, script: true });
}

/** A relative figure as text, the same words the script writes. */
export function relativeText(figure: RelativeFigure): string {
  const interval =
    figure.low === undefined || figure.high === undefined
      ? "no interval"
      : `[${formatNumber(figure.low)}, ${formatNumber(figure.high)}] (${formatCoverage(figure.coverage ?? 0)})`;
  return `${formatNumber(figure.ratio)}× ${interval} ${figure.verdict}`;
}

function documentPage(
  title: string,
  path: string,
  markdown: string | undefined,
  missing: string,
  database: AnalysisDatabase,
  baseUrl: string | undefined,
  extra = "",
): string {
  const body =
    markdown === undefined ? `<p>${escapeHtml(missing)}</p>` : markdownToHtml(markdown.replace(/^# .*\n/, ""), 0);
  return page({ title, path, dataset: database.dataset.version, baseUrl, body: body + extra });
}

function licencePage(database: AnalysisDatabase, citation: string | undefined, baseUrl: string | undefined): string {
  const body = `<p>The data (runs, the processed database and the API) are licensed under the <a href="https://creativecommons.org/licenses/by/4.0/">Creative Commons Attribution 4.0 International licence (CC BY 4.0)</a>; the code under the Apache License 2.0.</p>
<h2>Citing this dataset</h2>
<p>${escapeHtml(database.dataset.citation)}</p>
<p>Name the dataset version you used: <code>${escapeHtml(database.dataset.version)}</code> (inputs SHA-256 <code>${escapeHtml(database.dataset.inputsSha256)}</code>).</p>
${citation === undefined ? "" : `<h2>CITATION.cff</h2>\n<pre><code>${escapeHtml(citation)}</code></pre>`}`;
  return page({
    title: "Licence and citation",
    path: "licence.html",
    dataset: database.dataset.version,
    baseUrl,
    body,
  });
}

function llmsText(database: AnalysisDatabase, types: readonly string[], views: readonly MetricView[]): string {
  const lines = [
    "# aws-instance-benchmarks",
    "",
    "> Measured STREAM, HPL and CoreMark performance of AWS EC2 instance types, over several instances per type, with distribution-free intervals. Data CC BY 4.0.",
    "",
    `Dataset ${database.dataset.version}, as of ${database.dataset.asOf}. Cite: ${database.dataset.citation}`,
    "",
    "## Pages",
    "",
    "- [Ranking per metric](index.html): median, interval, rank interval, n instances, flags, price-performance",
    "- [Price and performance](scatter.html)",
    "- [Methodology](methodology.html)",
    "- [API](api.html): JSON under api/v1/ (index.json, types/<type>.json, rankings/<metric>.json)",
    "",
    "## Metrics",
    "",
    ...(views.length === 0
      ? ["No runs yet."]
      : views.map((view) => `- ${view.key} (${view.ranking.unit}): ${view.ranking.rows.length} type(s)`)),
    "",
    "## Types",
    "",
    ...types.map((type) => `- [${type}](types/${encodeURIComponent(typePageName(type))}.md)`),
    "",
  ];
  return lines.join("\n");
}

/** Every file of the site, by path relative to the site's root. Deterministic: the same inputs give the same bytes. */
export function buildSite(inputs: SiteInputs): Map<string, string> {
  const { database, baseUrl } = inputs;
  const views = metricViews(database, inputs.maxBaselineTypes ?? 24);
  const files = new Map<string, string>();
  files.set("index.html", indexPage(database, views, baseUrl));
  files.set("scatter.html", scatterPage(database, views, baseUrl));
  files.set("compare.html", comparePage(database, views, baseUrl));
  files.set(
    "methodology.html",
    documentPage(
      "Methodology",
      "methodology.html",
      inputs.documents.methodology,
      "docs/METHODOLOGY.md of the repository describes the methods.",
      database,
      baseUrl,
    ),
  );
  files.set(
    "api.html",
    documentPage(
      "API",
      "api.html",
      inputs.documents.api,
      "docs/API.md of the repository describes the API.",
      database,
      baseUrl,
      inputs.api.has("openapi.json")
        ? '<h2>OpenAPI reference</h2>\n<p>The OpenAPI 3.1 description of these files: <a href="api/v1/openapi.json">api/v1/openapi.json</a>; what changed: <a href="api/v1/CHANGELOG.md">api/v1/CHANGELOG.md</a>.</p>\n'
        : "",
    ),
  );
  files.set("licence.html", licencePage(database, inputs.documents.citation, baseUrl));
  files.set("assets/site.js", siteScript);
  files.set(".nojekyll", "");
  const byType = new Map<string, MetricSummary[]>();
  for (const summary of database.summaries) {
    const list = byType.get(summary.type);
    if (list) list.push(summary);
    else byType.set(summary.type, [summary]);
  }
  const types = [...new Set([...Object.keys(database.types), ...byType.keys()])].sort();
  for (const type of types) {
    const summaries = (byType.get(type) ?? []).sort(
      (a, b) =>
        Number(b.headline) - Number(a.headline) ||
        (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0) ||
        (a.configuration < b.configuration ? -1 : a.configuration > b.configuration ? 1 : 0) ||
        (a.implementation < b.implementation ? -1 : a.implementation > b.implementation ? 1 : 0),
    );
    files.set(`types/${typePageName(type)}.html`, typePage(database, type, summaries, inputs.api, baseUrl));
    files.set(`types/${typePageName(type)}.md`, typeMarkdown(database, type, summaries));
  }
  files.set("llms.txt", llmsText(database, types, views));
  for (const [path, content] of [...inputs.api].sort(([a], [b]) => (a < b ? -1 : 1)))
    files.set(`api/v1/${path}`, content);
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Writes the site to `outDir`, replacing it whole: the files go to a sibling folder first, which is swapped in with
 * renames, so a failure leaves the previous site as it was.
 */
export function writeSite(outDir: string, files: ReadonlyMap<string, string>): void {
  // The folder is replaced whole: only an empty one, or a site this command wrote before (its index.html and
  // .nojekyll), may be — never a folder of someone's files, a database or a checkout named by mistake.
  if (
    existsSync(outDir) &&
    readdirSync(outDir).length > 0 &&
    !(existsSync(join(outDir, "index.html")) && existsSync(join(outDir, ".nojekyll")))
  )
    throw new BenchError("InvalidArgument", `--out ${outDir} holds files that are not a site aws-bench report wrote.`, {
      fix: "The site's folder is replaced whole: name a new or empty folder, or the folder of an earlier site.",
    });
  try {
    replaceFoldersWhole([{ folder: outDir, name: "the site", files }], "report");
  } catch (error) {
    throw new BenchError("WriteFailed", `Cannot write the site to ${outDir}: ${(error as Error).message}.`, {
      fix: "Check the folder and its permissions; the previous site is left as it was.",
      cause: error,
    });
  }
}

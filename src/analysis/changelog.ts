/**
 * `api/v1/CHANGELOG.md`: the runs each release added, changed and removed, newest release first.
 *
 * A run is a row group of runs.csv: its type and runId. It is *changed* when its own rows differ — a value, unit,
 * trial count, configuration, CPU, place or evidence — and not when only its `outlier` flag moved, since that flag
 * is judged against the other instances and moves whenever runs are added. Runs without a headline value are not
 * in runs.csv and so not here (index.json and the types' pages list skipped runs with their reasons).
 *
 * The previous release is read from the files it published (its runs.csv, index.json and CHANGELOG.md), so the
 * history travels with the API and needs no other state. A section is prepended only when some run was added,
 * changed or removed; otherwise the previous history is kept as it is. With the same runs and the same previous
 * files the output is the same bytes. Each list shows at most {@link changelogListLimit} runs and counts the rest.
 */
import { BenchError } from "../errors.js";
import { dataLicence } from "./database.js";

/** Runs listed per section (added, changed, removed) before the rest are only counted. */
export const changelogListLimit = 100;

/** What the previous release published, as text; each absent when there was none (the first release). */
export interface PreviousRelease {
  /** Its `runs.csv`. */
  runsCsv?: string | undefined;
  /** Its `index.json` (for its dataset version). */
  indexJson?: string | undefined;
  /** Its `CHANGELOG.md`. */
  changelog?: string | undefined;
}

/** Runs added, changed and removed between two runs.csv texts, each as sorted `<type> <runId>` keys. */
export interface RunChanges {
  added: string[];
  changed: string[];
  removed: string[];
}

const header = [
  "# Changelog of the aws-instance-benchmarks data API v1",
  "",
  "Runs added, changed and removed in each release, newest first. A run is changed when its own values differ; a",
  "moved outlier flag alone is not a change.",
  "",
  `Licence: the data are licensed under Creative Commons Attribution 4.0 International (${dataLicence},`,
  "https://creativecommons.org/licenses/by/4.0/). Cite the dataset version: index.json's `dataset.citation`, or",
  "CITATION.cff.",
  "",
].join("\n");

/** CHANGELOG.md for the release `version` whose runs.csv is `runsCsv`, given what the previous release published. */
export function buildChangelog(version: string, runsCsv: string, previous: PreviousRelease = {}): string {
  const history = previousSections(previous.changelog);
  const changes = compareRuns(previous.runsCsv ?? "", runsCsv);
  const total = changes.added.length + changes.changed.length + changes.removed.length;
  if (total === 0) return history ? `${header}\n${history}` : header;
  const since = previousVersion(previous.indexJson);
  const runs = runGroups(runsCsv, "runs.csv").size;
  const lines = [
    `## ${version}`,
    "",
    `${since ? `Since ${since}: ` : "First release: "}${changes.added.length} added, ${changes.changed.length} changed, ` +
      `${changes.removed.length} removed; ${runs} run(s) in this release.`,
    "",
  ];
  for (const [title, keys] of [
    ["Added", changes.added],
    ["Changed", changes.changed],
    ["Removed", changes.removed],
  ] as const) {
    if (keys.length === 0) continue;
    lines.push(`### ${title} (${keys.length})`, "");
    for (const key of keys.slice(0, changelogListLimit)) {
      const space = key.indexOf(" ");
      lines.push(`- ${code(key.slice(0, space))} ${code(key.slice(space + 1))}`);
    }
    if (keys.length > changelogListLimit) lines.push(`- … and ${keys.length - changelogListLimit} more`);
    lines.push("");
  }
  return `${header}\n${lines.join("\n")}${history ? `\n${history}` : ""}`;
}

/** A name as inline code; a backtick in it would end the span early, so it becomes an apostrophe. */
function code(name: string): string {
  return `\`${name.replaceAll("`", "'")}\``;
}

/** The runs added, changed and removed from `before` to `after` (both runs.csv texts; `""` for none). */
export function compareRuns(before: string, after: string): RunChanges {
  const plain = plainRunGroups(before, after);
  const old = plain?.before ?? runGroups(before, "the previous release's runs.csv");
  const now = plain?.after ?? runGroups(after, "runs.csv");
  const changes: RunChanges = { added: [], changed: [], removed: [] };
  for (const [key, rows] of now) {
    const previous = old.get(key);
    if (previous === undefined) changes.added.push(key);
    else if (previous !== rows) changes.changed.push(key);
  }
  for (const key of old.keys()) if (!now.has(key)) changes.removed.push(key);
  for (const list of [changes.added, changes.changed, changes.removed]) list.sort();
  return changes;
}

/** The sections of a previous changelog (from its first `## ` heading), or "" when it has none. */
function previousSections(changelog: string | undefined): string {
  if (!changelog) return "";
  const start = changelog.startsWith("## ") ? 0 : changelog.indexOf("\n## ") + 1;
  if (start === 0 && !changelog.startsWith("## ")) return "";
  const sections = changelog.slice(start).replace(/\n+$/, "");
  return `${sections}\n`;
}

function previousVersion(indexJson: string | undefined): string | undefined {
  if (!indexJson) return undefined;
  try {
    const version = (JSON.parse(indexJson) as { dataset?: { version?: unknown } }).dataset?.version;
    return typeof version === "string" && /^[0-9.]+\+[0-9a-f]+$/.test(version) ? version : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A run's rows as one comparable string per `<type> <runId>`: its fields except the population-dependent `outlier`,
 * in a fixed column order, rows sorted — so a column order or an outlier flag that moved is no change.
 */
function runGroups(csv: string, what: string): Map<string, string> {
  const groups = new Map<string, string[]>();
  if (csv.trim() === "") return new Map();
  const [head, ...rows] = parseCsv(csv);
  const columns = head ?? [];
  const typeAt = columns.indexOf("type");
  const runAt = columns.indexOf("runId");
  if (typeAt < 0 || runAt < 0)
    throw new BenchError("InputMalformed", `${what} has no type and runId columns, so runs cannot be compared.`, {
      fix: "Remove the output folder's api/v1/runs.csv to start the changelog afresh (every run is then listed as added).",
    });
  const compared = columns
    .map((name, at) => ({ name, at }))
    .filter(({ name }) => name !== "outlier")
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  // The columns' names once per run, the values in the names' order per row: the same text for the same run
  // whatever the column order, and a different text when the columns themselves differ.
  const names = compared.map(({ name }) => name).join("\u0000");
  for (const row of rows) {
    const key = `${row[typeAt] ?? ""} ${row[runAt] ?? ""}`;
    const fields = compared.map(({ at }) => row[at] ?? "").join("\u0000");
    const group = groups.get(key);
    if (group) group.push(fields);
    else groups.set(key, [fields]);
  }
  return new Map([...groups].map(([key, group]) => [key, `${names}\n${group.sort().join("\n")}`]));
}

/** Unquoted text of a field: everything up to the next comma, quote or line end. */
const plainText = /[^",\r\n]+/y;

/**
 * {@link runGroups} of both texts the quick way, when it gives the same answer: both have the same header with type
 * and runId, and no field is quoted (so a comma always ends a field and a line feed a record). A row then compares as
 * its line without the `outlier` field, the columns being in the same order on both sides. Undefined otherwise.
 */
function plainRunGroups(
  before: string,
  after: string,
): { before: Map<string, string>; after: Map<string, string> } | undefined {
  if (before === "" || /["\r]/.test(before) || /["\r]/.test(after)) return undefined;
  const header = after.slice(0, after.indexOf("\n") + 1);
  if (header === "" || !before.startsWith(header)) return undefined;
  const columns = header.slice(0, -1).split(",");
  const typeAt = columns.indexOf("type");
  const runAt = columns.indexOf("runId");
  const outlierAt = columns.indexOf("outlier");
  if (typeAt < 0 || runAt < 0) return undefined;
  // Fields are found by their commas, not split out: a release has tens of thousands of rows.
  const commas = new Array<number>(columns.length + 1);
  const groups = (csv: string) => {
    const rows = new Map<string, string[]>();
    for (let start = header.length; start < csv.length;) {
      let end = csv.indexOf("\n", start);
      if (end < 0) end = csv.length;
      if (end > start) {
        // commas[i]: where field i ends (its comma, or the line's end); field i starts after commas[i − 1].
        commas[0] = start - 1;
        let count = 0;
        for (
          let at = csv.indexOf(",", start);
          at >= 0 && at < end && count < columns.length;
          at = csv.indexOf(",", at + 1)
        )
          commas[++count] = at;
        commas[++count] = end;
        const field = (i: number) => (i < count ? csv.slice((commas[i] as number) + 1, commas[i + 1]) : "");
        const key = `${field(typeAt)} ${field(runAt)}`;
        const row =
          outlierAt < 0 || outlierAt >= count
            ? csv.slice(start, end)
            : `${csv.slice(start, commas[outlierAt])}${csv.slice(commas[outlierAt + 1], end)}`;
        const group = rows.get(key);
        if (group) group.push(row);
        else rows.set(key, [row]);
      }
      start = end + 1;
    }
    return new Map([...rows].map(([key, group]) => [key, group.sort().join("\n")]));
  };
  return { before: groups(before), after: groups(after) };
}

/** RFC 4180 records (quoted fields with `""` escapes, LF or CRLF line ends); a blank last line is no record. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let at = 0;
  while (at < text.length) {
    const char = text[at];
    if (char === ",") {
      record.push(field);
      field = "";
      at++;
    } else if (char === "\n" || char === "\r") {
      at += char === "\r" && text[at + 1] === "\n" ? 2 : 1;
      record.push(field);
      records.push(record);
      record = [];
      field = "";
    } else if (char === '"') {
      // Quoted text: up to the quote that is not doubled, commas and line breaks included.
      at++;
      for (;;) {
        const close = text.indexOf('"', at);
        if (close < 0) {
          field += text.slice(at);
          at = text.length;
          break;
        }
        field += text.slice(at, close);
        at = close + 1;
        if (text[at] !== '"') break;
        field += '"';
        at++;
      }
    } else {
      plainText.lastIndex = at;
      plainText.test(text);
      field += text.slice(at, plainText.lastIndex);
      at = plainText.lastIndex;
    }
  }
  if (field !== "" || record.length > 0) records.push([...record, field]);
  return records;
}

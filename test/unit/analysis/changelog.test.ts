import { describe, expect, it } from "vitest";
import { buildChangelog, changelogListLimit, compareRuns, parseCsv } from "../../../src/analysis/changelog.js";
import { csvField } from "../../../src/analysis/csv.js";

const header = "type,metric,implementation,configuration,headline,runId,startedAt,value,unit,trials,evidence,outlier";

/** A runs.csv with one stream.triad row per [type, runId, value, outlier?]. */
function runsCsv(rows: ReadonlyArray<readonly [string, string, number, boolean?]>): string {
  const lines = rows.map(([type, runId, value, outlier]) =>
    [type, "stream.triad", "stream.c-openmp", "all-cores-spread", "true", runId, "2026-11-28T17:00:00Z"]
      .concat([String(value), "MB/s", "5", "maintainer", outlier === undefined ? "" : String(outlier)])
      .map(csvField)
      .join(","),
  );
  return `${header}\n${lines.sort().join("\n")}\n`;
}

const v1 = "2026.11.20+aaaaaaaaaaaa";
const v2 = "2026.11.28+bbbbbbbbbbbb";
const v3 = "2026.12.05+cccccccccccc";
const indexOf = (version: string) => JSON.stringify({ dataset: { version } });

describe("compareRuns", () => {
  it("finds added, removed and changed runs by type and runId, sorted", () => {
    const before = runsCsv([
      ["c7i.large", "r2", 100],
      ["c7i.large", "r1", 100],
      ["m7g.large", "r3", 200],
    ]);
    const after = runsCsv([
      ["c7i.large", "r1", 100],
      ["c7i.large", "r2", 101],
      ["r7i.large", "r5", 50],
      ["c7i.large", "r4", 90],
    ]);
    expect(compareRuns(before, after)).toEqual({
      added: ["c7i.large r4", "r7i.large r5"],
      changed: ["c7i.large r2"],
      removed: ["m7g.large r3"],
    });
  });

  it("ignores a moved outlier flag and the order of rows and columns", () => {
    const before = runsCsv([
      ["c7i.large", "r1", 100, false],
      ["c7i.large", "r2", 100],
    ]);
    const after = runsCsv([
      ["c7i.large", "r2", 100],
      ["c7i.large", "r1", 100, true],
    ]);
    expect(compareRuns(before, after)).toEqual({ added: [], changed: [], removed: [] });
    const [head = [], ...rows] = parseCsv(before);
    const reversed = [head, ...rows].map((row) => [...row].reverse().map(csvField).join(",")).join("\n");
    expect(compareRuns(reversed, before)).toEqual({ added: [], changed: [], removed: [] });
  });

  it("finds the same changes whether both releases share a header (lines compared) or not (fields by name)", () => {
    let state = 11;
    const next = (below: number) => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state % below;
    };
    const release = () =>
      Array.from({ length: 1 + next(12) }, () => {
        const type = ["c7i.large", "m7g.large", "local:amd-epyc-2cpu"][next(3)] as string;
        const outlier = [undefined, true, false][next(3)];
        return [type, `r${next(8)}`, 100 + next(3), outlier] as const;
      });
    const reordered = (csv: string) =>
      parseCsv(csv)
        .map((row) => [...row].reverse().map(csvField).join(","))
        .join("\n");
    let changes = 0;
    for (let i = 0; i < 300; i++) {
      const before = runsCsv(release());
      const after = runsCsv(release());
      const byLines = compareRuns(before, after);
      expect(byLines).toEqual(compareRuns(reordered(before), after));
      changes += byLines.changed.length;
    }
    expect(changes).toBeGreaterThan(50);
  });

  it("refuses a previous runs.csv without type and runId columns, naming the fix", () => {
    expect(() => compareRuns("a,b\n1,2\n", runsCsv([]))).toThrow(/no type and runId columns/);
  });
});

/** RFC 4180 read one character at a time: the reference the fast reader is compared with. */
function parseCsvByCharacter(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let at = 0; at < text.length; at++) {
    const char = text[at];
    if (quoted) {
      if (char !== '"') field += char;
      else if (text[at + 1] === '"') {
        field += '"';
        at++;
      } else quoted = false;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      record.push(field);
      field = "";
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[at + 1] === "\n") at++;
      record.push(field);
      records.push(record);
      record = [];
      field = "";
    } else field += char;
  }
  if (field !== "" || record.length > 0) records.push([...record, field]);
  return records;
}

describe("parseCsv", () => {
  it("reads what a reader of one character at a time reads, on 5,000 generated texts", () => {
    let state = 7;
    const next = (below: number) => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state % below;
    };
    const pieces = ["a", "bc", ",", '"', '""', "\n", "\r", "\r\n", " ", "x,y", "é"];
    for (let i = 0; i < 5000; i++) {
      const text = Array.from({ length: next(20) }, () => pieces[next(pieces.length)]).join("");
      expect(parseCsv(text), JSON.stringify(text)).toEqual(parseCsvByCharacter(text));
    }
  });

  it("reads quoted fields with commas, quotes and newlines, and CRLF", () => {
    const text = `a,b\r\n${csvField('x, "y"')},${csvField("line\nbreak")}\r\n,\n`;
    expect(parseCsv(text)).toEqual([
      ["a", "b"],
      ['x, "y"', "line\nbreak"],
      ["", ""],
    ]);
  });
});

describe("buildChangelog", () => {
  const first = runsCsv([
    ["c7i.large", "r1", 100],
    ["m7g.large", "r2", 200],
  ]);

  it("lists every run as added in the first release, and names the licence", () => {
    const changelog = buildChangelog(v1, first);
    expect(changelog).toMatch(/^# Changelog of the aws-instance-benchmarks data API v1\n/);
    expect(changelog).toContain("CC-BY-4.0");
    expect(changelog).toContain("https://creativecommons.org/licenses/by/4.0/");
    expect(changelog).toContain(`## ${v1}\n\nFirst release: 2 added, 0 changed, 0 removed; 2 run(s) in this release.`);
    expect(changelog).toContain("### Added (2)\n\n- `c7i.large` `r1`\n- `m7g.large` `r2`\n");
    expect(changelog).not.toContain("### Changed");
    expect(changelog.endsWith("\n")).toBe(true);
  });

  it("prepends a section per release with runs added, changed and removed, keeping the history", () => {
    const changelog1 = buildChangelog(v1, first);
    const second = runsCsv([
      ["c7i.large", "r1", 101],
      ["r7i.large", "r9", 50],
    ]);
    const changelog2 = buildChangelog(v2, second, { runsCsv: first, indexJson: indexOf(v1), changelog: changelog1 });
    const sections = changelog2.split(/^## /m).slice(1);
    expect(sections.map((section) => section.split("\n")[0])).toEqual([v2, v1]);
    expect(sections[0]).toContain(`Since ${v1}: 1 added, 1 changed, 1 removed; 2 run(s) in this release.`);
    expect(sections[0]).toContain("### Added (1)\n\n- `r7i.large` `r9`\n");
    expect(sections[0]).toContain("### Changed (1)\n\n- `c7i.large` `r1`\n");
    expect(sections[0]).toContain("### Removed (1)\n\n- `m7g.large` `r2`\n");
    expect(changelog2.endsWith(changelog1.slice(changelog1.indexOf(`## ${v1}`)))).toBe(true);
  });

  it("keeps the previous changelog byte for byte when no run changed, and gives the same bytes for the same inputs", () => {
    const changelog1 = buildChangelog(v1, first);
    const previous = { runsCsv: first, indexJson: indexOf(v1), changelog: changelog1 };
    expect(buildChangelog(v2, first, previous)).toBe(changelog1);
    const next = runsCsv([["c7i.large", "r1", 100]]);
    expect(buildChangelog(v3, next, previous)).toBe(buildChangelog(v3, next, { ...previous }));
  });

  it("lists at most the limit of runs per section and counts the rest", () => {
    const many = runsCsv(
      Array.from({ length: changelogListLimit + 7 }, (_, at) => ["c7i.large", `r${String(at).padStart(4, "0")}`, 1]),
    );
    const changelog = buildChangelog(v1, many);
    expect(changelog).toContain(`### Added (${changelogListLimit + 7})`);
    expect(changelog.match(/^- `c7i\.large`/gm)).toHaveLength(changelogListLimit);
    expect(changelog).toContain("- … and 7 more\n");
  });

  it("starts the history afresh from a previous changelog without sections, and needs no previous index", () => {
    const changelog = buildChangelog(v2, first, { runsCsv: "", changelog: "# something else\n" });
    expect(changelog.match(/^## /gm)).toHaveLength(1);
    expect(buildChangelog(v2, first, { runsCsv: first })).not.toContain("## ");
  });
});

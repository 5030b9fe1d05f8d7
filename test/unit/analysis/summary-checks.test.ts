/**
 * analyze checks every summary's text against its schema, and makes the published rankings from those texts, on a
 * worker thread (src/analysis/summary-checks.ts) while it builds the rest of the API. The same verdicts, and the
 * rankings made from the summaries in memory, on this thread (the TypeScript sources) and on the compiled worker.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { publishedRankings } from "../../../src/analysis/api.js";
import { buildDatabase } from "../../../src/analysis/database.js";
import * as fromSources from "../../../src/analysis/summary-checks.js";
import type { AnalysisDatabase } from "../../../src/schemas/generated/analysis-database.js";
import type { BenchmarkResult } from "../../../src/schemas/generated/benchmark-result.js";
import { triadResult } from "../../helpers/results.js";

const compiledPath = join(import.meta.dirname, "..", "..", "..", "dist", "src", "analysis", "summary-checks.js");

/** A run of `type` whose triad differs by type and run, so the two types rank apart; and a second configuration. */
function run(type: string, i: number): BenchmarkResult {
  return triadResult({
    runId: `${type}-${i}`,
    instanceType: type,
    triad: (type === "c7i.large" ? 2000 : 1000) + i,
    otherConfigurations: { single: 500 + i },
  });
}

function built(): { items: fromSources.SummaryText[]; skeleton: string; database: AnalysisDatabase } {
  const runs = [1, 2, 3].flatMap((i) =>
    ["m7i.large", "c7i.large"].map((type) => ({
      path: `${type}/b-${i}`,
      resultSha256: "0".repeat(64),
      evidence: "maintainer" as const,
      result: run(type, i),
    })),
  );
  const { database, json } = buildDatabase({ corpus: { runs, skipped: [] }, asOf: "2026-12-01" });
  const items = fromSources.summaryTexts(database.summaries, json);
  return { items, skeleton: json.skeleton("processed/latest.json") as string, database };
}

describe("checkAndRank", () => {
  it("gives the rankings made from the summaries in memory, and names the first summary that breaks the schema or is not JSON, on either thread", async () => {
    expect(existsSync(compiledPath), "run `npm run build` first").toBe(true);
    const compiled = (await import(pathToFileURL(compiledPath).href)) as typeof fromSources;
    const { items, skeleton, database } = built();
    // Summaries of another configuration than the headline's are there too (ranking keeps only what it reads of them).
    expect(database.summaries.map((summary) => summary.configuration)).toContain("single");
    const expected = publishedRankings(database);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected[0]?.ranking.rows).toHaveLength(2);
    const first = items[0] as fromSources.SummaryText;
    const broken = { label: "broken one", text: first.text.replace(/"instances": \d+/, '"instances": -1') };
    expect(broken.text).not.toBe(first.text);
    for (const check of [fromSources.checkAndRank, compiled.checkAndRank]) {
      expect(await check(items, skeleton)).toEqual({ rankings: expected });
      const failed = await check([...items, broken, { label: "later", text: "{" }], skeleton);
      expect("problem" in failed && failed.problem.label).toBe("broken one");
      expect("problem" in failed && failed.problem.errors.join("; ")).toMatch(/\/counts\/instances: must be >= 1/);
      const cut = await check([{ label: "cut short", text: "{" }], skeleton);
      expect("problem" in cut && cut.problem.errors[0]).toMatch(/^\/: not JSON/);
    }
  });
});

/**
 * analyze checks every summary's text against its schema on a worker thread (src/analysis/summary-checks.ts) while
 * it builds the API. The same verdicts on this thread (the TypeScript sources) and on the compiled worker thread.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { buildDatabase } from "../../../src/analysis/database.js";
import * as fromSources from "../../../src/analysis/summary-checks.js";
import { minimalResult } from "../../helpers/results.js";

const compiledPath = join(import.meta.dirname, "..", "..", "..", "dist", "src", "analysis", "summary-checks.js");

function texts(): fromSources.SummaryText[] {
  const runs = [1, 2, 3].map((i) => ({
    path: `m7i.large/b-${i}`,
    resultSha256: "0".repeat(64),
    evidence: "maintainer" as const,
    result: minimalResult({
      runId: `run-${i}`,
      host: {
        architecture: "x86_64",
        cpuModel: "Intel(R) Xeon(R) Platinum 8488C",
        logicalCpus: 2,
        memoryMiB: 8192,
        kernel: "6.1.0",
        instanceType: "m7i.large",
      },
      container: { imageDigest: `sha256:${"a".repeat(64)}` },
      benchmarks: [
        {
          benchmark: "stream",
          implementation: "stream",
          parameters: {},
          configurations: [
            {
              id: "main",
              description: "main",
              statistics: {},
              trials: [{ index: 0, valid: true, metrics: { triad: { value: 1000 + i, unit: "MB/s", printed: "x" } } }],
            },
          ],
          headline: { configuration: "main", metric: "triad" },
          validity: { valid: true, validTrials: 1, trials: 1 },
        },
      ],
    }),
  }));
  const { json } = buildDatabase({ corpus: { runs, skipped: [] }, asOf: "2026-12-01" });
  return [...json.summaries()].map(([summary, text]) => ({ label: `${summary.type} ${summary.metric}`, text }));
}

describe("checkSummaryTexts", () => {
  it("passes analyze's own summaries, and names the first that breaks the schema or is not JSON, on either thread", async () => {
    expect(existsSync(compiledPath), "run `npm run build` first").toBe(true);
    const compiled = (await import(pathToFileURL(compiledPath).href)) as typeof fromSources;
    const good = texts();
    expect(good.length).toBeGreaterThan(0);
    const first = good[0] as fromSources.SummaryText;
    const broken = { label: "broken one", text: first.text.replace(/"instances": \d+/, '"instances": -1') };
    expect(broken.text).not.toBe(first.text);
    for (const check of [fromSources.checkSummaryTexts, compiled.checkSummaryTexts]) {
      expect(await check(good)).toBeUndefined();
      const failed = await check([...good, broken, { label: "later", text: "{" }]);
      expect(failed?.label).toBe("broken one");
      expect(failed?.errors.join("; ")).toMatch(/\/counts\/instances: must be >= 1/);
      expect((await check([{ label: "cut short", text: "{" }]))?.errors[0]).toMatch(/^\/: not JSON/);
    }
  });
});

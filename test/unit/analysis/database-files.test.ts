/**
 * What `rank` and `compare` read (src/analysis/read-database.ts readDatabaseFor): the by-metric file analyze wrote, taken
 * without validating it again only while its bytes match the SHA256SUMS analyze wrote beside it; an edited file, or
 * one without a listed checksum, is validated like any input and refused when it breaks the schema.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkFiles, writeAnalysis } from "../../../src/analysis/analyze.js";
import { buildApi } from "../../../src/analysis/api.js";
import { readDatabaseFor } from "../../../src/analysis/read-database.js";
import type { CorpusRun } from "../../../src/analysis/corpus.js";
import { buildDatabase } from "../../../src/analysis/database.js";
import { checkAndRank, summaryTexts } from "../../../src/analysis/summary-checks.js";
import type { SummaryJson } from "../../../src/analysis/summary-json.js";
import { isBenchError } from "../../../src/errors.js";
import { triadResult } from "../../helpers/results.js";

function runs(): CorpusRun[] {
  return [1, 2, 3].map((i) => ({
    path: `m7i.large/b-${i}`,
    resultSha256: "0".repeat(64),
    evidence: "maintainer",
    result: triadResult({ runId: `run-${i}`, instanceType: "m7i.large", triad: 1000 + i, region: "us-east-1" }),
  }));
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "aws-bench-db-files-"));
  const { files } = buildDatabase({ corpus: { runs: runs(), skipped: [] }, asOf: "2026-12-01" });
  writeAnalysis(dir, files);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const byMetric = (name: string) => join(dir, "processed", "by-metric", name);

describe("readDatabaseFor", () => {
  it("lists each by-metric file's SHA-256 in SHA256SUMS, and reads the file those sums vouch for", async () => {
    const text = readFileSync(byMetric("stream.triad.json"));
    const sums = readFileSync(byMetric("SHA256SUMS"), "utf8");
    expect(sums).toContain(`${createHash("sha256").update(text).digest("hex")}  stream.triad.json\n`);
    const database = await readDatabaseFor(dir, "stream.triad");
    expect(database).toEqual(JSON.parse(text.toString("utf8")));
    expect(database.summaries.map((s) => s.instances.map((i) => i.value))).toEqual([[1001, 1002, 1003]]);
  });

  it("does not validate again what the sums vouch for (schemas are never loaded for analyze's own files)", async () => {
    // A document the schema refuses, listed with its own checksum: only the checksum decides, so it is taken as is.
    const text = `${JSON.stringify({ schemaVersion: "one", summaries: [] })}\n`;
    writeFileSync(byMetric("stream.triad.json"), text);
    writeFileSync(byMetric("SHA256SUMS"), `${createHash("sha256").update(text).digest("hex")}  stream.triad.json\n`);
    expect(await readDatabaseFor(dir, "stream.triad")).toEqual({ schemaVersion: "one", summaries: [] });
  });

  it("validates a file edited after analyze, and refuses it when it breaks the schema", async () => {
    const edited = JSON.parse(readFileSync(byMetric("stream.triad.json"), "utf8")) as { schemaVersion: unknown };
    edited.schemaVersion = "one";
    writeFileSync(byMetric("stream.triad.json"), JSON.stringify(edited));
    const error: unknown = await readDatabaseFor(dir, "stream.triad").catch((e: unknown) => e);
    expect(isBenchError(error) && error.code).toBe("SchemaViolation");
  });

  it("validates a file that no checksum vouches for", async () => {
    rmSync(byMetric("SHA256SUMS"));
    expect((await readDatabaseFor(dir, "stream.triad")).summaries).toHaveLength(1);
    const edited = JSON.parse(readFileSync(byMetric("stream.triad.json"), "utf8")) as { summaries: unknown };
    edited.summaries = "none";
    writeFileSync(byMetric("stream.triad.json"), JSON.stringify(edited));
    const error: unknown = await readDatabaseFor(dir, "stream.triad").catch((e: unknown) => e);
    expect(isBenchError(error) && error.code).toBe("SchemaViolation");
  });
});

describe("the checks of what analyze writes", () => {
  const built = () => {
    const { database, files, json } = buildDatabase({ corpus: { runs: runs(), skipped: [] }, asOf: "2026-12-01" });
    for (const [path, text] of buildApi(database, {}, json.under("api/v1/"))) files.set(`api/v1/${path}`, text);
    return { database, files, json };
  };
  const skeleton = (json: SummaryJson) => json.skeleton("processed/latest.json") as string;

  it("passes what analyze builds, each summary checked once though three files hold it", async () => {
    const { database, files, json } = built();
    await expect(checkFiles(files, json)).resolves.toBeUndefined();
    const texts = summaryTexts(database.summaries, json);
    expect(texts).toHaveLength(1);
    expect(await checkAndRank(texts, skeleton(json))).toHaveProperty("rankings");
    for (const path of [
      "processed/latest.json",
      "processed/by-metric/stream.triad.json",
      "api/v1/types/m7i.large.json",
    ])
      expect(files.get(path)).toContain(texts[0]?.text);
  });

  it("refuses a summary that breaks its schema, naming it, and a file whose own fields break its schema", async () => {
    const { database, files, json } = built();
    const broken = { ...database.summaries[0], counts: { instances: -1 } } as (typeof database.summaries)[0];
    files.set("processed/latest.json", json.write("processed/latest.json", { ...database, summaries: [broken] }));
    const work = await checkAndRank(summaryTexts([broken], json), skeleton(json));
    expect("problem" in work && work.problem.label).toMatch(/the summary of m7i\.large stream\.triad \(stream, main\)/);
    expect("problem" in work && work.problem.errors.join("; ")).toMatch(/\/counts/);

    const again = built();
    again.files.set(
      "api/v1/types/m7i.large.json",
      again.json.under("api/v1/").write("types/m7i.large.json", { schemaVersion: 2, summaries: database.summaries } as {
        summaries: typeof database.summaries;
      }),
    );
    await expect(checkFiles(again.files, again.json)).rejects.toThrow(
      /api\/v1\/types\/m7i\.large\.json \(to be written\)/,
    );
  });
});

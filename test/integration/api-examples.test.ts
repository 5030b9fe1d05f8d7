/**
 * docs/API.md's examples, run against API files made here: a corpus of collected runs (six types, result.json with
 * SHA256SUMS as `collect` leaves them) goes through `aws-bench analyze`, the resulting api/v1/ is served over HTTP
 * on 127.0.0.1, and each fenced block marked `example=<name>` runs with AWS_BENCH_API pointing at it: curl + jq and
 * TypeScript (type-checked with the repo's tsc, compiled with esbuild, run with node) always; Python where a
 * python3 with pandas is installed and R where Rscript with jsonlite is — both optional, so their absence skips
 * them even in CI (.ci/run installs neither: R and pandas are large, and the two examples only read what the jq and
 * TypeScript ones already prove is served). Each example's output is checked against the files.
 *
 * Also here: what the API promises as a whole — index.json lists every file with its checksum, openapi.json
 * describes every file, CHANGELOG.md follows the runs across releases — and CITATION.cff and data/LICENSE.
 */
import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { promisify } from "node:util";
import { transform } from "esbuild";
import { parse as parseYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyze, writeAnalysis } from "../../src/analysis/analyze.js";
import { parseCsv } from "../../src/analysis/changelog.js";
import { openApiDocument } from "../../src/analysis/openapi.js";
import { sha256Hex } from "../../src/checksums.js";
import { memoryIo } from "../../src/cli/io.js";
import { exec } from "../../src/cli/main.js";
import type { ApiIndex } from "../../src/schemas/generated/api-index.js";
import type { ApiRanking } from "../../src/schemas/generated/api-ranking.js";
import type { ApiType } from "../../src/schemas/generated/api-type.js";
import { commandExists, hasCommands } from "../helpers/prerequisites.js";
import { ec2Run, resultBytes, sha256Sums } from "../helpers/results.js";

const root = join(import.meta.dirname, "..", "..");
const run = promisify(execFile);

/** Each type's instances (their STREAM Triad, MB/s): six types so "the top five" leaves one out. */
const corpusPlan: ReadonlyArray<readonly [type: string, triads: readonly number[]]> = [
  ["c7i.large", [30100.5, 30500.2, 29900.1]],
  ["m7g.large", [41000.3, 40500.8, 41200.4]],
  ["r7i.large", [29000.2, 29500.9]],
  ["c7g.large", [38000.1, 38400.6, 37900.2]],
  ["m7i.large", [31000.4, 31500.7, 30800.3]],
  ["c6i.large", [22000.8, 22400.5, 21800.9]],
];

/** Writes the runs of `plan` under `dir` as `collect` does: `<type>/<batch>-<repeat>/` with SHA256SUMS. */
function writeCorpus(dir: string, plan: typeof corpusPlan, batch = "b1"): void {
  for (const [type, triads] of plan)
    triads.forEach((triad, at) => {
      const files = ec2Run({
        runId: `${type}-${batch}-${at + 1}`,
        instanceType: type,
        architecture: /^[a-z]+\dg/.test(type) ? "arm64" : "x86_64",
      });
      const trial = files.result.benchmarks[0]?.configurations[0]?.trials[0];
      if (!trial) throw new Error("ec2Run has no trial");
      trial.metrics["triad"] = { value: triad, unit: "MB/s", printed: String(triad) };
      const runDir = join(dir, type, `${batch}-${at + 1}`);
      for (const [path, bytes] of files.raw) {
        mkdirSync(dirname(join(runDir, path)), { recursive: true });
        writeFileSync(join(runDir, path), bytes);
      }
      const json = resultBytes(files.result);
      writeFileSync(join(runDir, "result.json"), json);
      const sums = [...files.result.rawFiles.map((f) => [f.path, f.sha256] as const), ["result.json", sha256Hex(json)]];
      writeFileSync(join(runDir, "SHA256SUMS"), sha256Sums(sums as Array<[string, string]>));
    });
}

/** The fenced blocks of docs/API.md marked `example=<name>`, by name. */
function examplesOf(markdown: string): Map<string, { language: string; code: string }> {
  const examples = new Map<string, { language: string; code: string }>();
  for (const match of markdown.matchAll(/^```(\w+) example=([\w-]+)\n([\s\S]*?)^```$/gm))
    examples.set(match[2] as string, { language: match[1] as string, code: match[3] as string });
  return examples;
}

/** A static server for `dir` on 127.0.0.1 (GET only; 404 outside it). */
async function serve(dir: string): Promise<{ server: Server; url: string }> {
  const types: Record<string, string> = { json: "application/json", csv: "text/csv", md: "text/markdown" };
  const server = createServer((request, response) => {
    const path = join(dir, decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname));
    if (request.method !== "GET" || relative(dir, path).startsWith("..") || !existsSync(path) || path === dir) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": types[path.split(".").at(-1) ?? ""] ?? "application/octet-stream" });
    response.end(readFileSync(path));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** The first python3 that imports pandas (PATH's, then the system's), or undefined. */
function pythonWithPandas(): string | undefined {
  for (const python of ["python3", "/usr/bin/python3"])
    if (spawnSync(python, ["-c", "import pandas"], { stdio: "ignore" }).status === 0) return python;
  return undefined;
}

const work = mkdtempSync(join(tmpdir(), "aws-bench-api-examples-"));
const apiDir = join(work, "out", "api", "v1");
const examples = examplesOf(readFileSync(join(root, "docs", "API.md"), "utf8"));
let api = "";
let server: Server | undefined;
const read = <T>(path: string) => JSON.parse(readFileSync(join(apiDir, path), "utf8")) as T;

beforeAll(async () => {
  writeCorpus(join(work, "raw"), corpusPlan);
  const io = memoryIo({ cwd: work });
  const code = await exec(["analyze", "--input", "raw", "--out", "out"], io);
  if (code !== 0) throw new Error(`analyze failed (${code}): ${io.err()}`);
  ({ server, url: api } = await serve(apiDir));
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  rmSync(work, { recursive: true, force: true });
});

const env = () => ({ ...process.env, AWS_BENCH_API: api });

describe("docs/API.md's examples", () => {
  it("has the four examples, one per language", () => {
    expect([...examples].map(([name, { language }]) => `${name}:${language}`).sort()).toEqual([
      "runs-pandas:python",
      "top-triad-jq:sh",
      "top-triad-r:r",
      "type-summaries-ts:ts",
    ]);
  });

  if (hasCommands("API examples with curl and jq", ["curl", "jq"], "apt-get install curl jq"))
    it("curl + jq: the top five types by Triad with intervals, in rank order", async () => {
      const { code } = examples.get("top-triad-jq") ?? { code: "" };
      const { stdout } = await run("bash", ["-eo", "pipefail", "-c", code], { env: env() });
      const ranking = read<ApiRanking>("rankings/stream.triad.json");
      const [first, ...lines] = stdout.trimEnd().split("\n");
      expect(first).toBe(`dataset ${ranking.dataset.version} (CC-BY-4.0)`);
      expect(lines).toEqual(
        ranking.rows
          .slice(0, 5)
          .map(
            (row) =>
              `${row.type}\t${row.median} ${row.interval.low}-${row.interval.high} ` +
              `(${Math.round(row.interval.coverage * 100)}%, n=${row.n})\trank ${JSON.stringify(row.rank)}`,
          ),
      );
      expect(lines.map((line) => line.split("\t")[0])).not.toContain("c6i.large");
    });

  it("TypeScript: one type's headline summaries (type-checked, compiled, run)", async () => {
    const { code } = examples.get("type-summaries-ts") ?? { code: "" };
    const dir = mkdtempSync(join(work, "ts-"));
    writeFileSync(join(dir, "example.mts"), code);
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    const types = ["--types", "node", "--typeRoots", join(root, "node_modules", "@types")];
    const flags = [
      "--noEmit",
      "--skipLibCheck",
      "--strict",
      "--noUncheckedIndexedAccess",
      "--target",
      "es2022",
      "--module",
      "nodenext",
    ];
    await run(process.execPath, [tsc, ...flags, ...types, join(dir, "example.mts")], { cwd: dir });
    const compiled = await transform(code, { loader: "ts", format: "esm", target: "node20" });
    writeFileSync(join(dir, "example.mjs"), compiled.code);
    const { stdout } = await run(process.execPath, [join(dir, "example.mjs"), "m7g.large"], { env: env() });
    const page = read<ApiType>("types/m7g.large.json");
    const summary = page.summaries.find((s) => s.headline && s.metric === "stream.triad");
    const interval = summary?.statistics.medianInterval;
    expect(stdout).toBe(
      `m7g.large, dataset ${page.dataset.version} (CC-BY-4.0)\n` +
        `stream.triad: median ${summary?.statistics.median} MB/s, ${Math.round((interval?.coverage ?? 0) * 100)}% ` +
        `interval ${interval?.low}–${interval?.high}, n=3 (below the 95% target: too few instances)\n`,
    );
    await expect(run(process.execPath, [join(dir, "example.mjs"), "no.such"], { env: env() })).rejects.toThrow(
      /no\.such: HTTP 404/,
    );
  }, 60_000);

  // Optional: pandas is not installed by .ci/run (see the header), so a missing one skips here, in CI too.
  const python = pythonWithPandas();
  if (!python) console.warn("API example runs-pandas skipped: no python3 with pandas (apt-get install python3-pandas)");
  it.skipIf(!python)("Python (pandas): the five best median Triads from runs.csv", async () => {
    const { code } = examples.get("runs-pandas") ?? { code: "" };
    const { stdout } = await run(python as string, ["-c", code], { env: env() });
    const median = (values: readonly number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      const middle = sorted.length / 2;
      return ((sorted[Math.floor(middle)] ?? 0) + (sorted[Math.ceil(middle) - 1] ?? 0)) / 2;
    };
    const expected = corpusPlan
      .map(([type, triads]) => ({ type, median: median(triads), count: triads.length }))
      .sort((a, b) => b.median - a.median)
      .slice(0, 5);
    const rows = stdout.trimEnd().split("\n").slice(2);
    expect(rows.map((row) => row.split(/\s+/)[0])).toEqual(expected.map(({ type }) => type));
    expect(rows.map((row) => Number(row.split(/\s+/).at(-1)))).toEqual(expected.map(({ count }) => count));
  });

  // Optional like pandas: R is not installed by .ci/run.
  const hasR =
    commandExists("Rscript") && spawnSync("Rscript", ["-e", "library(jsonlite)"], { stdio: "ignore" }).status === 0;
  if (!hasR)
    console.warn("API example top-triad-r skipped: no Rscript with jsonlite (apt-get install r-cran-jsonlite)");
  it.skipIf(!hasR)("R (jsonlite): the ranking's first five rows as a data frame", async () => {
    const { code } = examples.get("top-triad-r") ?? { code: "" };
    const { stdout } = await run("Rscript", ["-e", code], { env: env() });
    const ranking = read<ApiRanking>("rankings/stream.triad.json");
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(`dataset ${ranking.dataset.version} licence CC-BY-4.0 `);
    expect(lines[1]).toMatch(/^\s*type\s+median\s+low\s+high\s+n$/);
    expect(lines.slice(2).map((line) => line.trim().split(/\s+/)[0])).toEqual(
      ranking.rows.slice(0, 5).map((row) => row.type),
    );
  });
});

describe("the published API", () => {
  const filesUnder = (dir: string): string[] =>
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join("/"))
      .sort();

  it("lists every other file in index.json with its SHA-256, size and schema", () => {
    const index = read<ApiIndex>("index.json");
    expect(index.files.map((file) => file.path)).toEqual(filesUnder(apiDir).filter((path) => path !== "index.json"));
    for (const file of index.files) {
      const bytes = readFileSync(join(apiDir, file.path));
      expect({ path: file.path, sha256: sha256Hex(bytes), bytes: bytes.length }).toEqual({
        path: file.path,
        sha256: file.sha256,
        bytes: file.bytes,
      });
    }
    const schemaOf = Object.fromEntries(index.files.map((file) => [file.path, file.schema]));
    expect(schemaOf["openapi.json"]).toBe("https://spec.openapis.org/oas/3.1/schema/2022-10-07");
    expect(schemaOf["CHANGELOG.md"]).toBe("text/markdown");
    expect(schemaOf["runs.csv"]).toBe("text/csv");
  });

  it("describes every file in openapi.json, which is the document openApiDocument() gives", () => {
    expect(read<unknown>("openapi.json")).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
    const templates = Object.keys(openApiDocument().paths).map(
      (path) => new RegExp(`^${path.replaceAll(".", "\\.").replace(/\{\w+\}/, "[^/]+")}$`),
    );
    for (const path of filesUnder(apiDir)) expect(templates.some((template) => template.test(`/${path}`))).toBe(true);
  });

  it("names the data licence in every file but runs.csv, whose notice is docs/API.md", () => {
    for (const path of filesUnder(apiDir).filter((p) => p !== "runs.csv"))
      expect(readFileSync(join(apiDir, path), "utf8")).toContain("CC-BY-4.0");
    expect(readFileSync(join(root, "docs", "API.md"), "utf8")).toMatch(
      /`runs\.csv` has no room for a notice[^.]*CC BY 4\.0/,
    );
  });

  it("follows the runs across releases in CHANGELOG.md: added, changed and removed", async () => {
    const dir = mkdtempSync(join(work, "releases-"));
    const raw = join(dir, "raw");
    const release = async (asOf: string) => {
      const outcome = await analyze({
        inputs: [{ dir: raw, includeLocal: false }],
        asOf,
        previousApiDir: join(dir, "out", "api", "v1"),
      });
      writeAnalysis(join(dir, "out"), outcome.files);
      return readFileSync(join(dir, "out", "api", "v1", "CHANGELOG.md"), "utf8");
    };
    writeCorpus(raw, corpusPlan.slice(0, 2));
    const first = await release("2026-12-01");
    expect(first).toMatch(/First release: 6 added, 0 changed, 0 removed/);
    expect(await release("2026-12-01")).toBe(first); // the same runs again: no new section, the same bytes
    writeCorpus(raw, [["r7i.large", [29000.2]]]); // added
    writeCorpus(raw, [["c7i.large", [30100.5, 33333.3, 29900.1]]]); // c7i.large-b1-2 re-collected with a new value
    rmSync(join(raw, "m7g.large", "b1-3"), { recursive: true }); // removed
    const second = await release("2026-12-02");
    const [newest = "", previous = ""] = second.split(/^## /m).slice(1);
    expect(newest).toMatch(
      /^2026\.12\.02\+[0-9a-f]{12}\n\nSince 2026\.12\.01\+[0-9a-f]{12}: 1 added, 1 changed, 1 removed;/,
    );
    expect(newest).toContain("### Added (1)\n\n- `r7i.large` `r7i.large-b1-1`\n");
    expect(newest).toContain("### Changed (1)\n\n- `c7i.large` `c7i.large-b1-2`\n");
    expect(newest).toContain("### Removed (1)\n\n- `m7g.large` `m7g.large-b1-3`\n");
    expect(`## ${previous}`).toBe(first.slice(first.indexOf("## ")));
    const runIds = parseCsv(readFileSync(join(dir, "out", "api", "v1", "runs.csv"), "utf8")).map((row) => row[5]);
    expect(runIds).toContain("r7i.large-b1-1");
  }, 60_000);
});

describe("CITATION.cff and data/LICENSE", () => {
  it("CITATION.cff is CFF 1.2.0 YAML with the required keys, citing the dataset under CC BY 4.0", () => {
    const cff = parseYaml(readFileSync(join(root, "CITATION.cff"), "utf8")) as Record<string, unknown>;
    expect(cff["cff-version"]).toBe("1.2.0");
    for (const key of ["message", "title", "authors"]) expect(cff[key]).toBeTruthy();
    expect(Array.isArray(cff["authors"]) && (cff["authors"] as unknown[]).length).toBeGreaterThan(0);
    expect(cff["license"]).toContain("CC-BY-4.0");
    const preferred = cff["preferred-citation"] as Record<string, unknown>;
    for (const key of ["type", "title", "authors"]) expect(preferred[key]).toBeTruthy();
    expect(preferred["license"]).toBe("CC-BY-4.0");
    expect(cff["message"]).toContain("dataset.version");
  });

  it("data/LICENSE names CC BY 4.0, links the licence and asks for attribution", () => {
    const licence = readFileSync(join(root, "data", "LICENSE"), "utf8");
    expect(licence).toContain("Creative Commons Attribution 4.0 International (CC BY 4.0)");
    expect(licence).toContain("https://creativecommons.org/licenses/by/4.0/");
    expect(licence).toMatch(/Give appropriate credit/);
  });
});

/**
 * `aws-bench analyze` as a library call: read and check the runs, build the database and its static API, validate
 * every JSON file against its schema, and put `processed/` and `api/v1/` in place whole — each is written beside
 * its final place first and swapped in with renames, so a failure leaves the previous database as it was and a
 * type that disappeared leaves no stale file behind.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { BenchError, isBenchError } from "../errors.js";
import { collectGarbage } from "../memory.js";
import { readRegularFile } from "../input-files.js";
import { assertDocument, schemaViolation, type DocumentKind } from "../schemas/documents.js";
import { replaceFoldersWhole, StagedFolders } from "../output-folders.js";
import type { AnalysisDatabase } from "../schemas/generated/analysis-database.js";
import type { InstanceCatalog } from "../schemas/generated/instance-catalog.js";
import type { PriceSnapshot } from "../schemas/generated/price-snapshot.js";
import { apiPages, digestOf, finishApi, type FileDigest } from "./api.js";
import type { PreviousRelease } from "./changelog.js";
import { readCorpus, type Corpus, type CorpusInput } from "./corpus.js";
import { buildDatabase } from "./database.js";
import type { SummaryJson } from "./summary-json.js";
import { checkAndRank, summaryTexts } from "./summary-checks.js";

/** What {@link analyze} needs. */
export interface AnalyzeOptions {
  /** Folders of runs. */
  inputs: readonly CorpusInput[];
  /** The judgement date; default the day the newest run finished, else the price snapshot's date. */
  asOf?: string | undefined;
  /** The instance catalogue. */
  catalog?: InstanceCatalog | undefined;
  /** The price snapshot. */
  prices?: PriceSnapshot | undefined;
  /**
   * The `api/v1` folder about to be replaced (`<out>/api/v1`): its runs.csv, index.json and CHANGELOG.md are the
   * previous release the changelog is written against. Absent, or without those files, this is the first release.
   */
  previousApiDir?: string | undefined;
}

/** The database and every file of it, relative to the output folder (`processed/…`, `api/v1/…`). */
export interface AnalyzeOutcome {
  database: AnalysisDatabase;
  files: Map<string, string>;
}

/** Reads, checks and analyzes; writes nothing. */
export async function analyze(options: AnalyzeOptions): Promise<AnalyzeOutcome> {
  const files = new Map<string, string>();
  const database = await buildAnalysis(options, (path, content) => files.set(path, content));
  return { database, files };
}

/**
 * {@link analyze}, writing `processed/` and `api/v1/` under `outDir` while it builds them: each file is staged beside
 * its folder as soon as it is made (the writes proceed while the rest is built and checked), and the folders are
 * swapped in only when every file is written and every check passed; on any failure nothing is replaced. Returns the
 * database and the files' paths.
 */
export async function analyzeInto(
  options: AnalyzeOptions,
  outDir: string,
): Promise<{ database: AnalysisDatabase; paths: string[] }> {
  const folders = outputRoots.map((root) => ({ root, folder: join(outDir, root), name: `${root}/` }));
  let staged: StagedFolders | undefined;
  const paths: string[] = [];
  try {
    staged = new StagedFolders(folders, "analyze");
    const stage = staged;
    const database = await buildAnalysis(options, (path, content) => {
      const at = folders.find(({ root }) => path.startsWith(`${root}/`));
      if (!at) throw new Error(`${path} is outside processed/ and api/v1/`);
      stage.write(at.folder, path.slice(at.root.length + 1), content);
      paths.push(path);
    });
    await stage.commit();
    return { database, paths };
  } catch (error) {
    staged?.abort();
    if (isBenchError(error)) throw error;
    throw writeFailed(outDir, error);
  }
}

/** API pages made between two turns of the event loop, in which the staged writes go on and finish. */
const pagesBetweenWrites = 8;

/** The folders analyze writes, each replaced whole. */
const outputRoots = ["processed", "api/v1"];

/**
 * Reads, checks and analyzes, handing each file to `put` as it is made (`processed/` first, then `api/v1/`), each
 * JSON file's own fields checked against its schema before, every summary checked once at the end.
 */
async function buildAnalysis(
  options: AnalyzeOptions,
  put: (path: string, content: string) => void,
): Promise<AnalysisDatabase> {
  if (options.asOf !== undefined && !isDate(options.asOf))
    throw new BenchError("UsageError", `--as-of ${JSON.stringify(options.asOf)} is not a date (YYYY-MM-DD).`, {
      fix: "Pass the day to judge staleness against, e.g. --as-of 2026-12-06.",
    });
  // Held only until the database is built: the runs are the largest thing in memory besides the output.
  let corpus: Corpus | undefined = await readCorpus(options.inputs);
  const newest = corpus.runs
    .map((run) => run.result.finishedAt.slice(0, 10))
    .sort()
    .at(-1);
  const asOf = options.asOf ?? newest ?? options.prices?.source.asOf;
  if (asOf === undefined)
    throw new BenchError("UsageError", "There are no runs and no price snapshot to date the database by.", {
      fix: "Pass --as-of YYYY-MM-DD.",
    });
  const { database, files, json } = buildDatabase({
    corpus,
    asOf,
    dataCommit: dataCommitOf(options.inputs.map((input) => input.dir)),
    catalog: options.catalog,
    prices: options.prices,
  });
  corpus = undefined;
  // Every summary is in latest.json, so every text is made: they are checked, and the published rankings made from
  // them, aside while the rest is built.
  const aside = checkAndRank(summaryTexts(database.summaries, json), json.skeleton("processed/latest.json") as string);
  // Awaited below; until then a failure (or the thread's) is not an unhandled rejection.
  aside.catch(() => undefined);
  await checkFiles(files, json);
  for (const [path, content] of files) put(path, content);
  files.clear();
  // The runs and their observations are garbage now, the largest part of the heap.
  collectGarbage();
  const previous = options.previousApiDir === undefined ? {} : readPreviousRelease(options.previousApiDir);
  // The pages are written while the rankings are made, each as soon as it is made and checked (the writes proceed
  // between pages); index.json then lists them by their digests.
  const digests = new Map<string, FileDigest>();
  let made = 0;
  for (const [path, content] of apiPages(database, previous, json.under("api/v1/"))) {
    await checkFiles(new Map([[`api/v1/${path}`, content]]), json);
    digests.set(path, digestOf(content));
    put(`api/v1/${path}`, content);
    if (++made % pagesBetweenWrites === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  json.releaseTexts();
  collectGarbage();
  const work = await aside;
  if ("problem" in work) throw schemaViolation("metric-summary", work.problem.label, work.problem.errors);
  for (const [path, content] of finishApi(database, digests, work.rankings)) files.set(`api/v1/${path}`, content);
  await checkFiles(files, json);
  for (const [path, content] of files) put(path, content);
  files.clear();
  return database;
}

/**
 * Checks each JSON file about to be written against its schema, as text: its own fields, without its summaries (its
 * skeleton in `json`); the summaries are checked once each, on the summary-checking thread (summary-checks.ts).
 * Throws `SchemaViolation` naming the file.
 */
export async function checkFiles(files: ReadonlyMap<string, string>, json: SummaryJson): Promise<void> {
  for (const [path, content] of files) {
    const kind = kindOf(path);
    if (kind) await assertDocument(kind, JSON.parse(json.skeleton(path) ?? content), `${path} (to be written)`);
  }
}

/** What the release in `dir` published for the changelog; a file that is not there is left out. */
export function readPreviousRelease(dir: string): PreviousRelease {
  const read = (name: string) => {
    const path = join(dir, name);
    if (!existsSync(path)) return undefined;
    try {
      return readRegularFile(path, 256 * 1024 * 1024).toString("utf8");
    } catch (error) {
      throw new BenchError(
        "InputUnreadable",
        `Cannot read the previous release's ${path}: ${(error as Error).message}.`,
        {
          fix: `Check ${dir}, or remove it to start the changelog afresh.`,
          cause: error,
        },
      );
    }
  };
  return { runsCsv: read("runs.csv"), indexJson: read("index.json"), changelog: read("CHANGELOG.md") };
}

function kindOf(path: string): DocumentKind | undefined {
  if (path === "processed/latest.json") return "analysis-database";
  if (path.startsWith("processed/by-metric/") && path.endsWith(".json")) return "analysis-database";
  if (path === "api/v1/index.json") return "api-index";
  if (path.startsWith("api/v1/types/")) return "api-type";
  if (path.startsWith("api/v1/rankings/")) return "api-ranking";
  return undefined;
}

/** Writes `processed/` and `api/v1/` under `outDir`, each replaced whole. */
export function writeAnalysis(outDir: string, files: ReadonlyMap<string, string>): void {
  const roots = outputRoots;
  try {
    const outside = [...files.keys()].find((path) => !roots.some((root) => path.startsWith(`${root}/`)));
    if (outside !== undefined) throw new Error(`${outside} is outside processed/ and api/v1/`);
    replaceFoldersWhole(
      roots.map((root) => ({
        folder: join(outDir, root),
        name: `${root}/`,
        files: new Map(
          [...files]
            .filter(([path]) => path.startsWith(`${root}/`))
            .map(([path, text]) => [path.slice(root.length + 1), text]),
        ),
      })),
      "analyze",
    );
  } catch (error) {
    throw writeFailed(outDir, error);
  }
}

function writeFailed(outDir: string, error: unknown): BenchError {
  return new BenchError("WriteFailed", `Cannot write the database under ${outDir}: ${(error as Error).message}.`, {
    fix: "Check the folder and its permissions; the previous database is left as it was.",
    cause: error,
  });
}

/**
 * The commit that holds the inputs exactly as they are (all inputs in one git work tree, nothing uncommitted under
 * them), or undefined: the dataset version then names the inputs' checksum instead.
 */
function dataCommitOf(dirs: readonly string[]): string | undefined {
  const git = (dir: string, args: string[]) =>
    execFileSync("git", ["-C", dir, ...args], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 10_000,
    }).trim();
  try {
    const commits = new Set<string>();
    for (const dir of dirs) {
      if (git(dir, ["status", "--porcelain", "--", "."]) !== "") return undefined;
      const commit = git(dir, ["log", "-1", "--format=%H", "--", "."]);
      if (!/^[0-9a-f]{40}$/.test(commit)) return undefined;
      commits.add(commit);
    }
    return commits.size === 1 ? [...commits][0] : undefined;
  } catch {
    return undefined;
  }
}

function isDate(value: string): boolean {
  return (
    /^\d{4}-\d{2}-\d{2}$/.test(value) &&
    !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) &&
    new Date(`${value}T00:00:00Z`).toISOString().startsWith(value)
  );
}

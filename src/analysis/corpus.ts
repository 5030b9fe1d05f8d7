/**
 * The runs `analyze` reads: every `result.json` under the inputs (data/raw/<type>/<batch>-<repeat>/ as `collect`
 * writes them, or a local run's folder), each checked before it counts — the file within its size bound, the
 * document against schemas/benchmark-result.schema.json, SHA256SUMS beside it covering result.json and every raw
 * file the result lists, each checksum matching the bytes on disk. A run that fails any check is skipped with its
 * reason (published with the database: failed and invalid runs are data), never silently dropped. Runs outside a
 * batch (no instance type or no benchmark image) are `local` evidence and are read only when asked for. A run with
 * a provenance.json beside it (written by `aws-bench review --merge`, schema-checked here) is `community` evidence
 * (C1: its AWS-signed identity verified), carrying keyed pseudonyms of its instance and account; a second run of an
 * instance already read counts as that one instance and is skipped with the reason.
 */
import { lstatSync, readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { BenchError } from "../errors.js";
import type { BenchmarkResult } from "../schemas/generated/benchmark-result.js";
import type { Evidence } from "../schemas/generated/metric-summary.js";
import { checkRunsInParallel } from "./check-runs.js";
import { corpusLimits, type CheckedRun } from "./run-check.js";

/** One folder to read runs from. */
export interface CorpusInput {
  /** The folder. */
  dir: string;
  /** Whether runs outside a batch (local evidence) are read from it. */
  includeLocal: boolean;
  /** Only runs of these evidence levels (default: all; local still needs `includeLocal`). */
  evidence?: readonly Evidence[] | undefined;
}

/** A run that passed every check. */
export interface CorpusRun {
  /** The run's folder, relative to its input, with `/` separators. */
  path: string;
  /** The result document. */
  result: BenchmarkResult;
  /** SHA-256 of result.json. */
  resultSha256: string;
  /** maintainer (collected from a batch), community (contributed, identity verified) or local. */
  evidence: Evidence;
  /** A community run's keyed pseudonyms of its instance and account. */
  pseudonyms?: { instance: string; account: string };
}

/** A run that was not used, and why. */
export interface SkippedRun {
  /** The run's folder, relative to its input. */
  path: string;
  /** The instance type, when the document got that far. */
  type?: string;
  /** Why. */
  reason: string;
}

/** What {@link readCorpus} found. */
export interface Corpus {
  /** Valid runs, sorted by path. */
  runs: CorpusRun[];
  /** Skipped runs, sorted by path. */
  skipped: SkippedRun[];
}

/** Reads and checks every run under `inputs`; throws only for an input folder that cannot be read at all. */
export async function readCorpus(inputs: readonly CorpusInput[]): Promise<Corpus> {
  const runs: CorpusRun[] = [];
  const skipped: SkippedRun[] = [];
  const seen = new Map<string, string>();
  const instances = new Map<string, string>();
  let found = 0;
  for (const input of inputs) {
    let stats;
    try {
      stats = statSync(input.dir);
    } catch {
      throw new BenchError("InputUnreadable", `Cannot read ${input.dir}: it does not exist.`, {
        fix: "Pass a folder holding collected runs (data/raw) or local runs (aws-bench-results) with --input.",
      });
    }
    if (!stats.isDirectory())
      throw new BenchError("InputUnreadable", `${input.dir} is not a folder.`, {
        fix: "Pass the folder that holds the runs, not a file.",
      });
    const folders = runFolders(input.dir);
    found += folders.length;
    if (found > corpusLimits.runs)
      throw new BenchError("InputMalformed", `More than ${corpusLimits.runs} runs under the inputs.`, {
        fix: "Analyze a narrower set of folders.",
      });
    // The checks (reading, hashing, schema, private details) run on worker threads; the decisions below, in order.
    const results = await checkRunsInParallel(folders);
    for (const [index, folder] of folders.entries()) {
      const path = relative(input.dir, folder).split(sep).join("/") || ".";
      const checked = results[index] as CheckedRun;
      if ("reason" in checked) {
        skipped.push({ path, ...(checked.type ? { type: checked.type } : {}), reason: checked.reason });
        continue;
      }
      const { result, resultSha256, provenance } = checked;
      const type = result.host.instanceType;
      const evidence: Evidence = provenance
        ? "community"
        : type !== undefined && result.container !== undefined
          ? "maintainer"
          : "local";
      if (input.evidence && !input.evidence.includes(evidence)) {
        skipped.push({
          path,
          ...(type ? { type } : {}),
          reason: `${evidence} evidence, not among --evidence ${input.evidence.join(",")}`,
        });
        continue;
      }
      if (evidence === "local" && !input.includeLocal) {
        skipped.push({
          path,
          ...(type ? { type } : {}),
          reason: "a run outside a batch (local evidence): pass --include-local to include it",
        });
        continue;
      }
      const earlier = seen.get(result.runId);
      if (earlier !== undefined) {
        skipped.push({ path, reason: `the same run (${result.runId}) as ${earlier}: counted once` });
        continue;
      }
      if (provenance) {
        const sameInstance = instances.get(provenance.instancePseudonym);
        if (sameInstance !== undefined) {
          skipped.push({
            path,
            ...(type ? { type } : {}),
            reason: `the same instance as ${sameInstance}: counted once`,
          });
          continue;
        }
        instances.set(provenance.instancePseudonym, path);
      }
      seen.set(result.runId, path);
      runs.push({
        path,
        result, // slimmed by the check (run-check.ts)
        resultSha256,
        evidence,
        ...(provenance
          ? { pseudonyms: { instance: provenance.instancePseudonym, account: provenance.accountPseudonym } }
          : {}),
      });
    }
  }
  const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  return { runs: runs.sort(byPath), skipped: skipped.sort(byPath) };
}

/** Folders holding a result.json, in name order, skipping dot-folders and `private/`, bounded in depth. */
function runFolders(root: string): string[] {
  const folders: string[] = [];
  const walk = (dir: string, depth: number) => {
    // One lstat tells a run's folder (most folders are runs) without listing it.
    if (lstatSync(join(dir, "result.json"), { throwIfNoEntry: false })?.isFile()) {
      folders.push(dir);
      return;
    }
    if (depth >= corpusLimits.depth) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)))
      if (
        entry.isDirectory() &&
        !entry.name.startsWith(".") &&
        entry.name !== "private" &&
        entry.name !== "node_modules"
      )
        walk(join(dir, entry.name), depth + 1);
  };
  walk(root, 0);
  return folders;
}

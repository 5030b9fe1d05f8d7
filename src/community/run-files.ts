/**
 * A run's published files as one set in memory — result.json, SHA256SUMS and every file SHA256SUMS lists — read
 * from a run folder (`submit`) or decoded from a contribution bundle (`review`), and checked the same way either
 * way: the result against its schema, SHA256SUMS listing result.json and exactly the result's raw files, and every
 * file's bytes matching both. `private/` is never part of the set. Sizes are bounded before anything is read whole.
 */
import { join } from "node:path";
import { mkdirSync, writeFileSync } from "node:fs";
import { parseChecksumList, runPathProblem, sha256Hex } from "../checksums.js";
import { BenchError } from "../errors.js";
import { readRegularFile } from "../input-files.js";
import { checkDocument } from "../schemas/documents.js";
import type { BenchmarkResult } from "../schemas/generated/benchmark-result.js";

/** Bounds of one contributed run and of a bundle. */
export const contributionLimits = {
  /** Bytes of a whole bundle file (GitHub refuses files over 100 MB and warns over 50 MB). */
  bundleBytes: 50 * 1024 * 1024,
  /** Bytes of result.json. */
  resultBytes: 32 * 1024 * 1024,
  /** Bytes of SHA256SUMS. */
  sumsBytes: 4 * 1024 * 1024,
  /** Bytes of any one listed file. */
  fileBytes: 40 * 1024 * 1024,
  /** Files in one run. */
  files: 4096,
} as const;

/** A run's files, keyed by their path inside the run. */
export type RunFileSet = Map<string, Buffer>;

/** A run whose file set checked out. */
export interface CheckedRun {
  /** The result document. */
  result: BenchmarkResult;
  /** The files, result.json and SHA256SUMS included. */
  files: RunFileSet;
  /** SHA-256 of SHA256SUMS. */
  sumsSha256: string;
}

/**
 * Reads the run folder `dir`'s published files: result.json, SHA256SUMS and what it lists. Throws `InputUnreadable`
 * or `InputMalformed` naming the folder and the file; checking them is {@link checkRunFileSet}'s job.
 */
export function readRunFileSet(dir: string): RunFileSet {
  const files: RunFileSet = new Map();
  let total = 0;
  const read = (path: string, limit: number) => {
    try {
      // What is left of a whole bundle's bound, so a run of many large files stops early instead of filling memory.
      const bytes = readRegularFile(join(dir, path), Math.min(limit, contributionLimits.bundleBytes - total));
      total += bytes.length;
      files.set(path, bytes);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EFBIG" && limit > contributionLimits.bundleBytes - total)
        throw new BenchError(
          "InputTooLarge",
          `${dir}'s files come to more than a bundle may hold (${contributionLimits.bundleBytes} bytes) by ${path}.`,
          {
            fix: "Submit this run in a bundle of its own; a run this large cannot be contributed as it is.",
            cause: error,
          },
        );
      throw new BenchError("InputUnreadable", `Cannot read ${join(dir, path)}: ${(error as Error).message}.`, {
        fix: "Pass the folder `aws-bench run --target local` wrote (it holds result.json, SHA256SUMS and raw/).",
        cause: error,
      });
    }
  };
  read("result.json", contributionLimits.resultBytes);
  read("SHA256SUMS", contributionLimits.sumsBytes);
  const parsed = parseChecksumList((files.get("SHA256SUMS") as Buffer).toString("utf8"));
  if (parsed.problem !== undefined)
    throw new BenchError("InputMalformed", `${join(dir, "SHA256SUMS")} ${parsed.problem}.`, {
      fix: "Submit the run folder as the runner wrote it; a run whose SHA256SUMS was edited cannot be checked.",
    });
  if (parsed.sums.size > contributionLimits.files)
    throw new BenchError(
      "InputMalformed",
      `${join(dir, "SHA256SUMS")} lists more than ${contributionLimits.files} files.`,
      {
        fix: "Submit a run as the runner wrote it.",
      },
    );
  for (const path of parsed.sums.keys()) {
    if (path === "result.json") continue;
    if (path.split("/")[0] === "private")
      throw new BenchError("InputMalformed", `${join(dir, "SHA256SUMS")} lists ${path}: private/ is never published.`, {
        fix: "Submit the run folder as the runner wrote it.",
      });
    read(path, contributionLimits.fileBytes);
  }
  return files;
}

/**
 * Checks a run's file set; returns the run, or every problem found (each naming the file and what is wrong).
 * The set must hold exactly result.json, SHA256SUMS and the files SHA256SUMS lists, which must be exactly
 * result.json and the result's raw files, each matching its checksum and recorded size.
 */
export async function checkRunFileSet(files: RunFileSet): Promise<CheckedRun | { problems: string[] }> {
  const problems: string[] = [];
  const resultBytes = files.get("result.json");
  const sumsBytes = files.get("SHA256SUMS");
  if (!resultBytes) problems.push("result.json is missing");
  if (!sumsBytes) problems.push("SHA256SUMS is missing");
  if (!resultBytes || !sumsBytes) return { problems };
  let document: unknown;
  try {
    document = JSON.parse(resultBytes.toString("utf8"));
  } catch (error) {
    return { problems: [`result.json is not JSON: ${(error as Error).message}`] };
  }
  const schema = await checkDocument("benchmark-result", document);
  if (!schema.valid)
    return {
      problems: [
        `result.json does not match the result schema: ${schema.errors.slice(0, 10).join("; ")}${schema.errors.length > 10 ? ` (and ${schema.errors.length - 10} more)` : ""}`,
      ],
    };
  const result = document as BenchmarkResult;
  const parsed = parseChecksumList(sumsBytes.toString("utf8"));
  if (parsed.problem !== undefined) return { problems: [`SHA256SUMS ${parsed.problem}`] };
  const { sums } = parsed;
  if (!sums.has("result.json")) problems.push("SHA256SUMS does not list result.json");
  const raw = new Map(result.rawFiles.map((file) => [file.path, file]));
  for (const path of raw.keys())
    if (!sums.has(path)) problems.push(`SHA256SUMS does not list ${path}, which the result lists`);
  for (const [path, line] of sums) {
    if (path !== "result.json" && !raw.has(path)) problems.push(`SHA256SUMS lists ${path}, which the result does not`);
    // The runner publishes only these folders; anything else (a provenance.json, say) would land beside what a merge
    // writes.
    if (path !== "result.json" && !/^(?:raw|inputs|build)\//.test(path))
      problems.push(`${path} is not under raw/, inputs/ or build/, where the runner puts published files`);
    const bytes = files.get(path);
    if (!bytes) {
      problems.push(`${path} is missing`);
      continue;
    }
    const actual = sha256Hex(bytes);
    if (actual !== line.sha256)
      problems.push(`${path} does not match SHA256SUMS (expected ${line.sha256}, got ${actual})`);
    const recorded = raw.get(path);
    if (recorded && recorded.sha256 !== line.sha256)
      problems.push(`the result records ${path} as ${recorded.sha256}, SHA256SUMS as ${line.sha256}`);
    if (recorded && recorded.bytes !== bytes.length)
      problems.push(`${path} has ${bytes.length} bytes, the result records ${recorded.bytes}`);
  }
  for (const path of files.keys())
    if (path !== "SHA256SUMS" && !sums.has(path)) problems.push(`${path} is not listed in SHA256SUMS`);
  if (problems.length > 0) return { problems };
  return { result, files, sumsSha256: sha256Hex(sumsBytes) };
}

/** Writes a checked file set into the empty folder `dir` (for checks that read a run folder), paths re-checked. */
export function writeRunFileSet(files: RunFileSet, dir: string): void {
  for (const [path, bytes] of files) {
    const problem = runPathProblem(path);
    if (problem)
      throw new BenchError("InputMalformed", `A run file's path: ${problem}.`, {
        fix: "Submit the run as the runner wrote it.",
      });
    const target = join(dir, path);
    mkdirSync(join(target, ".."), { recursive: true });
    writeFileSync(target, bytes, { flag: "wx" });
  }
}

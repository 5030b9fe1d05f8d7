/**
 * Reading one of a contributed run's files for the review checks (re-derivation, arithmetic): only paths inside the
 * run folder in normal form, never a symbolic link, only a regular file (never a FIFO, a device or a folder),
 * bounded in size; what cannot be read is a reason, not a throw, so a bad bundle becomes a finding.
 */
import { lstatSync } from "node:fs";
import { join } from "node:path";
import { runPathProblem } from "../checksums.js";
import { readRegularFile } from "../input-files.js";

/** The bytes of the run file at `path` (relative to `runDir`), or why it cannot be read. */
export function readRunFile(runDir: string, path: string): { bytes: Buffer } | { problem: string } {
  const bad = runPathProblem(path);
  if (bad) return { problem: bad };
  const full = join(runDir, path);
  try {
    // A link could point anywhere on the reviewer's machine: a run's files are files.
    if (lstatSync(full).isSymbolicLink()) return { problem: `${path} is a symbolic link, not a file` };
    return { bytes: readRegularFile(full) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      problem: code === "ENOENT" ? `${path} is missing` : `${path} cannot be read: ${(error as Error).message}`,
    };
  }
}

/**
 * Which processes are alive, read from /proc: by the process ids a test recorded, and by a marker unique to the test
 * in their command lines (a process the test did not know about). No pgrep: a check that silently passed where
 * pgrep was missing (spawnSync's status was null, read as "not running") cannot pass here without /proc — it throws.
 */
import { readFileSync, readdirSync } from "node:fs";

function procReadable(): void {
  try {
    readFileSync("/proc/self/stat", "utf8");
  } catch (error) {
    throw new Error(`process checks need Linux's /proc: ${(error as Error).message}`);
  }
}

/** The state letter of /proc/<pid>/stat (R, S, D, Z, …), or undefined when there is no such process. */
function stateOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may itself hold spaces or parentheses: the state follows the last ')'.
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  } catch {
    return undefined;
  }
}

function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return undefined;
  }
}

/**
 * Whether `pid` is a live process (zombies and dead processes are not), and, with `marker`, one whose command line
 * still holds it (so a reused process id is not mistaken for the recorded process).
 */
export function isAlive(pid: number, marker?: string): boolean {
  procReadable();
  const state = stateOf(pid);
  if (state === undefined || state === "Z" || state === "X") return false;
  return marker === undefined || (commandLineOf(pid) ?? "").includes(marker);
}

/** Live processes whose command line holds `marker`, other than this process. */
export function processesMatching(marker: string): Array<{ pid: number; commandLine: string }> {
  procReadable();
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .map((entry) => ({ pid: Number(entry), commandLine: commandLineOf(Number(entry)) ?? "" }))
    .filter(({ pid, commandLine }) => commandLine.includes(marker) && isAlive(pid));
}

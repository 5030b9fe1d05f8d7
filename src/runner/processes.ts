/**
 * Child processes of a run: each in its own process group, so a timeout or Ctrl-C stops the benchmark and
 * everything it started (mpirun's ranks, OpenMP threads) at once. Output goes to files, never into memory
 * unbounded.
 *
 * A command is over only when its whole process group is gone, not when its first process exits: a helper that
 * ignores SIGTERM and does not hold the output pipes (a daemonised rank, `trap '' TERM; … >/dev/null &`) would
 * otherwise outlive the run, and the CLI exit before a delayed SIGKILL ever fired (it did: see
 * test/unit/runner/processes.test.ts). So `run()` returns after the group is empty, sending SIGTERM to what is
 * left and SIGKILL after a grace period.
 */
import { spawn } from "node:child_process";
import { createWriteStream, readFileSync, readdirSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import type { CommandOutcome, CommandSpec } from "../benchmarks/definition.js";

/** What to run and how it ended: the contract benchmarks see (src/benchmarks/definition.ts), re-exported here. */
export type { CommandOutcome, CommandSpec };

/** How long a process group has between SIGTERM and SIGKILL. */
export const killGraceMs = 5000;
/** How long to wait for a group to disappear after SIGKILL (the kernel needs a moment; zombies need reaping). */
const afterKillMs = 5000;
const pollMs = 50;

/** Stops running commands (Ctrl-C): every process group started through it. */
export class ProcessGroupSet {
  private readonly running = new Set<number>();
  /** True once {@link stopAll} was called. */
  interrupted = false;

  /** Runs one command to completion (or timeout, or interruption); returns when nothing it started is left. */
  async run(spec: CommandSpec): Promise<CommandOutcome> {
    if (this.interrupted) return { exitCode: null, signal: null, timedOut: false, interrupted: true, seconds: 0 };
    const started = process.hrtime.bigint();
    const stdout = createWriteStream(spec.stdoutFile);
    const stderr = createWriteStream(spec.stderrFile);
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.pipe(stdout);
    child.stderr.pipe(stderr);
    const pid = child.pid;
    // A write error (a full disk) must stop the benchmark, not crash the runner and orphan its processes.
    const onWriteError = () => stopGroup(pid);
    stdout.on("error", onWriteError);
    stderr.on("error", onWriteError);
    let timedOut = false;
    if (pid !== undefined) this.running.add(pid);
    // Node clamps delays over 2^31-1 ms to 1 ms: longer timeouts are capped, never turned into "now".
    const timer = setTimeout(
      () => {
        timedOut = true;
        stopGroup(pid);
      },
      Math.min(spec.timeoutSeconds * 1000, 2 ** 31 - 1),
    );
    try {
      const outcome = await new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>((resolve) => {
        child.on("error", (error) => {
          stderr.write(`${error.message}\n`);
          resolve({ exitCode: 127, signal: null });
        });
        child.on("close", (exitCode, signal) => resolve({ exitCode, signal }));
      });
      clearTimeout(timer);
      if (pid !== undefined) await endGroup(pid);
      await Promise.all([new Promise((r) => stdout.end(r)), new Promise((r) => stderr.end(r))]);
      return {
        ...outcome,
        timedOut,
        interrupted: this.interrupted,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
      };
    } finally {
      clearTimeout(timer);
      if (pid !== undefined) this.running.delete(pid);
    }
  }

  /** Stops every running command's process group (SIGTERM, then SIGKILL after a grace period; at once with `now`). */
  stopAll(now = false): void {
    this.interrupted = true;
    for (const pid of this.running) stopGroup(pid, now);
  }
}

/**
 * Whether any process of the group is still alive. On Linux, from /proc: a member that has exited but is not yet
 * reaped (a zombie, reparented to an init that may reap slowly) runs nothing and counts as gone. Elsewhere, from
 * `kill(-pgid, 0)`, where an unreaped zombie still counts.
 */
export function groupExists(pgid: number): boolean {
  const members = liveMembersFromProc(pgid);
  if (members !== undefined) return members > 0;
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    // EPERM: members exist but belong to someone else (a setuid helper): still there.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Live (not zombie) processes whose process group is `pgid`, or undefined without a readable /proc. */
function liveMembersFromProc(pgid: number): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return undefined;
  }
  let live = 0;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited while we looked
    }
    // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so fields are counted after the last ')'.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(pgrp) === pgid && state !== "Z" && state !== "X") live++;
  }
  return live;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/** SIGTERM now (SIGKILL with `now`), SIGKILL after the grace period if the group is still there. */
function stopGroup(pid: number | undefined, now = false): void {
  if (pid === undefined) return;
  signalGroup(pid, now ? "SIGKILL" : "SIGTERM");
  if (now) return;
  // Unref'd: it only matters while the command runs, and run() waits for the group itself after that.
  setTimeout(() => {
    if (groupExists(pid)) signalGroup(pid, "SIGKILL");
  }, killGraceMs).unref();
}

/** After the command's first process ended: stops whatever is left in its group and waits until it is gone. */
async function endGroup(pgid: number): Promise<void> {
  if (!groupExists(pgid)) return;
  signalGroup(pgid, "SIGTERM");
  if (await groupGoneWithin(pgid, killGraceMs)) return;
  signalGroup(pgid, "SIGKILL");
  await groupGoneWithin(pgid, afterKillMs);
}

async function groupGoneWithin(pgid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (groupExists(pgid)) {
    if (Date.now() >= deadline) return false;
    await sleep(pollMs);
  }
  return true;
}

/**
 * Child processes of a run: each in its own process group, so a timeout or Ctrl-C stops the benchmark and
 * everything it started (mpirun's ranks, OpenMP threads) at once. Output goes to files, never into memory
 * unbounded.
 */
import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import type { CommandOutcome, CommandSpec } from "../benchmarks/definition.js";

/** What to run and how it ended: the contract benchmarks see (src/benchmarks/definition.ts), re-exported here. */
export type { CommandOutcome, CommandSpec };

/** Stops running commands (Ctrl-C): every process group started through it. */
export class ProcessGroupSet {
  private readonly running = new Set<number>();
  /** True once {@link stopAll} was called. */
  interrupted = false;

  /** Runs one command to completion (or timeout, or interruption). */
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
    // A write error (a full disk) must stop the benchmark, not crash the runner and orphan its processes.
    const onWriteError = () => killGroup(child.pid);
    stdout.on("error", onWriteError);
    stderr.on("error", onWriteError);
    let timedOut = false;
    const pid = child.pid;
    if (pid !== undefined) this.running.add(pid);
    // Node clamps delays over 2^31-1 ms to 1 ms: longer timeouts are capped, never turned into "now".
    const timer = setTimeout(
      () => {
        timedOut = true;
        killGroup(pid);
      },
      Math.min(spec.timeoutSeconds * 1000, 2 ** 31 - 1),
    );
    const outcome = await new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.on("error", (error) => {
        stderr.write(`${error.message}\n`);
        resolve({ exitCode: 127, signal: null });
      });
      child.on("close", (exitCode, signal) => resolve({ exitCode, signal }));
    });
    clearTimeout(timer);
    if (pid !== undefined) this.running.delete(pid);
    await Promise.all([new Promise((r) => stdout.end(r)), new Promise((r) => stderr.end(r))]);
    return {
      ...outcome,
      timedOut,
      interrupted: this.interrupted,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
    };
  }

  /** Stops every running command's process group (SIGTERM, then SIGKILL; at once with `now`). */
  stopAll(now = false): void {
    this.interrupted = true;
    for (const pid of this.running) killGroup(pid, now);
  }
}

function killGroup(pid: number | undefined, now = false): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, now ? "SIGKILL" : "SIGTERM");
  } catch {
    return; // already gone
  }
  setTimeout(() => {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // exited after SIGTERM
    }
  }, 5000).unref();
}

/**
 * What the batch commands need from the process: confirmation at a terminal (or `--yes`), signal handling around
 * the steps that create or wait, the printed report and the exit codes. The orchestrator receives these as a
 * {@link StepContext} and never touches the process itself.
 */
import { BenchError } from "../errors.js";
import type { BatchReport } from "../orchestrator/lifecycle.js";
import type { StepContext } from "../orchestrator/batch-steps.js";
import { ExitCode, exitCodeOfVerdict } from "./errors.js";
import type { CliIo } from "./io.js";

/** The context of a batch step run from the command line with these global flags. */
export function stepContext(
  io: CliIo,
  args: { profile?: string | undefined; region?: string | undefined; backend?: string | undefined; yes: boolean },
): StepContext {
  return {
    host: io,
    settings: { profile: args.profile, region: args.region, backend: args.backend },
    confirm: (question) => (args.yes ? Promise.resolve() : confirm(io, question)),
    interruptible: (work) => withInterrupts(io, work),
  };
}

/** Prints a batch's report (the summary table, or JSON) and its error; returns its exit code. */
export async function printReport(report: BatchReport, io: CliIo, json: boolean): Promise<number> {
  const { summaryTable } = await import("../orchestrator/run-batch.js");
  if (json)
    io.stdout.write(
      `${JSON.stringify({ batchId: report.batchId, exitCode: exitCodeOfVerdict(report.verdict), destroyed: report.destroyed, outcomes: report.outcomes, ...(report.error ? { error: { code: report.error.code, message: report.error.message, fix: report.error.fix } } : {}) }, null, 2)}\n`,
    );
  else io.stdout.write(`${summaryTable(report)}\n`);
  if (report.error)
    io.stderr.write(
      `error [${report.error.code}]: ${report.error.message}\n${report.error.fix ? `  fix: ${report.error.fix}\n` : ""}`,
    );
  return exitCodeOfVerdict(report.verdict);
}

/** One exit code for several batches: interrupted wins; all failed is a failure; any mix is partial. */
export function combineExitCodes(sofar: number, next: number, first: boolean): number {
  if (first) return next;
  if (sofar === ExitCode.Interrupted || next === ExitCode.Interrupted) return ExitCode.Interrupted;
  if (sofar === next) return sofar;
  return ExitCode.Partial;
}

async function confirm(io: CliIo, question: string): Promise<void> {
  if (!io.interactive) {
    throw new BenchError(
      "ConfirmationRequired",
      "This creates billed resources and there is no terminal to confirm on.",
      { fix: "Pass --yes to confirm non-interactively (CI does)." },
    );
  }
  const { createInterface } = await import("node:readline/promises");
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim()))
      throw new BenchError("ConfirmationRequired", "Not confirmed; nothing was created.", {
        fix: "Answer y, or pass --yes.",
      });
  } finally {
    rl.close();
  }
}

/**
 * Runs `work` with two abort signals: `stop`, raised by the first SIGINT or SIGTERM (stop launching and waiting,
 * then destroy), and `engine`, raised only by SIGTERM and forwarded to Pulumi. A Ctrl-C at a terminal reaches the
 * Pulumi CLI by itself (same process group), which then finishes the operations in flight and stops; forwarding
 * it would be a second interrupt, after which Pulumi stops at once and loses track of what it was creating.
 */
export async function withInterrupts<T>(
  io: CliIo,
  work: (stop: AbortSignal, engine: AbortSignal) => Promise<T>,
): Promise<T> {
  const stop = new AbortController();
  const engine = new AbortController();
  let count = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    count++;
    if (count === 1)
      io.stderr.write("\ninterrupted: stopping, then destroying the batch (this takes a few minutes)…\n");
    else
      io.stderr.write(
        "\nstill tearing down (a Ctrl-C also reaches Pulumi's destroy, which is then tried once more); leaving now would leave resources until their timers and `aws-bench cleanup`.\n",
      );
    stop.abort();
    if (signal === "SIGTERM") engine.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    return await work(stop.signal, engine.signal);
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}

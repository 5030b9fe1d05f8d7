/**
 * The whole lifecycle after the record is stored — launch, wait and collect, and destroy in `finally` (on success,
 * errors and interruption) — and the summary table of its outcomes.
 */
import { BenchError } from "../errors.js";
import type { BatchRecord } from "../schemas/generated/batch-record.js";
import { awaitAndCollect } from "./await-results.js";
import { destroyBatch } from "./destroy.js";
import { launchBatch } from "./launch.js";
import { batchVerdict, type BatchReport, type InstanceOutcome, type LifecycleDeps } from "./lifecycle.js";

/** How a batch is run: `signal` stops our own waiting (any interrupt); `engineSignal` is forwarded to Pulumi. */
export interface RunOptions {
  /** Leave the stack up. */
  keep: boolean;
  /** Aborted on the first interrupt: stop launching and waiting, then destroy. */
  signal?: AbortSignal;
  /**
   * Aborted when Pulumi itself must be told to stop (a SIGTERM sent to this process only). A Ctrl-C at a terminal
   * already reaches the Pulumi CLI (same process group); forwarding it would be a second interrupt, which makes
   * Pulumi stop at once and lose track of what it was creating.
   */
  engineSignal?: AbortSignal;
}

/**
 * The whole lifecycle after the record is stored: launch, wait and collect, and destroy in `finally` — on
 * success, errors and interruption. A destroy that fails after an interruption (a second Ctrl-C reaches Pulumi's
 * destroy too) is tried once more. With `keep` the stack stays and the report says how to destroy it.
 */
export async function runBatch(record: BatchRecord, deps: LifecycleDeps, options: RunOptions): Promise<BatchReport> {
  const outcomes: InstanceOutcome[] = [];
  let failure: BenchError | undefined;
  let destroyed = false;
  try {
    await launchBatch(record, deps, options.signal, options.engineSignal);
    await awaitAndCollect(record, deps, outcomes, options.signal);
  } catch (error) {
    failure =
      error instanceof BenchError
        ? error
        : new BenchError("PulumiError", (error as Error).message ?? String(error), { cause: error });
  } finally {
    if (options.keep) {
      deps.progress(
        `batch ${record.batchId}: kept (--keep). Destroy it with: aws-bench destroy --batch ${record.batchId} --yes`,
      );
    } else {
      for (let attempt = 1; attempt <= (options.signal?.aborted ? 2 : 1) && !destroyed; attempt++) {
        try {
          await destroyBatch(record, deps);
          destroyed = true;
        } catch (error) {
          const destroyError = error instanceof BenchError ? error : new BenchError("PulumiError", String(error));
          deps.progress(`error: ${destroyError.message}\n  fix: ${destroyError.fix ?? ""}`);
          if (attempt === 2 || !options.signal?.aborted) failure ??= destroyError;
        }
      }
      if (!destroyed)
        deps.progress(
          `batch ${record.batchId}: NOT DESTROYED — its resources are still billed. Run: aws-bench destroy --batch ${record.batchId} --yes`,
        );
    }
  }
  for (const instance of record.instances) {
    if (!outcomes.some((o) => o.instanceType === instance.instanceType && o.repeat === instance.repeat)) {
      outcomes.push({
        instanceType: instance.instanceType,
        repeat: instance.repeat,
        status: instance.skipped === undefined ? "not-finished" : "skipped",
        reason: instance.skipped ?? (failure ? `stopped: ${failure.message}` : "not finished"),
      });
    }
  }
  const verdict = !options.keep && !destroyed ? "failed" : batchVerdict(outcomes, failure, options.signal);
  return {
    batchId: record.batchId,
    outcomes: sortOutcomes(outcomes),
    verdict,
    destroyed,
    ...(failure ? { error: failure } : {}),
  };
}

/** The summary table: type, repeat, zone, status, headline numbers, minutes, cost. */
export function summaryTable(report: BatchReport): string {
  const rows = report.outcomes.map((o) => [
    o.instanceType,
    String(o.repeat),
    o.zone ?? "-",
    o.status,
    o.headlines?.join("; ") || o.reason || "",
    o.minutes === undefined ? "-" : String(o.minutes),
    o.costUsd === undefined ? "-" : `$${o.costUsd}`,
  ]);
  const header = ["type", "#", "zone", "status", "headline / reason", "min", "cost"];
  const widths = header.map((h, i) => Math.min(90, Math.max(h.length, ...rows.map((r) => (r[i] as string).length))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join("  ")
      .trimEnd();
  const reasons = report.outcomes
    .filter((o) => o.reason && (o.reason.length > 90 || o.headlines?.length))
    .map((o) => `  ${o.instanceType} #${o.repeat}: ${o.reason}`);
  return [line(header), ...rows.map(line), ...(reasons.length ? ["", ...reasons] : [])].join("\n");
}

function sortOutcomes(outcomes: InstanceOutcome[]): InstanceOutcome[] {
  return [...outcomes].sort((a, b) =>
    a.instanceType === b.instanceType ? a.repeat - b.repeat : a.instanceType < b.instanceType ? -1 : 1,
  );
}

/**
 * `aws-bench cleanup`: the third layer of teardown. First the backend's own batches: stacks past their expiry
 * (or, without a record, older than `--older-than`) are destroyed and removed, and locks held longer than
 * `--older-than` are cleared; then the tagged-resource sweep (sweep.ts) for leftovers of this backend's batches
 * only — past their expiry plus grace, or whose stack is gone. Batches run with `--keep` are left by both halves
 * unless `includeKept`. Without `yes` it only lists what it would do. Without the Pulumi CLI the sweep still runs
 * (it needs only AWS): stacks cannot be destroyed or listed then, so every stack counts as existing and only
 * leftovers past their expiry are swept; the stale stacks are reported as needing the CLI.
 */
import { BenchError } from "../errors.js";
import type { BatchStore } from "./batch-store.js";
import type { StackEngine } from "./engine.js";
import { loadRecord } from "./batch-record.js";
import { destroyBatch } from "./destroy.js";
import { listBatches, type BatchListing } from "./listing.js";
import { batchIdTime } from "../../stacks/batch-naming.js";
import type { SweepEvent, SweepSummary } from "./sweep.js";

/** What cleanup needs. */
export interface CleanupDeps {
  /** Pulumi (its CLI may be missing: see {@link cleanup}). */
  engine: StackEngine;
  /** Batch records. */
  store: BatchStore;
  /** The backend's tag value (`backendTag()`): the sweep trusts "stack gone" only for resources tagged with it. */
  backendTag: string;
  /** The tagged-resource sweep, bound to its clients. */
  sweep(options: {
    now: Date;
    graceMs: number;
    backend: string;
    stackExists: (batchId: string) => Promise<boolean>;
    includeKept: boolean;
    dryRun: boolean;
    report: (event: SweepEvent) => void;
  }): Promise<SweepSummary>;
  /** Progress for people. */
  progress(line: string): void;
  /** The clock. */
  now(): Date;
}

/** Options of {@link cleanup}. */
export interface CleanupOptions {
  /** A stack without a record, or a lock, older than this is stale (ms). */
  olderThanMs: number;
  /** Leftovers are swept only this long past their expiry (ms). */
  graceMs: number;
  /** Act; otherwise only list. */
  yes: boolean;
  /** Destroy and sweep batches run with `--keep` too (`--include-kept`). */
  includeKept?: boolean;
}

/** What cleanup did (or would do). */
export interface CleanupReport {
  /** Batches whose stack was (or would be) destroyed, with why; kept ones are `kept` unless `includeKept`. */
  stacks: Array<{
    batchId: string;
    why: string;
    action: "destroyed" | "would-destroy" | "failed" | "kept" | "needs-pulumi";
    error?: string;
  }>;
  /** The sweep's summary; null when it stopped (see {@link CleanupReport.sweepError}). */
  sweep: SweepSummary | null;
  /** Why the sweep stopped (a listing failed, so it deleted nothing), when it did; the stacks above still stand. */
  sweepError?: { code: string; message: string; fix?: string };
  /** Every sweep event. */
  events: SweepEvent[];
  /** False when the Pulumi CLI was not there: no stack was listed or destroyed. */
  pulumi: boolean;
}

/** Parses `6h`, `90m`, `2d`, `30s` into milliseconds; throws `UsageError` naming the flag. */
export function parseDuration(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/.exec(text.trim());
  if (!m)
    throw new BenchError("UsageError", `${flag} '${text}' is not a duration.`, {
      fix: `Use a number and a unit, e.g. ${flag} 6h (s, m, h, d).`,
    });
  return Number(m[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "s" | "m" | "h" | "d"];
}

/** Why a batch's stack is due for destruction, or undefined when it is not. */
function staleBecause(batch: BatchListing, olderThanMs: number): string | undefined {
  // A record that cannot be read (throttled, denied, written by a newer aws-bench) is left alone.
  if (batch.state === "destroyed" || batch.state === "no-stack" || batch.state === "record-unreadable")
    return undefined;
  if (batch.expired) return `expired at ${batch.expiresAt ?? "?"}`;
  // No record: a run killed before writing one. Young ones may be another run at work right now.
  if (batch.createdAt === undefined && batch.ageHours * 3_600_000 > olderThanMs)
    return `no batch record and ${batch.ageHours} h old${batch.state === "locked" ? ", locked" : ""}`;
  return undefined;
}

/** Destroys stale stacks, clears stale locks, then sweeps tagged leftovers. */
export async function cleanup(deps: CleanupDeps, options: CleanupOptions): Promise<CleanupReport> {
  const now = deps.now();
  let pulumi = true;
  const batches = await listBatches(deps.store, deps.engine, now, {
    stacksOptional: true,
    warn: (line) => {
      pulumi = false;
      deps.progress(
        `${line} Stacks are not destroyed; leftovers are swept only past their expiry (install the Pulumi CLI for the rest).`,
      );
    },
  });
  const stacks: CleanupReport["stacks"] = [];
  for (const batch of batches) {
    const why = staleBecause(batch, options.olderThanMs);
    if (!why) continue;
    // A kept batch was left up on purpose; its record (written before its stack) says so, so a batch without a
    // record was never kept.
    const record = await loadRecord(deps.store, batch.batchId).catch(() => undefined);
    if (record?.spec.keep === true && options.includeKept !== true) {
      stacks.push({ batchId: batch.batchId, why: `${why}; run with --keep`, action: "kept" });
      continue;
    }
    if (batch.state === "stack-unknown") {
      stacks.push({ batchId: batch.batchId, why: `${why}; the Pulumi CLI is not installed`, action: "needs-pulumi" });
      continue;
    }
    if (!options.yes) {
      stacks.push({ batchId: batch.batchId, why, action: "would-destroy" });
      continue;
    }
    try {
      const ref = { stackName: `batch-${batch.batchId}`, config: {} };
      if (batch.state === "locked") {
        deps.progress(`batch ${batch.batchId}: clearing a stale lock`);
        await deps.engine.cancel(ref);
      }
      if (record) await destroyBatch(record, deps);
      else {
        // A stack without a record (a run killed before it wrote one): destroy it as the state describes it.
        deps.progress(`batch ${batch.batchId}: destroying stack ${ref.stackName} (no batch record)`);
        const destroy = async () => {
          await deps.engine.clearPendingOperations(ref);
          await deps.engine.destroy(ref, { onProgress: (line) => deps.progress(`  ${line}`) });
        };
        // File and S3 backends never report a running update, so a lock shows only now; it is older than
        // --older-than (the stack is), hence stale.
        await destroy().catch(async (error: unknown) => {
          if (!(error instanceof BenchError && error.code === "StackLocked")) throw error;
          deps.progress(`batch ${batch.batchId}: clearing a stale lock`);
          await deps.engine.cancel(ref);
          await destroy();
        });
        await deps.engine.removeStack(ref);
      }
      stacks.push({ batchId: batch.batchId, why, action: "destroyed" });
    } catch (error) {
      stacks.push({ batchId: batch.batchId, why, action: "failed", error: (error as Error).message });
    }
  }
  // A batch younger than --older-than counts as existing whatever the backend says (its stack may be being
  // created right now); for older ones the backend's stacks are listed once, after the destroys above.
  const events: SweepEvent[] = [];
  let stacksNow: Promise<Set<string>> | undefined;
  let sweep: SweepSummary | null = null;
  let sweepError: CleanupReport["sweepError"];
  try {
    sweep = await deps.sweep({
      now,
      graceMs: options.graceMs,
      backend: deps.backendTag,
      stackExists: async (batchId) => {
        const made = batchIdTime(batchId);
        if (!made || deps.now().getTime() - made.getTime() < options.olderThanMs) return true;
        // Without the Pulumi CLI nothing is known about stacks: each one counts as existing.
        if (!pulumi) return true;
        stacksNow ??= deps.engine.listStacks().then((stacks) => new Set(stacks.map((stack) => stack.name)));
        return (await stacksNow).has(`batch-${batchId}`);
      },
      includeKept: options.includeKept === true,
      dryRun: !options.yes,
      report: (event) => events.push(event),
    });
  } catch (error) {
    // The stacks destroyed above are reported whatever happens to the sweep.
    if (!(error instanceof BenchError)) throw error;
    sweepError = { code: error.code, message: error.message, ...(error.fix ? { fix: error.fix } : {}) };
  }
  return { stacks, sweep, events, pulumi, ...(sweepError ? { sweepError } : {}) };
}

/**
 * The batch lifecycle, one step per module so `run` chains them and CI runs them in separate jobs:
 * batch-record.ts (request + plan → spec and record, stored on the backend) → launch.ts (`up`, failures mapped
 * back to instance types, one capacity retry) → await-results.ts (per instance: status.json, or its death, or
 * its deadline; collected into data/raw) → destroy.ts (always; clears locks and pending operations first) →
 * run-batch.ts (the whole chain with destroy in `finally`, and the summary). This module holds what they share:
 * the dependencies, the outcomes and the verdict. Every dependency arrives through {@link LifecycleDeps}, so tests
 * run the whole flow with a fake engine and fake AWS.
 */
import { BenchError } from "../errors.js";
import type { InstanceWatch, ResultsBucket } from "./aws-access.js";
import type { BatchStore } from "./batch-store.js";
import type { StackEngine } from "./engine.js";

/** Everything the lifecycle touches. */
export interface LifecycleDeps {
  /** Pulumi. */
  engine: StackEngine;
  /** Batch records beside the state. */
  store: BatchStore;
  /** The results bucket. */
  results: ResultsBucket;
  /** EC2 instance states and console output. */
  instances: InstanceWatch;
  /** `data/raw`. */
  rawRoot: string;
  /** Progress for people (stderr). */
  progress(line: string): void;
  /** The clock. */
  now(): Date;
  /** Waits `ms`, or less when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Between polls of the bucket. @default 30 s */
  pollMs?: number;
}

/** What happened to one planned instance. */
export interface InstanceOutcome {
  /** Type. */
  instanceType: string;
  /** Repeat index. */
  repeat: number;
  /** Final state. */
  status: "succeeded" | "failed" | "skipped" | "launch-failed" | "not-finished";
  /** Why, when not succeeded. */
  reason?: string;
  /** Zone it ran in. */
  zone?: string;
  /** Where its run was written. */
  collectedTo?: string;
  /** Headline medians, e.g. `stream Triad 21.3 GB/s`. */
  headlines?: string[];
  /** Minutes from launch to its status (an upper bound of its billed time). */
  minutes?: number;
  /** Cost of those minutes. */
  costUsd?: number;
}

/** The end of a batch: outcomes and verdict. */
export interface BatchReport {
  /** The batch. */
  batchId: string;
  /** One per planned instance. */
  outcomes: InstanceOutcome[];
  /** How it ended (the CLI maps it to DESIGN.md's exit codes). */
  verdict: BatchVerdict;
  /** The stack was destroyed (false with --keep or when destroy failed). */
  destroyed: boolean;
  /** The error that stopped the batch, if one did. */
  error?: BenchError;
}

/**
 * How a batch ended, which the CLI turns into DESIGN.md's exit codes: every instance succeeded; some did (others
 * skipped or failed, or the batch stopped on an error); none did; or it was interrupted.
 */
export type BatchVerdict = "succeeded" | "partial" | "failed" | "interrupted";

/** The verdict over the outcomes: interrupted wins, then none succeeded, then some failed or an error stopped it. */
export function batchVerdict(
  outcomes: readonly InstanceOutcome[],
  failure: BenchError | undefined,
  signal?: AbortSignal,
): BatchVerdict {
  if (signal?.aborted) return "interrupted";
  const succeeded = outcomes.filter((o) => o.status === "succeeded").length;
  if (succeeded === 0) return "failed";
  if (failure || succeeded < outcomes.length) return "partial";
  return "succeeded";
}

/** The error an interruption becomes. */
export function interrupted(): BenchError {
  return new BenchError("Interrupted", "Interrupted.", {
    fix: "The batch was torn down; what was collected is in data/raw.",
  });
}

/** A time as ISO 8601 to the second, as records and tags carry it. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, "Z");
}

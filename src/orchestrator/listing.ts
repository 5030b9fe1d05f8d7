/**
 * The batches on a backend: every stored record and every `batch-*` stack (a stack without a record, or a record
 * whose stack is gone, is shown as such), with age, state and expiry — what `list` prints and `cleanup` acts on.
 */
import { isBatchId } from "../../stacks/batch-naming.js";
import type { BatchStore } from "./batch-store.js";
import { BenchError } from "../errors.js";
import type { StackEngine, StackListing } from "./engine.js";
import { loadRecord } from "./batch-record.js";

/** One batch on the backend. */
export interface BatchListing {
  /** Batch id. */
  batchId: string;
  /** `live` (stack exists), `destroyed` (record says so, no stack), `no-stack` (record, no stack, never destroyed), `no-record` (stack only), `locked` (an update holds it), `stack-unknown` (the stacks could not be listed), `record-unreadable` (the record exists but could not be read). */
  state: "live" | "destroyed" | "no-stack" | "no-record" | "locked" | "stack-unknown" | "record-unreadable";
  /** Why the record could not be read. */
  problem?: string;
  /** Created (from the record). */
  createdAt?: string;
  /** Expiry (from the record). */
  expiresAt?: string;
  /** Past its expiry. */
  expired: boolean;
  /** Hours since creation (or the stack's last update). */
  ageHours: number;
  /** Instance types. */
  instanceTypes: string[];
  /** Resources in the stack. */
  resourceCount?: number;
}

/**
 * Lists records and stacks together. With `stacksOptional`, a missing Pulumi CLI lists the records alone (their
 * stacks' state `stack-unknown`) and `warn` says so; cleanup never passes it (it must know which stacks exist).
 */
export async function listBatches(
  store: BatchStore,
  engine: Pick<StackEngine, "listStacks">,
  now: Date,
  options: { stacksOptional?: boolean; warn?: (line: string) => void } = {},
): Promise<BatchListing[]> {
  let listed: StackListing[] | undefined;
  try {
    listed = await engine.listStacks();
  } catch (error) {
    if (!(options.stacksOptional && error instanceof BenchError && error.code === "PulumiCliMissing")) throw error;
    options.warn?.(`warning: ${error.message} Listing the batch records only; their stacks are not checked.`);
  }
  const stacks = (listed ?? []).filter((s) => s.name.startsWith("batch-") && isBatchId(s.name.slice("batch-".length)));
  const ids = new Set([...(await store.list()).filter(isBatchId), ...stacks.map((s) => s.name.slice("batch-".length))]);
  const rows: BatchListing[] = [];
  for (const batchId of [...ids].sort()) {
    const stack = stacks.find((s) => s.name === `batch-${batchId}`);
    let record;
    let problem: string | undefined;
    try {
      record = await loadRecord(store, batchId);
    } catch (error) {
      // Only a record that is not there is "no record"; any other failure must not make a batch look orphaned.
      if (!(error instanceof BenchError && error.code === "BatchNotFound")) problem = (error as Error).message;
    }
    const created = record?.createdAt ?? stack?.lastUpdate;
    const state: BatchListing["state"] =
      problem !== undefined
        ? "record-unreadable"
        : stack
          ? stack.updateInProgress
            ? "locked"
            : record
              ? "live"
              : "no-record"
          : record?.destroyedAt
            ? "destroyed"
            : listed
              ? "no-stack"
              : "stack-unknown";
    rows.push({
      batchId,
      state,
      ...(record ? { createdAt: record.createdAt, expiresAt: record.expiresAt } : {}),
      expired: record ? new Date(record.expiresAt).getTime() < now.getTime() : false,
      ageHours: created ? Math.round(((now.getTime() - new Date(created).getTime()) / 3_600_000) * 10) / 10 : 0,
      instanceTypes: record?.request.instanceTypes ?? [],
      ...(problem === undefined ? {} : { problem }),
      ...(stack?.resourceCount === undefined ? {} : { resourceCount: stack.resourceCount }),
    });
  }
  return rows;
}

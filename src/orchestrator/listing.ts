/**
 * The batches on a backend: every stored record and every `batch-*` stack (a stack without a record, or a record
 * whose stack is gone, is shown as such), with age, state and expiry — what `list` prints and `cleanup` acts on.
 */
import { isBatchId } from "../../stacks/batch-naming.js";
import type { BatchStore } from "./batch-store.js";
import type { StackEngine } from "./engine.js";
import { loadRecord } from "./lifecycle.js";

/** One batch on the backend. */
export interface BatchListing {
  /** Batch id. */
  batchId: string;
  /** `live` (stack exists), `destroyed` (record says so, no stack), `no-stack` (record, no stack, never destroyed), `no-record` (stack only), `locked` (an update holds it). */
  state: "live" | "destroyed" | "no-stack" | "no-record" | "locked";
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

/** Lists records and stacks together. */
export async function listBatches(store: BatchStore, engine: Pick<StackEngine, "listStacks">, now: Date): Promise<BatchListing[]> {
  const stacks = (await engine.listStacks()).filter((s) => s.name.startsWith("batch-") && isBatchId(s.name.slice("batch-".length)));
  const ids = new Set([...(await store.list()).filter(isBatchId), ...stacks.map((s) => s.name.slice("batch-".length))]);
  const rows: BatchListing[] = [];
  for (const batchId of [...ids].sort()) {
    const stack = stacks.find((s) => s.name === `batch-${batchId}`);
    const record = await loadRecord(store, batchId).catch(() => undefined);
    const created = record?.createdAt ?? stack?.lastUpdate;
    const state: BatchListing["state"] = stack ? (stack.updateInProgress ? "locked" : record ? "live" : "no-record") : record?.destroyedAt ? "destroyed" : "no-stack";
    rows.push({
      batchId,
      state,
      ...(record ? { createdAt: record.createdAt, expiresAt: record.expiresAt } : {}),
      expired: record ? new Date(record.expiresAt).getTime() < now.getTime() : false,
      ageHours: created ? Math.round(((now.getTime() - new Date(created).getTime()) / 3_600_000) * 10) / 10 : 0,
      instanceTypes: record?.request.instanceTypes ?? [],
      ...(stack?.resourceCount === undefined ? {} : { resourceCount: stack.resourceCount }),
    });
  }
  return rows;
}

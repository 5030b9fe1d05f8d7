/**
 * Teardown of a batch's stack, safe to repeat: terminate the batch's instances the state lost track of, release a
 * stale lock, clear pending operations, destroy, remove the stack, and record when. A stack that never existed is
 * fine. A failure says how to finish the job (`aws-bench destroy` again, the instances' own timers, cleanup).
 */
import { BenchError } from "../errors.js";
import type { BatchRecord } from "../schemas/generated/batch-record.js";
import { instanceResourceType } from "../../stacks/batch-naming.js";
import { saveRecord, stackOf } from "./batch-record.js";
import { isoSeconds, type LifecycleDeps } from "./lifecycle.js";

/** What destroy needs; with `instances` it also terminates batch instances Pulumi lost track of. */
export type DestroyDeps = Pick<LifecycleDeps, "engine" | "store" | "progress" | "now"> &
  Partial<Pick<LifecycleDeps, "instances" | "sleep">>;

/**
 * Destroys the batch's stack: terminates instances of the batch that are not in the state (an update killed while
 * creating them leaves them running and untracked; their network interfaces would block the VPC's deletion),
 * releases a stale lock, clears the operations the interrupted update left pending, destroys every resource,
 * removes the stack, and records when. A stack that never existed is fine.
 */
export async function destroyBatch(record: BatchRecord, deps: DestroyDeps): Promise<void> {
  const stack = stackOf(record);
  deps.progress(`batch ${record.batchId}: destroying stack ${record.stackName}`);
  const attempt = async (): Promise<void> => {
    await terminateUntracked(record, deps);
    const cleared = await deps.engine.clearPendingOperations(stack);
    if (cleared)
      deps.progress(`  cleared ${cleared} pending operation${cleared === 1 ? "" : "s"} left by an interrupted update`);
    await deps.engine.destroy(stack, { onProgress: (line) => deps.progress(`  ${line}`) });
  };
  try {
    await attempt();
  } catch (error) {
    if (error instanceof BenchError && error.code === "BatchNotFound") {
      await terminateUntracked(record, deps, true);
      deps.progress(`  stack ${record.stackName} does not exist: nothing to destroy`);
      record.destroyedAt = isoSeconds(deps.now());
      await saveRecord(deps.store, record);
      return;
    }
    if (!(error instanceof BenchError && error.code === "StackLocked")) throw withDestroyFix(error, record);
    // Our own interrupted update (or a killed process) holds the lock: cancel it and try once more.
    deps.progress("  the stack is locked by an interrupted update: cancelling it");
    try {
      await deps.engine.cancel(stack);
      await attempt();
    } catch (again) {
      throw withDestroyFix(again, record);
    }
  }
  await deps.engine.removeStack(stack);
  record.destroyedAt = isoSeconds(deps.now());
  await saveRecord(deps.store, record);
  deps.progress(`batch ${record.batchId}: destroyed`);
}

/** Terminates the batch's running instances the stack does not hold (all of them when `all`), and waits for them. */
async function terminateUntracked(record: BatchRecord, deps: DestroyDeps, all = false): Promise<void> {
  if (!deps.instances) return;
  const running = (await deps.instances.ofBatch(record.batchId, record.spec.backend ?? record.backend))
    .filter((instance) => instance.state !== "terminated")
    .map((instance) => instance.id);
  if (running.length === 0) return;
  const tracked = new Set(
    all
      ? []
      : (await deps.engine.resources(stackOf(record)))
          .filter((r) => r.type === instanceResourceType && r.id)
          .map((r) => r.id as string),
  );
  const untracked = running.filter((id) => !tracked.has(id));
  if (untracked.length === 0) return;
  deps.progress(
    `  terminating ${untracked.length} instance${untracked.length === 1 ? "" : "s"} of the batch the stack lost track of: ${untracked.join(", ")}`,
  );
  await deps.instances.terminate(untracked);
  for (let poll = 0; poll < 40; poll++) {
    const states = await deps.instances.states(untracked);
    if (untracked.every((id) => states[id] === undefined || states[id]?.state === "terminated")) return;
    await (deps.sleep ?? ((ms: number) => new Promise((done) => setTimeout(done, ms))))(15_000);
  }
  deps.progress("  warning: those instances are not terminated yet; destroy may fail on their network interfaces");
}

function withDestroyFix(error: unknown, record: BatchRecord): BenchError {
  const message = error instanceof Error ? error.message : String(error);
  return new BenchError(
    error instanceof BenchError ? error.code : "PulumiError",
    `Destroying batch ${record.batchId} failed: ${message}`,
    {
      fix: `Run \`aws-bench destroy --batch ${record.batchId} --yes\` again; instances stop by themselves at their timers, and \`aws-bench cleanup --yes\` removes anything left after ${record.expiresAt}.`,
      cause: error,
    },
  );
}

/**
 * Waiting for a launched batch's results and collecting them: per instance, its `status.json` in the results
 * bucket (then its run is verified and stored in data/raw), or its death (its console output is saved beside the
 * record), or its deadline (its planned life from launch, plus five minutes). Works after the stack is gone too.
 */
import { BenchError } from "../errors.js";
import { instanceCost, roundUsd } from "../aws/pricing.js";
import type { BatchRecord } from "../schemas/generated/batch-record.js";
import { instanceTagValue } from "../../stacks/batch-naming.js";
import { collectDeadlineMinutes } from "../../stacks/instance-timing.js";
import type { BatchInstance } from "./aws-access.js";
import { collectRun, parseStatus, plannedRun, rawRunDirectory } from "./collect.js";
import { interrupted, type InstanceOutcome, type LifecycleDeps } from "./lifecycle.js";

/** Collection failures worth another poll (the bucket or the network, not the run itself). */
const transientCodes = new Set(["EndpointUnreachable", "Throttled", "AwsError"]);
const maxCollectAttempts = 3;

/**
 * Waits for each launched instance's status.json (deadline: its planned life from the end of `up`), collects its
 * run as soon as it appears, and records the death of instances that vanish without one (with their console
 * output, saved to the backend before destroy). AWS errors while polling are retried until each instance's own
 * deadline. Works after the stack is gone too: what is in the bucket is still collected. Outcomes are pushed into
 * `outcomes` as they happen, so an interruption loses nothing already collected.
 */
export async function awaitAndCollect(
  record: BatchRecord,
  deps: LifecycleDeps,
  outcomes: InstanceOutcome[],
  signal?: AbortSignal,
): Promise<void> {
  const decided = (instance: { instanceType: string; repeat: number }) =>
    outcomes.some((o) => o.instanceType === instance.instanceType && o.repeat === instance.repeat);
  const failedLaunch = new Map((record.launch?.failed ?? []).map((f) => [`${f.instanceType}/${f.repeat}`, f]));
  for (const instance of record.instances) {
    if (decided(instance)) continue;
    if (instance.skipped !== undefined)
      outcomes.push({
        instanceType: instance.instanceType,
        repeat: instance.repeat,
        status: "skipped",
        reason: instance.skipped,
      });
    const failure = failedLaunch.get(`${instance.instanceType}/${instance.repeat}`);
    if (failure)
      outcomes.push({
        instanceType: instance.instanceType,
        repeat: instance.repeat,
        status: "launch-failed",
        reason: failure.reason,
      });
  }
  // `up` records its start before it creates anything: without it nothing was launched, so nothing will report.
  if (!record.launch) {
    for (const instance of record.instances)
      if (!decided(instance))
        outcomes.push({
          instanceType: instance.instanceType,
          repeat: instance.repeat,
          status: "failed",
          reason: "not launched (run `aws-bench up` for this batch first)",
        });
    return;
  }
  if (record.destroyedAt)
    deps.progress(`batch ${record.batchId}: destroyed at ${record.destroyedAt}; collecting what is in the bucket`);
  const launchedAt = new Date(record.launch?.finishedAt ?? record.launch?.startedAt ?? record.createdAt).getTime();
  let waiting = record.instances
    .filter((instance) => !decided(instance))
    .map((instance) => ({
      instance,
      id: undefined as string | undefined,
      deadline: launchedAt + collectDeadlineMinutes(instance.maximumMinutes) * 60_000,
      zone: undefined as string | undefined,
      launchTime: undefined as string | undefined,
      attempts: 0,
      lastError: undefined as string | undefined,
    }));
  if (waiting.length)
    deps.progress(
      `batch ${record.batchId}: waiting for ${waiting.length} instance${waiting.length === 1 ? "" : "s"} (results in s3://${deps.results.bucket}/batches/${record.batchId}/)`,
    );
  const backendTag = record.spec.backend ?? record.backend;
  while (waiting.length) {
    if (signal?.aborted) throw interrupted();
    // The batch's instances as EC2 lists them by their tags (no Pulumi needed, and after the stack is gone too).
    let found: Map<string, BatchInstance> | undefined;
    try {
      found = plannedInstances(await deps.instances.ofBatch(record.batchId, backendTag));
    } catch (error) {
      deps.progress(`  warning: reading instance states failed (${(error as Error).message}); trying again`);
    }
    for (const entry of waiting) {
      const { instance } = entry;
      const st = found?.get(instanceTagValue(instance));
      const seenBefore = entry.id !== undefined;
      if (st) entry.id = st.id;
      if (st?.zone) entry.zone = st.zone;
      if (st?.launchTime) entry.launchTime = st.launchTime;
      const late = deps.now().getTime() > entry.deadline;
      const statusKey = `${instance.resultsPrefix}/status.json`;
      let statusBytes: Buffer | undefined;
      try {
        statusBytes = await deps.results.get(statusKey);
      } catch (error) {
        entry.lastError = (error as Error).message;
        if (late)
          outcomes.push({
            instanceType: instance.instanceType,
            repeat: instance.repeat,
            status: "failed",
            reason: `no status could be read within ${collectDeadlineMinutes(instance.maximumMinutes)} minutes of launch: ${entry.lastError}`,
          });
        continue;
      }
      if (statusBytes) {
        const outcome = await finishInstance(record, deps, instance, statusBytes, statusKey, entry);
        if (outcome.transient && ++entry.attempts < maxCollectAttempts && !late) {
          deps.progress(
            `  ${instance.instanceType} #${instance.repeat}: ${outcome.outcome.reason ?? "collecting failed"}; trying again`,
          );
          continue;
        }
        outcomes.push(outcome.outcome);
        continue;
      }
      if (entry.id === undefined) {
        // Not listed yet (EC2's tag filters lag a launch by seconds), or terminated long ago.
        if (late)
          outcomes.push({
            instanceType: instance.instanceType,
            repeat: instance.repeat,
            status: "failed",
            reason: `no status in the bucket, and no instance of the batch in EC2 within ${collectDeadlineMinutes(instance.maximumMinutes)} minutes of launch`,
          });
        continue;
      }
      // Seen before and no longer listed: terminated so long ago that EC2 forgot it.
      const gone =
        found !== undefined &&
        ((!st && seenBefore) ||
          (st !== undefined && ["shutting-down", "terminated", "stopping", "stopped"].includes(st.state)));
      if (gone || late) {
        const console = await saveConsoleOutput(record, deps, instance, entry.id);
        const why = gone
          ? `instance ${st?.state ?? "gone"} without a status${st?.reason ? ` (${st.reason})` : ""}`
          : `no status within ${collectDeadlineMinutes(instance.maximumMinutes)} minutes of launch${entry.lastError ? ` (last error: ${entry.lastError})` : ""}`;
        outcomes.push({ ...usage(instance, entry, deps.now()), status: "failed", reason: `${why}${console}` });
      }
    }
    waiting = waiting.filter((w) => !decided(w.instance));
    if (waiting.length) await deps.sleep(deps.pollMs ?? 30_000, signal);
  }
}

/**
 * The batch's instances by planned instance (`type/repeat`). A planned instance launched twice (a zone retry
 * replaced it) is the one still alive, else the newest.
 */
export function plannedInstances(instances: readonly BatchInstance[]): Map<string, BatchInstance> {
  const byKey = new Map<string, BatchInstance>();
  const rank = (i: BatchInstance) => [i.state === "terminated" ? 0 : 1, Date.parse(i.launchTime ?? "") || 0] as const;
  for (const instance of instances) {
    if (!instance.planned) continue;
    const key = instanceTagValue(instance.planned);
    const held = byKey.get(key);
    const [alive, launched] = rank(instance);
    if (!held || alive > rank(held)[0] || (alive === rank(held)[0] && launched > rank(held)[1]))
      byKey.set(key, instance);
  }
  return byKey;
}

/** Zone, minutes and cost of an instance: from its launch to its status (or now). */
function usage(
  instance: BatchRecord["instances"][number],
  entry: { zone?: string | undefined; launchTime?: string | undefined },
  now: Date,
  finishedAt?: string,
): Omit<InstanceOutcome, "status"> {
  const start = entry.launchTime ? Date.parse(entry.launchTime) : undefined;
  const end = finishedAt ? Date.parse(finishedAt) : now.getTime();
  const minutes =
    start !== undefined && Number.isFinite(end) ? Math.max(0, Math.round((end - start) / 60_000)) : undefined;
  return {
    instanceType: instance.instanceType,
    repeat: instance.repeat,
    ...(entry.zone ? { zone: entry.zone } : {}),
    ...(minutes === undefined ? {} : { minutes }),
    ...(minutes === undefined || instance.usdPerHour === undefined
      ? {}
      : { costUsd: roundUsd(instanceCost(instance.usdPerHour, minutes * 60)) }),
  };
}

async function finishInstance(
  record: BatchRecord,
  deps: LifecycleDeps,
  instance: BatchRecord["instances"][number],
  statusBytes: Buffer,
  statusKey: string,
  entry: { zone?: string | undefined; launchTime?: string | undefined },
): Promise<{ outcome: InstanceOutcome; transient: boolean }> {
  let status;
  try {
    status = parseStatus(statusBytes, `s3://${deps.results.bucket}/${statusKey}`);
  } catch (error) {
    return {
      outcome: { ...usage(instance, entry, deps.now()), status: "failed", reason: (error as Error).message },
      transient: false,
    };
  }
  const base = usage(instance, entry, deps.now(), status.finishedAt);
  const target = rawRunDirectory(deps.rawRoot, record.batchId, instance.instanceType, instance.repeat);
  const failedAt = `the instance reported failure at stage ${status.stage}: ${status.error || `exit ${status.exitCode}`}`;
  try {
    const run = await collectRun(deps.results, instance.resultsPrefix, target, await plannedRun(record, instance));
    const headlines = run.result.benchmarks
      .filter((b) => b.headline.statistics)
      .map((b) =>
        `${b.benchmark} ${b.headline.metric} ${formatNumber(b.headline.statistics?.median ?? 0)} ${b.headline.statistics?.unit ?? ""}${b.validity.valid ? "" : " (invalid)"}`.trim(),
      );
    deps.progress(
      `  ${instance.instanceType} #${instance.repeat}: ${status.state}; collected to ${run.directory}${run.alreadyPresent ? " (already there)" : ""}`,
    );
    if (status.state === "failure")
      return {
        outcome: {
          ...base,
          status: "failed",
          reason: `${failedAt} (what it finished was collected)`,
          collectedTo: run.directory,
          headlines,
        },
        transient: false,
      };
    return { outcome: { ...base, status: "succeeded", collectedTo: run.directory, headlines }, transient: false };
  } catch (error) {
    const message = error instanceof BenchError ? error.message : String(error);
    const transient = error instanceof BenchError && transientCodes.has(error.code);
    if (status.state === "failure")
      return { outcome: { ...base, status: "failed", reason: `${failedAt}; ${message}` }, transient };
    return { outcome: { ...base, status: "failed", reason: `collecting failed: ${message}` }, transient };
  }
}

async function saveConsoleOutput(
  record: BatchRecord,
  deps: LifecycleDeps,
  instance: BatchRecord["instances"][number],
  id: string,
): Promise<string> {
  try {
    const text = await deps.instances.consoleOutput(id);
    if (!text) return "; no console output";
    const name = `console-${instance.instanceType}-${instance.repeat}.txt`;
    await deps.store.write(record.batchId, name, text);
    return `; console output saved to ${deps.store.url.replace(/\/$/, "")}/.aws-bench/batches/${record.batchId}/${name}`;
  } catch (error) {
    return `; console output not saved: ${(error as Error).message}`;
  }
}

function formatNumber(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toPrecision(3);
}

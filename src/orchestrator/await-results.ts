/**
 * Waiting for a launched batch's results and collecting them: per instance, its `status.json` in the results
 * bucket (then its run is verified and stored in data/raw), or its death (its console output is saved beside the
 * record), or its deadline (its planned life from launch, plus five minutes). Works after the stack is gone too.
 */
import { BenchError } from "../errors.js";
import { instanceCost, roundUsd } from "../aws/pricing.js";
import type { BatchRecord } from "../schemas/generated/batch-record.js";
import { batchComponentName, instanceResourceName, instanceResourceType } from "../../stacks/batch-naming.js";
import { collectDeadlineMinutes } from "../../stacks/instance-timing.js";
import type { InstanceState } from "./aws-access.js";
import { stackOf } from "./batch-record.js";
import { collectRun, parseStatus, plannedRun, rawRunDirectory } from "./collect.js";
import { urnName, type StackEngine } from "./engine.js";
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
  let stackGone = false;
  let state: Awaited<ReturnType<StackEngine["resources"]>> = [];
  try {
    state = await deps.engine.resources(stackOf(record));
  } catch (error) {
    if (!(error instanceof BenchError && error.code === "BatchNotFound")) throw error;
    stackGone = true;
    deps.progress(`batch ${record.batchId}: the stack is gone; collecting what is in the bucket`);
  }
  const ids = new Map(
    state.filter((r) => r.type === instanceResourceType && r.id).map((r) => [urnName(r.urn), r.id as string]),
  );
  const launchedAt = new Date(record.launch?.finishedAt ?? record.launch?.startedAt ?? record.createdAt).getTime();
  let waiting = record.instances
    .filter((instance) => !decided(instance))
    .map((instance) => ({
      instance,
      id: ids.get(instanceResourceName(batchComponentName, instance)),
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
  while (waiting.length) {
    if (signal?.aborted) throw interrupted();
    const known = waiting.filter((w) => w.id !== undefined).map((w) => w.id as string);
    let states: Record<string, InstanceState> | undefined;
    try {
      states = await deps.instances.states(known);
    } catch (error) {
      deps.progress(`  warning: reading instance states failed (${(error as Error).message}); trying again`);
    }
    for (const entry of waiting) {
      const { instance } = entry;
      const st = entry.id && states ? states[entry.id] : undefined;
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
        outcomes.push({
          instanceType: instance.instanceType,
          repeat: instance.repeat,
          status: "failed",
          reason: stackGone
            ? "no status in the bucket, and the stack is gone"
            : "no instance in the stack (was `up` run for this batch?)",
        });
        continue;
      }
      const gone =
        states !== undefined && (!st || ["shutting-down", "terminated", "stopping", "stopped"].includes(st.state));
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

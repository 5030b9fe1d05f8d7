/**
 * `up` for a recorded batch: sets the expiry from this launch, creates the stack, and reads back which planned
 * instances did not launch and why (from the engine's failure events); a capacity error is retried once in the
 * next zone offering the type. Records what happened; decides nothing about exit codes.
 */
import { BenchError } from "../errors.js";
import type { BatchRecord } from "../schemas/generated/batch-record.js";
import {
  batchComponentName,
  instanceResourceName,
  instanceResourceType,
  launchedImageDigest,
} from "../../stacks/batch-naming.js";
import { batchExpiresAt } from "../../stacks/instance-timing.js";
import { nextZone } from "../../stacks/zones.js";
import { saveRecord, setExpiry, stackOf } from "./batch-record.js";
import { launchErrorCode, launchErrors, urnName } from "./engine.js";
import { interrupted, isoSeconds, type LifecycleDeps } from "./lifecycle.js";

/**
 * `up`: creates the stack; records which instances failed to launch and why. The expiry counts from each launch
 * (instances launched now carry it; running ones keep their own); a second `up` changes no instance (the program
 * ignores AMI, user-data and tag changes on instances) and a destroyed batch is never launched again.
 */
export async function launchBatch(
  record: BatchRecord,
  deps: LifecycleDeps,
  signal?: AbortSignal,
  engineSignal?: AbortSignal,
): Promise<void> {
  if (record.destroyedAt)
    throw new BenchError(
      "InvalidArgument",
      `Batch ${record.batchId} was destroyed at ${record.destroyedAt}; it is never launched again.`,
      { fix: "Plan a new batch with `aws-bench preview` or `aws-bench run`." },
    );
  if (signal?.aborted) throw interrupted();
  const planned = record.instances.filter((instance) => instance.skipped === undefined);
  if (planned.length === 0)
    throw new BenchError("EmptyResult", `Batch ${record.batchId} has no instance left to launch (all were skipped).`, {
      fix: "See the skipped reasons with `aws-bench status --batch ID`.",
    });
  const now = deps.now();
  // Every launch counts the expiry from now (a preview may have waited; a later `up` may launch instances the
  // first did not): the instances created now carry it in their tags, instances already running keep theirs (the
  // component ignores tag changes on instances), and the record keeps the latest, so cleanup never takes an
  // instance launched by this `up` for an expired one.
  const expiresAt = batchExpiresAt(
    now,
    record.instances.map((instance) => instance.maximumMinutes),
  );
  if (expiresAt.getTime() > Date.parse(record.expiresAt) || !record.launch) setExpiry(record, expiresAt);
  record.launch = { ...(record.launch ?? {}), startedAt: record.launch?.startedAt ?? isoSeconds(now) };
  await saveRecord(deps.store, record);
  deps.progress(
    `batch ${record.batchId}: creating stack ${record.stackName} (${planned.length} instance${planned.length === 1 ? "" : "s"})`,
  );
  if (signal?.aborted) throw interrupted();
  let { failed, failedUpdate } = await upAndRead(record, deps, planned, signal, engineSignal);
  // A capacity error (or a zone that cannot host the type) is retried once, in the next zone offering the type;
  // the network already spans every such zone, so nothing else changes. Only with a zone plan (the orchestrator's
  // own batches), never inside one existing subnet, never when the type has a single zone.
  const zonePlan = record.spec.zones?.instances;
  const offerings = record.zoneRetry?.offerings ?? {};
  const retried = new Set(record.zoneRetry?.retried ?? []);
  const inOneSubnet = record.spec.network !== undefined;
  const moves =
    zonePlan && !inOneSubnet
      ? failed.flatMap((f) => {
          const key = `${f.instanceType}/${f.repeat}`;
          const current = zonePlan[key];
          const next =
            f.code !== undefined && zoneRetryCodes.has(f.code) && !retried.has(key) && current
              ? nextZone(offerings[f.instanceType] ?? [], current)
              : undefined;
          return next ? [{ failure: f, key, next }] : [];
        })
      : [];
  if (moves.length > 0 && zonePlan && !signal?.aborted) {
    for (const move of moves) {
      zonePlan[move.key] = move.next;
      retried.add(move.key);
    }
    record.zoneRetry = { offerings, retried: [...retried].sort() };
    await saveRecord(deps.store, record);
    deps.progress(
      `batch ${record.batchId}: retrying ${moves.map((m) => `${m.key.replace("/", " #")} in ${m.next}`).join(", ")}`,
    );
    const again = await upAndRead(record, deps, planned, signal, engineSignal);
    failedUpdate = again.failedUpdate;
    failed = again.failed.map((f) =>
      moves.some((m) => m.failure.instanceType === f.instanceType && m.failure.repeat === f.repeat)
        ? { ...f, reason: `${f.reason} (also in another zone)` }
        : f,
    );
  }
  if (signal?.aborted) throw interrupted();
  record.launch = {
    startedAt: record.launch.startedAt,
    finishedAt: isoSeconds(deps.now()),
    ...(failed.length ? { failed } : {}),
  };
  await saveRecord(deps.store, record);
  for (const f of failed) deps.progress(`  ${f.instanceType} #${f.repeat}: ${f.reason}`);
  if (failedUpdate && failed.length === planned.length) deps.progress(`batch ${record.batchId}: no instance launched`);
}

/** Launch errors worth one more try in another zone. */
const zoneRetryCodes = new Set(["InsufficientInstanceCapacity", "InsufficientCapacity", "Unsupported"]);

type LaunchFailure = NonNullable<NonNullable<BatchRecord["launch"]>["failed"]>[number];

/** One `up`, then which planned instances are not in the state and why (from the engine's failure events). */
async function upAndRead(
  record: BatchRecord,
  deps: LifecycleDeps,
  planned: BatchRecord["instances"],
  signal?: AbortSignal,
  engineSignal?: AbortSignal,
): Promise<{ failed: LaunchFailure[]; failedUpdate: boolean }> {
  const messages = new Map<string, string[]>();
  const outcome = await deps.engine.up(
    stackOf(record),
    {
      onResourceFailed: (urn, message) => messages.set(urn, [...(messages.get(urn) ?? []), message]),
      onProgress: (line) => deps.progress(`  ${line}`),
    },
    engineSignal ?? signal,
  );
  if (signal?.aborted) throw interrupted();
  const state = await deps.engine.resources(stackOf(record));
  const instances = state.filter((r) => r.type === instanceResourceType && r.id);
  const launched = new Set(instances.map((r) => urnName(r.urn)));
  // The image each launched instance pulls, by digest (its tags say it): collect holds its result to it.
  for (const resource of instances) {
    const digest = launchedImageDigest(resource.outputs["tags"] as Record<string, unknown> | undefined);
    const instance = planned.find((p) => instanceResourceName(batchComponentName, p) === urnName(resource.urn));
    if (digest && instance) instance.imageDigest = digest;
  }
  const otherFailures = [...messages].filter(
    ([urn]) => !planned.some((p) => urn.endsWith(`::${instanceResourceName(batchComponentName, p)}`)),
  );
  const failed: LaunchFailure[] = [];
  for (const instance of planned) {
    const name = instanceResourceName(batchComponentName, instance);
    if (launched.has(name)) continue;
    const own = [...messages]
      .filter(([urn]) => urn.endsWith(`::${name}`))
      .flatMap(([, m]) => m)
      .filter(Boolean)
      .join(" ");
    const code = launchErrorCode(own);
    const shared = otherFailures
      .map(([urn, m]) => `${urnName(urn)}: ${m.filter(Boolean).join(" ") || "failed"}`)
      .join("; ");
    const reason = code
      ? `${code}: ${launchErrors[code] as string}`
      : own
        ? firstSentence(own)
        : shared
          ? `not launched because ${firstSentence(shared)}`
          : "not launched (the update stopped before it)";
    failed.push({ instanceType: instance.instanceType, repeat: instance.repeat, ...(code ? { code } : {}), reason });
  }
  return { failed, failedUpdate: outcome.failed };
}

function firstSentence(text: string): string {
  return text.replace(/\s+/g, " ").trim().slice(0, 300);
}

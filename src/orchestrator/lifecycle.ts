/**
 * The batch lifecycle, one step per function so `run` chains them and CI runs them in separate jobs:
 * record (request + plan, stored on the backend) → launch (`up`, failures mapped back to instance types) →
 * wait and collect (per instance: status.json, or its death, or its deadline) → destroy (always; clears locks
 * and pending operations first) → summary. Every dependency arrives through {@link LifecycleDeps}, so tests run
 * the whole flow with a fake engine and fake AWS.
 */
import { BenchError } from "../errors.js";
import { instanceCost, roundUsd } from "../aws/pricing.js";
import { assertDocument } from "../schemas/documents.js";
import type { BatchRecord } from "../schemas/generated/batch-record.js";
import { batchTags, stackNameForBatch } from "../../stacks/batch-naming.js";
import { instanceResourceName, resultsPrefix } from "../../stacks/benchmark-batch.js";
import { nextZone } from "../../stacks/zones.js";
import type { InstanceState, InstanceWatch, ResultsBucket } from "./aws-access.js";
import type { BatchStore } from "./batch-store.js";
import { collectRun, parseStatus, rawRunDirectory } from "./collect.js";
import { launchErrorCode, launchErrors, urnName, type StackEngine, type StackRef } from "./engine.js";
import type { BatchPlan, PlanRequest } from "./plan.js";

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

/** The end of a batch: outcomes and exit code. */
export interface BatchReport {
  /** The batch. */
  batchId: string;
  /** One per planned instance. */
  outcomes: InstanceOutcome[];
  /** DESIGN.md's exit code. */
  verdict: BatchVerdict;
  /** The stack was destroyed (false with --keep or when destroy failed). */
  destroyed: boolean;
  /** The error that stopped the batch, if one did. */
  error?: BenchError;
}

/** A batch request: the plan's request plus what only a real batch needs. */
export interface BatchRequest extends PlanRequest {
  /** Results bucket (required for a real batch). */
  resultsBucket: string;
  /** Refuse when the expected cost is above this. */
  maxCostUsd?: number | undefined;
  /** Prebuilt images: container tag → URI. */
  images?: Record<string, string> | undefined;
  /** Where the images came from (`--images`), for the record. */
  imagesSource?: string | undefined;
  /** User tags. */
  tags?: Record<string, string> | undefined;
  /** The long-lived image repository to build into and reuse from (`findImageCache`). */
  imageCache?: { name: string; url: string; arn: string } | undefined;
  /**
   * Where everything goes, pinned when the batch is planned (the preflight reads the zones offering each type):
   * each instance's zone ID by `type/repeat`, the zones the network spans, and the offering zones per type (for a
   * capacity retry). A later `up` then never moves a subnet or an instance.
   */
  zones?: { plan: Record<string, string>; network: string[]; offerings: Record<string, string[]> } | undefined;
  /** An existing subnet (and security group); `vpcId` is filled in by the preflight. */
  network?: { subnetId: string; vpcId?: string; securityGroupId?: string } | undefined;
  /** SSH: a key pair, and the one CIDR let in (none with the user's own security group). */
  ssh?: { keyName: string; cidr?: string } | undefined;
}

const programConfigKey = (key: string) => `aws-instance-benchmarks:${key}`;

/** The record of a new batch: its request, the plan's instances, and the stack config that realises it. */
export async function newBatchRecord(
  request: BatchRequest,
  plan: BatchPlan,
  options: {
    batchId: string;
    backend: string;
    backendTag?: string;
    createdBy: string;
    now: Date;
    skipped?: Record<string, string>;
  },
): Promise<BatchRecord> {
  const longest = Math.max(...plan.instances.map((instance) => instance.maximumMinutes));
  // Provisional: the first launch sets the expiry again from its own start (see launchBatch).
  const expiresInMinutes = upBudgetMinutes + longest + 60;
  const expiresAt = new Date(options.now.getTime() + expiresInMinutes * 60_000);
  // Tags are checked now, before anything is created (batchTags throws on a bad user tag).
  const backendTagValue = options.backendTag ?? options.backend;
  batchTags({
    batchId: options.batchId,
    createdBy: options.createdBy,
    expiresAt,
    backend: backendTagValue,
    userTags: request.tags ?? {},
  });
  const skipped = options.skipped ?? {};
  const launchTypes = request.instanceTypes.filter((type) => skipped[type] === undefined);
  const config: Record<string, string> = {
    "aws:region": request.region,
    [programConfigKey("batchId")]: options.batchId,
    [programConfigKey("instanceTypes")]: launchTypes.join(","),
    [programConfigKey("benchmarks")]: request.benchmarks.join(","),
    [programConfigKey("repeat")]: String(request.repeat),
    [programConfigKey("resultsBucket")]: request.resultsBucket,
    [programConfigKey("spot")]: String(request.spot),
    [programConfigKey("quick")]: String(request.quick),
    [programConfigKey("expiresInMinutes")]: String(expiresInMinutes),
    [programConfigKey("createdBy")]: options.createdBy,
    [programConfigKey("backend")]: backendTagValue,
    ...(request.maxMinutes === undefined ? {} : { [programConfigKey("maxMinutes")]: String(request.maxMinutes) }),
    ...(request.images ? { [programConfigKey("images")]: JSON.stringify(request.images) } : {}),
    ...(request.imageCache && !request.images
      ? {
          [programConfigKey("imageCacheRepository")]: request.imageCache.name,
          [programConfigKey("imageCacheUrl")]: request.imageCache.url,
          [programConfigKey("imageCacheArn")]: request.imageCache.arn,
        }
      : {}),
    ...(request.zones
      ? {
          [programConfigKey("zonePlan")]: JSON.stringify(
            Object.fromEntries(
              Object.entries(request.zones.plan).filter(
                ([key]) => skipped[key.slice(0, key.lastIndexOf("/"))] === undefined,
              ),
            ),
          ),
          [programConfigKey("networkZoneIds")]: JSON.stringify(request.zones.network),
          [programConfigKey("zoneOfferings")]: JSON.stringify(request.zones.offerings),
        }
      : {}),
    ...(request.network
      ? {
          [programConfigKey("subnetId")]: request.network.subnetId,
          [programConfigKey("vpcId")]: requireVpc(request.network),
        }
      : {}),
    ...(request.network?.securityGroupId
      ? { [programConfigKey("securityGroupId")]: request.network.securityGroupId }
      : {}),
    ...(request.ssh ? { [programConfigKey("keyName")]: request.ssh.keyName } : {}),
    ...(request.ssh?.cidr ? { [programConfigKey("sshCidr")]: request.ssh.cidr } : {}),
    ...(request.tags && Object.keys(request.tags).length
      ? { [programConfigKey("tags")]: JSON.stringify(request.tags) }
      : {}),
  };
  const record: BatchRecord = {
    schemaVersion: 1,
    batchId: options.batchId,
    stackName: stackNameForBatch(options.batchId),
    region: request.region,
    backend: options.backend,
    createdAt: iso(options.now),
    createdBy: options.createdBy,
    expiresAt: iso(expiresAt),
    request: {
      instanceTypes: request.instanceTypes,
      benchmarks: request.benchmarks,
      repeat: request.repeat,
      spot: request.spot,
      quick: request.quick,
      resultsBucket: request.resultsBucket,
      ...(request.maxMinutes === undefined ? {} : { maxMinutes: request.maxMinutes }),
      ...(request.maxCostUsd === undefined ? {} : { maxCostUsd: request.maxCostUsd }),
      ...(request.imagesSource ? { images: request.imagesSource } : {}),
    },
    config,
    instances: plan.instances.map((instance) => ({
      instanceType: instance.instanceType,
      repeat: instance.repeat,
      resultsPrefix: resultsPrefix(options.batchId, instance),
      expectedMinutes: instance.expectedMinutes,
      maximumMinutes: instance.maximumMinutes,
      ...(instance.usdPerHour === undefined ? {} : { usdPerHour: instance.usdPerHour }),
      ...(skipped[instance.instanceType] === undefined ? {} : { skipped: skipped[instance.instanceType] }),
    })),
    estimate: {
      costUsdExpected: plan.estimate.costUsdExpected,
      costUsdMaximum: plan.estimate.costUsdMaximum,
      instanceMinutesExpected: plan.estimate.instanceMinutesExpected,
    },
  };
  return assertDocument("batch-record", record, `batch ${options.batchId} (record)`);
}

function requireVpc(network: NonNullable<BatchRequest["network"]>): string {
  if (!network.vpcId)
    throw new BenchError("InvalidArgument", `The VPC of subnet ${network.subnetId} is not known.`, {
      fix: "Run again: the preflight reads it (ec2:DescribeSubnets) before the batch is recorded.",
    });
  return network.vpcId;
}

/** Refuses a batch whose expected cost is above `--max-cost` (or unknown while a cap is set). */
export function checkCostLimit(record: BatchRecord): void {
  const cap = record.request.maxCostUsd;
  if (cap === undefined) return;
  const cost = record.estimate?.costUsdExpected;
  if (cost === null || cost === undefined) {
    throw new BenchError(
      "CostLimitExceeded",
      `--max-cost ${cap} is set but the cost of this batch is unknown (no price for some types in ${record.region}).`,
      { fix: "Run `aws-bench pricing update --region R`, or drop --max-cost." },
    );
  }
  if (cost > cap) {
    throw new BenchError(
      "CostLimitExceeded",
      `This batch is expected to cost $${cost} (at most $${record.estimate?.costUsdMaximum ?? "?"}), above --max-cost ${cap}.`,
      { fix: "Plan fewer types or repeats, use --quick or --max-minutes, or raise --max-cost." },
    );
  }
}

/** Stores the record beside the state. */
export async function saveRecord(store: BatchStore, record: BatchRecord): Promise<void> {
  await store.write(
    record.batchId,
    "batch.json",
    `${JSON.stringify(await assertDocument("batch-record", record, `batch ${record.batchId} (record)`), null, 2)}\n`,
  );
}

/** Reads a batch's record from the backend; throws `BatchNotFound` naming the backend. */
export async function loadRecord(store: BatchStore, batchId: string): Promise<BatchRecord> {
  const text = await store.read(batchId, "batch.json");
  if (text === undefined) {
    throw new BenchError("BatchNotFound", `No batch ${batchId} on ${store.url}.`, {
      fix: "Check --batch and --backend (or PULUMI_BACKEND_URL); `aws-bench list` shows the batches there.",
    });
  }
  return assertDocument("batch-record", JSON.parse(text) as unknown, `batch ${batchId} on ${store.url}`);
}

/** The stack of a record. */
export function stackOf(record: BatchRecord): StackRef {
  return { stackName: record.stackName, config: record.config };
}

const instanceType = "aws:ec2/instance:Instance";
const componentName = "batch";

/** Minutes `up` may take (image builds included) before instances start: part of every expiry. */
export const upBudgetMinutes = 120;

/** The expiry of a batch launched at `start`: up's budget, the longest instance life, and an hour. */
function expiryFrom(record: BatchRecord, start: Date): string {
  const longest = Math.max(0, ...record.instances.map((instance) => instance.maximumMinutes));
  return iso(new Date(start.getTime() + (upBudgetMinutes + longest + 60) * 60_000));
}

/**
 * `up`: creates the stack; records which instances failed to launch and why. The expiry (record and tags) is
 * fixed at the first launch; a second `up` changes no instance (the program ignores AMI and user-data changes
 * on instances) and a destroyed batch is never launched again.
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
  if (!record.launch) {
    // First launch: the expiry counts from now (a preview may have waited), and the tags say the same.
    record.expiresAt = expiryFrom(record, now);
    record.config[programConfigKey("expiresAt")] = record.expiresAt;
  }
  record.launch = { ...(record.launch ?? {}), startedAt: record.launch?.startedAt ?? iso(now) };
  await saveRecord(deps.store, record);
  deps.progress(
    `batch ${record.batchId}: creating stack ${record.stackName} (${planned.length} instance${planned.length === 1 ? "" : "s"})`,
  );
  if (signal?.aborted) throw interrupted();
  let { failed, failedUpdate } = await upAndRead(record, deps, planned, signal, engineSignal);
  // A capacity error (or a zone that cannot host the type) is retried once, in the next zone offering the type;
  // the network already spans every such zone, so nothing else changes. Only with a zone plan (the orchestrator's
  // own batches), never inside one existing subnet, never when the type has a single zone.
  const zonePlan = JSON.parse(record.config[programConfigKey("zonePlan")] ?? "null") as Record<string, string> | null;
  const offerings = JSON.parse(record.config[programConfigKey("zoneOfferings")] ?? "{}") as Record<string, string[]>;
  const retried = new Set(JSON.parse(record.config[programConfigKey("zoneRetried")] ?? "[]") as string[]);
  const inOneSubnet = record.config[programConfigKey("subnetId")] !== undefined;
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
    record.config[programConfigKey("zonePlan")] = JSON.stringify(zonePlan);
    record.config[programConfigKey("zoneRetried")] = JSON.stringify([...retried].sort());
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
    finishedAt: iso(deps.now()),
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
  const launched = new Set(state.filter((r) => r.type === instanceType && r.id).map((r) => urnName(r.urn)));
  const otherFailures = [...messages].filter(
    ([urn]) => !planned.some((p) => urn.endsWith(`::${instanceResourceName(componentName, p)}`)),
  );
  const failed: LaunchFailure[] = [];
  for (const instance of planned) {
    const name = instanceResourceName(componentName, instance);
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
    state.filter((r) => r.type === instanceType && r.id).map((r) => [urnName(r.urn), r.id as string]),
  );
  const launchedAt = new Date(record.launch?.finishedAt ?? record.launch?.startedAt ?? record.createdAt).getTime();
  let waiting = record.instances
    .filter((instance) => !decided(instance))
    .map((instance) => ({
      instance,
      id: ids.get(instanceResourceName(componentName, instance)),
      deadline: launchedAt + (instance.maximumMinutes + 5) * 60_000,
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
            reason: `no status could be read within ${instance.maximumMinutes + 5} minutes of launch: ${entry.lastError}`,
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
          : `no status within ${instance.maximumMinutes + 5} minutes of launch${entry.lastError ? ` (last error: ${entry.lastError})` : ""}`;
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
    const run = await collectRun(deps.results, instance.resultsPrefix, target, instance.instanceType);
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
      record.destroyedAt = iso(deps.now());
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
  record.destroyedAt = iso(deps.now());
  await saveRecord(deps.store, record);
  deps.progress(`batch ${record.batchId}: destroyed`);
}

/** Terminates the batch's running instances the stack does not hold (all of them when `all`), and waits for them. */
async function terminateUntracked(record: BatchRecord, deps: DestroyDeps, all = false): Promise<void> {
  if (!deps.instances) return;
  const running = await deps.instances.findByBatch(record.batchId);
  if (running.length === 0) return;
  const tracked = new Set(
    all
      ? []
      : (await deps.engine.resources(stackOf(record)))
          .filter((r) => r.type === instanceType && r.id)
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

/** The error an interruption becomes. */
export function interrupted(): BenchError {
  return new BenchError("Interrupted", "Interrupted.", {
    fix: "The batch was torn down; what was collected is in data/raw.",
  });
}

function iso(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, "Z");
}

function formatNumber(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toPrecision(3);
}

function firstSentence(text: string): string {
  return text.replace(/\s+/g, " ").trim().slice(0, 300);
}

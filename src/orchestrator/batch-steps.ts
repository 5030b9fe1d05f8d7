/**
 * The batch commands as library calls, one per command: `run` (one region or several), and the CI steps
 * `preview`, `up`, `collect`, `destroy`, `status`, `list`. Each opens the backend, rebuilds the step's
 * dependencies from the batch's record and runs one lifecycle step. What only a process can do — ask for
 * confirmation at a terminal, catch signals, print, choose exit codes — comes from the caller through
 * {@link StepContext}. Heavy modules (SDK clients, the Automation API) load inside, on demand.
 */
import { BenchError } from "../errors.js";
import type { AwsSettings } from "../aws/clients.js";
import type { BatchRecord } from "../schemas/generated/batch-record.js";
import { instanceTagValue, isBatchId } from "../../stacks/batch-naming.js";
import type { Backend } from "./backend.js";
import type { BatchRequest } from "./batch-record.js";
import type { BatchListing } from "./listing.js";
import type { BatchReport, InstanceOutcome, LifecycleDeps } from "./lifecycle.js";
import type { HostContext } from "./setup.js";

/** What a batch step needs from the process that calls it. */
export interface StepContext {
  /** Environment, working directory, and where progress lines go. */
  host: HostContext;
  /** AWS profile and region of the command line, and `--backend`. */
  settings: AwsSettings & { backend?: string | undefined };
  /** Asks before anything billed is created or destroyed; throws when not confirmed. */
  confirm(question: string): Promise<void>;
  /**
   * Runs `work` with two abort signals: `stop` (any interrupt: stop launching and waiting, then destroy) and
   * `engine` (forwarded to Pulumi; see the CLI for why a terminal's Ctrl-C is not).
   */
  interruptible<T>(work: (stop: AbortSignal, engine: AbortSignal) => Promise<T>): Promise<T>;
}

const progressOf = (context: StepContext) => (line: string) => context.host.stderr.write(`${line}\n`);

/**
 * `run`: each request (one per region) planned, checked and recorded in turn, confirmed once, then run — launch,
 * wait and collect, destroy in `finally` — two regions at a time. Progress lines carry the region when there
 * are several. Returns one report per region, in order.
 */
export async function runBatches(
  requests: readonly BatchRequest[],
  options: { keep: boolean; skipQuotaCheck: boolean },
  context: StepContext,
): Promise<Array<{ region: string; report: BatchReport }>> {
  const { lifecycleDeps } = await import("./setup.js");
  const { runBatch } = await import("./run-batch.js");
  const { mapWithConcurrency } = await import("../concurrency.js");
  const several = requests.length > 1;
  const batches: Array<{ region: string; deps: LifecycleDeps; record: BatchRecord }> = [];
  for (const request of requests) {
    const deps = await lifecycleDeps(
      { ...context.settings, region: request.region, resultsBucket: request.resultsBucket },
      context.host,
    );
    if (several) deps.progress = (line) => context.host.stderr.write(`[${request.region}] ${line}\n`);
    // Before anything is recorded or created: without the Pulumi CLI there is nothing to run.
    if (batches.length === 0) await deps.engine.ready();
    const record = await prepareOnBackend(request, undefined, options.skipQuotaCheck, deps, context);
    batches.push({ region: request.region, deps, record });
  }
  await context.confirm(several ? `Launch these instances in ${requests.length} regions?` : "Launch these instances?");
  const reports = await context.interruptible((signal, engineSignal) =>
    mapWithConcurrency(batches, 2, (batch) =>
      runBatch(batch.record, batch.deps, { keep: options.keep, signal, engineSignal }),
    ),
  );
  return reports.map((report, index) => ({ region: batches[index]?.region ?? "", report }));
}

/** `preview`: a new batch planned, checked and recorded on the (shared) backend, and what `up` would change. */
export async function previewBatch(
  request: BatchRequest,
  options: { batchId?: string | undefined; skipQuotaCheck: boolean },
  context: StepContext,
): Promise<{ record: BatchRecord; changes: Record<string, number> }> {
  // A chosen id is checked before anything is opened; it must look like the ids aws-bench makes.
  if (options.batchId !== undefined && !isBatchId(options.batchId))
    throw new BenchError(
      "InvalidArgument",
      `--batch '${options.batchId}' is not a batch id (like 20261128t120000z-ab12cd).`,
      { fix: "Leave out --batch: aws-bench makes a new id." },
    );
  const { lifecycleDeps } = await import("./setup.js");
  const { requireSharedBackend } = await import("./backend.js");
  const { stackOf } = await import("./batch-record.js");
  const deps = await lifecycleDeps(
    { ...context.settings, region: request.region, resultsBucket: request.resultsBucket },
    context.host,
  );
  requireSharedBackend(deps.backend, context.host.env, "preview");
  await deps.engine.ready();
  const record = await prepareOnBackend(request, options.batchId, options.skipQuotaCheck, deps, context);
  const changes = await deps.engine.preview(stackOf(record), {
    onProgress: (line) => context.host.stderr.write(`  ${line}\n`),
  });
  return { record, changes };
}

/** `up`: launches the recorded batch; the record then says which instances failed to launch and why. */
export async function upBatch(batchId: string, context: StepContext): Promise<BatchRecord> {
  const { record, deps } = await openBatch(batchId, "up", context);
  const { launchBatch } = await import("./launch.js");
  await context.interruptible((signal, engineSignal) => launchBatch(record, deps, signal, engineSignal));
  return record;
}

/** `collect`: waits for the batch's results and stores them under `rawRoot`; an error that stops it is reported. */
export async function collectBatch(batchId: string, rawRoot: string, context: StepContext): Promise<BatchReport> {
  const { record, deps } = await openBatch(batchId, "collect", context);
  deps.rawRoot = rawRoot;
  const { awaitAndCollect } = await import("./await-results.js");
  const { batchVerdict } = await import("./lifecycle.js");
  return context.interruptible(async (signal): Promise<BatchReport> => {
    const outcomes: InstanceOutcome[] = [];
    let error: BenchError | undefined;
    try {
      await awaitAndCollect(record, deps, outcomes, signal);
    } catch (caught) {
      if (!(caught instanceof BenchError)) throw caught;
      error = caught;
    }
    return {
      batchId: record.batchId,
      outcomes,
      verdict: batchVerdict(outcomes, error, signal),
      destroyed: false,
      ...(error ? { error } : {}),
    };
  });
}

/** `destroy`: confirms, then destroys the batch's stack (clearing locks and pending operations) and removes it. */
export async function destroyRecordedBatch(batchId: string, context: StepContext): Promise<BatchRecord> {
  const { record, deps } = await openBatch(batchId, "destroy", context);
  await context.confirm(`Destroy batch ${record.batchId}?`);
  const { destroyBatch } = await import("./destroy.js");
  await destroyBatch(record, deps);
  return record;
}

/** One instance in `status`. */
export interface InstanceStatus {
  /** Type. */
  instanceType: string;
  /** Repeat index. */
  repeat: number;
  /** EC2 state, or where it stands (skipped, launch-failed, not launched, not found in EC2). */
  state: string;
  /** The state its status.json reports, or `none yet`. */
  result: string;
  /** Why it was skipped or failed to launch. */
  reason?: string;
}

/** What `status` shows of a batch. */
export interface BatchStatus {
  /** Batch id. */
  batchId: string;
  /** Its stack. */
  stackName: string;
  /** Region. */
  region: string;
  /** When it was recorded. */
  createdAt: string;
  /** When cleanup may remove it. */
  expiresAt: string;
  /** When it was destroyed, if it was. */
  destroyedAt: string | null;
  /** Resources in its stack now; null when Pulumi could not be asked (no CLI, no passphrase). */
  resources: number | null;
  /** Each planned instance. */
  instances: InstanceStatus[];
}

/** `status`: the record, the stack's instances and their states, and what each has put in the bucket. */
export async function batchStatus(batchId: string, context: StepContext): Promise<BatchStatus> {
  // Reading a batch is allowed on any backend, also in CI (only the steps that change it need a shared one).
  const { record, deps } = await openBatch(batchId, "status", {
    ...context,
    host: { ...context.host, env: { ...context.host.env, CI: "" } },
  });
  const { stackOf } = await import("./batch-record.js");
  const { plannedInstances } = await import("./await-results.js");
  // The stack's resource count needs Pulumi (its CLI, and the backend's passphrase); without them status still
  // answers from the record, EC2 and the bucket, and says why the count is missing.
  const resources = record.destroyedAt
    ? 0
    : await deps.engine.resources(stackOf(record)).then(
        (state) => state.length,
        (error: unknown) => {
          if (!(error instanceof BenchError)) throw error;
          if (error.code === "BatchNotFound") return 0;
          deps.progress(`warning: the stack's resources were not read: ${error.message}`);
          return null;
        },
      );
  const found = plannedInstances(await deps.instances.ofBatch(record.batchId, record.spec.backend ?? record.backend));
  const instances: InstanceStatus[] = [];
  for (const instance of record.instances) {
    const ec2 = found.get(instanceTagValue(instance));
    const status = await deps.results.get(`${instance.resultsPrefix}/status.json`);
    const failed = record.launch?.failed?.find(
      (f) => f.instanceType === instance.instanceType && f.repeat === instance.repeat,
    );
    instances.push({
      instanceType: instance.instanceType,
      repeat: instance.repeat,
      state: instance.skipped
        ? "skipped"
        : failed
          ? "launch-failed"
          : ec2
            ? ec2.state
            : record.launch
              ? "not found in EC2"
              : "not launched",
      result: status ? ((JSON.parse(status.toString("utf8")) as { state?: string }).state ?? "?") : "none yet",
      ...(instance.skipped ? { reason: instance.skipped } : failed ? { reason: failed.reason } : {}),
    });
  }
  return {
    batchId: record.batchId,
    stackName: record.stackName,
    region: record.region,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    destroyedAt: record.destroyedAt ?? null,
    resources,
    instances,
  };
}

/** `list`: the batches on the backend (records and stacks; records alone when the Pulumi CLI is missing). */
export async function listBackendBatches(context: StepContext): Promise<{ backend: Backend; rows: BatchListing[] }> {
  const { openBackend, createEngine } = await import("./setup.js");
  const { listBatches } = await import("./listing.js");
  const { backend, store } = await openBackend(context.settings, context.host);
  const rows = await listBatches(store, await createEngine(backend, context.host), new Date(), {
    stacksOptional: true,
    warn: progressOf(context),
  });
  return { backend, rows };
}

/** The record of `batchId` on the backend and the real dependencies of its region; refuses a malformed id. */
async function openBatch(
  batchId: string,
  step: string,
  context: StepContext,
): Promise<{ record: BatchRecord; deps: LifecycleDeps & { backend: Backend } }> {
  if (!isBatchId(batchId))
    throw new BenchError("InvalidArgument", `--batch '${batchId}' is not a batch id (like 20261128t120000z-ab12cd).`, {
      fix: "Use the id run/preview printed, or see `aws-bench list`.",
    });
  const { openBackend, lifecycleDeps } = await import("./setup.js");
  const { requireSharedBackend } = await import("./backend.js");
  const { loadRecord } = await import("./batch-record.js");
  const { backend, store } = await openBackend(context.settings, context.host);
  requireSharedBackend(backend, context.host.env, step);
  const record = await loadRecord(store, batchId);
  const deps = await lifecycleDeps(
    { ...context.settings, region: record.region, resultsBucket: record.request.resultsBucket },
    context.host,
  );
  return { record, deps };
}

/** Plans, checks the account and stores the record on the backend the lifecycle already opened; prints the plan. */
async function prepareOnBackend(
  request: BatchRequest,
  batchId: string | undefined,
  skipQuotaCheck: boolean,
  deps: LifecycleDeps & { backend: Backend },
  context: StepContext,
): Promise<BatchRecord> {
  const { createdBy } = await import("./setup.js");
  const { prepareBatch, awsPreflight, batchIdUsedElsewhere, describePlan } = await import("./prepare.js");
  const { planBatch } = await import("./plan.js");
  const { backendTag } = await import("./backend.js");
  const progress = (line: string) => deps.progress(line);
  const { record } = await prepareBatch(request, deps.store, {
    batchId,
    backendUrl: deps.backend.url,
    backendTag: backendTag(deps.backend),
    createdBy: createdBy(context.host.env),
    progress,
    plan: (r) => planBatch(r),
    preflight: (plan) =>
      awsPreflight(plan, request, { ...context.settings, region: request.region, skipQuotaCheck, progress }),
    now: new Date(),
    batchIdUsedElsewhere: (id) =>
      batchIdUsedElsewhere(id, backendTag(deps.backend), request.region, {
        ...context.settings,
        region: request.region,
      }),
  });
  progress(describePlan(record));
  return record;
}

/**
 * A batch's record: what the user asked for, the plan, the batch specification the stack program declares, and
 * what happened at launch — stored beside the Pulumi state (`<backend>/.aws-bench/batches/<id>/batch.json`,
 * schemas/batch-record.schema.json) so every later step rebuilds its workspace from the backend alone. The spec is
 * built here, once, from the request and the preflight's findings; nothing else writes a spec.
 */
import { BenchError } from "../errors.js";
import { assertDocument } from "../schemas/documents.js";
import type { BatchRecord } from "../schemas/generated/batch-record.js";
import type { BatchSpec } from "../schemas/generated/batch-spec.js";
import { batchTags, resultsPrefix, stackNameForBatch } from "../../stacks/batch-naming.js";
import { encodeBatchSpec, specFromVersion1Config } from "../../stacks/batch-spec.js";
import { batchExpiresAt } from "../../stacks/instance-timing.js";
import type { BatchStore } from "./batch-store.js";
import type { StackRef } from "./engine.js";
import { isoSeconds } from "./lifecycle.js";
import type { BatchPlan, PlanRequest } from "./plan.js";

/** A batch request: the plan's request plus what only a real batch needs. Built from the command line; never changed. */
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
  /** An existing subnet (and security group) to run in; the preflight finds its VPC. */
  network?: { subnetId: string; securityGroupId?: string } | undefined;
  /** SSH: a key pair, and the one CIDR let in (none with the user's own security group). */
  ssh?: { keyName: string; cidr?: string } | undefined;
  /** `run --keep`: the stack stays up afterwards, so cleanup must leave it unless told `--include-kept`. */
  keep?: boolean | undefined;
}

/** What the account check found, as values: the batch is built from them. */
export interface Preflight {
  /** Instance type → why it is skipped (not offered, no quota), with the fix. */
  skipped: Record<string, string>;
  /**
   * Where everything goes, pinned now: each instance's zone ID by `type/repeat`, the zones the network spans, and
   * the zones offering each type (for a capacity retry). A later `up` then never moves a subnet or an instance.
   */
  zones?: { instances: Record<string, string>; network: string[]; offerings: Record<string, string[]> } | undefined;
  /** The existing subnet's VPC (read with DescribeSubnets), with the subnet and security group. */
  network?: { subnetId: string; vpcId: string; securityGroupId?: string } | undefined;
  /** The region's long-lived image repository, when there is one and no prebuilt images are given. */
  imageCache?: { name: string; url: string; arn: string } | undefined;
  /** The results bucket's default customer-managed KMS key (its ARN), when it has one. */
  resultsKmsKeyArn?: string | undefined;
}

/** Who and where, for a new record. */
export interface RecordOptions {
  /** The batch id. */
  batchId: string;
  /** The backend's URL. */
  backend: string;
  /** The backend's tag value (`backendTag()`), when it differs from the URL. */
  backendTag?: string | undefined;
  /** Who creates it. */
  createdBy: string;
  /** The clock. */
  now: Date;
}

/**
 * The spec of a new batch: the request's launchable types and settings, the preflight's zones, network and
 * image cache, and a provisional expiry (each launch sets it again from its own start). Throws on a user tag AWS or
 * the tool would refuse, before anything is stored or created.
 */
export function buildBatchSpec(
  request: BatchRequest,
  preflight: Preflight,
  options: RecordOptions & { expiresAt: Date },
): BatchSpec {
  const skipped = preflight.skipped;
  const launchTypes = request.instanceTypes.filter((type) => skipped[type] === undefined);
  const backend = options.backendTag ?? options.backend;
  try {
    batchTags({
      batchId: options.batchId,
      createdBy: options.createdBy,
      expiresAt: options.expiresAt,
      backend,
      userTags: request.tags ?? {},
    });
  } catch (error) {
    throw new BenchError("InvalidArgument", `--tag: ${(error as Error).message}.`, {
      fix: "Correct or drop that tag.",
    });
  }
  if (request.network && !preflight.network) {
    throw new BenchError("InvalidArgument", `The VPC of subnet ${request.network.subnetId} is not known.`, {
      fix: "Run again: the preflight reads it (ec2:DescribeSubnets) before the batch is recorded.",
    });
  }
  const zones = preflight.zones;
  const cache = request.images ? undefined : preflight.imageCache;
  return {
    batchId: options.batchId,
    instanceTypes: launchTypes,
    benchmarks: request.benchmarks,
    repeat: request.repeat,
    resultsBucket: request.resultsBucket,
    spot: request.spot,
    quick: request.quick,
    ...(request.maxMinutes === undefined ? {} : { maxMinutes: request.maxMinutes }),
    expiresAt: isoSeconds(options.expiresAt),
    createdBy: options.createdBy,
    backend,
    ...(zones
      ? {
          zones: {
            instances: Object.fromEntries(
              Object.entries(zones.instances).filter(
                ([key]) => skipped[key.slice(0, key.lastIndexOf("/"))] === undefined,
              ),
            ),
            network: zones.network,
          },
        }
      : {}),
    ...(preflight.network ? { network: preflight.network } : {}),
    ...(request.ssh ? { ssh: request.ssh } : {}),
    ...(request.images ? { images: request.images } : {}),
    ...(cache ? { imageCache: { repository: cache.name, url: cache.url, arn: cache.arn } } : {}),
    ...(preflight.resultsKmsKeyArn ? { resultsKmsKeyArn: preflight.resultsKmsKeyArn } : {}),
    ...(request.tags && Object.keys(request.tags).length ? { tags: request.tags } : {}),
    ...(request.keep ? { keep: true } : {}),
  };
}

/** The record of a new batch: its request, the plan's instances, and the spec that realises it. */
export async function newBatchRecord(
  request: BatchRequest,
  plan: BatchPlan,
  preflight: Preflight,
  options: RecordOptions,
): Promise<BatchRecord> {
  const expiresAt = batchExpiresAt(
    options.now,
    plan.instances.map((instance) => instance.maximumMinutes),
  );
  const spec = buildBatchSpec(request, preflight, { ...options, expiresAt });
  const skipped = preflight.skipped;
  const record: BatchRecord = {
    schemaVersion: 2,
    batchId: options.batchId,
    stackName: stackNameForBatch(options.batchId),
    region: request.region,
    backend: options.backend,
    createdAt: isoSeconds(options.now),
    createdBy: options.createdBy,
    expiresAt: isoSeconds(expiresAt),
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
    spec,
    ...(preflight.zones ? { zoneRetry: { offerings: preflight.zones.offerings, retried: [] } } : {}),
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

/** The record's expiry and its spec's, set together (the tags of the next launch carry it). */
export function setExpiry(record: BatchRecord, expiresAt: Date): void {
  record.expiresAt = isoSeconds(expiresAt);
  record.spec.expiresAt = record.expiresAt;
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
  const where = `batch ${batchId} on ${store.url}`;
  let data: unknown;
  try {
    data = JSON.parse(text) as unknown;
  } catch (error) {
    throw new BenchError("SchemaViolation", `${where}: batch.json is not JSON (${(error as Error).message}).`, {
      fix: "Restore it from the backend's history, or remove the batch's folder and run `aws-bench cleanup`.",
    });
  }
  return consistentRecord(await assertDocument("batch-record", upgradeRecord(data), where), where);
}

/**
 * A record is read from a shared backend that others may write to: what the steps derive names, paths and tags
 * from must agree with its batch id, or the record is refused rather than trusted.
 */
function consistentRecord(record: BatchRecord, where: string): BatchRecord {
  const problems = [
    ...(record.spec.batchId !== undefined && record.spec.batchId !== record.batchId
      ? [`spec.batchId ${record.spec.batchId} is not the record's ${record.batchId}`]
      : []),
    ...(record.stackName !== stackNameForBatch(record.batchId)
      ? [`stackName ${record.stackName} is not the batch's`]
      : []),
    ...record.instances
      .filter((instance) => instance.resultsPrefix !== resultsPrefix(record.batchId, instance))
      .map(
        (instance) =>
          `${instance.instanceType} #${instance.repeat}: resultsPrefix ${instance.resultsPrefix} is not the batch's`,
      ),
  ];
  if (problems.length)
    throw new BenchError("SchemaViolation", `${where}: the record contradicts itself: ${problems.join("; ")}.`, {
      fix: "Restore batch.json from the backend's history; aws-bench never writes such a record.",
    });
  return record;
}

/**
 * A version-1 record (flat stack config strings) as version 2 (the spec); other documents unchanged. Version 1
 * records came from aws-bench before the batch specification; their batches can still be continued or destroyed.
 */
export function upgradeRecord(data: unknown): unknown {
  const old = data as { schemaVersion?: unknown; config?: Record<string, string> } | null;
  if (old === null || typeof old !== "object" || old.schemaVersion !== 1 || typeof old.config !== "object") return data;
  const { config, ...rest } = old;
  const { spec, zoneRetry } = specFromVersion1Config(config);
  return { ...rest, schemaVersion: 2, spec, ...(zoneRetry ? { zoneRetry } : {}) };
}

/** The stack of a record: its name and the config that realises the record's spec. */
export function stackOf(record: BatchRecord): StackRef {
  return { stackName: record.stackName, config: encodeBatchSpec(record.region, record.spec) };
}

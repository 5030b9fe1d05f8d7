/**
 * Names and tags of a batch: the batch id (UTC time and randomness: sortable, unique, safe in every AWS name),
 * its Pulumi stack name, the names of its component and instances in the state, its results prefixes, and the
 * tags every resource carries so `aws-bench cleanup` can find leftovers: only resources carrying the tags only
 * the tool writes (managed-by, and a stack tag naming their batch) and this backend's tag, past their expiry or
 * with their stack gone, and never a `--keep` batch's unless asked (src/orchestrator/sweep.ts has the full rule).
 */
import { randomBytes } from "node:crypto";

const batchIdPattern = /^\d{8}t\d{6}z-[0-9a-f]{6}$/;

/** A new batch id, e.g. `20261128t120000z-ab12cd`. */
export function newBatchId(now: Date = new Date(), random: string = randomBytes(3).toString("hex")): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "z")
    .toLowerCase();
  return `${stamp}-${random}`;
}

/** True for an id {@link newBatchId} makes. */
export function isBatchId(id: string): boolean {
  return batchIdPattern.test(id);
}

/** When a batch id was made (its UTC timestamp), or undefined for something that is not a batch id. */
export function batchIdTime(id: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})t(\d{2})(\d{2})(\d{2})z-[0-9a-f]{6}$/.exec(id);
  return m
    ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])))
    : undefined;
}

/** The Pulumi stack of a batch. */
export function stackNameForBatch(batchId: string): string {
  if (!isBatchId(batchId)) throw new Error(`'${batchId}' is not a batch id (like 20261128t120000z-ab12cd)`);
  return `batch-${batchId}`;
}

/** What the batch tags say. */
export interface BatchTagOptions {
  /** Batch id. */
  batchId: string;
  /** Who created it (an IAM identity's name or a CI job), for people reading the console. */
  createdBy: string;
  /** When cleanup may remove it. */
  expiresAt: Date;
  /** The state backend holding its stack (`file://…` or `s3://…`), so cleanup asks the right one. */
  backend: string;
  /** The user's own `--tag k=v`. */
  userTags?: Record<string, string>;
  /** Run with `--keep`: cleanup leaves the batch alone unless told `--include-kept`. */
  keep?: boolean;
}

/** Tag key prefix reserved for the tool. */
export const tagPrefix = "aws-bench:";
/** The tag saying the tool made the resource; cleanup touches nothing without it. */
export const managedByTagKey = `${tagPrefix}managed-by`;
/** The tag every batch resource carries: its batch id. Cleanup and destroy look resources up by it. */
export const batchTagKey = `${tagPrefix}batch`;
/** The tag naming who created the batch. */
export const createdByTagKey = `${tagPrefix}created-by`;
/** The tag holding when cleanup may remove the resource (ISO 8601, UTC). */
export const expiresAtTagKey = `${tagPrefix}expires-at`;
/** The tag naming the state backend that holds the resource's stack. */
export const backendTagKey = `${tagPrefix}backend`;
/** The tag naming the resource's stack; it must be the stack of its batch tag's batch. */
export const stackTagKey = `${tagPrefix}stack`;
/**
 * The tag naming which planned instance an EC2 instance is (`<type>/<repeat>`): collect, status and destroy find a
 * batch's instances through EC2 by their tags, with no Pulumi CLI and after the stack is gone.
 */
export const instanceTagKey = `${tagPrefix}instance`;
/**
 * The tag naming the digest (`sha256:<64 hex>`) of the image an instance was launched to pull and run: `up` reads it
 * back from the stack's state into the batch record, and collect publishes only a result naming that digest.
 */
export const imageDigestTagKey = `${tagPrefix}image-digest`;
/** The tag of a batch run with `--keep`. */
export const keepTagKey = `${tagPrefix}keep`;
/** The value of {@link managedByTagKey}. */
export const managedByTagValue = "aws-bench";

/** Tags for every resource of a batch (and the instances' volumes); throws on a user tag AWS or the tool would reject. */
export function batchTags(options: BatchTagOptions): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.userTags ?? {})) {
    if (key.toLowerCase().startsWith("aws:"))
      throw new Error(`tag key '${key}': keys starting with 'aws:' are reserved by AWS`);
    if (key.startsWith(tagPrefix))
      throw new Error(`tag key '${key}': keys starting with '${tagPrefix}' are set by aws-bench`);
    if (key.length === 0 || key.length > 128) throw new Error(`tag key '${key}' must be 1 to 128 characters`);
    if (value.length > 256) throw new Error(`tag '${key}': values are at most 256 characters`);
    if (!/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u.test(key + value))
      throw new Error(`tag '${key}': only letters, digits, spaces and _ . : / = + - @ are allowed`);
    tags[key] = value;
  }
  return {
    ...tags,
    [batchTagKey]: options.batchId,
    [createdByTagKey]: options.createdBy.slice(0, 256),
    [expiresAtTagKey]: options.expiresAt.toISOString().replace(/\.\d+Z$/, "Z"),
    [backendTagKey]: options.backend.slice(0, 256),
    // Cleanup deletes only what carries these two beside a batch tag naming the same batch: a batch tag copied
    // onto someone else's resource is not enough.
    [managedByTagKey]: managedByTagValue,
    // Spelled as stackNameForBatch spells it, without its check: the CLI validates user tags with an empty id.
    [stackTagKey]: `batch-${options.batchId}`,
    ...(options.keep ? { [keepTagKey]: "true" } : {}),
  };
}

/** One planned instance: its type and repeat index. */
export interface InstanceKey {
  /** Instance type. */
  instanceType: string;
  /** Repeat index (0-based). */
  repeat: number;
}

/** The value of {@link instanceTagKey} (and the end of the instance's Name tag): `m7i.large/0`. */
export function instanceTagValue(instance: InstanceKey): string {
  return `${instance.instanceType}/${instance.repeat}`;
}

/** The image digest an instance's tags name ({@link imageDigestTagKey}), or undefined when they name none. */
export function launchedImageDigest(tags: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const value = tags?.[imageDigestTagKey];
  return typeof value === "string" && /^sha256:[0-9a-f]{64}$/.test(value) ? value : undefined;
}

/** The planned instance an {@link instanceTagKey} value names, or undefined when it names none. */
export function parseInstanceTag(value: string | undefined): InstanceKey | undefined {
  const m = /^([a-z0-9][a-z0-9-]*\.[a-z0-9-]+)\/(\d{1,3})$/.exec(value ?? "");
  return m ? { instanceType: m[1] as string, repeat: Number(m[2]) } : undefined;
}

/** The logical name of the `BenchmarkBatch` component in the batch program (its children are named after it). */
export const batchComponentName = "batch";

/** Pulumi's type token of an EC2 instance, as the state lists it. */
export const instanceResourceType = "aws:ec2/instance:Instance";

/** IAM path of every batch role and instance profile (cleanup lists by it; policies can scope `iam:PassRole` to it). */
export const iamPath = "/aws-bench/";

/** The Pulumi name of an instance's resource (`batch-m7i-large-0`): the lifecycle maps engine events back with it. */
export function instanceResourceName(componentName: string, instance: InstanceKey): string {
  return `${componentName}-${instance.instanceType.replace(/\./g, "-")}-${instance.repeat}`;
}

/** `batches/<batch>/<type>/<repeat>`: the only prefix the batch's instances may write. */
export function resultsPrefix(batchId: string, instance: InstanceKey): string {
  return `batches/${batchId}/${instance.instanceType}/${instance.repeat}`;
}

/**
 * The sweep half of `aws-bench cleanup`: finds resources carrying the batch tags (`batchTags()` in
 * stacks/batch-naming.ts) and deletes those whose batch is over, in the order AWS's dependencies allow.
 *
 * A resource is considered only when it is provably this backend's: it carries `aws-bench:batch` with a batch id,
 * `aws-bench:managed-by` = `aws-bench`, `aws-bench:stack` = that batch's stack (`batch-<id>`), and an
 * `aws-bench:backend` naming the backend this sweep runs for. Anything else — no or another batch tag, a batch
 * tag without the other two, another backend's batch whatever its expiry — is not looked at further.
 * On top of that:
 * - subnets, route tables, security groups, internet gateways and network interfaces must be in (or attached to)
 *   a VPC this sweep deletes for the same batch: an existing-subnet batch (`--subnet`) makes no network, so
 *   nothing in a user's VPC is deleted; such a resource is reported as `left`;
 * - IAM roles and instance profiles must have `iamPath` (`/aws-bench/`) as their own `Path`, whatever the
 *   listing's `PathPrefix` answered;
 * - a batch tagged `aws-bench:keep` = `true` (run with `--keep`) is counted as kept and left, unless
 *   {@link SweepOptions.includeKept}.
 * Such a resource is swept when (a) its `aws-bench:expires-at` plus the grace period is past, or (b) the backend
 * says the batch's stack is gone. A resource whose expiry cannot be read is reported and left unless (b) applies;
 * this backend's live batches are counted, not touched.
 *
 * Discovery runs completely before the first delete, and a discovery failure throws (a `BenchError`): the sweep
 * never acts on half a picture. After that, each resource is deleted on its own; a failure is recorded and
 * reported and the sweep goes on (a later step that depended on it then fails with AWS's own message).
 *
 * Only SDK types are imported at the top: the SDK modules load when a sweep starts, so importing this module
 * (and `--help`) stays fast.
 */
import type { EC2Client, Filter, NetworkInterface, Tag } from "@aws-sdk/client-ec2";
import type { ECRClient, Repository } from "@aws-sdk/client-ecr";
import type { IAMClient, InstanceProfile, Role } from "@aws-sdk/client-iam";
import type * as Ec2Sdk from "@aws-sdk/client-ec2";
import type * as EcrSdk from "@aws-sdk/client-ecr";
import type * as IamSdk from "@aws-sdk/client-iam";
import {
  backendTagKey,
  batchTagKey,
  expiresAtTagKey,
  iamPath,
  keepTagKey,
  stackTagKey,
  isBatchId,
  managedByTagKey,
  managedByTagValue,
  stackNameForBatch,
} from "../../stacks/batch-naming.js";
import type { AwsSettings } from "../aws/clients.js";
import { awsErrorToBenchError } from "../aws/errors.js";
import { BenchError } from "../errors.js";
import { mapWithConcurrency } from "../concurrency.js";

/** Why a resource is swept: (a) past its expiry plus grace, or (b) its own backend says its stack is gone. */
export type SweepReason = "expired" | "stack-gone";

/** What kind of resource an event is about, in the order the sweep handles them. */
export type SweepKind =
  | "instance"
  | "volume"
  | "network-interface"
  | "security-group"
  | "route-table"
  | "subnet"
  | "internet-gateway"
  | "vpc"
  | "instance-profile"
  | "iam-role"
  | "ecr-repository";

/** One resource the sweep acted on (or, in a dry run, would act on). */
export interface SweepActionEvent {
  /** Resource kind. */
  kind: SweepKind;
  /** Its id: instance/volume/ENI/SG/… id, IAM role or instance-profile name, ECR repository name. */
  id: string;
  /** The batch named by its `aws-bench:batch` tag (or, for an untagged ENI, by its VPC's). */
  batchId: string;
  /** Why it is swept. */
  reason: SweepReason;
  /** `would-delete` in a dry run; `deleted` or `failed` otherwise. */
  action: "would-delete" | "deleted" | "failed";
  /** AWS's error (code and message) when `failed`. */
  error?: string;
  /** Extra detail, e.g. `already gone` when AWS no longer knew the resource at delete time. */
  note?: string;
}

/**
 * One of this backend's resources left alone because its tags or its backend could not be read, or because it is
 * not inside the batch's own network; nothing was done to it.
 */
export interface SweepLeftEvent {
  /** Resource kind. */
  kind: SweepKind;
  /** Its id. */
  id: string;
  /** Its `aws-bench:batch` tag. */
  batchId: string;
  /** Always `left`. */
  action: "left";
  /** What was wrong, e.g. a malformed `aws-bench:expires-at`, or a subnet in a VPC that is not the batch's. */
  problem: string;
}

/** Everything the sweep reports, one event per resource. Live batches' resources are counted, not reported. */
export type SweepEvent = SweepActionEvent | SweepLeftEvent;

/** The SDK clients of the account and region being swept (IAM is global: its roles are swept from any region). */
export interface SweepClients {
  /** EC2 in the region being swept. */
  ec2: EC2Client;
  /** IAM. */
  iam: IAMClient;
  /** ECR in the region being swept. */
  ecr: ECRClient;
}

/** How a sweep decides and acts. */
export interface SweepOptions {
  /** The time expiry is judged against. */
  now: Date;
  /** How long past `aws-bench:expires-at` a resource is still left alone, in milliseconds (≥ 0). */
  graceMs: number;
  /**
   * The URL of the backend this sweep runs for, spelled as the batch tags spell it (`Backend.url`:
   * `file:///home/u/.aws-bench/state`, `s3://bucket/state`). Only resources tagged with this backend are considered
   * at all; a trailing `/` is ignored.
   */
  backend: string;
  /**
   * Whether the stack of `batchId` exists on {@link SweepOptions.backend}. Asked once per batch, and only for
   * this backend's resources that are neither kept nor already expired. A rejection leaves the batch's resources
   * alone (reported as `left`) unless they are expired.
   */
  stackExists: (batchId: string) => Promise<boolean>;
  /** Sweep batches run with `--keep` too (`cleanup --include-kept`); otherwise they are counted as kept and left. */
  includeKept?: boolean;
  /** List what would be deleted; call no mutating API. */
  dryRun: boolean;
  /** Called once per event, in order. */
  report?: (event: SweepEvent) => void;
  /**
   * Waits between polls and retries (injected by tests).
   * @default setTimeout
   */
  sleep?: (ms: number) => Promise<void>;
  /**
   * How long to wait for terminated instances to reach `terminated`.
   * @default { pollMs: 15_000, timeoutMs: 600_000 }
   */
  instanceWait?: { pollMs: number; timeoutMs: number };
  /**
   * Retries of a delete that fails because a dependant is still being released (an ENI of a just-terminated
   * instance holding a security group or subnet, public addresses holding an internet gateway).
   * @default { attempts: 6, delayMs: 10_000 }
   */
  dependencyRetry?: { attempts: number; delayMs: number };
  /** Profile and region, for error messages. */
  aws?: AwsSettings;
}

/** What a sweep did. */
export interface SweepSummary {
  /** Whether it was a dry run. */
  dryRun: boolean;
  /** Resources deleted (0 in a dry run). */
  deleted: number;
  /** Resources a dry run would delete (0 otherwise). */
  wouldDelete: number;
  /** Deletes that failed; each is also in {@link SweepSummary.failures}. */
  failed: number;
  /** This backend's resources of live batches, left alone and not reported one by one. */
  untouched: number;
  /** This backend's resources of batches run with `--keep`, left alone (without `includeKept`). */
  kept: number;
  /** This backend's resources left because their tags or their backend could not be read, or their VPC is not ours. */
  left: SweepLeftEvent[];
  /** The failed deletes, with AWS's messages. */
  failures: SweepActionEvent[];
}

/**
 * The verdict on one resource from its tags. `batchId` is set only for this backend's own resources; `kept` when
 * it is left because its batch was run with `--keep`.
 */
export type SweepVerdict =
  | { sweep: true; batchId: string; reason: SweepReason }
  | { sweep: false; batchId?: string; problem?: string; kept?: true };

/** EC2, IAM and ECR tags (`[{Key, Value}]`) as a record. */
export function tagRecord(
  tags: ReadonlyArray<{ Key?: string | undefined; Value?: string | undefined }> | undefined,
): Record<string, string> {
  const record: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) record[tag.Key] = tag.Value ?? "";
  return record;
}

const isoUtc = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** The instant in an `aws-bench:expires-at` value, or undefined when it is not an ISO 8601 UTC time. */
export function parseExpiresAt(value: string | undefined): Date | undefined {
  if (value === undefined || !isoUtc.test(value)) return undefined;
  const time = Date.parse(value);
  // Date.parse rolls 2026-02-30 over to March: only a time that prints back as written is one.
  if (!Number.isFinite(time) || new Date(time).toISOString().slice(0, 19) !== value.slice(0, 19)) return undefined;
  return new Date(time);
}

/** True when a resource's backend tag names `backend` (`batchTags()` keeps the first 256 characters). */
export function isSameBackend(tagValue: string, backend: string): boolean {
  const trim = (url: string) => url.replace(/\/+$/, "");
  return (
    tagValue.length > 0 &&
    (trim(tagValue) === trim(backend) || (backend.length > 256 && tagValue === backend.slice(0, 256)))
  );
}

/**
 * True when the tags prove the tool made the resource for this backend: a batch id, the managed-by tag, the
 * batch's own stack name and this backend. A copied batch tag alone, or another backend's batch, is not enough.
 */
export function isOwnedBy(tags: Record<string, string>, backend: string): boolean {
  const batchId = tags[batchTagKey];
  const backendTag = tags[backendTagKey];
  return (
    batchId !== undefined &&
    isBatchId(batchId) &&
    tags[managedByTagKey] === managedByTagValue &&
    tags[stackTagKey] === stackNameForBatch(batchId) &&
    backendTag !== undefined &&
    isSameBackend(backendTag, backend)
  );
}

/**
 * A judge of resources by their tags, applying the tag rules in this module's header (where a resource sits is
 * checked by the sweep itself). Each batch's stack is asked about at most once per judge.
 */
export function createSweepJudge(
  options: Pick<SweepOptions, "now" | "graceMs" | "backend" | "stackExists" | "includeKept">,
): (tags: Record<string, string>) => Promise<SweepVerdict> {
  const stacks = new Map<string, Promise<boolean>>();
  return async (tags) => {
    // Not provably ours: say nothing about it, not even that it was seen.
    if (!isOwnedBy(tags, options.backend)) return { sweep: false };
    const batchId = tags[batchTagKey] as string;
    // Any value counts: a kept batch is left whatever else its tags say.
    if (tags[keepTagKey] !== undefined && options.includeKept !== true) return { sweep: false, batchId, kept: true };
    const expiresAt = parseExpiresAt(tags[expiresAtTagKey]);
    if (expiresAt && options.now.getTime() > expiresAt.getTime() + options.graceMs)
      return { sweep: true, batchId, reason: "expired" };
    const problems: string[] = [];
    if (!expiresAt)
      problems.push(
        tags[expiresAtTagKey] === undefined
          ? `no ${expiresAtTagKey} tag`
          : `${expiresAtTagKey} '${tags[expiresAtTagKey]}' is not an ISO 8601 UTC time`,
      );
    let asked = stacks.get(batchId);
    if (!asked) stacks.set(batchId, (asked = options.stackExists(batchId)));
    try {
      if (!(await asked)) return { sweep: true, batchId, reason: "stack-gone" };
    } catch (error) {
      problems.push(`could not ask ${options.backend} whether stack batch-${batchId} exists: ${errorText(error)}`);
    }
    return problems.length ? { sweep: false, batchId, problem: problems.join("; ") } : { sweep: false, batchId };
  };
}

/**
 * Deletes the tagged leftovers of finished batches in dependency order: instances (waiting until terminated) →
 * detached volumes and network interfaces → security groups → route tables (after disassociating) and subnets →
 * internet gateways (after detaching) → VPCs → instance profiles (after removing their roles) → roles (after
 * leaving every profile, deleting inline policies and detaching managed ones) → ECR repositories (with their
 * images). Only resources the rules in this module's header allow are touched; see {@link SweepOptions}.
 * Throws a `BenchError` when discovery fails (nothing has been deleted then); delete failures are reported and
 * summarised instead.
 *
 * @example
 * const summary = await sweepTaggedResources(
 *   { ec2: await createEc2Client(settings), iam: await createIamClient(settings), ecr: await createEcrClient(settings) },
 *   { now: new Date(), graceMs: 3_600_000, backend: backend.url, stackExists, dryRun: !yes, report: printEvent },
 * );
 */
export async function sweepTaggedResources(clients: SweepClients, options: SweepOptions): Promise<SweepSummary> {
  validateOptions(options);
  const [ec2, iam, ecr] = await Promise.all([
    import("@aws-sdk/client-ec2"),
    import("@aws-sdk/client-iam"),
    import("@aws-sdk/client-ecr"),
  ]);
  const run = new SweepRun(clients, options, { ec2, iam, ecr });
  const found = await run.discover();
  const send = clients.ec2.send.bind(clients.ec2);
  await run.sweepInstances(found.instances);
  await run.deleteAll(
    found.volumes,
    (target) => send(new ec2.DeleteVolumeCommand({ VolumeId: target.id })),
    inUseCodes,
  );
  await run.deleteAll(
    found.networkInterfaces,
    (target) => send(new ec2.DeleteNetworkInterfaceCommand({ NetworkInterfaceId: target.id })),
    inUseCodes,
  );
  await run.deleteAll(
    found.securityGroups,
    (target) => send(new ec2.DeleteSecurityGroupCommand({ GroupId: target.id })),
    dependencyCodes,
  );
  await run.deleteAll(found.routeTables, (target) => run.deleteRouteTable(target), dependencyCodes);
  await run.deleteAll(
    found.subnets,
    (target) => send(new ec2.DeleteSubnetCommand({ SubnetId: target.id })),
    dependencyCodes,
  );
  await run.deleteAll(found.internetGateways, (target) => run.deleteInternetGateway(target), dependencyCodes);
  await run.deleteAll(found.vpcs, (target) => send(new ec2.DeleteVpcCommand({ VpcId: target.id })), dependencyCodes);
  await run.deleteAll(found.instanceProfiles, (target) => run.deleteInstanceProfile(target), noRetry);
  await run.deleteAll(found.roles, (target) => run.deleteRole(target), noRetry);
  await run.deleteAll(found.repositories, (target) => run.deleteRepository(target), noRetry);
  return run.summary;
}

/** Errors meaning "a dependant is still there", worth a retry while AWS releases it. */
const dependencyCodes = new Set(["DependencyViolation"]);
const inUseCodes = new Set(["DependencyViolation", "InvalidNetworkInterface.InUse", "VolumeInUse", "IncorrectState"]);
const noRetry = new Set<string>();
/** The resource is already gone: the goal of the delete is met. */
const notFoundPattern = /(NotFound|NoSuchEntity(Exception)?|RepositoryNotFoundException)$/;

const liveInstanceStates = ["pending", "running", "shutting-down", "stopping", "stopped"];

/** One resource to delete, with what its delete needs to know. */
interface Target {
  kind: SweepKind;
  id: string;
  batchId: string;
  reason: SweepReason;
  /** Deletable only once this instance is terminated (an ENI or volume that does not go with it). */
  afterInstance?: string;
  /** Route table: its non-main associations. */
  associationIds?: string[];
  /** Internet gateway: the VPCs it is attached to. */
  vpcIds?: string[];
  /** Instance profile: its roles. */
  roleNames?: string[];
  /** ECR repository: its registry. */
  registryId?: string | undefined;
}

interface Discovered {
  instances: Target[];
  volumes: Target[];
  networkInterfaces: Target[];
  securityGroups: Target[];
  routeTables: Target[];
  subnets: Target[];
  internetGateways: Target[];
  vpcs: Target[];
  instanceProfiles: Target[];
  roles: Target[];
  repositories: Target[];
}

/** The SDK modules, imported once per sweep. */
interface SdkModules {
  ec2: typeof Ec2Sdk;
  iam: typeof IamSdk;
  ecr: typeof EcrSdk;
}

class SweepRun {
  readonly summary: SweepSummary;
  private readonly judge: (tags: Record<string, string>) => Promise<SweepVerdict>;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly retry: { attempts: number; delayMs: number };
  /** Instances that did not reach `terminated`: what waits for them is not attempted. */
  private readonly survivingInstances = new Set<string>();
  /** The VPCs this sweep deletes, by id: the only ones whose subnets, gateways, groups and interfaces it touches. */
  private readonly sweptVpcs = new Map<string, Target>();

  constructor(
    private readonly clients: SweepClients,
    private readonly options: SweepOptions,
    private readonly modules: SdkModules,
  ) {
    this.summary = {
      dryRun: options.dryRun,
      deleted: 0,
      wouldDelete: 0,
      failed: 0,
      untouched: 0,
      kept: 0,
      left: [],
      failures: [],
    };
    this.judge = createSweepJudge(options);
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.retry = options.dependencyRetry ?? { attempts: 6, delayMs: 10_000 };
  }

  /** Every candidate of every kind, judged; throws a `BenchError` if any listing fails. */
  async discover(): Promise<Discovered> {
    const { ec2 } = this.modules;
    const client = this.clients.ec2;
    const tagged: Filter[] = [{ Name: "tag-key", Values: [batchTagKey] }];

    const instances = await this.list(
      "ec2:DescribeInstances",
      ec2.paginateDescribeInstances(
        { client },
        { Filters: [...tagged, { Name: "instance-state-name", Values: liveInstanceStates }] },
      ),
      (page) => (page.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []),
    );
    const vpcs = await this.list(
      "ec2:DescribeVpcs",
      ec2.paginateDescribeVpcs({ client }, { Filters: tagged }),
      (page) => page.Vpcs ?? [],
    );
    const volumes = await this.list(
      "ec2:DescribeVolumes",
      ec2.paginateDescribeVolumes({ client }, { Filters: tagged }),
      (page) => page.Volumes ?? [],
    );
    const securityGroups = await this.list(
      "ec2:DescribeSecurityGroups",
      ec2.paginateDescribeSecurityGroups({ client }, { Filters: tagged }),
      (page) => page.SecurityGroups ?? [],
    );
    const subnets = await this.list(
      "ec2:DescribeSubnets",
      ec2.paginateDescribeSubnets({ client }, { Filters: tagged }),
      (page) => page.Subnets ?? [],
    );
    const routeTables = await this.list(
      "ec2:DescribeRouteTables",
      ec2.paginateDescribeRouteTables({ client }, { Filters: tagged }),
      (page) => page.RouteTables ?? [],
    );
    const gateways = await this.list(
      "ec2:DescribeInternetGateways",
      ec2.paginateDescribeInternetGateways({ client }, { Filters: tagged }),
      (page) => page.InternetGateways ?? [],
    );

    const found: Discovered = {
      instances: [],
      volumes: [],
      networkInterfaces: [],
      securityGroups: [],
      routeTables: [],
      subnets: [],
      internetGateways: [],
      vpcs: [],
      instanceProfiles: [],
      roles: [],
      repositories: [],
    };
    for (const instance of instances)
      await this.judgeInto(found.instances, "instance", instance.InstanceId, instance.Tags);
    const sweptInstances = new Set(found.instances.map((target) => target.id));
    for (const vpc of vpcs) await this.judgeInto(found.vpcs, "vpc", vpc.VpcId, vpc.Tags);
    for (const target of found.vpcs) this.sweptVpcs.set(target.id, target);
    const sweptVpcs = this.sweptVpcs;

    // Network interfaces: the batch's own (tagged), and any detached one left in a VPC being swept, which would
    // otherwise keep that VPC alive. An interface attached to anything but a swept instance is not ours to detach.
    const interfaces = new Map<string, NetworkInterface>();
    const taggedInterfaces = await this.list(
      "ec2:DescribeNetworkInterfaces",
      ec2.paginateDescribeNetworkInterfaces({ client }, { Filters: tagged }),
      (page) => page.NetworkInterfaces ?? [],
    );
    for (const eni of taggedInterfaces) if (eni.NetworkInterfaceId) interfaces.set(eni.NetworkInterfaceId, eni);
    for (const vpcIds of chunks([...sweptVpcs.keys()], 100)) {
      const inVpcs = await this.list(
        "ec2:DescribeNetworkInterfaces",
        ec2.paginateDescribeNetworkInterfaces({ client }, { Filters: [{ Name: "vpc-id", Values: vpcIds }] }),
        (page) => page.NetworkInterfaces ?? [],
      );
      for (const eni of inVpcs)
        if (eni.NetworkInterfaceId && !interfaces.has(eni.NetworkInterfaceId))
          interfaces.set(eni.NetworkInterfaceId, eni);
    }
    for (const eni of interfaces.values()) {
      const id = eni.NetworkInterfaceId as string;
      if (eni.RequesterManaged) continue;
      const attachment = eni.Attachment;
      const attachedTo = attachment?.InstanceId;
      if (
        eni.Status !== "available" &&
        !(attachedTo && sweptInstances.has(attachedTo) && attachment?.DeleteOnTermination === false)
      )
        continue;
      const afterInstance = eni.Status === "available" ? {} : { afterInstance: attachedTo as string };
      const tags = tagRecord(eni.TagSet);
      const vpcTarget = eni.VpcId ? sweptVpcs.get(eni.VpcId) : undefined;
      if (tags[batchTagKey] === undefined && vpcTarget) {
        found.networkInterfaces.push({
          kind: "network-interface",
          id,
          batchId: vpcTarget.batchId,
          reason: vpcTarget.reason,
          ...afterInstance,
        });
      } else {
        await this.judgeInto(found.networkInterfaces, "network-interface", id, eni.TagSet, afterInstance, [eni.VpcId]);
      }
    }
    for (const volume of volumes) {
      const attachments = volume.Attachments ?? [];
      const waitsFor = attachments.find(
        (attachment) =>
          attachment.InstanceId &&
          sweptInstances.has(attachment.InstanceId) &&
          attachment.DeleteOnTermination === false,
      )?.InstanceId;
      if (volume.State !== "available" && !(waitsFor && attachments.length === 1)) continue;
      await this.judgeInto(
        found.volumes,
        "volume",
        volume.VolumeId,
        volume.Tags,
        waitsFor && volume.State !== "available" ? { afterInstance: waitsFor } : {},
      );
    }
    // The VPC's default group goes with the VPC and cannot be deleted on its own.
    for (const group of securityGroups)
      if (group.GroupName !== "default")
        await this.judgeInto(found.securityGroups, "security-group", group.GroupId, group.Tags, {}, [group.VpcId]);
    for (const table of routeTables) {
      // The main route table goes with its VPC and cannot be deleted on its own.
      if ((table.Associations ?? []).some((association) => association.Main)) continue;
      const associationIds = (table.Associations ?? []).flatMap((association) =>
        association.RouteTableAssociationId ? [association.RouteTableAssociationId] : [],
      );
      await this.judgeInto(found.routeTables, "route-table", table.RouteTableId, table.Tags, { associationIds }, [
        table.VpcId,
      ]);
    }
    for (const subnet of subnets)
      await this.judgeInto(found.subnets, "subnet", subnet.SubnetId, subnet.Tags, {}, [subnet.VpcId]);
    for (const gateway of gateways) {
      const vpcIds = (gateway.Attachments ?? []).flatMap((attachment) => (attachment.VpcId ? [attachment.VpcId] : []));
      await this.judgeInto(
        found.internetGateways,
        "internet-gateway",
        gateway.InternetGatewayId,
        gateway.Tags,
        { vpcIds },
        vpcIds,
      );
    }

    await this.discoverIam(found);
    await this.discoverEcr(found);
    return found;
  }

  /** Roles and instance profiles: IAM has no tag filter, so each one's tags are read (8 at a time). */
  private async discoverIam(found: Discovered): Promise<void> {
    const { iam } = this.modules;
    const client = this.clients.iam;
    const PathPrefix = iamPath;
    // Each item's own Path is checked: the listing's PathPrefix is a filter asked for, not a proof.
    const roles = (
      await this.list(
        "iam:ListRoles",
        iam.paginateListRoles({ client, pageSize: 1000 }, { PathPrefix }),
        (page) => page.Roles ?? [],
      )
    ).filter((role: Role) => role.RoleName && role.Path === iamPath);
    const roleTags = await mapWithConcurrency(roles, 8, (role) =>
      this.tagsOrGone(
        "iam:ListRoleTags",
        iam.paginateListRoleTags({ client, pageSize: 1000 }, { RoleName: role.RoleName }),
        (page) => page.Tags ?? [],
      ),
    );
    for (const [index, role] of roles.entries()) {
      const tags = roleTags[index];
      if (tags) await this.judgeInto(found.roles, "iam-role", role.RoleName, tags);
    }
    const profiles = (
      await this.list(
        "iam:ListInstanceProfiles",
        iam.paginateListInstanceProfiles({ client, pageSize: 1000 }, { PathPrefix }),
        (page) => page.InstanceProfiles ?? [],
      )
    ).filter((profile: InstanceProfile) => profile.InstanceProfileName && profile.Path === iamPath);
    const profileTags = await mapWithConcurrency(profiles, 8, (profile) =>
      this.tagsOrGone(
        "iam:ListInstanceProfileTags",
        iam.paginateListInstanceProfileTags(
          { client, pageSize: 1000 },
          { InstanceProfileName: profile.InstanceProfileName },
        ),
        (page) => page.Tags ?? [],
      ),
    );
    for (const [index, profile] of profiles.entries()) {
      const tags = profileTags[index];
      const roleNames = (profile.Roles ?? []).flatMap((role) => (role.RoleName ? [role.RoleName] : []));
      if (tags)
        await this.judgeInto(found.instanceProfiles, "instance-profile", profile.InstanceProfileName, tags, {
          roleNames,
        });
    }
  }

  /** Repositories and their tags (ListTagsForResource, one call each). */
  private async discoverEcr(found: Discovered): Promise<void> {
    const { ecr } = this.modules;
    const client = this.clients.ecr;
    const repositories = (
      await this.list(
        "ecr:DescribeRepositories",
        ecr.paginateDescribeRepositories({ client, pageSize: 1000 }, {}),
        (page) => page.repositories ?? [],
      )
    ).filter((repository: Repository) => repository.repositoryName && repository.repositoryArn);
    const repositoryTags = await mapWithConcurrency(repositories, 8, async (repository) => {
      try {
        const response = await client.send(
          new ecr.ListTagsForResourceCommand({ resourceArn: repository.repositoryArn }),
        );
        return response.tags ?? [];
      } catch (error) {
        if (notFoundPattern.test(errorCode(error))) return undefined;
        throw awsErrorToBenchError(error, { ...this.options.aws, action: "ecr:ListTagsForResource" });
      }
    });
    for (const [index, repository] of repositories.entries()) {
      const tags = repositoryTags[index];
      if (tags)
        await this.judgeInto(found.repositories, "ecr-repository", repository.repositoryName, tags, {
          registryId: repository.registryId,
        });
    }
  }

  /** All items of all pages; a failure becomes the `BenchError` for `action`. */
  private async list<Page, Item>(
    action: string,
    pages: AsyncIterable<Page>,
    items: (page: Page) => Item[],
  ): Promise<Item[]> {
    const all: Item[] = [];
    try {
      for await (const page of pages) all.push(...items(page));
    } catch (error) {
      throw awsErrorToBenchError(error, { ...this.options.aws, action });
    }
    return all;
  }

  /** A resource's tags, or undefined when it vanished between listing and reading its tags. */
  private async tagsOrGone<Page>(
    action: string,
    pages: AsyncIterable<Page>,
    items: (page: Page) => Tag[],
  ): Promise<Tag[] | undefined> {
    try {
      const all: Tag[] = [];
      for await (const page of pages) all.push(...items(page));
      return all;
    } catch (error) {
      if (notFoundPattern.test(errorCode(error))) return undefined;
      throw awsErrorToBenchError(error, { ...this.options.aws, action });
    }
  }

  /**
   * Judges one resource: a target when it is swept, a `left` event when its tags are unreadable or it is outside
   * the batch's own network, a count when live or kept. `inVpcs`, for network resources: the VPCs it is in or
   * attached to, each of which must be a VPC this sweep deletes for the same batch.
   */
  private async judgeInto(
    targets: Target[],
    kind: SweepKind,
    id: string | undefined,
    tags: Tag[] | undefined,
    extra: Partial<Target> = {},
    inVpcs?: Array<string | undefined>,
  ): Promise<void> {
    if (!id) return;
    const verdict = await this.judge(tagRecord(tags));
    const problem = verdict.sweep && inVpcs ? this.outsideOwnNetwork(verdict.batchId, inVpcs) : undefined;
    if (verdict.sweep && !problem) {
      targets.push({ ...extra, kind, id, batchId: verdict.batchId, reason: verdict.reason });
      return;
    }
    if (verdict.batchId === undefined) return;
    const why = problem ?? (verdict.sweep ? undefined : verdict.problem);
    if (why) {
      const event: SweepLeftEvent = { kind, id, batchId: verdict.batchId, action: "left", problem: why };
      this.summary.left.push(event);
      this.options.report?.(event);
    } else if (!verdict.sweep && verdict.kept) {
      this.summary.kept += 1;
    } else {
      this.summary.untouched += 1;
    }
  }

  /** Why a network resource of `batchId` in (or attached to) `vpcIds` is not in that batch's own swept VPC. */
  private outsideOwnNetwork(batchId: string, vpcIds: Array<string | undefined>): string | undefined {
    const known = vpcIds.filter((vpcId): vpcId is string => Boolean(vpcId));
    if (known.length === 0) return "in no VPC, so not provably inside the batch's own network";
    const foreign = known.filter((vpcId) => this.sweptVpcs.get(vpcId)?.batchId !== batchId);
    return foreign.length
      ? `in ${foreign.join(", ")}, which is not a VPC this sweep deletes for batch ${batchId}`
      : undefined;
  }

  /** Terminates the swept instances, then waits (bounded) until each is `terminated`. */
  async sweepInstances(targets: Target[]): Promise<void> {
    if (this.options.dryRun) {
      for (const target of targets) this.record(target, "would-delete");
      return;
    }
    const { ec2 } = this.modules;
    const waiting = new Map<string, Target>();
    for (const target of targets) {
      try {
        await this.clients.ec2.send(new ec2.TerminateInstancesCommand({ InstanceIds: [target.id] }));
        waiting.set(target.id, target);
      } catch (error) {
        if (notFoundPattern.test(errorCode(error))) {
          this.record(target, "deleted", undefined, "already gone");
        } else {
          this.survivingInstances.add(target.id);
          this.record(target, "failed", error);
        }
      }
    }
    const wait = this.options.instanceWait ?? { pollMs: 15_000, timeoutMs: 600_000 };
    const polls = 1 + Math.floor(wait.timeoutMs / wait.pollMs);
    const lastState = new Map<string, string>();
    let lastError: unknown;
    for (let poll = 0; poll < polls && waiting.size > 0; poll++) {
      if (poll > 0) await this.sleep(wait.pollMs);
      try {
        const seen = new Map<string, string>();
        for (const ids of chunks([...waiting.keys()], 200)) {
          // A filter, not InstanceIds: an id AWS has forgotten must not fail the whole call.
          for await (const page of ec2.paginateDescribeInstances(
            { client: this.clients.ec2 },
            { Filters: [{ Name: "instance-id", Values: ids }] },
          )) {
            for (const instance of (page.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? [])) {
              if (instance.InstanceId) seen.set(instance.InstanceId, instance.State?.Name ?? "unknown");
            }
          }
        }
        for (const [id, target] of waiting) {
          const state = seen.get(id);
          if (state === undefined || state === "terminated") {
            waiting.delete(id);
            this.record(target, "deleted");
          } else {
            lastState.set(id, state);
          }
        }
      } catch (error) {
        lastError = error;
      }
    }
    for (const [id, target] of waiting) {
      this.survivingInstances.add(id);
      const state = lastState.get(id);
      const why = state
        ? `still ${state} ${Math.round(wait.timeoutMs / 1000)} s after TerminateInstances`
        : `its state could not be read: ${errorText(lastError)}`;
      this.record(target, "failed", why);
    }
  }

  /** Deletes each target, retrying on `retryOn` codes; records every outcome. */
  async deleteAll(
    targets: Target[],
    remove: (target: Target) => Promise<unknown>,
    retryOn: ReadonlySet<string>,
  ): Promise<void> {
    for (const target of targets) {
      if (this.options.dryRun) {
        this.record(target, "would-delete");
        continue;
      }
      if (target.afterInstance && this.survivingInstances.has(target.afterInstance)) {
        this.record(
          target,
          "failed",
          `not attempted: instance ${target.afterInstance} it is attached to was not terminated`,
        );
        continue;
      }
      try {
        await this.withRetry(() => remove(target), retryOn);
        this.record(target, "deleted");
      } catch (error) {
        if (notFoundPattern.test(errorCode(error))) this.record(target, "deleted", undefined, "already gone");
        else this.record(target, "failed", error);
      }
    }
  }

  private async withRetry<T>(operation: () => Promise<T>, retryOn: ReadonlySet<string>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await operation();
      } catch (error) {
        if (attempt >= this.retry.attempts || !retryOn.has(errorCode(error))) throw error;
        await this.sleep(this.retry.delayMs);
      }
    }
  }

  /** Non-main associations first: a route table cannot be deleted while a subnet uses it. */
  async deleteRouteTable({ id, associationIds = [] }: Target): Promise<void> {
    const { ec2 } = this.modules;
    for (const AssociationId of associationIds) {
      await undoStep(`DisassociateRouteTable ${AssociationId}`, () =>
        this.clients.ec2.send(new ec2.DisassociateRouteTableCommand({ AssociationId })),
      );
    }
    await this.clients.ec2.send(new ec2.DeleteRouteTableCommand({ RouteTableId: id }));
  }

  /** Detached first: an attached gateway cannot be deleted. */
  async deleteInternetGateway({ id, vpcIds = [] }: Target): Promise<void> {
    const { ec2 } = this.modules;
    for (const VpcId of vpcIds) {
      await undoStep(
        `DetachInternetGateway from ${VpcId}`,
        () => this.clients.ec2.send(new ec2.DetachInternetGatewayCommand({ InternetGatewayId: id, VpcId })),
        ["Gateway.NotAttached"],
      );
    }
    await this.clients.ec2.send(new ec2.DeleteInternetGatewayCommand({ InternetGatewayId: id }));
  }

  /** Roles out first: a profile holding a role cannot be deleted. */
  async deleteInstanceProfile({ id: name, roleNames = [] }: Target): Promise<void> {
    const { iam } = this.modules;
    for (const RoleName of roleNames) {
      await undoStep(`RemoveRoleFromInstanceProfile ${RoleName}`, () =>
        this.clients.iam.send(new iam.RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: name, RoleName })),
      );
    }
    await this.clients.iam.send(new iam.DeleteInstanceProfileCommand({ InstanceProfileName: name }));
  }

  /** A role can be deleted only once it is in no profile and has no inline or attached policy. */
  async deleteRole({ id: name }: Target): Promise<void> {
    const { iam } = this.modules;
    const client = this.clients.iam;
    const profiles = await step("ListInstanceProfilesForRole", () =>
      collect(
        iam.paginateListInstanceProfilesForRole({ client }, { RoleName: name }),
        (page) => page.InstanceProfiles ?? [],
      ),
    );
    for (const profile of profiles) {
      const InstanceProfileName = profile.InstanceProfileName as string;
      await undoStep(`RemoveRoleFromInstanceProfile ${InstanceProfileName}`, () =>
        client.send(new iam.RemoveRoleFromInstanceProfileCommand({ InstanceProfileName, RoleName: name })),
      );
    }
    const inline = await step("ListRolePolicies", () =>
      collect(iam.paginateListRolePolicies({ client }, { RoleName: name }), (page) => page.PolicyNames ?? []),
    );
    for (const PolicyName of inline)
      await undoStep(`DeleteRolePolicy ${PolicyName}`, () =>
        client.send(new iam.DeleteRolePolicyCommand({ RoleName: name, PolicyName })),
      );
    const attached = await step("ListAttachedRolePolicies", () =>
      collect(
        iam.paginateListAttachedRolePolicies({ client }, { RoleName: name }),
        (page) => page.AttachedPolicies ?? [],
      ),
    );
    for (const policy of attached) {
      const PolicyArn = policy.PolicyArn as string;
      await undoStep(`DetachRolePolicy ${PolicyArn}`, () =>
        client.send(new iam.DetachRolePolicyCommand({ RoleName: name, PolicyArn })),
      );
    }
    await client.send(new iam.DeleteRoleCommand({ RoleName: name }));
  }

  /** `force`: the repository's images go with it (they are the batch's own). */
  async deleteRepository({ id: name, registryId }: Target): Promise<void> {
    const { ecr } = this.modules;
    await this.clients.ecr.send(
      new ecr.DeleteRepositoryCommand({ repositoryName: name, force: true, ...(registryId ? { registryId } : {}) }),
    );
  }

  private record(target: Target, action: SweepActionEvent["action"], error?: unknown, note?: string): void {
    const event: SweepActionEvent = {
      kind: target.kind,
      id: target.id,
      batchId: target.batchId,
      reason: target.reason,
      action,
    };
    if (error !== undefined) event.error = errorText(error);
    if (note !== undefined) event.note = note;
    if (action === "deleted") this.summary.deleted += 1;
    else if (action === "would-delete") this.summary.wouldDelete += 1;
    else {
      this.summary.failed += 1;
      this.summary.failures.push(event);
    }
    this.options.report?.(event);
  }
}

/** One sub-step of a delete (a listing): its error is prefixed with the step's name so the report says which. */
async function step<T>(name: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw new StepError(name, error);
  }
}

/** A sub-step whose goal is also met when AWS answers not-found (or one of `alsoDone`): the thing is already gone. */
async function undoStep(name: string, operation: () => Promise<unknown>, alsoDone: string[] = []): Promise<void> {
  try {
    await operation();
  } catch (error) {
    const code = errorCode(error);
    if (notFoundPattern.test(code) || alsoDone.includes(code)) return;
    throw new StepError(name, error);
  }
}

/** A failed sub-step: keeps the AWS error's code (so retries still see it) and names the step in the message. */
class StepError extends Error {
  readonly code: string;
  constructor(stepName: string, cause: unknown) {
    super(`${stepName}: ${errorText(cause)}`, { cause });
    this.name = "StepError";
    this.code = errorCode(cause);
  }
}

async function collect<Page, Item>(pages: AsyncIterable<Page>, items: (page: Page) => Item[]): Promise<Item[]> {
  const all: Item[] = [];
  for await (const page of pages) all.push(...items(page));
  return all;
}

/** The AWS error code of an SDK error (`DependencyViolation`, `DeleteConflictException`, …). */
function errorCode(error: unknown): string {
  if (error instanceof StepError) return error.code;
  const err = (error ?? {}) as { name?: unknown; code?: unknown; Code?: unknown };
  const code = err.Code ?? err.code ?? err.name;
  return typeof code === "string" ? code : "";
}

/** `Code: message`, one line, for reports. */
function errorText(error: unknown): string {
  if (error === undefined) return "unknown error";
  if (typeof error === "string") return error;
  if (error instanceof StepError) return error.message;
  const message = error instanceof Error ? error.message : JSON.stringify(error);
  const code = errorCode(error);
  const line = message.split("\n")[0] ?? message;
  return code && code !== "Error" && !line.startsWith(code) ? `${code}: ${line}` : line;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let index = 0; index < items.length; index += size) out.push(items.slice(index, index + size));
  return out;
}

function validateOptions(options: SweepOptions): void {
  const invalid = (message: string, fix: string) => new BenchError("InvalidArgument", message, { fix });
  if (!(options.now instanceof Date) || Number.isNaN(options.now.getTime()))
    throw invalid("The sweep's 'now' is not a valid time.", "Pass a valid Date.");
  if (!Number.isFinite(options.graceMs) || options.graceMs < 0)
    throw invalid(`The grace period ${options.graceMs} ms is not a non-negative number.`, "Pass a grace of 0 or more.");
  if (!options.backend.trim())
    throw invalid(
      "The sweep needs the URL of its state backend.",
      "Pass the backend URL (file://… or s3://…) the batches were tagged with.",
    );
  const wait = options.instanceWait;
  if (wait && !(wait.pollMs > 0 && wait.timeoutMs >= 0))
    throw invalid("The instance wait needs a positive poll interval and a timeout of 0 or more.", "Fix instanceWait.");
  const retry = options.dependencyRetry;
  if (retry && !(Number.isInteger(retry.attempts) && retry.attempts >= 1 && retry.delayMs >= 0))
    throw invalid("Dependency retries need at least one attempt.", "Fix dependencyRetry.");
}

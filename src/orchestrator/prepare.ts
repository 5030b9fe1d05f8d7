/**
 * The first steps of a batch, shared by `run` and the CI step `preview`: plan (catalogue, estimates, prices),
 * show time and cost, check the vCPU and network quotas (types that do not fit are skipped with the quota code and
 * the fix), and write the batch's record beside the state. Nothing is created in AWS here.
 */
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { S3Client } from "@aws-sdk/client-s3";
import { BenchError } from "../errors.js";
import type { AwsSettings } from "../aws/clients.js";
import type { BatchRecord } from "../schemas/generated/batch-record.js";
import { backendTagKey, batchTagKey, newBatchId } from "../../stacks/batch-naming.js";
import { batchBoundaryArn, boundaryResultsBucketTag, cacheRepositoryName } from "../../stacks/bootstrap-config.js";
import { isAvailabilityZoneId } from "../../stacks/zones.js";
import type { BatchStore } from "./batch-store.js";
import { checkCostLimit, newBatchRecord, saveRecord, type BatchRequest, type Preflight } from "./batch-record.js";
import type { BatchPlan } from "./plan.js";

/** Options of {@link prepareBatch}. */
export interface PrepareOptions {
  /** Use this id (CI passes one through its jobs); a new one otherwise. */
  batchId?: string | undefined;
  /** The backend's URL (the record). */
  backendUrl: string;
  /** The backend's tag value (`backendTag()`), for every resource. */
  backendTag?: string | undefined;
  /** Who creates it. */
  createdBy: string;
  /** Progress and warnings. */
  progress(line: string): void;
  /** Plans the batch (the offline planner; injectable for tests). */
  plan(request: BatchRequest): Promise<BatchPlan>;
  /** Checks the account (bucket, offerings, quotas, zones, network, image cache); returns what it found. */
  preflight?: (plan: BatchPlan) => Promise<Preflight>;
  /** The clock. */
  now: Date;
  /** For a chosen `batchId`: another backend already using it, if one does (see {@link batchIdUsedElsewhere}). */
  batchIdUsedElsewhere?: ((batchId: string) => Promise<string | undefined>) | undefined;
}

/** Plans, checks quotas and cost, and stores the record; returns it with the plan. */
export async function prepareBatch(
  request: BatchRequest,
  store: BatchStore,
  options: PrepareOptions,
): Promise<{ record: BatchRecord; plan: BatchPlan }> {
  const plan = await options.plan(request);
  const preflight: Preflight = options.preflight ? await options.preflight(plan) : { skipped: {} };
  const skipped = preflight.skipped;
  for (const [type, why] of Object.entries(skipped)) options.progress(`skipping ${type}: ${why}`);
  if (Object.keys(skipped).length === request.instanceTypes.length) {
    throw new BenchError(
      "InvalidArgument",
      `No instance type of the batch can run in the account in ${request.region}: ${Object.entries(skipped)
        .map(([t, w]) => `${t} (${w})`)
        .join("; ")}.`,
      {
        fix: "Act on the reasons above (quota increases, another region), or pass --skip-quota-check if the quotas are wrong.",
      },
    );
  }
  const batchId = options.batchId ?? newBatchId(options.now);
  const elsewhere = options.batchId === undefined ? undefined : await options.batchIdUsedElsewhere?.(batchId);
  if (elsewhere !== undefined) {
    throw new BenchError(
      "InvalidArgument",
      `Batch id ${batchId} is already used in ${request.region} by ${elsewhere}.`,
      {
        fix: "Leave out --batch: aws-bench makes a new id.",
      },
    );
  }
  if (options.batchId !== undefined && (await store.read(batchId, "batch.json")) !== undefined) {
    throw new BenchError("InvalidArgument", `Batch ${batchId} already exists on ${store.url}.`, {
      fix: "Leave out --batch for a new batch, or continue it with `aws-bench up --batch ID`.",
    });
  }
  const record = await newBatchRecord(request, plan, preflight, {
    batchId,
    backend: options.backendUrl,
    backendTag: options.backendTag,
    createdBy: options.createdBy,
    now: options.now,
  });
  checkCostLimit(record);
  await saveRecord(store, record);
  return { record, plan };
}

/** One line per instance and the totals, for the confirmation. */
export function describePlan(record: BatchRecord): string {
  const lines = record.instances.map(
    (i) =>
      `  ${i.instanceType} #${i.repeat}: ~${i.expectedMinutes} min (at most ${i.maximumMinutes})${i.usdPerHour === undefined ? ", price unknown" : `, $${i.usdPerHour}/h`}${i.skipped ? `  [skipped: ${i.skipped}]` : ""}`,
  );
  const e = record.estimate;
  const cost =
    e?.costUsdExpected === null || e?.costUsdExpected === undefined
      ? "cost unknown (no price for some types)"
      : `~$${e.costUsdExpected} (at most $${e.costUsdMaximum ?? "?"})`;
  return [
    `batch ${record.batchId} in ${record.region} (stack ${record.stackName}, results s3://${record.request.resultsBucket}/batches/${record.batchId}/):`,
    ...lines,
    `  total: ~${e?.instanceMinutesExpected ?? "?"} instance-minutes, ${cost}; expires ${record.expiresAt}`,
  ].join("\n");
}

/**
 * What can be known about the account before anything is created: the results bucket exists and is in the
 * batch's region; each type is offered in the region (types that are not are skipped, with the fix); the vCPU
 * quotas fit (types that do not are skipped with the quota code, the need and the fix) and a VPC and an internet
 * gateway are left (unless `skipQuotaCheck`).
 */
export async function awsPreflight(
  plan: BatchPlan,
  request: BatchRequest,
  settings: AwsSettings & { skipQuotaCheck: boolean; progress(line: string): void },
): Promise<Preflight> {
  const { createEc2Client, createS3Client, createServiceQuotasClient } = await import("../aws/clients.js");
  const { awsErrorToBenchError } = await import("../aws/errors.js");
  const ec2 = await createEc2Client(settings, request.region);
  const s3 = await createS3Client(settings, request.region);
  await checkBucketRegion(s3, request.resultsBucket, request.region, (line) => settings.progress(line));
  const resultsKmsKeyArn = await bucketKmsKey(s3, request.resultsBucket, request.region, settings);
  await findBoundary(request.region, request.resultsBucket, settings);

  const existing = request.network
    ? await checkExistingNetwork(ec2, request.network, request.region, settings)
    : undefined;
  const zoneId = existing?.zoneId;
  if (request.ssh) await checkKeyPair(ec2, request.ssh.keyName, request.region, settings);
  // Offerings by zone ID: which types the region (or the subnet's zone) offers, and where each can go.
  const { DescribeInstanceTypeOfferingsCommand } = await import("@aws-sdk/client-ec2");
  const offeredZones: Record<string, string[]> = {};
  try {
    let token: string | undefined;
    do {
      const page = await ec2.send(
        new DescribeInstanceTypeOfferingsCommand({
          LocationType: "availability-zone-id",
          Filters: [
            { Name: "instance-type", Values: request.instanceTypes },
            ...(zoneId ? [{ Name: "location", Values: [zoneId] }] : []),
          ],
          ...(token ? { NextToken: token } : {}),
        }),
      );
      for (const offering of page.InstanceTypeOfferings ?? [])
        if (offering.InstanceType && offering.Location)
          if (isAvailabilityZoneId(offering.Location))
            (offeredZones[offering.InstanceType] ??= []).push(offering.Location);
      token = page.NextToken;
    } while (token);
  } catch (error) {
    throw awsErrorToBenchError(error, {
      ...settings,
      region: request.region,
      action: "ec2:DescribeInstanceTypeOfferings",
    });
  }
  const skipped: Record<string, string> = {};
  for (const type of request.instanceTypes) {
    if (offeredZones[type]?.length) continue;
    skipped[type] = zoneId
      ? `not offered in zone ${zoneId} of subnet ${request.network?.subnetId ?? ""}; use a subnet in a zone that offers it, or leave --subnet out`
      : `not offered in ${request.region}; choose a region that offers it (aws ec2 describe-instance-type-offerings --location-type region --filters Name=instance-type,Values=${type} --region R)`;
  }
  // What the account check found, as values; the zones are pinned last, over the types that can launch.
  const findings = async (): Promise<Preflight> => {
    const launch = request.instanceTypes.filter((type) => skipped[type] === undefined);
    const { chooseZones, zonesOffering } = await import("../../stacks/zones.js");
    const offerings = Object.fromEntries(launch.map((type) => [type, [...new Set(offeredZones[type])].sort()]));
    const imageCache = request.images ? undefined : await findImageCache(request.region, settings);
    if (imageCache)
      settings.progress(`images: built into and reused from ${imageCache.url} (identical inputs are never rebuilt)`);
    const zones =
      launch.length === 0
        ? undefined
        : {
            instances: Object.fromEntries(
              chooseZones(offerings, launch, request.repeat).map((choice) => [
                `${choice.instanceType}/${choice.repeat}`,
                choice.zoneId,
              ]),
            ),
            network: zonesOffering(offerings, launch),
            offerings,
          };
    return {
      skipped,
      ...(resultsKmsKeyArn ? { resultsKmsKeyArn } : {}),
      ...(zones ? { zones } : {}),
      ...(existing ? { network: existing.network } : {}),
      ...(imageCache ? { imageCache } : {}),
    };
  };
  if (settings.skipQuotaCheck) return findings();

  const { checkInstanceQuotas, checkNetworkQuotas } = await import("../aws/quotas.js");
  const clients = { serviceQuotas: await createServiceQuotasClient(settings, request.region), ec2 };
  const vcpus = await checkInstanceQuotas(
    plan.instances.filter((i) => skipped[i.instanceType] === undefined),
    clients,
    { spot: request.spot, region: request.region, profile: settings.profile },
  );
  for (const warning of vcpus.warnings) settings.progress(`warning: ${warning}`);
  // In an existing subnet the batch creates no VPC and no internet gateway.
  if (request.network === undefined) {
    const network = await checkNetworkQuotas(clients, { region: request.region, profile: settings.profile });
    for (const warning of network.warnings) settings.progress(`warning: ${warning}`);
    for (const quota of [network.vpcs, network.internetGateways]) {
      if (quota.status === "short") {
        throw new BenchError(
          "InvalidArgument",
          `The batch needs one more of ${quota.quotaName} (${quota.quotaCode}) in ${request.region}: ${quota.inUse} of ${quota.limit ?? "?"} are in use.`,
          {
            fix: quota.fix ?? `Delete an unused one, or request an increase of ${quota.quotaCode}.`,
          },
        );
      }
    }
  }
  for (const skip of vcpus.skipped)
    skipped[skip.instanceType] =
      `${skip.quotaName} (${skip.quotaCode}): needs ${skip.needed} vCPUs, ${skip.available} available; ${skip.fix}`;
  return findings();
}

/**
 * An existing subnet (and security group): both exist, the group is in the subnet's VPC; returns the subnet's
 * VPC and zone ID. Warns when instances there would get no public address.
 */
async function checkExistingNetwork(
  ec2: EC2Client,
  network: NonNullable<BatchRequest["network"]>,
  region: string,
  settings: AwsSettings & { progress(line: string): void },
): Promise<{ zoneId: string; network: NonNullable<Preflight["network"]> }> {
  const { DescribeSubnetsCommand, DescribeSecurityGroupsCommand } = await import("@aws-sdk/client-ec2");
  const { awsErrorToBenchError } = await import("../aws/errors.js");
  const notFound = (error: unknown) => /NotFound/.test((error as { name?: string }).name ?? "");
  let subnet;
  try {
    subnet = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [network.subnetId] }))).Subnets?.[0];
  } catch (error) {
    if (!notFound(error)) throw awsErrorToBenchError(error, { ...settings, region, action: "ec2:DescribeSubnets" });
  }
  if (!subnet?.VpcId || !subnet.AvailabilityZoneId)
    throw new BenchError("InvalidArgument", `Subnet ${network.subnetId} does not exist in ${region}.`, {
      fix: "Check --subnet and --region (`aws ec2 describe-subnets`).",
    });
  if (!subnet.MapPublicIpOnLaunch)
    settings.progress(
      `warning: subnet ${network.subnetId} gives instances no public address; they need a NAT gateway or VPC endpoints for S3, ECR and the package mirrors, or they cannot pull the image and upload results`,
    );
  if (network.securityGroupId) {
    let group;
    try {
      group = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [network.securityGroupId] })))
        .SecurityGroups?.[0];
    } catch (error) {
      if (!notFound(error))
        throw awsErrorToBenchError(error, { ...settings, region, action: "ec2:DescribeSecurityGroups" });
    }
    if (!group)
      throw new BenchError(
        "InvalidArgument",
        `Security group ${network.securityGroupId} does not exist in ${region}.`,
        {
          fix: "Check --security-group and --region.",
        },
      );
    if (group.VpcId !== subnet.VpcId)
      throw new BenchError(
        "InvalidArgument",
        `Security group ${network.securityGroupId} is in ${group.VpcId ?? "no VPC"}, subnet ${network.subnetId} in ${subnet.VpcId}.`,
        { fix: "Use a group of the subnet's VPC." },
      );
  }
  return {
    zoneId: subnet.AvailabilityZoneId,
    network: {
      subnetId: network.subnetId,
      vpcId: subnet.VpcId,
      ...(network.securityGroupId ? { securityGroupId: network.securityGroupId } : {}),
    },
  };
}

/** The key pair must exist in the region (else every instance fails to launch, after the images are built). */
async function checkKeyPair(ec2: EC2Client, keyName: string, region: string, settings: AwsSettings): Promise<void> {
  const { DescribeKeyPairsCommand } = await import("@aws-sdk/client-ec2");
  try {
    await ec2.send(new DescribeKeyPairsCommand({ KeyNames: [keyName] }));
  } catch (error) {
    if (/InvalidKeyPair\.NotFound/.test((error as { name?: string }).name ?? "")) {
      throw new BenchError("InvalidArgument", `Key pair '${keyName}' does not exist in ${region}.`, {
        fix: `Create or import it there (aws ec2 import-key-pair --region ${region} …), or check --key-pair.`,
      });
    }
    const { awsErrorToBenchError } = await import("../aws/errors.js");
    throw awsErrorToBenchError(error, { ...settings, region, action: "ec2:DescribeKeyPairs" });
  }
}

/**
 * A batch id chosen by the caller (`preview --batch`) must not be one another backend already uses in the region:
 * instances and VPCs carrying its batch tag with another backend tag mean someone else's batch, which cleanup and
 * destroy tell apart from ours only by that tag. Returns the other backend, or undefined when the id is free.
 */
export async function batchIdUsedElsewhere(
  batchId: string,
  backendTag: string,
  region: string,
  settings: AwsSettings,
): Promise<string | undefined> {
  const { createEc2Client } = await import("../aws/clients.js");
  const { DescribeInstancesCommand, DescribeVpcsCommand } = await import("@aws-sdk/client-ec2");
  const { awsErrorToBenchError } = await import("../aws/errors.js");
  const ec2 = await createEc2Client(settings, region);
  const filter = [{ Name: `tag:${batchTagKey}`, Values: [batchId] }];
  const backendOf = (tags: Array<{ Key?: string | undefined; Value?: string | undefined }> | undefined) =>
    tags?.find((tag) => tag.Key === backendTagKey)?.Value ?? "(no backend tag)";
  try {
    const instances = await ec2.send(new DescribeInstancesCommand({ Filters: filter }));
    const vpcs = await ec2.send(new DescribeVpcsCommand({ Filters: filter }));
    const backends = [
      ...(instances.Reservations ?? []).flatMap((r) => (r.Instances ?? []).map((i) => backendOf(i.Tags))),
      ...(vpcs.Vpcs ?? []).map((vpc) => backendOf(vpc.Tags)),
    ];
    return backends.find((backend) => backend !== backendTag);
  } catch (error) {
    throw awsErrorToBenchError(error, { ...settings, region, action: "ec2:DescribeInstances" });
  }
}

/** The long-lived image repository of the region, when bootstrap made one (and this identity may see it). */
export async function findImageCache(
  region: string,
  settings: AwsSettings & { progress(line: string): void },
): Promise<{ name: string; url: string; arn: string } | undefined> {
  const { createEcrClient } = await import("../aws/clients.js");
  const { DescribeRepositoriesCommand } = await import("@aws-sdk/client-ecr");
  const ecr = await createEcrClient(settings, region);
  try {
    const found = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [cacheRepositoryName] }));
    const repository = found.repositories?.[0];
    return repository?.repositoryUri && repository.repositoryArn
      ? { name: cacheRepositoryName, url: repository.repositoryUri, arn: repository.repositoryArn }
      : undefined;
  } catch (error) {
    const name = (error as { name?: string }).name ?? "";
    if (name === "RepositoryNotFoundException") return undefined;
    if (/AccessDenied/.test(name)) {
      settings.progress(
        `warning: cannot look for the image cache ${cacheRepositoryName} (ecr:DescribeRepositories denied); images are built into the batch's own repository`,
      );
      return undefined;
    }
    const { awsErrorToBenchError } = await import("../aws/errors.js");
    throw awsErrorToBenchError(error, { ...settings, region, action: "ecr:DescribeRepositories" });
  }
}

/**
 * The permissions boundary `aws-bench bootstrap` made in the region, which the run policies require on every batch
 * role: its ARN, computed from the account and partition (STS GetCallerIdentity) and read back with IAM GetPolicy.
 * Throws `InvalidArgument` when it is missing (the stack would fail at the role, after the network and images were
 * made) or when it lets instances write to another results bucket than the batch's (their uploads would be refused).
 */
export async function findBoundary(region: string, resultsBucket: string, settings: AwsSettings): Promise<string> {
  const { createIamClient, createStsClient } = await import("../aws/clients.js");
  const { GetCallerIdentityCommand } = await import("@aws-sdk/client-sts");
  const { GetPolicyCommand } = await import("@aws-sdk/client-iam");
  const { awsErrorToBenchError } = await import("../aws/errors.js");
  let identity;
  try {
    identity = await (await createStsClient(settings, region)).send(new GetCallerIdentityCommand({}));
  } catch (error) {
    throw awsErrorToBenchError(error, { ...settings, region, action: "sts:GetCallerIdentity" });
  }
  const arn = batchBoundaryArn({
    partition: identity.Arn?.split(":")[1] ?? "aws",
    accountId: identity.Account ?? "",
    region,
  });
  let policy;
  try {
    policy = (await (await createIamClient(settings, region)).send(new GetPolicyCommand({ PolicyArn: arn }))).Policy;
  } catch (error) {
    if ((error as { name?: string }).name !== "NoSuchEntityException")
      throw awsErrorToBenchError(error, { ...settings, region, action: "iam:GetPolicy" });
  }
  if (!policy) {
    throw new BenchError(
      "InvalidArgument",
      `The permissions boundary ${arn} does not exist: batch roles cannot be created without it.`,
      {
        fix: `Have an administrator run \`aws-bench bootstrap --region ${region}\` (it creates the boundary with the results bucket), then run again.`,
      },
    );
  }
  const allowed = policy.Tags?.find((tag) => tag.Key === boundaryResultsBucketTag)?.Value;
  if (allowed !== undefined && allowed !== resultsBucket) {
    throw new BenchError(
      "InvalidArgument",
      `The results bucket ${resultsBucket} is not the one the batch roles' boundary lets instances write to (${allowed}).`,
      { fix: `Use --results-bucket ${allowed}, the bucket \`aws-bench bootstrap\` made in ${region}.` },
    );
  }
  return arn;
}

/**
 * The customer-managed KMS key the results bucket encrypts new objects with by default (GetBucketEncryption), as
 * a key ARN: the instances' role is then allowed to use it through S3, or their uploads would be refused. None for
 * S3-managed keys and for AWS's own `aws/s3` key (its key policy already admits the account's S3 callers). A key
 * named by alias is refused with the fix: the grant names keys by ARN. Not allowed to read the encryption: a
 * warning, and no grant.
 */
export async function bucketKmsKey(
  s3: S3Client,
  bucket: string,
  region: string,
  settings: AwsSettings & { progress(line: string): void },
): Promise<string | undefined> {
  const { GetBucketEncryptionCommand } = await import("@aws-sdk/client-s3");
  let keyId: string | undefined;
  try {
    const { ServerSideEncryptionConfiguration: config } = await s3.send(
      new GetBucketEncryptionCommand({ Bucket: bucket }),
    );
    const byDefault = config?.Rules?.find(
      (rule) => rule.ApplyServerSideEncryptionByDefault,
    )?.ApplyServerSideEncryptionByDefault;
    if (!byDefault?.SSEAlgorithm?.startsWith("aws:kms")) return undefined;
    keyId = byDefault.KMSMasterKeyID;
  } catch (error) {
    const name = (error as { name?: string }).name ?? "";
    if (name === "ServerSideEncryptionConfigurationNotFoundError") return undefined;
    if (
      /AccessDenied|Forbidden/.test(name) ||
      (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403
    ) {
      settings.progress(
        `warning: cannot read the default encryption of bucket ${bucket} (s3:GetEncryptionConfiguration denied); if it uses a customer-managed KMS key, the instances' uploads will be refused`,
      );
      return undefined;
    }
    const { awsErrorToBenchError } = await import("../aws/errors.js");
    throw awsErrorToBenchError(error, { ...settings, region, action: "s3:GetEncryptionConfiguration" });
  }
  if (!keyId) return undefined; // AWS's own aws/s3 key
  const keyArn = /^arn:aws(-[a-z]+)*:kms:([a-z0-9-]+):(\d{12}):key\/(\S+)$/.exec(keyId);
  if (keyArn) {
    if (keyArn[2] !== region)
      throw new BenchError(
        "InvalidArgument",
        `The results bucket ${bucket} encrypts with KMS key ${keyId}, which is not in ${region}.`,
        {
          fix: "Use a key in the bucket's region for its default encryption.",
        },
      );
    return keyId;
  }
  if (/^(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.test(keyId)) {
    // A bare key id is a key of the bucket owner's account in the bucket's region: this account's.
    const { createStsClient } = await import("../aws/clients.js");
    const { GetCallerIdentityCommand } = await import("@aws-sdk/client-sts");
    const sts = await createStsClient(settings, region);
    try {
      const { Account, Arn } = await sts.send(new GetCallerIdentityCommand({}));
      const partition = /^arn:(aws[a-z-]*):/.exec(Arn ?? "")?.[1] ?? "aws";
      return `arn:${partition}:kms:${region}:${Account ?? ""}:key/${keyId}`;
    } catch (error) {
      const { awsErrorToBenchError } = await import("../aws/errors.js");
      throw awsErrorToBenchError(error, { ...settings, region, action: "sts:GetCallerIdentity" });
    } finally {
      sts.destroy();
    }
  }
  throw new BenchError(
    "InvalidArgument",
    `The results bucket ${bucket} encrypts with the KMS key '${keyId}', named by alias; aws-bench grants its instances a key by its ARN.`,
    {
      fix: `Name the key by ARN in the bucket's default encryption: aws s3api put-bucket-encryption --bucket ${bucket} --server-side-encryption-configuration '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"arn:aws:kms:${region}:ACCOUNT:key/KEY-ID"},"BucketKeyEnabled":true}]}'`,
    },
  );
}

/**
 * The results bucket must exist and be in the batch's region (instances upload with that region's endpoint).
 * HeadBucket answers with the bucket's region, even when asked in the wrong region (a 301 carries it in
 * `x-amz-bucket-region`).
 */
async function checkBucketRegion(
  s3: S3Client,
  bucket: string,
  region: string,
  progress: (line: string) => void,
): Promise<void> {
  const { HeadBucketCommand } = await import("@aws-sdk/client-s3");
  let location: string;
  try {
    const response = await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    location = response.BucketRegion ?? region;
  } catch (error) {
    const failure = error as {
      name?: string;
      $metadata?: { httpStatusCode?: number };
      $response?: { headers?: Record<string, string> };
    };
    const status = failure.$metadata?.httpStatusCode;
    const redirected = failure.$response?.headers?.["x-amz-bucket-region"];
    if (failure.name === "NotFound" || failure.name === "NoSuchBucket" || status === 404) {
      throw new BenchError("InvalidArgument", `The results bucket ${bucket} does not exist.`, {
        fix: `Create it with \`aws-bench bootstrap --region ${region} --results-bucket ${bucket}\`, or name an existing bucket.`,
      });
    }
    if (redirected) location = redirected;
    else if (status === 403 || failure.name === "Forbidden" || failure.name === "AccessDenied") {
      progress(`warning: cannot check bucket ${bucket} (s3:ListBucket denied); make sure it exists in ${region}`);
      return;
    } else {
      const { awsErrorToBenchError } = await import("../aws/errors.js");
      throw awsErrorToBenchError(error, { region, action: "s3:HeadBucket" });
    }
  }
  if (location !== region) {
    throw new BenchError(
      "InvalidArgument",
      `The results bucket ${bucket} is in ${location}, but the batch runs in ${region}.`,
      {
        fix: `Use a bucket in ${region} (\`aws-bench bootstrap --region ${region}\` creates one), or run the batch with --region ${location}.`,
      },
    );
  }
}

/**
 * `BenchmarkBatch`: what one benchmark batch creates in an AWS account — an ephemeral public-subnet VPC (no NAT),
 * a security group with no ingress, an instance role allowed to write only this batch's results and pull only
 * this batch's images, the images themselves (or prebuilt ones), and one instance per type × repeat whose
 * user-data bounds its own life and pulls its image by digest, never by a tag that could have moved. Every resource
 * carries the batch tags. The caller's AWS provider is used as given (pass it in `opts.providers`); this component
 * never creates or overrides one.
 */
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { ContainerTag } from "../src/schemas/generated/container-tags.js";
import { imageBuildDefinition } from "../src/images/build-definition.js";
import { BenchError } from "../src/errors.js";
import {
  batchTagKey,
  expiresAtTagKey,
  iamPath,
  imageDigestTagKey,
  instanceResourceName,
  instanceTagKey,
  instanceTagValue,
  resultsPrefix,
} from "./batch-naming.js";
import { batchBoundaryArn } from "./bootstrap-config.js";
import { instanceTiming } from "./instance-timing.js";
import { sshCidrProblem } from "./cidr.js";
import { checkImageReference, checkUserDataOptions, renderUserData } from "./user-data.js";

/** One instance of the batch. */
export interface PlannedInstance {
  /** Instance type, e.g. `m7i.large`. */
  instanceType: string;
  /** Repeat index (0-based). */
  repeat: number;
  /** Availability-zone name in this account (resolved from the zone ID before the batch is declared). */
  zoneName: string;
  /** The container tag its image is built for (from the architecture mappings). */
  containerTag: ContainerTag;
  /** A `.metal` size (boots slower). */
  bareMetal: boolean;
  /** The runner's predicted seconds for the planned benchmarks on this type. */
  benchmarkSeconds: number;
}

/** Arguments of {@link BenchmarkBatch}. */
export interface BenchmarkBatchArgs {
  /** Batch id (`newBatchId()`). */
  batchId: string;
  /**
   * Zone names the ephemeral VPC spans (a public subnet each). Give every zone an instance could move to, so a
   * retry in another zone never changes the network under running instances.
   * @default the instances' zones
   */
  networkZones?: string[];
  /** The instances, zones already chosen (`chooseZones()`). */
  instances: PlannedInstance[];
  /** Runner arguments after `run`, e.g. `["--benchmarks", "stream,hpl,coremark"]`. */
  runArgs: string[];
  /** The long-lived results bucket (created by `aws-bench bootstrap`, never by the batch). */
  resultsBucket: string;
  /** The bucket's region. */
  region: string;
  /** Tags for every resource (`batchTags()`). */
  tags: Record<string, string>;
  /**
   * Prebuilt image per container tag: no repository and no image are created. Instances pull by digest: give
   * `REPOSITORY@sha256:…`, or a tag of a private ECR repository, whose digest is looked up (`ecr:DescribeImages`).
   * @default images are built into an ECR repository of the batch
   */
  images?: Record<string, string>;
  /** A long-lived cache image to reuse layers from when building. */
  cacheFrom?: string;
  /**
   * The long-lived image repository (`aws-bench bootstrap` creates `aws-bench-cache`, with immutable tags): images
   * are pushed there by content-hash tag and reused by later batches; `existingImages` are the tags already in it,
   * each with the digest it names (never rebuilt, never pushed again, pulled by that digest).
   * @default a repository of the batch, deleted with it
   */
  imageCache?: { repositoryUrl: string; repositoryArn: string; existingImages: Readonly<Record<string, string>> };
  /**
   * Existing subnet (and optionally security group) instead of an ephemeral VPC.
   * @example { subnetId: "subnet-0abc", securityGroupId: "sg-0abc" }
   */
  network?: { subnetId: string; vpcId: string; securityGroupId?: string };
  /** SSH: a key pair and the only CIDR allowed in (no CIDR with an existing security group: that group decides). */
  ssh?: { keyName: string; cidr?: string };
  /** One-time spot requests that terminate on interruption. @default false */
  spot?: boolean;
  /** Attach AmazonSSMManagedInstanceCore. @default false */
  ssm?: boolean;
  /**
   * The managed policy the instance role carries as its permissions boundary (the run policies allow creating a
   * batch role only with it). Pass your own only if your run policies name it.
   * @default the boundary `aws-bench bootstrap` creates in this account and `region`:
   *   `arn:<partition>:iam::<account>:policy/aws-bench/aws-bench-batch-boundary-<region>`
   */
  permissionsBoundaryArn?: pulumi.Input<string>;
  /** The results bucket's customer-managed KMS key, when it has one. */
  kmsKeyArn?: string;
  /** Cap on any instance's life in minutes. */
  maxMinutes?: number;
}

// Names live in the light batch-naming module (list, status and cleanup use them without loading the providers);
// re-exported for importers of this component.
export { iamPath, instanceResourceName, resultsPrefix } from "./batch-naming.js";

/** The posture, in numbers a test or a reviewer can check. */
const rootVolumeGiB = { base: 30, metal: 60 };
const amiParameter: Record<string, string> = {
  "linux/amd64": "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
  "linux/arm64": "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
};

/** One benchmark batch: network, security group, IAM, images and instances. */
export class BenchmarkBatch extends pulumi.ComponentResource {
  /** Instance ids by `<type>/<repeat>`. */
  readonly instanceIds: pulumi.Output<Record<string, string>>;
  /** Where each instance writes: `s3://bucket/batches/<id>/<type>/<repeat>`. */
  readonly resultsPrefixes: Record<string, string>;

  /**
   * @param name - component name
   * @param args - the batch
   * @param opts - resource options (the caller's AWS provider goes here)
   */
  constructor(name: string, args: BenchmarkBatchArgs, opts?: pulumi.ComponentResourceOptions) {
    super("aws-instance-benchmarks:batch:BenchmarkBatch", name, {}, opts);
    validateArgs(args);
    const child = { parent: this };
    const network = args.network ? existingNetwork(args) : this.createNetwork(name, args);
    const securityGroupId = args.network?.securityGroupId ?? this.createSecurityGroup(name, args, network.vpcId).id;
    const images = args.images ? this.prebuiltImages(args) : this.createImages(name, args);
    const profile = this.createInstanceRole(name, args, images.repositoryArn);
    this.resultsPrefixes = {};
    const ids: Record<string, pulumi.Output<string>> = {};
    for (const planned of args.instances) {
      const key = instanceTagValue(planned);
      const prefix = resultsPrefix(args.batchId, planned);
      this.resultsPrefixes[key] = `s3://${args.resultsBucket}/${prefix}`;
      const timing = instanceTiming({
        benchmarkSeconds: planned.benchmarkSeconds,
        bareMetal: planned.bareMetal,
        maxMinutes: args.maxMinutes,
      });
      // `REPOSITORY@sha256:…`: the instance pulls and runs exactly these bytes, and its result names the digest.
      const image = images.uriFor(planned.containerTag.tag);
      const userData = image.apply((uri) =>
        renderUserData({
          batchId: args.batchId,
          instanceType: planned.instanceType,
          repeat: planned.repeat,
          region: args.region,
          resultsBucket: args.resultsBucket,
          resultsPrefix: prefix,
          image: uri,
          ecrRegistry: args.images ? ecrRegistryOf(uri) : uri.split("/")[0],
          runArgs: args.runArgs,
          shutdownAfterMinutes: timing.shutdownAfterMinutes,
          runTimeoutMinutes: timing.runTimeoutMinutes,
        }),
      );
      const ami = aws.ssm.getParameterOutput({ name: amiParameter[planned.containerTag.platform] as string }, child);
      const instance = new aws.ec2.Instance(
        instanceResourceName(name, planned),
        {
          ami: ami.value,
          instanceType: planned.instanceType,
          subnetId: network.subnetFor(planned.zoneName),
          vpcSecurityGroupIds: [securityGroupId],
          iamInstanceProfile: profile.name,
          userData,
          userDataReplaceOnChange: true,
          instanceInitiatedShutdownBehavior: "terminate",
          metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 2 },
          rootBlockDevice: {
            encrypted: true,
            volumeType: "gp3",
            volumeSize: planned.bareMetal ? rootVolumeGiB.metal : rootVolumeGiB.base,
            deleteOnTermination: true,
          },
          ...(args.spot
            ? {
                instanceMarketOptions: {
                  marketType: "spot",
                  spotOptions: { spotInstanceType: "one-time", instanceInterruptionBehavior: "terminate" },
                },
              }
            : {}),
          ...(args.ssh ? { keyName: args.ssh.keyName } : {}),
          // The digest it pulls, read back after `up` into the batch record that collect checks results against.
          tags: image.apply((uri) => ({
            ...args.tags,
            [instanceTagKey]: key,
            [imageDigestTagKey]: uri.slice(uri.indexOf("@") + 1),
            Name: `aws-bench ${args.batchId} ${key}`,
          })),
          volumeTags: args.tags,
        },
        // A batch instance runs once: a newer AMI, image or tag on a later `up` must never replace or relaunch it.
        { ...child, ignoreChanges: ["ami", "userData", "tags", "volumeTags"] },
      );
      ids[key] = instance.id;
    }
    this.instanceIds = pulumi.all(ids);
    this.registerOutputs({ instanceIds: this.instanceIds, resultsPrefixes: this.resultsPrefixes });
  }

  /** A VPC of public subnets only (no NAT gateway: they cost money and the instances need none). */
  private createNetwork(name: string, args: BenchmarkBatchArgs): Network {
    const zoneNames = [
      ...new Set([...(args.networkZones ?? []), ...args.instances.map((instance) => instance.zoneName)]),
    ].sort();
    const vpc = new awsx.ec2.Vpc(
      `${name}-vpc`,
      {
        cidrBlock: "10.42.0.0/16",
        availabilityZoneNames: zoneNames,
        natGateways: { strategy: "None" },
        subnetStrategy: "Auto",
        subnetSpecs: [{ type: "Public" }],
        tags: args.tags,
      },
      { parent: this },
    );
    return {
      vpcId: vpc.vpcId,
      subnetFor: (zoneName) => vpc.publicSubnetIds.apply((ids) => ids[zoneNames.indexOf(zoneName)] as string),
    };
  }

  /** No ingress unless SSH was asked for, and then only from the named CIDR; egress HTTPS only (S3, ECR, SSM, packages). */
  private createSecurityGroup(
    name: string,
    args: BenchmarkBatchArgs,
    vpcId: pulumi.Input<string>,
  ): aws.ec2.SecurityGroup {
    return new aws.ec2.SecurityGroup(
      `${name}-sg`,
      {
        vpcId,
        description: `aws-bench batch ${args.batchId}: no inbound traffic${args.ssh?.cidr ? " except SSH from one CIDR" : ""}`,
        ingress: args.ssh?.cidr
          ? [
              {
                protocol: "tcp",
                fromPort: 22,
                toPort: 22,
                cidrBlocks: [args.ssh.cidr],
                description: "SSH from the CIDR the user named",
              },
            ]
          : [],
        egress: [
          {
            protocol: "tcp",
            fromPort: 443,
            toPort: 443,
            cidrBlocks: ["0.0.0.0/0"],
            description: "HTTPS: S3, ECR, SSM, package mirrors",
          },
        ],
        tags: args.tags,
      },
      { parent: this },
    );
  }

  /** An ECR repository of the batch (deleted with it) and one image per container tag the batch needs. */
  private createImages(name: string, args: BenchmarkBatchArgs): Images {
    // With the long-lived image cache, images live there under their content-hash tags: one already pushed by an
    // earlier batch is used as is (identical inputs never rebuild), and a new one stays for the next batch (the
    // docker Image resource never deletes what it pushed). Without it, the batch's own repository (deleted with it).
    const cache = args.imageCache;
    const repository = cache
      ? undefined
      : new aws.ecr.Repository(
          `${name}-images`,
          { forceDelete: true, imageTagMutability: "IMMUTABLE", tags: args.tags },
          { parent: this },
        );
    const repositoryUrl: pulumi.Output<string> = cache
      ? pulumi.output(cache.repositoryUrl)
      : (repository as aws.ecr.Repository).repositoryUrl;
    const registryId = cache
      ? pulumi.output(cache.repositoryUrl.split(".")[0] as string)
      : (repository as aws.ecr.Repository).registryId;
    const auth = aws.ecr.getAuthorizationTokenOutput({ registryId }, { parent: this });
    const built = new Map<string, pulumi.Output<string>>();
    for (const tag of uniqueTags(args.instances)) {
      const definition = imageBuildDefinition(tag, "distro");
      const { imageTag } = definition;
      // The cache's tags are immutable: a tag already there is never pushed again (ECR would refuse it), and means
      // the bytes it was first pushed with, which instances pull by their digest.
      if (cache && Object.hasOwn(cache.existingImages, imageTag)) {
        built.set(tag.tag, pulumi.output(digestReference(cache.repositoryUrl, cache.existingImages[imageTag])));
        continue;
      }
      const image = new docker.Image(
        `${name}-image-${tag.tag}`,
        {
          imageName: pulumi.interpolate`${repositoryUrl}:${imageTag}`,
          build: {
            context: definition.context,
            dockerfile: `${definition.context}/${definition.dockerfile}`,
            platform: tag.platform,
            // Inline cache metadata lets a later build reuse this image's layers (not part of the content hash).
            args: { ...definition.buildArgs, ...(cache ? { BUILDKIT_INLINE_CACHE: "1" } : {}) },
            ...cacheSources(args, tag.tag),
          },
          registry: { server: repositoryUrl, username: auth.userName, password: pulumi.secret(auth.password) },
        },
        { parent: this },
      );
      built.set(
        tag.tag,
        image.repoDigest.apply((pushed) => pinnedRepoDigest(pushed, imageTag)),
      );
    }
    return {
      repositoryArn: cache ? pulumi.output(cache.repositoryArn) : (repository as aws.ecr.Repository).arn,
      uriFor: (tag) => built.get(tag) as pulumi.Output<string>,
    };
  }

  /**
   * Prebuilt images by digest: a reference with one is used as it is (its tag dropped); a private ECR image given
   * by tag is looked up once, now, and pulled by the digest the tag names at this moment. validateArgs has refused
   * any other tag reference already.
   */
  private prebuiltImages(args: BenchmarkBatchArgs): Images {
    const images = args.images as Record<string, string>;
    const resolved = new Map<string, pulumi.Output<string>>();
    for (const [tag, reference] of Object.entries(images)) {
      const at = reference.indexOf("@");
      const repository = repositoryOf(reference);
      if (at >= 0) {
        resolved.set(tag, pulumi.output(digestReference(repository, reference.slice(at + 1))));
        continue;
      }
      // validateArgs admits no other tag reference than a private ECR one.
      const ecr = /^(\d{12})\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\/(.+)$/.exec(repository) as RegExpExecArray;
      const imageTag = reference.slice(repository.length + 1);
      const found = aws.ecr.getImageOutput(
        { registryId: ecr[1], repositoryName: ecr[2] as string, imageTag },
        { parent: this },
      );
      resolved.set(
        tag,
        found.imageDigest.apply((digest) => digestReference(repository, digest)),
      );
    }
    return { uriFor: (tag) => resolved.get(tag) as pulumi.Output<string> };
  }

  /**
   * Writes only under this batch's prefix; pulls only this batch's repository (GetAuthorizationToken is account-wide
   * by AWS's design). The role carries the bootstrap's permissions boundary, so what it may do is capped there too.
   */
  private createInstanceRole(
    name: string,
    args: BenchmarkBatchArgs,
    repositoryArn?: pulumi.Output<string>,
  ): aws.iam.InstanceProfile {
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
        // IAM has no tag filter: the path lets cleanup list only batch roles, and IAM policies scope to it.
        path: iamPath,
        permissionsBoundary: args.permissionsBoundaryArn ?? this.bootstrapBoundaryArn(args.region),
        tags: args.tags,
      },
      { parent: this },
    );
    // Prebuilt images in ECR (this account's or another's): pull on exactly those repositories.
    const prebuiltRepositories = [
      ...new Set(
        Object.values(args.images ?? {})
          .map(ecrRepositoryArn)
          .filter((arn): arn is string => arn !== undefined),
      ),
    ].sort();
    const policy = pulumi.output(repositoryArn ?? "").apply((repository) =>
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "WriteThisBatchResults",
            Effect: "Allow",
            Action: ["s3:PutObject"],
            Resource: [`arn:aws:s3:::${args.resultsBucket}/batches/${args.batchId}/*`],
          },
          ...(repository
            ? [
                {
                  Sid: "PullThisBatchImages",
                  Effect: "Allow",
                  Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                  Resource: [repository],
                },
                { Sid: "RegistryLogin", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: ["*"] },
              ]
            : []),
          ...(prebuiltRepositories.length
            ? [
                {
                  Sid: "PullPrebuiltImages",
                  Effect: "Allow",
                  Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                  Resource: prebuiltRepositories,
                },
                { Sid: "RegistryLogin", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: ["*"] },
              ]
            : []),
          ...(args.kmsKeyArn
            ? [
                {
                  Sid: "EncryptResults",
                  Effect: "Allow",
                  Action: ["kms:GenerateDataKey", "kms:Encrypt"],
                  Resource: [args.kmsKeyArn],
                },
              ]
            : []),
        ],
      }),
    );
    new aws.iam.RolePolicy(`${name}-policy`, { role: role.id, policy }, { parent: this });
    if (args.ssm)
      new aws.iam.RolePolicyAttachment(
        `${name}-ssm`,
        { role: role.name, policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" },
        { parent: this },
      );
    return new aws.iam.InstanceProfile(
      `${name}-profile`,
      { role: role.name, path: iamPath, tags: args.tags },
      { parent: this },
    );
  }

  /**
   * The boundary `aws-bench bootstrap` made in this account and region, named deterministically so a hand-written
   * spec needs nothing more; without bootstrap, IAM refuses the role naming this ARN (NoSuchEntity).
   */
  private bootstrapBoundaryArn(region: string): pulumi.Output<string> {
    // The caller's ARN carries the partition (aws, aws-cn, aws-us-gov) the policy lives in.
    return aws
      .getCallerIdentityOutput({}, { parent: this })
      .apply((identity) =>
        batchBoundaryArn({ partition: identity.arn.split(":")[1] ?? "aws", accountId: identity.accountId, region }),
      );
  }
}

interface Network {
  vpcId: pulumi.Input<string>;
  subnetFor(zoneName: string): pulumi.Input<string>;
}

interface Images {
  repositoryArn?: pulumi.Output<string>;
  uriFor(tag: string): pulumi.Output<string>;
}

function existingNetwork(args: BenchmarkBatchArgs): Network {
  const network = args.network as NonNullable<BenchmarkBatchArgs["network"]>;
  return { vpcId: network.vpcId, subnetFor: () => network.subnetId };
}

function uniqueTags(instances: readonly PlannedInstance[]): ContainerTag[] {
  const tags = new Map<string, ContainerTag>();
  for (const instance of instances) tags.set(instance.containerTag.tag, instance.containerTag);
  return [...tags.values()].sort((a, b) => (a.tag < b.tag ? -1 : 1));
}

/**
 * Images to reuse build layers from: `cacheFrom` when given, and with the image cache the (up to three, newest
 * hash last by name) earlier images of the same container tag there, which carry inline cache metadata.
 */
function cacheSources(args: BenchmarkBatchArgs, tag: string): { cacheFrom?: { images: string[] } } {
  const cache = args.imageCache;
  const earlier = cache
    ? Object.keys(cache.existingImages)
        .filter((existing) => existing.startsWith(`${tag}-distro-`))
        .sort()
        .slice(-3)
        .map((existing) => `${cache.repositoryUrl}:${existing}`)
    : [];
  const images = [...(args.cacheFrom ? [args.cacheFrom] : []), ...earlier];
  return images.length ? { cacheFrom: { images } } : {};
}

/** `ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO[:tag|@digest]` → the repository's ARN; other registries need no IAM. */
export function ecrRepositoryArn(uri: string): string | undefined {
  const m =
    /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([a-z0-9._/-]+?)(?::[\w.-]+)?(?:@sha256:[0-9a-f]{64})?$/.exec(
      uri,
    );
  return m ? `arn:aws:ecr:${m[2] as string}:${m[1] as string}:repository/${m[3] as string}` : undefined;
}

/** `REPOSITORY` of `REPOSITORY[:TAG][@DIGEST]` (a registry port is not a tag). */
function repositoryOf(reference: string): string {
  const name = reference.split("@")[0] as string;
  const colon = name.lastIndexOf(":");
  return colon > name.lastIndexOf("/") ? name.slice(0, colon) : name;
}

/** `REPOSITORY@sha256:…`; throws when `digest` is not a SHA-256 manifest digest. */
function digestReference(repository: string, digest: string | undefined): string {
  if (!/^sha256:[0-9a-f]{64}$/.test(digest ?? ""))
    throw new BenchError("InvalidArgument", `BenchmarkBatch: ${repository} has no image digest (${String(digest)}).`, {
      fix: "Give the image by digest (REPOSITORY@sha256:…), or check that its tag exists.",
    });
  return `${repository}@${digest as string}`;
}

/**
 * The reference instances pull a pushed image by: `REPOSITORY@sha256:…` from the registry's answer to the push
 * (`repo[:tag]@sha256:…`), without the tag. Throws when the push produced no digest.
 */
export function pinnedRepoDigest(pushed: string | undefined, imageTag: string): string {
  const m = /^([^@]+)@(sha256:[0-9a-f]{64})$/.exec(pushed ?? "");
  if (!m)
    throw new BenchError("BuildFailed", `The image ${imageTag} was pushed without a digest (${String(pushed)}).`, {
      fix: "Check the push in the Pulumi output; instances only run images by digest.",
    });
  return digestReference(repositoryOf(m[1] as string), m[2]);
}

function ecrRegistryOf(uri: string): string | undefined {
  const host = uri.split("/")[0] ?? "";
  return /\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com$/.test(host) ? host : undefined;
}

/**
 * Refuses, before anything is declared, arguments that contradict each other or that the instance script would
 * refuse (batch id, instance types, repeats, region, bucket, runner arguments, prebuilt images, timers): a bad
 * value never reaches a resource. Throws `InvalidArgument` or `UsageError` naming the argument.
 */
export function validateArgs(args: BenchmarkBatchArgs): void {
  const where = "BenchmarkBatch";
  if (args.instances.length === 0)
    throw new BenchError("UsageError", `${where}: no instances to create.`, { fix: "Plan at least one instance." });
  for (const planned of args.instances) {
    // The same checks renderUserData makes once the image is known, so they fail here, not halfway through an update.
    checkUserDataOptions(
      {
        batchId: args.batchId,
        instanceType: planned.instanceType,
        repeat: planned.repeat,
        region: args.region,
        resultsBucket: args.resultsBucket,
        resultsPrefix: resultsPrefix(args.batchId, planned),
        runArgs: args.runArgs,
        ...timersOf(args, planned),
      },
      where,
    );
  }
  if (args.images) {
    for (const [tag, uri] of Object.entries(args.images)) {
      checkImageReference(uri, where, `images[${tag}]`);
      // By digest, or a private ECR tag whose digest the program looks up; any other tag could move under the batch.
      if (!uri.includes("@") && ecrRepositoryArn(uri) === undefined)
        throw new BenchError(
          "InvalidArgument",
          `${where}: images[${tag}] '${uri}' names its image by tag outside private ECR; instances pull by digest.`,
          {
            fix: `Pin it: ${repositoryOf(uri)}@sha256:<digest> (\`docker buildx imagetools inspect ${uri}\` prints it).`,
          },
        );
    }
    const missing = [...new Set(args.instances.map((i) => i.containerTag.tag))].filter((tag) => !args.images?.[tag]);
    if (missing.length)
      throw new BenchError(
        "UsageError",
        `${where}: images names no image for container tag(s) ${missing.join(", ")}.`,
        {
          fix: "Give every container tag of the batch an image, or leave images out to build them.",
        },
      );
  }
  if (args.ssh?.cidr !== undefined) {
    const problem = sshCidrProblem(args.ssh.cidr);
    if (problem)
      throw new BenchError("InvalidArgument", `${where}: ssh.cidr '${args.ssh.cidr}' ${problem.reason}.`, {
        fix: problem.fix,
      });
  }
  // With the user's own security group, that group decides who may connect; otherwise SSH needs the one CIDR.
  if (args.network?.securityGroupId && args.ssh?.cidr !== undefined)
    throw new BenchError(
      "UsageError",
      `${where}: with an existing security group (network.securityGroupId), ssh.cidr cannot be added.`,
      { fix: "Open SSH in that group yourself, and leave ssh.cidr out." },
    );
  if (args.ssh && !args.network?.securityGroupId && args.ssh.cidr === undefined)
    throw new BenchError(
      "UsageError",
      `${where}: ssh needs cidr (the only network allowed in) unless an existing security group is used.`,
      { fix: "Add ssh.cidr, e.g. 203.0.113.0/24, or pass network.securityGroupId." },
    );
  for (const key of [batchTagKey, expiresAtTagKey])
    if (!args.tags[key])
      throw new BenchError("UsageError", `${where}: tags must include ${key}.`, {
        fix: "Build the tags with batchTags().",
      });
}

/** The two timers the instance script takes, from the same estimate the constructor uses. */
function timersOf(
  args: BenchmarkBatchArgs,
  planned: PlannedInstance,
): { shutdownAfterMinutes: number; runTimeoutMinutes: number } {
  const { shutdownAfterMinutes, runTimeoutMinutes } = instanceTiming({
    benchmarkSeconds: planned.benchmarkSeconds,
    bareMetal: planned.bareMetal,
    maxMinutes: args.maxMinutes,
  });
  return { shutdownAfterMinutes, runTimeoutMinutes };
}

/**
 * The long-lived resources a team creates once per region with `aws-bench bootstrap`, never part of a batch:
 * the results bucket (versioned, SSE-S3, public access blocked, bucket-owner-enforced, TLS-only, with a
 * lifecycle for the instances' working copies), the image cache repository builds reuse layers from, and the
 * permissions boundary every batch role must carry (the run role may create roles only with it).
 * Destroying a batch can never touch them: they live in their own stack (`bootstrap-<region>`), and all are
 * protected, so neither a destroy nor a replacement (another --results-bucket on a re-run) can delete them.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { batchComponentName, iamPath } from "./batch-naming.js";
import {
  batchBoundaryPolicyName,
  boundaryResultsBucketTag,
  cacheRepositoryName,
  decodeBootstrapConfig,
} from "./bootstrap-config.js";
import { configNamespace } from "./batch-spec.js";

/** Arguments of the bootstrap program. */
export interface BootstrapArgs {
  /** Exact bucket name; a `aws-bench-results-` prefixed name is generated when absent. */
  resultsBucket?: string | undefined;
  /** Tags on every resource. */
  tags: Record<string, string>;
}

/** What the lifecycle rules keep, in days (the runs live on in data/raw once collected). */
export const retention = {
  batchesToInfrequentAccess: 30,
  batchesExpire: 365,
  noncurrentVersions: 30,
  incompleteUploads: 7,
};

// Its name is in the light config module: the orchestrator looks the repository up without loading this program.
export { cacheRepositoryName } from "./bootstrap-config.js";

/** One statement of an IAM policy document. */
export interface PolicyStatement {
  /** Statement id. */
  Sid: string;
  /** Always Allow: a boundary only caps what the role's own policies grant. */
  Effect: "Allow";
  /** Actions. */
  Action: string[];
  /** Resources. */
  Resource: string[];
  /** Conditions, by operator and key. */
  Condition?: Record<string, Record<string, string>>;
}

/**
 * The permissions boundary of every batch role: the most a role created by the run role can ever do, whatever
 * inline or managed policy it is given. It is exactly what a batch instance needs — write under the results
 * bucket's `batches/` prefix (with the bucket's KMS key through S3, when it has one), log in to ECR and pull the
 * benchmark images, and the SSM agent's Session Manager channels for `--ssm` — and nothing of IAM, STS or any other
 * service. Every grant but the KMS one also requires EC2 instance credentials (`aws:EC2InstanceSourceVPC` is set
 * only for credentials an instance got from its profile): a role assumed any other way, say by another account
 * its trust policy names, can do nothing at all. (KMS is called by S3 on the instance's behalf, where that key is
 * absent; `kms:ViaService` limits it to S3 instead.)
 *
 * @param where - the results bucket's ARN (its partition is used for every ARN) and the region
 */
export function batchBoundaryPolicy(where: { resultsBucketArn: string; region: string }): {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
} {
  const partition = where.resultsBucketArn.split(":")[1] ?? "aws";
  const onInstance = { Null: { "aws:EC2InstanceSourceVPC": "false" } };
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "WriteBatchResults",
        Effect: "Allow",
        Action: ["s3:PutObject"],
        Resource: [`${where.resultsBucketArn}/batches/*`],
        Condition: onInstance,
      },
      {
        Sid: "RegistryLogin",
        Effect: "Allow",
        Action: ["ecr:GetAuthorizationToken"],
        Resource: ["*"],
        Condition: onInstance,
      },
      {
        // The batch's own repository, the image cache, and prebuilt images pushed under an aws-bench name (as
        // `aws-bench build --push` and `--images` suggest); another account's repository still decides by its policy.
        Sid: "PullBenchmarkImages",
        Effect: "Allow",
        Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        Resource: [
          `arn:${partition}:ecr:*:*:repository/${batchComponentName}-images-*`,
          `arn:${partition}:ecr:*:*:repository/aws-bench*`,
          `arn:${partition}:ecr:*:*:repository/*/aws-bench*`,
        ],
        Condition: onInstance,
      },
      {
        Sid: "EncryptResultsThroughS3",
        Effect: "Allow",
        Action: ["kms:GenerateDataKey", "kms:Encrypt"],
        Resource: [`arn:${partition}:kms:${where.region}:*:key/*`],
        Condition: { StringLike: { "kms:ViaService": `s3.${where.region}.amazonaws.com*` } },
      },
      {
        Sid: "SessionManagerChannels",
        Effect: "Allow",
        Action: [
          "ssm:UpdateInstanceInformation",
          "ssmmessages:CreateControlChannel",
          "ssmmessages:CreateDataChannel",
          "ssmmessages:OpenControlChannel",
          "ssmmessages:OpenDataChannel",
        ],
        Resource: ["*"],
        Condition: onInstance,
      },
    ],
  };
}

/** Declares the bucket, the cache repository and the batch roles' boundary; returns their names. */
export function bootstrapResources(args: BootstrapArgs): {
  bucketName: pulumi.Output<string>;
  cacheRepositoryUrl: pulumi.Output<string>;
  batchBoundaryArn: pulumi.Output<string>;
} {
  const bucket = new aws.s3.Bucket(
    "results",
    {
      ...(args.resultsBucket ? { bucket: args.resultsBucket } : { bucketPrefix: "aws-bench-results-" }),
      // Never deleted with data in it: `pulumi destroy` of this stack fails while results remain.
      forceDestroy: false,
      tags: args.tags,
    },
    { protect: true },
  );
  new aws.s3.BucketOwnershipControls("results-ownership", {
    bucket: bucket.id,
    rule: { objectOwnership: "BucketOwnerEnforced" },
  });
  new aws.s3.BucketPublicAccessBlock("results-public-access", {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new aws.s3.BucketVersioning("results-versioning", {
    bucket: bucket.id,
    versioningConfiguration: { status: "Enabled" },
  });
  new aws.s3.BucketServerSideEncryptionConfiguration("results-encryption", {
    bucket: bucket.id,
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
  });
  new aws.s3.BucketPolicy("results-tls-only", {
    bucket: bucket.id,
    policy: pulumi.jsonStringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    }),
  });
  new aws.s3.BucketLifecycleConfiguration("results-lifecycle", {
    bucket: bucket.id,
    rules: [
      {
        id: "batch-working-copies",
        status: "Enabled",
        filter: { prefix: "batches/" },
        transitions: [{ days: retention.batchesToInfrequentAccess, storageClass: "STANDARD_IA" }],
        expiration: { days: retention.batchesExpire },
      },
      {
        id: "old-versions",
        status: "Enabled",
        filter: {},
        noncurrentVersionExpiration: { noncurrentDays: retention.noncurrentVersions },
      },
      {
        id: "incomplete-uploads",
        status: "Enabled",
        filter: {},
        abortIncompleteMultipartUpload: { daysAfterInitiation: retention.incompleteUploads },
      },
    ],
  });
  const cache = new aws.ecr.Repository(
    "image-cache",
    {
      name: cacheRepositoryName,
      // Content-hash tags, never moved: a tag names the bytes first pushed under it, so a batch that found the tag
      // and pulls it by digest gets exactly those. Batches never push a tag already here (BenchmarkBatch skips it); if
      // two batches build the same new tag at once, ECR refuses the second push and that batch's `up` reports it —
      // running `up` again finds the tag and uses the first batch's image.
      imageTagMutability: "IMMUTABLE",
      forceDelete: false,
      tags: args.tags,
    },
    { protect: true },
  );
  new aws.ecr.LifecyclePolicy("image-cache-lifecycle", {
    repository: cache.name,
    // Untagged digests (layers and manifests of a push ECR refused, as when two batches build the same new tag at
    // once) go after a week; tagged images are kept by count, so an image a batch has just chosen to reuse is never
    // the one expired.
    policy: JSON.stringify({
      rules: [
        {
          rulePriority: 1,
          description: "untagged digests after 7 days",
          selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 },
          action: { type: "expire" },
        },
        {
          rulePriority: 2,
          description: "keep the 100 newest tagged images",
          selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 100 },
          action: { type: "expire" },
        },
      ],
    }),
  });
  // The provider's region names the boundary (one per region: IAM is global, bootstrap is per region). Protected
  // like the bucket: batch roles carrying it cannot be created without it.
  const region = aws.getRegionOutput().region;
  const boundary = new aws.iam.Policy(
    "batch-boundary",
    {
      name: region.apply(batchBoundaryPolicyName),
      path: iamPath,
      description: "aws-bench: the most a batch instance role may do (results upload, image pull, Session Manager)",
      policy: pulumi
        .all([bucket.arn, region])
        .apply(([resultsBucketArn, name]) => JSON.stringify(batchBoundaryPolicy({ resultsBucketArn, region: name }))),
      // The preflight reads it to check that a batch's results bucket is the one the boundary lets instances write to.
      tags: pulumi.output(bucket.bucket).apply((name) => ({ ...args.tags, [boundaryResultsBucketTag]: name })),
    },
    { protect: true },
  );
  return { bucketName: bucket.bucket, cacheRepositoryUrl: cache.repositoryUrl, batchBoundaryArn: boundary.arn };
}

/** The bootstrap program for the Automation API, configured as bootstrap-config.ts encodes it. */
export function bootstrapProgram(): Record<string, pulumi.Output<string>> {
  const pulumiConfig = new pulumi.Config(configNamespace);
  const config = decodeBootstrapConfig((key) => pulumiConfig.get(key));
  return {
    ...bootstrapResources({
      resultsBucket: config.resultsBucket,
      tags: { "aws-bench:role": "long-lived", "aws-bench:created-by": config.createdBy },
    }),
  };
}

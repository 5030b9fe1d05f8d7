/**
 * The long-lived resources a team creates once per region with `aws-bench bootstrap`, never part of a batch:
 * the results bucket (versioned, SSE-S3, public access blocked, bucket-owner-enforced, TLS-only, with a
 * lifecycle for the instances' working copies) and the image cache repository builds reuse layers from.
 * Destroying a batch can never touch them: they live in their own stack (`bootstrap-<region>`), and both are
 * protected, so neither a destroy nor a replacement (another --results-bucket on a re-run) can delete them.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { decodeBootstrapConfig } from "./bootstrap-config.js";
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

/** Name of the image cache repository. */
export const cacheRepositoryName = "aws-bench-cache";

/** Declares the bucket and the cache repository; returns their names. */
export function bootstrapResources(args: BootstrapArgs): {
  bucketName: pulumi.Output<string>;
  cacheRepositoryUrl: pulumi.Output<string>;
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
      // Content-hash tags: a tag is only ever pushed again with the same content (two batches building it at once).
      imageTagMutability: "MUTABLE",
      forceDelete: false,
      tags: args.tags,
    },
    { protect: true },
  );
  new aws.ecr.LifecyclePolicy("image-cache-lifecycle", {
    repository: cache.name,
    // Untagged digests (left when two batches push the same content-hash tag) go after a week; tagged images are
    // kept by count, so an image a batch has just chosen to reuse is never the one expired.
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
  return { bucketName: bucket.bucket, cacheRepositoryUrl: cache.repositoryUrl };
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

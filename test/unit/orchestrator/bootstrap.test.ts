/**
 * bootstrap: the long-lived bucket, cache repository and batch-role boundary under the recording mock (posture),
 * the boundary's document, and the orchestration reading the names back from the stack's state.
 */
import { describe, expect, it } from "vitest";
import { bootstrap } from "../../../src/orchestrator/bootstrap.js";
import type { StackEngine, StackRef } from "../../../src/orchestrator/engine.js";
import { installPulumiMocks, resources, settle } from "../../helpers/pulumi-mocks.js";

describe("the bootstrap program", () => {
  it("declares a versioned, encrypted, owner-enforced, TLS-only bucket with public access blocked, and a cache repository", async () => {
    await installPulumiMocks();
    resources.length = 0;
    const { bootstrapResources, retention } = await import("../../../stacks/bootstrap.js");
    bootstrapResources({ resultsBucket: "team-bench-results", tags: { "aws-bench:role": "long-lived" } });
    await settle();
    const of = (type: string) => resources.filter((r) => r.type === type);
    expect(of("aws:s3/bucket:Bucket")[0]?.inputs).toMatchObject({ bucket: "team-bench-results", forceDestroy: false });
    expect(of("aws:s3/bucketVersioning:BucketVersioning")[0]?.inputs["versioningConfiguration"]).toEqual({
      status: "Enabled",
    });
    expect(
      of("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")[0]?.inputs["rules"],
    ).toEqual([expect.objectContaining({ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } })]);
    expect(of("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")[0]?.inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(of("aws:s3/bucketOwnershipControls:BucketOwnershipControls")[0]?.inputs["rule"]).toEqual({
      objectOwnership: "BucketOwnerEnforced",
    });
    const policy = JSON.parse(String(of("aws:s3/bucketPolicy:BucketPolicy")[0]?.inputs["policy"])) as {
      Statement: Array<{ Effect: string; Condition: unknown }>;
    };
    expect(policy.Statement[0]).toMatchObject({
      Effect: "Deny",
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
    const rules = of("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")[0]?.inputs["rules"] as Array<{
      id: string;
      filter: { prefix?: string };
      expiration?: { days: number };
    }>;
    expect(rules.find((r) => r.id === "batch-working-copies")).toMatchObject({
      filter: { prefix: "batches/" },
      expiration: { days: retention.batchesExpire },
    });
    expect(of("aws:ecr/repository:Repository")[0]?.inputs).toMatchObject({
      name: "aws-bench-cache",
      imageTagMutability: "IMMUTABLE",
    });
    // The batch roles' boundary: named for the region under the batch IAM path, naming the bucket it lets
    // instances write to.
    expect(of("aws:iam/policy:Policy")[0]?.inputs).toMatchObject({
      name: "aws-bench-batch-boundary-us-east-1",
      path: "/aws-bench/",
      tags: { "aws-bench:role": "long-lived", "aws-bench:results-bucket": "team-bench-results" },
    });
    // Long-lived resources never carry the batch tag the sweep looks for.
    for (const r of resources)
      expect(Object.keys((r.inputs["tags"] as Record<string, string> | undefined) ?? {})).not.toContain(
        "aws-bench:batch",
      );
  });
});

describe("the batch roles' permissions boundary", () => {
  const boundary = async () => {
    const { batchBoundaryPolicy } = await import("../../../stacks/bootstrap.js");
    return batchBoundaryPolicy({ resultsBucketArn: "arn:aws:s3:::team-bench-results", region: "eu-west-1" });
  };

  it("is the document bootstrap declares, with the bucket's ARN", async () => {
    await installPulumiMocks();
    resources.length = 0;
    const { batchBoundaryPolicy, bootstrapResources } = await import("../../../stacks/bootstrap.js");
    bootstrapResources({ resultsBucket: "team-bench-results", tags: {} });
    await settle();
    const declared = resources.find((r) => r.type === "aws:iam/policy:Policy");
    const bucketArn = "arn:aws:mock:us-east-1:123456789012:results";
    expect(JSON.parse(String(declared?.inputs["policy"]))).toEqual(
      batchBoundaryPolicy({ resultsBucketArn: bucketArn, region: "us-east-1" }),
    );
  });

  it("allows only the upload, the image pull and Session Manager: no IAM, no STS, no reads of results", async () => {
    const actions = (await boundary()).Statement.flatMap((statement) => statement.Action).sort();
    expect(actions).toEqual(
      [
        "s3:PutObject",
        "ecr:GetAuthorizationToken",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
        "kms:GenerateDataKey",
        "kms:Encrypt",
        "ssm:UpdateInstanceInformation",
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
      ].sort(),
    );
    const upload = (await boundary()).Statement.find((statement) => statement.Action.includes("s3:PutObject"));
    expect(upload?.Resource).toEqual(["arn:aws:s3:::team-bench-results/batches/*"]);
  });

  it("works only with an instance's own credentials (a role assumed from elsewhere can do nothing); KMS only through S3", async () => {
    for (const statement of (await boundary()).Statement) {
      if (statement.Action.every((action) => action.startsWith("kms:")))
        expect(statement.Condition, statement.Sid).toEqual({
          StringLike: { "kms:ViaService": "s3.eu-west-1.amazonaws.com*" },
        });
      else expect(statement.Condition, statement.Sid).toEqual({ Null: { "aws:EC2InstanceSourceVPC": "false" } });
    }
  });
});

describe("bootstrap()", () => {
  function engine(failed: string | undefined): StackEngine & { refs: StackRef[] } {
    const refs: StackRef[] = [];
    const stub = {
      refs,
      ready: () => Promise.resolve(),
      up: (ref: StackRef, events: { onResourceFailed?: (urn: string, message: string) => void }) => {
        refs.push(ref);
        if (failed) events.onResourceFailed?.("urn:pulumi:b::p::aws:s3/bucket:Bucket::results", failed);
        return Promise.resolve({ summary: {}, failed: failed !== undefined });
      },
      resources: () =>
        Promise.resolve([
          { urn: "u1", type: "aws:s3/bucket:Bucket", outputs: { bucket: "aws-bench-results-0a1b2c" } },
          {
            urn: "u2",
            type: "aws:ecr/repository:Repository",
            outputs: { repositoryUrl: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/aws-bench-cache" },
          },
        ]),
    };
    return stub as unknown as StackEngine & { refs: StackRef[] };
  }

  it("creates bootstrap-<region> and reads the names back", async () => {
    const e = engine(undefined);
    const outcome = await bootstrap(e, { region: "eu-west-1", createdBy: "me", progress: () => undefined });
    expect(outcome).toEqual({
      stackName: "bootstrap-eu-west-1",
      resultsBucket: "aws-bench-results-0a1b2c",
      cacheRepositoryUrl: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/aws-bench-cache",
    });
    expect(e.refs[0]?.config).toEqual({ "aws:region": "eu-west-1", "aws-instance-benchmarks:createdBy": "me" });
  });

  it("says a taken bucket name is taken", async () => {
    await expect(
      bootstrap(engine("creating S3 Bucket (taken): BucketAlreadyExists: The requested bucket name is not available"), {
        region: "eu-west-1",
        resultsBucket: "taken",
        createdBy: "me",
        progress: () => undefined,
      }),
    ).rejects.toThrow(/BucketAlreadyExists/);
  });
});

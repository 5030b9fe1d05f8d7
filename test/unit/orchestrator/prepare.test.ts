/**
 * Before anything is created: the real offline plan, the account checks through aws-sdk-client-mock (bucket region,
 * the batch roles' permissions boundary, offerings in the region, vCPU and network quotas), the cost cap, and the
 * record stored beside the state — or, when the batch cannot run, a clear error and no record.
 */
import {
  DescribeInstancesCommand,
  DescribeInstanceTypeOfferingsCommand,
  DescribeKeyPairsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeInternetGatewaysCommand,
  DescribeVpcsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { DescribeRepositoriesCommand, ECRClient, RepositoryNotFoundException } from "@aws-sdk/client-ecr";
import { GetPolicyCommand, IAMClient, NoSuchEntityException } from "@aws-sdk/client-iam";
import { GetBucketEncryptionCommand, HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { GetServiceQuotaCommand, ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { isolateAws } from "../../helpers/aws-env.js";
import { fileBatchStore } from "../../../src/orchestrator/batch-store.js";
import { loadRecord, type BatchRequest } from "../../../src/orchestrator/batch-record.js";
import { planBatch } from "../../../src/orchestrator/plan.js";
import {
  awsPreflight,
  bucketKmsKey,
  batchIdUsedElsewhere,
  describePlan,
  findBoundary,
  prepareBatch,
} from "../../../src/orchestrator/prepare.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const ec2 = mockClient(EC2Client);
const s3 = mockClient(S3Client);
const quotas = mockClient(ServiceQuotasClient);
const ecr = mockClient(ECRClient);
const sts = mockClient(STSClient);
const iam = mockClient(IAMClient);
const tempDir = useTempDir();

const boundaryArn = "arn:aws:iam::123456789012:policy/aws-bench/aws-bench-batch-boundary-us-east-1";
/** GetPolicy's answer for the boundary bootstrap made with `bucket` (the SDK's shape of a real response). */
const boundaryPolicy = (bucket: string) => ({
  Policy: {
    PolicyName: "aws-bench-batch-boundary-us-east-1",
    PolicyId: "ANPA2MOCKMOCKMOCKMOCK",
    Arn: boundaryArn,
    Path: "/aws-bench/",
    DefaultVersionId: "v1",
    AttachmentCount: 0,
    PermissionsBoundaryUsageCount: 2,
    IsAttachable: true,
    Description: "aws-bench: the most a batch instance role may do (results upload, image pull, Session Manager)",
    CreateDate: new Date("2026-11-01T09:00:00Z"),
    UpdateDate: new Date("2026-11-01T09:00:00Z"),
    Tags: [
      { Key: "aws-bench:role", Value: "long-lived" },
      { Key: "aws-bench:created-by", Value: "admin@host" },
      { Key: "aws-bench:results-bucket", Value: bucket },
    ],
  },
});

const request: BatchRequest = {
  instanceTypes: ["m7i.large", "c7g.large"],
  benchmarks: ["stream", "hpl", "coremark"],
  repeat: 1,
  spot: false,
  quick: false,
  region: "us-east-1",
  resultsBucket: "team-results",
};

beforeEach(() => {
  for (const mock of [ec2, s3, quotas, ecr, sts, iam]) mock.reset();
  isolateAws(true);
  sts.on(GetCallerIdentityCommand).resolves({
    UserId: "AROA2MOCKMOCKMOCKMOCK:ci-session",
    Account: "123456789012",
    Arn: "arn:aws:sts::123456789012:assumed-role/aws-bench-ci/ci-session",
  });
  iam.on(GetPolicyCommand, { PolicyArn: boundaryArn }).resolves(boundaryPolicy("team-results"));
  // No image cache in the region (aws-bench bootstrap not run): images go to the batch's own repository.
  ecr
    .on(DescribeRepositoriesCommand)
    .rejects(new RepositoryNotFoundException({ message: "The repository does not exist", $metadata: {} }));
  s3.on(HeadBucketCommand).resolves({ BucketRegion: "us-east-1" });
  // S3's default since 2023: S3-managed keys, nothing for the instances to be granted.
  s3.on(GetBucketEncryptionCommand).resolves({
    ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }] },
  });
  ec2.on(DescribeInstanceTypeOfferingsCommand).resolves({
    InstanceTypeOfferings: [
      { InstanceType: "m7i.large", LocationType: "availability-zone-id", Location: "use1-az4" },
      { InstanceType: "m7i.large", LocationType: "availability-zone-id", Location: "use1-az6" },
      { InstanceType: "c7g.large", LocationType: "availability-zone-id", Location: "use1-az6" },
      // A Local Zone the account opted into: offered, but no place for a batch's network or instances.
      { InstanceType: "m7i.large", LocationType: "availability-zone-id", Location: "use1-qro1-az1" },
    ],
  });
  ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
  // One VPC in the account (the quota check counts it); it carries no batch's tags.
  ec2.on(DescribeVpcsCommand).callsFake((input: { Filters?: Array<{ Name?: string }> }) =>
    Promise.resolve({
      Vpcs: input.Filters?.some((f) => f.Name?.startsWith("tag:")) ? [] : [{ VpcId: "vpc-0ccc1111bbbb22220" }],
    }),
  );
  ec2.on(DescribeInternetGatewaysCommand).resolves({ InternetGateways: [{ InternetGatewayId: "igw-1" }] });
  quotas.on(GetServiceQuotaCommand).callsFake((input: { QuotaCode: string }) => ({
    Quota: { QuotaCode: input.QuotaCode, Value: input.QuotaCode === "L-1216C47A" ? 3 : 5, ServiceCode: "ec2" },
  }));
});
afterEach(() => vi.unstubAllEnvs());

function prepare(req: BatchRequest, skipQuotaCheck = false, backendTag = "file:///state") {
  const dir = tempDir();
  const store = fileBatchStore(join(dir, "state"), `file://${dir}/state`);
  const progress: string[] = [];
  const run = prepareBatch(req, store, {
    backendUrl: store.url,
    createdBy: "test@host",
    progress: (line) => progress.push(line),
    plan: (r) => planBatch(r),
    preflight: (plan) =>
      awsPreflight(plan, req, { region: req.region, skipQuotaCheck, progress: (line) => progress.push(line) }),
    now: new Date("2026-11-28T12:00:00Z"),
    batchId: "20261128t120000z-ab12cd",
    batchIdUsedElsewhere: (id) => batchIdUsedElsewhere(id, backendTag, req.region, { region: req.region }),
  });
  return { run, store, progress };
}

describe("prepareBatch", () => {
  it("plans, checks the account, skips what does not fit (with the quota and the fix), and stores the record", async () => {
    const { run, store, progress } = prepare(request);
    const { record } = await run;
    // 3 standard vCPUs: m7i.large (2) fits, then c7g.large (2) does not.
    expect(record.instances.find((i) => i.instanceType === "c7g.large")?.skipped).toMatch(
      /L-1216C47A\): needs 2 vCPUs, 1 available; .*request-service-quota-increase/,
    );
    expect(record.instances.find((i) => i.instanceType === "m7i.large")?.skipped).toBeUndefined();
    expect(record.spec.instanceTypes).toEqual(["m7i.large"]);
    // Zones are pinned at planning time for what launches: each instance's zone, the network's, the offerings.
    expect(record.spec.zones).toEqual({ instances: { "m7i.large/0": "use1-az4" }, network: ["use1-az4", "use1-az6"] });
    expect(record.zoneRetry).toEqual({ offerings: { "m7i.large": ["use1-az4", "use1-az6"] }, retried: [] });
    expect(record.spec.imageCache).toBeUndefined();
    expect(progress.join("\n")).toMatch(/skipping c7g\.large/);
    expect((await loadRecord(store, "20261128t120000z-ab12cd")).expiresAt).toBe(record.expiresAt);
    expect(describePlan(record)).toMatch(/m7i\.large #0: ~\d+ min \(at most \d+\), \$[\d.]+\/h/);
  });

  it("skips types the region does not offer, and refuses when nothing can run (no record)", async () => {
    ec2.on(DescribeInstanceTypeOfferingsCommand).resolves({ InstanceTypeOfferings: [] });
    const { run, store } = prepare(request, true);
    await expect(run).rejects.toThrow(/No instance type of the batch can run .*m7i\.large \(not offered in us-east-1/);
    expect(await store.read("20261128t120000z-ab12cd", "batch.json")).toBeUndefined();
  });

  it("refuses a results bucket in another region, or one that does not exist", async () => {
    // Asked in the wrong region, S3 answers 301 with the bucket's region in a header.
    s3.on(HeadBucketCommand).rejects(
      Object.assign(new Error("UnknownError"), {
        name: "301",
        $metadata: { httpStatusCode: 301 },
        $response: { statusCode: 301, headers: { "x-amz-bucket-region": "eu-west-1" } },
      }),
    );
    await expect(prepare(request).run).rejects.toThrow(/team-results is in eu-west-1, but the batch runs in us-east-1/);
    s3.on(HeadBucketCommand).resolves({ BucketRegion: "eu-west-2" });
    await expect(prepare(request).run).rejects.toThrow(/team-results is in eu-west-2/);
    s3.on(HeadBucketCommand).rejects(
      Object.assign(new Error("NotFound"), { name: "NotFound", $metadata: { httpStatusCode: 404 } }),
    );
    await expect(prepare(request).run).rejects.toThrow(/results bucket team-results does not exist/);
  });

  it("refuses, before anything is stored or created, when bootstrap's boundary for batch roles is missing", async () => {
    iam.on(GetPolicyCommand).rejects(
      new NoSuchEntityException({
        message: `Policy ${boundaryArn} does not exist or is not attachable.`,
        $metadata: { httpStatusCode: 404 },
      }),
    );
    const { run, store } = prepare(request, true);
    await expect(run).rejects.toMatchObject({
      code: "InvalidArgument",
      message: expect.stringContaining(`permissions boundary ${boundaryArn} does not exist`),
      fix: expect.stringContaining("aws-bench bootstrap --region us-east-1"),
    });
    expect(await store.list()).toEqual([]);
    // Nothing after the boundary was asked: no offerings, no quotas.
    expect(ec2.commandCalls(DescribeInstanceTypeOfferingsCommand)).toEqual([]);
    expect(iam.commandCalls(GetPolicyCommand)[0]?.args[0].input).toEqual({ PolicyArn: boundaryArn });
  });

  it("refuses a results bucket other than the one the boundary lets instances write to", async () => {
    iam.on(GetPolicyCommand).resolves(boundaryPolicy("bootstrap-results"));
    await expect(prepare(request, true).run).rejects.toMatchObject({
      code: "InvalidArgument",
      message: expect.stringContaining("team-results is not the one the batch roles' boundary lets instances write to"),
      fix: "Use --results-bucket bootstrap-results, the bucket `aws-bench bootstrap` made in us-east-1.",
    });
  });

  it("grants the instances the results bucket's own KMS key: found by ARN or bare id, refused by alias", async () => {
    const encryption = (key?: string) =>
      s3.on(GetBucketEncryptionCommand).resolves({
        ServerSideEncryptionConfiguration: {
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", ...(key ? { KMSMasterKeyID: key } : {}) },
              BucketKeyEnabled: true,
            },
          ],
        },
      });
    const keyArn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const lines: string[] = [];
    const keyOf = () =>
      bucketKmsKey(new S3Client({ region: "us-east-1" }), "team-results", "us-east-1", {
        region: "us-east-1",
        progress: (line) => lines.push(line),
      });
    encryption("1234abcd-12ab-34cd-56ef-1234567890ab");
    expect(await keyOf()).toBe(keyArn);
    // AWS's own aws/s3 key: its key policy admits the account's S3 callers, nothing to grant.
    encryption();
    expect(await keyOf()).toBeUndefined();
    encryption("arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    await expect(keyOf()).rejects.toThrow(/which is not in us-east-1/);
    // Not allowed to read it: a warning, no grant.
    s3.on(GetBucketEncryptionCommand).rejects(Object.assign(new Error("Access Denied"), { name: "AccessDenied" }));
    expect(await keyOf()).toBeUndefined();
    expect(lines.join("\n")).toMatch(/s3:GetEncryptionConfiguration denied/);
    // By alias: refused before anything is stored.
    encryption("alias/results");
    const refused = prepare(request);
    await expect(refused.run).rejects.toThrow(/encrypts with the KMS key 'alias\/results', named by alias/);
    expect(await refused.store.read("20261128t120000z-ab12cd", "batch.json")).toBeUndefined();
    // By ARN: recorded in the spec, from which the program grants it (test/unit/stacks/program.test.ts).
    encryption(keyArn);
    expect((await prepare(request).run).record.spec.resultsKmsKeyArn).toBe(keyArn);
  });

  it("refuses a batch above --max-cost before storing anything", async () => {
    const { run, store } = prepare({ ...request, maxCostUsd: 0.01 }, true);
    await expect(run).rejects.toThrow(/expected to cost \$[\d.]+ .*above --max-cost 0\.01/);
    expect(await store.read("20261128t120000z-ab12cd", "batch.json")).toBeUndefined();
  });

  it("in an existing subnet: reads its VPC and zone, checks the security group is in that VPC, skips types its zone does not offer", async () => {
    ec2.on(DescribeSubnetsCommand).resolves({
      Subnets: [
        {
          SubnetId: "subnet-0123456789abcdef0",
          VpcId: "vpc-0aaa1111bbbb22220",
          AvailabilityZone: "us-east-1a",
          AvailabilityZoneId: "use1-az4",
          MapPublicIpOnLaunch: true,
        },
      ],
    });
    ec2
      .on(DescribeSecurityGroupsCommand)
      .resolves({ SecurityGroups: [{ GroupId: "sg-0123456789abcdef0", VpcId: "vpc-0aaa1111bbbb22220" }] });
    ec2.on(DescribeInstanceTypeOfferingsCommand).resolves({
      InstanceTypeOfferings: [
        { InstanceType: "m7i.large", LocationType: "availability-zone-id", Location: "use1-az4" },
      ],
    });
    ec2.on(DescribeKeyPairsCommand).resolves({ KeyPairs: [{ KeyName: "me" }] });
    const req: BatchRequest = {
      ...request,
      network: { subnetId: "subnet-0123456789abcdef0", securityGroupId: "sg-0123456789abcdef0" },
      ssh: { keyName: "me" },
    };
    const { record } = await prepare(req, true).run;
    expect(ec2.commandCalls(DescribeInstanceTypeOfferingsCommand)[0]?.args[0].input).toMatchObject({
      LocationType: "availability-zone-id",
      Filters: expect.arrayContaining([{ Name: "location", Values: ["use1-az4"] }]),
    });
    expect(record.instances.find((i) => i.instanceType === "c7g.large")?.skipped).toMatch(
      /not offered in zone use1-az4 of subnet subnet-0123456789abcdef0/,
    );
    expect(record.spec.network).toEqual({
      subnetId: "subnet-0123456789abcdef0",
      vpcId: "vpc-0aaa1111bbbb22220",
      securityGroupId: "sg-0123456789abcdef0",
    });
    expect(record.spec.ssh).toEqual({ keyName: "me" });
    ec2
      .on(DescribeSecurityGroupsCommand)
      .resolves({ SecurityGroups: [{ GroupId: "sg-0123456789abcdef0", VpcId: "vpc-0bbb1111bbbb22220" }] });
    await expect(
      prepare(
        { ...req, network: { subnetId: "subnet-0123456789abcdef0", securityGroupId: "sg-0123456789abcdef0" } },
        true,
      ).run,
    ).rejects.toThrow(
      /sg-0123456789abcdef0 is in vpc-0bbb1111bbbb22220, subnet subnet-0123456789abcdef0 in vpc-0aaa1111bbbb22220/,
    );
    ec2
      .on(DescribeSubnetsCommand)
      .rejects(Object.assign(new Error("The subnet ID does not exist"), { name: "InvalidSubnetID.NotFound" }));
    await expect(prepare({ ...req, network: { subnetId: "subnet-0123456789abcdef0" } }, true).run).rejects.toThrow(
      /Subnet subnet-0123456789abcdef0 does not exist in us-east-1/,
    );
  });

  it("refuses a key pair the region does not have, before anything is built", async () => {
    ec2
      .on(DescribeKeyPairsCommand)
      .rejects(Object.assign(new Error("The key pair 'nope' does not exist"), { name: "InvalidKeyPair.NotFound" }));
    await expect(prepare({ ...request, ssh: { keyName: "nope", cidr: "203.0.113.0/24" } }, true).run).rejects.toThrow(
      /Key pair 'nope' does not exist in us-east-1/,
    );
  });

  it("refuses when no VPC is left in the region", async () => {
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: Array.from({ length: 5 }, (_, i) => ({ VpcId: `vpc-${i}` })) });
    await expect(prepare(request).run).rejects.toThrow(/needs one more of VPCs per Region \(L-F678F1CE\)/);
  });
});

describe("findBoundary", () => {
  it("names the boundary from the caller's account and partition, and returns it when it names the bucket", async () => {
    await expect(findBoundary("us-east-1", "team-results", {})).resolves.toBe(boundaryArn);
    sts.on(GetCallerIdentityCommand).resolves({
      UserId: "AIDA2MOCKMOCKMOCKMOCK",
      Account: "210987654321",
      Arn: "arn:aws-us-gov:iam::210987654321:user/bench",
    });
    const govArn = "arn:aws-us-gov:iam::210987654321:policy/aws-bench/aws-bench-batch-boundary-us-gov-west-1";
    iam.on(GetPolicyCommand, { PolicyArn: govArn }).resolves({
      Policy: { ...boundaryPolicy("team-results").Policy, Arn: govArn, Tags: [] },
    });
    // A boundary without the bucket tag (made by hand) is taken as it is.
    await expect(findBoundary("us-gov-west-1", "team-results", {})).resolves.toBe(govArn);
  });

  it("turns a refusal to read it into AccessDenied naming the action", async () => {
    iam.on(GetPolicyCommand).rejects(
      Object.assign(new Error("User is not authorized to perform: iam:GetPolicy"), {
        name: "AccessDenied",
        $fault: "client",
        $metadata: { httpStatusCode: 403 },
      }),
    );
    await expect(findBoundary("us-east-1", "team-results", {})).rejects.toMatchObject({
      code: "AccessDenied",
      message: expect.stringContaining("iam:GetPolicy"),
    });
  });
});

describe("a chosen batch id", () => {
  const id = "20261128t120000z-ab12cd";
  const tagged = (backend: string) => [
    { Key: "aws-bench:batch", Value: id },
    { Key: "aws-bench:backend", Value: backend },
  ];

  it("is free when nothing carries it, or only this backend's resources do", async () => {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    expect(await batchIdUsedElsewhere(id, "s3://ours/state", "us-east-1", { region: "us-east-1" })).toBeUndefined();
    ec2
      .on(DescribeVpcsCommand)
      .resolves({ Vpcs: [{ VpcId: "vpc-0aaa1111bbbb22220", Tags: tagged("s3://ours/state") }] });
    expect(await batchIdUsedElsewhere(id, "s3://ours/state", "us-east-1", { region: "us-east-1" })).toBeUndefined();
    expect(ec2.commandCalls(DescribeVpcsCommand).at(-1)?.args[0].input.Filters).toEqual([
      { Name: "tag:aws-bench:batch", Values: [id] },
    ]);
  });

  it("used by another backend's instance or VPC: refused before a record is written", async () => {
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [{ InstanceId: "i-0aaaaaaaaaaaaaaa1", Tags: tagged("s3://theirs/state") }] }],
    });
    expect(await batchIdUsedElsewhere(id, "s3://ours/state", "us-east-1", { region: "us-east-1" })).toBe(
      "s3://theirs/state",
    );
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    ec2
      .on(DescribeVpcsCommand)
      .resolves({ Vpcs: [{ VpcId: "vpc-0aaa1111bbbb22220", Tags: tagged("s3://theirs/state") }] });
    const { run, store } = prepare(request, true, "s3://ours/state");
    await expect(run).rejects.toThrow(
      /Batch id 20261128t120000z-ab12cd is already used in us-east-1 by s3:\/\/theirs\/state/,
    );
    expect(await store.read(id, "batch.json")).toBeUndefined();
  });
});

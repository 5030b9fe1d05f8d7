/**
 * The lifecycle commands end to end as a user or CI runs them — `preview`, `up`, `status`, `collect`, `destroy`,
 * `list`, and `run` — with the real program under mocks behind the engine double, an in-memory AWS for the bucket
 * and instances, and aws-sdk-client-mock for the preflight calls. Each step rebuilds its workspace from the
 * record stored on the (file) backend.
 */
import {
  DescribeInstanceTypeOfferingsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { DescribeRepositoriesCommand, ECRClient } from "@aws-sdk/client-ecr";
import { GetPolicyCommand, IAMClient } from "@aws-sdk/client-iam";
import { GetBucketEncryptionCommand, HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { isolateAws } from "../helpers/aws-env.js";
import { ExitCode } from "../../src/cli/errors.js";
import { memoryIo } from "../../src/cli/io.js";
import { exec } from "../../src/cli/main.js";
import { overrideDependencies } from "../../src/orchestrator/setup.js";
import { FakeWorld } from "../helpers/fake-batch-world.js";
import { FakeEngine } from "../helpers/fake-engine.js";
import { useTempDir } from "../helpers/temp-dir.js";

const root = join(import.meta.dirname, "..", "..");
const tempDir = useTempDir();
const ec2 = mockClient(EC2Client);
const s3 = mockClient(S3Client);
const ecr = mockClient(ECRClient);
const sts = mockClient(STSClient);
const iam = mockClient(IAMClient);
let restore: () => void = () => undefined;
let engine: FakeEngine;
let world: FakeWorld;
let home: string;

beforeAll(() => {
  execFileSync(process.execPath, [join(root, "scripts", "bundle-runner.mjs")], { stdio: "ignore" });
}, 60_000);

beforeEach(() => {
  home = tempDir();
  ec2.reset();
  s3.reset();
  ecr.reset();
  ecr.on(DescribeRepositoriesCommand).rejects(
    Object.assign(new Error("The repository with name 'aws-bench-cache' does not exist"), {
      name: "RepositoryNotFoundException",
    }),
  );
  isolateAws(true);
  s3.on(HeadBucketCommand).resolves({ BucketRegion: "us-east-1" });
  // S3's default since 2023: S3-managed keys, nothing for the instances to be granted.
  s3.on(GetBucketEncryptionCommand).resolves({
    ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }] },
  });
  // The account was bootstrapped: the batch roles' boundary exists and names the results bucket.
  sts.reset();
  iam.reset();
  sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: "123456789012", Arn: "arn:aws:sts::123456789012:assumed-role/ci/x" });
  iam.on(GetPolicyCommand).resolves({
    Policy: {
      PolicyName: "aws-bench-batch-boundary-us-east-1",
      Arn: "arn:aws:iam::123456789012:policy/aws-bench/aws-bench-batch-boundary-us-east-1",
      Path: "/aws-bench/",
      Tags: [{ Key: "aws-bench:results-bucket", Value: "results-bucket" }],
    },
  });
  ec2.on(DescribeInstanceTypeOfferingsCommand).resolves({
    InstanceTypeOfferings: ["m7i.large", "c7g.large"].flatMap((type) =>
      ["use1-az4", "use1-az6"].map((zone) => ({
        InstanceType: type as never,
        LocationType: "availability-zone-id" as const,
        Location: zone,
      })),
    ),
  });
  engine = new FakeEngine();
  world = new FakeWorld({ finishOnLaunch: true });
  world.attach(engine);
  restore = overrideDependencies({
    engine: () => engine,
    aws: () => ({ results: world.bucket(), instances: world.watch() }),
  });
});
afterEach(() => {
  restore();
  vi.unstubAllEnvs();
});

async function cli(env: Record<string, string>, ...args: string[]) {
  const io = memoryIo({ cwd: home, env: { HOME: home, AWS_REGION: "us-east-1", ...env } });
  const code = await exec(args, io);
  return { code, out: io.out(), err: io.err() };
}

const backend = () => `s3://team-state/pulumi`;

describe("the CI steps", () => {
  it("preview → up → status → collect → destroy → list, each from the record on the backend", async () => {
    // The S3 backend's record store: an in-memory bucket behind the mocked S3 client.
    const objects = new Map<string, string>();
    const { PutObjectCommand, GetObjectCommand, ListObjectsV2Command } = await import("@aws-sdk/client-s3");
    s3.on(PutObjectCommand).callsFake((input: { Key: string; Body: string }) => {
      objects.set(input.Key, String(input.Body));
      return {};
    });
    s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
      const text = objects.get(input.Key);
      if (text === undefined)
        throw Object.assign(new Error("The specified key does not exist."), { name: "NoSuchKey" });
      return { Body: { transformToByteArray: () => Promise.resolve(new Uint8Array(Buffer.from(text))) } };
    });
    s3.on(ListObjectsV2Command).callsFake(() => ({
      CommonPrefixes: [...new Set([...objects.keys()].map((key) => key.split("/").slice(0, 4).join("/") + "/"))].map(
        (Prefix) => ({ Prefix }),
      ),
    }));
    const outputs = join(home, "github-output");
    writeFileSync(outputs, "");
    const ci = { CI: "true", PULUMI_BACKEND_URL: backend(), GITHUB_OUTPUT: outputs };

    const preview = await cli(
      ci,
      "preview",
      "--instance-types",
      "m7i.large,c7g.large",
      "--benchmarks",
      "stream",
      "--quick",
      "--results-bucket",
      "results-bucket",
      "--skip-quota-check",
    );
    // The plan is shown on stderr: per instance minutes and price, and the totals.
    expect(preview.err).toMatch(/m7i\.large #0: ~\d+ min \(at most \d+\)[\s\S]*total: ~\d+ instance-minutes/);
    expect(preview.code).toBe(ExitCode.Success);
    const batchId = /^batch (\S+)$/m.exec(preview.out)?.[1] as string;
    expect(readFileSync(outputs, "utf8")).toBe(`batch-id=${batchId}\n`);
    expect([...objects.keys()]).toEqual([`pulumi/.aws-bench/batches/${batchId}/batch.json`]);
    expect(engine.stacks.size).toBe(0); // preview creates nothing

    const up = await cli(ci, "up", "--batch", batchId);
    expect(up.code).toBe(ExitCode.Success);
    expect(up.out).toMatch(/2 of 2 instances launched/);

    // status and collect need AWS, not Pulumi: the real engine, and no `pulumi` on PATH.
    const full = { engine: () => engine, aws: () => ({ results: world.bucket(), instances: world.watch() }) };
    restore();
    restore = overrideDependencies({ aws: full.aws });
    const noPulumi = { ...ci, PATH: join(home, "no-bin") };
    const status = await cli(noPulumi, "status", "--batch", batchId, "--json");
    const shown = JSON.parse(status.out) as {
      resources: number | null;
      instances: Array<{ state: string; result: string }>;
    };
    expect(shown.instances.map((i) => [i.state, i.result])).toEqual([
      ["terminated", "success"],
      ["terminated", "success"],
    ]);
    expect(shown.resources).toBeNull();

    const collect = await cli(noPulumi, "collect", "--batch", batchId, "--out", "data/raw");
    expect([collect.code, collect.err]).toEqual([ExitCode.Success, expect.not.stringMatching(/Pulumi/)]);
    expect(existsSync(join(home, "data", "raw", "c7g.large", `${batchId}-0`, "result.json"))).toBe(true);
    restore();
    restore = overrideDependencies(full);

    const destroy = await cli(ci, "destroy", "--batch", batchId, "--yes");
    expect(destroy.code).toBe(ExitCode.Success);
    expect(engine.leftovers()).toEqual([]);
    expect(engine.stacks.size).toBe(0);

    const list = await cli(ci, "list", "--json");
    expect(JSON.parse(list.out)).toEqual([expect.objectContaining({ batchId, state: "destroyed" })]);
  });

  it("destroy without --yes and without a terminal refuses", async () => {
    const run = await cli(
      {},
      "preview",
      "--instance-types",
      "m7i.large",
      "--benchmarks",
      "stream",
      "--results-bucket",
      "results-bucket",
      "--skip-quota-check",
    );
    const batchId = /^batch (\S+)$/m.exec(run.out)?.[1] as string;
    const destroy = await cli({}, "destroy", "--batch", batchId);
    expect(destroy.err).toMatch(/ConfirmationRequired.*Pass --yes/s);
  });
});

describe("run", () => {
  it("plans, launches, collects, destroys and prints the summary (exit 0); refuses without --yes off a terminal", async () => {
    const refused = await cli(
      {},
      "run",
      "--instance-types",
      "m7i.large",
      "--benchmarks",
      "stream",
      "--quick",
      "--results-bucket",
      "results-bucket",
      "--skip-quota-check",
    );
    expect(refused.err).toMatch(
      /error \[ConfirmationRequired\]: This creates billed resources and there is no terminal/,
    );
    expect(engine.stacks.size).toBe(0);

    const ran = await cli(
      {},
      "run",
      "--instance-types",
      "m7i.large,c7g.large",
      "--benchmarks",
      "stream",
      "--quick",
      "--results-bucket",
      "results-bucket",
      "--skip-quota-check",
      "--yes",
    );
    expect(ran.code).toBe(ExitCode.Success);
    expect(ran.out).toMatch(/c7g\.large\s+0\s+us-east-1[ab]\s+succeeded/);
    expect(ran.out).toMatch(/m7i\.large\s+0\s+us-east-1[ab]\s+succeeded/);
    expect(engine.leftovers()).toEqual([]);
    expect(engine.destroyedStacks).toHaveLength(1);
  });

  it("uses the region's long-lived image cache when bootstrap made one (no batch repository)", async () => {
    ecr.on(DescribeRepositoriesCommand).resolves({
      repositories: [
        {
          repositoryName: "aws-bench-cache",
          repositoryUri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/aws-bench-cache",
          repositoryArn: "arn:aws:ecr:us-east-1:123456789012:repository/aws-bench-cache",
        },
      ],
    });
    const created: string[] = [];
    const up = engine.up.bind(engine);
    engine.up = async (ref, events, signal) => {
      const result = await up(ref, events, signal);
      created.push(...engine.leftovers().map((r) => r.type));
      return result;
    };
    const ran = await cli(
      {},
      "run",
      "--instance-types",
      "m7i.large",
      "--benchmarks",
      "stream",
      "--quick",
      "--results-bucket",
      "results-bucket",
      "--skip-quota-check",
      "--yes",
    );
    expect(ran.code).toBe(ExitCode.Success);
    expect(ran.err).toMatch(
      /images: built into and reused from 123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/aws-bench-cache/,
    );
    expect(created).toContain("docker:index/image:Image");
    expect(created).not.toContain("aws:ecr/repository:Repository");
  });

  it("in an existing subnet and security group with a key pair: no network of its own, the instance keyed, no zone retry", async () => {
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
    const created: Array<{ type: string; outputs: Record<string, unknown> }> = [];
    const up = engine.up.bind(engine);
    engine.up = async (ref, events, signal) => {
      const result = await up(ref, events, signal);
      created.push(...engine.leftovers());
      return result;
    };
    // c7g.large meets a capacity error: inside one subnet there is no other zone, so it is not retried.
    engine.faults = { launchErrors: { "c7g.large": "InsufficientInstanceCapacity" } };
    const ran = await cli(
      {},
      "run",
      "--instance-types",
      "m7i.large,c7g.large",
      "--benchmarks",
      "stream",
      "--quick",
      "--results-bucket",
      "results-bucket",
      "--skip-quota-check",
      "--yes",
      "--subnet",
      "subnet-0123456789abcdef0",
      "--security-group",
      "sg-0123456789abcdef0",
      "--key-pair",
      "me",
    );
    expect(ran.code).toBe(ExitCode.Partial);
    expect(engine.calls.filter((c) => c === "up")).toHaveLength(1);
    expect(ran.out).toMatch(/c7g\.large\s+0\s+-\s+launch-failed\s+InsufficientInstanceCapacity: AWS has no capacity/);
    expect(created.map((r) => r.type)).not.toContain("awsx:ec2:Vpc");
    expect(created.map((r) => r.type)).not.toContain("aws:ec2/securityGroup:SecurityGroup");
    expect(created.find((r) => r.type === "aws:ec2/instance:Instance")?.outputs).toMatchObject({
      subnetId: "subnet-0123456789abcdef0",
      vpcSecurityGroupIds: ["sg-0123456789abcdef0"],
      keyName: "me",
    });
  });

  it("with a capacity error for one type exits 3 and names it, after destroying", async () => {
    engine.faults = { launchErrors: { "c7g.large": "InsufficientInstanceCapacity" } };
    const ran = await cli(
      {},
      "run",
      "--instance-types",
      "m7i.large,c7g.large",
      "--benchmarks",
      "stream",
      "--quick",
      "--results-bucket",
      "results-bucket",
      "--skip-quota-check",
      "--yes",
      "--json",
    );
    expect(ran.code).toBe(ExitCode.Partial);
    const report = JSON.parse(ran.out) as {
      destroyed: boolean;
      outcomes: Array<{ instanceType: string; status: string; reason?: string }>;
    };
    expect(report.destroyed).toBe(true);
    expect(report.outcomes.find((o) => o.instanceType === "c7g.large")).toMatchObject({
      status: "launch-failed",
      reason: expect.stringContaining("InsufficientInstanceCapacity"),
    });
  });
});

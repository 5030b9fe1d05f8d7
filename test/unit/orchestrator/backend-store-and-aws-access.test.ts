/**
 * The lifecycle's own AWS calls through aws-sdk-client-mock with the SDK's response shapes: the batch store on an
 * S3 backend, the results bucket (missing keys, pagination, denied), instance states and console output; and the
 * backend URL rules, and what the tool writes on a file backend being its owner's alone.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  DescribeInstancesCommand,
  EC2Client,
  GetConsoleOutputCommand,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useTempDir } from "../../helpers/temp-dir.js";
import { isolateAws } from "../../helpers/aws-env.js";
import { batchIdTime } from "../../../stacks/batch-naming.js";
import {
  backendTag,
  defaultBackendUrl,
  requireSharedBackend,
  resolveBackend,
} from "../../../src/orchestrator/backend.js";
import { fileBatchStore, s3BatchStore } from "../../../src/orchestrator/batch-store.js";
import { ec2InstanceWatch, s3ResultsBucket } from "../../../src/orchestrator/aws-access.js";

const s3 = mockClient(S3Client);
const tempDir = useTempDir();
const ec2 = mockClient(EC2Client);
/** A GetObject body as the SDK gives it in Node: a stream with the SDK's transform helpers. */
const body = (text: string) =>
  ({
    transformToString: () => Promise.resolve(text),
    transformToByteArray: () => Promise.resolve(new Uint8Array(Buffer.from(text))),
  }) as never;

beforeEach(() => {
  s3.reset();
  ec2.reset();
  isolateAws(true);
});
afterEach(() => vi.unstubAllEnvs());

describe("backends", () => {
  it("treat an empty PULUMI_BACKEND_URL as unset, and refuse a file where the backend's directory should be", () => {
    expect(resolveBackend(undefined, { HOME: "/home/u", PULUMI_BACKEND_URL: "" }, "/w").url).toBe(
      "file:///home/u/.aws-bench/state",
    );
    const file = join(mkdtempSync(join(tmpdir(), "aws-bench-backend-")), "state");
    writeFileSync(file, "not a directory");
    expect(() => resolveBackend(`file://${file}`, {}, "/w")).toThrow(/is a file, not a directory/);
    rmSync(dirname(file), { recursive: true, force: true });
  });

  it("default to a file backend under the home, accept s3:// with prefix and query, refuse the rest", () => {
    expect(defaultBackendUrl({ HOME: "/home/u" })).toBe("file:///home/u/.aws-bench/state");
    expect(resolveBackend(undefined, { HOME: "/home/u" }, "/w")).toEqual({
      kind: "file",
      url: "file:///home/u/.aws-bench/state",
      directory: "/home/u/.aws-bench/state",
    });
    expect(resolveBackend("file://~/st", { HOME: "/home/u" }, "/w")).toMatchObject({
      kind: "file",
      directory: "/home/u/st",
    });
    expect(resolveBackend(undefined, { PULUMI_BACKEND_URL: "s3://team-state/pulumi/?region=eu-west-1" }, "/w")).toEqual(
      {
        kind: "s3",
        url: "s3://team-state/pulumi/?region=eu-west-1",
        bucket: "team-state",
        prefix: "pulumi",
        query: "?region=eu-west-1",
        access: { region: "eu-west-1" },
      },
    );
    expect(() => resolveBackend("https://api.pulumi.com", {}, "/w")).toThrow(/not a file:\/\/ or s3:\/\/ URL/);
    expect(() => resolveBackend("s3://B", {}, "/w")).toThrow(/does not name an S3 bucket/);
    expect(() => requireSharedBackend(resolveBackend("file:///tmp/x", {}, "/w"), { CI: "true" }, "up")).toThrow(
      /'up' in CI needs a shared state backend/,
    );
    expect(() => requireSharedBackend(resolveBackend("file:///tmp/x", {}, "/w"), { CI: "false" }, "up")).not.toThrow();
    expect(() => requireSharedBackend(resolveBackend("s3://bkt/p", {}, "/w"), { CI: "true" }, "up")).not.toThrow();
  });
});

describe("the backend tag", () => {
  it("is the bucket and prefix for S3 (no query), and a file backend's path with its own persistent id", () => {
    expect(backendTag(resolveBackend("s3://team-state/pulumi/?region=eu-west-1", {}, "/w"))).toBe(
      "s3://team-state/pulumi",
    );
    const dir = tempDir();
    const file = resolveBackend(`file://${dir}/st ate`, {}, "/w");
    expect(() => resolveBackend("file:///tmp/100%", {}, "/w")).toThrow(/not a valid file URL/);
    const first = backendTag(file);
    expect(first).toMatch(/^file:\/\/\/.*st_20ate@[0-9a-f]{12}$/);
    expect(backendTag(file)).toBe(first);
    // Every character is one AWS accepts in a tag value.
    expect(first).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u);
    // Another machine's (here: another directory's) file backend gets its own id.
    expect(backendTag(resolveBackend(`file://${dir}/elsewhere`, {}, "/w"))).not.toBe(first);
    expect(batchIdTime("20261128t120000z-ab12cd")?.toISOString()).toBe("2026-11-28T12:00:00.000Z");
    expect(batchIdTime("latest")).toBeUndefined();
  });
});

/** Permission bits of a path. */
const modeOf = (path: string) => statSync(path).mode & 0o777;

describe("a file backend's own files", () => {
  it("the backend id and the batch records are the owner's alone: folders 0700, files 0600", async () => {
    const home = tempDir();
    const directory = join(home, ".aws-bench", "state");
    backendTag(resolveBackend(`file://${directory}`, {}, "/w"));
    for (const dir of [join(home, ".aws-bench"), directory, join(directory, ".aws-bench")])
      expect(modeOf(dir), dir).toBe(0o700);
    expect(modeOf(join(directory, ".aws-bench", "backend-id"))).toBe(0o600);

    const store = fileBatchStore(directory, `file://${directory}`);
    await store.write("20261128t120000z-ab12cd", "batch.json", "{}\n");
    await store.write("20261128t120000z-ab12cd", "batch.json", '{"again":true}\n');
    const batchDir = join(directory, ".aws-bench", "batches", "20261128t120000z-ab12cd");
    expect([modeOf(join(directory, ".aws-bench", "batches")), modeOf(batchDir)]).toEqual([0o700, 0o700]);
    expect(modeOf(join(batchDir, "batch.json"))).toBe(0o600);
    expect(await store.read("20261128t120000z-ab12cd", "batch.json")).toBe('{"again":true}\n');
  });
});

describe("the batch store on an S3 backend", () => {
  it("writes and reads beside the state under the prefix, lists batch ids over pages, and answers undefined for a missing record", async () => {
    const store = s3BatchStore(new S3Client({ region: "us-east-1" }), "team-state", "pulumi", "s3://team-state/pulumi");
    s3.on(PutObjectCommand).resolves({});
    await store.write("20261128t120000z-ab12cd", "batch.json", "{}");
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({
      Bucket: "team-state",
      Key: "pulumi/.aws-bench/batches/20261128t120000z-ab12cd/batch.json",
      ContentType: "application/json",
    });
    s3.on(GetObjectCommand, { Key: "pulumi/.aws-bench/batches/20261128t120000z-ab12cd/batch.json" }).resolves({
      Body: body('{"a":1}'),
    });
    s3.on(GetObjectCommand, { Key: "pulumi/.aws-bench/batches/20261128t120000z-ffffff/batch.json" }).rejects(
      new NoSuchKey({ message: "The specified key does not exist.", $metadata: {} }),
    );
    expect(await store.read("20261128t120000z-ab12cd", "batch.json")).toBe('{"a":1}');
    expect(await store.read("20261128t120000z-ffffff", "batch.json")).toBeUndefined();
    s3.on(ListObjectsV2Command)
      .resolvesOnce({
        CommonPrefixes: [{ Prefix: "pulumi/.aws-bench/batches/20261128t120000z-bbbbbb/" }],
        IsTruncated: true,
        NextContinuationToken: "t1",
      })
      .resolvesOnce({
        CommonPrefixes: [{ Prefix: "pulumi/.aws-bench/batches/20261128t110000z-aaaaaa/" }],
        IsTruncated: false,
      });
    expect(await store.list()).toEqual(["20261128t110000z-aaaaaa", "20261128t120000z-bbbbbb"]);
    expect(s3.commandCalls(ListObjectsV2Command)[1]?.args[0].input).toMatchObject({
      ContinuationToken: "t1",
      Delimiter: "/",
    });
  });
});

describe("the results bucket", () => {
  it("reads objects, answers undefined for missing keys, lists over pages and names a denial", async () => {
    const bucket = s3ResultsBucket(new S3Client({ region: "eu-west-1" }), "results", "eu-west-1");
    s3.on(GetObjectCommand, { Key: "batches/x/status.json" }).resolves({ Body: body('{"state":"success"}') });
    s3.on(GetObjectCommand, { Key: "batches/y/status.json" }).rejects(
      new NoSuchKey({ message: "The specified key does not exist.", $metadata: {} }),
    );
    expect((await bucket.get("batches/x/status.json"))?.toString()).toBe('{"state":"success"}');
    expect(await bucket.get("batches/y/status.json")).toBeUndefined();
    s3.on(ListObjectsV2Command)
      .resolvesOnce({ Contents: [{ Key: "a" }], IsTruncated: true, NextContinuationToken: "n" })
      .resolvesOnce({ Contents: [{ Key: "b" }], IsTruncated: false });
    expect(await bucket.list("batches/")).toEqual(["a", "b"]);
    s3.on(GetObjectCommand, { Key: "denied" }).rejects(
      Object.assign(new Error("Access Denied"), { name: "AccessDenied", $metadata: { httpStatusCode: 403 } }),
    );
    await expect(bucket.get("denied")).rejects.toThrow(/Not allowed to call s3:GetObject in eu-west-1/);
  });
});

describe("instance watch", () => {
  it("reports states with their reasons and zones over pages, and decodes console output", async () => {
    const watch = ec2InstanceWatch(new EC2Client({ region: "us-east-1" }), "us-east-1");
    ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce({
        Reservations: [
          {
            Instances: [
              {
                InstanceId: "i-1",
                State: { Name: "running", Code: 16 },
                Placement: { AvailabilityZone: "us-east-1a" },
              },
            ],
          },
        ],
        NextToken: "p2",
      })
      .resolvesOnce({
        Reservations: [
          {
            Instances: [
              {
                InstanceId: "i-2",
                State: { Name: "terminated", Code: 48 },
                StateReason: {
                  Code: "Server.SpotInstanceTermination",
                  Message: "Server.SpotInstanceTermination: Spot instance termination",
                },
              },
            ],
          },
        ],
      });
    expect(await watch.states(["i-1", "i-2", "i-3"])).toEqual({
      "i-1": { state: "running", zone: "us-east-1a" },
      "i-2": { state: "terminated", reason: "Server.SpotInstanceTermination: Spot instance termination" },
    });
    expect(ec2.commandCalls(DescribeInstancesCommand)[0]?.args[0].input.Filters).toEqual([
      { Name: "instance-id", Values: ["i-1", "i-2", "i-3"] },
    ]);
    expect(await watch.states([])).toEqual({});
    ec2
      .on(GetConsoleOutputCommand)
      .resolves({ InstanceId: "i-1", Output: Buffer.from("cloud-init: done\n").toString("base64") });
    expect(await watch.consoleOutput("i-1")).toBe("cloud-init: done\n");
  });

  it("finds a batch's instances by the managed-by, batch and backend tags together, each with its planned instance", async () => {
    const watch = ec2InstanceWatch(new EC2Client({ region: "us-east-1" }), "us-east-1");
    const tags = [
      { Key: "aws-bench:managed-by", Value: "aws-bench" },
      { Key: "aws-bench:batch", Value: "20261128t120000z-ab12cd" },
      { Key: "aws-bench:backend", Value: "s3://team-state/pulumi" },
    ];
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            {
              InstanceId: "i-0aaaaaaaaaaaaaaa1",
              State: { Name: "running", Code: 16 },
              Placement: { AvailabilityZone: "us-east-1b" },
              LaunchTime: new Date("2026-11-28T12:03:00Z"),
              Tags: [...tags, { Key: "aws-bench:instance", Value: "c7g.large/1" }],
            },
            // Launched by an older aws-bench (no instance tag), or the tag edited: still the batch's, no plan.
            { InstanceId: "i-0bbbbbbbbbbbbbbb2", State: { Name: "pending", Code: 0 }, Tags: tags },
            {
              InstanceId: "i-0ccccccccccccccc3",
              State: { Name: "running", Code: 16 },
              Tags: [...tags, { Key: "aws-bench:instance", Value: "c7g.large/1; reboot" }],
            },
          ],
        },
      ],
    });
    expect(await watch.ofBatch("20261128t120000z-ab12cd", "s3://team-state/pulumi")).toEqual([
      {
        id: "i-0aaaaaaaaaaaaaaa1",
        state: "running",
        zone: "us-east-1b",
        launchTime: "2026-11-28T12:03:00.000Z",
        planned: { instanceType: "c7g.large", repeat: 1 },
      },
      { id: "i-0bbbbbbbbbbbbbbb2", state: "pending" },
      { id: "i-0ccccccccccccccc3", state: "running" },
    ]);
    expect(ec2.commandCalls(DescribeInstancesCommand).at(-1)?.args[0].input.Filters).toEqual([
      { Name: "tag:aws-bench:managed-by", Values: ["aws-bench"] },
      { Name: "tag:aws-bench:batch", Values: ["20261128t120000z-ab12cd"] },
      { Name: "tag:aws-bench:backend", Values: ["s3://team-state/pulumi"] },
    ]);
  });

  it("terminates exactly the instances it is given, in one call, and nothing when given none", async () => {
    const watch = ec2InstanceWatch(new EC2Client({ region: "us-east-1" }), "us-east-1");
    ec2.on(TerminateInstancesCommand).resolves({
      TerminatingInstances: [
        {
          InstanceId: "i-0aaaaaaaaaaaaaaa1",
          PreviousState: { Code: 16, Name: "running" },
          CurrentState: { Code: 32, Name: "shutting-down" },
        },
      ],
    });
    await watch.terminate([]);
    expect(ec2.commandCalls(TerminateInstancesCommand)).toHaveLength(0);
    await watch.terminate(["i-0aaaaaaaaaaaaaaa1"]);
    expect(ec2.commandCalls(TerminateInstancesCommand).map((call) => call.args[0].input)).toEqual([
      { InstanceIds: ["i-0aaaaaaaaaaaaaaa1"] },
    ]);
    ec2.on(TerminateInstancesCommand).rejects(
      Object.assign(new Error("You are not authorized to perform this operation."), {
        name: "UnauthorizedOperation",
      }),
    );
    await expect(watch.terminate(["i-0aaaaaaaaaaaaaaa1"])).rejects.toMatchObject({
      code: "AccessDenied",
      message: expect.stringContaining("ec2:TerminateInstances") as string,
    });
  });
});

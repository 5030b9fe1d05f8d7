/**
 * The contract between `up` and `cleanup`: the tags the real batch program writes (run under the shared Pulumi
 * mock table with a spec built the way `preview`/`run` build it) are the tags `aws-bench cleanup` compares. The
 * program's tags are put on an in-memory AWS account (test/helpers/fake-aws-account.ts, behind the real SDK
 * clients through aws-sdk-client-mock), then the cleanup command runs end to end on the same backend: it sweeps
 * that batch, and nothing of another backend's batch with the same id, also without the Pulumi CLI.
 */
import { EC2Client } from "@aws-sdk/client-ec2";
import { ECRClient } from "@aws-sdk/client-ecr";
import { IAMClient } from "@aws-sdk/client-iam";
import { mockClient } from "aws-sdk-client-mock";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { ExitCode } from "../../src/cli/errors.js";
import { memoryIo } from "../../src/cli/io.js";
import { exec } from "../../src/cli/main.js";
import { backendTag, resolveBackend } from "../../src/orchestrator/backend.js";
import { newBatchRecord, saveRecord, stackOf, type BatchRequest } from "../../src/orchestrator/batch-record.js";
import { batchStoreFor } from "../../src/orchestrator/batch-store.js";
import { overrideDependencies } from "../../src/orchestrator/setup.js";
import { runBatchProgramUnderMocks, type DeclaredResource } from "../../stacks/program-under-mocks.js";
import { isolateAws } from "../helpers/aws-env.js";
import { FakeAwsAccount, type FakeBatch, type Tags } from "../helpers/fake-aws-account.js";
import { fakeAccount, FakeEngine } from "../helpers/fake-engine.js";
import { planFor, quickRequest } from "../helpers/plans.js";

const ec2 = mockClient(EC2Client);
const iam = mockClient(IAMClient);
const ecr = mockClient(ECRClient);
const batchId = "20261128t120000z-ab12cd";
const request: BatchRequest = quickRequest();

let home: string;
let declared: DeclaredResource[];
let fake: FakeAwsAccount;
let restore: () => void = () => undefined;

/** The tool's tags (`aws-bench:*`) of a declared resource, without the per-instance ones (instance, image digest). */
function toolTags(resource: DeclaredResource): Tags {
  const tags = (resource.inputs["tags"] ?? {}) as Tags;
  return Object.fromEntries(
    Object.entries(tags).filter(
      ([key]) => key.startsWith("aws-bench:") && key !== "aws-bench:instance" && key !== "aws-bench:image-digest",
    ),
  );
}

beforeAll(async () => {
  // One home for the whole file: the record, the backend's id (its tag) and the program's tags belong together.
  home = mkdtempSync(join(tmpdir(), "aws-bench-test-"));
  const backend = resolveBackend(undefined, { HOME: home }, home);
  // Pulumi has kept state here: its stacks can be listed only with the Pulumi CLI.
  mkdirSync(join(backend.kind === "file" ? backend.directory : home, ".pulumi"), { recursive: true });
  // Created five hours ago: expired, and past cleanup's grace, now.
  const record = await newBatchRecord(
    request,
    planFor(request),
    { skipped: {} },
    {
      batchId,
      backend: backend.url,
      backendTag: backendTag(backend),
      createdBy: "tester@host",
      now: new Date(Date.now() - 5 * 3_600_000),
    },
  );
  await saveRecord(batchStoreFor(backend), record);
  declared = (await runBatchProgramUnderMocks(stackOf(record).config, fakeAccount)).resources;
}, 120_000);
afterAll(() => rmSync(home, { recursive: true, force: true }));

beforeEach(() => {
  isolateAws(true);
  fake = new FakeAwsAccount();
  // The command sleeps in real time: instances terminate and release their interfaces at once.
  fake.terminationTicks = 0;
  fake.eniReleaseTicks = 0;
  fake.install({ ec2, iam, ecr });
});
afterEach(() => {
  restore();
  vi.unstubAllEnvs();
});

async function cleanupCommand(...args: string[]) {
  const io = memoryIo({ cwd: home, env: { HOME: home, PATH: join(home, "no-bin") } });
  const code = await exec(["cleanup", "--region", "us-east-1", ...args], io);
  return { code, out: io.out(), err: io.err() };
}

/** The batch as the program declares it, in the fake account; and another backend's batch with the same id. */
function deployed(): { ours: FakeBatch; theirs: FakeBatch } {
  const instance = declared.find((r) => r.type === "aws:ec2/instance:Instance") as DeclaredResource;
  const tags = toolTags(instance);
  const ours = fake.addBatch(tags);
  const theirs = fake.addBatch({ ...tags, "aws-bench:backend": "s3://another-team/state" });
  return { ours, theirs };
}

describe("the tags up writes are the tags cleanup compares", () => {
  it("every taggable resource of the program carries the same tool tags, naming this backend and batch", () => {
    const taggable = declared.filter((r) => r.inputs["tags"] !== undefined);
    // The awsx VPC is a component: it passes its tags to the VPC, subnets, route tables and gateway it makes.
    expect(new Set(taggable.map((r) => r.type))).toEqual(
      new Set([
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:iam/role:Role",
        "aws:iam/instanceProfile:InstanceProfile",
        "aws:ecr/repository:Repository",
        "aws:ec2/instance:Instance",
        "awsx:ec2:Vpc",
      ]),
    );
    const first = toolTags(taggable[0] as DeclaredResource);
    for (const resource of taggable) expect([resource.type, toolTags(resource)]).toEqual([resource.type, first]);
    expect(first["aws-bench:batch"]).toBe(batchId);
    expect(first["aws-bench:stack"]).toBe(`batch-${batchId}`);
    expect(first["aws-bench:managed-by"]).toBe("aws-bench");
    expect(first["aws-bench:backend"]).toMatch(/^file:\/\/.*@[0-9a-f]{12}$/);
    const instance = declared.find((r) => r.type === "aws:ec2/instance:Instance");
    expect((instance?.inputs["tags"] as Tags)["aws-bench:instance"]).toBe("m7i.large/0");
  });

  it("cleanup --yes sweeps this backend's expired batch whole and leaves another backend's", async () => {
    restore = overrideDependencies({ engine: () => new FakeEngine() });
    const { ours, theirs } = deployed();
    const before = fake.remainsOf(theirs);
    const { code, out, err } = await cleanupCommand("--yes");
    expect([code, err]).toEqual([ExitCode.Success, ""]);
    expect(out).toMatch(/leftovers: 1[0-9] deleted, 0 failed/);
    expect(fake.remainsOf(ours)).toEqual([]);
    expect(fake.remainsOf(theirs)).toEqual(before);
  }, 60_000);

  it("without the Pulumi CLI: the sweep still runs (the batch is past its expiry) and the stack is named as left", async () => {
    const { ours, theirs } = deployed();
    const before = fake.remainsOf(theirs);
    const { code, out, err } = await cleanupCommand("--yes");
    expect(err).toMatch(/The Pulumi CLI is not installed.*leftovers are swept only past their expiry/);
    expect(out).toMatch(
      new RegExp(`batch ${batchId}: needs-pulumi \\(expired at .*; the Pulumi CLI is not installed\\)`),
    );
    expect(fake.remainsOf(ours)).toEqual([]);
    expect(fake.remainsOf(theirs)).toEqual(before);
    // Its stack could not be destroyed: work left undone.
    expect(code).toBe(ExitCode.Failure);
  }, 60_000);

  it("a dry run without the Pulumi CLI lists and changes nothing", async () => {
    const { ours } = deployed();
    const before = fake.remainsOf(ours);
    const { code, out } = await cleanupCommand();
    expect(code).toBe(ExitCode.Success);
    expect(out).toMatch(/dry run/);
    expect(out).toMatch(/1[0-9] would be deleted/);
    expect(fake.remainsOf(ours)).toEqual(before);
    expect(fake.log).toEqual([]);
  }, 60_000);
});

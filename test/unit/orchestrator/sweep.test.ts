/**
 * The tagged-resource sweep against an in-memory AWS account (test/helpers/fake-aws-account.ts, which enforces
 * AWS's delete-order rules): what it deletes, in which order, what it leaves, and how it reports.
 */
import { DescribeInstancesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { DescribeRepositoriesCommand, ECRClient } from "@aws-sdk/client-ecr";
import { IAMClient, ListRolesCommand, ListRoleTagsCommand, type Role } from "@aws-sdk/client-iam";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { BenchError } from "../../../src/errors.js";
import {
  createSweepJudge,
  isSameBackend,
  parseExpiresAt,
  sweepTaggedResources,
  type SweepActionEvent,
  type SweepEvent,
  type SweepOptions,
} from "../../../src/orchestrator/sweep.js";
import { batchTags } from "../../../stacks/batch-naming.js";
import { ec2Error, FakeAwsAccount, iamError, type FakeBatch, type Tags } from "../../helpers/fake-aws-account.js";

const ec2Mock = mockClient(EC2Client);
const iamMock = mockClient(IAMClient);
const ecrMock = mockClient(ECRClient);
const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" };
const clients = {
  ec2: new EC2Client({ region: "us-east-1", credentials }),
  iam: new IAMClient({ region: "us-east-1", credentials }),
  ecr: new ECRClient({ region: "us-east-1", credentials }),
};

function allCalls() {
  return [...ec2Mock.calls(), ...iamMock.calls(), ...ecrMock.calls()];
}

/** Every call any mock received whose command changes something (anything but Describe*, List*). */
function mutatingCalls(): string[] {
  return allCalls()
    .map((call) => (call.args[0] as { constructor: { name: string } }).constructor.name)
    .filter((name) => !/^(Describe|List)/.test(name));
}

// ---- scenario helpers ----

const hereBackend = "file:///home/u/.aws-bench/state";
const otherBackend = "s3://team-state/state";
const now = new Date("2026-12-01T12:00:00Z");
const minute = 60_000;
const hour = 60 * minute;

function tagsOf(batchId: string, expiresAt: Date, backend: string, keep = false): Tags {
  return batchTags({ batchId, createdBy: "ci-job", expiresAt, backend, userTags: { team: "perf" }, keep });
}

let fake: FakeAwsAccount;

beforeEach(() => {
  fake = new FakeAwsAccount();
  fake.install({ ec2: ec2Mock, iam: iamMock, ecr: ecrMock });
});

async function sweep(options: Partial<SweepOptions> & { liveStacks?: string[] } = {}) {
  const events: SweepEvent[] = [];
  const asked: string[] = [];
  const sleeps: number[] = [];
  const { liveStacks = [], ...rest } = options;
  const summary = await sweepTaggedResources(clients, {
    now,
    graceMs: hour,
    backend: hereBackend,
    stackExists: (batchId) => {
      asked.push(batchId);
      return Promise.resolve(liveStacks.includes(batchId));
    },
    dryRun: false,
    report: (event) => events.push(event),
    sleep: (ms) => {
      sleeps.push(ms);
      fake.tick();
      return Promise.resolve();
    },
    instanceWait: { pollMs: 5_000, timeoutMs: 60_000 },
    dependencyRetry: { attempts: 4, delayMs: 2_000 },
    ...rest,
  });
  return { summary, events, asked, sleeps };
}

/** The ids a batch's stack created, as `kind id` (what the sweep reports). */
function resourcesOf(batch: FakeBatch): string[] {
  return [
    ...batch.instances.map((instance) => `instance ${instance.id}`),
    `security-group ${batch.group.id}`,
    ...batch.tables.map((table) => `route-table ${table.id}`),
    ...batch.subnets.map((subnet) => `subnet ${subnet.id}`),
    `internet-gateway ${batch.gateway.id}`,
    `vpc ${batch.vpc.id}`,
    `instance-profile ${batch.profile.name}`,
    `iam-role ${batch.role.name}`,
    `ecr-repository ${batch.repository.name}`,
  ].sort();
}

/** Everything the fake still holds of a batch, including the parts AWS created for it (ENIs, volumes, defaults). */
function leftOf(batch: FakeBatch): string[] {
  return fake.remainsOf(batch);
}

function actionsOf(events: SweepEvent[], batch: FakeBatch): SweepEvent[] {
  return events.filter((event) => event.batchId === batch.batchId);
}

function described(events: SweepEvent[]): string[] {
  return events.map((event) => `${event.kind} ${event.id}`).sort();
}

// ---- tests ----

describe("sweepTaggedResources", () => {
  it("sweeps an expired batch completely, in dependency order, waiting for termination and retrying while interfaces are released", async () => {
    const batch = fake.addBatch(tagsOf("20261130t100000z-aaaaaa", new Date(now.getTime() - 2 * hour), hereBackend), {
      ssm: true,
      strayEni: true,
    });
    const [associationA, associationB] = batch.tables.map((table) => table.associations[0]?.id);
    const [policy] = [...batch.role.inline];
    const { summary, events, asked, sleeps } = await sweep();

    expect(leftOf(batch)).toEqual([]);
    expect(summary).toMatchObject({
      deleted: resourcesOf(batch).length + 1,
      failed: 0,
      wouldDelete: 0,
      untouched: 0,
      left: [],
      failures: [],
    });
    expect(events.every((event) => event.action === "deleted" && event.reason === "expired")).toBe(true);
    expect(described(events)).toEqual([...resourcesOf(batch), `network-interface ${batch.strayEni?.id}`].sort());
    // Expiry alone decides: the backend is not asked about its stack.
    expect(asked).toEqual([]);

    const [instance] = batch.instances;
    const [subnetA, subnetB] = batch.subnets;
    const [tableA, tableB] = batch.tables;
    expect(fake.log).toEqual([
      `TerminateInstances ${instance?.id}`,
      `terminated ${instance?.id}`,
      `DeleteNetworkInterface ${batch.strayEni?.id}`,
      // the instance's own interface was still being released at the first attempt: DependencyViolation, retried
      `DeleteSecurityGroup ${batch.group.id}`,
      `DisassociateRouteTable ${associationA}`,
      `DeleteRouteTable ${tableA?.id}`,
      `DisassociateRouteTable ${associationB}`,
      `DeleteRouteTable ${tableB?.id}`,
      `DeleteSubnet ${subnetA?.id}`,
      `DeleteSubnet ${subnetB?.id}`,
      `DetachInternetGateway ${batch.gateway.id}`,
      `DeleteInternetGateway ${batch.gateway.id}`,
      `DeleteVpc ${batch.vpc.id}`,
      `RemoveRoleFromInstanceProfile ${batch.profile.name}/${batch.role.name}`,
      `DeleteInstanceProfile ${batch.profile.name}`,
      `DeleteRolePolicy ${batch.role.name}/${policy}`,
      `DetachRolePolicy ${batch.role.name}/arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore`,
      `DeleteRole ${batch.role.name}`,
      `DeleteRepository ${batch.repository.name}`,
    ]);
    // two polls while shutting down, then one retry of the security group while its interface is released
    expect(sleeps).toEqual([5_000, 5_000, 2_000]);
  });

  it("deletes volumes and interfaces that outlive their instance, once it is terminated", async () => {
    const batch = fake.addBatch(tagsOf("20261130t100000z-aaaaaa", new Date(now.getTime() - 2 * hour), hereBackend));
    const [instance] = batch.instances;
    const tags = batch.vpc.tags;
    const outlives = { instanceId: instance?.id as string, deleteOnTermination: false };
    fake.addVolume({ id: "vol-data", attachment: outlives, tags });
    fake.addVolume({ id: "vol-detached", tags });
    fake.addNetworkInterface({
      id: "eni-secondary",
      subnetId: instance?.subnetId as string,
      groupIds: [batch.group.id],
      attachment: outlives,
    });

    const { summary, events } = await sweep();

    expect(leftOf(batch)).toEqual([]);
    expect(fake.volumes.size + fake.networkInterfaces.size).toBe(0);
    expect(summary.failed).toBe(0);
    expect(described(events.filter((event) => event.kind === "volume" || event.kind === "network-interface"))).toEqual([
      "network-interface eni-secondary",
      "volume vol-data",
      "volume vol-detached",
    ]);
    expect(fake.log.indexOf("DeleteVolume vol-data")).toBeGreaterThan(fake.log.indexOf(`terminated ${instance?.id}`));
  });

  it("never touches another backend's batch, live, in its grace period or long expired", async () => {
    const theirs = fake.addBatch(tagsOf("20261201t110000z-bbbbbb", new Date(now.getTime() + 3 * hour), otherBackend));
    const theirsInGrace = fake.addBatch(
      tagsOf("20261201t090000z-bbbbb2", new Date(now.getTime() - 30 * minute), otherBackend),
    );
    // Expired a day ago: that backend's own cleanup decides about it, not this one.
    const theirsExpired = fake.addBatch(
      tagsOf("20261130t090000z-bbbbb3", new Date(now.getTime() - 24 * hour), otherBackend),
    );
    const expired = fake.addBatch(tagsOf("20261130t090000z-cccccc", new Date(now.getTime() - 5 * hour), hereBackend));
    const before = [...leftOf(theirs), ...leftOf(theirsInGrace), ...leftOf(theirsExpired)];

    const { summary, events, asked } = await sweep({ liveStacks: [] });

    expect([...leftOf(theirs), ...leftOf(theirsInGrace), ...leftOf(theirsExpired)]).toEqual(before);
    const theirIds = before.map((line) => line.split(" ")[1] as string);
    expect(fake.log.filter((line) => theirIds.some((id) => line.includes(id)))).toEqual([]);
    expect(actionsOf(events, theirs)).toEqual([]);
    expect(actionsOf(events, theirsInGrace)).toEqual([]);
    expect(actionsOf(events, theirsExpired)).toEqual([]);
    expect(asked).toEqual([]);
    expect(leftOf(expired)).toEqual([]);
    // Not this backend's: not counted as its live batches either.
    expect(summary).toMatchObject({ untouched: 0, kept: 0, left: [] });
  });

  it("sweeps this backend's batch whose stack is gone, before its expiry, asking the backend once", async () => {
    const orphan = fake.addBatch(tagsOf("20261201t100000z-dddddd", new Date(now.getTime() + 5 * hour), hereBackend), {
      instances: 2,
    });
    const { summary, events, asked } = await sweep({ liveStacks: [] });

    expect(leftOf(orphan)).toEqual([]);
    expect(asked).toEqual(["20261201t100000z-dddddd"]);
    expect(described(events)).toEqual(resourcesOf(orphan));
    expect(events.every((event) => event.action === "deleted" && event.reason === "stack-gone")).toBe(true);
    expect(summary.failed).toBe(0);
  });

  it("matches the backend tag with or without a trailing slash", async () => {
    const orphan = fake.addBatch(
      tagsOf("20261201t100000z-dddddd", new Date(now.getTime() + 5 * hour), `${hereBackend}/`),
    );
    await sweep({ liveStacks: [] });
    expect(leftOf(orphan)).toEqual([]);
  });

  it("leaves this backend's live batch alone", async () => {
    const live = fake.addBatch(tagsOf("20261201t113000z-eeeeee", new Date(now.getTime() + 2 * hour), hereBackend));
    const before = leftOf(live);
    const { summary, events, asked } = await sweep({ liveStacks: ["20261201t113000z-eeeeee"] });

    expect(leftOf(live)).toEqual(before);
    expect(mutatingCalls()).toEqual([]);
    expect(events).toEqual([]);
    expect(asked).toEqual(["20261201t113000z-eeeeee"]);
    expect(summary).toMatchObject({ deleted: 0, failed: 0, untouched: 11 });
  });

  it("leaves a batch within its grace period and sweeps one just past it", async () => {
    const inGrace = fake.addBatch(
      tagsOf("20261201t080000z-ffffff", new Date(now.getTime() - hour + minute), hereBackend),
    );
    const pastGrace = fake.addBatch(
      tagsOf("20261201t070000z-ffffff", new Date(now.getTime() - hour - minute), hereBackend),
    );
    const before = leftOf(inGrace);
    // Both stacks still exist, so expiry alone decides.
    const { events } = await sweep({
      graceMs: hour,
      liveStacks: ["20261201t080000z-ffffff", "20261201t070000z-ffffff"],
    });

    expect(leftOf(inGrace)).toEqual(before);
    expect(actionsOf(events, inGrace)).toEqual([]);
    expect(leftOf(pastGrace)).toEqual([]);
    expect(described(actionsOf(events, pastGrace))).toEqual(resourcesOf(pastGrace));
  });

  it("never deletes an interface an AWS service manages, even in the batch's own VPC", async () => {
    const expired = fake.addBatch(tagsOf("20261130t100000z-aaaaaa", new Date(now.getTime() - 2 * hour), hereBackend));
    const endpoint = fake.addNetworkInterface({
      subnetId: (expired.subnets[0] as { id: string }).id,
      groupIds: [expired.group.id],
      requesterManaged: true,
    });
    const { events } = await sweep();
    expect(fake.inventory()).toContain(`eni ${endpoint.id}`);
    expect(fake.log.filter((line) => line.includes(endpoint.id))).toEqual([]);
    // The VPC it holds stays, reported with AWS's reason.
    expect(events).toContainEqual(
      expect.objectContaining({
        kind: "vpc",
        id: expired.vpc.id,
        action: "failed",
        error: expect.stringContaining("DependencyViolation") as string,
      }),
    );
  });

  it("in a dry run deletes nothing and lists everything it would delete", async () => {
    const expired = fake.addBatch(tagsOf("20261130t100000z-aaaaaa", new Date(now.getTime() - 2 * hour), hereBackend), {
      instances: 2,
      strayEni: true,
    });
    const orphan = fake.addBatch(tagsOf("20261201t100000z-dddddd", new Date(now.getTime() + 5 * hour), hereBackend));
    const live = fake.addBatch(tagsOf("20261201t113000z-eeeeee", new Date(now.getTime() + 2 * hour), hereBackend));
    const before = fake.inventory();

    const { summary, events, sleeps } = await sweep({ dryRun: true, liveStacks: ["20261201t113000z-eeeeee"] });

    expect(mutatingCalls()).toEqual([]);
    expect(fake.inventory()).toEqual(before);
    expect(fake.log).toEqual([]);
    expect(sleeps).toEqual([]);
    expect(events.every((event) => event.action === "would-delete")).toBe(true);
    expect(described(actionsOf(events, expired))).toEqual(
      [...resourcesOf(expired), `network-interface ${expired.strayEni?.id}`].sort(),
    );
    expect(described(actionsOf(events, orphan))).toEqual(resourcesOf(orphan));
    expect(actionsOf(events, live)).toEqual([]);
    expect(summary).toMatchObject({
      dryRun: true,
      deleted: 0,
      wouldDelete: resourcesOf(expired).length + 1 + resourcesOf(orphan).length,
      failed: 0,
      untouched: 11,
    });
    // Listed in the order a real sweep acts.
    const kinds = events.map((event) => event.kind);
    const order = [
      "instance",
      "network-interface",
      "security-group",
      "route-table",
      "subnet",
      "internet-gateway",
      "vpc",
      "instance-profile",
      "iam-role",
      "ecr-repository",
    ];
    expect([...new Set(kinds)]).toEqual(order);
  });

  it("goes on after a failed delete, and reports it and what it blocked with AWS's message", async () => {
    const first = fake.addBatch(tagsOf("20261130t100000z-aaaaaa", new Date(now.getTime() - 2 * hour), hereBackend));
    const second = fake.addBatch(tagsOf("20261130t110000z-bbbbbb", new Date(now.getTime() - 2 * hour), hereBackend));
    fake.failOn(
      "DeleteSecurityGroup",
      first.group.id,
      ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."),
    );
    fake.failOn(
      "DeleteRole",
      second.role.name,
      iamError("DeleteConflict", "Cannot delete entity, must detach all policies first."),
    );

    const { summary, events } = await sweep();

    expect(summary.failures.map((event) => [event.kind, event.id, event.error])).toEqual([
      ["security-group", first.group.id, "UnauthorizedOperation: You are not authorized to perform this operation."],
      ["vpc", first.vpc.id, `DependencyViolation: The vpc '${first.vpc.id}' has dependencies and cannot be deleted.`],
      ["iam-role", second.role.name, "DeleteConflict: Cannot delete entity, must detach all policies first."],
    ]);
    expect(summary.failed).toBe(3);
    expect(events.filter((event) => event.action === "failed")).toEqual(summary.failures);
    // Everything else of both batches went.
    expect(leftOf(first)).toEqual(
      [
        `sg ${first.group.id}`,
        `vpc ${first.vpc.id}`,
        `sg ${first.defaultGroup.id}`,
        `rtb ${first.mainTable.id} 0`,
      ].sort(),
    );
    expect(leftOf(second)).toEqual([`role ${second.role.name} `]);
    expect(summary.deleted).toBe(resourcesOf(first).length - 2 + resourcesOf(second).length - 1);
  });

  it("reads every page of every listing", async () => {
    fake.pageSize = 1;
    const batches = ["20261130t100000z-aaaaa1", "20261130t100000z-aaaaa2", "20261130t100000z-aaaaa3"].map((id) =>
      fake.addBatch(tagsOf(id, new Date(now.getTime() - 2 * hour), hereBackend)),
    );
    const { summary } = await sweep();

    for (const batch of batches) expect(leftOf(batch)).toEqual([]);
    expect(summary).toMatchObject({ deleted: 33, failed: 0 });
    const served = (operation: string) =>
      fake.pagesServed.filter((line) => line.startsWith(`${operation} `)).map((line) => line.split(" ")[1]);
    // the tag-key discovery; the termination wait asks by instance id afterwards
    expect(served("DescribeInstances").slice(0, 3)).toEqual(["first", "page-1", "page-2"]);
    expect(served("DescribeSubnets")).toEqual(["first", "page-1", "page-2", "page-3", "page-4", "page-5"]);
    // two tagged route tables per batch (the untagged main ones are filtered out by AWS)
    expect(served("DescribeRouteTables")).toEqual(["first", "page-1", "page-2", "page-3", "page-4", "page-5"]);
    expect(served("ListRoles")).toEqual(["first", "page-1", "page-2"]);
    expect(served("ListInstanceProfiles")).toEqual(["first", "page-1", "page-2"]);
    expect(served("DescribeRepositories")).toEqual(["first", "page-1", "page-2"]);
    // a role's 7 tags, one per page
    expect(iamMock.commandCalls(ListRoleTagsCommand, { RoleName: batches[0]?.role.name })).toHaveLength(7);
  });

  it("leaves untagged resources and resources without the batch tag alone", async () => {
    const vpc = fake.addVpc({ id: "vpc-users", tags: { Name: "theirs" } });
    fake.addSubnet({ id: "subnet-users", vpcId: vpc.id });
    fake.addSecurityGroup({
      id: "sg-users",
      vpcId: vpc.id,
      name: "web",
      tags: { [`aws-bench:expires-at`]: "2020-01-01T00:00:00Z" },
    });
    fake.addInternetGateway({ id: "igw-users", vpcId: vpc.id });
    fake.addInstance({ subnetId: "subnet-users", groupIds: ["sg-users"], tags: { Name: "web-1" } });
    fake.addNetworkInterface({ id: "eni-users-spare", subnetId: "subnet-users", groupIds: ["sg-users"] });
    fake.addRole({
      name: "deploy",
      tags: { "aws-bench:expires-at": "2020-01-01T00:00:00Z", "aws-bench:backend": hereBackend },
      inlinePolicies: ["p"],
    });
    fake.addRole({ name: "untagged" });
    fake.addInstanceProfile({ name: "deploy", tags: { team: "perf" }, roleNames: ["deploy"] });
    fake.addRepository({ name: "app", tags: { team: "perf" }, images: 4 });
    const expired = fake.addBatch(tagsOf("20261130t100000z-aaaaaa", new Date(now.getTime() - 2 * hour), hereBackend));
    const theirs = fake.inventory().filter((line) => !leftOf(expired).includes(line));

    const { events, summary } = await sweep();

    expect(leftOf(expired)).toEqual([]);
    expect(fake.inventory()).toEqual(theirs);
    expect(events.filter((event) => !event.batchId.startsWith("20261130t100000z"))).toEqual([]);
    expect(summary.untouched).toBe(0);
  });

  it("reports and leaves a resource whose expiry cannot be read, unless its own backend says the stack is gone", async () => {
    const unreadable = fake.addBatch({
      ...tagsOf("20261130t100000z-aaaaaa", now, hereBackend),
      "aws-bench:expires-at": "next tuesday",
    });
    const withoutExpiry = tagsOf("20261130t100000z-bbbbbb", now, hereBackend);
    delete withoutExpiry["aws-bench:expires-at"];
    const noExpiry = fake.addBatch(withoutExpiry);
    const orphan = fake.addBatch({
      ...tagsOf("20261130t100000z-cccccc", now, hereBackend),
      "aws-bench:expires-at": "2026-13-45",
    });
    const before = [...leftOf(unreadable), ...leftOf(noExpiry)];

    const { events, summary } = await sweep({ liveStacks: ["20261130t100000z-aaaaaa", "20261130t100000z-bbbbbb"] });

    expect([...leftOf(unreadable), ...leftOf(noExpiry)]).toEqual(before);
    expect(leftOf(orphan)).toEqual([]);
    const left = events.filter((event) => event.action === "left");
    expect(described(left)).toEqual([...resourcesOf(unreadable), ...resourcesOf(noExpiry)].sort());
    expect(left.find((event) => event.batchId === "20261130t100000z-aaaaaa")).toMatchObject({
      problem: "aws-bench:expires-at 'next tuesday' is not an ISO 8601 UTC time",
    });
    expect(left.find((event) => event.batchId === "20261130t100000z-bbbbbb")).toMatchObject({
      problem: "no aws-bench:expires-at tag",
    });
    expect(summary.left).toEqual(left);
    expect(described(actionsOf(events, orphan))).toEqual(resourcesOf(orphan));
  });

  it("bounds the wait for an instance that does not terminate, reports it, and still sweeps the rest", async () => {
    fake.terminationTicks = Number.POSITIVE_INFINITY;
    const stuck = fake.addBatch(tagsOf("20261130t100000z-aaaaaa", new Date(now.getTime() - 2 * hour), hereBackend));
    const { summary, sleeps } = await sweep({ instanceWait: { pollMs: 5_000, timeoutMs: 20_000 } });

    expect(sleeps.slice(0, 4)).toEqual([5_000, 5_000, 5_000, 5_000]);
    expect(
      ec2Mock
        .commandCalls(DescribeInstancesCommand)
        .filter((call) => call.args[0].input.Filters?.[0]?.Name === "instance-id"),
    ).toHaveLength(5);
    const failure = (kind: string) => summary.failures.find((event: SweepActionEvent) => event.kind === kind)?.error;
    expect(failure("instance")).toBe("still shutting-down 20 s after TerminateInstances");
    expect(failure("security-group")).toMatch(/^DependencyViolation: resource sg-/);
    expect(failure("subnet")).toMatch(/^DependencyViolation/);
    expect(failure("internet-gateway")).toMatch(
      /^DetachInternetGateway from vpc-\w+: DependencyViolation: Network vpc-\w+ has some mapped public address/,
    );
    expect(failure("vpc")).toMatch(/^DependencyViolation/);
    // The route tables, IAM and ECR did not depend on the instance.
    expect(leftOf(stuck).filter((line) => /^(role|profile|repository|rtb)/.test(line))).toEqual([
      `rtb ${stuck.mainTable.id} 0`,
    ]);
  });

  it("deletes nothing when a listing fails, and says which permission is missing", async () => {
    const expired = fake.addBatch(tagsOf("20261130t100000z-aaaaaa", new Date(now.getTime() - 2 * hour), hereBackend));
    ecrMock
      .on(DescribeRepositoriesCommand)
      .rejects(
        Object.assign(
          new Error("User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecr:DescribeRepositories"),
          { name: "AccessDeniedException" },
        ),
      );
    const before = leftOf(expired);

    const error = await sweep().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(BenchError);
    expect(error).toMatchObject({
      code: "AccessDenied",
      message: "Not allowed to call ecr:DescribeRepositories (AccessDeniedException).",
    });
    expect(mutatingCalls()).toEqual([]);
    expect(leftOf(expired)).toEqual(before);
  });

  it("leaves a production VPC that carries a copied batch tag but not the tool's own tags", async () => {
    const copied = tagsOf("20261130t100000z-aaaaaa", new Date(now.getTime() - 2 * hour), hereBackend);
    delete copied["aws-bench:managed-by"];
    delete copied["aws-bench:stack"];
    const production = fake.addBatch({ ...copied, Name: "production" });
    // The tool's tags, but a stack tag that is not this batch's stack: not provably ours either.
    const mismatched = fake.addBatch({
      ...tagsOf("20261130t100000z-bbbbbb", new Date(now.getTime() - 2 * hour), hereBackend),
      "aws-bench:stack": "batch-20261130t100000z-aaaaaa",
    });
    const before = fake.inventory();

    const { summary, events, asked } = await sweep({ liveStacks: [] });

    expect(fake.inventory()).toEqual(before);
    expect(mutatingCalls()).toEqual([]);
    expect(events).toEqual([]);
    expect(asked).toEqual([]);
    expect(summary).toMatchObject({ deleted: 0, untouched: 0, kept: 0, left: [] });
    expect(leftOf(production)).toHaveLength(15);
    expect(leftOf(mismatched)).toHaveLength(15);
  });

  it("deletes network resources only inside the batch's own VPC: never a user's VPC, subnet or gateway", async () => {
    const tags = tagsOf("20261130t100000z-aaaaaa", new Date(now.getTime() - 2 * hour), hereBackend);
    // A --subnet batch: the user's VPC and subnet; the batch's own group and instance in them.
    const vpc = fake.addVpc({ id: "vpc-users", tags: { Name: "production" } });
    fake.addSubnet({ id: "subnet-users", vpcId: vpc.id });
    fake.addSecurityGroup({ id: "sg-batch", vpcId: vpc.id, name: "batch-sg", tags });
    const instance = fake.addInstance({ subnetId: "subnet-users", groupIds: ["sg-batch"], tags, volumeTags: tags });
    // Resources tagged as ours inside (or attached to) that VPC, as a copied tag set would make them.
    fake.addSubnet({ id: "subnet-tagged", vpcId: vpc.id, tags });
    fake.addRouteTable({ id: "rtb-tagged", vpcId: vpc.id, subnetIds: ["subnet-tagged"], tags });
    fake.addInternetGateway({ id: "igw-tagged", vpcId: vpc.id, tags });
    fake.addNetworkInterface({ id: "eni-tagged", subnetId: "subnet-users", groupIds: ["sg-batch"], tags });

    const { summary, events } = await sweep({ liveStacks: [] });

    expect(fake.inventory().filter((line) => /users|tagged|sg-batch/.test(line))).toEqual(
      [
        "eni eni-tagged",
        "igw igw-tagged vpc-users",
        "rtb rtb-tagged 1",
        "sg sg-batch",
        "subnet subnet-tagged",
        "subnet subnet-users",
        "vpc vpc-users",
      ].sort(),
    );
    expect(fake.log).toContain(`TerminateInstances ${instance.id}`);
    const problem = "in vpc-users, which is not a VPC this sweep deletes for batch 20261130t100000z-aaaaaa";
    expect(summary.left.map((event) => [event.kind, event.id, event.problem])).toEqual([
      ["network-interface", "eni-tagged", problem],
      ["security-group", "sg-batch", problem],
      ["route-table", "rtb-tagged", problem],
      ["subnet", "subnet-tagged", problem],
      ["internet-gateway", "igw-tagged", problem],
    ]);
    expect(described(events.filter((event) => event.action !== "left"))).toEqual([`instance ${instance.id}`]);
  });

  it("deletes roles and profiles only under the tool's own IAM path, whatever the listing answers", async () => {
    const expired = fake.addBatch(tagsOf("20261130t100000z-aaaaaa", new Date(now.getTime() - 2 * hour), hereBackend));
    const tags = tagsOf("20261130t100000z-bbbbbb", new Date(now.getTime() - 2 * hour), hereBackend);
    fake.addRole({ name: "prod-deploy", path: "/prod/", tags, inlinePolicies: ["deploy"] });
    // A PathPrefix answer that does not hold: every role, whatever its path.
    const asRole = (name: string, path: string): Role => ({
      RoleName: name,
      Path: path,
      RoleId: `AROA${name.toUpperCase().replace(/[^A-Z0-9]/g, "")}`,
      Arn: `arn:aws:iam::123456789012:role${path}${name}`,
      CreateDate: new Date("2026-11-01T00:00:00Z"),
    });
    iamMock.on(ListRolesCommand).resolves({
      Roles: [asRole(expired.role.name, expired.role.path), asRole("prod-deploy", "/prod/")],
      IsTruncated: false,
    });

    const { events } = await sweep();

    expect(fake.inventory()).toContain("role prod-deploy deploy");
    expect(fake.log.filter((line) => line.includes("prod-deploy"))).toEqual([]);
    expect(events.filter((event) => event.id === "prod-deploy")).toEqual([]);
    expect(leftOf(expired)).toEqual([]);
  });

  it("leaves a batch run with --keep past its expiry, and sweeps it with includeKept", async () => {
    const kept = fake.addBatch(
      tagsOf("20261130t100000z-aaaaaa", new Date(now.getTime() - 2 * hour), hereBackend, true),
    );
    expect(kept.vpc.tags["aws-bench:keep"]).toBe("true");
    const before = leftOf(kept);

    const first = await sweep({ liveStacks: [] });

    expect(leftOf(kept)).toEqual(before);
    expect(mutatingCalls()).toEqual([]);
    expect(first.events).toEqual([]);
    expect(first.asked).toEqual([]);
    expect(first.summary).toMatchObject({ deleted: 0, untouched: 0, kept: 11 });

    const second = await sweep({ includeKept: true });

    expect(leftOf(kept)).toEqual([]);
    expect(described(second.events)).toEqual(resourcesOf(kept));
    expect(second.events.every((event) => event.action === "deleted" && event.reason === "expired")).toBe(true);
  });

  it("refuses a negative grace or an empty backend before calling AWS", async () => {
    await expect(sweep({ graceMs: -1 })).rejects.toMatchObject({ code: "InvalidArgument" });
    await expect(sweep({ backend: " " })).rejects.toMatchObject({ code: "InvalidArgument" });
    expect(allCalls()).toEqual([]);
  });
});

describe("the sweep's rules", () => {
  const judge = (stackExists: (batchId: string) => Promise<boolean>) =>
    createSweepJudge({ now, graceMs: hour, backend: hereBackend, stackExists });
  const tags = (expiresAt: Date, backend = hereBackend) => tagsOf("20261201t100000z-abcdef", expiresAt, backend);

  it("leaves a batch alone when its backend cannot be asked, unless it is expired", async () => {
    const failing = judge(() => Promise.reject(new Error("AccessDenied on s3://team-state")));
    expect(await failing(tags(new Date(now.getTime() + hour)))).toEqual({
      sweep: false,
      batchId: "20261201t100000z-abcdef",
      problem: `could not ask ${hereBackend} whether stack batch-20261201t100000z-abcdef exists: AccessDenied on s3://team-state`,
    });
    expect(await failing(tags(new Date(now.getTime() - 2 * hour)))).toEqual({
      sweep: true,
      batchId: "20261201t100000z-abcdef",
      reason: "expired",
    });
  });

  it("sweeps by expiry only strictly after expiry plus grace", async () => {
    const live = judge(() => Promise.resolve(true));
    // Exactly at the end of the grace period: still left.
    expect(await live(tags(new Date(now.getTime() - hour)))).toEqual({
      sweep: false,
      batchId: "20261201t100000z-abcdef",
    });
    // One second later (tags hold seconds): swept.
    expect(await live(tags(new Date(now.getTime() - hour - 1_000)))).toMatchObject({ sweep: true, reason: "expired" });
  });

  it("does not ask a backend about a batch tag that is not a batch id", async () => {
    const asked: string[] = [];
    const recordingJudge = judge((id) => {
      asked.push(id);
      return Promise.resolve(false);
    });
    const verdict = await recordingJudge({ ...tags(new Date(now.getTime() + hour)), "aws-bench:batch": "../../x" });
    // Its stack tag cannot name that batch's stack: not provably ours, so not even reported.
    expect(verdict).toEqual({ sweep: false });
    expect(asked).toEqual([]);
  });

  it("reads expiry only as ISO 8601 UTC", () => {
    expect(parseExpiresAt("2026-12-01T12:00:00Z")?.toISOString()).toBe("2026-12-01T12:00:00.000Z");
    expect(parseExpiresAt("2026-12-01T12:00:00+01:00")).toBeUndefined();
    expect(parseExpiresAt("2026-02-30T12:00:00Z")).toBeUndefined();
    expect(parseExpiresAt("2026-13-45T00:00:00Z")).toBeUndefined();
    expect(parseExpiresAt(undefined)).toBeUndefined();
  });

  it("compares backends exactly, ignoring a trailing slash", () => {
    expect(isSameBackend("s3://team-state/state/", "s3://team-state/state")).toBe(true);
    expect(isSameBackend("s3://team-state/state", "s3://team-state/state-2")).toBe(false);
    expect(isSameBackend("", "s3://team-state/state")).toBe(false);
    const long = `s3://bucket/${"x".repeat(300)}`;
    expect(isSameBackend(long.slice(0, 256), long)).toBe(true);
  });
});

/**
 * The fake AWS account's own rules (test/helpers/fake-aws-account.ts), exercised through the real SDK clients,
 * commands and paginators: every dependency rule its spec claims fails in the wrong order with AWS's error and
 * succeeds in the right one; filters and pages behave as EC2's, IAM's and ECR's do.
 */
import {
  DeleteInternetGatewayCommand,
  DeleteNetworkInterfaceCommand,
  DeleteRouteTableCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DeleteVolumeCommand,
  DeleteVpcCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVolumesCommand,
  DescribeVpcsCommand,
  DetachInternetGatewayCommand,
  DisassociateRouteTableCommand,
  EC2Client,
  RunInstancesCommand,
  TerminateInstancesCommand,
  paginateDescribeSubnets,
  type Filter,
} from "@aws-sdk/client-ec2";
import {
  DeleteRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  ListTagsForResourceCommand,
  paginateDescribeRepositories,
} from "@aws-sdk/client-ecr";
import {
  DeleteConflictException,
  DeleteInstanceProfileCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  IAMClient,
  ListInstanceProfilesCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
  NoSuchEntityException,
  RemoveRoleFromInstanceProfileCommand,
  paginateListRoles,
} from "@aws-sdk/client-iam";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { ec2Error, FakeAwsAccount, type FakeVpc } from "../../helpers/fake-aws-account.js";

const mocks = { ec2: mockClient(EC2Client), iam: mockClient(IAMClient), ecr: mockClient(ECRClient) };
const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" };
const ec2 = new EC2Client({ region: "us-east-1", credentials });
const iam = new IAMClient({ region: "us-east-1", credentials });
const ecr = new ECRClient({ region: "us-east-1", credentials });

let fake: FakeAwsAccount;
beforeEach(() => {
  fake = new FakeAwsAccount();
  fake.install(mocks);
});

/** The EC2 error AWS answers, as the SDK throws it. */
const ec2Failure = (code: string) => expect.objectContaining({ name: code, Code: code, $fault: "client" });
/** The IAM error AWS answers, as the SDK throws it: the modelled class, AWS's code in `Code`. */
const iamFailure = (code: "DeleteConflict" | "NoSuchEntity", message?: RegExp) =>
  expect.objectContaining({
    name: `${code}Exception`,
    Code: code,
    $fault: "client",
    $metadata: expect.objectContaining({ httpStatusCode: code === "DeleteConflict" ? 409 : 404 }),
    ...(message ? { message: expect.stringMatching(message) } : {}),
  });

/** A VPC with a subnet, a security group, a running instance in them, and an attached internet gateway. */
function network() {
  const vpc = fake.addVpc({ tags: { Name: "net" } });
  const subnet = fake.addSubnet({ vpcId: vpc.id, tags: { Name: "net-a" } });
  const group = fake.addSecurityGroup({ vpcId: vpc.id, name: "web", tags: { Name: "web" } });
  const gateway = fake.addInternetGateway({ vpcId: vpc.id });
  const instance = fake.addInstance({ subnetId: subnet.id, groupIds: [group.id], tags: { Name: "web-1" } });
  const primaryEni = [...fake.networkInterfaces.values()].find((eni) => eni.attachment?.instanceId === instance.id);
  const rootVolume = [...fake.volumes.values()].find((volume) => volume.attachment?.instanceId === instance.id);
  return { vpc, subnet, group, gateway, instance, primaryEni: primaryEni?.id, rootVolume: rootVolume?.id };
}

/** Terminates the instance and lets time pass until it is terminated and its interfaces are released. */
async function terminateAndWait(instanceId: string): Promise<void> {
  await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
  for (let tick = 0; tick < fake.terminationTicks + fake.eniReleaseTicks; tick++) fake.tick();
}

async function subnetIds(Filters: Filter[]): Promise<string[]> {
  const answer = await ec2.send(new DescribeSubnetsCommand({ Filters }));
  return (answer.Subnets ?? []).map((subnet) => subnet.SubnetId as string);
}

describe("the fake account's EC2 listings", () => {
  function taggedSubnets(vpc: FakeVpc) {
    return {
      prod: fake.addSubnet({ vpcId: vpc.id, tags: { env: "prod", team: "perf" } }).id,
      dev: fake.addSubnet({ vpcId: vpc.id, tags: { env: "dev" } }).id,
      untagged: fake.addSubnet({ vpcId: vpc.id }).id,
    };
  }

  it("filters by tag as EC2 does: tag:Key by value, tag-key by key, tag-value by any value", async () => {
    const ids = taggedSubnets(fake.addVpc());
    expect(await subnetIds([{ Name: "tag:env", Values: ["prod"] }])).toEqual([ids.prod]);
    expect(await subnetIds([{ Name: "tag:env", Values: ["prod", "dev"] }])).toEqual([ids.prod, ids.dev]);
    expect(await subnetIds([{ Name: "tag:env", Values: ["staging"] }])).toEqual([]);
    // A tag filter names the key exactly: another key with the same value does not match.
    expect(await subnetIds([{ Name: "tag:team", Values: ["prod"] }])).toEqual([]);
    expect(await subnetIds([{ Name: "tag-key", Values: ["team"] }])).toEqual([ids.prod]);
    expect(await subnetIds([{ Name: "tag-key", Values: ["env", "absent"] }])).toEqual([ids.prod, ids.dev]);
    expect(await subnetIds([{ Name: "tag-value", Values: ["perf", "dev"] }])).toEqual([ids.prod, ids.dev]);
    // Only the resource's own tags count, not names every object inherits.
    expect(await subnetIds([{ Name: "tag-key", Values: ["toString"] }])).toEqual([]);
    expect(await subnetIds([])).toEqual([ids.prod, ids.dev, ids.untagged]);
  });

  it("requires every filter to match (values of one filter are alternatives)", async () => {
    const vpc = fake.addVpc();
    const ids = taggedSubnets(vpc);
    const elsewhere = fake.addSubnet({ vpcId: fake.addVpc().id, tags: { env: "prod" } }).id;
    expect(await subnetIds([{ Name: "tag:env", Values: ["prod"] }])).toEqual([ids.prod, elsewhere]);
    expect(
      await subnetIds([
        { Name: "tag:env", Values: ["prod"] },
        { Name: "vpc-id", Values: [vpc.id] },
      ]),
    ).toEqual([ids.prod]);
  });

  it("filters instances by state and id, and keeps listing terminated ones without their network", async () => {
    const { instance, vpc, subnet } = network();
    const stopped = fake.addInstance({ subnetId: subnet.id, groupIds: [], state: "stopped" });
    const byState = async (states: string[]) => {
      const answer = await ec2.send(
        new DescribeInstancesCommand({ Filters: [{ Name: "instance-state-name", Values: states }] }),
      );
      return (answer.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId);
    };
    expect(await byState(["running"])).toEqual([instance.id]);
    expect(await byState(["running", "stopped"])).toEqual([instance.id, stopped.id]);

    fake.terminationTicks = 0;
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instance.id] }));
    fake.tick();
    const answer = await ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: "instance-id", Values: [instance.id] }] }),
    );
    expect(answer.Reservations?.[0]?.Instances?.[0]).toMatchObject({
      InstanceId: instance.id,
      State: { Code: 48, Name: "terminated" },
    });
    expect(answer.Reservations?.[0]?.Instances?.[0]?.VpcId).toBeUndefined();
    expect(await byState(["running"])).toEqual([]);
    // The stopped instance still shows in its VPC; the terminated one no longer does.
    const inVpc = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: "vpc-id", Values: [vpc.id] }] }));
    expect(inVpc.Reservations?.flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId)).toEqual([stopped.id]);
  });

  it("refuses what it does not model instead of answering wrongly", async () => {
    fake.addVpc();
    await expect(
      ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "cidr", Values: ["10.0.0.0/16"] }] })),
    ).rejects.toThrow("Fake not implemented: filter cidr on DescribeVpcs");
    await expect(
      ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "tag:Name", Values: ["batch-*"] }] })),
    ).rejects.toThrow(/Fake not implemented: filter wildcards/);
    await expect(ec2.send(new DescribeVpcsCommand({ VpcIds: ["vpc-1"] }))).rejects.toThrow(
      "Fake not implemented: VpcIds on DescribeVpcs; use a filter",
    );
    await expect(ec2.send(new RunInstancesCommand({ MinCount: 1, MaxCount: 1 }))).rejects.toThrow(
      /Fake not implemented: an EC2 command/,
    );
  });

  it("serves pages of pageSize with NextToken, fewer when the caller asks, and none after the last", async () => {
    const vpc = fake.addVpc();
    const all = Array.from({ length: 5 }, () => fake.addSubnet({ vpcId: vpc.id }).id);
    fake.pageSize = 2;
    const first = await ec2.send(new DescribeSubnetsCommand({}));
    expect(first.Subnets?.map((s) => s.SubnetId)).toEqual(all.slice(0, 2));
    expect(first.NextToken).toBeDefined();
    const last = await ec2.send(new DescribeSubnetsCommand({ NextToken: "page-4" }));
    expect(last.Subnets?.map((s) => s.SubnetId)).toEqual(all.slice(4));
    expect(last.NextToken).toBeUndefined();
    const small = await ec2.send(new DescribeSubnetsCommand({ MaxResults: 1 }));
    expect(small.Subnets).toHaveLength(1);

    const pages: string[][] = [];
    for await (const page of paginateDescribeSubnets({ client: ec2 }, {}))
      pages.push((page.Subnets ?? []).map((s) => s.SubnetId as string));
    expect(pages).toEqual([all.slice(0, 2), all.slice(2, 4), all.slice(4)]);
  });

  it("creates a VPC with its default security group and main route table, untagged", async () => {
    const vpc = fake.addVpc({ tags: { Name: "net" } });
    const groups = await ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [vpc.id] }] }),
    );
    expect(groups.SecurityGroups?.map((g) => [g.GroupName, g.Tags])).toEqual([["default", []]]);
    const tables = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [vpc.id] }] }));
    expect(tables.RouteTables?.map((t) => t.Associations?.map((a) => a.Main))).toEqual([[true]]);
    // So a tag-key listing, as the sweep makes, never shows them.
    const tagged = await ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: "tag-key", Values: ["Name"] }] }),
    );
    expect(tagged.SecurityGroups).toEqual([]);
  });
});

describe("the fake account's EC2 dependency rules", () => {
  it.each([
    [
      "a subnet",
      (vpcId: string) => fake.addSubnet({ vpcId }).id,
      (id: string) => ec2.send(new DeleteSubnetCommand({ SubnetId: id })),
    ],
    [
      "a route table other than the main one",
      (vpcId: string) => fake.addRouteTable({ vpcId }).id,
      (id: string) => ec2.send(new DeleteRouteTableCommand({ RouteTableId: id })),
    ],
    [
      "a security group other than default",
      (vpcId: string) => fake.addSecurityGroup({ vpcId, name: "web" }).id,
      (id: string) => ec2.send(new DeleteSecurityGroupCommand({ GroupId: id })),
    ],
    [
      "an attached internet gateway",
      (vpcId: string) => fake.addInternetGateway({ vpcId }).id,
      (id: string, vpcId: string) =>
        ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: id, VpcId: vpcId })),
    ],
  ])("DeleteVpc: DependencyViolation while it has %s", async (_what, add, remove) => {
    const vpc = fake.addVpc();
    const { group: defaultGroup, mainTable } = fake.defaultsOf(vpc.id);
    const blocker = add(vpc.id);
    const deleteVpc = () => ec2.send(new DeleteVpcCommand({ VpcId: vpc.id }));

    await expect(deleteVpc()).rejects.toEqual(ec2Failure("DependencyViolation"));
    expect(fake.vpcs.has(vpc.id)).toBe(true);
    await remove(blocker, vpc.id);
    await deleteVpc();
    expect(fake.vpcs.has(vpc.id)).toBe(false);
    // Its default group and main route table went with it.
    expect(fake.securityGroups.has(defaultGroup.id)).toBe(false);
    expect(fake.routeTables.has(mainTable.id)).toBe(false);
    expect(fake.log.at(-1)).toBe(`DeleteVpc ${vpc.id}`);
  });

  it("DeleteSubnet: DependencyViolation while an interface is in it; deleting it drops its route-table association", async () => {
    const vpc = fake.addVpc();
    const subnet = fake.addSubnet({ vpcId: vpc.id });
    const table = fake.addRouteTable({ vpcId: vpc.id, subnetIds: [subnet.id] });
    const eni = fake.addNetworkInterface({ subnetId: subnet.id, groupIds: [] });
    await expect(ec2.send(new DeleteSubnetCommand({ SubnetId: subnet.id }))).rejects.toEqual(
      ec2Failure("DependencyViolation"),
    );
    await ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni.id }));
    await ec2.send(new DeleteSubnetCommand({ SubnetId: subnet.id }));
    expect(fake.subnets.has(subnet.id)).toBe(false);
    expect(table.associations).toEqual([]);
  });

  it("DeleteRouteTable: DependencyViolation while associated, and always for the main table", async () => {
    const vpc = fake.addVpc();
    const subnet = fake.addSubnet({ vpcId: vpc.id });
    const table = fake.addRouteTable({ vpcId: vpc.id, subnetIds: [subnet.id] });
    const deleteTable = (RouteTableId: string) => ec2.send(new DeleteRouteTableCommand({ RouteTableId }));

    await expect(deleteTable(table.id)).rejects.toEqual(ec2Failure("DependencyViolation"));
    await expect(deleteTable(fake.defaultsOf(vpc.id).mainTable.id)).rejects.toEqual(ec2Failure("DependencyViolation"));
    const listed = await ec2.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: "route-table-id", Values: [table.id] }] }),
    );
    const association = listed.RouteTables?.[0]?.Associations?.[0];
    expect(association).toMatchObject({ Main: false, SubnetId: subnet.id });
    await ec2.send(new DisassociateRouteTableCommand({ AssociationId: association?.RouteTableAssociationId }));
    await expect(
      ec2.send(new DisassociateRouteTableCommand({ AssociationId: association?.RouteTableAssociationId })),
    ).rejects.toEqual(ec2Failure("InvalidAssociationID.NotFound"));
    await deleteTable(table.id);
    expect(fake.routeTables.has(table.id)).toBe(false);
  });

  it("DeleteSecurityGroup: DependencyViolation while an interface uses it; CannotDelete for default", async () => {
    const { group, instance, vpc } = network();
    const deleteGroup = (GroupId: string) => ec2.send(new DeleteSecurityGroupCommand({ GroupId }));

    await expect(deleteGroup(group.id)).rejects.toEqual(ec2Failure("DependencyViolation"));
    await expect(deleteGroup(fake.defaultsOf(vpc.id).group.id)).rejects.toEqual(ec2Failure("CannotDelete"));
    await terminateAndWait(instance.id);
    await expect(deleteGroup(group.id)).resolves.toMatchObject({ Return: true, GroupId: group.id });
  });

  it("internet gateway: detach refused while an instance maps a public address, delete refused while attached", async () => {
    const { gateway, instance, vpc } = network();
    const other = fake.addVpc();
    const detach = (VpcId: string) =>
      ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: gateway.id, VpcId }));
    const deleteGateway = () => ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: gateway.id }));

    await expect(deleteGateway()).rejects.toEqual(ec2Failure("DependencyViolation"));
    await expect(detach(vpc.id)).rejects.toEqual(
      expect.objectContaining({ Code: "DependencyViolation", message: expect.stringMatching(/mapped public address/) }),
    );
    await expect(detach(other.id)).rejects.toEqual(ec2Failure("Gateway.NotAttached"));
    await terminateAndWait(instance.id);
    await detach(vpc.id);
    await expect(detach(vpc.id)).rejects.toEqual(ec2Failure("Gateway.NotAttached"));
    await deleteGateway();
    expect(fake.internetGateways.size).toBe(0);
  });

  it("DeleteNetworkInterface and DeleteVolume: refused while attached, allowed once detached", async () => {
    const { instance, subnet } = network();
    const eni = fake.addNetworkInterface({
      subnetId: subnet.id,
      groupIds: [],
      attachment: { instanceId: instance.id, deleteOnTermination: false },
    });
    const volume = fake.addVolume({ attachment: { instanceId: instance.id, deleteOnTermination: false } });
    const deleteEni = () => ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni.id }));
    const deleteVolume = () => ec2.send(new DeleteVolumeCommand({ VolumeId: volume.id }));

    await expect(deleteEni()).rejects.toEqual(ec2Failure("InvalidNetworkInterface.InUse"));
    await expect(deleteVolume()).rejects.toEqual(ec2Failure("VolumeInUse"));
    await terminateAndWait(instance.id);
    await deleteEni();
    await deleteVolume();
    await expect(deleteVolume()).rejects.toEqual(ec2Failure("InvalidVolume.NotFound"));
  });
});

describe("the fake account's instance termination", () => {
  it("moves through shutting-down to terminated in terminationTicks ticks, releasing what the instance held", async () => {
    const { instance, primaryEni, rootVolume, subnet } = network();
    const kept = fake.addVolume({ attachment: { instanceId: instance.id, deleteOnTermination: false } });
    const secondary = fake.addNetworkInterface({
      subnetId: subnet.id,
      groupIds: [],
      attachment: { instanceId: instance.id, deleteOnTermination: false },
    });
    fake.terminationTicks = 2;
    fake.eniReleaseTicks = 1;

    const answer = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instance.id] }));
    expect(answer.TerminatingInstances).toEqual([
      {
        InstanceId: instance.id,
        PreviousState: { Code: 16, Name: "running" },
        CurrentState: { Code: 32, Name: "shutting-down" },
      },
    ]);
    fake.tick();
    expect(instance.state).toBe("shutting-down");
    fake.tick();
    expect(instance.state).toBe("terminated");
    expect(fake.log).toEqual([`TerminateInstances ${instance.id}`, `terminated ${instance.id}`]);
    // Delete-on-termination volume gone; the other one detached.
    expect(fake.volumes.has(rootVolume as string)).toBe(false);
    const volumes = await ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: "volume-id", Values: [kept.id] }] }));
    expect(volumes.Volumes?.[0]).toMatchObject({ State: "available", Attachments: [] });
    // The primary interface lingers one tick (still holding its subnet); the secondary one is detached at once.
    const interfaces = async () =>
      (await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "subnet-id", Values: [subnet.id] }] })))
        .NetworkInterfaces ?? [];
    expect((await interfaces()).map((eni) => [eni.NetworkInterfaceId, eni.Status])).toEqual([
      [primaryEni, "in-use"],
      [secondary.id, "available"],
    ]);
    await expect(ec2.send(new DeleteSubnetCommand({ SubnetId: subnet.id }))).rejects.toEqual(
      ec2Failure("DependencyViolation"),
    );
    fake.tick();
    expect((await interfaces()).map((eni) => eni.NetworkInterfaceId)).toEqual([secondary.id]);
  });

  it("answers InvalidInstanceID.NotFound for an unknown id and then terminates none of the others", async () => {
    const { instance } = network();
    await expect(
      ec2.send(new TerminateInstancesCommand({ InstanceIds: [instance.id, "i-0123456789abcdef0"] })),
    ).rejects.toEqual(ec2Failure("InvalidInstanceID.NotFound"));
    expect(instance.state).toBe("running");
    expect(fake.log).toEqual([]);
  });

  it("never terminates with terminationTicks Infinity", async () => {
    const { instance } = network();
    fake.terminationTicks = Number.POSITIVE_INFINITY;
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instance.id] }));
    for (let tick = 0; tick < 100; tick++) fake.tick();
    expect(instance.state).toBe("shutting-down");
  });

  it.each([
    ["DeleteVpc", () => ec2.send(new DeleteVpcCommand({ VpcId: "vpc-gone" })), "InvalidVpcID.NotFound"],
    ["DeleteSubnet", () => ec2.send(new DeleteSubnetCommand({ SubnetId: "subnet-gone" })), "InvalidSubnetID.NotFound"],
    [
      "DeleteSecurityGroup",
      () => ec2.send(new DeleteSecurityGroupCommand({ GroupId: "sg-gone" })),
      "InvalidGroup.NotFound",
    ],
    [
      "DeleteRouteTable",
      () => ec2.send(new DeleteRouteTableCommand({ RouteTableId: "rtb-gone" })),
      "InvalidRouteTableID.NotFound",
    ],
    [
      "DeleteInternetGateway",
      () => ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: "igw-gone" })),
      "InvalidInternetGatewayID.NotFound",
    ],
    [
      "DeleteNetworkInterface",
      () => ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: "eni-gone" })),
      "InvalidNetworkInterfaceID.NotFound",
    ],
  ])("%s of an unknown id answers %s", async (_operation, call, code) => {
    await expect(call()).rejects.toEqual(ec2Failure(code));
  });
});

describe("the fake account's IAM rules", () => {
  function roleInProfile() {
    const role = fake.addRole({
      name: "batch-role",
      tags: { team: "perf" },
      inlinePolicies: ["read-results"],
      attachedPolicies: ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"],
    });
    const profile = fake.addInstanceProfile({ name: "batch-profile", roleNames: [role.name] });
    return { role, profile };
  }

  it("DeleteInstanceProfile: DeleteConflict while it holds a role", async () => {
    const { role, profile } = roleInProfile();
    const deleteProfile = () => iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: profile.name }));

    await expect(deleteProfile()).rejects.toEqual(iamFailure("DeleteConflict", /must remove roles/));
    await expect(deleteProfile()).rejects.toBeInstanceOf(DeleteConflictException);
    await iam.send(
      new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: profile.name, RoleName: role.name }),
    );
    await deleteProfile();
    expect(fake.instanceProfiles.size).toBe(0);
    await expect(deleteProfile()).rejects.toBeInstanceOf(NoSuchEntityException);
  });

  it("DeleteRole: DeleteConflict while in a profile, then while it has inline, then attached policies", async () => {
    const { role, profile } = roleInProfile();
    const deleteRole = () => iam.send(new DeleteRoleCommand({ RoleName: role.name }));

    await expect(deleteRole()).rejects.toEqual(iamFailure("DeleteConflict", /instance profile/));
    await iam.send(
      new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: profile.name, RoleName: role.name }),
    );
    await expect(deleteRole()).rejects.toEqual(iamFailure("DeleteConflict", /delete policies/));
    await iam.send(new DeleteRolePolicyCommand({ RoleName: role.name, PolicyName: "read-results" }));
    await expect(deleteRole()).rejects.toEqual(iamFailure("DeleteConflict", /detach all policies/));
    await iam.send(
      new DetachRolePolicyCommand({
        RoleName: role.name,
        PolicyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
      }),
    );
    await deleteRole();
    expect(fake.roles.size).toBe(0);
    expect(fake.log).toEqual([
      "RemoveRoleFromInstanceProfile batch-profile/batch-role",
      "DeleteRolePolicy batch-role/read-results",
      "DetachRolePolicy batch-role/arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
      "DeleteRole batch-role",
    ]);
  });

  it("answers NoSuchEntity for an unknown role, profile, inline or attached policy", async () => {
    const { role } = roleInProfile();
    await expect(iam.send(new DeleteRoleCommand({ RoleName: "gone" }))).rejects.toEqual(iamFailure("NoSuchEntity"));
    await expect(iam.send(new ListRoleTagsCommand({ RoleName: "gone" }))).rejects.toEqual(iamFailure("NoSuchEntity"));
    await expect(
      iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: "gone", RoleName: role.name })),
    ).rejects.toEqual(iamFailure("NoSuchEntity"));
    await expect(iam.send(new DeleteRolePolicyCommand({ RoleName: role.name, PolicyName: "gone" }))).rejects.toEqual(
      iamFailure("NoSuchEntity"),
    );
    await expect(iam.send(new DetachRolePolicyCommand({ RoleName: role.name, PolicyArn: "arn:gone" }))).rejects.toEqual(
      iamFailure("NoSuchEntity"),
    );
  });

  it("lists roles and profiles under a path prefix, paging with IsTruncated and Marker (100 by default)", async () => {
    for (let index = 0; index < 150; index++) fake.addRole({ name: `role-${index}` });
    fake.addRole({ name: "service", path: "/aws-service-role/ec2.amazonaws.com/" });
    fake.addInstanceProfile({ name: "team-profile", path: "/team/" });

    const first = await iam.send(new ListRolesCommand({}));
    expect(first.Roles).toHaveLength(100);
    expect(first.IsTruncated).toBe(true);
    const rest = await iam.send(new ListRolesCommand({ Marker: first.Marker }));
    expect(rest.Roles).toHaveLength(51);
    expect(rest.IsTruncated).toBe(false);
    expect(rest.Marker).toBeUndefined();
    const service = await iam.send(new ListRolesCommand({ PathPrefix: "/aws-service-role/" }));
    expect(service.Roles?.map((r) => [r.RoleName, r.Arn])).toEqual([
      ["service", "arn:aws:iam::123456789012:role/aws-service-role/ec2.amazonaws.com/service"],
    ]);
    const profiles = await iam.send(new ListInstanceProfilesCommand({ PathPrefix: "/team/" }));
    expect(profiles.InstanceProfiles?.map((p) => p.InstanceProfileName)).toEqual(["team-profile"]);
    expect((await iam.send(new ListInstanceProfilesCommand({ PathPrefix: "/other/" }))).InstanceProfiles).toEqual([]);

    fake.pageSize = 40;
    let pages = 0;
    let roles = 0;
    for await (const page of paginateListRoles({ client: iam, pageSize: 1000 }, {})) {
      pages += 1;
      roles += page.Roles?.length ?? 0;
    }
    expect([pages, roles]).toEqual([4, 151]);
  });

  it("lists a role's tags as [{Key, Value}]", async () => {
    roleInProfile();
    const answer = await iam.send(new ListRoleTagsCommand({ RoleName: "batch-role" }));
    expect(answer).toMatchObject({ Tags: [{ Key: "team", Value: "perf" }], IsTruncated: false });
  });

  it("refuses a second role in a profile and a reference to an unknown role when seeding", () => {
    fake.addRole({ name: "a" });
    fake.addRole({ name: "b" });
    expect(() => fake.addInstanceProfile({ name: "p", roleNames: ["a", "b"] })).toThrow(/at most one role/);
    expect(() => fake.addInstanceProfile({ name: "p", roleNames: ["c"] })).toThrow(/role c does not exist/);
  });
});

describe("the fake account's ECR rules", () => {
  it("DeleteRepository: RepositoryNotEmptyException while it holds images, unless force", async () => {
    fake.addRepository({ name: "images", images: 2 });
    fake.addRepository({ name: "empty" });

    await expect(ecr.send(new DeleteRepositoryCommand({ repositoryName: "images" }))).rejects.toMatchObject({
      name: "RepositoryNotEmptyException",
    });
    await ecr.send(new DeleteRepositoryCommand({ repositoryName: "empty" }));
    const forced = await ecr.send(new DeleteRepositoryCommand({ repositoryName: "images", force: true }));
    expect(forced.repository).toMatchObject({ repositoryName: "images", registryId: "123456789012" });
    expect(fake.repositories.size).toBe(0);
    await expect(
      ecr.send(new DeleteRepositoryCommand({ repositoryName: "images", force: true })),
    ).rejects.toMatchObject({ name: "RepositoryNotFoundException" });
  });

  it("lists repositories in pages of nextToken and their tags by ARN", async () => {
    for (const name of ["a", "b", "c"]) fake.addRepository({ name, tags: { team: name } });
    fake.pageSize = 2;
    const names: string[] = [];
    for await (const page of paginateDescribeRepositories({ client: ecr }, {}))
      names.push(...(page.repositories ?? []).map((r) => r.repositoryName as string));
    expect(names).toEqual(["a", "b", "c"]);
    expect(fake.pagesServed).toEqual(["DescribeRepositories first", "DescribeRepositories page-2"]);

    const first = await ecr.send(new DescribeRepositoriesCommand({}));
    const arn = first.repositories?.[0]?.repositoryArn;
    expect(arn).toBe("arn:aws:ecr:us-east-1:123456789012:repository/a");
    expect(await ecr.send(new ListTagsForResourceCommand({ resourceArn: arn }))).toMatchObject({
      tags: [{ Key: "team", Value: "a" }],
    });
    await expect(
      ecr.send(new ListTagsForResourceCommand({ resourceArn: "arn:aws:ecr:us-east-1:123456789012:repository/x" })),
    ).rejects.toMatchObject({ name: "RepositoryNotFoundException" });
  });
});

describe("the fake account's test controls", () => {
  it("failOn makes one call fail with the given error and changes nothing", async () => {
    const vpc = fake.addVpc();
    const a = fake.addSubnet({ vpcId: vpc.id });
    const b = fake.addSubnet({ vpcId: vpc.id });
    const denied = ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation.");
    fake.failOn("DeleteSubnet", a.id, denied);

    await expect(ec2.send(new DeleteSubnetCommand({ SubnetId: a.id }))).rejects.toBe(denied);
    await ec2.send(new DeleteSubnetCommand({ SubnetId: b.id }));
    expect([...fake.subnets.keys()]).toEqual([a.id]);
    expect(fake.log).toEqual([`DeleteSubnet ${b.id}`]);
  });

  it("addBatch builds what a batch stack creates, all tagged, and remainsOf finds it", () => {
    const batch = fake.addBatch({ "aws-bench:batch": "20261130t100000z-aaaaaa" }, { instances: 2, strayEni: true });
    expect(batch.batchId).toBe("20261130t100000z-aaaaaa");
    for (const tagged of [batch.vpc, batch.gateway, batch.group, ...batch.subnets, ...batch.tables, ...batch.instances])
      expect(tagged.tags["aws-bench:batch"]).toBe("20261130t100000z-aaaaaa");
    expect(batch.tables.map((table) => table.associations.map((a) => a.subnetId))).toEqual(
      batch.subnets.map((subnet) => [subnet.id]),
    );
    expect(batch.profile.roles).toEqual(new Set([batch.role.name]));
    // Where the batch stack puts them (stacks/batch-naming.ts iamPath), which cleanup requires.
    expect([batch.role.path, batch.profile.path]).toEqual(["/aws-bench/", "/aws-bench/"]);
    // 12 stack resources (2 instances) + default group + main table + 2 primary interfaces + 2 root volumes + stray
    expect(fake.remainsOf(batch)).toHaveLength(19);
    expect(fake.remainsOf(batch)).toEqual(fake.inventory());
    const other = fake.addBatch({ "aws-bench:batch": "20261130t100000z-bbbbbb" });
    expect(fake.remainsOf(batch)).toHaveLength(19);
    expect(fake.remainsOf(other)).toHaveLength(15);
  });

  it("refuses seeds that refer to what does not exist or reuse an id", () => {
    expect(() => fake.addSubnet({ vpcId: "vpc-nowhere" })).toThrow(/VPC vpc-nowhere does not exist/);
    const vpc = fake.addVpc({ id: "vpc-1" });
    expect(() => fake.addVpc({ id: "vpc-1" })).toThrow(/id vpc-1 is taken/);
    const subnet = fake.addSubnet({ vpcId: vpc.id });
    expect(() => fake.addInstance({ subnetId: subnet.id, groupIds: ["sg-nowhere"] })).toThrow(
      /security group sg-nowhere does not exist/,
    );
  });
});

import {
  DeleteInternetGatewayCommand,
  DeleteNetworkInterfaceCommand,
  DeleteRouteTableCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DeleteVolumeCommand,
  DeleteVpcCommand,
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVolumesCommand,
  DescribeVpcsCommand,
  DetachInternetGatewayCommand,
  DisassociateRouteTableCommand,
  EC2Client,
  EC2ServiceException,
  TerminateInstancesCommand,
  type AttachmentStatus,
  type DeleteInternetGatewayCommandInput,
  type DeleteNetworkInterfaceCommandInput,
  type DeleteRouteTableCommandInput,
  type DeleteSecurityGroupCommandInput,
  type DeleteSubnetCommandInput,
  type DeleteVolumeCommandInput,
  type DeleteVpcCommandInput,
  type DescribeInstancesCommandInput,
  type DescribeInstancesResult,
  type DescribeInternetGatewaysCommandInput,
  type DescribeInternetGatewaysResult,
  type DescribeNetworkInterfacesCommandInput,
  type DescribeNetworkInterfacesResult,
  type DescribeRouteTablesCommandInput,
  type DescribeRouteTablesResult,
  type DescribeSecurityGroupsCommandInput,
  type DescribeSecurityGroupsResult,
  type DescribeSubnetsCommandInput,
  type DescribeSubnetsResult,
  type DescribeVolumesCommandInput,
  type DescribeVolumesResult,
  type DescribeVpcsCommandInput,
  type DescribeVpcsResult,
  type DetachInternetGatewayCommandInput,
  type DisassociateRouteTableCommandInput,
  type Filter,
  type InstanceStateName,
  type TerminateInstancesCommandInput,
} from "@aws-sdk/client-ec2";
import {
  DeleteRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  ListTagsForResourceCommand,
  RepositoryNotEmptyException,
  RepositoryNotFoundException,
  type DeleteRepositoryCommandInput,
  type DescribeRepositoriesCommandInput,
  type DescribeRepositoriesResponse,
  type ListTagsForResourceCommandInput,
  type ListTagsForResourceResponse,
} from "@aws-sdk/client-ecr";
import {
  DeleteConflictException,
  DeleteInstanceProfileCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListInstanceProfilesCommand,
  ListInstanceProfilesForRoleCommand,
  ListInstanceProfileTagsCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
  NoSuchEntityException,
  RemoveRoleFromInstanceProfileCommand,
  type DeleteInstanceProfileCommandInput,
  type DeleteRoleCommandInput,
  type DeleteRolePolicyCommandInput,
  type DetachRolePolicyCommandInput,
  type InstanceProfile,
  type ListAttachedRolePoliciesCommandInput,
  type ListAttachedRolePoliciesResponse,
  type ListInstanceProfilesCommandInput,
  type ListInstanceProfilesForRoleCommandInput,
  type ListInstanceProfilesForRoleResponse,
  type ListInstanceProfilesResponse,
  type ListInstanceProfileTagsCommandInput,
  type ListInstanceProfileTagsResponse,
  type ListRolePoliciesCommandInput,
  type ListRolePoliciesResponse,
  type ListRolesCommandInput,
  type ListRolesResponse,
  type ListRoleTagsCommandInput,
  type ListRoleTagsResponse,
  type RemoveRoleFromInstanceProfileCommandInput,
  type Role,
} from "@aws-sdk/client-iam";
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

/*
 * FakeAccount: an in-memory AWS account holding what batch stacks create, installed behind aws-sdk-client-mock
 * with callsFake. Its behaviour follows AWS's documented rules:
 *
 * - Describe* and List* answer in the SDK's output shapes, `pageSize` items per page with NextToken / Marker /
 *   nextToken while more remain. EC2 filters `tag-key`, `instance-state-name`, `instance-id` and `vpc-id` are
 *   honoured; any other filter throws "Fake not implemented".
 * - Time passes only in `tick()` (the sweep's injected sleep calls it). TerminateInstances moves an instance to
 *   shutting-down; `terminationTicks` ticks later it is terminated (and stays listed as terminated). Its volumes
 *   are then deleted, and its network interfaces linger `eniReleaseTicks` more ticks (still blocking their
 *   security groups and subnet) before they are deleted.
 * - DeleteSecurityGroup: DependencyViolation while a network interface or a non-terminated instance uses it;
 *   CannotDelete for a VPC's `default` group.
 * - DeleteSubnet: DependencyViolation while a network interface or non-terminated instance is in it; deleting
 *   it removes its route-table associations.
 * - DeleteRouteTable: DependencyViolation while associated with a subnet; a main route table cannot be deleted.
 * - DetachInternetGateway: DependencyViolation while the VPC has a non-terminated instance (its public
 *   address is mapped); Gateway.NotAttached when not attached. DeleteInternetGateway: DependencyViolation
 *   while attached.
 * - DeleteVpc: DependencyViolation while subnets, attached gateways, non-default security groups, non-main
 *   route tables or network interfaces remain; it takes its default group and main route table with it.
 * - DeleteNetworkInterface: InvalidNetworkInterface.InUse while attached. DeleteVolume: VolumeInUse while attached.
 * - IAM DeleteInstanceProfile: DeleteConflict while it holds a role. DeleteRole: DeleteConflict while in a profile
 *   or with inline or attached policies.
 * - ECR DeleteRepository: RepositoryNotEmptyException while it holds images, unless `force`.
 * - Unknown ids: the service's not-found error. `failOn(operation, id, error)` makes one call fail (a permission
 *   missing, say).
 * Every successful mutation is appended to `log` as "<Operation> <id>", and an instance reaching terminated as
 * "terminated <id>".
 */

type Tags = Record<string, string>;
interface FakeInstance {
  id: string;
  state: InstanceStateName;
  ticksLeft: number;
  tags: Tags;
  vpcId: string;
  subnetId: string;
  groupIds: string[];
}
interface FakeEni {
  id: string;
  vpcId: string;
  subnetId: string;
  groupIds: string[];
  attachment?: { instanceId: string; deleteOnTermination: boolean };
  releaseTicks?: number;
  tags: Tags;
}
interface FakeVolume {
  id: string;
  attachment?: { instanceId: string; deleteOnTermination: boolean };
  tags: Tags;
}
interface FakeGroup {
  id: string;
  vpcId: string;
  name: string;
  tags: Tags;
}
interface FakeSubnet {
  id: string;
  vpcId: string;
  tags: Tags;
}
interface FakeRouteTable {
  id: string;
  vpcId: string;
  main: boolean;
  associations: Array<{ id: string; subnetId: string }>;
  tags: Tags;
}
interface FakeGateway {
  id: string;
  vpcId?: string;
  tags: Tags;
}
interface FakeVpc {
  id: string;
  tags: Tags;
}
interface FakeRole {
  name: string;
  path: string;
  tags: Tags;
  inline: Set<string>;
  attached: Set<string>;
}
interface FakeProfile {
  name: string;
  tags: Tags;
  roles: Set<string>;
}
interface FakeRepository {
  name: string;
  tags: Tags;
  images: number;
}

const accountId = "123456789012";
const created = new Date("2026-11-01T00:00:00Z");

function ec2Error(code: string, message: string): EC2ServiceException {
  // The SDK's EC2 errors: unmodelled, named by AWS's code, which is also in `Code`.
  return Object.assign(
    new EC2ServiceException({ name: code, $fault: "client", message, $metadata: { httpStatusCode: 400 } }),
    { Code: code },
  );
}

function toTagList(tags: Tags): Array<{ Key: string; Value: string }> {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

function pageOf<T>(items: T[], token: string | undefined, size: number): { items: T[]; next?: string } {
  const start = token === undefined ? 0 : Number(token.replace("page-", ""));
  const end = start + size;
  return { items: items.slice(start, end), ...(end < items.length ? { next: `page-${end}` } : {}) };
}

function matches(
  filters: Filter[] | undefined,
  resource: { id: string; tags: Tags; state?: string; vpcId?: string },
): boolean {
  return (filters ?? []).every((filter) => {
    const values = filter.Values ?? [];
    switch (filter.Name) {
      case "tag-key":
        return values.some((key) => key in resource.tags);
      case "instance-state-name":
        return resource.state !== undefined && values.includes(resource.state);
      case "instance-id":
        return values.includes(resource.id);
      case "vpc-id":
        return resource.vpcId !== undefined && values.includes(resource.vpcId);
      default:
        throw new Error(`Fake not implemented: filter ${filter.Name}`);
    }
  });
}

class FakeAccount {
  readonly instances = new Map<string, FakeInstance>();
  readonly enis = new Map<string, FakeEni>();
  readonly volumes = new Map<string, FakeVolume>();
  readonly groups = new Map<string, FakeGroup>();
  readonly subnets = new Map<string, FakeSubnet>();
  readonly routeTables = new Map<string, FakeRouteTable>();
  readonly gateways = new Map<string, FakeGateway>();
  readonly vpcs = new Map<string, FakeVpc>();
  readonly roles = new Map<string, FakeRole>();
  readonly profiles = new Map<string, FakeProfile>();
  readonly repositories = new Map<string, FakeRepository>();
  readonly log: string[] = [];
  pageSize = 1000;
  terminationTicks = 2;
  eniReleaseTicks = 1;
  private readonly failures = new Map<string, Error>();
  private counter = 0;

  private next(prefix: string): string {
    this.counter += 1;
    return `${prefix}-${this.counter.toString(16).padStart(8, "0")}`;
  }

  /** Every page asked for, as "<Operation> <token>" (the SDK paginator reuses one input object, so calls cannot tell). */
  readonly pagesServed: string[] = [];

  private page<T>(operation: string, items: T[], token: string | undefined): { items: T[]; next?: string } {
    this.pagesServed.push(`${operation} ${token ?? "first"}`);
    return pageOf(items, token, this.pageSize);
  }

  failOn(operation: string, id: string, error: Error): void {
    this.failures.set(`${operation} ${id}`, error);
  }

  private mutate(operation: string, id: string, change: () => void): Record<string, never> {
    const failure = this.failures.get(`${operation} ${id}`);
    if (failure) throw failure;
    change();
    this.log.push(`${operation} ${id}`);
    return {};
  }

  tick(): void {
    for (const eni of [...this.enis.values()]) {
      if (eni.releaseTicks === undefined) continue;
      eni.releaseTicks -= 1;
      if (eni.releaseTicks <= 0) this.enis.delete(eni.id);
    }
    for (const instance of this.instances.values()) {
      if (instance.state !== "shutting-down") continue;
      instance.ticksLeft -= 1;
      if (instance.ticksLeft > 0) continue;
      instance.state = "terminated";
      this.log.push(`terminated ${instance.id}`);
      for (const volume of [...this.volumes.values()]) {
        if (volume.attachment?.instanceId !== instance.id) continue;
        if (volume.attachment.deleteOnTermination) this.volumes.delete(volume.id);
        else delete volume.attachment;
      }
      for (const eni of [...this.enis.values()]) {
        if (eni.attachment?.instanceId !== instance.id) continue;
        if (!eni.attachment.deleteOnTermination) delete eni.attachment;
        else if (this.eniReleaseTicks > 0) eni.releaseTicks = this.eniReleaseTicks;
        else this.enis.delete(eni.id);
      }
    }
  }

  // ---- building the account ----

  /** What a batch stack creates: awsx VPC (2 public subnets, their route tables, an IGW), SG, role, profile, repository, instances. */
  addBatch(tags: Tags, options: { instances?: number; ssm?: boolean; strayEni?: boolean } = {}) {
    const vpc: FakeVpc = { id: this.next("vpc"), tags: { Name: "batch-vpc", ...tags } };
    this.vpcs.set(vpc.id, vpc);
    const defaultGroup: FakeGroup = { id: this.next("sg"), vpcId: vpc.id, name: "default", tags: {} };
    this.groups.set(defaultGroup.id, defaultGroup);
    const mainTable: FakeRouteTable = { id: this.next("rtb"), vpcId: vpc.id, main: true, associations: [], tags: {} };
    this.routeTables.set(mainTable.id, mainTable);
    const gateway: FakeGateway = { id: this.next("igw"), vpcId: vpc.id, tags: { Name: "batch-vpc", ...tags } };
    this.gateways.set(gateway.id, gateway);
    const subnets: FakeSubnet[] = [];
    const tables: FakeRouteTable[] = [];
    for (const zone of ["a", "b"]) {
      const subnet: FakeSubnet = {
        id: this.next("subnet"),
        vpcId: vpc.id,
        tags: { ...tags, Name: `batch-vpc-public-${zone}`, SubnetType: "Public" },
      };
      this.subnets.set(subnet.id, subnet);
      subnets.push(subnet);
      const table: FakeRouteTable = {
        id: this.next("rtb"),
        vpcId: vpc.id,
        main: false,
        associations: [{ id: this.next("rtbassoc"), subnetId: subnet.id }],
        tags: { ...tags, Name: `batch-vpc-public-${zone}` },
      };
      this.routeTables.set(table.id, table);
      tables.push(table);
    }
    const group: FakeGroup = { id: this.next("sg"), vpcId: vpc.id, name: "batch-sg-1234567", tags };
    this.groups.set(group.id, group);
    const role: FakeRole = {
      name: this.next("batch-role"),
      path: "/",
      tags,
      inline: new Set([this.next("batch-policy")]),
      attached: new Set(options.ssm ? ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"] : []),
    };
    this.roles.set(role.name, role);
    const profile: FakeProfile = { name: this.next("batch-profile"), tags, roles: new Set([role.name]) };
    this.profiles.set(profile.name, profile);
    const repository: FakeRepository = { name: this.next("batch-images"), tags, images: 2 };
    this.repositories.set(repository.name, repository);
    const instances: FakeInstance[] = [];
    for (let index = 0; index < (options.instances ?? 1); index++) {
      const subnet = subnets[index % subnets.length] as FakeSubnet;
      const instance = this.addInstance(
        vpc.id,
        subnet.id,
        [group.id],
        { ...tags, Name: `aws-bench ${tags["aws-bench:batch"]} m7i.large/${index}` },
        tags,
      );
      instances.push(instance);
    }
    let strayEni: FakeEni | undefined;
    if (options.strayEni) {
      // A detached, untagged interface left in the batch's VPC (e.g. by a failed attach): it would keep the VPC alive.
      strayEni = {
        id: this.next("eni"),
        vpcId: vpc.id,
        subnetId: (subnets[0] as FakeSubnet).id,
        groupIds: [group.id],
        tags: {},
      };
      this.enis.set(strayEni.id, strayEni);
    }
    return {
      vpc,
      gateway,
      subnets,
      tables,
      group,
      role,
      profile,
      repository,
      instances,
      defaultGroup,
      mainTable,
      strayEni,
    };
  }

  /** An instance with its primary interface (untagged, as EC2 creates it) and a root volume (volume tags). */
  addInstance(vpcId: string, subnetId: string, groupIds: string[], tags: Tags, volumeTags: Tags = {}): FakeInstance {
    const instance: FakeInstance = {
      id: this.next("i"),
      state: "running",
      ticksLeft: 0,
      tags,
      vpcId,
      subnetId,
      groupIds,
    };
    this.instances.set(instance.id, instance);
    const eni: FakeEni = {
      id: this.next("eni"),
      vpcId,
      subnetId,
      groupIds,
      attachment: { instanceId: instance.id, deleteOnTermination: true },
      tags: {},
    };
    this.enis.set(eni.id, eni);
    const volume: FakeVolume = {
      id: this.next("vol"),
      attachment: { instanceId: instance.id, deleteOnTermination: true },
      tags: volumeTags,
    };
    this.volumes.set(volume.id, volume);
    return instance;
  }

  /** Every id the account still holds, by kind (terminated instances excluded). */
  inventory(): string[] {
    return [
      ...[...this.instances.values()]
        .filter((instance) => instance.state !== "terminated")
        .map((instance) => `instance ${instance.id} ${instance.state}`),
      ...[...this.enis.keys()].map((id) => `eni ${id}`),
      ...[...this.volumes.keys()].map((id) => `volume ${id}`),
      ...[...this.groups.keys()].map((id) => `sg ${id}`),
      ...[...this.subnets.keys()].map((id) => `subnet ${id}`),
      ...[...this.routeTables.values()].map((table) => `rtb ${table.id} ${table.associations.length}`),
      ...[...this.gateways.values()].map((gateway) => `igw ${gateway.id} ${gateway.vpcId ?? "detached"}`),
      ...[...this.vpcs.keys()].map((id) => `vpc ${id}`),
      ...[...this.roles.values()].map((role) => `role ${role.name} ${[...role.inline, ...role.attached].join(",")}`),
      ...[...this.profiles.values()].map((profile) => `profile ${profile.name} ${[...profile.roles].join(",")}`),
      ...[...this.repositories.keys()].map((name) => `repository ${name}`),
    ].sort();
  }

  // ---- EC2 ----

  describeInstances(input: DescribeInstancesCommandInput): DescribeInstancesResult {
    const all = [...this.instances.values()].filter((instance) =>
      matches(input.Filters, { id: instance.id, tags: instance.tags, state: instance.state }),
    );
    const { items, next } = this.page("DescribeInstances", all, input.NextToken);
    return {
      Reservations: items.map((instance) => ({
        ReservationId: `r-${instance.id.slice(2)}`,
        OwnerId: accountId,
        Instances: [
          {
            InstanceId: instance.id,
            InstanceType: "m7i.large",
            State: {
              Name: instance.state,
              Code: { pending: 0, running: 16, "shutting-down": 32, terminated: 48, stopping: 64, stopped: 80 }[
                instance.state
              ],
            },
            VpcId: instance.state === "terminated" ? undefined : instance.vpcId,
            SubnetId: instance.state === "terminated" ? undefined : instance.subnetId,
            SecurityGroups: instance.groupIds.map((GroupId) => ({
              GroupId,
              GroupName: this.groups.get(GroupId)?.name,
            })),
            Tags: toTagList(instance.tags),
          },
        ],
      })),
      NextToken: next,
    };
  }

  terminateInstances(input: TerminateInstancesCommandInput) {
    const id = input.InstanceIds?.[0] as string;
    const instance = this.instances.get(id);
    if (!instance || input.InstanceIds?.length !== 1)
      throw ec2Error("InvalidInstanceID.NotFound", `The instance ID '${id}' does not exist`);
    this.mutate("TerminateInstances", id, () => {
      if (instance.state === "terminated" || instance.state === "shutting-down") return;
      instance.state = "shutting-down";
      instance.ticksLeft = this.terminationTicks;
    });
    return { TerminatingInstances: [{ InstanceId: id, CurrentState: { Name: instance.state } }] };
  }

  private live(instance: FakeInstance): boolean {
    return instance.state !== "terminated";
  }

  describeVolumes(input: DescribeVolumesCommandInput): DescribeVolumesResult {
    const all = [...this.volumes.values()].filter((volume) =>
      matches(input.Filters, { id: volume.id, tags: volume.tags }),
    );
    const { items, next } = this.page("DescribeVolumes", all, input.NextToken);
    return {
      Volumes: items.map((volume) => ({
        VolumeId: volume.id,
        State: volume.attachment ? "in-use" : "available",
        Attachments: volume.attachment
          ? [
              {
                VolumeId: volume.id,
                InstanceId: volume.attachment.instanceId,
                DeleteOnTermination: volume.attachment.deleteOnTermination,
                State: "attached",
                Device: "/dev/xvda",
              },
            ]
          : [],
        Tags: toTagList(volume.tags),
      })),
      NextToken: next,
    };
  }

  deleteVolume(input: DeleteVolumeCommandInput) {
    const volume = this.volumes.get(input.VolumeId as string);
    if (!volume) throw ec2Error("InvalidVolume.NotFound", `The volume '${input.VolumeId}' does not exist.`);
    if (volume.attachment)
      throw ec2Error("VolumeInUse", `Volume ${volume.id} is currently attached to ${volume.attachment.instanceId}`);
    return this.mutate("DeleteVolume", volume.id, () => this.volumes.delete(volume.id));
  }

  describeNetworkInterfaces(input: DescribeNetworkInterfacesCommandInput): DescribeNetworkInterfacesResult {
    const all = [...this.enis.values()].filter((eni) =>
      matches(input.Filters, { id: eni.id, tags: eni.tags, vpcId: eni.vpcId }),
    );
    const { items, next } = this.page("DescribeNetworkInterfaces", all, input.NextToken);
    return {
      NetworkInterfaces: items.map((eni) => ({
        NetworkInterfaceId: eni.id,
        Status: eni.attachment ? "in-use" : "available",
        VpcId: eni.vpcId,
        SubnetId: eni.subnetId,
        Groups: eni.groupIds.map((GroupId) => ({ GroupId })),
        RequesterManaged: false,
        InterfaceType: "interface",
        ...(eni.attachment
          ? {
              Attachment: {
                InstanceId: eni.attachment.instanceId,
                DeleteOnTermination: eni.attachment.deleteOnTermination,
                Status: "attached",
                DeviceIndex: 0,
              },
            }
          : {}),
        TagSet: toTagList(eni.tags),
      })),
      NextToken: next,
    };
  }

  deleteNetworkInterface(input: DeleteNetworkInterfaceCommandInput) {
    const eni = this.enis.get(input.NetworkInterfaceId as string);
    if (!eni)
      throw ec2Error(
        "InvalidNetworkInterfaceID.NotFound",
        `The networkInterface ID '${input.NetworkInterfaceId}' does not exist`,
      );
    if (eni.attachment) throw ec2Error("InvalidNetworkInterface.InUse", `Interface: [${eni.id}] in use.`);
    return this.mutate("DeleteNetworkInterface", eni.id, () => this.enis.delete(eni.id));
  }

  describeSecurityGroups(input: DescribeSecurityGroupsCommandInput): DescribeSecurityGroupsResult {
    const all = [...this.groups.values()].filter((group) =>
      matches(input.Filters, { id: group.id, tags: group.tags, vpcId: group.vpcId }),
    );
    const { items, next } = this.page("DescribeSecurityGroups", all, input.NextToken);
    return {
      SecurityGroups: items.map((group) => ({
        GroupId: group.id,
        GroupName: group.name,
        VpcId: group.vpcId,
        OwnerId: accountId,
        Description: "x",
        Tags: toTagList(group.tags),
      })),
      NextToken: next,
    };
  }

  deleteSecurityGroup(input: DeleteSecurityGroupCommandInput) {
    const group = this.groups.get(input.GroupId as string);
    if (!group) throw ec2Error("InvalidGroup.NotFound", `The security group '${input.GroupId}' does not exist`);
    if (group.name === "default")
      throw ec2Error("CannotDelete", `the specified group: "${group.id}" name: "default" cannot be deleted by a user`);
    const user =
      [...this.enis.values()].find((eni) => eni.groupIds.includes(group.id)) ??
      [...this.instances.values()].find((instance) => this.live(instance) && instance.groupIds.includes(group.id));
    if (user) throw ec2Error("DependencyViolation", `resource ${group.id} has a dependent object`);
    return this.mutate("DeleteSecurityGroup", group.id, () => this.groups.delete(group.id));
  }

  describeSubnets(input: DescribeSubnetsCommandInput): DescribeSubnetsResult {
    const all = [...this.subnets.values()].filter((subnet) =>
      matches(input.Filters, { id: subnet.id, tags: subnet.tags, vpcId: subnet.vpcId }),
    );
    const { items, next } = this.page("DescribeSubnets", all, input.NextToken);
    return {
      Subnets: items.map((subnet) => ({
        SubnetId: subnet.id,
        VpcId: subnet.vpcId,
        State: "available",
        Tags: toTagList(subnet.tags),
      })),
      NextToken: next,
    };
  }

  deleteSubnet(input: DeleteSubnetCommandInput) {
    const subnet = this.subnets.get(input.SubnetId as string);
    if (!subnet) throw ec2Error("InvalidSubnetID.NotFound", `The subnet ID '${input.SubnetId}' does not exist`);
    const user =
      [...this.enis.values()].find((eni) => eni.subnetId === subnet.id) ??
      [...this.instances.values()].find((instance) => this.live(instance) && instance.subnetId === subnet.id);
    if (user)
      throw ec2Error("DependencyViolation", `The subnet '${subnet.id}' has dependencies and cannot be deleted.`);
    return this.mutate("DeleteSubnet", subnet.id, () => {
      this.subnets.delete(subnet.id);
      for (const table of this.routeTables.values())
        table.associations = table.associations.filter((association) => association.subnetId !== subnet.id);
    });
  }

  describeRouteTables(input: DescribeRouteTablesCommandInput): DescribeRouteTablesResult {
    const all = [...this.routeTables.values()].filter((table) =>
      matches(input.Filters, { id: table.id, tags: table.tags, vpcId: table.vpcId }),
    );
    const { items, next } = this.page("DescribeRouteTables", all, input.NextToken);
    return {
      RouteTables: items.map((table) => ({
        RouteTableId: table.id,
        VpcId: table.vpcId,
        OwnerId: accountId,
        Associations: [
          ...(table.main
            ? [{ Main: true, RouteTableAssociationId: `rtbassoc-main-${table.id}`, RouteTableId: table.id }]
            : []),
          ...table.associations.map((association) => ({
            Main: false,
            RouteTableAssociationId: association.id,
            RouteTableId: table.id,
            SubnetId: association.subnetId,
          })),
        ],
        Routes: [{ DestinationCidrBlock: "10.42.0.0/16", GatewayId: "local", State: "active" }],
        Tags: toTagList(table.tags),
      })),
      NextToken: next,
    };
  }

  disassociateRouteTable(input: DisassociateRouteTableCommandInput) {
    const table = [...this.routeTables.values()].find((candidate) =>
      candidate.associations.some((association) => association.id === input.AssociationId),
    );
    if (!table)
      throw ec2Error("InvalidAssociationID.NotFound", `The association ID '${input.AssociationId}' does not exist`);
    return this.mutate("DisassociateRouteTable", input.AssociationId as string, () => {
      table.associations = table.associations.filter((association) => association.id !== input.AssociationId);
    });
  }

  deleteRouteTable(input: DeleteRouteTableCommandInput) {
    const table = this.routeTables.get(input.RouteTableId as string);
    if (!table)
      throw ec2Error("InvalidRouteTableID.NotFound", `The routeTable ID '${input.RouteTableId}' does not exist`);
    if (table.main || table.associations.length)
      throw ec2Error("DependencyViolation", `The routeTable '${table.id}' has dependencies and cannot be deleted.`);
    return this.mutate("DeleteRouteTable", table.id, () => this.routeTables.delete(table.id));
  }

  describeInternetGateways(input: DescribeInternetGatewaysCommandInput): DescribeInternetGatewaysResult {
    const all = [...this.gateways.values()].filter((gateway) =>
      matches(input.Filters, { id: gateway.id, tags: gateway.tags }),
    );
    const { items, next } = this.page("DescribeInternetGateways", all, input.NextToken);
    return {
      InternetGateways: items.map((gateway) => ({
        InternetGatewayId: gateway.id,
        OwnerId: accountId,
        // AWS answers "available" for an attached gateway, a value the SDK's AttachmentStatus type does not list.
        Attachments: gateway.vpcId ? [{ VpcId: gateway.vpcId, State: "available" as AttachmentStatus }] : [],
        Tags: toTagList(gateway.tags),
      })),
      NextToken: next,
    };
  }

  detachInternetGateway(input: DetachInternetGatewayCommandInput) {
    const gateway = this.gateways.get(input.InternetGatewayId as string);
    if (!gateway)
      throw ec2Error(
        "InvalidInternetGatewayID.NotFound",
        `The internetGateway ID '${input.InternetGatewayId}' does not exist`,
      );
    if (gateway.vpcId !== input.VpcId)
      throw ec2Error("Gateway.NotAttached", `resource ${gateway.id} is not attached to network ${input.VpcId}`);
    if ([...this.instances.values()].some((instance) => this.live(instance) && instance.vpcId === input.VpcId)) {
      throw ec2Error(
        "DependencyViolation",
        `Network ${input.VpcId} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.`,
      );
    }
    return this.mutate("DetachInternetGateway", gateway.id, () => delete gateway.vpcId);
  }

  deleteInternetGateway(input: DeleteInternetGatewayCommandInput) {
    const gateway = this.gateways.get(input.InternetGatewayId as string);
    if (!gateway)
      throw ec2Error(
        "InvalidInternetGatewayID.NotFound",
        `The internetGateway ID '${input.InternetGatewayId}' does not exist`,
      );
    if (gateway.vpcId)
      throw ec2Error(
        "DependencyViolation",
        `The internetGateway '${gateway.id}' has dependencies and cannot be deleted.`,
      );
    return this.mutate("DeleteInternetGateway", gateway.id, () => this.gateways.delete(gateway.id));
  }

  describeVpcs(input: DescribeVpcsCommandInput): DescribeVpcsResult {
    const all = [...this.vpcs.values()].filter((vpc) => matches(input.Filters, { id: vpc.id, tags: vpc.tags }));
    const { items, next } = this.page("DescribeVpcs", all, input.NextToken);
    return {
      Vpcs: items.map((vpc) => ({
        VpcId: vpc.id,
        State: "available",
        CidrBlock: "10.42.0.0/16",
        IsDefault: false,
        OwnerId: accountId,
        Tags: toTagList(vpc.tags),
      })),
      NextToken: next,
    };
  }

  deleteVpc(input: DeleteVpcCommandInput) {
    const vpc = this.vpcs.get(input.VpcId as string);
    if (!vpc) throw ec2Error("InvalidVpcID.NotFound", `The vpc ID '${input.VpcId}' does not exist`);
    const inVpc = <T extends { vpcId?: string }>(items: Iterable<T>) =>
      [...items].filter((item) => item.vpcId === vpc.id);
    const blockers = [
      ...inVpc(this.subnets.values()),
      ...inVpc(this.gateways.values()),
      ...inVpc(this.groups.values()).filter((group) => group.name !== "default"),
      ...inVpc(this.routeTables.values()).filter((table) => !table.main),
      ...inVpc(this.enis.values()),
    ];
    if (blockers.length)
      throw ec2Error("DependencyViolation", `The vpc '${vpc.id}' has dependencies and cannot be deleted.`);
    return this.mutate("DeleteVpc", vpc.id, () => {
      this.vpcs.delete(vpc.id);
      for (const group of inVpc(this.groups.values())) this.groups.delete(group.id);
      for (const table of inVpc(this.routeTables.values())) this.routeTables.delete(table.id);
    });
  }

  // ---- IAM ----

  private iamRole(role: FakeRole): Role {
    return {
      Path: role.path,
      RoleName: role.name,
      RoleId: `AROA${role.name.toUpperCase().replace(/[^A-Z0-9]/g, "")}`,
      Arn: `arn:aws:iam::${accountId}:role${role.path}${role.name}`,
      CreateDate: created,
    };
  }

  private iamProfile(profile: FakeProfile): InstanceProfile {
    return {
      Path: "/",
      InstanceProfileName: profile.name,
      InstanceProfileId: `AIPA${profile.name.toUpperCase().replace(/[^A-Z0-9]/g, "")}`,
      Arn: `arn:aws:iam::${accountId}:instance-profile/${profile.name}`,
      CreateDate: created,
      Roles: [...profile.roles].map((name) => this.iamRole(this.roles.get(name) as FakeRole)),
    };
  }

  private iamPage<T>(operation: string, items: T[], marker: string | undefined) {
    const { items: pageItems, next } = this.page(operation, items, marker);
    return { pageItems, more: next === undefined ? { IsTruncated: false } : { IsTruncated: true, Marker: next } };
  }

  private role(name: string | undefined): FakeRole {
    const role = this.roles.get(name ?? "");
    if (!role)
      throw new NoSuchEntityException({
        message: `The role with name ${name} cannot be found.`,
        $metadata: { httpStatusCode: 404 },
      });
    return role;
  }

  private profile(name: string | undefined): FakeProfile {
    const profile = this.profiles.get(name ?? "");
    if (!profile)
      throw new NoSuchEntityException({
        message: `Instance Profile ${name} cannot be found.`,
        $metadata: { httpStatusCode: 404 },
      });
    return profile;
  }

  listRoles(input: ListRolesCommandInput): ListRolesResponse {
    const roles = [...this.roles.values()].filter((role) => role.path.startsWith(input.PathPrefix ?? "/"));
    const { pageItems, more } = this.iamPage("ListRoles", roles, input.Marker);
    return { Roles: pageItems.map((role) => this.iamRole(role)), ...more };
  }

  listRoleTags(input: ListRoleTagsCommandInput): ListRoleTagsResponse {
    const { pageItems, more } = this.iamPage("ListRoleTags", toTagList(this.role(input.RoleName).tags), input.Marker);
    return { Tags: pageItems, ...more };
  }

  listInstanceProfiles(input: ListInstanceProfilesCommandInput): ListInstanceProfilesResponse {
    const { pageItems, more } = this.iamPage("ListInstanceProfiles", [...this.profiles.values()], input.Marker);
    return { InstanceProfiles: pageItems.map((profile) => this.iamProfile(profile)), ...more };
  }

  listInstanceProfileTags(input: ListInstanceProfileTagsCommandInput): ListInstanceProfileTagsResponse {
    const { pageItems, more } = this.iamPage(
      "ListInstanceProfileTags",
      toTagList(this.profile(input.InstanceProfileName).tags),
      input.Marker,
    );
    return { Tags: pageItems, ...more };
  }

  listInstanceProfilesForRole(input: ListInstanceProfilesForRoleCommandInput): ListInstanceProfilesForRoleResponse {
    const role = this.role(input.RoleName);
    const profiles = [...this.profiles.values()].filter((profile) => profile.roles.has(role.name));
    const { pageItems, more } = this.iamPage("ListInstanceProfilesForRole", profiles, input.Marker);
    return { InstanceProfiles: pageItems.map((profile) => this.iamProfile(profile)), ...more };
  }

  removeRoleFromInstanceProfile(input: RemoveRoleFromInstanceProfileCommandInput) {
    const profile = this.profile(input.InstanceProfileName);
    const role = this.role(input.RoleName);
    if (!profile.roles.has(role.name))
      throw new NoSuchEntityException({ message: `Role ${role.name} is not in ${profile.name}`, $metadata: {} });
    return this.mutate("RemoveRoleFromInstanceProfile", `${profile.name}/${role.name}`, () =>
      profile.roles.delete(role.name),
    );
  }

  deleteInstanceProfile(input: DeleteInstanceProfileCommandInput) {
    const profile = this.profile(input.InstanceProfileName);
    if (profile.roles.size)
      throw new DeleteConflictException({
        message: "Cannot delete entity, must remove roles from instance profile first.",
        $metadata: { httpStatusCode: 409 },
      });
    return this.mutate("DeleteInstanceProfile", profile.name, () => this.profiles.delete(profile.name));
  }

  listRolePolicies(input: ListRolePoliciesCommandInput): ListRolePoliciesResponse {
    const { pageItems, more } = this.iamPage("ListRolePolicies", [...this.role(input.RoleName).inline], input.Marker);
    return { PolicyNames: pageItems, ...more };
  }

  deleteRolePolicy(input: DeleteRolePolicyCommandInput) {
    const role = this.role(input.RoleName);
    if (!role.inline.has(input.PolicyName as string))
      throw new NoSuchEntityException({
        message: `The role policy with name ${input.PolicyName} cannot be found.`,
        $metadata: {},
      });
    return this.mutate("DeleteRolePolicy", `${role.name}/${input.PolicyName}`, () =>
      role.inline.delete(input.PolicyName as string),
    );
  }

  listAttachedRolePolicies(input: ListAttachedRolePoliciesCommandInput): ListAttachedRolePoliciesResponse {
    const { pageItems, more } = this.iamPage(
      "ListAttachedRolePolicies",
      [...this.role(input.RoleName).attached],
      input.Marker,
    );
    return {
      AttachedPolicies: pageItems.map((PolicyArn) => ({ PolicyArn, PolicyName: PolicyArn.split("/").pop() })),
      ...more,
    };
  }

  detachRolePolicy(input: DetachRolePolicyCommandInput) {
    const role = this.role(input.RoleName);
    if (!role.attached.has(input.PolicyArn as string))
      throw new NoSuchEntityException({ message: `Policy ${input.PolicyArn} was not found.`, $metadata: {} });
    return this.mutate("DetachRolePolicy", `${role.name}/${input.PolicyArn}`, () =>
      role.attached.delete(input.PolicyArn as string),
    );
  }

  deleteRole(input: DeleteRoleCommandInput) {
    const role = this.role(input.RoleName);
    if ([...this.profiles.values()].some((profile) => profile.roles.has(role.name))) {
      throw new DeleteConflictException({
        message: "Cannot delete entity, must remove roles from instance profile first.",
        $metadata: { httpStatusCode: 409 },
      });
    }
    if (role.inline.size)
      throw new DeleteConflictException({
        message: "Cannot delete entity, must delete policies first.",
        $metadata: { httpStatusCode: 409 },
      });
    if (role.attached.size)
      throw new DeleteConflictException({
        message: "Cannot delete entity, must detach all policies first.",
        $metadata: { httpStatusCode: 409 },
      });
    return this.mutate("DeleteRole", role.name, () => this.roles.delete(role.name));
  }

  // ---- ECR ----

  private arnOf(name: string): string {
    return `arn:aws:ecr:us-east-1:${accountId}:repository/${name}`;
  }

  describeRepositories(input: DescribeRepositoriesCommandInput): DescribeRepositoriesResponse {
    const { items, next } = this.page("DescribeRepositories", [...this.repositories.values()], input.nextToken);
    return {
      repositories: items.map((repository) => ({
        repositoryName: repository.name,
        repositoryArn: this.arnOf(repository.name),
        registryId: accountId,
        repositoryUri: `${accountId}.dkr.ecr.us-east-1.amazonaws.com/${repository.name}`,
        imageTagMutability: "IMMUTABLE",
      })),
      nextToken: next,
    };
  }

  listTagsForResource(input: ListTagsForResourceCommandInput): ListTagsForResourceResponse {
    const repository = [...this.repositories.values()].find(
      (candidate) => this.arnOf(candidate.name) === input.resourceArn,
    );
    if (!repository)
      throw new RepositoryNotFoundException({
        message: `The repository with ARN '${input.resourceArn}' does not exist`,
        $metadata: {},
      });
    return { tags: toTagList(repository.tags) };
  }

  deleteRepository(input: DeleteRepositoryCommandInput) {
    const repository = this.repositories.get(input.repositoryName as string);
    if (!repository || (input.registryId !== undefined && input.registryId !== accountId)) {
      throw new RepositoryNotFoundException({
        message: `The repository with name '${input.repositoryName}' does not exist`,
        $metadata: {},
      });
    }
    if (repository.images && !input.force)
      throw new RepositoryNotEmptyException({
        message: `The repository with name '${repository.name}' cannot be deleted because it still contains images`,
        $metadata: {},
      });
    this.mutate("DeleteRepository", repository.name, () => this.repositories.delete(repository.name));
    return { repository: { repositoryName: repository.name } };
  }
}

// ---- wiring ----

const ec2Mock = mockClient(EC2Client);
const iamMock = mockClient(IAMClient);
const ecrMock = mockClient(ECRClient);
const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" };
const clients = {
  ec2: new EC2Client({ region: "us-east-1", credentials }),
  iam: new IAMClient({ region: "us-east-1", credentials }),
  ecr: new ECRClient({ region: "us-east-1", credentials }),
};

function install(fake: FakeAccount): void {
  ec2Mock.onAnyCommand().rejects(new Error("Fake not implemented: EC2 command"));
  iamMock.onAnyCommand().rejects(new Error("Fake not implemented: IAM command"));
  ecrMock.onAnyCommand().rejects(new Error("Fake not implemented: ECR command"));
  ec2Mock
    .on(DescribeInstancesCommand)
    .callsFake((input) => fake.describeInstances(input))
    .on(TerminateInstancesCommand)
    .callsFake((input) => fake.terminateInstances(input))
    .on(DescribeVolumesCommand)
    .callsFake((input) => fake.describeVolumes(input))
    .on(DeleteVolumeCommand)
    .callsFake((input) => fake.deleteVolume(input))
    .on(DescribeNetworkInterfacesCommand)
    .callsFake((input) => fake.describeNetworkInterfaces(input))
    .on(DeleteNetworkInterfaceCommand)
    .callsFake((input) => fake.deleteNetworkInterface(input))
    .on(DescribeSecurityGroupsCommand)
    .callsFake((input) => fake.describeSecurityGroups(input))
    .on(DeleteSecurityGroupCommand)
    .callsFake((input) => fake.deleteSecurityGroup(input))
    .on(DescribeSubnetsCommand)
    .callsFake((input) => fake.describeSubnets(input))
    .on(DeleteSubnetCommand)
    .callsFake((input) => fake.deleteSubnet(input))
    .on(DescribeRouteTablesCommand)
    .callsFake((input) => fake.describeRouteTables(input))
    .on(DisassociateRouteTableCommand)
    .callsFake((input) => fake.disassociateRouteTable(input))
    .on(DeleteRouteTableCommand)
    .callsFake((input) => fake.deleteRouteTable(input))
    .on(DescribeInternetGatewaysCommand)
    .callsFake((input) => fake.describeInternetGateways(input))
    .on(DetachInternetGatewayCommand)
    .callsFake((input) => fake.detachInternetGateway(input))
    .on(DeleteInternetGatewayCommand)
    .callsFake((input) => fake.deleteInternetGateway(input))
    .on(DescribeVpcsCommand)
    .callsFake((input) => fake.describeVpcs(input))
    .on(DeleteVpcCommand)
    .callsFake((input) => fake.deleteVpc(input));
  iamMock
    .on(ListRolesCommand)
    .callsFake((input) => fake.listRoles(input))
    .on(ListRoleTagsCommand)
    .callsFake((input) => fake.listRoleTags(input))
    .on(ListInstanceProfilesCommand)
    .callsFake((input) => fake.listInstanceProfiles(input))
    .on(ListInstanceProfileTagsCommand)
    .callsFake((input) => fake.listInstanceProfileTags(input))
    .on(ListInstanceProfilesForRoleCommand)
    .callsFake((input) => fake.listInstanceProfilesForRole(input))
    .on(RemoveRoleFromInstanceProfileCommand)
    .callsFake((input) => fake.removeRoleFromInstanceProfile(input))
    .on(DeleteInstanceProfileCommand)
    .callsFake((input) => fake.deleteInstanceProfile(input))
    .on(ListRolePoliciesCommand)
    .callsFake((input) => fake.listRolePolicies(input))
    .on(DeleteRolePolicyCommand)
    .callsFake((input) => fake.deleteRolePolicy(input))
    .on(ListAttachedRolePoliciesCommand)
    .callsFake((input) => fake.listAttachedRolePolicies(input))
    .on(DetachRolePolicyCommand)
    .callsFake((input) => fake.detachRolePolicy(input))
    .on(DeleteRoleCommand)
    .callsFake((input) => fake.deleteRole(input));
  ecrMock
    .on(DescribeRepositoriesCommand)
    .callsFake((input) => fake.describeRepositories(input))
    .on(ListTagsForResourceCommand)
    .callsFake((input) => fake.listTagsForResource(input))
    .on(DeleteRepositoryCommand)
    .callsFake((input) => fake.deleteRepository(input));
}

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

function tagsOf(batchId: string, expiresAt: Date, backend: string): Tags {
  return batchTags({ batchId, createdBy: "ci-job", expiresAt, backend, userTags: { team: "perf" } });
}

let fake: FakeAccount;

beforeEach(() => {
  ec2Mock.reset();
  iamMock.reset();
  ecrMock.reset();
  fake = new FakeAccount();
  install(fake);
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

type Batch = ReturnType<FakeAccount["addBatch"]>;

/** The ids a batch's stack created, as `kind id` (what the sweep reports). */
function resourcesOf(batch: Batch): string[] {
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
function leftOf(batch: Batch): string[] {
  const ids = [
    batch.vpc.id,
    batch.gateway.id,
    batch.group.id,
    batch.defaultGroup.id,
    batch.mainTable.id,
    batch.role.name,
    batch.profile.name,
    batch.repository.name,
    ...batch.subnets.map((subnet) => subnet.id),
    ...batch.tables.map((table) => table.id),
    ...batch.instances.map((instance) => instance.id),
  ];
  const owned = (line: string) => ids.some((id) => line.split(" ")[1] === id);
  const interfaces = [...fake.enis.values()].filter((eni) => eni.vpcId === batch.vpc.id).map((eni) => `eni ${eni.id}`);
  const volumes = [...fake.volumes.values()]
    .filter((volume) =>
      batch.instances.some(
        (instance) =>
          volume.attachment?.instanceId === instance.id ||
          volume.tags["aws-bench:batch"] === instance.tags["aws-bench:batch"],
      ),
    )
    .map((volume) => `volume ${volume.id}`);
  return [...fake.inventory().filter(owned), ...interfaces, ...volumes];
}

function actionsOf(events: SweepEvent[], batch: Batch): SweepEvent[] {
  const batchId = batch.vpc.tags["aws-bench:batch"];
  return events.filter((event) => event.batchId === batchId);
}

function described(events: SweepEvent[]): string[] {
  return events.map((event) => `${event.kind} ${event.id}`).sort();
}

// ---- tests ----

describe("sweepTaggedResources", () => {
  it("sweeps an expired batch completely, in dependency order, waiting for termination and retrying while interfaces are released", async () => {
    const batch = fake.addBatch(tagsOf("20261130t100000z-aaaaaa", new Date(now.getTime() - 2 * hour), otherBackend), {
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
    // Expiry alone decides: another backend's stack is never asked about.
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
    const batch = fake.addBatch(tagsOf("20261130t100000z-aaaaaa", new Date(now.getTime() - 2 * hour), otherBackend));
    const [instance] = batch.instances;
    const tags = batch.vpc.tags;
    const data: FakeVolume = {
      id: "vol-data",
      attachment: { instanceId: instance?.id as string, deleteOnTermination: false },
      tags,
    };
    const detached: FakeVolume = { id: "vol-detached", tags };
    const secondary: FakeEni = {
      id: "eni-secondary",
      vpcId: batch.vpc.id,
      subnetId: instance?.subnetId as string,
      groupIds: [batch.group.id],
      attachment: { instanceId: instance?.id as string, deleteOnTermination: false },
      tags: {},
    };
    for (const volume of [data, detached]) fake.volumes.set(volume.id, volume);
    fake.enis.set(secondary.id, secondary);

    const { summary, events } = await sweep();

    expect(leftOf(batch)).toEqual([]);
    expect(fake.volumes.size + fake.enis.size).toBe(0);
    expect(summary.failed).toBe(0);
    expect(described(events.filter((event) => event.kind === "volume" || event.kind === "network-interface"))).toEqual([
      "network-interface eni-secondary",
      "volume vol-data",
      "volume vol-detached",
    ]);
    expect(fake.log.indexOf("DeleteVolume vol-data")).toBeGreaterThan(fake.log.indexOf(`terminated ${instance?.id}`));
  });

  it("never touches another backend's live batch, even though its stack is not on this backend", async () => {
    const theirs = fake.addBatch(tagsOf("20261201t110000z-bbbbbb", new Date(now.getTime() + 3 * hour), otherBackend));
    const theirsInGrace = fake.addBatch(
      tagsOf("20261201t090000z-bbbbb2", new Date(now.getTime() - 30 * minute), otherBackend),
    );
    const expired = fake.addBatch(tagsOf("20261130t090000z-cccccc", new Date(now.getTime() - 5 * hour), hereBackend));
    const before = [...leftOf(theirs), ...leftOf(theirsInGrace)];

    const { summary, events, asked } = await sweep({ liveStacks: [] });

    expect([...leftOf(theirs), ...leftOf(theirsInGrace)]).toEqual(before);
    const theirIds = before.map((line) => line.split(" ")[1] as string);
    expect(fake.log.filter((line) => theirIds.some((id) => line.includes(id)))).toEqual([]);
    expect(actionsOf(events, theirs)).toEqual([]);
    expect(actionsOf(events, theirsInGrace)).toEqual([]);
    expect(asked).toEqual([]);
    expect(leftOf(expired)).toEqual([]);
    // their VPC, IGW, SG, 2 subnets, 2 route tables, instance, role, profile, repository: 11 tagged resources each
    expect(summary.untouched).toBe(22);
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
      tagsOf("20261201t080000z-ffffff", new Date(now.getTime() - hour + minute), otherBackend),
    );
    const pastGrace = fake.addBatch(
      tagsOf("20261201t070000z-ffffff", new Date(now.getTime() - hour - minute), otherBackend),
    );
    const before = leftOf(inGrace);
    const { events } = await sweep({ graceMs: hour });

    expect(leftOf(inGrace)).toEqual(before);
    expect(actionsOf(events, inGrace)).toEqual([]);
    expect(leftOf(pastGrace)).toEqual([]);
    expect(described(actionsOf(events, pastGrace))).toEqual(resourcesOf(pastGrace));
  });

  it("in a dry run deletes nothing and lists everything it would delete", async () => {
    const expired = fake.addBatch(tagsOf("20261130t100000z-aaaaaa", new Date(now.getTime() - 2 * hour), otherBackend), {
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
    const first = fake.addBatch(tagsOf("20261130t100000z-aaaaaa", new Date(now.getTime() - 2 * hour), otherBackend));
    const second = fake.addBatch(tagsOf("20261130t110000z-bbbbbb", new Date(now.getTime() - 2 * hour), otherBackend));
    fake.failOn(
      "DeleteSecurityGroup",
      first.group.id,
      ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."),
    );
    fake.failOn(
      "DeleteRole",
      second.role.name,
      new DeleteConflictException({ message: "Cannot delete entity, must detach all policies first.", $metadata: {} }),
    );

    const { summary, events } = await sweep();

    expect(summary.failures.map((event) => [event.kind, event.id, event.error])).toEqual([
      ["security-group", first.group.id, "UnauthorizedOperation: You are not authorized to perform this operation."],
      ["vpc", first.vpc.id, `DependencyViolation: The vpc '${first.vpc.id}' has dependencies and cannot be deleted.`],
      ["iam-role", second.role.name, "DeleteConflictException: Cannot delete entity, must detach all policies first."],
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
      fake.addBatch(tagsOf(id, new Date(now.getTime() - 2 * hour), otherBackend)),
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
    // a role's 5 tags, one per page
    expect(iamMock.commandCalls(ListRoleTagsCommand, { RoleName: batches[0]?.role.name })).toHaveLength(5);
  });

  it("leaves untagged resources and resources without the batch tag alone", async () => {
    const vpc: FakeVpc = { id: "vpc-users", tags: { Name: "theirs" } };
    fake.vpcs.set(vpc.id, vpc);
    fake.subnets.set("subnet-users", { id: "subnet-users", vpcId: vpc.id, tags: {} });
    fake.groups.set("sg-users", {
      id: "sg-users",
      vpcId: vpc.id,
      name: "web",
      tags: { [`aws-bench:expires-at`]: "2020-01-01T00:00:00Z" },
    });
    fake.gateways.set("igw-users", { id: "igw-users", vpcId: vpc.id, tags: {} });
    fake.addInstance(vpc.id, "subnet-users", ["sg-users"], { Name: "web-1" });
    fake.enis.set("eni-users-spare", {
      id: "eni-users-spare",
      vpcId: vpc.id,
      subnetId: "subnet-users",
      groupIds: ["sg-users"],
      tags: {},
    });
    fake.roles.set("deploy", {
      name: "deploy",
      path: "/",
      tags: { "aws-bench:expires-at": "2020-01-01T00:00:00Z", "aws-bench:backend": hereBackend },
      inline: new Set(["p"]),
      attached: new Set(),
    });
    fake.roles.set("untagged", { name: "untagged", path: "/", tags: {}, inline: new Set(), attached: new Set() });
    fake.profiles.set("deploy", { name: "deploy", tags: { team: "perf" }, roles: new Set(["deploy"]) });
    fake.repositories.set("app", { name: "app", tags: { team: "perf" }, images: 4 });
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
      ...tagsOf("20261130t100000z-aaaaaa", now, otherBackend),
      "aws-bench:expires-at": "next tuesday",
    });
    const noExpiry = fake.addBatch(tagsOf("20261130t100000z-bbbbbb", now, otherBackend));
    for (const map of [
      fake.vpcs,
      fake.subnets,
      fake.groups,
      fake.routeTables,
      fake.gateways,
      fake.instances,
      fake.roles,
      fake.profiles,
      fake.repositories,
    ] as Array<Map<string, { tags: Tags }>>) {
      for (const resource of map.values())
        if (resource.tags["aws-bench:batch"] === "20261130t100000z-bbbbbb")
          delete resource.tags["aws-bench:expires-at"];
    }
    const orphan = fake.addBatch({
      ...tagsOf("20261130t100000z-cccccc", now, hereBackend),
      "aws-bench:expires-at": "2026-13-45",
    });
    const before = [...leftOf(unreadable), ...leftOf(noExpiry)];

    const { events, summary } = await sweep({ liveStacks: [] });

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
    const stuck = fake.addBatch(tagsOf("20261130t100000z-aaaaaa", new Date(now.getTime() - 2 * hour), otherBackend));
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
    const expired = fake.addBatch(tagsOf("20261130t100000z-aaaaaa", new Date(now.getTime() - 2 * hour), otherBackend));
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

  it("does not ask a backend about a batch tag that is not a batch id", async () => {
    const asked: string[] = [];
    const recordingJudge = judge((id) => {
      asked.push(id);
      return Promise.resolve(false);
    });
    const verdict = await recordingJudge({ ...tags(new Date(now.getTime() + hour)), "aws-bench:batch": "../../x" });
    expect(verdict).toMatchObject({
      sweep: false,
      problem: "'../../x' is not a batch id, so its stack was not looked up",
    });
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

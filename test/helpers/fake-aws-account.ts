/**
 * FakeAwsAccount: one AWS account (123456789012, us-east-1) in memory, holding what a batch stack creates, for
 * tests of code that finds and deletes those resources (src/orchestrator/sweep.ts). `install()` puts it behind
 * aws-sdk-client-mock stubs with `callsFake`, so the code under test talks to it through the real SDK clients,
 * commands and paginators. Its own tests are test/unit/helpers/fake-aws-account.test.ts.
 *
 * What it holds
 * - EC2: VPCs (each born with its `default` security group and main route table, as CreateVpc makes them),
 *   subnets, route tables with subnet associations, internet gateways attached to at most one VPC, security
 *   groups, network interfaces, volumes, and instances (each with an untagged primary interface and a root
 *   volume, both deleted on termination, as RunInstances makes them).
 * - IAM: roles (path, tags, inline policy names, attached managed policy ARNs) and instance profiles (path, tags,
 *   at most one role). ECR: repositories (tags, a number of images).
 *
 * Listing
 * - Describe* / List* answer in the SDK's output shapes. Pages hold at most `pageSize` items (AWS may return fewer
 *   than asked for), fewer when the caller's MaxResults / MaxItems / maxResults says so; IAM and ECR default to
 *   100 as documented. More pages: EC2 `NextToken`, IAM `IsTruncated` + `Marker`, ECR `nextToken`. Every page
 *   served is recorded in `pagesServed` as "<Operation> <token or first>".
 * - EC2 filters: several filters must all match, a filter's values are alternatives. `tag:<Key>` matches a
 *   resource whose tag Key has one of the values, `tag-key` one that has one of the keys, `tag-value` one with one
 *   of the values on any tag. Besides those: DescribeInstances `instance-id`, `instance-state-name`, `vpc-id`,
 *   `subnet-id`; DescribeVolumes `volume-id`, `status`, `attachment.instance-id`; DescribeNetworkInterfaces
 *   `network-interface-id`, `vpc-id`, `subnet-id`, `group-id`, `status`, `attachment.instance-id`;
 *   DescribeSecurityGroups `group-id`, `group-name`, `vpc-id`; DescribeSubnets `subnet-id`, `vpc-id`;
 *   DescribeRouteTables `route-table-id`, `vpc-id`, `association.main`, `association.subnet-id`;
 *   DescribeInternetGateways `internet-gateway-id`, `attachment.vpc-id`; DescribeVpcs `vpc-id`. Terminated
 *   instances stay listed (without their VPC and subnet).
 *
 * Time passes only in `tick()` (a test's injected sleep calls it). TerminateInstances moves an instance to
 * `shutting-down`; `terminationTicks` ticks later it is `terminated`. Then its delete-on-termination volumes are
 * gone and the others detached; its delete-on-termination interfaces stay attached `eniReleaseTicks` more ticks
 * (still holding their security groups and subnet, as AWS releases them late) and its other interfaces are
 * detached.
 *
 * AWS's rules it enforces, with the errors AWS returns
 * - DeleteVpc: DependencyViolation while the VPC has subnets (which its network interfaces keep alive), an attached
 *   internet gateway, security groups other than `default`, or route tables other than the main one; it takes its
 *   default group and main route table with it.
 * - DeleteSubnet: DependencyViolation while a network interface is in it (every instance has one); it removes the
 *   subnet's route-table associations.
 * - DeleteRouteTable: DependencyViolation while associated with a subnet, and always for a main route table.
 * - DeleteSecurityGroup: DependencyViolation while a network interface uses it; CannotDelete for `default`.
 * - DetachInternetGateway: DependencyViolation while an instance in the VPC is not terminated (its public address
 *   is mapped); Gateway.NotAttached when not attached to that VPC. DeleteInternetGateway: DependencyViolation while
 *   attached.
 * - DeleteNetworkInterface: InvalidNetworkInterface.InUse while attached. DeleteVolume: VolumeInUse while attached.
 * - IAM DeleteInstanceProfile: DeleteConflict while it holds a role. DeleteRole: DeleteConflict while in a profile,
 *   or while it has inline or attached policies.
 * - ECR DeleteRepository: RepositoryNotEmptyException while it holds images, unless `force`.
 * - An unknown id, name or association: the service's not-found error (InvalidInstanceID.NotFound,
 *   InvalidVpcID.NotFound, …, NoSuchEntity, RepositoryNotFoundException). TerminateInstances with one unknown id
 *   terminates none.
 * Errors are shaped as SDK v3 throws them: EC2's as EC2ServiceException named by the code, with `Code`; IAM's as
 * the modelled class (NoSuchEntityException, DeleteConflictException) with AWS's code in `Code`; ECR's as the
 * modelled class. `failOn(operation, id, error)` makes one mutating operation on one resource fail (a permission
 * missing, say).
 *
 * Every successful mutation is appended to `log` as "<Operation> <id>" (the id `failOn` takes), and an instance
 * reaching terminated as "terminated <id>".
 *
 * Not modelled, deliberately: Describe* by id lists (InstanceIds, VpcIds, …: use filters), filter wildcards, other
 * filters, DescribeRepositories by name — these throw `Fake not implemented`, as does any other command, rather
 * than answer wrongly. Also absent: security-group rules that reference other groups, NAT gateways, endpoints,
 * Elastic IPs, network ACLs (nothing of theirs blocks a delete); AWS forgetting terminated instances after an
 * hour; parameter validation (id formats, page-size ranges), DryRun and permissions (use `failOn`); other regions.
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
  DescribeInternetGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVolumesCommand,
  DescribeVpcsCommand,
  DetachInternetGatewayCommand,
  DisassociateRouteTableCommand,
  EC2ServiceException,
  TerminateInstancesCommand,
  type AttachmentStatus,
  type DeleteInternetGatewayCommandInput,
  type DeleteNetworkInterfaceCommandInput,
  type DeleteRouteTableCommandInput,
  type DeleteSecurityGroupCommandInput,
  type DeleteSecurityGroupResult,
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
  type EC2Client,
  type Filter,
  type InstanceState,
  type InstanceStateName,
  type TerminateInstancesCommandInput,
  type TerminateInstancesResult,
} from "@aws-sdk/client-ec2";
import {
  DeleteRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRServiceException,
  ListTagsForResourceCommand,
  RepositoryNotEmptyException,
  RepositoryNotFoundException,
  type DeleteRepositoryCommandInput,
  type DeleteRepositoryResponse,
  type DescribeRepositoriesCommandInput,
  type DescribeRepositoriesResponse,
  type ECRClient,
  type ListTagsForResourceCommandInput,
  type ListTagsForResourceResponse,
  type Repository,
} from "@aws-sdk/client-ecr";
import {
  DeleteConflictException,
  DeleteInstanceProfileCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  IAMServiceException,
  LimitExceededException,
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
  type IAMClient,
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
import type { AwsClientStub } from "aws-sdk-client-mock";
import { iamPath } from "../../stacks/batch-naming.js";

/** The account's id. */
export const fakeAccountId = "123456789012";
/** The account's only region. */
export const fakeRegion = "us-east-1";
/** When every IAM role, instance profile and ECR repository was created. */
const created = new Date("2026-11-01T00:00:00Z");

/** Tags as a record (the fake's form; the APIs answer `[{ Key, Value }]`). */
export type Tags = Record<string, string>;

/** A volume's or network interface's attachment to an instance. */
export interface FakeAttachment {
  instanceId: string;
  deleteOnTermination: boolean;
}
export interface FakeInstance {
  id: string;
  state: InstanceStateName;
  tags: Tags;
  vpcId: string;
  subnetId: string;
  groupIds: string[];
}
export interface FakeNetworkInterface {
  id: string;
  vpcId: string;
  subnetId: string;
  groupIds: string[];
  attachment?: FakeAttachment;
  tags: Tags;
  /** Made by an AWS service for its own use (a VPC endpoint, a load balancer): only that service deletes it. */
  requesterManaged?: boolean;
}
export interface FakeVolume {
  id: string;
  attachment?: FakeAttachment;
  tags: Tags;
}
export interface FakeSecurityGroup {
  id: string;
  vpcId: string;
  name: string;
  tags: Tags;
}
export interface FakeSubnet {
  id: string;
  vpcId: string;
  tags: Tags;
}
export interface FakeRouteTable {
  id: string;
  vpcId: string;
  main: boolean;
  associations: Array<{ id: string; subnetId: string }>;
  tags: Tags;
}
export interface FakeInternetGateway {
  id: string;
  vpcId?: string;
  tags: Tags;
}
export interface FakeVpc {
  id: string;
  tags: Tags;
}
export interface FakeRole {
  name: string;
  path: string;
  tags: Tags;
  inline: Set<string>;
  attached: Set<string>;
}
export interface FakeInstanceProfile {
  name: string;
  path: string;
  tags: Tags;
  roles: Set<string>;
}
export interface FakeRepository {
  name: string;
  tags: Tags;
  images: number;
}

/** What `addBatch` created: the stack's resources and the parts AWS created for it. */
export interface FakeBatch {
  /** The batch's `aws-bench:batch` tag. */
  batchId: string | undefined;
  vpc: FakeVpc;
  gateway: FakeInternetGateway;
  subnets: FakeSubnet[];
  /** The subnets' route tables, one each. */
  tables: FakeRouteTable[];
  group: FakeSecurityGroup;
  role: FakeRole;
  profile: FakeInstanceProfile;
  repository: FakeRepository;
  instances: FakeInstance[];
  /** Created with the VPC, untagged. */
  defaultGroup: FakeSecurityGroup;
  /** Created with the VPC, untagged. */
  mainTable: FakeRouteTable;
  /** With `strayEni`: a detached, untagged interface in the VPC. */
  strayEni: FakeNetworkInterface | undefined;
}

/** The stubs `install()` answers on: `mockClient(EC2Client)` and so on, created by the test file. */
export interface AwsClientMocks {
  ec2: AwsClientStub<EC2Client>;
  iam: AwsClientStub<IAMClient>;
  ecr: AwsClientStub<ECRClient>;
}

/** An EC2 error as the SDK throws it: EC2 models none, so an EC2ServiceException named by AWS's code. */
export function ec2Error(code: string, message: string): EC2ServiceException {
  return Object.assign(
    new EC2ServiceException({ name: code, $fault: "client", message, $metadata: { httpStatusCode: 400 } }),
    { Code: code },
  );
}

const iamErrorClasses = {
  NoSuchEntity: [NoSuchEntityException, 404],
  DeleteConflict: [DeleteConflictException, 409],
  LimitExceeded: [LimitExceededException, 409],
} as const;

/**
 * An IAM error as the SDK throws it: the modelled class for AWS's code (`DeleteConflict` →
 * DeleteConflictException), with the code in `Code`; an unmodelled code (`AccessDenied`) as IAMServiceException.
 */
export function iamError(code: string, message: string): IAMServiceException {
  const known = iamErrorClasses[code as keyof typeof iamErrorClasses];
  const $metadata = { httpStatusCode: known?.[1] ?? 403 };
  const error = known
    ? new known[0]({ message, $metadata })
    : new IAMServiceException({ name: code, $fault: "client", message, $metadata });
  return Object.assign(error, { Code: code, Type: "Sender" });
}

/** An ECR error as the SDK throws it: the modelled class for the name, else ECRServiceException. */
export function ecrError(name: string, message: string): ECRServiceException {
  const $metadata = { httpStatusCode: 400 };
  if (name === "RepositoryNotFoundException") return new RepositoryNotFoundException({ message, $metadata });
  if (name === "RepositoryNotEmptyException") return new RepositoryNotEmptyException({ message, $metadata });
  return new ECRServiceException({ name, $fault: "client", message, $metadata });
}

function notImplemented(what: string): Error {
  return new Error(`Fake not implemented: ${what}`);
}

function toTagList(tags: Tags): Array<{ Key: string; Value: string }> {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** What EC2 filters other than the tag filters see of a resource: filter name → the resource's values. */
type Ec2Attributes = Record<string, Array<string | undefined>>;

function matchesFilters(operation: string, filters: Filter[] | undefined, tags: Tags, attributes: Ec2Attributes) {
  return (filters ?? []).every(({ Name: name = "", Values: values = [] }) => {
    if (values.some((value) => /[*?]/.test(value)))
      throw notImplemented(`filter wildcards (${name} ${values.join(",")})`);
    if (name.startsWith("tag:")) {
      const key = name.slice(4);
      return Object.hasOwn(tags, key) && values.includes(tags[key] as string);
    }
    if (name === "tag-key") return values.some((key) => Object.hasOwn(tags, key));
    if (name === "tag-value") return Object.values(tags).some((value) => values.includes(value));
    const own = attributes[name];
    if (!own) throw notImplemented(`filter ${name} on ${operation}`);
    return own.some((value) => value !== undefined && values.includes(value));
  });
}

/** Throws for a request parameter the fake would otherwise silently ignore. */
function refuseUnmodelled(operation: string, input: object, keys: string[], hint = "; use a filter"): void {
  for (const key of keys) {
    const value = (input as Record<string, unknown>)[key];
    if (value !== undefined && !(Array.isArray(value) && value.length === 0))
      throw notImplemented(`${key} on ${operation}${hint}`);
  }
}

const instanceStateCodes: Record<InstanceStateName, number> = {
  pending: 0,
  running: 16,
  "shutting-down": 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

function instanceState(name: InstanceStateName): InstanceState {
  return { Code: instanceStateCodes[name], Name: name };
}

export class FakeAwsAccount {
  /** Most items on one page of any listing. */
  pageSize = 1000;
  /** Ticks from TerminateInstances until the instance is terminated (`Infinity`: never; 0: at once, no tick). */
  terminationTicks = 2;
  /** Ticks a terminated instance's delete-on-termination interfaces linger (0: gone with the instance). */
  eniReleaseTicks = 1;
  /** Every successful mutation, "<Operation> <id>", and "terminated <id>". */
  readonly log: string[] = [];
  /** Every page any listing served, "<Operation> <token or first>" (the SDK's paginators reuse one input object). */
  readonly pagesServed: string[] = [];

  private readonly instanceMap = new Map<string, FakeInstance>();
  private readonly eniMap = new Map<string, FakeNetworkInterface>();
  private readonly volumeMap = new Map<string, FakeVolume>();
  private readonly groupMap = new Map<string, FakeSecurityGroup>();
  private readonly subnetMap = new Map<string, FakeSubnet>();
  private readonly routeTableMap = new Map<string, FakeRouteTable>();
  private readonly gatewayMap = new Map<string, FakeInternetGateway>();
  private readonly vpcMap = new Map<string, FakeVpc>();
  private readonly roleMap = new Map<string, FakeRole>();
  private readonly profileMap = new Map<string, FakeInstanceProfile>();
  private readonly repositoryMap = new Map<string, FakeRepository>();
  /** Ticks left until a shutting-down instance is terminated, or a released interface is gone. */
  private readonly ticksLeft = new Map<string, number>();
  private readonly failures = new Map<string, Error>();
  private counter = 0;

  get instances(): ReadonlyMap<string, FakeInstance> {
    return this.instanceMap;
  }
  get networkInterfaces(): ReadonlyMap<string, FakeNetworkInterface> {
    return this.eniMap;
  }
  get volumes(): ReadonlyMap<string, FakeVolume> {
    return this.volumeMap;
  }
  get securityGroups(): ReadonlyMap<string, FakeSecurityGroup> {
    return this.groupMap;
  }
  get subnets(): ReadonlyMap<string, FakeSubnet> {
    return this.subnetMap;
  }
  get routeTables(): ReadonlyMap<string, FakeRouteTable> {
    return this.routeTableMap;
  }
  get internetGateways(): ReadonlyMap<string, FakeInternetGateway> {
    return this.gatewayMap;
  }
  get vpcs(): ReadonlyMap<string, FakeVpc> {
    return this.vpcMap;
  }
  get roles(): ReadonlyMap<string, FakeRole> {
    return this.roleMap;
  }
  get instanceProfiles(): ReadonlyMap<string, FakeInstanceProfile> {
    return this.profileMap;
  }
  get repositories(): ReadonlyMap<string, FakeRepository> {
    return this.repositoryMap;
  }

  /** Makes every later `operation` on `id` (as `log` names them) throw `error`, changing nothing. */
  failOn(operation: string, id: string, error: Error): void {
    this.failures.set(`${operation} ${id}`, error);
  }

  /** One step of time: releases lingering interfaces, then moves shutting-down instances on. */
  tick(): void {
    for (const eni of [...this.eniMap.values()]) {
      const left = this.ticksLeft.get(eni.id);
      if (left === undefined) continue;
      if (left <= 1) this.forget(this.eniMap, eni.id);
      else this.ticksLeft.set(eni.id, left - 1);
    }
    for (const instance of this.instanceMap.values()) {
      if (instance.state !== "shutting-down") continue;
      const left = (this.ticksLeft.get(instance.id) ?? 0) - 1;
      this.ticksLeft.set(instance.id, left);
      if (left <= 0) this.terminate(instance);
    }
  }

  /** Every resource the account still holds, one line each, sorted (terminated instances left out). */
  inventory(): string[] {
    return [
      ...[...this.instanceMap.values()]
        .filter((instance) => instance.state !== "terminated")
        .map((instance) => `instance ${instance.id} ${instance.state}`),
      ...[...this.eniMap.keys()].map((id) => `eni ${id}`),
      ...[...this.volumeMap.keys()].map((id) => `volume ${id}`),
      ...[...this.groupMap.keys()].map((id) => `sg ${id}`),
      ...[...this.subnetMap.keys()].map((id) => `subnet ${id}`),
      ...[...this.routeTableMap.values()].map((table) => `rtb ${table.id} ${table.associations.length}`),
      ...[...this.gatewayMap.values()].map((gateway) => `igw ${gateway.id} ${gateway.vpcId ?? "detached"}`),
      ...[...this.vpcMap.keys()].map((id) => `vpc ${id}`),
      ...[...this.roleMap.values()].map((role) => `role ${role.name} ${[...role.inline, ...role.attached].join(",")}`),
      ...[...this.profileMap.values()].map((profile) => `profile ${profile.name} ${[...profile.roles].join(",")}`),
      ...[...this.repositoryMap.keys()].map((name) => `repository ${name}`),
    ].sort();
  }

  /**
   * What the account still holds of a batch, as `inventory()` lines: its stack's resources, the VPC's default
   * group and main route table, every interface in its VPC and every volume of its instances or with its batch tag.
   */
  remainsOf(batch: FakeBatch): string[] {
    const ids = new Set([
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
    ]);
    const instanceIds = new Set(batch.instances.map((instance) => instance.id));
    const volumeIds = [...this.volumeMap.values()]
      .filter(
        (volume) =>
          (volume.attachment && instanceIds.has(volume.attachment.instanceId)) ||
          (batch.batchId !== undefined &&
            volume.tags["aws-bench:batch"] === batch.batchId &&
            volume.tags["aws-bench:backend"] === batch.vpc.tags["aws-bench:backend"]),
      )
      .map((volume) => volume.id);
    const eniIds = [...this.eniMap.values()].filter((eni) => eni.vpcId === batch.vpc.id).map((eni) => eni.id);
    for (const id of [...volumeIds, ...eniIds]) ids.add(id);
    return this.inventory().filter((line) => ids.has(line.split(" ")[1] as string));
  }

  // ---- seeding: what exists before the code under test runs; a dangling reference throws ----

  /** A VPC, with the default security group and main route table AWS creates with it (both untagged). */
  addVpc(options: { id?: string; tags?: Tags } = {}): FakeVpc {
    const vpc: FakeVpc = { id: this.newId("vpc", options.id), tags: { ...options.tags } };
    this.vpcMap.set(vpc.id, vpc);
    this.addSecurityGroup({ vpcId: vpc.id, name: "default" });
    const main: FakeRouteTable = { id: this.newId("rtb"), vpcId: vpc.id, main: true, associations: [], tags: {} };
    this.routeTableMap.set(main.id, main);
    return vpc;
  }

  /** The `default` security group and main route table of a VPC. */
  defaultsOf(vpcId: string): { group: FakeSecurityGroup; mainTable: FakeRouteTable } {
    const group = [...this.groupMap.values()].find((g) => g.vpcId === vpcId && g.name === "default");
    const mainTable = [...this.routeTableMap.values()].find((table) => table.vpcId === vpcId && table.main);
    if (!group || !mainTable) throw new Error(`seed: VPC ${vpcId} has no default group or main route table`);
    return { group, mainTable };
  }

  addSubnet(options: { id?: string; vpcId: string; tags?: Tags }): FakeSubnet {
    this.mustHold(this.vpcMap, options.vpcId, "VPC");
    const subnet: FakeSubnet = {
      id: this.newId("subnet", options.id),
      vpcId: options.vpcId,
      tags: { ...options.tags },
    };
    this.subnetMap.set(subnet.id, subnet);
    return subnet;
  }

  addSecurityGroup(options: { id?: string; vpcId: string; name: string; tags?: Tags }): FakeSecurityGroup {
    this.mustHold(this.vpcMap, options.vpcId, "VPC");
    const group: FakeSecurityGroup = {
      id: this.newId("sg", options.id),
      vpcId: options.vpcId,
      name: options.name,
      tags: { ...options.tags },
    };
    this.groupMap.set(group.id, group);
    return group;
  }

  /** A (non-main) route table, explicitly associated with `subnetIds`. */
  addRouteTable(options: { id?: string; vpcId: string; subnetIds?: string[]; tags?: Tags }): FakeRouteTable {
    this.mustHold(this.vpcMap, options.vpcId, "VPC");
    for (const subnetId of options.subnetIds ?? []) this.mustHold(this.subnetMap, subnetId, "subnet");
    const table: FakeRouteTable = {
      id: this.newId("rtb", options.id),
      vpcId: options.vpcId,
      main: false,
      associations: (options.subnetIds ?? []).map((subnetId) => ({ id: this.newId("rtbassoc"), subnetId })),
      tags: { ...options.tags },
    };
    this.routeTableMap.set(table.id, table);
    return table;
  }

  /** An internet gateway, attached to `vpcId` when given. */
  addInternetGateway(options: { id?: string; vpcId?: string; tags?: Tags } = {}): FakeInternetGateway {
    if (options.vpcId !== undefined) this.mustHold(this.vpcMap, options.vpcId, "VPC");
    const gateway: FakeInternetGateway = { id: this.newId("igw", options.id), tags: { ...options.tags } };
    if (options.vpcId !== undefined) gateway.vpcId = options.vpcId;
    this.gatewayMap.set(gateway.id, gateway);
    return gateway;
  }

  /** A network interface in a subnet (and so its VPC), attached when `attachment` is given. */
  addNetworkInterface(options: {
    id?: string;
    subnetId: string;
    groupIds: string[];
    attachment?: FakeAttachment;
    tags?: Tags;
    requesterManaged?: boolean;
  }): FakeNetworkInterface {
    const subnet = this.mustHold(this.subnetMap, options.subnetId, "subnet");
    for (const groupId of options.groupIds) this.mustHold(this.groupMap, groupId, "security group");
    if (options.attachment) this.mustHold(this.instanceMap, options.attachment.instanceId, "instance");
    const eni: FakeNetworkInterface = {
      id: this.newId("eni", options.id),
      vpcId: subnet.vpcId,
      subnetId: subnet.id,
      groupIds: [...options.groupIds],
      tags: { ...options.tags },
      ...(options.requesterManaged ? { requesterManaged: true } : {}),
    };
    if (options.attachment) eni.attachment = { ...options.attachment };
    this.eniMap.set(eni.id, eni);
    return eni;
  }

  /** An EBS volume, attached when `attachment` is given. */
  addVolume(options: { id?: string; attachment?: FakeAttachment; tags?: Tags } = {}): FakeVolume {
    if (options.attachment) this.mustHold(this.instanceMap, options.attachment.instanceId, "instance");
    const volume: FakeVolume = { id: this.newId("vol", options.id), tags: { ...options.tags } };
    if (options.attachment) volume.attachment = { ...options.attachment };
    this.volumeMap.set(volume.id, volume);
    return volume;
  }

  /**
   * An instance in a subnet, with what RunInstances creates with it: a primary network interface (untagged) and a
   * root volume (tagged `volumeTags`), both deleted on termination.
   */
  addInstance(options: {
    id?: string;
    subnetId: string;
    groupIds: string[];
    tags?: Tags;
    volumeTags?: Tags;
    state?: "pending" | "running" | "stopped";
  }): FakeInstance {
    const subnet = this.mustHold(this.subnetMap, options.subnetId, "subnet");
    for (const groupId of options.groupIds) this.mustHold(this.groupMap, groupId, "security group");
    const instance: FakeInstance = {
      id: this.newId("i", options.id),
      state: options.state ?? "running",
      tags: { ...options.tags },
      vpcId: subnet.vpcId,
      subnetId: subnet.id,
      groupIds: [...options.groupIds],
    };
    this.instanceMap.set(instance.id, instance);
    const attachment = { instanceId: instance.id, deleteOnTermination: true };
    this.addNetworkInterface({ subnetId: subnet.id, groupIds: options.groupIds, attachment });
    this.addVolume({ attachment, tags: { ...options.volumeTags } });
    return instance;
  }

  addRole(options: {
    name: string;
    path?: string;
    tags?: Tags;
    inlinePolicies?: string[];
    attachedPolicies?: string[];
  }): FakeRole {
    this.mustBeNew(this.roleMap, options.name);
    const role: FakeRole = {
      name: options.name,
      path: options.path ?? "/",
      tags: { ...options.tags },
      inline: new Set(options.inlinePolicies),
      attached: new Set(options.attachedPolicies),
    };
    this.roleMap.set(role.name, role);
    return role;
  }

  /** An instance profile holding `roleNames` (IAM allows at most one). */
  addInstanceProfile(options: { name: string; path?: string; tags?: Tags; roleNames?: string[] }): FakeInstanceProfile {
    this.mustBeNew(this.profileMap, options.name);
    const roleNames = options.roleNames ?? [];
    if (roleNames.length > 1)
      throw new Error(`seed: an instance profile holds at most one role, not ${roleNames.join(", ")}`);
    for (const name of roleNames) this.mustHold(this.roleMap, name, "role");
    const profile: FakeInstanceProfile = {
      name: options.name,
      path: options.path ?? "/",
      tags: { ...options.tags },
      roles: new Set(roleNames),
    };
    this.profileMap.set(profile.name, profile);
    return profile;
  }

  addRepository(options: { name: string; tags?: Tags; images?: number }): FakeRepository {
    this.mustBeNew(this.repositoryMap, options.name);
    const repository: FakeRepository = { name: options.name, tags: { ...options.tags }, images: options.images ?? 0 };
    this.repositoryMap.set(repository.name, repository);
    return repository;
  }

  /**
   * What a batch stack creates, every part tagged `tags`: an awsx VPC (two public subnets with a route table each,
   * an internet gateway), a security group, a role with an inline policy (and the SSM managed policy with `ssm`) in
   * an instance profile, both under the stack's IAM path (`iamPath`, `/aws-bench/`), an ECR repository with two images, and `instances` instances (default 1) whose root
   * volumes carry the tags too. `strayEni` adds a detached, untagged interface in the VPC (as a failed attach
   * leaves one), which would keep the VPC alive.
   */
  addBatch(tags: Tags, options: { instances?: number; ssm?: boolean; strayEni?: boolean } = {}): FakeBatch {
    const batchId = tags["aws-bench:batch"];
    const vpc = this.addVpc({ tags: { Name: "batch-vpc", ...tags } });
    const { group: defaultGroup, mainTable } = this.defaultsOf(vpc.id);
    const gateway = this.addInternetGateway({ vpcId: vpc.id, tags: { Name: "batch-vpc", ...tags } });
    const subnets: FakeSubnet[] = [];
    const tables: FakeRouteTable[] = [];
    for (const zone of ["a", "b"]) {
      const name = `batch-vpc-public-${zone}`;
      const subnet = this.addSubnet({ vpcId: vpc.id, tags: { ...tags, Name: name, SubnetType: "Public" } });
      subnets.push(subnet);
      tables.push(this.addRouteTable({ vpcId: vpc.id, subnetIds: [subnet.id], tags: { ...tags, Name: name } }));
    }
    const group = this.addSecurityGroup({ vpcId: vpc.id, name: "batch-sg-1234567", tags });
    const role = this.addRole({
      name: this.newId("batch-role"),
      path: iamPath,
      tags,
      inlinePolicies: [this.newId("batch-policy")],
      attachedPolicies: options.ssm ? ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"] : [],
    });
    const profile = this.addInstanceProfile({
      name: this.newId("batch-profile"),
      path: iamPath,
      tags,
      roleNames: [role.name],
    });
    const repository = this.addRepository({ name: this.newId("batch-images"), tags, images: 2 });
    const instances = Array.from({ length: options.instances ?? 1 }, (_, index) =>
      this.addInstance({
        subnetId: (subnets[index % subnets.length] as FakeSubnet).id,
        groupIds: [group.id],
        tags: { ...tags, Name: `aws-bench ${batchId} m7i.large/${index}` },
        volumeTags: tags,
      }),
    );
    const strayEni = options.strayEni
      ? this.addNetworkInterface({ subnetId: (subnets[0] as FakeSubnet).id, groupIds: [group.id] })
      : undefined;
    return {
      batchId,
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

  // ---- installing ----

  /**
   * Resets the stubs and answers every command the fake models from this account; any other command rejects with
   * `Fake not implemented`. A test may still override one command afterwards (`mocks.ecr.on(X).rejects(...)`).
   */
  install(mocks: AwsClientMocks): void {
    const { ec2, iam, ecr } = mocks;
    ec2.reset();
    iam.reset();
    ecr.reset();
    ec2.onAnyCommand().rejects(notImplemented("an EC2 command FakeAwsAccount does not model"));
    iam.onAnyCommand().rejects(notImplemented("an IAM command FakeAwsAccount does not model"));
    ecr.onAnyCommand().rejects(notImplemented("an ECR command FakeAwsAccount does not model"));
    // A real client's send always returns a promise; a synchronous callsFake would hand back the bare answer.
    const answer =
      <Input, Output>(handler: (input: Input) => Output) =>
      (input: Input) =>
        new Promise<Output>((resolve) => resolve(handler(input)));
    ec2
      .on(DescribeInstancesCommand)
      .callsFake(answer((input: DescribeInstancesCommandInput) => this.describeInstances(input)))
      .on(TerminateInstancesCommand)
      .callsFake(answer((input: TerminateInstancesCommandInput) => this.terminateInstances(input)))
      .on(DescribeVolumesCommand)
      .callsFake(answer((input: DescribeVolumesCommandInput) => this.describeVolumes(input)))
      .on(DeleteVolumeCommand)
      .callsFake(answer((input: DeleteVolumeCommandInput) => this.deleteVolume(input)))
      .on(DescribeNetworkInterfacesCommand)
      .callsFake(answer((input: DescribeNetworkInterfacesCommandInput) => this.describeNetworkInterfaces(input)))
      .on(DeleteNetworkInterfaceCommand)
      .callsFake(answer((input: DeleteNetworkInterfaceCommandInput) => this.deleteNetworkInterface(input)))
      .on(DescribeSecurityGroupsCommand)
      .callsFake(answer((input: DescribeSecurityGroupsCommandInput) => this.describeSecurityGroups(input)))
      .on(DeleteSecurityGroupCommand)
      .callsFake(answer((input: DeleteSecurityGroupCommandInput) => this.deleteSecurityGroup(input)))
      .on(DescribeSubnetsCommand)
      .callsFake(answer((input: DescribeSubnetsCommandInput) => this.describeSubnets(input)))
      .on(DeleteSubnetCommand)
      .callsFake(answer((input: DeleteSubnetCommandInput) => this.deleteSubnet(input)))
      .on(DescribeRouteTablesCommand)
      .callsFake(answer((input: DescribeRouteTablesCommandInput) => this.describeRouteTables(input)))
      .on(DisassociateRouteTableCommand)
      .callsFake(answer((input: DisassociateRouteTableCommandInput) => this.disassociateRouteTable(input)))
      .on(DeleteRouteTableCommand)
      .callsFake(answer((input: DeleteRouteTableCommandInput) => this.deleteRouteTable(input)))
      .on(DescribeInternetGatewaysCommand)
      .callsFake(answer((input: DescribeInternetGatewaysCommandInput) => this.describeInternetGateways(input)))
      .on(DetachInternetGatewayCommand)
      .callsFake(answer((input: DetachInternetGatewayCommandInput) => this.detachInternetGateway(input)))
      .on(DeleteInternetGatewayCommand)
      .callsFake(answer((input: DeleteInternetGatewayCommandInput) => this.deleteInternetGateway(input)))
      .on(DescribeVpcsCommand)
      .callsFake(answer((input: DescribeVpcsCommandInput) => this.describeVpcs(input)))
      .on(DeleteVpcCommand)
      .callsFake(answer((input: DeleteVpcCommandInput) => this.deleteVpc(input)));
    iam
      .on(ListRolesCommand)
      .callsFake(answer((input: ListRolesCommandInput) => this.listRoles(input)))
      .on(ListRoleTagsCommand)
      .callsFake(answer((input: ListRoleTagsCommandInput) => this.listRoleTags(input)))
      .on(ListInstanceProfilesCommand)
      .callsFake(answer((input: ListInstanceProfilesCommandInput) => this.listInstanceProfiles(input)))
      .on(ListInstanceProfileTagsCommand)
      .callsFake(answer((input: ListInstanceProfileTagsCommandInput) => this.listInstanceProfileTags(input)))
      .on(ListInstanceProfilesForRoleCommand)
      .callsFake(answer((input: ListInstanceProfilesForRoleCommandInput) => this.listInstanceProfilesForRole(input)))
      .on(RemoveRoleFromInstanceProfileCommand)
      .callsFake(
        answer((input: RemoveRoleFromInstanceProfileCommandInput) => this.removeRoleFromInstanceProfile(input)),
      )
      .on(DeleteInstanceProfileCommand)
      .callsFake(answer((input: DeleteInstanceProfileCommandInput) => this.deleteInstanceProfile(input)))
      .on(ListRolePoliciesCommand)
      .callsFake(answer((input: ListRolePoliciesCommandInput) => this.listRolePolicies(input)))
      .on(DeleteRolePolicyCommand)
      .callsFake(answer((input: DeleteRolePolicyCommandInput) => this.deleteRolePolicy(input)))
      .on(ListAttachedRolePoliciesCommand)
      .callsFake(answer((input: ListAttachedRolePoliciesCommandInput) => this.listAttachedRolePolicies(input)))
      .on(DetachRolePolicyCommand)
      .callsFake(answer((input: DetachRolePolicyCommandInput) => this.detachRolePolicy(input)))
      .on(DeleteRoleCommand)
      .callsFake(answer((input: DeleteRoleCommandInput) => this.deleteRole(input)));
    ecr
      .on(DescribeRepositoriesCommand)
      .callsFake(answer((input: DescribeRepositoriesCommandInput) => this.describeRepositories(input)))
      .on(ListTagsForResourceCommand)
      .callsFake(answer((input: ListTagsForResourceCommandInput) => this.listTagsForResource(input)))
      .on(DeleteRepositoryCommand)
      .callsFake(answer((input: DeleteRepositoryCommandInput) => this.deleteRepository(input)));
  }

  // ---- internals ----

  private newId(prefix: string, wanted?: string): string {
    if (wanted !== undefined) {
      if (this.allIds().has(wanted)) throw new Error(`seed: id ${wanted} is taken`);
      return wanted;
    }
    this.counter += 1;
    return `${prefix}-${this.counter.toString(16).padStart(8, "0")}`;
  }

  private allIds(): Set<string> {
    return new Set(
      [
        this.instanceMap,
        this.eniMap,
        this.volumeMap,
        this.groupMap,
        this.subnetMap,
        this.routeTableMap,
        this.gatewayMap,
        this.vpcMap,
      ].flatMap((map) => [...map.keys()]),
    );
  }

  private mustHold<T>(map: Map<string, T>, id: string, kind: string): T {
    const found = map.get(id);
    if (!found) throw new Error(`seed: ${kind} ${id} does not exist`);
    return found;
  }

  private mustBeNew(map: Map<string, unknown>, name: string): void {
    if (map.has(name)) throw new Error(`seed: ${name} exists already`);
  }

  private forget(map: Map<string, unknown>, id: string): void {
    map.delete(id);
    this.ticksLeft.delete(id);
  }

  /** Applies `change` and logs it, unless `failOn` made this call fail. */
  private mutate(operation: string, id: string, change: () => void): void {
    const failure = this.failures.get(`${operation} ${id}`);
    if (failure) throw failure;
    change();
    this.log.push(`${operation} ${id}`);
  }

  private terminate(instance: FakeInstance): void {
    instance.state = "terminated";
    this.ticksLeft.delete(instance.id);
    this.log.push(`terminated ${instance.id}`);
    for (const volume of [...this.volumeMap.values()]) {
      if (volume.attachment?.instanceId !== instance.id) continue;
      if (volume.attachment.deleteOnTermination) this.forget(this.volumeMap, volume.id);
      else delete volume.attachment;
    }
    for (const eni of [...this.eniMap.values()]) {
      if (eni.attachment?.instanceId !== instance.id) continue;
      if (!eni.attachment.deleteOnTermination) delete eni.attachment;
      else if (this.eniReleaseTicks > 0) this.ticksLeft.set(eni.id, this.eniReleaseTicks);
      else this.forget(this.eniMap, eni.id);
    }
  }

  /** One page of `items` after `token`: at most `pageSize`, and at most `limit` when the caller set one. */
  private page<T>(operation: string, items: T[], token: string | undefined, limit: number | undefined) {
    this.pagesServed.push(`${operation} ${token ?? "first"}`);
    let start = 0;
    if (token !== undefined) {
      const match = /^page-(\d+)$/.exec(token);
      if (!match) throw new Error(`Fake: ${operation} got the pagination token '${token}', which it never issued`);
      start = Number(match[1]);
    }
    const end = start + Math.min(this.pageSize, limit ?? Number.POSITIVE_INFINITY);
    return { items: items.slice(start, end), next: end < items.length ? `page-${end}` : undefined };
  }

  /** The EC2 listing: filtered, then paged with NextToken. */
  private ec2List<T>(
    operation: string,
    input: { Filters?: Filter[] | undefined; NextToken?: string | undefined; MaxResults?: number | undefined },
    resources: Iterable<T>,
    view: (resource: T) => { tags: Tags; attributes: Ec2Attributes },
  ): { items: T[]; NextToken?: string } {
    const matching = [...resources].filter((resource) => {
      const { tags, attributes } = view(resource);
      return matchesFilters(operation, input.Filters, tags, attributes);
    });
    const { items, next } = this.page(operation, matching, input.NextToken, input.MaxResults);
    return next === undefined ? { items } : { items, NextToken: next };
  }

  private iamList<T>(operation: string, input: { Marker?: string; MaxItems?: number }, items: T[]) {
    const { items: pageItems, next } = this.page(operation, items, input.Marker, input.MaxItems ?? 100);
    return { pageItems, more: next === undefined ? { IsTruncated: false } : { IsTruncated: true, Marker: next } };
  }

  // ---- EC2 ----

  private describeInstances(input: DescribeInstancesCommandInput): DescribeInstancesResult {
    refuseUnmodelled("DescribeInstances", input, ["InstanceIds"]);
    const { items, NextToken } = this.ec2List("DescribeInstances", input, this.instanceMap.values(), (instance) => {
      const live = instance.state !== "terminated";
      return {
        tags: instance.tags,
        attributes: {
          "instance-id": [instance.id],
          "instance-state-name": [instance.state],
          "vpc-id": live ? [instance.vpcId] : [],
          "subnet-id": live ? [instance.subnetId] : [],
        },
      };
    });
    return {
      Reservations: items.map((instance) => {
        // A terminated instance no longer shows its network placement.
        const live = instance.state !== "terminated";
        return {
          ReservationId: `r-${instance.id.slice(2)}`,
          OwnerId: fakeAccountId,
          Instances: [
            {
              InstanceId: instance.id,
              InstanceType: "m7i.large",
              State: instanceState(instance.state),
              ...(live ? { VpcId: instance.vpcId, SubnetId: instance.subnetId } : {}),
              SecurityGroups: instance.groupIds.map((GroupId) => ({
                GroupId,
                GroupName: this.groupMap.get(GroupId)?.name,
              })),
              Tags: toTagList(instance.tags),
            },
          ],
        };
      }),
      ...(NextToken ? { NextToken } : {}),
    };
  }

  private terminateInstances(input: TerminateInstancesCommandInput): TerminateInstancesResult {
    const ids = input.InstanceIds ?? [];
    const unknown = ids.filter((id) => !this.instanceMap.has(id));
    if (unknown.length === 1)
      throw ec2Error("InvalidInstanceID.NotFound", `The instance ID '${unknown[0]}' does not exist`);
    if (unknown.length > 1)
      throw ec2Error("InvalidInstanceID.NotFound", `The instance IDs '${unknown.join(", ")}' do not exist`);
    const changes = ids.map((id) => {
      const instance = this.instanceMap.get(id) as FakeInstance;
      const previous = instance.state;
      this.mutate("TerminateInstances", id, () => {
        if (previous === "terminated" || previous === "shutting-down") return;
        instance.state = "shutting-down";
        // 0: terminated at once (for callers that sleep in real time and never tick).
        if (this.terminationTicks === 0) this.terminate(instance);
        else this.ticksLeft.set(id, this.terminationTicks);
      });
      return { InstanceId: id, PreviousState: instanceState(previous), CurrentState: instanceState(instance.state) };
    });
    return { TerminatingInstances: changes };
  }

  private describeVolumes(input: DescribeVolumesCommandInput): DescribeVolumesResult {
    refuseUnmodelled("DescribeVolumes", input, ["VolumeIds"]);
    const { items, NextToken } = this.ec2List("DescribeVolumes", input, this.volumeMap.values(), (volume) => ({
      tags: volume.tags,
      attributes: {
        "volume-id": [volume.id],
        status: [volume.attachment ? "in-use" : "available"],
        "attachment.instance-id": [volume.attachment?.instanceId],
      },
    }));
    return {
      Volumes: items.map((volume) => ({
        VolumeId: volume.id,
        AvailabilityZone: `${fakeRegion}a`,
        Size: 30,
        VolumeType: "gp3",
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
      ...(NextToken ? { NextToken } : {}),
    };
  }

  private deleteVolume(input: DeleteVolumeCommandInput): Record<string, never> {
    const volume = this.volumeMap.get(input.VolumeId ?? "");
    if (!volume) throw ec2Error("InvalidVolume.NotFound", `The volume '${input.VolumeId}' does not exist.`);
    if (volume.attachment)
      throw ec2Error("VolumeInUse", `Volume ${volume.id} is currently attached to ${volume.attachment.instanceId}`);
    this.mutate("DeleteVolume", volume.id, () => this.forget(this.volumeMap, volume.id));
    return {};
  }

  private describeNetworkInterfaces(input: DescribeNetworkInterfacesCommandInput): DescribeNetworkInterfacesResult {
    refuseUnmodelled("DescribeNetworkInterfaces", input, ["NetworkInterfaceIds"]);
    const { items, NextToken } = this.ec2List("DescribeNetworkInterfaces", input, this.eniMap.values(), (eni) => ({
      tags: eni.tags,
      attributes: {
        "network-interface-id": [eni.id],
        "vpc-id": [eni.vpcId],
        "subnet-id": [eni.subnetId],
        "group-id": eni.groupIds,
        status: [eni.attachment ? "in-use" : "available"],
        "attachment.instance-id": [eni.attachment?.instanceId],
      },
    }));
    return {
      NetworkInterfaces: items.map((eni) => ({
        NetworkInterfaceId: eni.id,
        Status: eni.attachment ? "in-use" : "available",
        VpcId: eni.vpcId,
        SubnetId: eni.subnetId,
        Groups: eni.groupIds.map((GroupId) => ({ GroupId, GroupName: this.groupMap.get(GroupId)?.name })),
        OwnerId: fakeAccountId,
        RequesterManaged: eni.requesterManaged === true,
        InterfaceType: eni.requesterManaged ? "vpc_endpoint" : "interface",
        ...(eni.attachment
          ? {
              Attachment: {
                AttachmentId: `eni-attach-${eni.id.slice(4)}`,
                InstanceId: eni.attachment.instanceId,
                InstanceOwnerId: fakeAccountId,
                DeleteOnTermination: eni.attachment.deleteOnTermination,
                Status: this.ticksLeft.has(eni.id) ? "detaching" : "attached",
                DeviceIndex: 0,
              },
            }
          : {}),
        TagSet: toTagList(eni.tags),
      })),
      ...(NextToken ? { NextToken } : {}),
    };
  }

  private deleteNetworkInterface(input: DeleteNetworkInterfaceCommandInput): Record<string, never> {
    const eni = this.eniMap.get(input.NetworkInterfaceId ?? "");
    if (!eni)
      throw ec2Error(
        "InvalidNetworkInterfaceID.NotFound",
        `The networkInterface ID '${input.NetworkInterfaceId}' does not exist`,
      );
    if (eni.attachment) throw ec2Error("InvalidNetworkInterface.InUse", `Interface: [${eni.id}] in use.`);
    this.mutate("DeleteNetworkInterface", eni.id, () => this.forget(this.eniMap, eni.id));
    return {};
  }

  private describeSecurityGroups(input: DescribeSecurityGroupsCommandInput): DescribeSecurityGroupsResult {
    refuseUnmodelled("DescribeSecurityGroups", input, ["GroupIds", "GroupNames"]);
    const { items, NextToken } = this.ec2List("DescribeSecurityGroups", input, this.groupMap.values(), (group) => ({
      tags: group.tags,
      attributes: { "group-id": [group.id], "group-name": [group.name], "vpc-id": [group.vpcId] },
    }));
    return {
      SecurityGroups: items.map((group) => ({
        GroupId: group.id,
        GroupName: group.name,
        VpcId: group.vpcId,
        OwnerId: fakeAccountId,
        Description: group.name === "default" ? "default VPC security group" : "aws-bench batch",
        Tags: toTagList(group.tags),
      })),
      ...(NextToken ? { NextToken } : {}),
    };
  }

  private deleteSecurityGroup(input: DeleteSecurityGroupCommandInput): DeleteSecurityGroupResult {
    const group = this.groupMap.get(input.GroupId ?? "");
    if (!group) throw ec2Error("InvalidGroup.NotFound", `The security group '${input.GroupId}' does not exist`);
    if (group.name === "default")
      throw ec2Error("CannotDelete", `the specified group: "${group.id}" name: "default" cannot be deleted by a user`);
    if ([...this.eniMap.values()].some((eni) => eni.groupIds.includes(group.id)))
      throw ec2Error("DependencyViolation", `resource ${group.id} has a dependent object`);
    this.mutate("DeleteSecurityGroup", group.id, () => this.forget(this.groupMap, group.id));
    return { Return: true, GroupId: group.id };
  }

  private describeSubnets(input: DescribeSubnetsCommandInput): DescribeSubnetsResult {
    refuseUnmodelled("DescribeSubnets", input, ["SubnetIds"]);
    const { items, NextToken } = this.ec2List("DescribeSubnets", input, this.subnetMap.values(), (subnet) => ({
      tags: subnet.tags,
      attributes: { "subnet-id": [subnet.id], "vpc-id": [subnet.vpcId] },
    }));
    return {
      Subnets: items.map((subnet) => ({
        SubnetId: subnet.id,
        VpcId: subnet.vpcId,
        State: "available",
        OwnerId: fakeAccountId,
        Tags: toTagList(subnet.tags),
      })),
      ...(NextToken ? { NextToken } : {}),
    };
  }

  private deleteSubnet(input: DeleteSubnetCommandInput): Record<string, never> {
    const subnet = this.subnetMap.get(input.SubnetId ?? "");
    if (!subnet) throw ec2Error("InvalidSubnetID.NotFound", `The subnet ID '${input.SubnetId}' does not exist`);
    if ([...this.eniMap.values()].some((eni) => eni.subnetId === subnet.id))
      throw ec2Error("DependencyViolation", `The subnet '${subnet.id}' has dependencies and cannot be deleted.`);
    this.mutate("DeleteSubnet", subnet.id, () => {
      this.forget(this.subnetMap, subnet.id);
      for (const table of this.routeTableMap.values())
        table.associations = table.associations.filter((association) => association.subnetId !== subnet.id);
    });
    return {};
  }

  private describeRouteTables(input: DescribeRouteTablesCommandInput): DescribeRouteTablesResult {
    refuseUnmodelled("DescribeRouteTables", input, ["RouteTableIds"]);
    const { items, NextToken } = this.ec2List("DescribeRouteTables", input, this.routeTableMap.values(), (table) => ({
      tags: table.tags,
      attributes: {
        "route-table-id": [table.id],
        "vpc-id": [table.vpcId],
        "association.main": [String(table.main)],
        "association.subnet-id": table.associations.map((association) => association.subnetId),
      },
    }));
    return {
      RouteTables: items.map((table) => ({
        RouteTableId: table.id,
        VpcId: table.vpcId,
        OwnerId: fakeAccountId,
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
      ...(NextToken ? { NextToken } : {}),
    };
  }

  private disassociateRouteTable(input: DisassociateRouteTableCommandInput): Record<string, never> {
    const table = [...this.routeTableMap.values()].find((candidate) =>
      candidate.associations.some((association) => association.id === input.AssociationId),
    );
    if (!table)
      throw ec2Error("InvalidAssociationID.NotFound", `The association ID '${input.AssociationId}' does not exist`);
    this.mutate("DisassociateRouteTable", input.AssociationId as string, () => {
      table.associations = table.associations.filter((association) => association.id !== input.AssociationId);
    });
    return {};
  }

  private deleteRouteTable(input: DeleteRouteTableCommandInput): Record<string, never> {
    const table = this.routeTableMap.get(input.RouteTableId ?? "");
    if (!table)
      throw ec2Error("InvalidRouteTableID.NotFound", `The routeTable ID '${input.RouteTableId}' does not exist`);
    if (table.main || table.associations.length)
      throw ec2Error("DependencyViolation", `The routeTable '${table.id}' has dependencies and cannot be deleted.`);
    this.mutate("DeleteRouteTable", table.id, () => this.forget(this.routeTableMap, table.id));
    return {};
  }

  private describeInternetGateways(input: DescribeInternetGatewaysCommandInput): DescribeInternetGatewaysResult {
    refuseUnmodelled("DescribeInternetGateways", input, ["InternetGatewayIds"]);
    const gateways = this.gatewayMap.values();
    const { items, NextToken } = this.ec2List("DescribeInternetGateways", input, gateways, (gateway) => ({
      tags: gateway.tags,
      attributes: { "internet-gateway-id": [gateway.id], "attachment.vpc-id": [gateway.vpcId] },
    }));
    return {
      InternetGateways: items.map((gateway) => ({
        InternetGatewayId: gateway.id,
        OwnerId: fakeAccountId,
        // AWS answers "available" for an attached gateway, a value the SDK's AttachmentStatus type does not list.
        Attachments: gateway.vpcId ? [{ VpcId: gateway.vpcId, State: "available" as AttachmentStatus }] : [],
        Tags: toTagList(gateway.tags),
      })),
      ...(NextToken ? { NextToken } : {}),
    };
  }

  private gateway(id: string | undefined): FakeInternetGateway {
    const gateway = this.gatewayMap.get(id ?? "");
    if (!gateway) throw ec2Error("InvalidInternetGatewayID.NotFound", `The internetGateway ID '${id}' does not exist`);
    return gateway;
  }

  private detachInternetGateway(input: DetachInternetGatewayCommandInput): Record<string, never> {
    const gateway = this.gateway(input.InternetGatewayId);
    if (gateway.vpcId === undefined || gateway.vpcId !== input.VpcId)
      throw ec2Error("Gateway.NotAttached", `resource ${gateway.id} is not attached to network ${input.VpcId}`);
    const vpcId = gateway.vpcId;
    if ([...this.instanceMap.values()].some((instance) => instance.state !== "terminated" && instance.vpcId === vpcId))
      throw ec2Error(
        "DependencyViolation",
        `Network ${vpcId} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.`,
      );
    this.mutate("DetachInternetGateway", gateway.id, () => delete gateway.vpcId);
    return {};
  }

  private deleteInternetGateway(input: DeleteInternetGatewayCommandInput): Record<string, never> {
    const gateway = this.gateway(input.InternetGatewayId);
    if (gateway.vpcId)
      throw ec2Error(
        "DependencyViolation",
        `The internetGateway '${gateway.id}' has dependencies and cannot be deleted.`,
      );
    this.mutate("DeleteInternetGateway", gateway.id, () => this.forget(this.gatewayMap, gateway.id));
    return {};
  }

  private describeVpcs(input: DescribeVpcsCommandInput): DescribeVpcsResult {
    refuseUnmodelled("DescribeVpcs", input, ["VpcIds"]);
    const { items, NextToken } = this.ec2List("DescribeVpcs", input, this.vpcMap.values(), (vpc) => ({
      tags: vpc.tags,
      attributes: { "vpc-id": [vpc.id] },
    }));
    return {
      Vpcs: items.map((vpc) => ({
        VpcId: vpc.id,
        State: "available",
        CidrBlock: "10.42.0.0/16",
        IsDefault: false,
        OwnerId: fakeAccountId,
        Tags: toTagList(vpc.tags),
      })),
      ...(NextToken ? { NextToken } : {}),
    };
  }

  private deleteVpc(input: DeleteVpcCommandInput): Record<string, never> {
    const vpc = this.vpcMap.get(input.VpcId ?? "");
    if (!vpc) throw ec2Error("InvalidVpcID.NotFound", `The vpc ID '${input.VpcId}' does not exist`);
    const inVpc = <T extends { vpcId?: string }>(items: Iterable<T>) =>
      [...items].filter((item) => item.vpcId === vpc.id);
    const blockers = [
      ...inVpc(this.subnetMap.values()),
      ...inVpc(this.gatewayMap.values()),
      ...inVpc(this.groupMap.values()).filter((group) => group.name !== "default"),
      ...inVpc(this.routeTableMap.values()).filter((table) => !table.main),
    ];
    if (blockers.length)
      throw ec2Error("DependencyViolation", `The vpc '${vpc.id}' has dependencies and cannot be deleted.`);
    this.mutate("DeleteVpc", vpc.id, () => {
      this.forget(this.vpcMap, vpc.id);
      for (const group of inVpc(this.groupMap.values())) this.forget(this.groupMap, group.id);
      for (const table of inVpc(this.routeTableMap.values())) this.forget(this.routeTableMap, table.id);
    });
    return {};
  }

  // ---- IAM ----

  private iamRole(role: FakeRole): Role {
    return {
      Path: role.path,
      RoleName: role.name,
      RoleId: `AROA${role.name.toUpperCase().replace(/[^A-Z0-9]/g, "")}`,
      Arn: `arn:aws:iam::${fakeAccountId}:role${role.path}${role.name}`,
      CreateDate: created,
      AssumeRolePolicyDocument: encodeURIComponent(
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
      ),
      MaxSessionDuration: 3600,
    };
  }

  private iamProfile(profile: FakeInstanceProfile): InstanceProfile {
    return {
      Path: profile.path,
      InstanceProfileName: profile.name,
      InstanceProfileId: `AIPA${profile.name.toUpperCase().replace(/[^A-Z0-9]/g, "")}`,
      Arn: `arn:aws:iam::${fakeAccountId}:instance-profile${profile.path}${profile.name}`,
      CreateDate: created,
      Roles: [...profile.roles].map((name) => this.iamRole(this.roleMap.get(name) as FakeRole)),
    };
  }

  private role(name: string | undefined): FakeRole {
    const role = this.roleMap.get(name ?? "");
    if (!role) throw iamError("NoSuchEntity", `The role with name ${name} cannot be found.`);
    return role;
  }

  private profile(name: string | undefined): FakeInstanceProfile {
    const profile = this.profileMap.get(name ?? "");
    if (!profile) throw iamError("NoSuchEntity", `Instance Profile ${name} cannot be found.`);
    return profile;
  }

  private listRoles(input: ListRolesCommandInput): ListRolesResponse {
    const roles = [...this.roleMap.values()].filter((role) => role.path.startsWith(input.PathPrefix ?? "/"));
    const { pageItems, more } = this.iamList("ListRoles", input, roles);
    return { Roles: pageItems.map((role) => this.iamRole(role)), ...more };
  }

  private listRoleTags(input: ListRoleTagsCommandInput): ListRoleTagsResponse {
    const { pageItems, more } = this.iamList("ListRoleTags", input, toTagList(this.role(input.RoleName).tags));
    return { Tags: pageItems, ...more };
  }

  private listInstanceProfiles(input: ListInstanceProfilesCommandInput): ListInstanceProfilesResponse {
    const profiles = [...this.profileMap.values()].filter((p) => p.path.startsWith(input.PathPrefix ?? "/"));
    const { pageItems, more } = this.iamList("ListInstanceProfiles", input, profiles);
    return { InstanceProfiles: pageItems.map((profile) => this.iamProfile(profile)), ...more };
  }

  private listInstanceProfileTags(input: ListInstanceProfileTagsCommandInput): ListInstanceProfileTagsResponse {
    const tags = toTagList(this.profile(input.InstanceProfileName).tags);
    const { pageItems, more } = this.iamList("ListInstanceProfileTags", input, tags);
    return { Tags: pageItems, ...more };
  }

  private listInstanceProfilesForRole(
    input: ListInstanceProfilesForRoleCommandInput,
  ): ListInstanceProfilesForRoleResponse {
    const role = this.role(input.RoleName);
    const profiles = [...this.profileMap.values()].filter((profile) => profile.roles.has(role.name));
    const { pageItems, more } = this.iamList("ListInstanceProfilesForRole", input, profiles);
    return { InstanceProfiles: pageItems.map((profile) => this.iamProfile(profile)), ...more };
  }

  private removeRoleFromInstanceProfile(input: RemoveRoleFromInstanceProfileCommandInput): Record<string, never> {
    const profile = this.profile(input.InstanceProfileName);
    const role = this.role(input.RoleName);
    if (!profile.roles.has(role.name))
      throw iamError("NoSuchEntity", `The role with name ${role.name} cannot be found in ${profile.name}.`);
    this.mutate("RemoveRoleFromInstanceProfile", `${profile.name}/${role.name}`, () => profile.roles.delete(role.name));
    return {};
  }

  private deleteInstanceProfile(input: DeleteInstanceProfileCommandInput): Record<string, never> {
    const profile = this.profile(input.InstanceProfileName);
    if (profile.roles.size)
      throw iamError("DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.");
    this.mutate("DeleteInstanceProfile", profile.name, () => this.profileMap.delete(profile.name));
    return {};
  }

  private listRolePolicies(input: ListRolePoliciesCommandInput): ListRolePoliciesResponse {
    const { pageItems, more } = this.iamList("ListRolePolicies", input, [...this.role(input.RoleName).inline]);
    return { PolicyNames: pageItems, ...more };
  }

  private deleteRolePolicy(input: DeleteRolePolicyCommandInput): Record<string, never> {
    const role = this.role(input.RoleName);
    const name = input.PolicyName ?? "";
    if (!role.inline.has(name))
      throw iamError("NoSuchEntity", `The role policy with name ${input.PolicyName} cannot be found.`);
    this.mutate("DeleteRolePolicy", `${role.name}/${name}`, () => role.inline.delete(name));
    return {};
  }

  private listAttachedRolePolicies(input: ListAttachedRolePoliciesCommandInput): ListAttachedRolePoliciesResponse {
    const attached = [...this.role(input.RoleName).attached];
    const { pageItems, more } = this.iamList("ListAttachedRolePolicies", input, attached);
    return {
      AttachedPolicies: pageItems.map((PolicyArn) => ({ PolicyArn, PolicyName: PolicyArn.split("/").pop() })),
      ...more,
    };
  }

  private detachRolePolicy(input: DetachRolePolicyCommandInput): Record<string, never> {
    const role = this.role(input.RoleName);
    const arn = input.PolicyArn ?? "";
    if (!role.attached.has(arn)) throw iamError("NoSuchEntity", `Policy ${arn} was not found.`);
    this.mutate("DetachRolePolicy", `${role.name}/${arn}`, () => role.attached.delete(arn));
    return {};
  }

  private deleteRole(input: DeleteRoleCommandInput): Record<string, never> {
    const role = this.role(input.RoleName);
    if ([...this.profileMap.values()].some((profile) => profile.roles.has(role.name)))
      throw iamError("DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.");
    if (role.inline.size) throw iamError("DeleteConflict", "Cannot delete entity, must delete policies first.");
    if (role.attached.size) throw iamError("DeleteConflict", "Cannot delete entity, must detach all policies first.");
    this.mutate("DeleteRole", role.name, () => this.roleMap.delete(role.name));
    return {};
  }

  // ---- ECR ----

  private ecrRepository(repository: FakeRepository): Repository {
    return {
      repositoryName: repository.name,
      repositoryArn: `arn:aws:ecr:${fakeRegion}:${fakeAccountId}:repository/${repository.name}`,
      registryId: fakeAccountId,
      repositoryUri: `${fakeAccountId}.dkr.ecr.${fakeRegion}.amazonaws.com/${repository.name}`,
      createdAt: created,
      imageTagMutability: "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: false },
      encryptionConfiguration: { encryptionType: "AES256" },
    };
  }

  private describeRepositories(input: DescribeRepositoriesCommandInput): DescribeRepositoriesResponse {
    refuseUnmodelled("DescribeRepositories", input, ["repositoryNames", "registryId"], "");
    const repositories = [...this.repositoryMap.values()];
    const { items, next } = this.page("DescribeRepositories", repositories, input.nextToken, input.maxResults ?? 100);
    return {
      repositories: items.map((repository) => this.ecrRepository(repository)),
      ...(next ? { nextToken: next } : {}),
    };
  }

  private listTagsForResource(input: ListTagsForResourceCommandInput): ListTagsForResourceResponse {
    const repository = [...this.repositoryMap.values()].find(
      (candidate) => this.ecrRepository(candidate).repositoryArn === input.resourceArn,
    );
    if (!repository)
      throw ecrError("RepositoryNotFoundException", `The repository with ARN '${input.resourceArn}' does not exist`);
    return { tags: toTagList(repository.tags) };
  }

  private deleteRepository(input: DeleteRepositoryCommandInput): DeleteRepositoryResponse {
    const repository = this.repositoryMap.get(input.repositoryName ?? "");
    if (!repository || (input.registryId !== undefined && input.registryId !== fakeAccountId))
      throw ecrError(
        "RepositoryNotFoundException",
        `The repository with name '${input.repositoryName}' does not exist in the registry with id '${input.registryId ?? fakeAccountId}'`,
      );
    if (repository.images && !input.force)
      throw ecrError(
        "RepositoryNotEmptyException",
        `The repository with name '${repository.name}' in registry with id '${fakeAccountId}' cannot be deleted because it still contains images`,
      );
    const answer = this.ecrRepository(repository);
    this.mutate("DeleteRepository", repository.name, () => this.repositoryMap.delete(repository.name));
    return { repository: answer };
  }
}

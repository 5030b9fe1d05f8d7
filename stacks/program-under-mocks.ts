/**
 * The batch program run without a cloud: Pulumi's mock monitor answers every resource and invoke from a
 * described account (region, zones by name and ID, which zones offer which types, AMIs, cached image tags), and
 * records what the program declares. One table serves every caller: `aws-bench plan` (an offline account whose
 * answers say "chosen at run time"), the stack tests and the test engine (accounts with real-looking ids). An
 * invoke the table does not know throws `Mock not implemented: <token>`, so a new data source cannot slip by.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

/** The account the mocks pretend to be. */
export interface MockAccount {
  /** Region (`aws.getRegion`). */
  region: string;
  /** Account id in ARNs and registry hosts. */
  accountId: string;
  /** The region's zones in this account: names differ from IDs, in another order, as in real accounts. */
  zones: ReadonlyArray<{ name: string; id: string }>;
  /** Zone IDs offering each type; a type not listed is offered in every zone. */
  offerings?: Readonly<Record<string, readonly string[]>>;
  /** The AMI id an SSM public parameter resolves to. */
  ami(parameter: string): string;
  /** Tags already in an image repository (`aws.ecr.getImages`), each naming the digest `sha256:bbbb…`. */
  cachedImageTags?: readonly string[];
  /** Suffix of every resource's id (`<name>-<suffix>`). */
  idSuffix: string;
  /** The registry password `aws.ecr.getAuthorizationToken` answers. @default "mock" */
  registryPassword?: string;
  /**
   * Run as a preview (`aws-bench plan`): values only a real deployment knows stay unknown instead of being
   * made up, as `pulumi preview` shows them. @default false
   */
  preview?: boolean;
}

/** A resource the program declared. */
export interface DeclaredResource {
  /** Pulumi type token, e.g. `aws:ec2/instance:Instance`. */
  type: string;
  /** Logical name. */
  name: string;
  /** Inputs as the program gave them. */
  inputs: Record<string, unknown>;
}

/** The mock table for `account`; every declared resource is passed to `record`. */
export function accountMocks(account: MockAccount, record: (resource: DeclaredResource) => void): pulumi.runtime.Mocks {
  const registry = `${account.accountId}.dkr.ecr.${account.region}.amazonaws.com`;
  return {
    newResource(args) {
      const inputs = args.inputs as Record<string, unknown>;
      record({ type: args.type, name: args.name, inputs });
      const state: Record<string, unknown> = {
        ...inputs,
        arn: `arn:aws:mock:${account.region}:${account.accountId}:${args.name}`,
      };
      if (args.type === "awsx:ec2:Vpc") {
        // awsx's Vpc is a remote component: under mocks it is one resource, and its outputs come from here.
        state["vpcId"] = `vpc-${args.name}-${account.idSuffix}`;
        state["publicSubnetIds"] = ((inputs["availabilityZoneNames"] as string[] | undefined) ?? []).map(
          (zone) => `subnet-${zone}`,
        );
      }
      if (args.type === "aws:ecr/repository:Repository") {
        state["repositoryUrl"] = `${registry}/${args.name}`;
        state["registryId"] = account.accountId;
      }
      if (args.type === "docker:index/image:Image")
        state["repoDigest"] = `${String(inputs["imageName"]).split(":")[0]}@sha256:${"a".repeat(64)}`;
      return { id: `${args.name}-${account.idSuffix}`, state };
    },
    call(args) {
      const inputs = args.inputs as Record<string, unknown>;
      switch (args.token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
          // Who runs the program: the batch role's default permissions boundary is named from this account.
          return {
            id: account.accountId,
            accountId: account.accountId,
            arn: `arn:aws:sts::${account.accountId}:assumed-role/aws-bench-ci/mock`,
            userId: "AROAMOCKMOCKMOCKMOCK:mock",
          };
        case "aws:index/getRegion:getRegion":
          return { id: account.region, name: account.region, region: account.region };
        case "aws:index/getAvailabilityZones:getAvailabilityZones":
          return {
            id: account.region,
            names: account.zones.map((zone) => zone.name),
            zoneIds: account.zones.map((zone) => zone.id),
            groupNames: [],
          };
        case "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings": {
          const filters = (inputs["filters"] as Array<{ name: string; values: string[] }> | undefined) ?? [];
          const types = filters.find((filter) => filter.name === "instance-type")?.values ?? [];
          const pairs = types.flatMap((type) =>
            (account.offerings?.[type] ?? account.zones.map((zone) => zone.id)).map(
              (zoneId) => [type, zoneId] as const,
            ),
          );
          return {
            id: account.region,
            instanceTypes: pairs.map(([type]) => type),
            locations: pairs.map(([, zoneId]) => zoneId),
            locationTypes: pairs.map(() => "availability-zone-id"),
          };
        }
        case "aws:ssm/getParameter:getParameter":
          return { name: inputs["name"], type: "String", value: account.ami(String(inputs["name"])) };
        case "aws:ecr/getRepository:getRepository":
          return {
            name: inputs["name"],
            arn: `arn:aws:ecr:${account.region}:${account.accountId}:repository/${String(inputs["name"])}`,
            repositoryUrl: `${registry}/${String(inputs["name"])}`,
            registryId: account.accountId,
          };
        case "aws:ecr/getImages:getImages":
          return {
            repositoryName: inputs["repositoryName"],
            region: account.region,
            imageIds: (account.cachedImageTags ?? []).map((imageTag) => ({
              imageTag,
              imageDigest: `sha256:${"b".repeat(64)}`,
            })),
          };
        case "aws:ecr/getImage:getImage":
          // A tag of a prebuilt image: the digest it names now, made up from the repository and tag.
          return {
            registryId: inputs["registryId"],
            repositoryName: inputs["repositoryName"],
            imageTag: inputs["imageTag"],
            imageDigest: `sha256:${createHash("sha256")
              .update(`${String(inputs["repositoryName"])}:${String(inputs["imageTag"])}`)
              .digest("hex")}`,
            imageTags: [inputs["imageTag"]],
          };
        case "aws:ecr/getAuthorizationToken:getAuthorizationToken":
          return {
            userName: "AWS",
            password: account.registryPassword ?? "mock",
            proxyEndpoint: `https://${registry}`,
            authorizationToken: account.registryPassword ?? "mock",
          };
        default:
          throw new Error(`Mock not implemented: ${args.token}`);
      }
    },
  };
}

/** Installs the mocks for `account` (project `aws-instance-benchmarks`, stack `stack`). */
export async function installAccountMocks(
  account: MockAccount,
  record: (resource: DeclaredResource) => void,
  stack = "mock",
): Promise<void> {
  await pulumi.runtime.setMocks(
    accountMocks(account, record),
    "aws-instance-benchmarks",
    stack,
    account.preview ?? false,
  );
}

/**
 * Waits until every registration the program started has reached the mock monitor (the runtime's queue of
 * outstanding calls is empty), instead of sleeping and hoping.
 */
export async function declarationsSettled(): Promise<void> {
  const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
  if (typeof runtime.waitForRPCs !== "function") {
    throw new Error("@pulumi/pulumi no longer exports runtime.waitForRPCs; pin the version package.json names");
  }
  await runtime.waitForRPCs();
}

/**
 * Runs the batch program (stacks/index.ts) with `config` as its stack config against `account`; returns what it
 * declared and its outputs, once every declaration has settled.
 */
export async function runBatchProgramUnderMocks(
  config: Record<string, string>,
  account: MockAccount,
): Promise<{ resources: DeclaredResource[]; outputs: Record<string, unknown> }> {
  const resources: DeclaredResource[] = [];
  pulumi.runtime.setAllConfig(config);
  await installAccountMocks(account, (resource) => resources.push(resource), "batch");
  const { default: program } = await import("./index.js");
  const outputs = await program();
  await declarationsSettled();
  return { resources, outputs };
}

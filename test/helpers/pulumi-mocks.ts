/**
 * One recording Pulumi mock for the stack tests: every resource the program declares is pushed to `resources`
 * with its type, name and inputs; known invokes answer with real shapes; an unknown invoke throws.
 * Install it (installPulumiMocks) before importing the program.
 */
import * as pulumi from "@pulumi/pulumi";

export interface RecordedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

export const resources: RecordedResource[] = [];

export async function installPulumiMocks(): Promise<void> {
  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        resources.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
        const state: Record<string, unknown> = { ...args.inputs, arn: `arn:aws:mock:::${args.name}` };
        if (args.type === "awsx:ec2:Vpc") {
          const zones = (args.inputs["availabilityZoneNames"] as string[] | undefined) ?? [];
          state["vpcId"] = "vpc-0mock";
          state["publicSubnetIds"] = zones.map((zone) => `subnet-${zone}`);
        }
        if (args.type === "aws:ecr/repository:Repository") {
          state["repositoryUrl"] = `123456789012.dkr.ecr.us-east-1.amazonaws.com/${args.name}`;
          state["registryId"] = "123456789012";
        }
        if (args.type === "docker:index/image:Image")
          state["repoDigest"] = `${String(args.inputs["imageName"]).split(":")[0]}@sha256:${"a".repeat(64)}`;
        return { id: `${args.name}-id`, state };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        switch (args.token) {
          case "aws:ssm/getParameter:getParameter":
            return {
              name: args.inputs["name"],
              type: "String",
              value: String(args.inputs["name"]).endsWith("arm64") ? "ami-0arm64mock" : "ami-0x8664mock",
            };
          case "aws:index/getRegion:getRegion":
            return {
              id: "us-east-1",
              name: "us-east-1",
              region: "us-east-1",
              description: "US East (N. Virginia)",
              endpoint: "ec2.us-east-1.amazonaws.com",
            };
          case "aws:index/getAvailabilityZones:getAvailabilityZones":
            // This account's names for the zone IDs differ from the IDs' order, as they do in real accounts.
            return {
              id: "us-east-1",
              names: ["us-east-1a", "us-east-1b", "us-east-1c"],
              zoneIds: ["use1-az4", "use1-az6", "use1-az1"],
              groupNames: [],
            };
          case "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings":
            return {
              id: "us-east-1",
              instanceTypes: ["m7i.large", "m7i.large", "c7g.large"],
              locations: ["use1-az1", "use1-az4", "use1-az6"],
              locationTypes: ["availability-zone-id", "availability-zone-id", "availability-zone-id"],
            };
          case "aws:ecr/getRepository:getRepository":
            return {
              name: args.inputs["name"],
              arn: `arn:aws:ecr:us-east-1:123456789012:repository/${String(args.inputs["name"])}`,
              repositoryUrl: `123456789012.dkr.ecr.us-east-1.amazonaws.com/${String(args.inputs["name"])}`,
              registryId: "123456789012",
            };
          case "aws:ecr/getImages:getImages":
            return { repositoryName: args.inputs["repositoryName"], region: "us-east-1", imageIds: [] };
          case "aws:ecr/getAuthorizationToken:getAuthorizationToken":
            return {
              userName: "AWS",
              password: "mock-password",
              proxyEndpoint: "https://123456789012.dkr.ecr.us-east-1.amazonaws.com",
              authorizationToken: "mock",
            };
          default:
            throw new Error(`Mock not implemented: ${args.token}`);
        }
      },
    },
    "aws-instance-benchmarks",
    "batch-test",
    false,
  );
}

/** The value inside an Output, for assertions. */
export function unwrap<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/** Waits for the program's pending resource registrations. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 200));
}

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
        if (args.type === "docker:index/image:Image") state["repoDigest"] = `${String(args.inputs["imageName"]).split(":")[0]}@sha256:${"a".repeat(64)}`;
        return { id: `${args.name}-id`, state };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        switch (args.token) {
          case "aws:ssm/getParameter:getParameter":
            return { name: args.inputs["name"], type: "String", value: String(args.inputs["name"]).endsWith("arm64") ? "ami-0arm64mock" : "ami-0x8664mock" };
          case "aws:ecr/getAuthorizationToken:getAuthorizationToken":
            return { userName: "AWS", password: "mock-password", proxyEndpoint: "https://123456789012.dkr.ecr.us-east-1.amazonaws.com", authorizationToken: "mock" };
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

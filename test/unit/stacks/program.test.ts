/**
 * The Pulumi program (Pulumi.yaml's main) under the recording mock, with stack config from PULUMI_CONFIG as a
 * team's `pulumi up` would give it: zones resolved from IDs to this account's names, one instance per type ×
 * repeat, images for both architectures, everything tagged.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type * as MocksModule from "../../helpers/pulumi-mocks.js";

process.env["PULUMI_CONFIG"] = JSON.stringify({
  "aws-instance-benchmarks:instanceTypes": "m7i.large,c7g.large",
  "aws-instance-benchmarks:resultsBucket": "team-results",
  "aws-instance-benchmarks:repeat": "2",
  "aws-instance-benchmarks:batchId": "20261128t120000z-ab12cd",
  "aws-instance-benchmarks:quick": "true",
  "aws-instance-benchmarks:tags": '{"project":"hpc"}',
});

const root = join(import.meta.dirname, "..", "..", "..");
// Imported after PULUMI_CONFIG is set: Pulumi reads the config when it loads.
let helpers: typeof MocksModule;

beforeAll(async () => {
  execFileSync(process.execPath, [join(root, "scripts", "bundle-runner.mjs")], { stdio: "ignore" });
  helpers = await import("../../helpers/pulumi-mocks.js");
  await helpers.installPulumiMocks();
}, 60_000);

describe("the Pulumi program", () => {
  it("declares the batch from stack config", async () => {
    const { default: program, configList } = await import("../../../stacks/index.js");
    const outputs = await program();
    expect(outputs["batchId"]).toBe("20261128t120000z-ab12cd");
    await helpers.settle();
    const instances = helpers.resources.filter((r) => r.type === "aws:ec2/instance:Instance");
    expect(instances.map((i) => i.name).sort()).toEqual([
      "batch-c7g-large-0",
      "batch-c7g-large-1",
      "batch-m7i-large-0",
      "batch-m7i-large-1",
    ]);
    // m7i.large is offered in use1-az1 and use1-az4, which this account calls us-east-1c and us-east-1a.
    const vpc = helpers.resources.find((r) => r.type === "awsx:ec2:Vpc");
    expect(vpc?.inputs["availabilityZoneNames"]).toEqual(["us-east-1a", "us-east-1b", "us-east-1c"]);
    expect(instances.find((i) => i.name === "batch-m7i-large-0")?.inputs["subnetId"]).toBe("subnet-us-east-1c");
    expect(instances.find((i) => i.name === "batch-c7g-large-1")?.inputs["subnetId"]).toBe("subnet-us-east-1b");
    expect(String(instances[0]?.inputs["userData"])).toContain("run --benchmarks stream,hpl,coremark --quick");
    expect((instances[0]?.inputs["tags"] as Record<string, string>)["project"]).toBe("hpc");
    expect(helpers.resources.filter((r) => r.type === "docker:index/image:Image")).toHaveLength(2);
    expect(configList('["a", "b"]')).toEqual(["a", "b"]);
    expect(configList("a, b,")).toEqual(["a", "b"]);
  });
});

describe("the compiled program in plain node", () => {
  it("runs dist/stacks/index.js under mocks with config from PULUMI_CONFIG", () => {
    const script = `
      import * as pulumi from "@pulumi/pulumi";
      const types = [];
      await pulumi.runtime.setMocks({
        newResource: (a) => { types.push(a.type); return { id: a.name + "-id", state: { ...a.inputs, vpcId: "vpc-1", publicSubnetIds: ["s-a", "s-b", "s-c"], repositoryUrl: "1.dkr.ecr.us-east-1.amazonaws.com/r", registryId: "1", repoDigest: "r@sha256:" + "a".repeat(64), arn: "arn:aws:mock:::" + a.name } }; },
        call: (a) => ({
          "aws:index/getRegion:getRegion": { name: "us-east-1" },
          "aws:index/getAvailabilityZones:getAvailabilityZones": { names: ["us-east-1a", "us-east-1b"], zoneIds: ["use1-az1", "use1-az2"] },
          "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings": { instanceTypes: ["m7i.large"], locations: ["use1-az2"], locationTypes: ["availability-zone-id"] },
          "aws:ssm/getParameter:getParameter": { value: "ami-0abc" },
          "aws:ecr/getAuthorizationToken:getAuthorizationToken": { userName: "AWS", password: "p" },
        })[a.token] ?? (() => { throw new Error("Mock not implemented: " + a.token); })(),
      }, "aws-instance-benchmarks", "batch", false);
      const program = (await import(${JSON.stringify(join(root, "dist", "stacks", "index.js"))})).default;
      const outputs = await program();
      await new Promise((r) => setTimeout(r, 300));
      console.log(JSON.stringify({ batchId: outputs.batchId, types: [...new Set(types)].sort() }));
    `;
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: root,
      encoding: "utf8",
      env: {
        ...process.env,
        PULUMI_CONFIG: JSON.stringify({
          "aws-instance-benchmarks:instanceTypes": "m7i.large",
          "aws-instance-benchmarks:resultsBucket": "b",
          "aws-instance-benchmarks:batchId": "20261128t120000z-ab12cd",
        }),
      },
    });
    const result = JSON.parse(output.trim().split("\n").at(-1) ?? "{}") as { batchId: string; types: string[] };
    expect(result.batchId).toBe("20261128t120000z-ab12cd");
    expect(result.types).toEqual(
      expect.arrayContaining([
        "aws:ec2/instance:Instance",
        "awsx:ec2:Vpc",
        "aws:iam/role:Role",
        "docker:index/image:Image",
      ]),
    );
  }, 60_000);
});

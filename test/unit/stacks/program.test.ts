/**
 * The Pulumi program (Pulumi.yaml's main) under the shared mock table, with the batch spec in PULUMI_CONFIG as a
 * team's `pulumi up` gives it (structured config arrives as JSON text): zones resolved from IDs to this account's
 * names, one instance per type × repeat, images for both architectures, everything tagged.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { batchSpecConfigKey, encodeBatchSpec } from "../../../stacks/batch-spec.js";
import type * as MocksModule from "../../helpers/pulumi-mocks.js";

process.env["PULUMI_CONFIG"] = JSON.stringify(
  encodeBatchSpec("us-east-1", {
    instanceTypes: ["m7i.large", "c7g.large"],
    resultsBucket: "team-results",
    repeat: 2,
    batchId: "20261128t120000z-ab12cd",
    quick: true,
    tags: { project: "hpc" },
    // The preflight found the results bucket's own KMS key: the instances may use it through S3.
    resultsKmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
  }),
);

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
    const { default: program } = await import("../../../stacks/index.js");
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
    const rolePolicies = helpers.resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy");
    expect(rolePolicies).toHaveLength(1);
    const statements = (
      JSON.parse(String(rolePolicies[0]?.inputs["policy"])) as {
        Statement: Array<{ Resource: unknown; Action: unknown }>;
      }
    ).Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Resource: ["arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"],
      }),
    );
  });
});

describe("the Pulumi program with a bad spec", () => {
  it("stops before declaring anything, naming the field", async () => {
    const { default: program } = await import("../../../stacks/index.js");
    const pulumi = await import("@pulumi/pulumi");
    const before = helpers.resources.length;
    pulumi.runtime.setAllConfig({
      "aws:region": "us-east-1",
      [batchSpecConfigKey]: JSON.stringify({ instanceTypes: ["m7i.large"], resultsBucket: "team-results", repeat: 0 }),
    });
    await expect(program()).rejects.toThrow(/aws-instance-benchmarks:batch .*\/repeat: must be >= 1/);
    pulumi.runtime.setAllConfig({});
    await expect(program()).rejects.toThrow(/aws-instance-benchmarks:batch is not set/);
    await helpers.settle();
    expect(helpers.resources.length).toBe(before);
  });
});

describe("the compiled program in plain node", () => {
  it("runs dist/stacks/index.js under mocks with config from PULUMI_CONFIG", () => {
    // The same mock table as everywhere, loaded from the compiled package; config only from PULUMI_CONFIG.
    const script = `
      const mocks = await import(${JSON.stringify(join(root, "dist", "stacks", "program-under-mocks.js"))});
      const types = [];
      await mocks.installAccountMocks({
        region: "us-east-1", accountId: "123456789012", idSuffix: "id", ami: () => "ami-0abc",
        zones: [{ name: "us-east-1a", id: "use1-az1" }, { name: "us-east-1b", id: "use1-az2" }],
        offerings: { "m7i.large": ["use1-az2"] },
      }, (r) => types.push(r.type));
      const program = (await import(${JSON.stringify(join(root, "dist", "stacks", "index.js"))})).default;
      const outputs = await program();
      await mocks.declarationsSettled();
      console.log(JSON.stringify({ batchId: outputs.batchId, types: [...new Set(types)].sort() }));
    `;
    const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: root,
      encoding: "utf8",
      env: {
        ...process.env,
        PULUMI_CONFIG: JSON.stringify(
          encodeBatchSpec("us-east-1", {
            instanceTypes: ["m7i.large"],
            resultsBucket: "team-results",
            batchId: "20261128t120000z-ab12cd",
          }),
        ),
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

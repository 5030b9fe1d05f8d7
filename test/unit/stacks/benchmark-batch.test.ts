import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { BenchmarkBatchArgs } from "../../../stacks/benchmark-batch.js";
import type * as BatchModule from "../../../stacks/benchmark-batch.js";
import type * as NamingModuleType from "../../../stacks/batch-naming.js";
import { installPulumiMocks, resources, settle, unwrap } from "../../helpers/pulumi-mocks.js";

const root = join(import.meta.dirname, "..", "..", "..");
// Imported after the mocks are installed (Pulumi reads them when the program's modules load).
type StackModule = typeof BatchModule;
type NamingModule = typeof NamingModuleType;
let stack: StackModule;
let naming: NamingModule;

beforeAll(async () => {
  execFileSync(process.execPath, [join(root, "scripts", "bundle-runner.mjs")], { stdio: "ignore" });
  await installPulumiMocks();
  stack = await import("../../../stacks/benchmark-batch.js");
  naming = await import("../../../stacks/batch-naming.js");
}, 60_000);
beforeEach(() => {
  resources.length = 0;
});

const sapphire = {
  tag: "intel-sapphirerapids",
  architecture: "x86_64" as const,
  platform: "linux/amd64" as const,
  gccFlags: "-march=sapphirerapids",
  spackTarget: "sapphirerapids",
  blas: ["openblas"],
  microarchitectures: ["intel-sapphirerapids"],
};
const graviton = {
  tag: "graviton3",
  architecture: "arm64" as const,
  platform: "linux/arm64" as const,
  gccFlags: "-mcpu=neoverse-v1",
  spackTarget: "neoverse_v1",
  blas: ["openblas"],
  microarchitectures: ["graviton3"],
};

function args(overrides: Partial<BenchmarkBatchArgs> = {}): BenchmarkBatchArgs {
  const batchId = "20261128t120000z-ab12cd";
  return {
    batchId,
    instances: [
      {
        instanceType: "m7i.large",
        repeat: 0,
        zoneName: "us-east-1a",
        containerTag: sapphire,
        bareMetal: false,
        benchmarkSeconds: 900,
      },
      {
        instanceType: "m7i.large",
        repeat: 1,
        zoneName: "us-east-1b",
        containerTag: sapphire,
        bareMetal: false,
        benchmarkSeconds: 900,
      },
      {
        instanceType: "c7g.large",
        repeat: 0,
        zoneName: "us-east-1b",
        containerTag: graviton,
        bareMetal: false,
        benchmarkSeconds: 700,
      },
    ],
    runArgs: ["--benchmarks", "stream,hpl,coremark"],
    resultsBucket: "my-results",
    region: "us-east-1",
    tags: naming.batchTags({
      batchId,
      createdBy: "test",
      expiresAt: new Date("2026-11-28T14:00:00Z"),
      backend: "s3://state",
    }),
    ...overrides,
  };
}

const ofType = (type: string) => resources.filter((r) => r.type === type);

/** IAM's ARN match: `*` any run of characters, `?` one. */
function matchesArn(pattern: string, arn: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${source}$`).test(arn);
}

describe("BenchmarkBatch under Pulumi mocks", () => {
  it("creates a NAT-free public VPC, a closed security group, a scoped role, images and one locked-down instance per type × repeat", async () => {
    const batch = new stack.BenchmarkBatch("b", args());
    const ids = await unwrap(batch.instanceIds);
    await settle();
    expect(Object.keys(ids).sort()).toEqual(["c7g.large/0", "m7i.large/0", "m7i.large/1"]);

    const [vpc] = ofType("awsx:ec2:Vpc");
    expect(vpc?.inputs).toMatchObject({
      availabilityZoneNames: ["us-east-1a", "us-east-1b"],
      natGateways: { strategy: "None" },
      subnetSpecs: [{ type: "Public" }],
    });

    const [sg] = ofType("aws:ec2/securityGroup:SecurityGroup");
    expect(sg?.inputs["ingress"]).toEqual([]);
    expect(sg?.inputs["egress"]).toEqual([expect.objectContaining({ protocol: "tcp", fromPort: 443, toPort: 443 })]);

    const [policy] = ofType("aws:iam/rolePolicy:RolePolicy");
    const statements = (
      JSON.parse(String(policy?.inputs["policy"])) as {
        Statement: Array<{ Sid: string; Action: string[]; Resource: string[] }>;
      }
    ).Statement;
    expect(statements.find((s) => s.Sid === "WriteThisBatchResults")).toMatchObject({
      Action: ["s3:PutObject"],
      Resource: ["arn:aws:s3:::my-results/batches/20261128t120000z-ab12cd/*"],
    });
    expect(statements.find((s) => s.Sid === "PullThisBatchImages")).toMatchObject({
      Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
      Resource: ["arn:aws:mock:us-east-1:123456789012:b-images"],
    });
    expect(statements.find((s) => s.Sid === "RegistryLogin")?.Resource).toEqual(["*"]);
    expect(ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")).toEqual([]);
    // Cleanup lists batch roles and profiles by this path (IAM has no tag filter).
    expect(
      [...ofType("aws:iam/role:Role"), ...ofType("aws:iam/instanceProfile:InstanceProfile")].map(
        (r) => r.inputs["path"],
      ),
    ).toEqual(["/aws-bench/", "/aws-bench/"]);

    expect(ofType("aws:ecr/repository:Repository")[0]?.inputs).toMatchObject({ forceDelete: true });
    const images = ofType("docker:index/image:Image");
    expect(images.map((i) => (i.inputs["build"] as { platform: string }).platform).sort()).toEqual([
      "linux/amd64",
      "linux/arm64",
    ]);
    expect(String(images[0]?.inputs["imageName"])).toMatch(/:(graviton3|intel-sapphirerapids)-distro-[0-9a-f]{16}$/);

    const instances = ofType("aws:ec2/instance:Instance");
    expect(instances).toHaveLength(3);
    for (const instance of instances) {
      expect(instance.inputs).toMatchObject({
        instanceInitiatedShutdownBehavior: "terminate",
        metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 },
        rootBlockDevice: { encrypted: true, volumeType: "gp3" },
      });
      expect(instance.inputs["keyName"]).toBeUndefined();
      expect(instance.inputs["instanceMarketOptions"]).toBeUndefined();
      expect(
        String(instance.inputs["userData"])
          .split("\n")
          .find((line) => line && !line.startsWith("#")),
      ).toMatch(/^shutdown -h \+\d+ /);
      expect((instance.inputs["tags"] as Record<string, string>)["aws-bench:batch"]).toBe("20261128t120000z-ab12cd");
      expect((instance.inputs["volumeTags"] as Record<string, string>)["aws-bench:expires-at"]).toBe(
        "2026-11-28T14:00:00Z",
      );
    }
    // Every instance pulls and runs its image by the digest the push returned, never by the tag it was pushed as.
    for (const instance of instances) {
      const userData = String(instance.inputs["userData"]);
      expect(userData).toMatch(
        new RegExp(
          `^readonly IMAGE=123456789012\\.dkr\\.ecr\\.us-east-1\\.amazonaws\\.com/[a-z0-9-]+@sha256:a{64}$`,
          "m",
        ),
      );
      expect(userData).toMatch(/^readonly IMAGE_DIGEST=sha256:a{64}$/m);
      expect(userData).toContain('--env "BENCHMARK_IMAGE_DIGEST=$IMAGE_DIGEST"');
      expect(userData).not.toMatch(/-distro-[0-9a-f]{16}/);
      // The same digest on the instance, for `up` to record and collect to hold the result to.
      const tags = instance.inputs["tags"] as Record<string, string>;
      expect(tags["aws-bench:image-digest"]).toBe(`sha256:${"a".repeat(64)}`);
      expect(naming.launchedImageDigest(tags)).toBe(`sha256:${"a".repeat(64)}`);
    }
    expect(naming.launchedImageDigest({ "aws-bench:image-digest": "latest" })).toBeUndefined();
    expect(naming.launchedImageDigest(undefined)).toBeUndefined();
    const graviton3 = instances.find((i) => i.inputs["instanceType"] === "c7g.large");
    expect(graviton3?.inputs).toMatchObject({ ami: "ami-0arm64mock", subnetId: "subnet-us-east-1b" });
    expect(instances.find((i) => i.name.endsWith("m7i-large-0"))?.inputs).toMatchObject({
      ami: "ami-0x8664mock",
      subnetId: "subnet-us-east-1a",
    });

    for (const resource of resources.filter(
      (r) =>
        ![
          "aws:iam/rolePolicy:RolePolicy",
          "docker:index/image:Image",
          "aws-instance-benchmarks:batch:BenchmarkBatch",
        ].includes(r.type),
    )) {
      expect((resource.inputs["tags"] as Record<string, string> | undefined)?.["aws-bench:batch"], resource.type).toBe(
        "20261128t120000z-ab12cd",
      );
      // What cleanup requires besides the batch tag before it deletes anything.
      expect(resource.inputs["tags"], resource.type).toMatchObject({
        "aws-bench:managed-by": "aws-bench",
        "aws-bench:stack": "batch-20261128t120000z-ab12cd",
      });
    }
  });

  it("with prebuilt images creates no repository and no image; spot, SSH and SSM when asked", async () => {
    const batch = new stack.BenchmarkBatch(
      "p",
      args({
        images: {
          "intel-sapphirerapids": `public.ecr.aws/x/aws-bench@sha256:${"c".repeat(64)}`,
          graviton3: `public.ecr.aws/x/aws-bench:g3@sha256:${"d".repeat(64)}`,
        },
        spot: true,
        ssh: { keyName: "me", cidr: "203.0.113.0/24" },
        ssm: true,
      }),
    );
    await unwrap(batch.instanceIds);
    await settle();
    expect(ofType("aws:ecr/repository:Repository")).toEqual([]);
    expect(ofType("docker:index/image:Image")).toEqual([]);
    const statements = (
      JSON.parse(String(ofType("aws:iam/rolePolicy:RolePolicy")[0]?.inputs["policy"])) as {
        Statement: Array<{ Sid: string }>;
      }
    ).Statement;
    expect(statements.map((s) => s.Sid)).toEqual(["WriteThisBatchResults"]);
    expect(ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")[0]?.inputs["policyArn"]).toBe(
      "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
    );
    expect(ofType("aws:ec2/securityGroup:SecurityGroup")[0]?.inputs["ingress"]).toEqual([
      expect.objectContaining({ fromPort: 22, cidrBlocks: ["203.0.113.0/24"] }),
    ]);
    const [instance] = ofType("aws:ec2/instance:Instance");
    expect(instance?.inputs).toMatchObject({
      keyName: "me",
      instanceMarketOptions: {
        marketType: "spot",
        spotOptions: { spotInstanceType: "one-time", instanceInterruptionBehavior: "terminate" },
      },
    });
    expect(String(instance?.inputs["userData"])).not.toContain("ecr get-login-password");
    // By digest as given; a tag beside the digest is dropped, so nothing reads as if the tag mattered.
    const pulled = ofType("aws:ec2/instance:Instance").map(
      (i) => /^readonly IMAGE=(.*)$/m.exec(String(i.inputs["userData"]))?.[1],
    );
    expect(pulled.sort()).toEqual([
      `public.ecr.aws/x/aws-bench@sha256:${"c".repeat(64)}`,
      `public.ecr.aws/x/aws-bench@sha256:${"c".repeat(64)}`,
      `public.ecr.aws/x/aws-bench@sha256:${"d".repeat(64)}`,
    ]);
  });

  it("pulls a prebuilt private-ECR image given by tag by the digest that tag names at launch", async () => {
    const { createHash } = await import("node:crypto");
    const batch = new stack.BenchmarkBatch(
      "e",
      args({
        images: {
          "intel-sapphirerapids": "210987654321.dkr.ecr.eu-west-1.amazonaws.com/team/aws-bench:spr-distro-abc",
          graviton3: `public.ecr.aws/x/aws-bench@sha256:${"d".repeat(64)}`,
        },
      }),
    );
    await unwrap(batch.instanceIds);
    await settle();
    const digest = createHash("sha256").update("team/aws-bench:spr-distro-abc").digest("hex");
    const sapphire = ofType("aws:ec2/instance:Instance").find((i) => i.inputs["instanceType"] === "m7i.large");
    expect(String(sapphire?.inputs["userData"])).toContain(
      `readonly IMAGE=210987654321.dkr.ecr.eu-west-1.amazonaws.com/team/aws-bench@sha256:${digest}\n`,
    );
    expect(String(sapphire?.inputs["userData"])).not.toContain("spr-distro-abc");
  });

  it("refuses a prebuilt image by tag outside private ECR: nothing could pin it", () => {
    expect(() =>
      stack.validateArgs(
        args({
          images: { "intel-sapphirerapids": "ghcr.io/org/aws-bench:spr", graviton3: "ghcr.io/org/aws-bench:g3" },
        }),
      ),
    ).toThrow(
      /images\[intel-sapphirerapids\] 'ghcr\.io\/org\/aws-bench:spr' names its image by tag outside private ECR/,
    );
    expect(() =>
      stack.validateArgs(
        args({
          images: {
            "intel-sapphirerapids": `ghcr.io/org/aws-bench:spr@sha256:${"e".repeat(64)}`,
            graviton3: "123456789012.dkr.ecr.us-east-1.amazonaws.com/aws-bench:g3",
          },
        }),
      ),
    ).not.toThrow();
  });

  it("takes the pushed digest without the tag, and refuses a push that returned none", () => {
    const repo = "123456789012.dkr.ecr.us-east-1.amazonaws.com/aws-bench-cache";
    expect(stack.pinnedRepoDigest(`${repo}:x86-64-distro-0123@sha256:${"f".repeat(64)}`, "t")).toBe(
      `${repo}@sha256:${"f".repeat(64)}`,
    );
    expect(stack.pinnedRepoDigest(`localhost:5000/a@sha256:${"f".repeat(64)}`, "t")).toBe(
      `localhost:5000/a@sha256:${"f".repeat(64)}`,
    );
    expect(() => stack.pinnedRepoDigest(undefined, "x86-64-distro-0123")).toThrow(
      /x86-64-distro-0123 was pushed without a digest/,
    );
    expect(() => stack.pinnedRepoDigest(`${repo}:tag`, "t")).toThrow(/without a digest/);
  });

  it("with prebuilt images in ECR may pull exactly those repositories (and log in); other registries need nothing", async () => {
    const batch = new stack.BenchmarkBatch(
      "q",
      args({
        images: {
          "intel-sapphirerapids": "210987654321.dkr.ecr.eu-west-1.amazonaws.com/team/aws-bench:spr-distro-abc",
          graviton3: `public.ecr.aws/x/aws-bench:g3@sha256:${"d".repeat(64)}`,
        },
      }),
    );
    await unwrap(batch.instanceIds);
    await settle();
    const statements = (
      JSON.parse(String(ofType("aws:iam/rolePolicy:RolePolicy")[0]?.inputs["policy"])) as {
        Statement: Array<{ Sid: string; Resource: string[] }>;
      }
    ).Statement;
    expect(statements.find((s) => s.Sid === "PullPrebuiltImages")?.Resource).toEqual([
      "arn:aws:ecr:eu-west-1:210987654321:repository/team/aws-bench",
    ]);
    expect(statements.find((s) => s.Sid === "RegistryLogin")?.Resource).toEqual(["*"]);
    expect(stack.ecrRepositoryArn("ghcr.io/org/aws-bench:x")).toBeUndefined();
    expect(
      stack.ecrRepositoryArn("123456789012.dkr.ecr.us-east-1.amazonaws.com/aws-bench@sha256:" + "a".repeat(64)),
    ).toBe("arn:aws:ecr:us-east-1:123456789012:repository/aws-bench");
  });

  it("with the long-lived image cache: images already there are used as is, missing ones are built into it; no batch repository", async () => {
    const { imageBuildDefinition } = await import("../../../src/images/build-definition.js");
    const cached = `graviton3-distro-${imageBuildDefinition(graviton, "distro").contentHash}`;
    const cacheUrl = "123456789012.dkr.ecr.us-east-1.amazonaws.com/aws-bench-cache";
    const batch = new stack.BenchmarkBatch(
      "c",
      args({
        imageCache: {
          repositoryUrl: cacheUrl,
          repositoryArn: "arn:aws:ecr:us-east-1:123456789012:repository/aws-bench-cache",
          existingImages: {
            [cached]: `sha256:${"9".repeat(63)}1`,
            "x86-64-distro-0000": `sha256:${"0".repeat(63)}1`,
            "intel-sapphirerapids-distro-0001": `sha256:${"0".repeat(63)}2`,
          },
        },
      }),
    );
    await unwrap(batch.instanceIds);
    await settle();
    expect(ofType("aws:ecr/repository:Repository")).toEqual([]);
    const images = ofType("docker:index/image:Image");
    expect(images.map((i) => String(i.inputs["imageName"]))).toEqual([
      expect.stringMatching(new RegExp(`^${cacheUrl}:intel-sapphirerapids-distro-[0-9a-f]+$`)),
    ]);
    const build = images[0]?.inputs["build"] as { args: Record<string, string>; cacheFrom: { images: string[] } };
    expect(build.args["BUILDKIT_INLINE_CACHE"]).toBe("1");
    // Layers come from the earlier images of the same container tag in the cache.
    expect(build.cacheFrom.images).toEqual([`${cacheUrl}:intel-sapphirerapids-distro-0001`]);
    const graviton3 = ofType("aws:ec2/instance:Instance").find((i) => i.inputs["instanceType"] === "c7g.large");
    // The tag already in the cache is pulled by the digest it names there (immutable, so it names only that one).
    expect(String(graviton3?.inputs["userData"])).toContain(`readonly IMAGE=${cacheUrl}@sha256:${"9".repeat(63)}1\n`);
    expect(String(graviton3?.inputs["userData"])).not.toContain(cached);
    const built = ofType("aws:ec2/instance:Instance").find((i) => i.inputs["instanceType"] === "m7i.large");
    expect(String(built?.inputs["userData"])).toContain(`readonly IMAGE=${cacheUrl}@sha256:${"a".repeat(64)}\n`);
    const statements = (
      JSON.parse(String(ofType("aws:iam/rolePolicy:RolePolicy")[0]?.inputs["policy"])) as {
        Statement: Array<{ Sid: string; Resource: string[] }>;
      }
    ).Statement;
    expect(statements.find((s) => s.Sid === "PullThisBatchImages")?.Resource).toEqual([
      "arn:aws:ecr:us-east-1:123456789012:repository/aws-bench-cache",
    ]);
  });

  it("gives the role the bootstrap's permissions boundary of this account and region, or the one passed", async () => {
    const batch = new stack.BenchmarkBatch("r", args());
    await unwrap(batch.instanceIds);
    await settle();
    expect(ofType("aws:iam/role:Role")[0]?.inputs["permissionsBoundary"]).toBe(
      "arn:aws:iam::123456789012:policy/aws-bench/aws-bench-batch-boundary-us-east-1",
    );
    resources.length = 0;
    const own = "arn:aws:iam::123456789012:policy/aws-bench/team-boundary";
    const mine = new stack.BenchmarkBatch("s", args({ permissionsBoundaryArn: own }));
    await unwrap(mine.instanceIds);
    await settle();
    expect(ofType("aws:iam/role:Role")[0]?.inputs["permissionsBoundary"]).toBe(own);
  });

  it.each([
    ["the batch's own repository", {}],
    [
      "the image cache",
      {
        imageCache: {
          repositoryUrl: "123456789012.dkr.ecr.us-east-1.amazonaws.com/aws-bench-cache",
          repositoryArn: "arn:aws:ecr:us-east-1:123456789012:repository/aws-bench-cache",
          existingImages: {},
        },
      },
    ],
    [
      "prebuilt images in ECR, with SSM",
      {
        images: {
          "intel-sapphirerapids": "210987654321.dkr.ecr.eu-west-1.amazonaws.com/team/aws-bench:spr",
          graviton3: "123456789012.dkr.ecr.us-east-1.amazonaws.com/aws-bench:g3",
        },
        ssm: true,
      },
    ],
    ["a KMS-encrypted results bucket", { kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd" }],
  ] as Array<[string, Partial<BenchmarkBatchArgs>]>)(
    "with %s, grants the role nothing its boundary would cut",
    async (_case, overrides) => {
      const { batchBoundaryPolicy } = await import("../../../stacks/bootstrap.js");
      const boundary = batchBoundaryPolicy({ resultsBucketArn: "arn:aws:s3:::my-results", region: "us-east-1" });
      const batch = new stack.BenchmarkBatch(naming.batchComponentName, args(overrides));
      await unwrap(batch.instanceIds);
      await settle();
      const granted = (
        JSON.parse(String(ofType("aws:iam/rolePolicy:RolePolicy")[0]?.inputs["policy"])) as {
          Statement: Array<{ Action: string[]; Resource: string[] }>;
        }
      ).Statement.flatMap((statement) =>
        statement.Action.flatMap((action) => statement.Resource.map((resource) => ({ action, resource }))),
      );
      // The mocks give the batch's own repository a made-up ARN; in AWS it is its logical name plus Pulumi's suffix.
      const real = (resource: string) =>
        resource.replace(/^arn:aws:mock:([^:]+):(\d+):(.+)$/, "arn:aws:ecr:$1:$2:repository/$3-0a1b2c3");
      const cut = granted.filter(
        ({ action, resource }) =>
          !boundary.Statement.some(
            (statement) =>
              statement.Action.includes(action) &&
              statement.Resource.some((pattern) => matchesArn(pattern, real(resource))),
          ),
      );
      expect(granted.length).toBeGreaterThan(0);
      expect(cut).toEqual([]);
    },
  );

  it("uses an existing subnet and security group without creating a network", async () => {
    const batch = new stack.BenchmarkBatch(
      "e",
      args({ network: { vpcId: "vpc-1", subnetId: "subnet-1", securityGroupId: "sg-1" } }),
    );
    await unwrap(batch.instanceIds);
    await settle();
    expect(ofType("awsx:ec2:Vpc")).toEqual([]);
    expect(ofType("aws:ec2/securityGroup:SecurityGroup")).toEqual([]);
    expect(ofType("aws:ec2/instance:Instance")[0]?.inputs).toMatchObject({
      subnetId: "subnet-1",
      vpcSecurityGroupIds: ["sg-1"],
    });
  });

  it("refuses contradictory or unsafe arguments, naming them", () => {
    expect(() => stack.validateArgs(args({ instances: [] }))).toThrow(/no instances/);
    expect(() => stack.validateArgs(args({ images: { graviton3: `x@sha256:${"d".repeat(64)}` } }))).toThrow(
      /no image for container tag\(s\) intel-sapphirerapids/,
    );
    // The full table of networks is in cidr.test.ts; here, that the component asks the shared checker.
    expect(() => stack.validateArgs(args({ ssh: { keyName: "k", cidr: "0.0.0.0/0" } }))).toThrow(
      /ssh\.cidr '0\.0\.0\.0\/0' would open SSH to the whole internet/,
    );
    expect(() => stack.validateArgs(args({ ssh: { keyName: "k", cidr: "nope" } }))).toThrow(/not an IPv4 CIDR/);
    expect(() => stack.validateArgs(args({ ssh: { keyName: "k", cidr: "203.0.113.7/24" } }))).toThrow(/host bits set/);
    expect(() => stack.validateArgs(args({ ssh: { keyName: "k" } }))).toThrow(/ssh needs cidr/);
    expect(() =>
      stack.validateArgs(
        args({
          ssh: { keyName: "k", cidr: "203.0.113.0/24" },
          network: { vpcId: "vpc-1", subnetId: "subnet-1", securityGroupId: "sg-1" },
        }),
      ),
    ).toThrow(/ssh\.cidr cannot be added/);
    // A key pair with the user's own security group: that group decides who may connect.
    expect(() =>
      stack.validateArgs(
        args({ ssh: { keyName: "k" }, network: { vpcId: "vpc-1", subnetId: "subnet-1", securityGroupId: "sg-1" } }),
      ),
    ).not.toThrow();
    expect(() => stack.validateArgs(args({ tags: {} }))).toThrow(/tags must include aws-bench:batch/);
  });
  it("refuses, before declaring anything, every value the instance script would refuse", async () => {
    const first = () => args().instances[0] as BenchmarkBatchArgs["instances"][number];
    const hostile: Array<[string, Partial<BenchmarkBatchArgs>, RegExp]> = [
      [
        "batch id",
        { batchId: "20261128t120000z-ab12cd\nreboot" },
        /BenchmarkBatch: batchId "20261128t120000z-ab12cd\\nreboot"/,
      ],
      [
        "instance type",
        { instances: [{ ...first(), instanceType: "m7i.large\nreboot" }] },
        /instanceType "m7i\.large\\nreboot"/,
      ],
      ["repeat", { instances: [{ ...first(), repeat: -1 }] }, /repeat -1 must be a whole number/],
      ["region", { region: "us-east-1;reboot" }, /region "us-east-1;reboot" is not an AWS region/],
      ["results bucket", { resultsBucket: "b$(reboot)" }, /resultsBucket "b\$\(reboot\)" is not an S3 bucket name/],
      ["runner argument", { runArgs: ["--benchmarks", "stream`reboot`"] }, /runArgs\[1\] "stream`reboot`"/],
      [
        "prebuilt image",
        { images: { "intel-sapphirerapids": "ghcr.io/x/y:'z'", graviton3: "ghcr.io/x/y:g3" } },
        /images\[intel-sapphirerapids\] "ghcr\.io\/x\/y:'z'" is not an image reference/,
      ],
    ];
    for (const [what, overrides, message] of hostile) {
      expect(() => stack.validateArgs(args(overrides)), what).toThrow(message);
      resources.length = 0;
      expect(() => new stack.BenchmarkBatch("h", args(overrides)), what).toThrow(message);
      await settle();
      expect(
        resources.filter((r) => r.type !== "aws-instance-benchmarks:batch:BenchmarkBatch"),
        what,
      ).toEqual([]);
    }
  });
});

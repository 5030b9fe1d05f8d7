import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { isolateAws } from "../../helpers/aws-env.js";
import { exec } from "../../../src/cli/main.js";
import { memoryIo } from "../../../src/cli/io.js";
import type { BatchPlan } from "../../../src/orchestrator/plan.js";
import { quotaCodeFor } from "../../../src/aws/quotas.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const root = join(import.meta.dirname, "..", "..", "..");
const tempDir = useTempDir();
const prices = JSON.parse(readFileSync(join(root, "data", "pricing", "us-east-1.json"), "utf8")) as {
  onDemandUsdPerHour: Record<string, number>;
};

// The developer's own AWS configuration (a profile's region above all) must not change what these plans say.
beforeEach(() => isolateAws(false));
afterEach(() => vi.unstubAllEnvs());

async function cli(...argv: string[]) {
  const io = memoryIo({ cwd: tempDir(), env: {} });
  const code = await exec(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe("aws-bench plan (offline)", () => {
  it("runs the real program under mocks and prices the batch", async () => {
    const { code, out } = await cli(
      "plan",
      "--offline",
      "--instance-types",
      "m7i.large,c7g.large",
      "--benchmarks",
      "stream,hpl,coremark",
      "--json",
    );
    expect(code).toBe(0);
    const plan = JSON.parse(out) as BatchPlan;
    const types = plan.resources.map((r) => r.type);
    expect(types.filter((t) => t === "aws:ec2/instance:Instance")).toHaveLength(2);
    expect(plan.resources.find((r) => r.type === "awsx:ec2:Vpc")?.inputs).toMatchObject({
      natGateways: { strategy: "None" },
    });
    expect(plan.resources.find((r) => r.type === "aws:ec2/securityGroup:SecurityGroup")?.inputs["ingress"]).toEqual([]);
    for (const instance of plan.resources.filter((r) => r.type === "aws:ec2/instance:Instance")) {
      expect(instance.inputs).toMatchObject({
        instanceInitiatedShutdownBehavior: "terminate",
        metadataOptions: { httpTokens: "required" },
        rootBlockDevice: { encrypted: true },
      });
      // A preview: what only the deployment knows (the instance profile's name) is there, marked unknown.
      expect(instance.inputs["iamInstanceProfile"]).toBeDefined();
    }
    expect(JSON.stringify(plan.resources)).not.toMatch(/"password":"mock"/);
    expect(plan.instances.map((i) => [i.instanceType, i.zone, i.containerTag, i.quotaCode])).toEqual([
      ["m7i.large", "chosen at run time", "intel-sapphirerapids", "L-1216C47A"],
      ["c7g.large", "chosen at run time", "graviton3", "L-1216C47A"],
    ]);
    for (const instance of plan.instances) {
      expect(instance.usdPerHour).toBe(prices.onDemandUsdPerHour[instance.instanceType]);
      expect(instance.expectedCostUsd).toBeCloseTo(((instance.usdPerHour ?? 0) * instance.expectedMinutes) / 60, 3);
      expect(instance.maximumMinutes).toBeGreaterThan(instance.expectedMinutes);
    }
    expect(plan.estimate.vcpusByQuotaCode).toEqual({ "L-1216C47A": 4 });
    expect(plan.estimate.costUsdExpected).toBeCloseTo(
      plan.instances.reduce((sum, i) => sum + (i.expectedCostUsd ?? 0), 0),
      3,
    );
    expect(plan.estimate.priceSource).toBe("ondemand-linux-us-east-1.csv (2026-07-20)");
  });

  it("counts spot vCPUs against the spot quota and says when no spot price is known", async () => {
    const { code, out } = await cli(
      "plan",
      "--offline",
      "--instance-types",
      "c7g.large",
      "--repeat",
      "3",
      "--spot",
      "--quick",
      "--json",
    );
    expect(code).toBe(0);
    const plan = JSON.parse(out) as BatchPlan;
    expect(plan.instances).toHaveLength(3);
    expect(plan.estimate.vcpusByQuotaCode).toEqual({ "L-34B43A08": 6 });
    expect(plan.estimate.costUsdExpected).toBeNull();
    expect(plan.instances[0]?.flags[0]).toMatch(/no spot price for c7g\.large/);
    expect(
      plan.resources.find((r) => r.type === "aws:ec2/instance:Instance")?.inputs["instanceMarketOptions"],
    ).toMatchObject({ marketType: "spot" });
  });

  it("prints a readable plan", async () => {
    const { out } = await cli("plan", "--offline", "--instance-types", "t3.medium", "--benchmarks", "stream");
    expect(out).toMatch(/2 × docker:index\/image:Image|1 × docker:index\/image:Image/);
    expect(out).toMatch(/t3\.medium #0 {2}zone chosen at run time {2}image intel-skylake/);
    expect(out).toMatch(/burstable: runs in unlimited credit mode/);
    expect(out).toMatch(/^total: ~\d+ instance-minutes/m);
  });

  it("refuses what cannot run as planned, naming each type and why", async () => {
    const refused = await cli("plan", "--offline", "--instance-types", "mac2-m2.metal,nope.large");
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/mac2-m2\.metal: mac instances need dedicated hosts/);
    expect(refused.err).toMatch(/nope\.large: not in the catalogue/);
    expect((await cli("plan", "--offline", "--instance-types", "c8ine.2xlarge", "--spot")).err).toMatch(
      /c8ine\.2xlarge: not offered as spot \(usage classes: on-demand\)/,
    );
    expect((await cli("plan", "--offline", "--instance-types", "m7i.large", "--benchmarks", "linpack")).code).toBe(2);
    expect((await cli("plan", "--offline", "--instance-types", "m7i.large;reboot")).err).toMatch(
      /Not instance type names/,
    );
  });

  it("knows the quota codes of the accelerated and high-memory families", () => {
    expect(quotaCodeFor("m7i", false)).toBe("L-1216C47A");
    expect(quotaCodeFor("g6", false)).toBe("L-DB2E81BA");
    expect(quotaCodeFor("p5", false)).toBe("L-417A185B");
    expect(quotaCodeFor("x2idn", false)).toBe("L-7295265B");
    expect(quotaCodeFor("inf2", false)).toBe("L-1945791B");
    expect(quotaCodeFor("trn1", false)).toBe("L-2C3B7624");
    expect(quotaCodeFor("hpc7g", false)).toBe("L-F7808C92");
    expect(quotaCodeFor("u7i-12tb", false)).toBe("L-43DA4232");
    expect(quotaCodeFor("m7i", true)).toBe("L-34B43A08");
  });
});

describe("aws-bench pricing", () => {
  it("writes a validated snapshot from a saved price list", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "p.csv"), "instance_type,usd_per_hour\nm7i.large,0.1008\nc7g.large,0.0725\n");
    const { code, out } = await cli("pricing", "--input", "p.csv", "--region", "eu-west-1", "--as-of", "2026-11-01");
    expect(code).toBe(0);
    expect(out).toMatch(/2 prices for eu-west-1 as of 2026-11-01: wrote .*data\/pricing\/eu-west-1\.json/);
    const snapshot = JSON.parse(readFileSync(join(dir, "data", "pricing", "eu-west-1.json"), "utf8")) as {
      onDemandUsdPerHour: Record<string, number>;
      source: { file: string };
    };
    expect(snapshot.onDemandUsdPerHour).toEqual({ "c7g.large": 0.0725, "m7i.large": 0.1008 });
    expect(snapshot.source.file).toBe("p.csv");
  });

  it("refuses what the batch spec cannot hold, naming the flag, before planning anything", async () => {
    for (const [args, message] of [
      [["--instance-types", "m7i.large", "--repeat", "101"], /--repeat 101 is not a whole number from 1 to 100/],
      [["--instance-types", "m7i.large,m7i.large"], /--instance-types names m7i\.large more than once/],
      [["--instance-types", "m7i.large", "--instance-types", "c7g.large"], /--instance-types is given more than once/],
      [
        ["--instance-types", "m7i.large", "--results-bucket", "My_Bucket"],
        /--results-bucket 'My_Bucket' is not an S3 bucket name/,
      ],
      [["--instance-types", "m7i.large", "--max-minutes", "10"], /--max-minutes 10 leaves no time to run anything/],
    ] as const) {
      const { code, err } = await cli("plan", "--offline", ...args);
      expect(err).toMatch(message);
      expect(err).not.toMatch(/Unexpected|SchemaViolation/);
      expect(code).toBe((args as readonly string[]).includes("--results-bucket") ? 1 : 2);
    }
  });

  it("names bad input and refuses what it cannot do yet", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "bad.csv"), "instance_type,usd_per_hour\nm7i.large,cheap\n");
    expect((await cli("pricing", "--input", "bad.csv", "--as-of", "2026-11-01")).err).toMatch(
      /bad\.csv: line 2 \('m7i\.large,cheap'\) is not instance_type,usd_per_hour/,
    );
    expect((await cli("pricing", "--input", "bad.csv")).err).toMatch(/--input needs --as-of/);
    expect((await cli("pricing")).err).toMatch(/error \[UsageError\]: Say where the prices come from/);
  });
});

describe("the region from the AWS config", () => {
  let home: string | undefined;
  afterEach(() => {
    vi.unstubAllEnvs();
    if (home) rmSync(home, { recursive: true, force: true });
    home = undefined;
  });

  /** A HOME whose .aws/config names a region for `default` and for `other` (or none), and no AWS_REGION. */
  function awsHome(config: string): Record<string, string> {
    home = mkdtempSync(join(tmpdir(), "aws-bench-home-"));
    mkdirSync(join(home, ".aws"));
    writeFileSync(join(home, ".aws", "config"), config);
    isolateAws(false);
    const env = { HOME: home, AWS_CONFIG_FILE: join(home, ".aws", "config") };
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    return env;
  }
  const profiles = "[default]\nregion = eu-west-2\n\n[profile other]\nregion = ap-southeast-2\n";

  async function planIn(env: Record<string, string>, ...extra: string[]) {
    const io = memoryIo({ cwd: home, env });
    const code = await exec(["plan", "--offline", "--instance-types", "m7i.large", "--json", ...extra], io);
    // The plan names its region where it prices (or cannot price) the instances and in its resources.
    const out = io.out();
    return { code, regions: [...new Set(out.match(/\b[a-z]{2}-[a-z]+-\d\b/g))], err: io.err() };
  }

  it("plans in the default profile's region and says where it came from", async () => {
    const env = awsHome(profiles);
    const { code, regions, err } = await planIn(env);
    expect(code).toBe(0);
    expect(regions).toEqual(["eu-west-2"]);
    expect(err).toContain(`region: eu-west-2 (from profile 'default' in ${env["AWS_CONFIG_FILE"]})`);
  });

  it("uses the region of --profile", async () => {
    const env = awsHome(profiles);
    const { code, regions, err } = await planIn(env, "--profile", "other");
    expect(code).toBe(0);
    expect(regions).toEqual(["ap-southeast-2"]);
    expect(err).toContain("region: ap-southeast-2 (from profile 'other'");
  });

  it("falls back to us-east-1 when nothing names a region, and says so", async () => {
    const env = awsHome("[default]\noutput = json\n");
    const { code, regions, err } = await planIn(env);
    expect(code).toBe(0);
    expect(regions).toEqual(["us-east-1"]);
    expect(err).toMatch(/region: us-east-1 \(no --region, AWS_REGION or region in the AWS config/);
  });

  it("run without any region still fails RegionMissing with the fix", async () => {
    const env = awsHome("[default]\noutput = json\n");
    const io = memoryIo({ cwd: home, env });
    const code = await exec(["run", "--instance-types", "m7i.large", "--results-bucket", "my-bench-results"], io);
    expect(code).not.toBe(0);
    expect(io.err()).toMatch(/RegionMissing/);
    expect(io.err()).toMatch(/--region/);
    expect(io.err()).toMatch(/AWS_REGION/);
  });
});

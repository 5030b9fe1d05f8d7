/**
 * The lifecycle commands on the command line, with the real Automation API engine where it matters: no Pulumi
 * CLI on PATH → a clear install message and nothing recorded; CI with a file backend → BackendNotShared; bad
 * input named before anything else.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { isolateAws } from "../../helpers/aws-env.js";
import { ExitCode } from "../../../src/cli/errors.js";
import { memoryIo } from "../../../src/cli/io.js";
import { exec } from "../../../src/cli/main.js";
import { bucketForRegion } from "../../../src/cli/batch-options.js";
import { combineExitCodes } from "../../../src/cli/batch-session.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const tempDir = useTempDir();
let home: string;

beforeEach(() => {
  home = tempDir();
  // No `pulumi` on PATH, whatever the machine has; no AWS configuration of the developer.
  vi.stubEnv("PATH", join(home, "no-bin"));
  isolateAws(false);
});
afterEach(() => vi.unstubAllEnvs());

async function cli(env: Record<string, string>, ...args: string[]) {
  const io = memoryIo({ cwd: home, env: { HOME: home, ...env } });
  const code = await exec(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe("run refuses flags that do not apply to its target, by name", () => {
  it("batch flags with --target local", async () => {
    const { code, err } = await cli({}, "run", "--target", "local", "--spot", "--repeat", "3", "--quick");
    expect(code).toBe(ExitCode.Usage);
    expect(err).toMatch(/error \[UsageError\]: --repeat, --spot do not apply to --target local/);
    expect(err).toMatch(/fix: Leave it out for a local run/);
  });

  it("local flags with the AWS target, also spelled --flag=value or --no-flag", async () => {
    for (const extra of [["--custom", "solver.json"], ["--trials=3"], ["--no-imds"], ["--hplMinutes", "2"]]) {
      const { code, err } = await cli(
        {},
        "run",
        "--instance-types",
        "m7i.large",
        "--results-bucket",
        "my-results",
        "--region",
        "us-east-1",
        ...extra,
      );
      expect(code).toBe(ExitCode.Usage);
      expect(err).toMatch(/does not apply to --target aws/);
    }
  });

  it("but not what the environment sets (AWS_BENCH_RESULTS_BUCKET stays usable for local runs)", async () => {
    // Refused for its own reason (a bad --trials), not for the environment's results bucket.
    const { err } = await cli({ AWS_BENCH_RESULTS_BUCKET: "my-results" }, "run", "--target", "local", "--trials", "0");
    expect(err).not.toMatch(/does not apply/);
    expect(err).toMatch(/--trials 0 is not a positive whole number/);
  });
});

describe("run on EC2", () => {
  it("without the Pulumi CLI: says how to install it, records and creates nothing (exit 1)", async () => {
    const { code, err } = await cli(
      {},
      "run",
      "--instance-types",
      "m7i.large",
      "--results-bucket",
      "my-results",
      "--region",
      "us-east-1",
      "--skip-quota-check",
      "--yes",
    );
    expect(code).toBe(ExitCode.Failure);
    expect(err).toMatch(/error \[PulumiCliMissing\]: The Pulumi CLI is not installed/);
    expect(err).toMatch(/fix: Install it: `curl -fsSL https:\/\/get\.pulumi\.com \| sh`/);
    expect(existsSync(join(home, ".aws-bench", "state", ".aws-bench", "batches"))).toBe(false);
  });

  it("names bad input before anything else", async () => {
    expect((await cli({}, "run", "--instance-types", "m7i.large", "--region", "us-east-1")).err).toMatch(
      /A batch needs --results-bucket/,
    );
    expect(
      (await cli({}, "run", "--instance-types", "m7i.large;rm", "--results-bucket", "b-1", "--region", "us-east-1"))
        .err,
    ).toMatch(/Not instance type names: m7i\.large;rm/);
    expect(
      (await cli({}, "run", "--instance-types", "m7i.large", "--results-bucket", "Bad_Bucket", "--region", "us-east-1"))
        .err,
    ).toMatch(/is not an S3 bucket name/);
    expect((await cli({}, "run", "--instance-types", "m7i.large", "--results-bucket", "b-1")).err).toMatch(
      /RegionMissing/,
    );
    expect(
      (
        await cli(
          {},
          "run",
          "--instance-types",
          "m7i.large",
          "--results-bucket",
          "b-1",
          "--region",
          "us-east-1",
          "--tag",
          "nokey",
        )
      ).err,
    ).toMatch(/--tag 'nokey' is not KEY=VALUE/);
    expect(
      (
        await cli(
          {},
          "run",
          "--instance-types",
          "m7i.large",
          "--results-bucket",
          "b-1",
          "--region",
          "us-east-1",
          "--max-cost",
          "0",
        )
      ).code,
    ).toBe(ExitCode.Usage);
    const batch = ["run", "--instance-types", "m7i.large", "--results-bucket", "b-1", "--region", "us-east-1"];
    expect((await cli({}, ...batch, "--subnet", "subnet-1")).err).toMatch(/--subnet 'subnet-1' is not a subnet id/);
    expect((await cli({}, ...batch, "--security-group", "sg-0123456789abcdef0")).err).toMatch(
      /--security-group needs --subnet/,
    );
    expect((await cli({}, ...batch, "--key-pair", "me")).err).toMatch(/--key-pair needs --ssh-cidr/);
    expect((await cli({}, ...batch, "--key-pair", "me", "--ssh-cidr", "0.0.0.0/0")).err).toMatch(
      /would open SSH to the whole internet/,
    );
    expect((await cli({}, ...batch, "--ssh-cidr", "203.0.113.0/24")).err).toMatch(/--ssh-cidr needs --key-pair/);
    expect(
      (
        await cli(
          {},
          ...batch,
          "--subnet",
          "subnet-0123456789abcdef0",
          "--security-group",
          "sg-0123456789abcdef0",
          "--key-pair",
          "me",
          "--ssh-cidr",
          "203.0.113.0/24",
        )
      ).err,
    ).toMatch(/--ssh-cidr cannot be added to your own --security-group/);
  });
});

describe("several regions", () => {
  it("need a results bucket per region, and then go as far as the missing CLI", async () => {
    const one = await cli(
      {},
      "run",
      "--instance-types",
      "m7i.large",
      "--region",
      "us-east-1,eu-west-1",
      "--results-bucket",
      "only-one",
      "--yes",
    );
    expect(one.code).toBe(ExitCode.Usage);
    expect(one.err).toMatch(/2 regions need a results bucket each/);
    expect(
      (
        await cli(
          {},
          "run",
          "--instance-types",
          "m7i.large",
          "--region",
          "us-east-1,eu-west-1",
          "--results-bucket",
          "team-{region}",
          "--yes",
          "--skip-quota-check",
        )
      ).err,
    ).toMatch(/PulumiCliMissing/);
    expect(bucketForRegion("team-{region}", ["us-east-1", "eu-west-1"], "eu-west-1")).toBe("team-eu-west-1");
    expect(
      (
        await cli(
          {},
          "run",
          "--instance-types",
          "m7i.large",
          "--region",
          "us-east-1,eu-west-1",
          "--results-bucket",
          "team-{region}",
          "--yes",
          "--subnet",
          "subnet-0123456789abcdef0",
        )
      ).err,
    ).toMatch(/--subnet names something of one region; it cannot be used with 2 regions/);
    expect(bucketForRegion("a-bucket, b-bucket", ["us-east-1", "eu-west-1"], "eu-west-1")).toBe("b-bucket");
  });

  it("give one exit code: interrupted wins, all alike stays, a mix is partial", () => {
    expect(combineExitCodes(0, 0, false)).toBe(0);
    expect(combineExitCodes(1, 1, false)).toBe(1);
    expect(combineExitCodes(0, 1, false)).toBe(3);
    expect(combineExitCodes(0, 130, false)).toBe(130);
    expect(combineExitCodes(0, 1, true)).toBe(1);
  });
});

describe("CI steps", () => {
  it("refuse a file backend in CI (it does not survive between jobs)", async () => {
    for (const step of [
      ["up", "--batch", "20261128t120000z-ab12cd"],
      ["collect", "--batch", "20261128t120000z-ab12cd"],
      ["destroy", "--batch", "20261128t120000z-ab12cd", "--yes"],
    ]) {
      const { code, err } = await cli({ CI: "true" }, ...step);
      expect(code).toBe(ExitCode.Failure);
      expect(err).toMatch(
        /error \[BackendNotShared\]: '\w+' in CI needs a shared state backend; file:\/\/.* does not survive/,
      );
      expect(err).toMatch(/PULUMI_BACKEND_URL=s3:\/\//);
    }
    expect(
      (
        await cli(
          { CI: "true" },
          "preview",
          "--instance-types",
          "m7i.large",
          "--results-bucket",
          "b-1",
          "--region",
          "us-east-1",
        )
      ).err,
    ).toMatch(/BackendNotShared/);
  });

  it("say which batch is missing on which backend, and refuse malformed ids and backends", async () => {
    mkdirSync(join(home, "state"), { recursive: true });
    const missing = await cli({}, "up", "--batch", "20261128t120000z-ab12cd", "--backend", `file://${home}/state`);
    expect(missing.err).toMatch(/error \[BatchNotFound\]: No batch 20261128t120000z-ab12cd on file:\/\//);
    expect((await cli({}, "up", "--batch", "latest")).err).toMatch(/--batch 'latest' is not a batch id/);
    // preview refuses a made-up id before it opens the backend or looks for Pulumi.
    const previewed = await cli(
      {},
      "preview",
      "--instance-types",
      "m7i.large",
      "--results-bucket",
      "my-results",
      "--region",
      "us-east-1",
      "--batch",
      "latest",
    );
    expect(previewed.err).toMatch(/error \[InvalidArgument\]: --batch 'latest' is not a batch id/);
    expect(previewed.err).not.toMatch(/PulumiCliMissing/);
    expect(
      (await cli({}, "up", "--batch", "20261128t120000z-ab12cd", "--backend", "https://example.com/state")).err,
    ).toMatch(/is not a file:\/\/ or s3:\/\/ URL/);
  });

  it("list works without the Pulumi CLI from the records alone, and says so", async () => {
    // A backend with no Pulumi state at all has no stacks to ask about: nothing to warn of.
    const empty = await cli({}, "list", "--json");
    expect([empty.code, empty.out.trim(), empty.err]).toEqual([ExitCode.Success, "[]", ""]);
    // Where Pulumi has kept state, its stacks cannot be checked without the CLI.
    mkdirSync(join(home, ".aws-bench", "state", ".pulumi"), { recursive: true });
    const listed = await cli({}, "list", "--json");
    expect(listed.code).toBe(ExitCode.Success);
    expect(JSON.parse(listed.out)).toEqual([]);
    expect(listed.err).toMatch(/warning: The Pulumi CLI is not installed.*Listing the batch records only/);
  });

  it("bootstrap needs the Pulumi CLI too, and says so; cleanup reads its durations first", async () => {
    // (cleanup without the CLI still sweeps: test/integration/cleanup-contract.test.ts.)
    expect((await cli({}, "bootstrap", "--region", "us-east-1")).err).toMatch(/PulumiCliMissing/);
    expect((await cli({}, "cleanup", "--older-than", "soon")).err).toMatch(/--older-than 'soon' is not a duration/);
    // A negative value is the flag's value, named as such, not taken for other flags.
    expect((await cli({}, "cleanup", "--older-than", "-5h")).err).toMatch(/--older-than '-5h' is not a duration/);
  });
});

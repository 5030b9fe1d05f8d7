/**
 * The Automation API engine where it can run here (no Pulumi CLI on these machines): the CLI's absence found
 * before anything starts, the stacks' secrets never left to an empty passphrase on a shared backend, work
 * directories only their owner can enter, and Pulumi's failures turned into errors that say what to do.
 */
import { chmodSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  automationEngine,
  ownerOnlyDirectory,
  pulumiErrorToBenchError,
  secretsSettings,
} from "../../../src/orchestrator/automation-engine.js";
import { resolveBackend } from "../../../src/orchestrator/backend.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const tempDir = useTempDir();
afterEach(() => vi.unstubAllEnvs());

describe("automationEngine", () => {
  it("finds a missing Pulumi CLI before anything is recorded or created, and on every operation", async () => {
    const home = tempDir();
    vi.stubEnv("PATH", join(home, "no-bin"));
    const engine = automationEngine({
      backend: resolveBackend(`file://${home}/state`, {}, home),
      toolHome: join(home, ".aws-bench"),
      env: {},
    });
    await expect(engine.ready()).rejects.toMatchObject({
      code: "PulumiCliMissing",
      fix: expect.stringContaining("get.pulumi.com"),
    });
    // An empty file backend has no stacks, CLI or not; one holding Pulumi state needs the CLI to list them.
    await expect(engine.listStacks()).resolves.toEqual([]);
    mkdirSync(join(home, "state", ".pulumi"), { recursive: true });
    await expect(engine.listStacks()).rejects.toMatchObject({ code: "PulumiCliMissing" });
    await expect(engine.up({ stackName: "batch-20261128t120000z-ab12cd", config: {} }, {})).rejects.toMatchObject({
      code: "PulumiCliMissing",
    });
  });

  it("looks for the CLI on PATH as the Automation API will spawn it, and goes on when it is there", async () => {
    const home = tempDir();
    mkdirSync(join(home, "bin"));
    // A stand-in `pulumi` that answers `pulumi version` as the real one does.
    writeFileSync(join(home, "bin", "pulumi"), "#!/bin/sh\necho v3.999.0\n", { mode: 0o755 });
    vi.stubEnv("PATH", `${join(home, "no-bin")}:${join(home, "bin")}`);
    const engine = automationEngine({
      backend: resolveBackend(`file://${home}/state`, {}, home),
      toolHome: join(home, ".aws-bench"),
      env: {},
    });
    await expect(engine.ready()).resolves.toBeUndefined();
  });
});

describe("the stacks' secrets", () => {
  const shared = resolveBackend("s3://team-state/pulumi?region=eu-west-1", {}, "/w");
  const local = resolveBackend("file:///home/u/.aws-bench/state", {}, "/w");

  it("keep the empty passphrase on the local file backend only", () => {
    expect(secretsSettings(local, {})).toEqual({ provider: "passphrase", envVars: { PULUMI_CONFIG_PASSPHRASE: "" } });
    for (const env of [{}, { PULUMI_CONFIG_PASSPHRASE: "" }])
      expect(() => secretsSettings(shared, env)).toThrow(
        expect.objectContaining({
          code: "InvalidArgument",
          message: expect.stringContaining("s3://team-state/pulumi?region=eu-west-1 needs a secrets passphrase"),
          fix: expect.stringMatching(/PULUMI_CONFIG_PASSPHRASE .*PULUMI_CONFIG_PASSPHRASE_FILE.*awskms:\/\//),
        }),
      );
  });

  it("take the passphrase, a passphrase file, or an AWS KMS key", () => {
    expect(secretsSettings(shared, { PULUMI_CONFIG_PASSPHRASE: "s3cret" })).toEqual({
      provider: "passphrase",
      envVars: { PULUMI_CONFIG_PASSPHRASE: "s3cret" },
    });
    const file = join(tempDir(), "passphrase");
    writeFileSync(file, "s3cret\n");
    expect(secretsSettings(shared, { PULUMI_CONFIG_PASSPHRASE_FILE: file })).toEqual({
      provider: "passphrase",
      envVars: { PULUMI_CONFIG_PASSPHRASE_FILE: file },
    });
    const kms = "awskms://alias/aws-bench?region=eu-west-1";
    expect(secretsSettings(shared, { PULUMI_SECRETS_PROVIDER: kms })).toEqual({ provider: kms, envVars: {} });
    expect(secretsSettings(shared, {}, kms)).toEqual({ provider: kms, envVars: {} });
  });

  it("refuse a passphrase file that is missing, or empty on a shared backend, and a provider that is not KMS", () => {
    const dir = tempDir();
    expect(() => secretsSettings(shared, { PULUMI_CONFIG_PASSPHRASE_FILE: join(dir, "nope") })).toThrow(
      expect.objectContaining({ code: "InputUnreadable" }),
    );
    const empty = join(dir, "empty");
    writeFileSync(empty, "");
    expect(() => secretsSettings(shared, { PULUMI_CONFIG_PASSPHRASE_FILE: empty })).toThrow(
      /needs a secrets passphrase/,
    );
    expect(secretsSettings(local, { PULUMI_CONFIG_PASSPHRASE_FILE: empty }).envVars).toEqual({
      PULUMI_CONFIG_PASSPHRASE_FILE: empty,
    });
    expect(() => secretsSettings(shared, { PULUMI_SECRETS_PROVIDER: "gcpkms://projects/p/keys/k" })).toThrow(
      /not an AWS KMS key/,
    );
  });

  it("are checked before anything is recorded or created, and on every stack operation; listing needs none", async () => {
    const home = tempDir();
    vi.stubEnv("PATH", join(home, "no-bin"));
    const engine = (env: NodeJS.ProcessEnv) =>
      automationEngine({ backend: shared, toolHome: join(home, ".aws-bench"), env });
    // Checked before the CLI is even looked for: no Pulumi process starts on a shared backend without it.
    await expect(engine({}).ready()).rejects.toMatchObject({ code: "InvalidArgument" });
    await expect(engine({}).up({ stackName: "batch-20261128t120000z-ab12cd", config: {} }, {})).rejects.toMatchObject({
      code: "InvalidArgument",
    });
    await expect(engine({}).listStacks()).rejects.toMatchObject({ code: "PulumiCliMissing" });
    await expect(engine({ PULUMI_CONFIG_PASSPHRASE: "s3cret" }).ready()).rejects.toMatchObject({
      code: "PulumiCliMissing",
    });
  });
});

describe("work directories", () => {
  it("are the owner's alone, also when they existed before", () => {
    const home = tempDir();
    const made = ownerOnlyDirectory(join(home, ".aws-bench", "work", "batch-20261128t120000z-ab12cd"));
    expect([statSync(join(home, ".aws-bench")).mode & 0o777, statSync(made).mode & 0o777]).toEqual([0o700, 0o700]);
    const old = join(home, "old");
    mkdirSync(old, { mode: 0o755 });
    chmodSync(old, 0o755);
    expect(statSync(ownerOnlyDirectory(old)).mode & 0o777).toBe(0o700);
  });
});

describe("pulumiErrorToBenchError", () => {
  const named = (name: string, message: string) => Object.assign(new Error(message), { name });

  it("says what to do for each failure a user can act on", () => {
    expect(
      pulumiErrorToBenchError(new Error("Command failed with ENOENT: pulumi version\nspawn pulumi ENOENT"), "s").code,
    ).toBe("PulumiCliMissing");
    expect(
      pulumiErrorToBenchError(
        named("ConcurrentUpdateError", "code: 255\n stderr: error: the stack is currently locked by 1 lock(s)"),
        "batch-x",
      ),
    ).toMatchObject({ code: "StackLocked", fix: expect.stringContaining("pulumi cancel --stack batch-x") });
    expect(pulumiErrorToBenchError(named("StackNotFoundError", "no stack named 'batch-x' found"), "batch-x").code).toBe(
      "BatchNotFound",
    );
    expect(pulumiErrorToBenchError(new Error("error: incorrect passphrase"), "s").code).toBe("PulumiError");
    expect(pulumiErrorToBenchError(new Error("error: incorrect passphrase"), "s").message).toMatch(
      /passphrase is wrong or missing/,
    );
    expect(
      pulumiErrorToBenchError(new Error("error: NoCredentialProviders: no valid providers in chain"), "s").code,
    ).toBe("CredentialsMissing");
  });

  it("never reads 'not found' in Pulumi's output as a missing stack (destroy would record a live batch as gone)", () => {
    const error = pulumiErrorToBenchError(
      new Error(
        "code: 255\n stdout: deleting aws:ec2/subnet:Subnet\n stderr: error: deleting EC2 Subnet: InvalidSubnetID.NotFound: the subnet ID 'subnet-1' does not exist (stack batch-x not found in cache)",
      ),
      "batch-x",
    );
    expect(error.code).toBe("PulumiError");
    expect(error.message).toMatch(/^Pulumi failed on batch-x: .*error: deleting EC2 Subnet/);
  });
});

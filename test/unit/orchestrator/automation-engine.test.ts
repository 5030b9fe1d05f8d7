/**
 * The Automation API engine where it can run here (no Pulumi CLI on these machines): the CLI's absence found
 * before anything starts, and Pulumi's failures turned into errors that say what to do.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { automationEngine, pulumiErrorToBenchError } from "../../../src/orchestrator/automation-engine.js";
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

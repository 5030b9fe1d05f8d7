/**
 * ECR login for `build --push`: the token from the SDK (aws-sdk-client-mock), the password handed to the engine
 * on stdin and never in its arguments (a recording stand-in engine on PATH), other registries left alone.
 */
import { ECRClient, GetAuthorizationTokenCommand } from "@aws-sdk/client-ecr";
import { mockClient } from "aws-sdk-client-mock";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ecrRegistry, loginToRegistry } from "../../../src/images/registry-login.js";
import { isolateAws } from "../../helpers/aws-env.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const ecr = mockClient(ECRClient);
const tempDir = useTempDir();

beforeEach(() => {
  ecr.reset();
  isolateAws(true);
});
afterEach(() => vi.unstubAllEnvs());

/** A stand-in engine that records its arguments and stdin, and fails when told to. */
function fakeEngine(exitCode = 0): { path: string; args: () => string; stdin: () => string } {
  const dir = tempDir();
  const path = join(dir, "engine");
  writeFileSync(
    path,
    `#!/bin/sh\necho "$@" > "${dir}/args"\ncat > "${dir}/stdin"\n[ ${exitCode} -eq 0 ] || echo "Error: unauthorized: authentication required" >&2\nexit ${exitCode}\n`,
  );
  chmodSync(path, 0o755);
  return {
    path,
    args: () => readFileSync(join(dir, "args"), "utf8").trim(),
    stdin: () => readFileSync(join(dir, "stdin"), "utf8"),
  };
}

describe("loginToRegistry", () => {
  it("logs the engine in to ECR with the SDK's token, the password on stdin only", async () => {
    ecr.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [
        {
          authorizationToken: Buffer.from("AWS:s3cr3t-pa55").toString("base64"),
          proxyEndpoint: "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com",
        },
      ],
    });
    const engine = fakeEngine();
    expect(await loginToRegistry(engine.path, "123456789012.dkr.ecr.eu-west-1.amazonaws.com/aws-bench", {})).toBe(true);
    expect(engine.args()).toBe("login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com");
    expect(engine.stdin()).toBe("s3cr3t-pa55");
    expect(await ecr.call(0).thisValue.config.region()).toBe("eu-west-1");
  });

  it("leaves other registries alone, and says why a login failed", async () => {
    expect(await loginToRegistry("/nonexistent/engine", "ghcr.io/org", {})).toBe(false);
    expect(ecrRegistry("public.ecr.aws/x")).toBeUndefined();
    ecr
      .on(GetAuthorizationTokenCommand)
      .resolves({ authorizationData: [{ authorizationToken: Buffer.from("AWS:p").toString("base64") }] });
    await expect(
      loginToRegistry(fakeEngine(1).path, "123456789012.dkr.ecr.us-east-1.amazonaws.com", {}),
    ).rejects.toThrow(
      /login to 123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com failed \(exit 1\): Error: unauthorized/,
    );
    ecr
      .on(GetAuthorizationTokenCommand)
      .rejects(Object.assign(new Error("User is not authorized"), { name: "AccessDeniedException" }));
    await expect(
      loginToRegistry(fakeEngine().path, "123456789012.dkr.ecr.us-east-1.amazonaws.com", {}),
    ).rejects.toThrow(/Not allowed to call ecr:GetAuthorizationToken in us-east-1/);
  });
});

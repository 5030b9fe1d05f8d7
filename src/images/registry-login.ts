/**
 * Logging the container engine in to an ECR registry before a push, through the AWS SDK (the same credentials
 * as every other call; no AWS CLI needed): GetAuthorizationToken in the registry's region, then
 * `<engine> login --username AWS --password-stdin <registry>` with the password on stdin, never in argv.
 */
import { spawn } from "node:child_process";
import type { AwsSettings } from "../aws/clients.js";
import { BenchError } from "../errors.js";

/** `ACCOUNT.dkr.ecr.REGION.amazonaws.com` → its account and region; undefined for other registries. */
export function ecrRegistry(host: string): { account: string; region: string } | undefined {
  const m = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(host.split("/")[0] ?? "");
  return m ? { account: m[1] as string, region: m[2] as string } : undefined;
}

/** Logs `engine` in to the ECR registry `host`; does nothing for other registries (log in to those yourself). */
export async function loginToRegistry(engine: string, host: string, settings: AwsSettings): Promise<boolean> {
  const registry = ecrRegistry(host);
  if (!registry) return false;
  const { createEcrClient } = await import("../aws/clients.js");
  const { GetAuthorizationTokenCommand } = await import("@aws-sdk/client-ecr");
  const { awsErrorToBenchError } = await import("../aws/errors.js");
  const client = await createEcrClient(settings, registry.region);
  let token: string | undefined;
  try {
    const response = await client.send(new GetAuthorizationTokenCommand({}));
    token = response.authorizationData?.[0]?.authorizationToken;
  } catch (error) {
    throw awsErrorToBenchError(error, { ...settings, region: registry.region, action: "ecr:GetAuthorizationToken" });
  }
  const decoded = token ? Buffer.from(token, "base64").toString("utf8") : "";
  const separator = decoded.indexOf(":");
  if (separator < 1)
    throw new BenchError("AwsError", `ECR in ${registry.region} returned no usable authorization token.`, {
      fix: "Try again; `aws ecr get-login-password` shows what ECR answers.",
    });
  const [user, password] = [decoded.slice(0, separator), decoded.slice(separator + 1)];
  const hostName = host.split("/")[0] as string;
  await new Promise<void>((resolve, reject) => {
    const child = spawn(engine, ["login", "--username", user, "--password-stdin", hostName], {
      stdio: ["pipe", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", (error) =>
      reject(
        new BenchError("EngineUnreachable", `${engine}: ${error.message}`, {
          fix: "Install Docker or podman, or pass --engine.",
        }),
      ),
    );
    child.on("close", (code) =>
      code === 0
        ? resolve()
        : reject(
            new BenchError(
              "AccessDenied",
              `${engine} login to ${hostName} failed (exit ${String(code)}): ${stderr.trim().split("\n").pop() ?? ""}`,
              {
                fix: "Check that the engine runs and that this identity may push to the repository (docs/AWS_SETUP.md).",
              },
            ),
          ),
    );
    child.stdin.end(password);
  });
  return true;
}

/**
 * The built CLI against an EC2-compatible endpoint over HTTP (AWS_ENDPOINT_URL, AWS_REGION), as a user would
 * point it at AWS or at an emulator: real SDK serialization, pagination, retries and error parsing.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { normalizeInstanceType } from "../../src/discovery/normalize.js";
import type { InstanceCatalog } from "../../src/schemas/generated/instance-catalog.js";
import { startFakeEc2, type FakeEc2 } from "../helpers/fake-ec2-endpoint.js";
import { sampleInstanceTypes } from "../helpers/instance-types.js";
import { useTempDir } from "../helpers/temp-dir.js";

const run = promisify(execFile);
const bin = join(import.meta.dirname, "..", "..", "dist", "src", "cli", "bin.js");
const tempDir = useTempDir();
let endpoint: FakeEc2 | undefined;
afterEach(async () => endpoint?.close());

function cliEnv(url: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env["PATH"],
    HOME: tempDir(),
    AWS_ENDPOINT_URL: url,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "secret",
    AWS_MAX_ATTEMPTS: "2",
  };
}

async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { env, cwd: tempDir() });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("discover with AWS_ENDPOINT_URL", () => {
  it("reads every page over HTTP and writes the same records as from a dump", async () => {
    const types = sampleInstanceTypes();
    endpoint = await startFakeEc2({ instanceTypes: types, offerings: { "m7i.large": ["use1-az4", "use1-az1"] } });
    const { code, stdout, stderr } = await cli(["discover", "--as-of", "2026-11-01"], cliEnv(endpoint.url));
    expect(stderr).toContain("discover: reading instance types in us-east-1");
    expect(code).toBe(0);
    expect(stdout).toContain("8 instance types in 7 families from EC2 in us-east-1");
    const actions = endpoint.requests.map((r) => r["Action"]);
    expect(actions.filter((a) => a === "DescribeInstanceTypes")).toHaveLength(1);
    expect(endpoint.requests.find((r) => r["Action"] === "DescribeInstanceTypeOfferings")?.["LocationType"]).toBe(
      "availability-zone-id",
    );
    const catalog = JSON.parse(
      readFileSync(join(tempDir(), "data/catalog/instance-types.json"), "utf8"),
    ) as InstanceCatalog;
    const expected = types.map(normalizeInstanceType).sort((a, b) => (a.name < b.name ? -1 : 1));
    expect(catalog.instanceTypes.map(({ regions: _regions, ...record }) => record)).toEqual(expected);
    expect(catalog.instanceTypes.find((t) => t.name === "m7i.large")?.regions).toEqual({
      "us-east-1": { zoneIds: ["use1-az1", "use1-az4"] },
    });
  });

  it("follows NextToken across pages", async () => {
    const many = Array.from({ length: 230 }, (_, i) => ({
      ...sampleInstanceTypes()[0]!,
      InstanceType: `m7i.size${String(i).padStart(3, "0")}` as never,
    }));
    endpoint = await startFakeEc2({ instanceTypes: many });
    const { code, stdout } = await cli(["discover", "--dry-run", "--json"], cliEnv(endpoint.url));
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { instanceTypeCount: number }).instanceTypeCount).toBe(230);
    const tokens = endpoint.requests.filter((r) => r["Action"] === "DescribeInstanceTypes").map((r) => r["NextToken"]);
    expect(tokens).toEqual([undefined, "100", "200"]);
  });

  it("turns the endpoint's AuthFailure into a clear error", async () => {
    endpoint = await startFakeEc2({
      instanceTypes: [],
      failWith: {
        DescribeInstanceTypes: {
          status: 401,
          code: "AuthFailure",
          message: "AWS was not able to validate the provided access credentials",
        },
      },
    });
    const { code, stderr } = await cli(["discover"], cliEnv(endpoint.url));
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /error \[CredentialsInvalid\]: AWS rejected the credentials of the default credential chain in us-east-1 \(AuthFailure\)/,
    );
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it("says the endpoint is unreachable when nothing listens", async () => {
    endpoint = await startFakeEc2({ instanceTypes: [] });
    const url = endpoint.url;
    await endpoint.close();
    endpoint = undefined;
    const { code, stderr } = await cli(["discover"], cliEnv(url));
    expect(code).toBe(1);
    expect(stderr).toMatch(/error \[EndpointUnreachable\]/);
  });
});

import { mkdirSync, writeFileSync } from "node:fs";
import http from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { DescribeRegionsCommand } from "@aws-sdk/client-ec2";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  createEc2Client,
  maxAttempts,
  requestTimeouts,
  resolveRegion,
  worstCaseCallMs,
} from "../../../src/aws/clients.js";
import { awsErrorToBenchError } from "../../../src/aws/errors.js";
import { BenchError } from "../../../src/errors.js";
import { isolateAws } from "../../helpers/aws-env.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const tempDir = useTempDir();
const defaults = { ...requestTimeouts };

afterEach(() => {
  Object.assign(requestTimeouts, defaults);
  vi.unstubAllEnvs();
});

async function listen(server: Server | http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return `http://127.0.0.1:${address.port}`;
}

/** Calls DescribeRegions against `url` and returns the mapped error and the time it took. */
async function describeRegionsAt(url: string): Promise<{ error: BenchError; ms: number }> {
  isolateAws(true);
  vi.stubEnv("AWS_ENDPOINT_URL", url);
  const client = await createEc2Client({ region: "eu-west-2" });
  const started = Date.now();
  try {
    await client.send(new DescribeRegionsCommand({}));
  } catch (error) {
    return {
      error: awsErrorToBenchError(error, { action: "ec2:DescribeRegions", region: "eu-west-2" }),
      ms: Date.now() - started,
    };
  } finally {
    client.destroy();
  }
  throw new Error("the call succeeded");
}

describe("a hung or broken endpoint", () => {
  it("fails every attempt within its bound and says what it waited for", async () => {
    let connections = 0;
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      connections += 1;
      sockets.add(socket); // accepted, never answered
    });
    const url = await listen(server);
    try {
      requestTimeouts.connectMs = 200;
      requestTimeouts.controlPlaneMs = 300;
      const { error, ms } = await describeRegionsAt(url);
      expect(error.code).toBe("EndpointUnreachable");
      expect(error.message).toContain("ec2:DescribeRegions");
      expect(error.message).toContain(url);
      expect(error.message).toContain("eu-west-2");
      expect(error.message).toMatch(/within 0\.3 s on each of 8 attempts \(about \d+\.\d s waited in all\)/);
      expect(error.fix).toMatch(/AWS_ENDPOINT_URL/);
      expect(connections).toBe(maxAttempts);
      expect(ms).toBeGreaterThanOrEqual(maxAttempts * 300 - 50);
      expect(ms).toBeLessThan(worstCaseCallMs(300) + 2_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  }, 30_000);

  it("names the HTTP status of an HTML error page", async () => {
    const server = http.createServer((_request, response) => {
      response.writeHead(502, { "content-type": "text/html" });
      response.end("<html><body><h1>502 Bad Gateway</h1></body></html>");
    });
    const url = await listen(server);
    try {
      const { error } = await describeRegionsAt(url);
      expect(error.code).toBe("EndpointUnreachable");
      expect(error.message).toContain("HTTP 502");
      expect(error.message).toContain("ec2:DescribeRegions");
      expect(error.message).toContain(url);
    } finally {
      server.close();
    }
  }, 30_000);

  it("bounds the worst case of a call: 8 attempts plus the SDK's longest backoff", () => {
    expect(maxAttempts).toBe(8);
    expect(worstCaseCallMs(defaults.controlPlaneMs)).toBe(8 * 20_000 + 6_350);
    expect(worstCaseCallMs(defaults.dataMs)).toBe(8 * 60_000 + 6_350);
  });
});

describe("resolveRegion", () => {
  function configure(text: string): string {
    const home = tempDir();
    mkdirSync(join(home, ".aws"));
    const file = join(home, ".aws", "config");
    writeFileSync(file, text);
    isolateAws(false);
    vi.stubEnv("HOME", home);
    vi.stubEnv("AWS_CONFIG_FILE", file);
    return file;
  }
  const config = "[default]\nregion = eu-west-2\n\n[profile other]\nregion = ap-southeast-2\n";

  it("prefers --region, then AWS_REGION, then the profile's region", async () => {
    const file = configure(config);
    await expect(resolveRegion({ region: "us-west-2" })).resolves.toEqual({ region: "us-west-2", source: "--region" });
    await expect(resolveRegion({}, { ...process.env, AWS_REGION: "ca-central-1" })).resolves.toEqual({
      region: "ca-central-1",
      source: "AWS_REGION",
    });
    await expect(resolveRegion({})).resolves.toEqual({
      region: "eu-west-2",
      source: `profile 'default' in ${file}`,
    });
    await expect(resolveRegion({ profile: "other" })).resolves.toMatchObject({ region: "ap-southeast-2" });
    await expect(resolveRegion({}, { ...process.env, AWS_PROFILE: "other" })).resolves.toEqual({
      region: "ap-southeast-2",
      source: `profile 'other' in ${file}`,
    });
  });

  it("throws RegionMissing with the fix when nothing names a region", async () => {
    configure("[default]\noutput = json\n");
    const error = await resolveRegion({ profile: "other" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BenchError);
    expect(error).toMatchObject({ code: "RegionMissing" });
    expect((error as BenchError).fix).toMatch(/--region.*AWS_REGION.*profile 'other'/);
  });

  it("refuses a configured region that is not a region name", async () => {
    configure("[default]\nregion = Frankfurt\n");
    await expect(resolveRegion({})).rejects.toMatchObject({ code: "InvalidArgument" });
  });
});

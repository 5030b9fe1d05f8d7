import {
  DescribeInstanceTypeOfferingsCommand,
  DescribeInstanceTypesCommand,
  DescribeRegionsCommand,
  EC2Client,
  type InstanceTypeInfo,
} from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { exec } from "../../../src/cli/main.js";
import { memoryIo } from "../../../src/cli/io.js";
import type { InstanceCatalog } from "../../../src/schemas/generated/instance-catalog.js";
import { sampleInstanceTypes } from "../../helpers/instance-types.js";
import { isolateAws } from "../../helpers/aws-env.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const ec2 = mockClient(EC2Client);
const tempDir = useTempDir();

beforeEach(() => {
  ec2.reset();
  isolateAws(true);
});
afterEach(() => vi.unstubAllEnvs());

/** Serves `types` in pages of `size`, with NextTokens, as DescribeInstanceTypes does. */
function servePages(types: InstanceTypeInfo[], size: number) {
  const pages = Array.from({ length: Math.ceil(types.length / size) }, (_, i) => types.slice(i * size, (i + 1) * size));
  const tokens: Array<string | undefined> = [];
  ec2.on(DescribeInstanceTypesCommand).callsFake((input: { NextToken?: string }) => {
    tokens.push(input.NextToken);
    const index = input.NextToken === undefined ? 0 : Number(input.NextToken.replace("page-", ""));
    return { InstanceTypes: pages[index], ...(index + 1 < pages.length ? { NextToken: `page-${index + 1}` } : {}) };
  });
  return tokens;
}

function serveOfferings(zones: Record<string, string[]>) {
  ec2.on(DescribeInstanceTypeOfferingsCommand).resolves({
    InstanceTypeOfferings: Object.entries(zones).flatMap(([type, ids]) =>
      ids.map((id) => ({ InstanceType: type as never, LocationType: "availability-zone-id" as const, Location: id })),
    ),
  });
}

async function discover(...args: string[]) {
  const dir = tempDir();
  const io = memoryIo({ cwd: dir });
  const code = await exec(["discover", ...args], io);
  const catalogPath = join(dir, "data/catalog/instance-types.json");
  const catalog = existsSync(catalogPath)
    ? (JSON.parse(readFileSync(catalogPath, "utf8")) as InstanceCatalog)
    : undefined;
  return { code, out: io.out(), err: io.err(), catalog, dir };
}

describe("discover against the EC2 API", () => {
  it("reads every page of DescribeInstanceTypes and offerings by zone ID", async () => {
    const types = sampleInstanceTypes();
    const tokens = servePages(types, 3);
    serveOfferings({ "m7i.large": ["use1-az6", "use1-az1"], "c7g.xlarge": ["use1-az2"] });
    const { code, catalog, err } = await discover("--region", "us-east-1", "--as-of", "2026-11-01");
    expect(code).toBe(0);
    expect(err).toContain("discover: reading instance types in us-east-1");
    expect(tokens).toEqual([undefined, "page-1", "page-2"]);
    expect(ec2.commandCalls(DescribeInstanceTypeOfferingsCommand)[0]?.args[0].input).toMatchObject({
      LocationType: "availability-zone-id",
    });
    expect(catalog?.source).toEqual({ kind: "ec2-api", regions: ["us-east-1"], asOf: "2026-11-01" });
    expect(catalog?.instanceTypes).toHaveLength(types.length);
    const m7i = catalog?.instanceTypes.find((t) => t.name === "m7i.large");
    expect(m7i?.regions).toEqual({ "us-east-1": { zoneIds: ["use1-az1", "use1-az6"] } });
    expect(catalog?.instanceTypes.find((t) => t.name === "t1.micro")?.regions).toEqual({
      "us-east-1": { zoneIds: [] },
    });
  });

  it("queries every enabled region with --all-regions, skipping those not opted in", async () => {
    vi.stubEnv("AWS_REGION", "eu-west-1");
    ec2.on(DescribeRegionsCommand).resolves({
      Regions: [
        { RegionName: "us-east-1", OptInStatus: "opt-in-not-required" },
        { RegionName: "af-south-1", OptInStatus: "not-opted-in" },
        { RegionName: "eu-west-1", OptInStatus: "opt-in-not-required" },
        { RegionName: "ap-east-1", OptInStatus: "opted-in" },
      ],
    });
    servePages(sampleInstanceTypes(), 100);
    serveOfferings({ "m7i.large": ["euw1-az1"] });
    const { code, catalog } = await discover("--all-regions");
    expect(code).toBe(0);
    expect(ec2.commandCalls(DescribeRegionsCommand)[0]?.args[0].input).toEqual({ AllRegions: false });
    expect(catalog?.source.regions).toEqual(["ap-east-1", "eu-west-1", "us-east-1"]);
    expect(Object.keys(catalog?.instanceTypes[0]?.regions ?? {})).toEqual(["ap-east-1", "eu-west-1", "us-east-1"]);
    expect(ec2.commandCalls(DescribeInstanceTypesCommand)).toHaveLength(3);
  });

  const failures: Array<[string, Error, RegExp, string[]?]> = [
    [
      "no credentials",
      Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }),
      /error \[CredentialsMissing\]: No AWS credentials found for profile 'research'/,
      ["--profile", "research"],
    ],
    [
      "expired SSO session",
      Object.assign(new Error("The SSO session associated with this profile has expired"), {
        name: "TokenProviderError",
      }),
      /error \[CredentialsExpired\][\s\S]*aws sso login --profile research/,
      ["--profile", "research"],
    ],
    [
      "expired token",
      Object.assign(new Error("The security token included in the request is expired"), { name: "ExpiredToken" }),
      /error \[CredentialsExpired\]/,
    ],
    [
      "invalid key",
      Object.assign(new Error("AWS was not able to validate the provided access credentials"), { name: "AuthFailure" }),
      /error \[CredentialsInvalid\][\s\S]*sts get-caller-identity/,
    ],
    [
      "region not enabled",
      Object.assign(new Error("AWS was not able to validate the provided access credentials"), { name: "AuthFailure" }),
      /error \[RegionNotEnabled\]: Region af-south-1 is not enabled/,
      ["--region", "af-south-1"],
    ],
    [
      "opt-in required",
      Object.assign(new Error("You are not subscribed to this service"), { name: "OptInRequired" }),
      /error \[RegionNotEnabled\]/,
    ],
    [
      "missing permission",
      Object.assign(new Error("You are not authorized to perform this operation."), { name: "UnauthorizedOperation" }),
      /error \[AccessDenied\]: Not allowed to call ec2:DescribeInstanceTypes in us-east-1[\s\S]*docs\/AWS_SETUP.md/,
    ],
    [
      "throttling",
      Object.assign(new Error("Request limit exceeded."), { name: "RequestLimitExceeded" }),
      /error \[Throttled\]: AWS kept throttling ec2:DescribeInstanceTypes in us-east-1 after 8 attempts/,
    ],
    [
      "unreachable endpoint",
      Object.assign(new Error("getaddrinfo ENOTFOUND ec2.us-east-1.example"), { code: "ENOTFOUND" }),
      /error \[EndpointUnreachable\][\s\S]*AWS_ENDPOINT_URL/,
    ],
    [
      "anything else",
      Object.assign(new Error("Something odd"), { name: "InternalError" }),
      /error \[AwsError\]: ec2:DescribeInstanceTypes in us-east-1 failed: InternalError: Something odd/,
    ],
  ];
  it.each(failures)("explains %s and writes nothing", async (_what, error, expected, extra = []) => {
    ec2.on(DescribeInstanceTypesCommand).rejects(error);
    const args = extra.includes("--region") ? extra : ["--region", "us-east-1", ...extra];
    const { code, err, catalog, dir } = await discover(...args);
    expect(code).toBe(1);
    expect(err).toMatch(expected);
    expect(err).toContain("  fix: ");
    expect(catalog).toBeUndefined();
    expect(existsSync(join(dir, "configs"))).toBe(false);
  });

  it("explains a failure of the offerings call", async () => {
    servePages(sampleInstanceTypes(), 100);
    ec2
      .on(DescribeInstanceTypeOfferingsCommand)
      .rejects(Object.assign(new Error("denied"), { name: "UnauthorizedOperation" }));
    const { code, err } = await discover("--region", "us-east-1");
    expect(code).toBe(1);
    expect(err).toMatch(/Not allowed to call ec2:DescribeInstanceTypeOfferings/);
  });

  it("says when no region is configured", async () => {
    const { code, err } = await discover();
    expect(code).toBe(1);
    expect(err).toMatch(/error \[RegionMissing\][\s\S]*--region/);
  });

  it("rejects a malformed region before calling AWS", async () => {
    const { code, err } = await discover("--region", "us-east-1; rm -rf /");
    expect(code).toBe(1);
    expect(err).toMatch(/error \[InvalidArgument\]: 'us-east-1; rm -rf \/' is not an AWS region name/);
    expect(ec2.calls()).toHaveLength(0);
  });

  it("treats an empty answer as an error", async () => {
    ec2.on(DescribeInstanceTypesCommand).resolves({ InstanceTypes: [] });
    serveOfferings({});
    const { code, err } = await discover("--region", "us-east-1");
    expect(code).toBe(1);
    expect(err).toMatch(/error \[EmptyResult\]: DescribeInstanceTypes in us-east-1 returned no instance types/);
  });

  it("explains a DescribeRegions failure with --all-regions", async () => {
    ec2.on(DescribeRegionsCommand).rejects(Object.assign(new Error("denied"), { name: "UnauthorizedOperation" }));
    const { code, err } = await discover("--all-regions");
    expect(code).toBe(1);
    expect(err).toMatch(/Not allowed to call ec2:DescribeRegions/);
  });
});

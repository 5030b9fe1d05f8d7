/**
 * The full public DescribeInstanceTypes dump in ../shared/fixtures/ec2 (1,373 types) as an extra corpus: every
 * type gets a mapping, none crosses architectures, and the shipped offline snapshot is exactly what
 * `discover --input` makes of it. Skipped, with the reason printed, where ../shared is absent.
 */
import {
  DescribeInstanceTypeOfferingsCommand,
  DescribeInstanceTypesCommand,
  EC2Client,
  type InstanceTypeInfo,
} from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { exec } from "../../src/cli/main.js";
import { memoryIo } from "../../src/cli/io.js";
import { architectureOf } from "../../src/discovery/architecture-mapping.js";
import { hasSharedFixtures } from "../helpers/prerequisites.js";
import { useTempDir } from "../helpers/temp-dir.js";

const root = join(import.meta.dirname, "..", "..");
const dumpPath = join(root, "..", "shared", "fixtures", "ec2", "describe-instance-types.all.json");
const present = hasSharedFixtures("the real 1,373-type dump", [dumpPath]);

const tempDir = useTempDir();

interface TypeMapping {
  instanceType: string;
  family: string;
  architecture: string;
  microarchitecture: string | null;
  containerTag: string | null;
  origin: string;
}

describe.skipIf(!present)("the real 1,373-type dump", () => {
  async function discoverDump(...args: string[]) {
    const io = memoryIo({ cwd: tempDir() });
    const code = await exec(["discover", "--input", dumpPath, "--dry-run", "--json", ...args], io);
    return {
      code,
      result: JSON.parse(io.out()) as {
        instanceTypes: TypeMapping[];
        inferredFamilies: string[];
        unmappedFamilies: string[];
      },
    };
  }

  it("maps every type, and never to another architecture's image", async () => {
    const { code, result } = await discoverDump();
    expect(code).toBe(0);
    const dump = JSON.parse(readFileSync(dumpPath, "utf8")) as Record<string, InstanceTypeInfo>;
    expect(result.instanceTypes).toHaveLength(Object.keys(dump).length);
    const tags = JSON.parse(readFileSync(join(root, "configs", "families.json"), "utf8")) as {
      containerTags: Record<string, { architecture: string }>;
    };
    for (const mapping of result.instanceTypes) {
      const info = dump[mapping.instanceType]!;
      const ec2Architecture = architectureOf({
        name: mapping.instanceType,
        architectures: info.ProcessorInfo?.SupportedArchitectures ?? [],
      });
      expect(mapping.architecture, mapping.instanceType).toBe(ec2Architecture);
      expect(mapping.microarchitecture, mapping.instanceType).not.toBeNull();
      if (mapping.containerTag !== null)
        expect(tags.containerTags[mapping.containerTag]?.architecture, mapping.instanceType).toBe(ec2Architecture);
      else
        expect(
          info.ProcessorInfo?.SupportedArchitectures?.some((a) => a.endsWith("_mac")),
          `${mapping.instanceType} has no image`,
        ).toBe(true);
    }
    console.info(
      `inferred families: ${result.inferredFamilies.join(", ") || "none"}; unmapped: ${result.unmappedFamilies.join(", ") || "none"}`,
    );
    expect(result.unmappedFamilies).toEqual([]);
  });

  it("matches the shipped offline snapshot byte for byte", async () => {
    const dir = tempDir();
    const io = memoryIo({ cwd: dir });
    expect(await exec(["discover", "--input", dumpPath, "--as-of", "2026-08-01", "--update-containers"], io)).toBe(0);
    for (const file of [
      "data/catalog/instance-types.json",
      "configs/architecture-mappings.json",
      "configs/container-tags.json",
    ]) {
      expect(readFileSync(join(dir, file), "utf8"), file).toBe(readFileSync(join(root, file), "utf8"));
    }
  });

  describe("served by a mocked EC2 API in pages", () => {
    const ec2 = mockClient(EC2Client);
    beforeEach(() => {
      ec2.reset();
      vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
      vi.stubEnv("AWS_SECRET_ACCESS_KEY", "secret");
    });
    afterEach(() => vi.unstubAllEnvs());

    it("reads all 1,373 types through the paginator", async () => {
      const all = Object.values(JSON.parse(readFileSync(dumpPath, "utf8")) as Record<string, InstanceTypeInfo>);
      ec2.on(DescribeInstanceTypesCommand).callsFake((input: { NextToken?: string; MaxResults?: number }) => {
        const start = Number(input.NextToken ?? 0);
        const size = input.MaxResults ?? 100;
        return {
          InstanceTypes: all.slice(start, start + size),
          ...(start + size < all.length ? { NextToken: String(start + size) } : {}),
        };
      });
      ec2.on(DescribeInstanceTypeOfferingsCommand).resolves({ InstanceTypeOfferings: [] });
      const io = memoryIo({ cwd: tempDir() });
      expect(await exec(["discover", "--region", "us-east-1", "--dry-run", "--json"], io)).toBe(0);
      expect((JSON.parse(io.out()) as { instanceTypeCount: number }).instanceTypeCount).toBe(all.length);
      expect(ec2.commandCalls(DescribeInstanceTypesCommand)).toHaveLength(Math.ceil(all.length / 100));
    });
  });
});

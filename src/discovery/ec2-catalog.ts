/**
 * The live source of the catalogue: DescribeInstanceTypes (through the SDK paginator), offerings by
 * availability-zone ID (stable across accounts, unlike zone names), and the account's enabled regions.
 */
import type { EC2Client, InstanceTypeInfo } from "@aws-sdk/client-ec2";
import { BenchError } from "../errors.js";
import type { AwsSettings } from "../aws/clients.js";
import { createEc2Client, resolvedRegion } from "../aws/clients.js";
import { awsErrorToBenchError } from "../aws/errors.js";
import { mapWithConcurrency } from "../concurrency.js";

/** What one region says about its instance types. */
export interface RegionCatalog {
  /** Region code. */
  region: string;
  /** DescribeInstanceTypes, all pages. */
  instanceTypes: InstanceTypeInfo[];
  /** Instance type → availability-zone IDs offering it, sorted. */
  zoneIds: Map<string, string[]>;
}

/** How many regions are queried at once with `--all-regions`. */
export const regionConcurrency = 4;

/** Reads one region's instance types and their offerings by zone ID. */
export async function fetchRegionCatalog(
  client: EC2Client,
  region: string,
  settings: AwsSettings,
): Promise<RegionCatalog> {
  const { paginateDescribeInstanceTypes, paginateDescribeInstanceTypeOfferings } = await import("@aws-sdk/client-ec2");
  const instanceTypes: InstanceTypeInfo[] = [];
  try {
    for await (const page of paginateDescribeInstanceTypes({ client, pageSize: 100 }, {}))
      instanceTypes.push(...(page.InstanceTypes ?? []));
  } catch (error) {
    throw awsErrorToBenchError(error, { ...settings, region, action: "ec2:DescribeInstanceTypes" });
  }
  const zoneIds = new Map<string, string[]>();
  try {
    const pages = paginateDescribeInstanceTypeOfferings(
      { client, pageSize: 1000 },
      { LocationType: "availability-zone-id" },
    );
    for await (const page of pages) {
      for (const offering of page.InstanceTypeOfferings ?? []) {
        if (!offering.InstanceType || !offering.Location) continue;
        const zones = zoneIds.get(offering.InstanceType) ?? [];
        zones.push(offering.Location);
        zoneIds.set(offering.InstanceType, zones);
      }
    }
  } catch (error) {
    throw awsErrorToBenchError(error, { ...settings, region, action: "ec2:DescribeInstanceTypeOfferings" });
  }
  for (const zones of zoneIds.values()) zones.sort();
  if (instanceTypes.length === 0) {
    throw new BenchError("EmptyResult", `DescribeInstanceTypes in ${region} returned no instance types.`, {
      fix: "Check the region and AWS_ENDPOINT_URL; a real EC2 endpoint always lists instance types.",
    });
  }
  return { region, instanceTypes, zoneIds };
}

/** Regions enabled for the account (opted in, or not needing opt-in), sorted. */
export async function listEnabledRegions(client: EC2Client, settings: AwsSettings): Promise<string[]> {
  const { DescribeRegionsCommand } = await import("@aws-sdk/client-ec2");
  try {
    const response = await client.send(new DescribeRegionsCommand({ AllRegions: false }));
    return (response.Regions ?? [])
      .filter((region) => region.OptInStatus !== "not-opted-in" && region.RegionName)
      .map((region) => region.RegionName as string)
      .sort();
  } catch (error) {
    throw awsErrorToBenchError(error, { ...settings, action: "ec2:DescribeRegions" });
  }
}

/** The regions to query and one catalogue per region: `--region` (or the chain's), or every enabled region. */
export async function fetchCatalogs(
  settings: AwsSettings,
  allRegions: boolean,
  onProgress: (line: string) => void,
): Promise<RegionCatalog[]> {
  const first = await createEc2Client(settings);
  let home: string;
  try {
    home = await resolvedRegion(first, settings);
  } catch (error) {
    // DescribeRegions answers from any commercial region; without a configured one, ask us-east-1.
    if (!allRegions) throw error;
    home = "us-east-1";
  }
  const regions = allRegions
    ? await listEnabledRegions(
        allRegions && settings.region === undefined ? await createEc2Client(settings, home) : first,
        settings,
      )
    : [home];
  if (regions.length === 0) {
    throw new BenchError("EmptyResult", "DescribeRegions returned no enabled regions.", {
      fix: "Check the account's region settings.",
    });
  }
  return mapWithConcurrency(regions, regionConcurrency, async (region) => {
    onProgress(`discover: reading instance types in ${region}`);
    const client = region === home && !allRegions ? first : await createEc2Client(settings, region);
    try {
      return await fetchRegionCatalog(client, region, settings);
    } finally {
      if (client !== first) client.destroy();
    }
  }).finally(() => first.destroy());
}

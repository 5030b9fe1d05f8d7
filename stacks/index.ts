/**
 * Pulumi.yaml's `main` (compiled to dist/stacks/index.js): one benchmark batch from stack config, so a team can
 * `pulumi up` this repository in its own account. The orchestrator runs the same program inline with the same
 * keys. Config (namespace `aws-instance-benchmarks`):
 *   instanceTypes (required, comma-separated or a JSON list), resultsBucket (required), benchmarks
 *   (default stream,hpl,coremark), repeat (default 1), batchId (default: a new one), quick, spot, ssm,
 *   cacheFrom (an image to reuse build layers from), imageCacheRepository (the long-lived image repository's name;
 *   imageCacheUrl + imageCacheArn when known), zonePlan (JSON: `type/repeat` → zone ID) + networkZoneIds (JSON list),
 *   maxMinutes, expiresAt (ISO) or expiresInMinutes (default: the longest instance life plus an hour), images (JSON: container tag →
 *   image URI), subnetId + vpcId [+ securityGroupId], keyName + sshCidr, tags (JSON), createdBy, backend.
 * The region is the AWS provider's (`aws:region`).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { benchmarkNames, type BenchmarkName } from "../src/benchmarks/parsed-output.js";
import { packagePath } from "../src/package-files.js";
import { readDocument } from "../src/schemas/documents.js";
import { batchTags, newBatchId } from "./batch-naming.js";
import { BenchmarkBatch, type PlannedInstance } from "./benchmark-batch.js";
import { estimateBenchmarkSeconds } from "./estimates.js";
import { instanceTiming } from "./instance-timing.js";
import { chooseZones, zonesOffering, type ZoneChoice } from "./zones.js";

/** A list from config: a JSON array or a comma-separated string. */
export function configList(value: string | undefined): string[] {
  if (!value) return [];
  const trimmed = value.trim();
  const items: unknown = trimmed.startsWith("[") ? JSON.parse(trimmed) : trimmed.split(",");
  if (!Array.isArray(items)) throw new Error(`expected a list, got ${value}`);
  return items.map((item) => String(item).trim()).filter(Boolean);
}

/** The program: resolves zones for the account, plans the instances, declares the batch. */
export default async function program(): Promise<Record<string, unknown>> {
  const config = new pulumi.Config("aws-instance-benchmarks");
  const instanceTypes = configList(config.require("instanceTypes"));
  const benchmarks = configList(config.get("benchmarks") ?? "stream,hpl,coremark");
  const unknownBenchmarks = benchmarks.filter((name) => !benchmarkNames.includes(name as BenchmarkName));
  if (unknownBenchmarks.length)
    throw new Error(
      `aws-instance-benchmarks:benchmarks: unknown ${unknownBenchmarks.join(", ")} (choose from ${benchmarkNames.join(", ")})`,
    );
  const repeat = config.getNumber("repeat") ?? 1;
  const batchId = config.get("batchId") ?? newBatchId();
  const quick = config.getBoolean("quick") ?? false;
  const region = (await aws.getRegion()).name;

  const catalog = await readDocument("instance-catalog", packagePath("data", "catalog", "instance-types.json"));
  const mappings = await readDocument("architecture-mappings", packagePath("configs", "architecture-mappings.json"));
  const tags = await readDocument("container-tags", packagePath("configs", "container-tags.json"));
  const records = instanceTypes.map((name) => {
    const record = catalog.instanceTypes.find((type) => type.name === name);
    if (!record)
      throw new Error(
        `aws-instance-benchmarks:instanceTypes: ${name} is not in the catalogue (run aws-bench discover)`,
      );
    const mapping = mappings.families[record.family];
    const containerTag = tags.tags.find((tag) => tag.tag === mapping?.containerTag);
    if (!mapping || !containerTag)
      throw new Error(
        `aws-instance-benchmarks:instanceTypes: ${name} has no benchmark image (${mapping?.reason ?? "family not mapped"})`,
      );
    return {
      record,
      containerTag,
      facts: mapping.microarchitecture ? mappings.microarchitectures[mapping.microarchitecture] : undefined,
    };
  });

  // Zones by ID (stable across accounts), then this account's names for them: awsx takes plain names. The
  // orchestrator pins every instance's zone and the network's zones when it plans the batch (config zonePlan and
  // networkZoneIds), so a later `up` never moves a subnet or an instance; run standalone, the program chooses from
  // today's offerings.
  const zonePlan = config.getObject<Record<string, string>>("zonePlan");
  let choices: ZoneChoice[];
  let networkZoneIds: string[];
  if (zonePlan) {
    choices = instanceTypes.flatMap((instanceType) =>
      Array.from({ length: repeat }, (_, index) => {
        const zoneId = zonePlan[`${instanceType}/${index}`];
        if (!zoneId) throw new Error(`aws-instance-benchmarks:zonePlan has no zone for ${instanceType}/${index}`);
        return { instanceType, repeat: index, zoneId };
      }),
    );
    networkZoneIds =
      config.getObject<string[]>("networkZoneIds") ?? [...new Set(choices.map((choice) => choice.zoneId))].sort();
  } else {
    const offerings = await aws.ec2.getInstanceTypeOfferings({
      locationType: "availability-zone-id",
      filters: [{ name: "instance-type", values: instanceTypes }],
    });
    const offered: Record<string, string[]> = {};
    offerings.instanceTypes.forEach((type, index) => (offered[type] ??= []).push(offerings.locations[index] as string));
    choices = chooseZones(offered, instanceTypes, repeat);
    networkZoneIds = zonesOffering(offered, instanceTypes);
  }
  // Every zone of the region, whatever its state today: a planned zone must keep its name.
  const zones = await aws.getAvailabilityZones({});
  const nameOf = (zoneId: string) => {
    const index = zones.zoneIds.indexOf(zoneId);
    if (index < 0) throw new Error(`zone ${zoneId} is not a zone of this region`);
    return zones.names[index] as string;
  };

  const settings = { benchmarks: benchmarks as BenchmarkName[], quick };
  const maxMinutes = config.getNumber("maxMinutes");
  const instances: PlannedInstance[] = choices.map((choice) => {
    const planned = records.find((entry) => entry.record.name === choice.instanceType) as (typeof records)[number];
    return {
      instanceType: choice.instanceType,
      repeat: choice.repeat,
      zoneName: nameOf(choice.zoneId),
      containerTag: planned.containerTag,
      bareMetal: planned.record.bareMetal,
      benchmarkSeconds: estimateBenchmarkSeconds(planned.record, planned.facts, settings),
    };
  });
  const longest = Math.max(
    ...instances.map(
      (instance) =>
        instanceTiming({ benchmarkSeconds: instance.benchmarkSeconds, bareMetal: instance.bareMetal, maxMinutes })
          .collectDeadlineMinutes,
    ),
  );
  // An absolute expiry (the orchestrator fixes it at the first launch, so a second `up` changes no tag), else
  // minutes from now.
  const expiresAt = config.get("expiresAt")
    ? new Date(config.require("expiresAt"))
    : new Date(Date.now() + (config.getNumber("expiresInMinutes") ?? longest + 60) * 60_000);
  if (Number.isNaN(expiresAt.getTime()))
    throw new Error(`aws-instance-benchmarks:expiresAt '${config.get("expiresAt") ?? ""}' is not a date`);
  const network = config.get("subnetId")
    ? {
        subnetId: config.require("subnetId"),
        vpcId: config.require("vpcId"),
        ...(config.get("securityGroupId") ? { securityGroupId: config.require("securityGroupId") } : {}),
      }
    : undefined;
  const keyName = config.get("keyName");
  // The long-lived image cache, when the orchestrator found one (aws-bench bootstrap makes it): its tags now.
  const cacheName = config.get("imageCacheRepository");
  // The orchestrator passes its URL and ARN (read with DescribeRepositories); standalone, they are looked up.
  const cacheUrl = config.get("imageCacheUrl");
  const cacheArn = config.get("imageCacheArn");
  const imageCache = cacheName
    ? await Promise.all([
        cacheUrl && cacheArn ? { repositoryUrl: cacheUrl, arn: cacheArn } : aws.ecr.getRepository({ name: cacheName }),
        aws.ecr.getImages({ repositoryName: cacheName }),
      ]).then(([repository, images]) => ({
        repositoryUrl: repository.repositoryUrl,
        repositoryArn: repository.arn,
        existingTags: images.imageIds.map((id) => id.imageTag).filter(Boolean),
      }))
    : undefined;
  const batch = new BenchmarkBatch("batch", {
    batchId,
    instances,
    networkZones: networkZoneIds.map(nameOf),
    runArgs: ["--benchmarks", benchmarks.join(","), ...(quick ? ["--quick"] : [])],
    resultsBucket: config.require("resultsBucket"),
    region,
    tags: batchTags({
      batchId,
      createdBy: config.get("createdBy") ?? "pulumi",
      expiresAt,
      backend: config.get("backend") ?? "unknown",
      userTags: config.getObject<Record<string, string>>("tags") ?? {},
    }),
    ...(config.getObject<Record<string, string>>("images")
      ? { images: config.requireObject<Record<string, string>>("images") }
      : {}),
    ...(network ? { network } : {}),
    ...(keyName ? { ssh: { keyName, ...(config.get("sshCidr") ? { cidr: config.require("sshCidr") } : {}) } } : {}),
    spot: config.getBoolean("spot") ?? false,
    ssm: config.getBoolean("ssm") ?? false,
    ...(config.get("cacheFrom") ? { cacheFrom: config.require("cacheFrom") } : {}),
    ...(imageCache ? { imageCache } : {}),
    ...(maxMinutes === undefined ? {} : { maxMinutes }),
  });
  return {
    batchId,
    instanceIds: batch.instanceIds,
    resultsPrefixes: batch.resultsPrefixes,
    expiresAt: expiresAt.toISOString(),
  };
}

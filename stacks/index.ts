/**
 * Pulumi.yaml's `main` (compiled to dist/stacks/index.js): one benchmark batch, declared from the batch
 * specification in stack config `aws-instance-benchmarks:batch` (schemas/batch-spec.schema.json; decoded by
 * batch-spec.ts) in the AWS provider's region. A team can `pulumi up` this repository in its own account with a
 * hand-written spec (only `instanceTypes` and `resultsBucket` are required); the orchestrator runs the same program
 * inline with the spec it planned, and `aws-bench plan` under mocks.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { benchmarkNames } from "../src/benchmarks/registry.js";
import { loadCatalogue, resolveInstanceTypes } from "../src/discovery/catalogue.js";
import { batchComponentName, batchTags } from "./batch-naming.js";
import {
  batchSpecConfigKey,
  batchSpecConfigName,
  configNamespace,
  decodeBatchSpec,
  resolveBatchSpec,
} from "./batch-spec.js";
import { BenchmarkBatch, type PlannedInstance } from "./benchmark-batch.js";
import { estimateBenchmarkSeconds } from "./estimates.js";
import { batchExpiresAt, instanceTiming } from "./instance-timing.js";
import { chooseZones, isAvailabilityZoneId, zonesOffering, type ZoneChoice } from "./zones.js";

/** The program: decodes the spec, resolves zones for the account, plans the instances, declares the batch. */
export default async function program(): Promise<Record<string, unknown>> {
  const raw = new pulumi.Config(configNamespace).getObject<unknown>(batchSpecConfigName);
  const spec = resolveBatchSpec(await decodeBatchSpec(raw, benchmarkNames), benchmarkNames);
  const region = (await aws.getRegion()).name;
  const types = resolveInstanceTypes(spec.instanceTypes, await loadCatalogue(), { spot: spec.spot });

  // Zones by ID (stable across accounts), then this account's names for them: awsx takes plain names. The
  // orchestrator pins every instance's zone and the network's zones when it plans the batch, so a later `up` never
  // moves a subnet or an instance; a hand-written spec without zones chooses from today's offerings.
  let choices: ZoneChoice[];
  let networkZoneIds: string[];
  if (spec.zones) {
    const pinned = spec.zones.instances;
    choices = spec.instanceTypes.flatMap((instanceType) =>
      Array.from({ length: spec.repeat }, (_, repeat) => ({
        instanceType,
        repeat,
        zoneId: pinned[`${instanceType}/${repeat}`] as string,
      })),
    );
    networkZoneIds = spec.zones.network;
  } else {
    const offerings = await aws.ec2.getInstanceTypeOfferings({
      locationType: "availability-zone-id",
      filters: [{ name: "instance-type", values: spec.instanceTypes }],
    });
    const offered: Record<string, string[]> = {};
    offerings.instanceTypes.forEach((type, index) => {
      const zoneId = offerings.locations[index] as string;
      if (isAvailabilityZoneId(zoneId)) (offered[type] ??= []).push(zoneId);
    });
    choices = chooseZones(offered, spec.instanceTypes, spec.repeat);
    networkZoneIds = zonesOffering(offered, spec.instanceTypes);
  }
  // Every zone of the region, whatever its state today: a planned zone must keep its name.
  const zones = await aws.getAvailabilityZones({});
  const nameOf = (zoneId: string) => {
    const index = zones.zoneIds.indexOf(zoneId);
    if (index < 0) throw new Error(`${batchSpecConfigKey}: zone ${zoneId} is not a zone of ${region}`);
    return zones.names[index] as string;
  };

  const settings = { benchmarks: spec.benchmarks, quick: spec.quick };
  const instances: PlannedInstance[] = choices.map((choice) => {
    const planned = types.find((entry) => entry.record.name === choice.instanceType) as (typeof types)[number];
    return {
      instanceType: choice.instanceType,
      repeat: choice.repeat,
      zoneName: nameOf(choice.zoneId),
      containerTag: planned.containerTag,
      bareMetal: planned.record.bareMetal,
      benchmarkSeconds: estimateBenchmarkSeconds(planned.record, planned.facts, settings),
    };
  });
  // The spec's expiry (the orchestrator sets it at each launch), else counted from now with the same formula.
  const expiresAt = spec.expiresAt
    ? new Date(spec.expiresAt)
    : batchExpiresAt(
        new Date(),
        instances.map(
          (i) =>
            instanceTiming({
              benchmarkSeconds: i.benchmarkSeconds,
              bareMetal: i.bareMetal,
              maxMinutes: spec.maxMinutes,
            }).maximumMinutes,
        ),
      );
  // The long-lived image cache, when there is one (aws-bench bootstrap makes it): its tags now, each with the digest
  // it names (tags there are immutable, so that digest is what the tag will always mean). The orchestrator passes
  // its URL and ARN (read with DescribeRepositories); a hand-written spec has them looked up.
  const cache = spec.imageCache;
  const imageCache = cache
    ? await Promise.all([
        cache.url && cache.arn
          ? { repositoryUrl: cache.url, arn: cache.arn }
          : aws.ecr.getRepository({ name: cache.repository }),
        aws.ecr.getImages({ repositoryName: cache.repository }),
      ]).then(([repository, images]) => ({
        repositoryUrl: repository.repositoryUrl,
        repositoryArn: repository.arn,
        existingImages: Object.fromEntries(
          images.imageIds.filter((id) => id.imageTag).map((id) => [id.imageTag, id.imageDigest] as const),
        ),
      }))
    : undefined;
  const batch = new BenchmarkBatch(batchComponentName, {
    batchId: spec.batchId,
    instances,
    networkZones: networkZoneIds.map(nameOf),
    runArgs: ["--benchmarks", spec.benchmarks.join(","), ...(spec.quick ? ["--quick"] : [])],
    resultsBucket: spec.resultsBucket,
    region,
    tags: batchTags({
      batchId: spec.batchId,
      createdBy: spec.createdBy,
      expiresAt,
      backend: spec.backend,
      userTags: spec.tags,
      keep: spec.keep,
    }),
    ...(spec.images ? { images: spec.images } : {}),
    ...(spec.network ? { network: spec.network } : {}),
    ...(spec.ssh ? { ssh: spec.ssh } : {}),
    spot: spec.spot,
    ssm: spec.ssm,
    ...(spec.cacheFrom ? { cacheFrom: spec.cacheFrom } : {}),
    ...(imageCache ? { imageCache } : {}),
    ...(spec.resultsKmsKeyArn ? { kmsKeyArn: spec.resultsKmsKeyArn } : {}),
    ...(spec.maxMinutes === undefined ? {} : { maxMinutes: spec.maxMinutes }),
  });
  return {
    batchId: spec.batchId,
    instanceIds: batch.instanceIds,
    resultsPrefixes: batch.resultsPrefixes,
    expiresAt: expiresAt.toISOString(),
  };
}

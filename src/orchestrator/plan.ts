/**
 * `aws-bench plan`, offline: the request checked against the catalogue, the real batch program run under
 * Pulumi mocks (no credentials, no Pulumi CLI) to list what it would create, and per instance the minutes the
 * runner's estimate gives and their cost. Zones are chosen at run time (they depend on the account), so the
 * offline plan says so instead of guessing.
 */
import { existsSync } from "node:fs";
import { BenchError } from "../errors.js";
import { instanceCost, roundUsd } from "../aws/pricing.js";
import { quotaCodeFor, type BatchQuotaReport } from "../aws/quotas.js";
import type { BenchmarkName } from "../benchmarks/parsed-output.js";
import { packagePath } from "../package-files.js";
import { readDocument } from "../schemas/documents.js";
import type { ArchitectureMappings } from "../schemas/generated/architecture-mappings.js";
import type { InstanceCatalog, InstanceTypeRecord } from "../schemas/generated/instance-catalog.js";
import type { PriceSnapshot } from "../schemas/generated/price-snapshot.js";

/** What the user asked for. */
export interface PlanRequest {
  /** Instance types. */
  instanceTypes: string[];
  /** Benchmarks. */
  benchmarks: BenchmarkName[];
  /** Independent instances per type. */
  repeat: number;
  /** Spot requests. */
  spot: boolean;
  /** Region. */
  region: string;
  /** `--quick`. */
  quick: boolean;
  /** Cap on instance life. */
  maxMinutes?: number | undefined;
  /** Results bucket (a placeholder is used offline when absent). */
  resultsBucket?: string | undefined;
}

/** One planned instance. */
export interface PlannedInstanceSummary {
  /** Instance type. */
  instanceType: string;
  /** Repeat index. */
  repeat: number;
  /** Zone: chosen at run time offline. */
  zone: string;
  /** Container tag of its image. */
  containerTag: string;
  /** vCPUs (for the quota). */
  vcpus: number;
  /** EC2 service-quota code its vCPUs count against. */
  quotaCode: string;
  /** Expected minutes: boot, pull, benchmarks, upload. */
  expectedMinutes: number;
  /** Longest life: the shutdown timer plus boot. */
  maximumMinutes: number;
  /** On-demand (or spot) USD per hour, when known. */
  usdPerHour?: number;
  /** Expected cost in USD, when the price is known. */
  expectedCostUsd?: number;
  /** Cost if it runs to its timer. */
  maximumCostUsd?: number;
  /** Why it needs attention (burstable, no price…). */
  flags: string[];
}

/** The plan. */
export interface BatchPlan {
  /** Every resource the program declares, with its inputs. */
  resources: Array<{ type: string; name: string; inputs: Record<string, unknown> }>;
  /** The instances. */
  instances: PlannedInstanceSummary[];
  /** Totals. */
  estimate: {
    instanceMinutesExpected: number;
    instanceMinutesMaximum: number;
    costUsdExpected: number | null;
    costUsdMaximum: number | null;
    vcpusByQuotaCode: Record<string, number>;
    priceSource: string | null;
  };
  /** VPC, internet gateway and vCPU headroom in the account, when `aws-bench plan` could check it. */
  quotas?: BatchQuotaReport;
}

/** Checks the request against the catalogue; throws `InvalidArgument` naming every type that cannot run as planned. */
export function checkRequest(
  request: PlanRequest,
  catalog: InstanceCatalog,
  mappings: ArchitectureMappings,
): InstanceTypeRecord[] {
  const problems: string[] = [];
  const records = request.instanceTypes.map((name) => {
    const record = catalog.instanceTypes.find((type) => type.name === name);
    if (!record) {
      problems.push(`${name}: not in the catalogue (check the name, or run aws-bench discover)`);
      return undefined;
    }
    if (record.architectures.some((a) => a.endsWith("_mac")))
      problems.push(`${name}: mac instances need dedicated hosts and run macOS, not the Linux benchmark image`);
    else if (mappings.families[record.family]?.containerTag == null)
      problems.push(`${name}: no benchmark image (${mappings.families[record.family]?.reason ?? "family not mapped"})`);
    if (request.spot && !record.usageClasses.includes("spot"))
      problems.push(`${name}: not offered as spot (usage classes: ${record.usageClasses.join(", ")})`);
    if (record.architectures.length === 1 && record.architectures[0] === "i386") problems.push(`${name}: 32-bit only`);
    return record;
  });
  if (problems.length)
    throw new BenchError("InvalidArgument", `These types cannot run as planned: ${problems.join("; ")}.`, {
      fix: "Remove them from --instance-types, or drop --spot for on-demand-only types.",
    });
  return records as InstanceTypeRecord[];
}

/** Plans a batch offline. */
export async function planBatch(request: PlanRequest): Promise<BatchPlan> {
  const catalog = await readDocument("instance-catalog", packagePath("data", "catalog", "instance-types.json"));
  const mappings = await readDocument("architecture-mappings", packagePath("configs", "architecture-mappings.json"));
  const records = checkRequest(request, catalog, mappings);
  const pricePath = packagePath("data", "pricing", `${request.region}.json`);
  // No snapshot for the region is not an error: the plan says the cost is unknown.
  const prices: PriceSnapshot | undefined = existsSync(pricePath)
    ? await readDocument("price-snapshot", pricePath)
    : undefined;
  const resources = await runProgramUnderMocks(request);
  const { estimateBenchmarkSeconds } = await import("../../stacks/estimates.js");
  const { instanceTiming, bootMarginMinutes, pullMarginMinutes, uploadMarginMinutes } =
    await import("../../stacks/instance-timing.js");
  const instances: PlannedInstanceSummary[] = [];
  for (const record of records) {
    const mapping = mappings.families[record.family];
    const facts = mapping?.microarchitecture ? mappings.microarchitectures[mapping.microarchitecture] : undefined;
    const seconds = estimateBenchmarkSeconds(record, facts, { benchmarks: request.benchmarks, quick: request.quick });
    const timing = instanceTiming({
      benchmarkSeconds: seconds,
      bareMetal: record.bareMetal,
      maxMinutes: request.maxMinutes,
    });
    const expectedMinutes = Math.ceil(
      bootMarginMinutes(record.bareMetal) + pullMarginMinutes + seconds / 60 + uploadMarginMinutes,
    );
    const maximumMinutes = bootMarginMinutes(record.bareMetal) + timing.shutdownAfterMinutes;
    const usdPerHour = request.spot ? prices?.spotUsdPerHour?.[record.name] : prices?.onDemandUsdPerHour[record.name];
    const flags = [
      ...(record.burstable ? ["burstable: runs in unlimited credit mode; results are flagged burstable"] : []),
      ...(usdPerHour === undefined
        ? [`no ${request.spot ? "spot" : "on-demand"} price for ${record.name} in ${request.region}`]
        : []),
      ...(timing.capped ? [`--max-minutes ${request.maxMinutes} shortens the run`] : []),
    ];
    for (let repeat = 0; repeat < request.repeat; repeat++) {
      instances.push({
        instanceType: record.name,
        repeat,
        zone: "chosen at run time",
        containerTag: mapping?.containerTag ?? "",
        vcpus: record.vcpus,
        quotaCode: quotaCodeFor(record.family, request.spot),
        expectedMinutes,
        maximumMinutes,
        ...(usdPerHour === undefined
          ? {}
          : {
              usdPerHour,
              expectedCostUsd: roundUsd(instanceCost(usdPerHour, expectedMinutes * 60)),
              maximumCostUsd: roundUsd(instanceCost(usdPerHour, maximumMinutes * 60)),
            }),
        flags,
      });
    }
  }
  const known = instances.every((instance) => instance.usdPerHour !== undefined);
  const vcpusByQuotaCode: Record<string, number> = {};
  for (const instance of instances)
    vcpusByQuotaCode[instance.quotaCode] = (vcpusByQuotaCode[instance.quotaCode] ?? 0) + instance.vcpus;
  return {
    resources,
    instances,
    estimate: {
      instanceMinutesExpected: instances.reduce((sum, i) => sum + i.expectedMinutes, 0),
      instanceMinutesMaximum: instances.reduce((sum, i) => sum + i.maximumMinutes, 0),
      costUsdExpected: known ? roundUsd(instances.reduce((sum, i) => sum + (i.expectedCostUsd ?? 0), 0)) : null,
      costUsdMaximum: known ? roundUsd(instances.reduce((sum, i) => sum + (i.maximumCostUsd ?? 0), 0)) : null,
      vcpusByQuotaCode,
      priceSource: prices ? `${prices.source.file ?? prices.source.kind} (${prices.source.asOf})` : null,
    },
  };
}

/** Runs stacks/index.ts under Pulumi mocks with the request as stack config; returns what it declared. */
async function runProgramUnderMocks(request: PlanRequest): Promise<BatchPlan["resources"]> {
  const pulumi = await import("@pulumi/pulumi");
  const resources: BatchPlan["resources"] = [];
  const zones = ["zone-chosen-at-run-time-1", "zone-chosen-at-run-time-2"];
  pulumi.runtime.setAllConfig({
    "aws-instance-benchmarks:instanceTypes": request.instanceTypes.join(","),
    "aws-instance-benchmarks:benchmarks": request.benchmarks.join(","),
    "aws-instance-benchmarks:repeat": String(request.repeat),
    "aws-instance-benchmarks:resultsBucket": request.resultsBucket ?? "results-bucket-of-your-account",
    "aws-instance-benchmarks:spot": String(request.spot),
    "aws-instance-benchmarks:quick": String(request.quick),
    ...(request.maxMinutes === undefined ? {} : { "aws-instance-benchmarks:maxMinutes": String(request.maxMinutes) }),
    "aws-instance-benchmarks:createdBy": "aws-bench plan",
    "aws-instance-benchmarks:backend": "plan (offline)",
  });
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        if (args.type !== "aws-instance-benchmarks:batch:BenchmarkBatch")
          resources.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
        return {
          id: `${args.name}-planned`,
          state: {
            ...(args.inputs as Record<string, unknown>),
            arn: `arn:aws:planned:::${args.name}`,
            vpcId: "vpc-planned",
            publicSubnetIds: zones.map((zone) => `subnet-${zone}`),
            repositoryUrl: `ACCOUNT.dkr.ecr.${request.region}.amazonaws.com/${args.name}`,
            registryId: "ACCOUNT",
            repoDigest: `ACCOUNT.dkr.ecr.${request.region}.amazonaws.com/${args.name}@sha256:${"0".repeat(64)}`,
          },
        };
      },
      call(args) {
        switch (args.token) {
          case "aws:index/getRegion:getRegion":
            return { name: request.region, id: request.region };
          case "aws:index/getAvailabilityZones:getAvailabilityZones":
            return { names: zones, zoneIds: zones };
          case "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings": {
            const pairs = request.instanceTypes.flatMap((type) => zones.map((zone) => [type, zone] as const));
            return {
              instanceTypes: pairs.map(([type]) => type),
              locations: pairs.map(([, zone]) => zone),
              locationTypes: pairs.map(() => "availability-zone-id"),
            };
          }
          case "aws:ssm/getParameter:getParameter":
            return { value: "ami-resolved-at-run-time" };
          case "aws:ecr/getAuthorizationToken:getAuthorizationToken":
            return { userName: "AWS", password: "resolved-at-run-time" };
          default:
            throw new Error(`plan: no offline answer for ${args.token}`);
        }
      },
    },
    "aws-instance-benchmarks",
    "plan",
    true,
  );
  const { default: program } = await import("../../stacks/index.js");
  await program();
  // Let the mock monitor record the registrations the program started.
  await new Promise((resolve) => setTimeout(resolve, 300));
  return resources;
}

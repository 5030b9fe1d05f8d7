/**
 * `aws-bench plan`, offline: the request checked against the catalogue, the real batch program run under
 * Pulumi mocks (no credentials, no Pulumi CLI) to list what it would create, and per instance the minutes the
 * runner's estimate gives and their cost. Zones are chosen at run time (they depend on the account), so the
 * offline plan says so instead of guessing.
 */
import { existsSync } from "node:fs";
import { instanceCost, roundUsd } from "../aws/pricing.js";
import { quotaCodeFor, type BatchQuotaReport } from "../aws/quotas.js";
import type { BenchmarkName } from "../benchmarks/registry.js";
import { packagePath } from "../package-files.js";
import { readDocument } from "../schemas/documents.js";
import { loadCatalogue, resolveInstanceTypes } from "../discovery/catalogue.js";
import type { BatchSpec } from "../schemas/generated/batch-spec.js";
import type { PriceSnapshot } from "../schemas/generated/price-snapshot.js";
import type { MockAccount } from "../../stacks/program-under-mocks.js";

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

/** Plans a batch offline. */
export async function planBatch(request: PlanRequest): Promise<BatchPlan> {
  const types = resolveInstanceTypes(request.instanceTypes, await loadCatalogue(), { spot: request.spot });
  const pricePath = packagePath("data", "pricing", `${request.region}.json`);
  // No snapshot for the region is not an error: the plan says the cost is unknown.
  const prices: PriceSnapshot | undefined = existsSync(pricePath)
    ? await readDocument("price-snapshot", pricePath)
    : undefined;
  const resources = await declaredResources(request);
  const { estimateBenchmarkSeconds } = await import("../../stacks/estimates.js");
  const { instanceTiming } = await import("../../stacks/instance-timing.js");
  const instances: PlannedInstanceSummary[] = [];
  for (const { record, facts, containerTag } of types) {
    const seconds = estimateBenchmarkSeconds(record, facts, { benchmarks: request.benchmarks, quick: request.quick });
    const timing = instanceTiming({
      benchmarkSeconds: seconds,
      bareMetal: record.bareMetal,
      maxMinutes: request.maxMinutes,
    });
    const { expectedMinutes, maximumMinutes } = timing;
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
        containerTag: containerTag.tag,
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

/** An account that answers "decided at run time": the plan lists resources, not this account's values. */
function offlineAccount(region: string): MockAccount {
  return {
    region,
    accountId: "ACCOUNT",
    zones: [
      // Names say what they are; IDs have the shape of real zone IDs, which the program keeps.
      { name: "zone-chosen-at-run-time-1", id: "plan1-az1" },
      { name: "zone-chosen-at-run-time-2", id: "plan1-az2" },
    ],
    ami: () => "ami-resolved-at-run-time",
    idSuffix: "planned",
    registryPassword: "resolved-at-run-time",
    preview: true,
  };
}

/** What the batch program declares for the request (the component itself left out), run under offline mocks. */
async function declaredResources(request: PlanRequest): Promise<BatchPlan["resources"]> {
  const { runBatchProgramUnderMocks } = await import("../../stacks/program-under-mocks.js");
  const { encodeBatchSpec } = await import("../../stacks/batch-spec.js");
  const spec: BatchSpec = {
    instanceTypes: request.instanceTypes,
    benchmarks: request.benchmarks,
    repeat: request.repeat,
    resultsBucket: request.resultsBucket ?? "results-bucket-of-your-account",
    spot: request.spot,
    quick: request.quick,
    ...(request.maxMinutes === undefined ? {} : { maxMinutes: request.maxMinutes }),
    createdBy: "aws-bench plan",
    backend: "plan (offline)",
  };
  const { resources } = await runBatchProgramUnderMocks(
    encodeBatchSpec(request.region, spec),
    offlineAccount(request.region),
  );
  return resources.filter((resource) => resource.type !== "aws-instance-benchmarks:batch:BenchmarkBatch");
}

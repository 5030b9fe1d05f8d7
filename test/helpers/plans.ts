/**
 * An offline plan for a request without running the planner: every instance 23 minutes expected, 30 at most,
 * $0.10 an hour. For tests of what happens after planning (records, launch, cleanup), where the plan's numbers
 * only need to be plausible and fixed.
 */
import type { BatchRequest } from "../../src/orchestrator/batch-record.js";
import type { BatchPlan } from "../../src/orchestrator/plan.js";

/** A quick one-instance request (one m7i.large running STREAM in us-east-1), with `changes` on top. */
export function quickRequest(changes: Partial<BatchRequest> = {}): BatchRequest {
  return {
    instanceTypes: ["m7i.large"],
    benchmarks: ["stream"],
    repeat: 1,
    spot: false,
    quick: true,
    region: "us-east-1",
    resultsBucket: "results-bucket",
    ...changes,
  };
}

/** The plan of `req`: one instance per type × repeat. */
export function planFor(req: BatchRequest): BatchPlan {
  const instances = req.instanceTypes.flatMap((instanceType) =>
    Array.from({ length: req.repeat }, (_, repeat) => ({
      instanceType,
      repeat,
      zone: "chosen at run time",
      containerTag: "x",
      vcpus: 2,
      quotaCode: "L-1216C47A",
      expectedMinutes: 23,
      maximumMinutes: 30,
      usdPerHour: 0.1,
      expectedCostUsd: 0.04,
      maximumCostUsd: 0.05,
      flags: [],
    })),
  );
  return {
    resources: [],
    instances,
    estimate: {
      instanceMinutesExpected: 23 * instances.length,
      instanceMinutesMaximum: 30 * instances.length,
      costUsdExpected: 0.04 * instances.length,
      costUsdMaximum: 0.05 * instances.length,
      vcpusByQuotaCode: {},
      priceSource: null,
    },
  };
}

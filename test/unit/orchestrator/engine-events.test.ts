/**
 * The engine's event handler with the events a real `pulumi up` streams to the Automation API when one instance
 * of a batch cannot launch: the step events, the error diagnostic carrying the AWS provider's message, the failed
 * operation, the other instance's outputs. The events follow the shapes of `@pulumi/pulumi/automation`'s
 * `EngineEvent` (typed here by the package's own declarations), with the URNs the batch program makes and the
 * error text the AWS provider prints for a RunInstances failure; they are written out here, not captured from a
 * CLI run (no Pulumi CLI on the machines that run the tests).
 */
import type { EngineEvent } from "@pulumi/pulumi/automation/index.js";
import { describe, expect, it } from "vitest";
import { engineEventHandler, launchErrorCode, urnName } from "../../../src/orchestrator/engine.js";
import { batchComponentName, instanceResourceName } from "../../../stacks/batch-naming.js";

const stack = "batch-20261128t120000z-ab12cd";
const component = `urn:pulumi:${stack}::aws-instance-benchmarks::aws-instance-benchmarks:batch:BenchmarkBatch`;
const instanceUrn = (name: string) => `${component}$aws:ec2/instance:Instance::${name}`;
const failing = instanceUrn("batch-m7i-large-0");
const launched = instanceUrn("batch-c7g-large-0");
const instanceType = "aws:ec2/instance:Instance";
const provider = `urn:pulumi:${stack}::aws-instance-benchmarks::pulumi:providers:aws::default_6_83_0::04da6b54-80e4-46f7-96ec-b56ff0331ba9`;
const providerMessage =
  "  sdk-v2/provider2.go:520: sdk.helper_schema: creating EC2 Instance: operation error EC2: RunInstances, https response error StatusCode: 500, RequestID: 6f1e2c8a-3b4d-4e5f-8a9b-0c1d2e3f4a5b, api error InsufficientInstanceCapacity: We currently do not have sufficient m7i.large capacity in the Availability Zone you requested (us-east-1a). Our system will be working on provisioning additional capacity. You can currently get m7i.large capacity by not specifying an Availability Zone in your request or choosing us-east-1b, us-east-1c.: provider=aws@6.83.0\n";

const events: EngineEvent[] = [
  { sequence: 0, timestamp: 1764331200, preludeEvent: { config: { "aws:region": "us-east-1" } } },
  // What the preview part of an update plans: never reported as done.
  {
    sequence: 1,
    timestamp: 1764331201,
    resourcePreEvent: { metadata: { op: "create", urn: failing, type: instanceType, provider }, planning: true },
  },
  {
    sequence: 2,
    timestamp: 1764331202,
    resourcePreEvent: {
      metadata: { op: "same", urn: component, type: "aws-instance-benchmarks:batch:BenchmarkBatch", provider },
    },
  },
  {
    sequence: 3,
    timestamp: 1764331203,
    resourcePreEvent: { metadata: { op: "create", urn: failing, type: instanceType, provider } },
  },
  {
    sequence: 4,
    timestamp: 1764331204,
    resourcePreEvent: { metadata: { op: "create", urn: launched, type: instanceType, provider } },
  },
  {
    sequence: 5,
    timestamp: 1764331230,
    diagnosticEvent: {
      urn: failing,
      prefix: "warning: ",
      message: "  AMI is deprecated\n",
      color: "never",
      severity: "warning",
    },
  },
  {
    sequence: 6,
    timestamp: 1764331231,
    diagnosticEvent: { urn: failing, prefix: "error: ", message: providerMessage, color: "never", severity: "error" },
  },
  {
    sequence: 7,
    timestamp: 1764331231,
    resOpFailedEvent: { metadata: { op: "create", urn: failing, type: instanceType, provider }, status: 1, steps: 1 },
  },
  {
    sequence: 8,
    timestamp: 1764331260,
    resOutputsEvent: { metadata: { op: "create", urn: launched, type: instanceType, provider }, planning: false },
  },
  // The update's own error line has no URN: it names no resource.
  {
    sequence: 9,
    timestamp: 1764331261,
    diagnosticEvent: { prefix: "error: ", message: "update failed\n", color: "never", severity: "error" },
  },
  {
    sequence: 10,
    timestamp: 1764331262,
    summaryEvent: { maybeCorrupt: false, durationSeconds: 62, resourceChanges: { create: 1 }, policyPacks: {} },
  },
];

describe("the engine's event handler", () => {
  it("reads a real update's events: the failed instance with its AWS error, the launched one, the steps", () => {
    const failed: Array<[string, string]> = [];
    const done: Array<[string, string]> = [];
    const progress: string[] = [];
    const handle = engineEventHandler({
      onResourceFailed: (urn, message) => failed.push([urn, message]),
      onResourceDone: (urn, type) => done.push([urn, type]),
      onProgress: (line) => progress.push(line),
    });
    for (const event of events) handle(event);

    expect(failed).toEqual([
      [failing, providerMessage],
      [failing, ""],
    ]);
    expect(done).toEqual([[launched, instanceType]]);
    expect(progress).toEqual([`create ${instanceType} batch-m7i-large-0`, `create ${instanceType} batch-c7g-large-0`]);
    // What the launch step does with it: the URN names the planned instance, the message the AWS error.
    expect(urnName(failing)).toBe(instanceResourceName(batchComponentName, { instanceType: "m7i.large", repeat: 0 }));
    expect(launchErrorCode(failed.map(([, message]) => message).join(" "))).toBe("InsufficientInstanceCapacity");
  });

  it("a preview's events report nothing done and no progress", () => {
    const calls: string[] = [];
    const handle = engineEventHandler({
      onResourceFailed: () => calls.push("failed"),
      onResourceDone: () => calls.push("done"),
      onProgress: () => calls.push("progress"),
    });
    handle({
      sequence: 0,
      timestamp: 1,
      resourcePreEvent: { metadata: { op: "create", urn: launched, type: instanceType, provider }, planning: true },
    });
    handle({
      sequence: 1,
      timestamp: 2,
      resOutputsEvent: { metadata: { op: "create", urn: launched, type: instanceType, provider }, planning: true },
    });
    expect(calls).toEqual([]);
  });
});

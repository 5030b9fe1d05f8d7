/**
 * What the lifecycle needs from Pulumi, as an interface: the real one drives the Automation API
 * (`automation-engine.ts`, the only module loading `@pulumi/pulumi/automation`; its event type is imported here as
 * a type alone); the tests' double runs the real program under mocks and fails on purpose. Also the pure reading
 * of engine events: what each event says, which planned instance a failed resource operation belongs to, and which
 * AWS error stopped it.
 */
import type { EngineEvent } from "@pulumi/pulumi/automation/index.js";

/** One stack of a batch: its name, config and stable work directory. */
export interface StackRef {
  /** `batch-<id>`. */
  stackName: string;
  /** Stack config, flat: `aws:region`, `aws-instance-benchmarks:*`. */
  config: Record<string, string>;
}

/** A resource in the stack's state. */
export interface StackResource {
  /** Pulumi URN. */
  urn: string;
  /** Pulumi type token, e.g. `aws:ec2/instance:Instance`. */
  type: string;
  /** Provider id (e.g. the instance id), when created. */
  id?: string;
  /** Output properties. */
  outputs: Record<string, unknown>;
}

/** A stack on the backend. */
export interface StackListing {
  /** Stack name (`batch-<id>` for batches). */
  name: string;
  /** Last update time (ISO), when known. */
  lastUpdate?: string;
  /** An update is running (or was killed and left its lock). */
  updateInProgress?: boolean;
  /** Resources in state. */
  resourceCount?: number;
}

/** What the engine tells the lifecycle while it works. */
export interface EngineEventSink {
  /** A resource operation failed: `urn` and the engine's message (carrying the AWS error code). */
  onResourceFailed?(urn: string, message: string): void;
  /** A resource was created or updated. */
  onResourceDone?(urn: string, type: string): void;
  /** A line of progress for people. */
  onProgress?(line: string): void;
}

/**
 * What the lifecycle reads from one Pulumi engine event, passed on to `events`: a failed resource operation (its
 * URN, and the error diagnostic that carries the AWS error), a resource created or updated, and a line for each
 * step that changes something. Previews (`planning`) report nothing done.
 */
export function engineEventHandler(events: EngineEventSink): (event: EngineEvent) => void {
  return (event) => {
    if (event.resOpFailedEvent) events.onResourceFailed?.(event.resOpFailedEvent.metadata.urn, "");
    const diagnostic = event.diagnosticEvent;
    if (diagnostic?.severity === "error" && diagnostic.urn)
      events.onResourceFailed?.(diagnostic.urn, diagnostic.message);
    if (event.resOutputsEvent && !event.resOutputsEvent.planning)
      events.onResourceDone?.(event.resOutputsEvent.metadata.urn, event.resOutputsEvent.metadata.type);
    const pre = event.resourcePreEvent;
    if (pre && !pre.planning && pre.metadata.op !== "same")
      events.onProgress?.(`${pre.metadata.op} ${pre.metadata.type} ${urnName(pre.metadata.urn)}`);
  };
}

/** Counts of planned changes by operation. */
export type ChangeSummary = Record<string, number>;

/** The operations the batch lifecycle runs on a stack. */
export interface StackEngine {
  /** Checks the Pulumi CLI is there (before anything is recorded or created); throws `PulumiCliMissing`. */
  ready(): Promise<void>;
  /** What `up` would do. */
  preview(stack: StackRef, events: EngineEventSink, signal?: AbortSignal): Promise<ChangeSummary>;
  /**
   * Creates or updates the stack, continuing past failed resources; resolves with the summary even when some
   * resources failed (they were reported through `events`), rejects when the update could not run at all.
   */
  up(
    stack: StackRef,
    events: EngineEventSink,
    signal?: AbortSignal,
  ): Promise<{ summary: ChangeSummary; failed: boolean }>;
  /** Resources in the stack's state now. */
  resources(stack: StackRef): Promise<StackResource[]>;
  /** Stops an update another process is running (or left behind) and releases its lock. */
  cancel(stack: StackRef): Promise<void>;
  /** Removes operations an interrupted update left pending, so destroy does not stop on them. */
  clearPendingOperations(stack: StackRef): Promise<number>;
  /** Destroys every resource of the stack. */
  destroy(stack: StackRef, events: EngineEventSink): Promise<void>;
  /** Removes the (empty) stack from the backend. */
  removeStack(stack: StackRef): Promise<void>;
  /** Stacks of the project on the backend. */
  listStacks(): Promise<StackListing[]>;
}

/** AWS launch errors that fail one instance type and not the batch, with what the user can do. */
export const launchErrors: Readonly<Record<string, string>> = {
  InsufficientInstanceCapacity:
    "AWS has no capacity for this type in that zone now; retry later, in another zone or region, or as on-demand instead of spot",
  InsufficientCapacity: "AWS has no capacity for this type now; retry later or in another region",
  VcpuLimitExceeded:
    "the account's vCPU quota for this type's family is used up; request an increase in Service Quotas",
  InstanceLimitExceeded: "the account's instance limit is reached; request an increase in Service Quotas",
  MaxSpotInstanceCountExceeded: "the account's spot quota is used up; request an increase, or run on-demand",
  SpotMaxPriceTooLow: "the spot price is above the maximum; run on-demand",
  Unsupported: "this type is not supported in that zone (or with these options); choose another zone or region",
  UnsupportedOperation: "this type does not support an option the batch uses",
  InvalidParameterCombination: "this type does not accept the batch's launch options",
  InsufficientFreeAddressesInSubnet: "the subnet has no free addresses; use another subnet",
};

/** The AWS error code in an engine message (e.g. `api error InsufficientInstanceCapacity: …`), if known. */
export function launchErrorCode(message: string): string | undefined {
  return Object.keys(launchErrors).find((code) => new RegExp(`\\b${code}\\b`).test(message));
}

/** The name part of a URN (`urn:pulumi:stack::project::type$type::name` → `name`). */
export function urnName(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

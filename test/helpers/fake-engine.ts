/**
 * A StackEngine double for the lifecycle tests: `up` runs the real batch program (stacks/index.ts) under Pulumi
 * mocks with the stack's config, then applies the faults a test asks for — a capacity error for some types, an
 * update that dies half-way or is interrupted (leaving its lock and a pending operation, as a killed Pulumi CLI
 * does), a stale lock at destroy, the CLI missing. State lives in memory per stack.
 */
import { BenchError } from "../../src/errors.js";
import { pulumiErrorToBenchError } from "../../src/orchestrator/automation-engine.js";
import type {
  EngineEventSink,
  StackEngine,
  StackListing,
  StackRef,
  StackResource,
} from "../../src/orchestrator/engine.js";
import {
  runBatchProgramUnderMocks,
  type DeclaredResource,
  type MockAccount,
} from "../../stacks/program-under-mocks.js";

export interface EngineFaults {
  /** Every call fails as when `pulumi` is not on PATH. */
  cliMissing?: boolean;
  /** Instance type → AWS error code its RunInstances fails with, in every zone. */
  launchErrors?: Record<string, string>;
  /** Instance type → the one zone (name) where it fails with InsufficientInstanceCapacity. */
  noCapacityInZone?: Record<string, string>;
  /** The update dies after this many resources are created (lock and a pending operation left behind). */
  upDiesAfter?: number;
  /** The update waits for the abort signal, then stops half-way (lock and pending operation left behind). */
  interruptibleUp?: boolean;
  /** A stale lock is on the stack when destroy starts. */
  staleLockAtDestroy?: boolean;
  /** The update dies while EC2 creates the first instance (it runs, the state never learns of it). */
  dieCreatingInstance?: boolean;
  /** Every destroy fails. */
  destroyFails?: boolean;
}

interface FakeStack {
  config: Record<string, string>;
  resources: StackResource[];
  locked: boolean;
  pending: number;
  lastUpdate?: string;
}

export interface LaunchedInstance {
  /** Its `aws-bench:backend` tag. */
  backend: string;
  id: string;
  instanceType: string;
  repeat: number;
  batchId: string;
  zone: string;
}

/** The account the fake engine deploys into: two zones whose names and IDs differ, every type offered in both. */
export const fakeAccount: MockAccount = {
  region: "us-east-1",
  accountId: "123456789012",
  zones: [
    { name: "us-east-1a", id: "use1-az4" },
    { name: "us-east-1b", id: "use1-az6" },
  ],
  ami: () => "ami-0123456789abcdef0",
  idSuffix: "id",
};

/** The real program under the shared mock table with the stack's config; what it declares. */
async function runProgram(config: Record<string, string>): Promise<DeclaredResource[]> {
  return (await runBatchProgramUnderMocks(config, fakeAccount)).resources;
}

const cliMissing = () =>
  pulumiErrorToBenchError(new Error("Command failed with ENOENT: pulumi version\nspawn pulumi ENOENT"), "(fake)");

/** The engine double; `onLaunch` tells the fake AWS which instances now run. */
export class FakeEngine implements StackEngine {
  readonly stacks = new Map<string, FakeStack>();
  readonly calls: string[] = [];
  readonly destroyedStacks: string[] = [];
  /** URNs a later `up` would have replaced (an instance's subnet or type, the VPC's zones changed). */
  readonly replaced: string[] = [];
  onLaunch: (instances: LaunchedInstance[]) => void = () => undefined;
  /** Resolved when an interruptible update (`faults.interruptibleUp`) starts waiting for its abort signal. */
  readonly upWaiting: Promise<void>;
  private upWaitingNow: () => void = () => undefined;
  /** Told which instance ids a destroy deleted (the fake AWS terminates them, as EC2 does). */
  onDestroy: (instanceIds: string[]) => void = () => undefined;
  private nextId = 1;

  constructor(public faults: EngineFaults = {}) {
    this.upWaiting = new Promise((resolve) => (this.upWaitingNow = resolve));
  }

  ready(): Promise<void> {
    this.calls.push("ready");
    return this.faults.cliMissing ? Promise.reject(cliMissing()) : Promise.resolve();
  }

  async preview(ref: StackRef, events: EngineEventSink): Promise<Record<string, number>> {
    this.guard("preview");
    const resources = await runProgram(ref.config);
    for (const r of resources) events.onProgress?.(`create ${r.type} ${r.name}`);
    return { create: resources.length };
  }

  async up(
    ref: StackRef,
    events: EngineEventSink,
    signal?: AbortSignal,
  ): Promise<{ summary: Record<string, number>; failed: boolean }> {
    this.guard("up");
    const stack = this.stacks.get(ref.stackName) ?? { config: ref.config, resources: [], locked: false, pending: 0 };
    this.stacks.set(ref.stackName, stack);
    if (stack.locked)
      throw pulumiErrorToBenchError(new Error("error: the stack is currently locked by 1 lock(s)"), ref.stackName);
    const declared = await runProgram(ref.config);
    const urn = (r: { type: string; name: string }) =>
      `urn:pulumi:${ref.stackName}::aws-instance-benchmarks::${r.type}::${r.name}`;
    const existing = new Set(stack.resources.map((r) => r.urn));
    const launched: LaunchedInstance[] = [];
    let failed = false;
    let created = 0;
    const stopHalfWay = (resource: { type: string; name: string; inputs: Record<string, unknown> }): never => {
      stack.locked = true;
      stack.pending = 1;
      // Killed while creating an instance: EC2 runs it, the state does not have it (a pending operation).
      if (resource.type === "aws:ec2/instance:Instance") {
        const tags = resource.inputs["tags"] as Record<string, string>;
        launched.push({
          id: `i-0orphan${String(this.nextId++).padStart(11, "0")}`,
          instanceType: String(resource.inputs["instanceType"]),
          repeat: Number(/-(\d+)$/.exec(resource.name)?.[1]),
          batchId: tags["aws-bench:batch"] as string,
          backend: tags["aws-bench:backend"] as string,
          zone: "us-east-1a",
        });
      }
      this.onLaunch(launched);
      if (signal?.aborted) throw new BenchError("PulumiError", `Pulumi failed on ${ref.stackName}: update canceled`);
      throw new BenchError(
        "PulumiError",
        `Pulumi failed on ${ref.stackName}: the Pulumi CLI exited with signal SIGKILL`,
      );
    };
    for (const resource of declared) {
      if (existing.has(urn(resource))) {
        // `up` again: what is there stays, unless an input that forces replacement changed.
        const before = stack.resources.find((r) => r.urn === urn(resource));
        const forcing = ["subnetId", "instanceType", "availabilityZoneNames", "cidrBlock"];
        if (
          before &&
          forcing.some(
            (key) =>
              key in resource.inputs && JSON.stringify(before.outputs[key]) !== JSON.stringify(resource.inputs[key]),
          )
        )
          this.replaced.push(urn(resource));
        continue;
      }
      if (this.faults.upDiesAfter !== undefined && created >= this.faults.upDiesAfter) stopHalfWay(resource);
      if (this.faults.interruptibleUp && resource.type === "aws:ec2/instance:Instance" && launched.length > 0) {
        this.upWaitingNow();
        await new Promise<void>((resolve) =>
          signal?.aborted ? resolve() : signal?.addEventListener("abort", () => resolve(), { once: true }),
        );
        stopHalfWay(resource);
      }
      if (resource.type === "aws:ec2/instance:Instance" && this.faults.dieCreatingInstance) stopHalfWay(resource);
      if (resource.type === "aws:ec2/instance:Instance") {
        const type = String(resource.inputs["instanceType"]);
        const code =
          this.faults.launchErrors?.[type] ??
          (this.faults.noCapacityInZone?.[type] === String(resource.inputs["subnetId"]).replace("subnet-", "")
            ? "InsufficientInstanceCapacity"
            : undefined);
        if (code) {
          failed = true;
          events.onResourceFailed?.(urn(resource), "");
          events.onResourceFailed?.(
            urn(resource),
            `creating EC2 Instance: operation error EC2: RunInstances, https response error StatusCode: 500, RequestID: 0f1e, api error ${code}: We currently do not have sufficient ${type} capacity in the Availability Zone you requested.`,
          );
          continue;
        }
        const id = `i-0fake${String(this.nextId++).padStart(12, "0")}`;
        const tags = resource.inputs["tags"] as Record<string, string>;
        launched.push({
          id,
          instanceType: type,
          repeat: Number(/-(\d+)$/.exec(resource.name)?.[1]),
          batchId: tags["aws-bench:batch"] as string,
          backend: tags["aws-bench:backend"] as string,
          zone: String(resource.inputs["subnetId"]).replace("subnet-", ""),
        });
        stack.resources.push({ urn: urn(resource), type: resource.type, id, outputs: { ...resource.inputs, id } });
      } else {
        stack.resources.push({
          urn: urn(resource),
          type: resource.type,
          id: `${resource.name}-id`,
          outputs: resource.inputs,
        });
      }
      created++;
      events.onResourceDone?.(urn(resource), resource.type);
    }
    this.onLaunch(launched);
    return { summary: { create: created }, failed };
  }

  resources(ref: StackRef): Promise<StackResource[]> {
    this.guard("resources");
    const stack = this.stacks.get(ref.stackName);
    if (!stack)
      return Promise.reject(
        pulumiErrorToBenchError(
          Object.assign(new Error(`no stack named '${ref.stackName}' found`), { name: "StackNotFoundError" }),
          ref.stackName,
        ),
      );
    return Promise.resolve([...stack.resources]);
  }

  cancel(ref: StackRef): Promise<void> {
    this.guard("cancel");
    const stack = this.stacks.get(ref.stackName);
    if (stack) stack.locked = false;
    return Promise.resolve();
  }

  clearPendingOperations(ref: StackRef): Promise<number> {
    this.guard("clearPendingOperations");
    const stack = this.stacks.get(ref.stackName);
    if (!stack)
      return Promise.reject(
        pulumiErrorToBenchError(
          Object.assign(new Error(`no stack named '${ref.stackName}' found`), { name: "StackNotFoundError" }),
          ref.stackName,
        ),
      );
    if (stack.locked)
      return Promise.reject(
        pulumiErrorToBenchError(new Error("error: the stack is currently locked by 1 lock(s)"), ref.stackName),
      );
    const pending = stack.pending;
    stack.pending = 0;
    return Promise.resolve(pending);
  }

  destroy(ref: StackRef, events: EngineEventSink): Promise<void> {
    this.guard("destroy");
    const stack = this.stacks.get(ref.stackName);
    if (!stack)
      return Promise.reject(
        pulumiErrorToBenchError(
          Object.assign(new Error(`no stack named '${ref.stackName}' found`), { name: "StackNotFoundError" }),
          ref.stackName,
        ),
      );
    if (this.faults.staleLockAtDestroy) {
      this.faults.staleLockAtDestroy = false;
      stack.locked = true;
    }
    if (stack.locked)
      return Promise.reject(
        pulumiErrorToBenchError(new Error("error: the stack is currently locked by 1 lock(s)"), ref.stackName),
      );
    if (this.faults.destroyFails)
      return Promise.reject(
        new BenchError("PulumiError", `Pulumi failed on ${ref.stackName}: deleting EC2 VPC: DependencyViolation`),
      );
    // Pulumi only warns about pending operations; what they describe is not in the state, so it is not destroyed.
    if (stack.pending) events.onProgress?.("warning: the current deployment has 1 resource(s) with pending operations");
    for (const r of stack.resources) events.onProgress?.(`delete ${r.type}`);
    this.onDestroy(
      stack.resources.filter((r) => r.type === "aws:ec2/instance:Instance" && r.id).map((r) => r.id as string),
    );
    stack.resources = [];
    this.destroyedStacks.push(ref.stackName);
    return Promise.resolve();
  }

  removeStack(ref: StackRef): Promise<void> {
    this.guard("removeStack");
    const stack = this.stacks.get(ref.stackName);
    if (stack?.resources.length)
      return Promise.reject(new BenchError("PulumiError", `stack ${ref.stackName} still has resources`));
    this.stacks.delete(ref.stackName);
    return Promise.resolve();
  }

  /** As file and S3 backends do: no stack ever reports an update in progress (locks show only when used). */
  listStacks(): Promise<StackListing[]> {
    this.guard("listStacks");
    return Promise.resolve(
      [...this.stacks].map(([name, s]) => ({
        name,
        resourceCount: s.resources.length,
        ...(s.lastUpdate ? { lastUpdate: s.lastUpdate } : {}),
      })),
    );
  }

  /** Resources left in any stack. */
  leftovers(): StackResource[] {
    return [...this.stacks.values()].flatMap((s) => s.resources);
  }

  private guard(call: string): void {
    this.calls.push(call);
    if (this.faults.cliMissing) throw cliMissing();
  }
}

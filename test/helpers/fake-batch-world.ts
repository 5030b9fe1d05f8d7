/**
 * The AWS side of a batch, in memory, for the lifecycle tests: a results bucket, instance states and console
 * output, a clock that moves only when the lifecycle sleeps, and per instance type a behaviour — finish with a
 * valid run, never report, die, upload a malformed result or a raw file that does not match its checksum. A run is
 * uploaded as the runner and user-data leave it (test/helpers/results.ts): its host names the launched type, that
 * type's architecture, the account's region and the zone ID it ran in, and SHA256SUMS covers result.json too.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sha256Hex } from "../../src/checksums.js";
import { BenchError } from "../../src/errors.js";
import type { InstanceState, InstanceWatch, ResultsBucket } from "../../src/orchestrator/aws-access.js";
import { fileBatchStore } from "../../src/orchestrator/batch-store.js";
import type { LifecycleDeps } from "../../src/orchestrator/lifecycle.js";
import type { InstanceKey } from "../../stacks/batch-naming.js";
import { fakeAccount, type FakeEngine, type LaunchedInstance } from "./fake-engine.js";
import { ec2Run, runKeyPrefix, sha256Sums, uploadedRun } from "./results.js";

export type Behaviour =
  | "succeed"
  | "never"
  | "dies"
  | "malformed"
  | "checksum"
  | "reports-failure"
  | "private-detail"
  | "bad-sums"
  | "other-image";

export interface WorldOptions {
  /** Behaviour per instance type (default succeed). */
  behaviours?: Record<string, Behaviour>;
  /** Minutes after launch an instance reports (default 20). */
  reportAfterMinutes?: number;
  /** Every bucket read fails like this from this minute on. */
  bucketFailsFromMinute?: number;
  /** ...until this minute. */
  bucketFailsUntilMinute?: number;
  /** Instances finish as soon as they launch (for commands that sleep in real time). */
  finishOnLaunch?: boolean;
}

export class FakeWorld {
  readonly objects = new Map<string, Buffer>();
  readonly states = new Map<string, InstanceState>();
  readonly console = new Map<string, string>();
  /** Instance id → its batch, backend and instance tags (`planned` absent: an instance without the instance tag). */
  readonly batchOf = new Map<string, { batchId: string; backend: string; planned?: InstanceKey }>();
  readonly terminated: string[] = [];
  readonly progressLines: string[] = [];
  minutes = 0;
  private readonly start = Date.parse("2026-11-28T12:00:00Z");
  private readonly launched: Array<LaunchedInstance & { at: number; done: boolean }> = [];
  /** Called on every sleep (after the clock moved): tests interrupt from here. */
  onTick: (minutes: number) => void = () => undefined;

  constructor(readonly options: WorldOptions = {}) {}

  attach(engine: FakeEngine): void {
    engine.onDestroy = (ids) => {
      for (const id of ids)
        if (this.states.get(id)?.state !== "terminated")
          this.states.set(id, {
            ...(this.states.get(id) ?? {}),
            state: "terminated",
            reason: "Client.UserInitiatedShutdown: User initiated shutdown",
          });
    };
    engine.onLaunch = (instances) => {
      for (const instance of instances) {
        this.launched.push({ ...instance, at: this.minutes, done: false });
        this.states.set(instance.id, { state: "running", zone: instance.zone, launchTime: this.now().toISOString() });
        this.batchOf.set(instance.id, {
          batchId: instance.batchId,
          backend: instance.backend,
          planned: { instanceType: instance.instanceType, repeat: instance.repeat },
        });
        this.console.set(
          instance.id,
          `[    0.000000] Linux version 6.1 (fake)\ncloud-init: aws-bench ${instance.instanceType}\n`,
        );
      }
      if (this.options.finishOnLaunch) this.advance((this.options.reportAfterMinutes ?? 20) * 60_000);
    };
  }

  /** Instances that are neither terminated nor done: what would still be billed. */
  running(): string[] {
    return [...this.states].filter(([, st]) => st.state !== "terminated").map(([id]) => id);
  }

  now(): Date {
    return new Date(this.start + this.minutes * 60_000);
  }

  /** Moves the clock; instances whose time has come act. */
  advance(ms: number): void {
    this.minutes += ms / 60_000;
    for (const instance of this.launched.filter(
      (i) => !i.done && this.minutes - i.at >= (this.options.reportAfterMinutes ?? 20),
    )) {
      instance.done = true;
      this.act(instance);
    }
    this.onTick(this.minutes);
  }

  private act(instance: LaunchedInstance): void {
    const behaviour = this.options.behaviours?.[instance.instanceType] ?? "succeed";
    const prefix = `batches/${instance.batchId}/${instance.instanceType}/${instance.repeat}`;
    if (behaviour === "never") return;
    if (behaviour === "dies") {
      this.states.set(instance.id, {
        state: "terminated",
        reason: "Server.SpotInstanceTermination: Spot instance termination",
        zone: instance.zone,
      });
      return;
    }
    const runId = `20261128t1200-${instance.instanceType}-${instance.repeat}`;
    // An already-redacted HPCC host line, as the image writes it, must not count as a private detail.
    const raw = Buffer.from(
      behaviour === "private-detail"
        ? "Running on ip-10-0-1-23.ec2.internal\nTriad: 21345.6\n"
        : "Hostname: '<redacted>'\nSTREAM version $Revision: 5.10 $\nTriad: 21345.6\n",
    );
    // The host is what the instance's identity document says: the launched type, its architecture, the region
    // and zone the fake account launched it in.
    const run = ec2Run({
      runId,
      instanceType: instance.instanceType,
      architecture: architectureOf(instance.instanceType),
      region: fakeAccount.region,
      ...zoneIdOf(instance.zone),
      raw: new Map([["raw/stream/trial-1.txt", raw]]),
      // A run in another image than the one launched (a tampered or stale user-data).
      ...(behaviour === "other-image" ? { imageDigest: `sha256:${"e".repeat(64)}` } : {}),
    });
    const resultJson = behaviour === "malformed" ? Buffer.from('{"schemaVersion": 1, "runId": ') : undefined;
    const failed = behaviour === "reports-failure";
    const objects = uploadedRun(prefix, run, {
      ...(resultJson ? { resultJson } : {}),
      ...(behaviour === "bad-sums"
        ? {
            sums: sha256Sums([
              ["raw/stream/trial-1.txt", sha256Hex(raw)],
              ["result.json", "0".repeat(64)],
            ]),
          }
        : {}),
      status: {
        state: failed ? "failure" : "success",
        exitCode: failed ? 3 : 0,
        stage: failed ? "run" : "upload",
        error: failed ? "the benchmark run exited with 3" : "",
        startedAt: "2026-11-28T12:01:00Z",
        finishedAt: "2026-11-28T12:20:00Z",
      },
    });
    if (behaviour === "checksum")
      objects.set(`${runKeyPrefix(prefix, runId)}/raw/stream/trial-1.txt`, Buffer.from("Triad: 99999.9\n"));
    for (const [key, bytes] of objects) this.objects.set(key, bytes);
    this.states.set(instance.id, {
      state: "terminated",
      reason: "Client.InstanceInitiatedShutdown: Instance initiated shutdown",
      zone: instance.zone,
    });
  }

  bucket(): ResultsBucket {
    const failing = () =>
      this.options.bucketFailsFromMinute !== undefined &&
      this.minutes >= this.options.bucketFailsFromMinute &&
      this.minutes < (this.options.bucketFailsUntilMinute ?? Infinity);
    const denied = () =>
      new BenchError("AccessDenied", "Not allowed to call s3:GetObject in us-east-1 (AccessDenied).", {
        fix: "Grant s3:GetObject.",
      });
    return {
      bucket: "results-bucket",
      get: (key) => (failing() ? Promise.reject(denied()) : Promise.resolve(this.objects.get(key))),
      list: (prefix) =>
        failing()
          ? Promise.reject(denied())
          : Promise.resolve([...this.objects.keys()].filter((key) => key.startsWith(prefix))),
    };
  }

  watch(): InstanceWatch {
    return {
      states: (ids) =>
        Promise.resolve(
          Object.fromEntries(
            ids.filter((id) => this.states.has(id)).map((id) => [id, this.states.get(id) as InstanceState]),
          ),
        ),
      consoleOutput: (id) => Promise.resolve(this.console.get(id)),
      // EC2 lists terminated instances too (for about an hour); the fake never forgets them.
      ofBatch: (batchId, backend) =>
        Promise.resolve(
          [...this.batchOf]
            .filter(([id, tags]) => tags.batchId === batchId && tags.backend === backend && this.states.has(id))
            .map(([id, tags]) => ({
              id,
              ...(this.states.get(id) as InstanceState),
              ...(tags.planned ? { planned: tags.planned } : {}),
            })),
        ),
      terminate: (ids) => {
        for (const id of ids) {
          this.terminated.push(id);
          this.states.set(id, {
            ...(this.states.get(id) ?? {}),
            state: "terminated",
            reason: "Client.UserInitiatedShutdown: User initiated shutdown",
          });
        }
        return Promise.resolve();
      },
    };
  }

  deps(engine: FakeEngine, stateDir: string, rawRoot: string): LifecycleDeps {
    this.attach(engine);
    return {
      engine,
      store: fileBatchStore(stateDir, `file://${stateDir}`),
      results: this.bucket(),
      instances: this.watch(),
      rawRoot,
      progress: (line) => this.progressLines.push(line),
      now: () => this.now(),
      sleep: (ms) => {
        this.advance(ms);
        return Promise.resolve();
      },
      pollMs: 60_000,
    };
  }
}

let catalogue: Map<string, string[]> | undefined;

/** The type's architecture in the shipped catalogue, as the runner on it would report it. */
function architectureOf(instanceType: string): "x86_64" | "arm64" {
  catalogue ??= new Map(
    (
      JSON.parse(
        readFileSync(join(import.meta.dirname, "..", "..", "data", "catalog", "instance-types.json"), "utf8"),
      ) as {
        instanceTypes: Array<{ name: string; architectures: string[] }>;
      }
    ).instanceTypes.map((type) => [type.name, type.architectures]),
  );
  return catalogue.get(instanceType)?.includes("arm64") ? "arm64" : "x86_64";
}

/** The zone ID of a zone the fake account launched in, when it is one of the account's zones. */
function zoneIdOf(zoneName: string): { availabilityZoneId?: string } {
  const zone = fakeAccount.zones.find((z) => z.name === zoneName);
  return zone ? { availabilityZoneId: zone.id } : {};
}

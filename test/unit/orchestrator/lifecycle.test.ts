/**
 * The batch lifecycle end to end with the real program under mocks (FakeEngine) and an in-memory AWS
 * (FakeWorld), failing on purpose: every fault ends with the stack destroyed, nothing collected lost, and the
 * exit code and summary saying what happened.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { awaitAndCollect } from "../../../src/orchestrator/await-results.js";
import { mockPushedImageDigest } from "../../helpers/results.js";
import {
  loadRecord,
  newBatchRecord,
  saveRecord,
  type BatchRequest,
  type Preflight,
} from "../../../src/orchestrator/batch-record.js";
import { destroyBatch } from "../../../src/orchestrator/destroy.js";
import { launchBatch } from "../../../src/orchestrator/launch.js";
import { runBatch, summaryTable } from "../../../src/orchestrator/run-batch.js";
import { chooseZones } from "../../../stacks/zones.js";
import { FakeEngine, type EngineFaults } from "../../helpers/fake-engine.js";
import { planFor } from "../../helpers/plans.js";
import { FakeWorld, type WorldOptions } from "../../helpers/fake-batch-world.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const root = join(import.meta.dirname, "..", "..", "..");
const tempDir = useTempDir();

beforeAll(() => {
  // The program hashes the runner bundle into image tags.
  execFileSync(process.execPath, [join(root, "scripts", "bundle-runner.mjs")], { stdio: "ignore" });
}, 60_000);

const request: BatchRequest = {
  instanceTypes: ["m7i.large", "c7g.large"],
  benchmarks: ["stream"],
  repeat: 1,
  spot: false,
  quick: true,
  region: "us-east-1",
  resultsBucket: "results-bucket",
};

/** The zones the preflight pins: every type offered in use1-az4 and use1-az6 (us-east-1a and -1b in the fake). */
function zonesFor(req: BatchRequest): NonNullable<Preflight["zones"]> {
  const offerings = Object.fromEntries(req.instanceTypes.map((type) => [type, ["use1-az4", "use1-az6"]]));
  return {
    instances: Object.fromEntries(
      chooseZones(offerings, req.instanceTypes, req.repeat).map((c) => [`${c.instanceType}/${c.repeat}`, c.zoneId]),
    ),
    network: ["use1-az4", "use1-az6"],
    offerings,
  };
}

async function batch(
  options: {
    faults?: EngineFaults;
    world?: WorldOptions;
    req?: BatchRequest;
    interruptAtMinute?: number;
    keep?: boolean;
    skipped?: Record<string, string>;
  } = {},
) {
  const dir = tempDir();
  const engine = new FakeEngine(options.faults);
  const world = new FakeWorld(options.world);
  const deps = world.deps(engine, join(dir, "state"), join(dir, "data", "raw"));
  const req = options.req ?? request;
  const preflight: Preflight = { skipped: options.skipped ?? {}, zones: zonesFor(req) };
  const record = await newBatchRecord(req, planFor(req), preflight, {
    batchId: "20261128t120000z-ab12cd",
    backend: `file://${dir}/state`,
    createdBy: "test@host",
    now: world.now(),
  });
  await saveRecord(deps.store, record);
  const controller = new AbortController();
  if (options.interruptAtMinute !== undefined)
    world.onTick = (minute) => (minute >= (options.interruptAtMinute as number) ? controller.abort() : undefined);
  const report = await runBatch(record, deps, { keep: options.keep ?? false, signal: controller.signal });
  const stored = await loadRecord(deps.store, record.batchId);
  // Whatever happened: once destroyed, nothing of the batch runs in the account any more.
  if (report.destroyed) expect(world.running()).toEqual([]);
  return { report, engine, world, deps, stored, dir, rawRoot: join(dir, "data", "raw"), controller };
}

/** A stored record of the default request, without zones, on a fresh engine and world: for runs a test drives itself. */
async function storedBatch(faults?: EngineFaults) {
  const dir = tempDir();
  const engine = new FakeEngine(faults);
  const world = new FakeWorld();
  const deps = world.deps(engine, join(dir, "state"), join(dir, "raw"));
  const record = await newBatchRecord(
    request,
    planFor(request),
    { skipped: {} },
    {
      batchId: "20261128t120000z-ab12cd",
      backend: "file:///x",
      createdBy: "t",
      now: world.now(),
    },
  );
  await saveRecord(deps.store, record);
  return { engine, world, deps, record };
}

function outcome(report: Awaited<ReturnType<typeof batch>>["report"], type: string) {
  return report.outcomes.find((o) => o.instanceType === type);
}

describe("a batch that goes well", () => {
  it("launches the real program's instances, collects verified runs into data/raw, destroys and removes the stack", async () => {
    const { report, engine, stored, rawRoot } = await batch();
    expect(report.verdict).toBe("succeeded");
    expect(report.outcomes.map((o) => [o.instanceType, o.status])).toEqual([
      ["c7g.large", "succeeded"],
      ["m7i.large", "succeeded"],
    ]);
    const run = join(rawRoot, "m7i.large", "20261128t120000z-ab12cd-0");
    expect(readdirSync(run).sort()).toEqual(["SHA256SUMS", "raw", "result.json"]);
    expect(readFileSync(join(run, "raw", "stream", "trial-1.txt"), "utf8")).toContain("Triad: 21345.6");
    // The signed identity document stays in the bucket.
    expect(existsSync(join(run, "private"))).toBe(false);
    expect(engine.destroyedStacks).toEqual(["batch-20261128t120000z-ab12cd"]);
    expect(engine.stacks.size).toBe(0);
    expect(stored.destroyedAt).toBeDefined();
    expect(outcome(report, "m7i.large")?.zone).toMatch(/^us-east-1[ab]$/);
    expect(outcome(report, "m7i.large")?.minutes).toBe(20);
    expect(summaryTable(report)).toMatch(/m7i\.large\s+0\s+us-east-1[ab]\s+succeeded/);
    // up recorded the digest each instance pulls; the collected result ran in exactly that image.
    expect(stored.instances.map((i) => i.imageDigest)).toEqual([mockPushedImageDigest, mockPushedImageDigest]);
    const result = JSON.parse(readFileSync(join(run, "result.json"), "utf8")) as { container: { imageDigest: string } };
    expect(result.container.imageDigest).toBe(mockPushedImageDigest);
  });

  it("refuses a result from another image than the one up launched", async () => {
    const { report } = await batch({ world: { behaviours: { "m7i.large": "other-image" } } });
    expect(outcome(report, "m7i.large")?.status).toBe("failed");
    expect(outcome(report, "m7i.large")?.reason).toMatch(
      new RegExp(`container\\.imageDigest is sha256:e{64}, the batch launched ${mockPushedImageDigest}`),
    );
    expect(outcome(report, "c7g.large")?.status).toBe("succeeded");
  });

  it("keeps the stack with --keep and says how to destroy it", async () => {
    const { report, engine, world } = await batch({ keep: true });
    expect(report.destroyed).toBe(false);
    expect(engine.leftovers().length).toBeGreaterThan(0);
    expect(world.progressLines.join("\n")).toContain("aws-bench destroy --batch 20261128t120000z-ab12cd --yes");
  });

  it("does not launch skipped types and reports them with their reason (exit 3)", async () => {
    const { report, engine } = await batch({
      skipped: { "c7g.large": "Running On-Demand Standard instances (L-1216C47A): needs 2 vCPUs, 0 available" },
    });
    expect(outcome(report, "c7g.large")).toMatchObject({
      status: "skipped",
      reason: expect.stringContaining("L-1216C47A"),
    });
    expect(outcome(report, "m7i.large")?.status).toBe("succeeded");
    expect(report.verdict).toBe("partial");
    expect(engine.destroyedStacks).toHaveLength(1);
  });
});

describe("faults", () => {
  it("a capacity error for one type: recorded with its code, the other type collected, destroyed, exit 3", async () => {
    const { report, engine, stored, rawRoot } = await batch({
      faults: { launchErrors: { "c7g.large": "InsufficientInstanceCapacity" } },
    });
    expect(outcome(report, "c7g.large")).toMatchObject({
      status: "launch-failed",
      reason: expect.stringMatching(/^InsufficientInstanceCapacity: AWS has no capacity.*\(also in another zone\)$/),
    });
    // Retried once, in another zone, then given up.
    expect(engine.calls.filter((c) => c === "up")).toHaveLength(2);
    expect(stored.launch?.failed).toEqual([
      expect.objectContaining({ instanceType: "c7g.large", code: "InsufficientInstanceCapacity" }),
    ]);
    expect(existsSync(join(rawRoot, "m7i.large", "20261128t120000z-ab12cd-0", "result.json"))).toBe(true);
    expect(report.verdict).toBe("partial");
    expect(engine.destroyedStacks).toHaveLength(1);
  });

  it("no capacity in one zone: retried once in the next zone offering the type, and collected there (exit 0)", async () => {
    const { report, engine, stored } = await batch({ faults: { noCapacityInZone: { "c7g.large": "us-east-1a" } } });
    expect(outcome(report, "c7g.large")).toMatchObject({ status: "succeeded", zone: "us-east-1b" });
    expect(stored.spec.zones?.instances).toMatchObject({ "c7g.large/0": "use1-az6" });
    expect(stored.zoneRetry?.retried).toEqual(["c7g.large/0"]);
    // Nothing that was running moved: no subnet, VPC or instance was replaced by the retry.
    expect(engine.replaced).toEqual([]);
    expect(stored.launch?.failed).toBeUndefined();
    expect(engine.calls.filter((c) => c === "up")).toHaveLength(2);
    expect(report.verdict).toBe("succeeded");
  });

  it("an update that dies half-way: lock released, pending operations cleared, destroyed, exit 1", async () => {
    const { report, engine, world } = await batch({ faults: { upDiesAfter: 4 } });
    expect(report.verdict).toBe("failed");
    expect(report.error?.message).toMatch(/SIGKILL/);
    expect(engine.calls).toEqual(
      expect.arrayContaining(["cancel", "clearPendingOperations", "destroy", "removeStack"]),
    );
    expect(engine.leftovers()).toEqual([]);
    expect(engine.stacks.size).toBe(0);
    expect(world.progressLines.join("\n")).toMatch(/cleared 1 pending operation/);
    expect(report.outcomes.every((o) => o.status === "not-finished")).toBe(true);
  });

  it("an interrupt during up: destroyed, exit 130", async () => {
    const { engine, deps, record } = await storedBatch({ interruptibleUp: true });
    const controller = new AbortController();
    void engine.upWaiting.then(() => controller.abort());
    const report = await runBatch(record, deps, { keep: false, signal: controller.signal });
    expect(report.verdict).toBe("interrupted");
    expect(engine.leftovers()).toEqual([]);
    expect(engine.destroyedStacks).toHaveLength(1);
  });

  it("an interrupt while waiting: what was collected stays, destroyed, exit 130", async () => {
    const { report, engine, rawRoot } = await batch({
      world: { behaviours: { "c7g.large": "never" } },
      interruptAtMinute: 25,
    });
    expect(report.verdict).toBe("interrupted");
    expect(outcome(report, "m7i.large")?.status).toBe("succeeded");
    expect(existsSync(join(rawRoot, "m7i.large", "20261128t120000z-ab12cd-0", "result.json"))).toBe(true);
    expect(outcome(report, "c7g.large")?.status).toBe("not-finished");
    expect(engine.leftovers()).toEqual([]);
  });

  it("a result that never arrives: failed at the deadline with its console output saved, destroyed", async () => {
    const { report, engine, world, dir } = await batch({ world: { behaviours: { "c7g.large": "never" } } });
    const failed = outcome(report, "c7g.large");
    expect(failed?.status).toBe("failed");
    expect(failed?.reason).toMatch(
      /no status within 35 minutes of launch; console output saved to .*console-c7g\.large-0\.txt/,
    );
    expect(
      readFileSync(
        join(dir, "state", ".aws-bench", "batches", "20261128t120000z-ab12cd", "console-c7g.large-0.txt"),
        "utf8",
      ),
    ).toContain("Linux version");
    // The deadline came from the plan (30 min + 5), not from waiting forever.
    expect(world.minutes).toBeLessThanOrEqual(37);
    expect(report.verdict).toBe("partial");
    expect(engine.leftovers()).toEqual([]);
  });

  it("an instance gone without a status: failed with its state reason", async () => {
    const { report } = await batch({ world: { behaviours: { "m7i.large": "dies" } } });
    expect(outcome(report, "m7i.large")?.reason).toMatch(
      /instance terminated without a status \(Server\.SpotInstanceTermination/,
    );
  });

  it("a malformed result: failed, nothing written for it, the other collected", async () => {
    const { report, rawRoot } = await batch({ world: { behaviours: { "m7i.large": "malformed" } } });
    expect(outcome(report, "m7i.large")?.reason).toMatch(
      /collecting failed: s3:\/\/results-bucket\/.*result\.json is not JSON/,
    );
    expect(existsSync(join(rawRoot, "m7i.large"))).toBe(false);
    expect(outcome(report, "c7g.large")?.status).toBe("succeeded");
  });

  it("a checksum mismatch: failed, nothing written (no partial run left)", async () => {
    const { report, rawRoot } = await batch({ world: { behaviours: { "c7g.large": "checksum" } } });
    expect(outcome(report, "c7g.large")?.reason).toMatch(
      /Raw file raw\/stream\/trial-1\.txt of .* has SHA-256 [0-9a-f]{64}, the result says/,
    );
    expect(existsSync(join(rawRoot, "c7g.large"))).toBe(false);
    expect(readdirSync(rawRoot).filter((name) => name.startsWith("."))).toEqual([]);
  });

  it("a raw file that still names a private host, or SHA256SUMS that disagree: failed, nothing written", async () => {
    const { report, rawRoot } = await batch({
      world: { behaviours: { "m7i.large": "private-detail", "c7g.large": "bad-sums" } },
    });
    expect(outcome(report, "m7i.large")?.reason).toMatch(
      /raw\/stream\/trial-1\.txt .* still contains a host name, private IP or instance id/,
    );
    expect(outcome(report, "c7g.large")?.reason).toMatch(
      /SHA256SUMS of .* does not match the run: '0{64} {2}result\.json'/,
    );
    expect(existsSync(rawRoot)).toBe(false);
  });

  it("an instance that reports failure: what it finished is still collected, marked failed", async () => {
    const { report } = await batch({ world: { behaviours: { "c7g.large": "reports-failure" } } });
    expect(outcome(report, "c7g.large")).toMatchObject({
      status: "failed",
      collectedTo: expect.stringContaining("c7g.large"),
      reason: expect.stringContaining("stage run"),
    });
  });

  it("S3 errors while waiting: polled again until the deadline, then failed with the error; destroyed (exit 1)", async () => {
    const { report, engine, world } = await batch({ world: { bucketFailsFromMinute: 0 } });
    expect(report.outcomes.map((o) => o.status)).toEqual(["failed", "failed"]);
    expect(outcome(report, "m7i.large")?.reason).toMatch(
      /no status could be read within 35 minutes of launch: Not allowed to call s3:GetObject/,
    );
    expect(world.minutes).toBeGreaterThan(35);
    expect(report.verdict).toBe("failed");
    expect(engine.leftovers()).toEqual([]);
  });

  it("S3 errors that pass: the runs are collected after all (exit 0)", async () => {
    const { report } = await batch({ world: { bucketFailsFromMinute: 0, bucketFailsUntilMinute: 25 } });
    expect(report.outcomes.map((o) => o.status)).toEqual(["succeeded", "succeeded"]);
    expect(report.verdict).toBe("succeeded");
  });

  it("an update killed while EC2 creates an instance: that untracked instance is terminated before destroy; nothing left running", async () => {
    const { report, engine, world } = await batch({ faults: { dieCreatingInstance: true } });
    expect(world.terminated).toHaveLength(1);
    expect(world.terminated[0]).toMatch(/^i-0orphan/);
    expect(world.running()).toEqual([]);
    expect(engine.leftovers()).toEqual([]);
    expect(report.destroyed).toBe(true);
    expect(report.verdict).toBe("failed");
  });

  it("an instance a later up launches carries that launch's expiry; those already running keep theirs", async () => {
    const { deps, stored, engine, world } = await batch({
      keep: true,
      faults: { launchErrors: { "c7g.large": "InsufficientInstanceCapacity" } },
    });
    const first = stored.expiresAt;
    const tagsOf = (type: string) =>
      engine
        .leftovers()
        .filter((r) => r.type === "aws:ec2/instance:Instance" && r.outputs["instanceType"] === type)
        .map((r) => (r.outputs["tags"] as Record<string, string>)["aws-bench:expires-at"]);
    expect(tagsOf("m7i.large")).toEqual([first]);
    expect(tagsOf("c7g.large")).toEqual([]);
    // Capacity is back an hour later: a second up launches the instance that failed.
    world.advance(60 * 60_000);
    engine.faults = {};
    await launchBatch(stored, deps);
    expect(tagsOf("c7g.large")).toEqual([stored.expiresAt]);
    expect(Date.parse(stored.expiresAt)).toBeGreaterThanOrEqual(Date.parse(first) + 60 * 60_000);
    expect(tagsOf("m7i.large")).toEqual([first]);
  });

  it("destroy terminates only this backend's instances of the batch, never another backend's with the same batch id", async () => {
    const { world, deps, record } = await storedBatch();
    const mine = "i-0aaaaaaaaaaaaaaa1";
    const theirs = "i-0bbbbbbbbbbbbbbb2";
    for (const [id, backend] of [
      [mine, record.spec.backend as string],
      [theirs, "s3://another-team-state/pulumi"],
    ] as const) {
      world.states.set(id, { state: "running", zone: "us-east-1a" });
      world.batchOf.set(id, { batchId: record.batchId, backend });
    }
    // The stack never existed: every instance carrying the batch's tags is untracked, and only ours are ours.
    await destroyBatch(record, deps);
    expect(world.terminated).toEqual([mine]);
    expect(world.states.get(theirs)?.state).toBe("running");
  });

  it("a destroy that fails: exit 1 whatever was collected, and it says NOT DESTROYED with the command", async () => {
    const { report, world } = await batch({ faults: { destroyFails: true } });
    expect(report.outcomes.every((o) => o.status === "succeeded")).toBe(true);
    expect(report.destroyed).toBe(false);
    expect(report.verdict).toBe("failed");
    expect(world.progressLines.join("\n")).toMatch(
      /NOT DESTROYED .* aws-bench destroy --batch 20261128t120000z-ab12cd --yes/,
    );
  });

  it("an interrupt before anything started: nothing launched, exit 130", async () => {
    const { engine, world, deps, record } = await storedBatch();
    const controller = new AbortController();
    controller.abort();
    const report = await runBatch(record, deps, { keep: false, signal: controller.signal });
    expect(report.verdict).toBe("interrupted");
    expect(engine.calls).not.toContain("up");
    expect(world.running()).toEqual([]);
  });

  it("a stale lock at destroy: cancelled, then destroyed", async () => {
    const { report, engine, world } = await batch({ faults: { staleLockAtDestroy: true } });
    expect(report.destroyed).toBe(true);
    expect(engine.calls.filter((c) => c === "cancel")).toHaveLength(1);
    expect(world.progressLines.join("\n")).toMatch(/locked by an interrupted update: cancelling it/);
  });

  it("the Pulumi CLI missing: says how to install it, exit 1", async () => {
    const { report } = await batch({ faults: { cliMissing: true } });
    expect(report.error?.code).toBe("PulumiCliMissing");
    expect(report.error?.fix).toMatch(/get\.pulumi\.com/);
    expect(report.verdict).toBe("failed");
  });
});

describe("steps on their own (CI)", () => {
  it("collect twice finds the run already there; a different run in the way is never overwritten", async () => {
    const { deps, stored, rawRoot } = await batch({ keep: true });
    const again: Parameters<typeof awaitAndCollect>[2] = [];
    await awaitAndCollect(stored, deps, again);
    expect(again.every((o) => o.status === "succeeded")).toBe(true);
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(rawRoot, "m7i.large", "20261128t120000z-ab12cd-0", "result.json"), "{}");
    const third: typeof again = [];
    await awaitAndCollect(stored, deps, third);
    expect(third.find((o) => o.instanceType === "m7i.large")?.reason).toMatch(
      /already holds a different run; data\/raw is never overwritten/,
    );
    expect(readFileSync(join(rawRoot, "m7i.large", "20261128t120000z-ab12cd-0", "result.json"), "utf8")).toBe("{}");
  });

  it("up again relaunches nothing; a destroyed batch is never launched again; destroy of a stack that never existed is fine", async () => {
    const { deps, stored, engine } = await batch({ keep: true });
    const before = engine.leftovers().length;
    const expiry = stored.spec.expiresAt as string;
    expect(expiry).toBe(stored.expiresAt);
    await launchBatch(stored, deps);
    expect(engine.leftovers()).toHaveLength(before);
    expect(engine.replaced).toEqual([]);
    // Each launch counts the expiry from its own start; the record and the spec keep the latest.
    expect(Date.parse(stored.expiresAt)).toBeGreaterThan(Date.parse(expiry));
    expect(stored.spec.expiresAt).toBe(stored.expiresAt);
    expect((await loadRecord(deps.store, stored.batchId)).expiresAt).toBe(stored.expiresAt);
    await destroyBatch(stored, deps);
    expect(engine.leftovers()).toEqual([]);
    await destroyBatch(stored, deps);
    expect((await loadRecord(deps.store, stored.batchId)).destroyedAt).toBeDefined();
    await expect(launchBatch(stored, deps)).rejects.toThrow(/was destroyed at .* never launched again/);
  });

  it("collect asks EC2, not Pulumi: an engine that cannot run is never called, and a listing lag is waited out", async () => {
    const { engine, world, deps, record } = await storedBatch();
    await launchBatch(record, deps);
    const callsBefore = engine.calls.length;
    // EC2's tag filters lag a launch: the first listing has none of the batch's instances.
    const watch = deps.instances;
    let listings = 0;
    const lagging = {
      ...watch,
      ofBatch: (batchId: string, backend: string) =>
        listings++ === 0 ? Promise.resolve([]) : watch.ofBatch(batchId, backend),
    };
    const outcomes: Parameters<typeof awaitAndCollect>[2] = [];
    await awaitAndCollect(record, { ...deps, instances: lagging }, outcomes);
    expect(outcomes.map((o) => [o.instanceType, o.status])).toEqual([
      ["m7i.large", "succeeded"],
      ["c7g.large", "succeeded"],
    ]);
    // The zone comes from EC2's answer once it lists the instances.
    expect(outcomes.every((o) => o.zone?.startsWith("us-east-1"))).toBe(true);
    expect(listings).toBeGreaterThan(1);
    expect(engine.calls.slice(callsBefore)).toEqual([]);
    expect(world.running()).toEqual([]);
  });

  it("collect of a batch never launched fails each instance at once, saying so", async () => {
    const { deps, record } = await storedBatch();
    const outcomes: Parameters<typeof awaitAndCollect>[2] = [];
    await awaitAndCollect(record, deps, outcomes);
    expect(outcomes).toEqual(
      ["m7i.large", "c7g.large"].map((instanceType) => ({
        instanceType,
        repeat: 0,
        status: "failed",
        reason: "not launched (run `aws-bench up` for this batch first)",
      })),
    );
  });

  it("an instance of the batch EC2 never lists fails at its deadline, not before", async () => {
    const { world, deps, record } = await storedBatch();
    world.options.behaviours = { "m7i.large": "never", "c7g.large": "never" };
    await launchBatch(record, deps);
    const outcomes: Parameters<typeof awaitAndCollect>[2] = [];
    const start = world.minutes;
    await awaitAndCollect(
      record,
      { ...deps, instances: { ...deps.instances, ofBatch: () => Promise.resolve([]) } },
      outcomes,
    );
    expect(outcomes[0]?.reason).toMatch(
      /no status in the bucket, and no instance of the batch in EC2 within \d+ minutes of launch/,
    );
    expect(world.minutes - start).toBeGreaterThanOrEqual(record.instances[0]?.maximumMinutes ?? Infinity);
  });

  it("collect after the stack is gone still collects what is in the bucket", async () => {
    const { deps, stored, rawRoot } = await batch({ keep: true });
    const { rmSync } = await import("node:fs");
    rmSync(rawRoot, { recursive: true });
    await destroyBatch(stored, deps);
    const outcomes: Parameters<typeof awaitAndCollect>[2] = [];
    await awaitAndCollect(stored, deps, outcomes);
    expect(outcomes.map((o) => o.status)).toEqual(["succeeded", "succeeded"]);
    expect(existsSync(join(rawRoot, "m7i.large", "20261128t120000z-ab12cd-0", "result.json"))).toBe(true);
  });
});

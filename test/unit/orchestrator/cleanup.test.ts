/**
 * cleanup: expired stacks destroyed, stale locks cleared, stacks without a record destroyed once old, live batches
 * untouched; the sweep is told which stacks still exist after that; without --yes nothing changes.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BenchError } from "../../../src/errors.js";
import { cleanup, parseDuration } from "../../../src/orchestrator/cleanup.js";
import { fileBatchStore } from "../../../src/orchestrator/batch-store.js";
import { newBatchRecord, saveRecord, stackOf, type BatchRequest } from "../../../src/orchestrator/batch-record.js";
import type { SweepSummary } from "../../../src/orchestrator/sweep.js";
import { FakeEngine } from "../../helpers/fake-engine.js";
import { planFor, quickRequest } from "../../helpers/plans.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const tempDir = useTempDir();
const now = new Date("2026-11-28T18:00:00Z");
const request: BatchRequest = quickRequest();
const plan = planFor(request);
const emptySweep: SweepSummary = {
  dryRun: true,
  deleted: 0,
  wouldDelete: 0,
  failed: 0,
  untouched: 0,
  kept: 0,
  left: [],
  failures: [],
};

async function world() {
  const dir = tempDir();
  const store = fileBatchStore(join(dir, "state"), `file://${dir}/state`);
  const engine = new FakeEngine();
  const resource = (id: string) => ({
    urn: `urn:pulumi:s::aws-instance-benchmarks::aws:ec2/instance:Instance::${id}`,
    type: "aws:ec2/instance:Instance",
    id,
    outputs: {},
  });
  // expired: created 4 h ago, expires 90 min after creation.
  const expired = await newBatchRecord(
    request,
    plan,
    { skipped: {} },
    {
      batchId: "20261128t140000z-aaaaaa",
      backend: store.url,
      createdBy: "t",
      now: new Date("2026-11-28T14:00:00Z"),
    },
  );
  // live: created 10 min ago.
  const live = await newBatchRecord(
    request,
    plan,
    { skipped: {} },
    {
      batchId: "20261128t175000z-bbbbbb",
      backend: store.url,
      createdBy: "t",
      now: new Date("2026-11-28T17:50:00Z"),
    },
  );
  for (const record of [expired, live]) {
    await saveRecord(store, record);
    engine.stacks.set(record.stackName, {
      config: stackOf(record).config,
      resources: [resource(`i-${record.batchId.slice(-6)}`)],
      locked: false,
      pending: 0,
    });
  }
  // A stack a killed run left without a record, 9 h old, with a lock and a pending operation.
  engine.stacks.set("batch-20261128t090000z-cccccc", {
    config: {},
    resources: [resource("i-cccccc")],
    locked: true,
    pending: 1,
    lastUpdate: "2026-11-28T09:00:00Z",
  });
  // A young stack without a record: another run may be writing it right now.
  engine.stacks.set("batch-20261128t175500z-dddddd", {
    config: {},
    resources: [resource("i-dddddd")],
    locked: false,
    pending: 0,
    lastUpdate: "2026-11-28T17:55:00Z",
  });
  const sweeps: Array<{ dryRun: boolean; exists: Record<string, boolean>; backend: string; graceMs: number }> = [];
  const includeKept: boolean[] = [];
  const deps = {
    engine,
    store,
    backendTag: `${store.url}@0a1b2c3d4e5f`,
    progress: () => undefined,
    now: () => now,
    async sweep(options: Parameters<Parameters<typeof cleanup>[0]["sweep"]>[0]) {
      const exists: Record<string, boolean> = {};
      for (const id of [
        "20261128t140000z-aaaaaa",
        "20261128t175000z-bbbbbb",
        "20261128t090000z-cccccc",
        "20261128t175500z-dddddd",
      ])
        exists[id] = await options.stackExists(id);
      sweeps.push({ dryRun: options.dryRun, exists, backend: options.backend, graceMs: options.graceMs });
      includeKept.push(options.includeKept);
      return { ...emptySweep, dryRun: options.dryRun };
    },
  };
  return { deps, engine, sweeps, includeKept };
}

/** Adds an expired batch run with `--keep` (created 5 h ago, expired since) to the world, with its stack. */
async function addKeptBatch(deps: Awaited<ReturnType<typeof world>>["deps"], engine: FakeEngine) {
  const kept = await newBatchRecord(
    { ...request, keep: true },
    plan,
    { skipped: {} },
    {
      batchId: "20261128t130000z-eeeeee",
      backend: deps.store.url,
      createdBy: "t",
      now: new Date("2026-11-28T13:00:00Z"),
    },
  );
  await saveRecord(deps.store, kept);
  engine.stacks.set(kept.stackName, {
    config: stackOf(kept).config,
    resources: [
      { urn: "urn:pulumi:s::p::aws:ec2/instance:Instance::i-eeeeee", type: "x", id: "i-eeeeee", outputs: {} },
    ],
    locked: false,
    pending: 0,
  });
  return kept;
}

describe("cleanup", () => {
  it("without --yes lists the expired and orphaned stacks and changes nothing", async () => {
    const { deps, engine, sweeps } = await world();
    const report = await cleanup(deps, {
      olderThanMs: parseDuration("--older-than", "6h"),
      graceMs: 3_600_000,
      yes: false,
    });
    expect(report.stacks.map((s) => [s.batchId, s.action])).toEqual([
      ["20261128t090000z-cccccc", "would-destroy"],
      ["20261128t140000z-aaaaaa", "would-destroy"],
    ]);
    expect(engine.stacks.size).toBe(4);
    expect(engine.calls.filter((c) => ["destroy", "cancel", "removeStack"].includes(c))).toEqual([]);
    expect(sweeps[0]?.dryRun).toBe(true);
  });

  it("with --yes destroys expired and stale stacks (clearing the lock first), leaves live ones, then sweeps knowing which stacks remain", async () => {
    const { deps, engine, sweeps } = await world();
    const report = await cleanup(deps, { olderThanMs: 6 * 3_600_000, graceMs: 3_600_000, yes: true });
    expect(report.stacks.map((s) => [s.batchId, s.action])).toEqual([
      ["20261128t090000z-cccccc", "destroyed"],
      ["20261128t140000z-aaaaaa", "destroyed"],
    ]);
    expect([...engine.stacks.keys()].sort()).toEqual([
      "batch-20261128t175000z-bbbbbb",
      "batch-20261128t175500z-dddddd",
    ]);
    // The record-less stack's lock showed only when destroy touched it: cancelled, then destroyed.
    expect(engine.calls).toContain("cancel");
    expect(sweeps[0]).toEqual({
      dryRun: false,
      backend: deps.backendTag,
      graceMs: 3_600_000,
      // Younger than --older-than counts as existing whatever the backend says (it may be being created now);
      // the old record-less stack was destroyed, so it is gone.
      exists: {
        "20261128t140000z-aaaaaa": true,
        "20261128t175000z-bbbbbb": true,
        "20261128t090000z-cccccc": false,
        "20261128t175500z-dddddd": true,
      },
    });
  });

  it("leaves a batch whose record cannot be read, and asks the backend about a stack only when judging it", async () => {
    const { deps, engine } = await world();
    const failing = {
      ...deps.store,
      read: (batchId: string, name: string) =>
        batchId === "20261128t090000z-cccccc"
          ? Promise.reject(new Error("SlowDown: please reduce your request rate"))
          : deps.store.read(batchId, name),
      list: () => deps.store.list().then((ids) => [...ids, "20261128t090000z-cccccc"]),
    };
    const report = await cleanup(
      { ...deps, store: failing },
      { olderThanMs: 6 * 3_600_000, graceMs: 3_600_000, yes: true },
    );
    expect(report.stacks.map((s) => s.batchId)).toEqual(["20261128t140000z-aaaaaa"]);
    expect(engine.stacks.has("batch-20261128t090000z-cccccc")).toBe(true);
  });

  it("leaves an expired batch run with --keep alone, and destroys it with --include-kept", async () => {
    const { deps, engine, includeKept } = await world();
    const kept = await addKeptBatch(deps, engine);
    expect(kept.spec.keep).toBe(true);

    const report = await cleanup(deps, { olderThanMs: 6 * 3_600_000, graceMs: 3_600_000, yes: true });
    expect(report.stacks.find((s) => s.batchId === kept.batchId)).toMatchObject({ action: "kept" });
    expect(engine.stacks.has(kept.stackName)).toBe(true);
    expect(includeKept).toEqual([false]);

    const included = await cleanup(deps, {
      olderThanMs: 6 * 3_600_000,
      graceMs: 3_600_000,
      yes: true,
      includeKept: true,
    });
    expect(included.stacks.find((s) => s.batchId === kept.batchId)).toMatchObject({ action: "destroyed" });
    expect(engine.stacks.has(kept.stackName)).toBe(false);
    expect(includeKept).toEqual([false, true]);
  });

  it("without the Pulumi CLI still sweeps, counting every stack as existing, and names the stacks it cannot destroy", async () => {
    const { deps, engine, sweeps } = await world();
    const missing = new BenchError("PulumiCliMissing", "The Pulumi CLI is not installed.", {
      fix: "Install it from https://www.pulumi.com/docs/install/.",
    });
    engine.listStacks = () => Promise.reject(missing);
    engine.destroy = () => Promise.reject(missing);
    const lines: string[] = [];
    const report = await cleanup(
      { ...deps, progress: (line) => lines.push(line) },
      { olderThanMs: 6 * 3_600_000, graceMs: 3_600_000, yes: true },
    );
    // The records are read: the expired one needs Pulumi to destroy its stack; the record-less stacks cannot be seen.
    expect(report.stacks).toEqual([
      {
        batchId: "20261128t140000z-aaaaaa",
        why: "expired at 2026-11-28T17:30:00Z; the Pulumi CLI is not installed",
        action: "needs-pulumi",
      },
    ]);
    expect(report.pulumi).toBe(false);
    expect(sweeps[0]?.exists).toEqual({
      "20261128t140000z-aaaaaa": true,
      "20261128t175000z-bbbbbb": true,
      "20261128t090000z-cccccc": true,
      "20261128t175500z-dddddd": true,
    });
    expect(lines.join("\n")).toMatch(/not installed.*leftovers are swept only past their expiry/);
    expect(engine.calls.filter((c) => ["destroy", "cancel", "removeStack"].includes(c))).toEqual([]);
  });

  it("keeps its report of the stacks it destroyed when the sweep's listing fails", async () => {
    const { deps, engine } = await world();
    const report = await cleanup(
      {
        ...deps,
        sweep: () =>
          Promise.reject(
            new BenchError("AccessDenied", "Not allowed to call ec2:DescribeVpcs (UnauthorizedOperation).", {
              fix: "Grant ec2:DescribeVpcs to the cleanup role.",
            }),
          ),
      },
      { olderThanMs: 6 * 3_600_000, graceMs: 3_600_000, yes: true },
    );
    expect(report.stacks.map((s) => [s.batchId, s.action])).toEqual([
      ["20261128t090000z-cccccc", "destroyed"],
      ["20261128t140000z-aaaaaa", "destroyed"],
    ]);
    expect(engine.stacks.has("batch-20261128t140000z-aaaaaa")).toBe(false);
    expect(report.sweep).toBeNull();
    expect(report.sweepError).toEqual({
      code: "AccessDenied",
      message: "Not allowed to call ec2:DescribeVpcs (UnauthorizedOperation).",
      fix: "Grant ec2:DescribeVpcs to the cleanup role.",
    });
  });

  it("reads durations and refuses others", () => {
    expect(parseDuration("--grace", "90m")).toBe(5_400_000);
    expect(parseDuration("--older-than", "2d")).toBe(172_800_000);
    expect(() => parseDuration("--grace", "soon")).toThrow(/--grace 'soon' is not a duration/);
  });
});

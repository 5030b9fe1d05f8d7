import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { batchTags, isBatchId, newBatchId, stackNameForBatch } from "../../../stacks/batch-naming.js";
import { batchExpiresAt, instanceTiming } from "../../../stacks/instance-timing.js";
import { chooseZones, nextZone, zonesOffering } from "../../../stacks/zones.js";

describe("batch names", () => {
  it("makes sortable, unique ids and stack names", () => {
    const id = newBatchId(new Date("2026-11-28T12:00:00.123Z"), "ab12cd");
    expect(id).toBe("20261128t120000z-ab12cd");
    expect(isBatchId(id)).toBe(true);
    expect(stackNameForBatch(id)).toBe("batch-20261128t120000z-ab12cd");
    expect(isBatchId(newBatchId())).toBe(true);
    expect(() => stackNameForBatch("x; rm -rf /")).toThrow(/is not a batch id/);
  });
});

describe("batchTags", () => {
  const base = {
    batchId: "20261128t120000z-ab12cd",
    createdBy: "ci",
    expiresAt: new Date("2026-11-28T14:00:00.500Z"),
    backend: "s3://state",
  };

  it("tags every resource with batch, creator, expiry and backend, plus the user's tags", () => {
    expect(batchTags({ ...base, userTags: { project: "hpc-eval" } })).toEqual({
      project: "hpc-eval",
      "aws-bench:batch": "20261128t120000z-ab12cd",
      "aws-bench:created-by": "ci",
      "aws-bench:expires-at": "2026-11-28T14:00:00Z",
      "aws-bench:backend": "s3://state",
      "aws-bench:managed-by": "aws-bench",
      "aws-bench:stack": "batch-20261128t120000z-ab12cd",
    });
    expect(batchTags(base)["aws-bench:stack"]).toBe(stackNameForBatch(base.batchId));
    // Only a batch run with --keep says so.
    expect(batchTags({ ...base, keep: true })["aws-bench:keep"]).toBe("true");
    expect(batchTags({ ...base, keep: false })["aws-bench:keep"]).toBeUndefined();
  });

  it("refuses tags AWS or the tool reserve, and malformed ones", () => {
    expect(() => batchTags({ ...base, userTags: { "aws:x": "1" } })).toThrow(/reserved by AWS/);
    expect(() => batchTags({ ...base, userTags: { "aws-bench:batch": "other" } })).toThrow(/set by aws-bench/);
    expect(() => batchTags({ ...base, userTags: { k: "v".repeat(257) } })).toThrow(/at most 256/);
    expect(() => batchTags({ ...base, userTags: { k$: "v" } })).toThrow(/only letters/);
  });
});

describe("instanceTiming", () => {
  it("bounds the run with margins, slower boots for metal, and the user's cap", () => {
    expect(instanceTiming({ benchmarkSeconds: 600, bareMetal: false })).toEqual({
      runTimeoutMinutes: 20,
      shutdownAfterMinutes: 33,
      // boot 5 + pull 8 + 10 min of benchmarks + upload 5
      expectedMinutes: 28,
      // boot 5 + the shutdown timer
      maximumMinutes: 38,
      collectDeadlineMinutes: 43,
      capped: false,
    });
    expect(instanceTiming({ benchmarkSeconds: 600, bareMetal: true }).collectDeadlineMinutes).toBe(58);
    expect(instanceTiming({ benchmarkSeconds: 6000, bareMetal: false, maxMinutes: 60 })).toEqual({
      runTimeoutMinutes: 42,
      shutdownAfterMinutes: 55,
      expectedMinutes: 118,
      maximumMinutes: 60,
      collectDeadlineMinutes: 65,
      capped: true,
    });
    expect(() => instanceTiming({ benchmarkSeconds: 600, bareMetal: true, maxMinutes: 30 })).toThrow(/leaves no time/);
  });

  it("always fires the timer after the container's timeout and before the collector gives up", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.boolean(),
        fc.option(fc.integer({ min: 40, max: 2000 }), { nil: undefined }),
        (seconds, metal, max) => {
          const timing = instanceTiming({ benchmarkSeconds: seconds, bareMetal: metal, maxMinutes: max });
          expect(timing.runTimeoutMinutes).toBeGreaterThan(0);
          expect(timing.shutdownAfterMinutes).toBeGreaterThan(timing.runTimeoutMinutes);
          expect(timing.collectDeadlineMinutes).toBeGreaterThan(timing.shutdownAfterMinutes);
          if (max !== undefined) expect(timing.maximumMinutes).toBeLessThanOrEqual(max);
          expect(timing.maximumMinutes).toBe(timing.shutdownAfterMinutes + (metal ? 20 : 5));
          expect(timing.collectDeadlineMinutes).toBe(timing.maximumMinutes + 5);
          if (!timing.capped) expect(timing.runTimeoutMinutes * 60).toBeGreaterThanOrEqual(seconds * 1.5);
        },
      ),
    );
  });
});

describe("chooseZones", () => {
  it("spreads repeats over the zones that offer each type", () => {
    const offerings = { "m7i.large": ["use1-az4", "use1-az1", "use1-az2"], "c7g.large": ["use1-az6"] };
    expect(chooseZones(offerings, ["m7i.large", "c7g.large"], 4)).toEqual([
      { instanceType: "m7i.large", repeat: 0, zoneId: "use1-az1" },
      { instanceType: "m7i.large", repeat: 1, zoneId: "use1-az2" },
      { instanceType: "m7i.large", repeat: 2, zoneId: "use1-az4" },
      { instanceType: "m7i.large", repeat: 3, zoneId: "use1-az1" },
      { instanceType: "c7g.large", repeat: 0, zoneId: "use1-az6" },
      { instanceType: "c7g.large", repeat: 1, zoneId: "use1-az6" },
      { instanceType: "c7g.large", repeat: 2, zoneId: "use1-az6" },
      { instanceType: "c7g.large", repeat: 3, zoneId: "use1-az6" },
    ]);
    expect(() => chooseZones(offerings, ["p5.48xlarge"], 1)).toThrow(/no zone in this region offers p5\.48xlarge/);
    expect(() => chooseZones(offerings, ["m7i.large"], 0)).toThrow(/positive whole number/);
  });

  it("retries in the next zone offering the type (never the same zone), and spans the network over every offering zone", () => {
    const offerings = { "m7i.large": ["use1-az4", "use1-az1", "use1-az2"], "c7g.large": ["use1-az6"] };
    expect(nextZone(offerings["m7i.large"], "use1-az2")).toBe("use1-az4");
    expect(nextZone(offerings["m7i.large"], "use1-az4")).toBe("use1-az1");
    expect(nextZone(offerings["c7g.large"], "use1-az6")).toBeUndefined();
    expect(zonesOffering(offerings, ["m7i.large", "c7g.large"])).toEqual([
      "use1-az1",
      "use1-az2",
      "use1-az4",
      "use1-az6",
    ]);
  });
});

describe("batchExpiresAt", () => {
  it("gives up's budget, the longest instance life and an hour from the launch", () => {
    const start = new Date("2026-11-28T12:00:00Z");
    // 120 + 38 + 60 minutes
    expect(batchExpiresAt(start, [30, 38]).toISOString()).toBe("2026-11-28T15:38:00.000Z");
    expect(batchExpiresAt(start, []).toISOString()).toBe("2026-11-28T15:00:00.000Z");
  });
});

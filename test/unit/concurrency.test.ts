/** Bounded concurrency: order kept, the limit never exceeded, the next item started as soon as one finishes. */
import { describe, expect, it } from "vitest";
import { concurrencyLimit, mapWithConcurrency } from "../../src/concurrency.js";

describe("mapWithConcurrency", () => {
  /** Lets every pending promise callback run; no timer is involved, so nothing depends on how fast the host is. */
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

  it("keeps order, never runs more than the limit at once, and starts the next item when one finishes", async () => {
    const finish = new Map<number, () => void>();
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const result = mapWithConcurrency([0, 1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n);
      running++;
      peak = Math.max(peak, running);
      await new Promise<void>((resolve) => finish.set(n, resolve));
      running--;
      return n * 10;
    });

    await settle();
    expect(started).toEqual([0, 1]);
    // Items finish out of order; each finish lets exactly one more start.
    for (const [done, next] of [
      [1, 2],
      [0, 3],
      [3, 4],
      [2, 5],
    ] as const) {
      finish.get(done)?.();
      await settle();
      expect(started.at(-1)).toBe(next);
      expect(running).toBe(2);
    }
    finish.get(5)?.();
    finish.get(4)?.();

    expect(await result).toEqual([0, 10, 20, 30, 40, 50]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
  });
});

describe("concurrencyLimit", () => {
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

  it("runs jobs as they come, never more than the limit at once, the next waiting one when one finishes", async () => {
    const limit = concurrencyLimit(2);
    const finish = new Map<number, () => void>();
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const job = (n: number) => async () => {
      started.push(n);
      running++;
      peak = Math.max(peak, running);
      await new Promise<void>((resolve) => finish.set(n, resolve));
      running--;
      return n;
    };
    const results = [0, 1, 2, 3].map((n) => limit(job(n)));
    await settle();
    expect(started).toEqual([0, 1]);
    finish.get(1)?.();
    await settle();
    expect(started).toEqual([0, 1, 2]);
    // Its expectation is attached at once, so the rejection is handled when it comes.
    const failing = expect(limit(() => Promise.reject(new Error("no space")))).rejects.toThrow("no space");
    finish.get(0)?.();
    finish.get(2)?.();
    await settle();
    finish.get(3)?.();
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3]);
    await failing;
    expect(peak).toBe(2);
    // A failed job frees its place too.
    expect(await limit(() => Promise.resolve("after"))).toBe("after");
  });
});

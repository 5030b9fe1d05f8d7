/** collectGarbage (src/memory.ts) runs a full collection when asked: what was dropped is gone from the heap after it. */
import { describe, expect, it } from "vitest";
import { collectGarbage } from "../../src/memory.js";

describe("collectGarbage", () => {
  it("frees what is no longer referenced", () => {
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    let held: Array<{ index: number; text: string }> | undefined = Array.from({ length: 500_000 }, (_, index) => ({
      index,
      text: `item ${index}`,
    }));
    const holding = process.memoryUsage().heapUsed;
    expect(holding - before).toBeGreaterThan(20 * 1024 * 1024);
    expect(held.length).toBe(500_000);
    held = undefined;
    collectGarbage();
    expect(process.memoryUsage().heapUsed - before).toBeLessThan((holding - before) / 4);
  });
});

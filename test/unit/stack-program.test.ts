import { describe, expect, it } from "vitest";

describe("the Pulumi program (stacks/index.ts)", () => {
  it("stops with a plain 'not yet available' error instead of creating anything", async () => {
    await expect(import("../../stacks/index.js")).rejects.toThrow(/BenchmarkBatch stack program is not yet available.*nothing was created/);
  });
});

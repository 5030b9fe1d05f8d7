/**
 * The -mcmodel rule against the real toolchain: link-only builds of the project's own C file with three static
 * arrays of doubles (test/fixtures/generators/three-static-arrays.c, laid out as stream.c's) at the sizing rule's
 * limit and just past the size where the small code model stops linking on this machine, and the sizing rule
 * checked against both. Nothing is run: the question is only whether the program links.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { needsMediumCodeModel, sizeStream, smallCodeModelMaxElements } from "../../../src/benchmarks/stream/sizing.js";
import { fixturesDir } from "../../helpers/fixtures.js";
import { hasCommands } from "../../helpers/prerequisites.js";
import { useTempDir } from "../../helpers/temp-dir.js";

/** First size that failed to link without -mcmodel=medium here (gcc 12, x86_64; 134,216,963 links). */
const measuredFailingElements = 134_216_964;
const source = join(fixturesDir, "generators", "three-static-arrays.c");
const x86 = process.arch === "x64";
const hasGcc = hasCommands("link-only builds for the -mcmodel rule", ["cc"], "apt-get install gcc");

describe("the -mcmodel rule", () => {
  it("turns medium on just past the limit, with a margin below where linking fails, and never on arm64", () => {
    expect(smallCodeModelMaxElements).toBeLessThan(measuredFailingElements);
    expect(measuredFailingElements - smallCodeModelMaxElements).toBeGreaterThanOrEqual((32 * 1024 ** 2) / 16);
    expect(needsMediumCodeModel("x86_64", smallCodeModelMaxElements)).toBe(false);
    expect(needsMediumCodeModel("x86_64", smallCodeModelMaxElements + 1)).toBe(true);
    expect(needsMediumCodeModel("arm64", measuredFailingElements)).toBe(false);
    // 130 M elements (1.04 GB per array: stream.c links) needs nothing; 140 M (stream.c fails) needs medium.
    const host = { architecture: "x86_64" as const, availableMemoryMiB: 100_000 };
    expect(sizeStream({ ...host, lastLevelCacheBytes: 260_000_000 }).mcmodelMedium).toBe(false);
    expect(sizeStream({ ...host, lastLevelCacheBytes: 280_000_000 }).mcmodelMedium).toBe(true);
  });
});

describe.skipIf(!hasGcc || !x86)("three static arrays linked here (x86_64)", () => {
  const tempDir = useTempDir();
  const link = (elements: number, medium: boolean) =>
    spawnSync(
      "cc",
      [
        "-O3",
        "-fopenmp",
        `-DARRAY_SIZE=${elements}`,
        ...(medium ? ["-mcmodel=medium"] : []),
        source,
        "-o",
        join(tempDir(), `a-${elements}-${medium}`),
      ],
      { encoding: "utf8" },
    );

  it("links at the rule's limit without -mcmodel=medium, as the rule says", () => {
    expect(needsMediumCodeModel("x86_64", smallCodeModelMaxElements)).toBe(false);
    expect(link(smallCodeModelMaxElements, false).status).toBe(0);
  }, 60_000);

  it("fails to link just past the measured limit without it, links with it, and the rule asks for it there", () => {
    const small = link(measuredFailingElements, false);
    expect(small.status).not.toBe(0);
    expect(small.stderr).toMatch(/relocation truncated to fit/);
    expect(link(measuredFailingElements, true).status).toBe(0);
    expect(needsMediumCodeModel("x86_64", measuredFailingElements)).toBe(true);
  }, 60_000);
});

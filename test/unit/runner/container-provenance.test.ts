import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BenchError } from "../../../src/errors.js";
import { runLocal } from "../../../src/runner/local-run.js";
import { ProcessGroupSet } from "../../../src/runner/processes.js";
import { containerProvenance } from "../../../src/runner/result-document.js";
import { assertDocument } from "../../../src/schemas/documents.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const tempDir = useTempDir();
const digest = `sha256:${"0123456789abcdef".repeat(4)}`;

/** A run of no benchmark (only the host and the provenance) with `extra` in its environment. */
function runWith(extra: Record<string, string>) {
  const dir = tempDir();
  const outDir = join(dir, "out");
  const outcome = runLocal(
    {
      benchmarks: [],
      quick: true,
      outDir,
      cwd: dir,
      env: { PATH: "/usr/bin:/bin", HOME: dir, ...extra },
      programs: {},
      sources: {},
      imds: false,
      imageRoot: join(dir, "no-image"),
      progress: () => undefined,
    },
    new ProcessGroupSet(),
  );
  return { outDir, outcome };
}

describe("the image a run is in", () => {
  it("is read from the environment the image and user-data set", () => {
    expect(containerProvenance({ BENCHMARK_IMAGE_DIGEST: digest, BENCHMARK_CONTAINER_TAG: "graviton3" })).toEqual({
      imageDigest: digest,
      containerTag: "graviton3",
    });
    expect(containerProvenance({ BENCHMARK_IMAGE_DIGEST: digest })).toEqual({ imageDigest: digest });
    // Outside an image, or an image run by hand without its digest: no container is claimed.
    expect(containerProvenance({})).toBeUndefined();
    expect(containerProvenance({ BENCHMARK_CONTAINER_TAG: "x86-64" })).toBeUndefined();
    expect(containerProvenance({ BENCHMARK_IMAGE_DIGEST: "" })).toBeUndefined();
  });

  it.each([
    ["a tag instead of a digest", { BENCHMARK_IMAGE_DIGEST: "latest" }, /BENCHMARK_IMAGE_DIGEST "latest" is not/],
    ["a reference", { BENCHMARK_IMAGE_DIGEST: `repo@${digest}` }, /is not an image digest/],
    ["a short digest", { BENCHMARK_IMAGE_DIGEST: digest.slice(0, -1) }, /is not an image digest/],
    ["upper case", { BENCHMARK_IMAGE_DIGEST: digest.toUpperCase() }, /is not an image digest/],
    ["a newline", { BENCHMARK_IMAGE_DIGEST: `${digest}\n` }, /is not an image digest/],
    [
      "a bad container tag",
      { BENCHMARK_IMAGE_DIGEST: digest, BENCHMARK_CONTAINER_TAG: "Graviton 3" },
      /BENCHMARK_CONTAINER_TAG "Graviton 3" is not a container tag/,
    ],
  ])("refuses %s", (_case, env, message) => {
    expect(() => containerProvenance(env)).toThrow(message);
    expect(() => containerProvenance(env)).toThrow(BenchError);
  });

  it("is recorded in result.json, which validates", async () => {
    const { outcome, outDir } = runWith({ BENCHMARK_IMAGE_DIGEST: digest, BENCHMARK_CONTAINER_TAG: "x86-64" });
    const { result } = await outcome;
    expect(result.container).toEqual({ imageDigest: digest, containerTag: "x86-64" });
    const written = JSON.parse(readFileSync(join(outDir, "result.json"), "utf8")) as unknown;
    await expect(assertDocument("benchmark-result", written, "result.json")).resolves.toMatchObject({
      container: { imageDigest: digest },
    });
  });

  it("is absent from a local run outside an image", async () => {
    const { result } = await runWith({}).outcome;
    expect(result.container).toBeUndefined();
  });

  it("refuses a malformed digest before anything is written", async () => {
    const { outcome, outDir } = runWith({ BENCHMARK_IMAGE_DIGEST: "sha256:nope" });
    await expect(outcome).rejects.toMatchObject({ code: "InvalidArgument" });
    expect(existsSync(outDir)).toBe(false);
  });
});

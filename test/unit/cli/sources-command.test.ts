/**
 * `aws-bench sources fetch` — the image build's fetch step — against a mirror folder of stand-in files made here
 * (never the real sources) and a stand-in manifest: verified files are placed where a run looks for an image's
 * sources, a mismatch fails naming both sums, and the run then takes them as `image-source`.
 */
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { exec } from "../../../src/cli/main.js";
import { memoryIo } from "../../../src/cli/io.js";
import { builtinBenchmarks } from "../../../src/benchmarks/registry.js";
import { resolveProgram } from "../../../src/runner/programs.js";
import type { SourceManifest } from "../../../src/schemas/generated/source-manifest.js";
import { fixturesDir } from "../../helpers/fixtures.js";
import { standInHplPin } from "../../helpers/stand-in-sources.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const tempDir = useTempDir();
const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

async function run(...argv: string[]) {
  const io = memoryIo({ cwd: tempDir() });
  const code = await exec(argv, io);
  return { code, out: io.out(), err: io.err() };
}

/** A mirror of stand-in stream.c and hpl-2.3.tar.gz, and a manifest pinning exactly them. */
function standIns(): { mirror: string; manifestPath: string; manifest: SourceManifest } {
  const dir = tempDir();
  const mirror = join(dir, "mirror");
  mkdirSync(mirror, { recursive: true });
  cpSync(join(fixturesDir, "generators", "fake-stream.c"), join(mirror, "stream.c"));
  const top = join(dir, "pkg", "hpl-2.3");
  cpSync(join(fixturesDir, "generators", "fake-hpl-2.3"), top, { recursive: true });
  execFileSync("tar", ["-czf", join(mirror, "hpl-2.3.tar.gz"), "-C", join(dir, "pkg"), "hpl-2.3"]);
  const manifest: SourceManifest = {
    schemaVersion: 2,
    sources: {
      stream: {
        version: "5.10",
        fileName: "stream.c",
        url: "https://example.invalid/stream.c",
        archive: "file",
        sha256: sha256(join(mirror, "stream.c")),
        files: {},
        licence: "stand-in",
      },
      hpl: standInHplPin(sha256(join(mirror, "hpl-2.3.tar.gz"))),
    },
  };
  const manifestPath = join(dir, "sources.json");
  writeFileSync(manifestPath, JSON.stringify(manifest));
  return { mirror, manifestPath, manifest };
}

describe("aws-bench sources fetch", () => {
  it("places verified sources where a run looks first, and the run takes them as image-source", async () => {
    const { mirror, manifestPath, manifest } = standIns();
    const root = join(tempDir(), "image");
    const dest = join(root, "sources");
    const { code, out, err } = await run(
      "sources",
      "fetch",
      "--dest",
      dest,
      "--benchmarks",
      "stream,hpl",
      "--source-mirror",
      mirror,
      "--sources-manifest",
      manifestPath,
    );
    expect(err).toMatch(/not the runner's bundled manifest/);
    expect(code).toBe(0);
    expect(out).toMatch(/^stream 5\.10 [0-9a-f]{64} /m);
    expect(readFileSync(join(dest, "stream", "stream.c"))).toEqual(readFileSync(join(mirror, "stream.c")));
    // A source verified by its archive's SHA-256 is kept as that archive, so a run records the same checksum.
    expect(statSync(join(dest, "hpl")).isFile()).toBe(true);
    expect(sha256(join(dest, "hpl"))).toBe(manifest.sources["hpl"]?.sha256);
    for (const name of ["stream", "hpl"]) {
      const resolution = await resolveProgram(builtinBenchmarks.require(name), {
        programs: {},
        sources: {},
        imageRoot: root,
        manifest,
        cacheDir: join(tempDir(), "cache"),
        workDir: join(tempDir(), "work"),
        pathEnv: "",
      });
      expect(resolution.found && resolution.program.kind === "source" && resolution.program.how).toBe("image-source");
      if (resolution.found && resolution.program.kind === "source")
        expect(resolution.program.source?.verified).toBe("sha256");
    }
  });

  it("fails on a mismatch naming both sums, and places nothing unverified", async () => {
    const { mirror, manifestPath, manifest } = standIns();
    writeFileSync(join(mirror, "stream.c"), "/* not the pinned file */\n");
    const dest = join(tempDir(), "sources");
    const { code, err } = await run(
      "sources",
      "fetch",
      "--dest",
      dest,
      "--benchmarks",
      "stream",
      "--source-mirror",
      mirror,
      "--sources-manifest",
      manifestPath,
    );
    expect(code).not.toBe(0);
    expect(err).toMatch(/ChecksumMismatch/);
    expect(err).toContain(`expected ${manifest.sources["stream"]?.sha256 ?? "?"}, got `);
    expect(existsSync(join(dest, "stream"))).toBe(false);
  });

  it("checks its options before fetching anything", async () => {
    const dest = join(tempDir(), "never");
    const unknown = await run("sources", "fetch", "--dest", dest, "--benchmarks", "stream,linpack");
    expect(unknown.code).not.toBe(0);
    expect(unknown.err).toMatch(/no pinned source for linpack/);
    const mirror = await run("sources", "fetch", "--dest", dest, "--source-mirror", "ftp://x/");
    expect(mirror.code).not.toBe(0);
    expect(mirror.err).toMatch(/ftp: URLs are not supported/);
    expect(existsSync(dest)).toBe(false);
  });
});

/**
 * HPL built from a verified source, once per host (src/benchmarks/hpl/build.ts), through the whole local run:
 * the test makes a stand-in `hpl-2.3.tar.gz` with the real release's layout (a top folder, an executable
 * `configure` taking CC=, LIBS= and CFLAGS=, a Makefile it writes, `testing/xhpl`), pins its SHA-256 in a test
 * manifest and puts it in a mirror folder. The stand-in's xhpl is an MPI program that calls the BLAS it was linked
 * with and prints HPL 2.3's format; it is not HPL, so this proves the fetch-verify-configure-make-cache-run path
 * and the recorded provenance, not HPL's numbers.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runLocal, type LocalRunOptions } from "../../src/runner/local-run.js";
import { ProcessGroupSet } from "../../src/runner/processes.js";
import type { SourceManifest } from "../../src/schemas/generated/source-manifest.js";
import { fixturesDir } from "../helpers/fixtures.js";
import { hasCommands } from "../helpers/prerequisites.js";
import { useTempDir } from "../helpers/temp-dir.js";

const tempDir = useTempDir();
const hasMpi = hasCommands(
  "HPL built from source",
  ["mpicc", "mpirun", "make", "tar"],
  "apt-get install libopenmpi-dev openmpi-bin libopenblas-dev make",
);
afterEach(() => {
  vi.unstubAllEnvs();
});

/** The stand-in release archive, made here from test/fixtures/generators/fake-hpl-2.3 under a top folder. */
function standInRelease(dir: string): { archive: string; sha256: string } {
  const top = join(dir, "pkg", "hpl-2.3");
  mkdirSync(join(dir, "pkg"), { recursive: true });
  cpSync(join(fixturesDir, "generators", "fake-hpl-2.3"), top, { recursive: true });
  const mirror = join(dir, "mirror");
  mkdirSync(mirror, { recursive: true });
  const archive = join(mirror, "hpl-2.3.tar.gz");
  execFileSync("tar", ["-czf", archive, "-C", join(dir, "pkg"), "hpl-2.3"]);
  return { archive, sha256: createHash("sha256").update(readFileSync(archive)).digest("hex") };
}

describe.skipIf(!hasMpi)("HPL from a verified source", () => {
  it("builds HPL once per host from the pinned archive in a mirror, runs it, and records how it was built", async () => {
    const dir = tempDir();
    const { sha256 } = standInRelease(dir);
    const configureCalls = join(dir, "configure-calls.txt");
    vi.stubEnv("HPL_STANDIN_CONFIGURE_LOG", configureCalls);
    const manifest: SourceManifest = {
      schemaVersion: 2,
      sources: {
        hpl: {
          version: "2.3",
          fileName: "hpl-2.3.tar.gz",
          url: "https://example.invalid/hpl-2.3.tar.gz",
          archive: "tar.gz",
          stripComponents: 1,
          sha256,
          files: {},
          licence: "test",
        },
      },
    };
    const run = (out: string) => {
      const options: LocalRunOptions = {
        benchmarks: ["hpl"],
        quick: true,
        trials: 1,
        outDir: join(dir, out),
        cwd: dir,
        env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", XDG_CACHE_HOME: join(dir, "cache") },
        programs: {},
        sources: {},
        imds: false,
        imageRoot: join(dir, "no-image"),
        sourceMirror: join(dir, "mirror"),
        manifest,
        overrides: { hplN: 256, hplNb: 64 },
        progress: () => undefined,
      };
      return runLocal(options, new ProcessGroupSet());
    };

    const first = await run("first");
    expect(first.skipped).toEqual([]);
    const [section] = first.result.benchmarks;
    expect(section).toMatchObject({
      benchmark: "hpl",
      implementation: "hpl-2.3",
      validity: { valid: true },
      parameters: { program: "manifest", n: 256, nb: 64 },
      build: {
        source: { sha256, checksumOf: "file", verified: "sha256", pinned: "hpl 2.3", origin: "source-mirror" },
        compiler: expect.stringMatching(/\(through mpicc\)$/),
        flags: expect.stringMatching(/^-O3 -m(arch|cpu)=native$/),
        buildCommand: expect.stringMatching(
          /^\.\/configure CC=mpicc LIBS=-l\w+ CFLAGS="-O3 -m(arch|cpu)=native" && make -j\d+$/,
        ),
        target: expect.stringMatching(/^(x86_64 -march|arm64 -mcpu)=native/),
        cached: false,
      },
    });
    expect(section?.build?.blas).toMatch(/OpenBLAS|BLIS|reference BLAS/);
    // configure ran with the BLAS it chose, and the Makefile it wrote built xhpl with it.
    expect(readFileSync(join(dir, "first", "build", "hpl-make.log"), "utf8")).toMatch(
      /-O3 -m(arch|cpu)=native -o testing\/xhpl testing\/xhpl\.c -l\w+/,
    );
    expect(first.result.rawFiles.map((file) => file.path)).toContain("build/hpl-configure.log");
    const cached = readdirSync(join(dir, "cache", "aws-bench", "builds"));
    expect(cached).toEqual([expect.stringMatching(/^hpl-[0-9a-f]{16}$/)]);

    // The second run on this host reuses the build: configure does not run again.
    const second = await run("second");
    expect(second.result.benchmarks[0]).toMatchObject({
      validity: { valid: true },
      build: { cached: true, source: { origin: "cache" } },
    });
    expect(readFileSync(configureCalls, "utf8").trim().split("\n")).toHaveLength(1);
    expect(existsSync(join(dir, "second", "build", "hpl-configure.log"))).toBe(false);
  }, 240_000);

  it("does not build from an archive whose checksum differs: HPL falls back, and the reason names both sums", async () => {
    const dir = tempDir();
    const { sha256 } = standInRelease(dir);
    const pinned = "f".repeat(64);
    const outcome = await runLocal(
      {
        benchmarks: ["hpl"],
        quick: true,
        trials: 1,
        outDir: join(dir, "out"),
        cwd: dir,
        // No mpirun on PATH: nothing would run HPL anyway, so the run stops at the program's resolution.
        env: { PATH: join(dir, "empty-path"), XDG_CACHE_HOME: join(dir, "cache") },
        programs: {},
        sources: {},
        imds: false,
        imageRoot: join(dir, "no-image"),
        sourceMirror: join(dir, "mirror"),
        manifest: {
          schemaVersion: 2,
          sources: {
            hpl: {
              version: "2.3",
              fileName: "hpl-2.3.tar.gz",
              url: "https://example.invalid/hpl-2.3.tar.gz",
              archive: "tar.gz",
              sha256: pinned,
              files: {},
              licence: "test",
            },
          },
        },
        progress: () => undefined,
      },
      new ProcessGroupSet(),
    );
    expect(outcome.skipped[0]?.reason).toContain(
      `manifest hpl 2.3: --source-mirror hpl-2.3.tar.gz: checksum mismatch for hpl-2.3.tar.gz: expected ${pinned}, got ${sha256}; not used`,
    );
    expect(existsSync(join(dir, "cache", "aws-bench", "builds"))).toBe(false);
  });
});

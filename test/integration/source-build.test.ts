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
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runLocal, type LocalRunOptions } from "../../src/runner/local-run.js";
import { ProcessGroupSet } from "../../src/runner/processes.js";
import type { SourceManifest } from "../../src/schemas/generated/source-manifest.js";
import { fixturesDir } from "../helpers/fixtures.js";
import { hasCommands } from "../helpers/prerequisites.js";
import { standInHplPin } from "../helpers/stand-in-sources.js";
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
        hpl: standInHplPin(sha256),
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
            hpl: standInHplPin(pinned, { topFolder: false }),
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

describe.skipIf(!hasMpi)("CoreMark from a verified source, with its Makefile", () => {
  /**
   * A stand-in CoreMark 1.01 release made here: the fake CoreMark's files in the real layout (top folder, a
   * Makefile building `coremark.exe` from PORT_DIR and XCFLAGS, linux64/ with core_portme.mak) and one file the
   * manifest does not list, archived; the manifest pins each listed file and an archive checksum that differs
   * (GitHub's tag archives are not byte-stable), so the per-file check decides.
   */
  function standInCoremark(dir: string): { manifest: SourceManifest; mirror: string } {
    const top = join(dir, "pkg", "coremark-1.01");
    cpSync(join(fixturesDir, "generators", "fake-coremark"), top, { recursive: true });
    cpSync(join(top, "posix"), join(top, "linux64"), { recursive: true });
    rmSync(join(top, "posix"), { recursive: true });
    writeFileSync(join(top, "linux64", "core_portme.mak"), "PORT_CFLAGS = -O2\nLFLAGS_END = -lrt\n");
    writeFileSync(
      join(top, "Makefile"),
      [
        "# A stand-in for CoreMark's Makefile (written for this project): coremark.exe from PORT_DIR and XCFLAGS.",
        "include $(PORT_DIR)/core_portme.mak",
        "SRCS = core_list_join.c core_main.c core_matrix.c core_state.c core_util.c $(PORT_DIR)/core_portme.c",
        "coremark.exe: $(SRCS)",
        '\tgcc $(PORT_CFLAGS) $(XCFLAGS) -I$(PORT_DIR) -I. -DFLAGS_STR=\\""$(PORT_CFLAGS) $(XCFLAGS)"\\" $(SRCS) -o $@ $(LFLAGS_END)',
        "",
      ].join("\n"),
    );
    writeFileSync(join(top, "unlisted.txt"), "not in the manifest\n");
    const mirror = join(dir, "mirror");
    mkdirSync(mirror, { recursive: true });
    execFileSync("tar", ["-czf", join(mirror, "coremark-1.01.tar.gz"), "-C", join(dir, "pkg"), "coremark-1.01"]);
    const files: Record<string, string> = {};
    const walk = (folder: string, prefix: string) => {
      for (const entry of readdirSync(folder, { withFileTypes: true })) {
        const path = prefix ? `${prefix}/${entry.name}` : entry.name;
        if (entry.isDirectory()) walk(join(folder, entry.name), path);
        else if (entry.name !== "unlisted.txt")
          files[path] = createHash("sha256")
            .update(readFileSync(join(folder, entry.name)))
            .digest("hex");
      }
    };
    walk(top, "");
    const manifest: SourceManifest = {
      schemaVersion: 2,
      sources: {
        coremark: {
          version: "1.01",
          fileName: "coremark-1.01.tar.gz",
          url: "https://example.invalid/archive/refs/tags/v1.01.tar.gz",
          archive: "tar.gz",
          stripComponents: 1,
          sha256: "0".repeat(64),
          files,
          licence: "test",
        },
      },
    };
    return { manifest, mirror };
  }

  const runCoremark = (dir: string, manifest: SourceManifest, mirror: string) =>
    runLocal(
      {
        benchmarks: ["coremark"],
        quick: true,
        trials: 1,
        outDir: join(dir, "out"),
        cwd: dir,
        env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", XDG_CACHE_HOME: join(dir, "cache") },
        programs: {},
        sources: {},
        imds: false,
        imageRoot: join(dir, "no-image"),
        sourceMirror: mirror,
        manifest,
        overrides: { coremarkThreads: 2 },
        progress: () => undefined,
      },
      new ProcessGroupSet(),
    );

  it("builds with make PORT_DIR=linux64 and the expert's XCFLAGS, runs the performance and validation runs", async () => {
    const dir = tempDir();
    const { manifest, mirror } = standInCoremark(dir);
    const outcome = await runCoremark(dir, manifest, mirror);
    expect(outcome.skipped).toEqual([]);
    const [section] = outcome.result.benchmarks;
    const xcflags = /^-O3 -m(arch|cpu)=native -DMULTITHREAD=2 -DUSE_PTHREAD -pthread -DPERFORMANCE_RUN=1$/;
    expect(section).toMatchObject({
      benchmark: "coremark",
      implementation: "coremark-pthread",
      validity: { valid: true },
      build: {
        source: { verified: "files", pinned: "coremark 1.01", origin: "source-mirror" },
        flags: expect.stringMatching(xcflags),
        buildCommand: expect.stringMatching(
          /^make PORT_DIR=linux64 XCFLAGS="-O3 .*-DPERFORMANCE_RUN=1" coremark\.exe$/,
        ),
        target: expect.stringMatching(/native/),
      },
    });
    expect(section?.configurations.map((c) => [c.id, c.trials.length])).toEqual([
      ["all-threads", 1],
      ["validation", 1],
    ]);
    // The binary that ran was built by the Makefile with those flags: CoreMark prints them.
    const printed = readFileSync(join(dir, "out", "raw", "coremark", "validation", "trial-1-rerun.txt"), "utf8");
    expect(printed).toMatch(/^2K validation run parameters for coremark\./m);
    expect(printed).toMatch(/Compiler flags\s+: -O2 -O3 -m(arch|cpu)=native -DMULTITHREAD=2 -DUSE_PTHREAD -pthread/);
  }, 120_000);

  it("marks the performance runs invalid when the validation run fails", async () => {
    const dir = tempDir();
    const { manifest, mirror } = standInCoremark(dir);
    vi.stubEnv("COREMARK_STANDIN_FAIL_VALIDATION", "1");
    const outcome = await runCoremark(dir, manifest, mirror);
    const [section] = outcome.result.benchmarks;
    expect(section?.validity.valid).toBe(false);
    expect(section?.validity.reason).toMatch(/the run rules' validation run failed: .*Errors detected|ERROR/);
  }, 120_000);
});

/**
 * `aws-bench sources build`, the image build's HPL step, and the run that takes its program: a stand-in HPL 2.3
 * tree of the project's own (test/fixtures/generators/fake-hpl-2.3: a configure taking CC=, LIBS=, CFLAGS= and an
 * MPI xhpl printing HPL 2.3's format; not HPL) is placed as an image's source, built for a container tag's target
 * into the image's bin/ with its build record, and a local run with that image root then runs it without building
 * and records the image's build. Also the Spack image's record, and records a run must not trust.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { exec } from "../../src/cli/main.js";
import { memoryIo } from "../../src/cli/io.js";
import { builtinBenchmarks } from "../../src/benchmarks/registry.js";
import { runLocal } from "../../src/runner/local-run.js";
import { ProcessGroupSet } from "../../src/runner/processes.js";
import { resolveProgram } from "../../src/runner/programs.js";
import type { SourceManifest } from "../../src/schemas/generated/source-manifest.js";
import { fixturesDir } from "../helpers/fixtures.js";
import { hasCommands } from "../helpers/prerequisites.js";
import { useTempDir } from "../helpers/temp-dir.js";

const tempDir = useTempDir();
const hasMpi = hasCommands(
  "HPL built into an image",
  ["mpicc", "mpirun", "make"],
  "apt-get install libopenmpi-dev openmpi-bin libopenblas-dev make",
);
afterEach(() => {
  vi.unstubAllEnvs();
});

async function cli(cwd: string, ...argv: string[]) {
  const io = memoryIo({ cwd, env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin" } });
  const code = await exec(argv, io);
  return { code, out: io.out(), err: io.err() };
}

/** An image root holding the stand-in HPL tree as its source, as `sources fetch` places a tree. */
function imageWithHplSource(): string {
  const root = join(tempDir(), "image");
  mkdirSync(join(root, "sources"), { recursive: true });
  cpSync(join(fixturesDir, "generators", "fake-hpl-2.3"), join(root, "sources", "hpl"), { recursive: true });
  return root;
}

const resolveIn = (imageRoot: string) =>
  resolveProgram(builtinBenchmarks.require("hpl"), {
    programs: {},
    sources: {},
    imageRoot,
    manifest: { schemaVersion: 2, sources: {} } satisfies SourceManifest,
    cacheDir: join(tempDir(), "cache"),
    workDir: join(tempDir(), "work"),
    pathEnv: "",
  });

describe.skipIf(!hasMpi)("HPL built with the image", () => {
  it("builds for the tag's target once, and a run takes that program without building and records its build", async () => {
    const root = imageWithHplSource();
    const configureCalls = join(tempDir(), "configure-calls.txt");
    vi.stubEnv("HPL_STANDIN_CONFIGURE_LOG", configureCalls);
    const built = await cli(tempDir(), "sources", "build", "--image-root", root, "--target-flag=-march=x86-64");
    expect(built.err).toMatch(/hpl: built for x86_64 -march=x86-64 into /);
    expect(built.code).toBe(0);
    const record = JSON.parse(readFileSync(join(root, "bin", "xhpl.build.json"), "utf8")) as Record<string, unknown>;
    expect(record).toMatchObject({
      source: { checksumOf: "tree", origin: "image-source", verified: "not-pinned" },
      flags: "-O3 -march=x86-64",
      buildCommand: expect.stringMatching(/^\.\/configure CC=mpicc LIBS=-l\w+ CFLAGS="-O3 -march=x86-64" && make/),
      target: "x86_64 -march=x86-64",
      prebuiltInImage: true,
    });
    expect(record).not.toHaveProperty("cached");
    expect(readFileSync(configureCalls, "utf8").trim().split("\n")).toHaveLength(1);

    const dir = tempDir();
    const run = await runLocal(
      {
        benchmarks: ["hpl"],
        quick: true,
        trials: 1,
        outDir: join(dir, "run"),
        cwd: dir,
        env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", XDG_CACHE_HOME: join(dir, "cache") },
        programs: {},
        sources: {},
        imds: false,
        imageRoot: root,
        overrides: { hplN: 256, hplNb: 64 },
        progress: () => undefined,
      },
      new ProcessGroupSet(),
    );
    expect(run.skipped).toEqual([]);
    expect(run.result.benchmarks[0]).toMatchObject({
      benchmark: "hpl",
      implementation: "hpl-2.3",
      validity: { valid: true },
      parameters: { program: "image-program" },
      build: record,
    });
    // Nothing was configured or built during the run.
    expect(readFileSync(configureCalls, "utf8").trim().split("\n")).toHaveLength(1);
    expect(existsSync(join(dir, "run", "build", "hpl-configure.log"))).toBe(false);
  }, 240_000);

  it("refuses a bad target or a missing source before touching the program already there", async () => {
    const root = imageWithHplSource();
    mkdirSync(join(root, "bin"));
    writeFileSync(join(root, "bin", "xhpl"), "#!/bin/sh\necho previous\n", { mode: 0o755 });
    for (const flag of ["--target-flag=-O3 -march=native", "--target-flag=-march=x86-64;rm", "--target-flag=native"]) {
      const refused = await cli(tempDir(), "sources", "build", "--image-root", root, flag);
      expect(refused.code).not.toBe(0);
      expect(refused.err).toMatch(/is not a CPU target flag/);
    }
    const noSource = await cli(
      tempDir(),
      "sources",
      "build",
      "--image-root",
      join(tempDir(), "empty"),
      "--target-flag=-march=x86-64",
    );
    expect(noSource.err).toMatch(/No HPL source in the image: .* does not exist/);
    const mixed = await cli(
      tempDir(),
      "sources",
      "build",
      "--image-root",
      root,
      "--target-flag=-march=x86-64",
      "--cache-dir",
      "/tmp",
    );
    expect(mixed.err).toMatch(/--cache-dir applies to `sources fetch`, not `sources build`/);
    const fetchWithTarget = await cli(
      tempDir(),
      "sources",
      "fetch",
      "--dest",
      join(tempDir(), "s"),
      "--target-flag=-march=x86-64",
    );
    expect(fetchWithTarget.err).toMatch(/--target-flag applies to `sources build`/);
    expect(readFileSync(join(root, "bin", "xhpl"), "utf8")).toContain("previous");
    expect(existsSync(join(root, "bin", "xhpl.build.json"))).toBe(false);
  });
});

describe("the build records an image carries", () => {
  it("a Spack image's HPL is recorded with its Spack target, and a run reads it back", async () => {
    const root = join(tempDir(), "image");
    const view = join(tempDir(), "spack-view");
    mkdirSync(join(view, "bin"), { recursive: true });
    writeFileSync(join(view, "bin", "xhpl"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    const bad = await cli(
      tempDir(),
      "sources",
      "build",
      "--image-root",
      root,
      "--spack-view",
      view,
      "--spack-target",
      "Zen3;",
    );
    expect(bad.err).toMatch(/is not a target name/);
    const noTarget = await cli(tempDir(), "sources", "build", "--image-root", root, "--spack-view", view);
    expect(noTarget.err).toMatch(/--spack-view needs --spack-target/);
    expect(existsSync(join(root, "bin"))).toBe(false);

    const recorded = await cli(
      tempDir(),
      "sources",
      "build",
      "--image-root",
      root,
      "--spack-view",
      view,
      "--spack-target",
      "zen3",
      "--json",
    );
    expect(recorded.code).toBe(0);
    const resolution = await resolveIn(root);
    expect(resolution.found && resolution.program).toMatchObject({
      kind: "binary",
      how: "image-program",
      build: {
        target: "spack target=zen3",
        spackTarget: "zen3",
        prebuiltInImage: true,
        source: { verified: "sha256", pinned: "hpl 2.3", origin: "source-mirror" },
      },
    });
    expect(JSON.parse(recorded.out)).toMatchObject({
      programs: [{ benchmark: "hpl", build: { spackTarget: "zen3" } }],
    });
  });

  it("a record that is not a build record is left out with a note, and the program still runs", async () => {
    const root = join(tempDir(), "image");
    mkdirSync(join(root, "bin"), { recursive: true });
    writeFileSync(join(root, "bin", "xhpl"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    const cases: [unknown, RegExp][] = [
      [{ compiler: "gcc", flags: "-O3" }, /no compiler, flags or target/],
      [{ compiler: "gcc", flags: "-O3", target: "x", injected: true }, /unknown field injected/],
      [{ compiler: "gcc", flags: 3, target: "x" }, /flags is not a string/],
      [{ compiler: "gcc", flags: "-O3", target: "x", spackTarget: "a b" }, /is not a target name/],
      [
        { compiler: "gcc", flags: "-O3", target: "x", source: { sha256: "x", checksumOf: "file", verified: "sha256" } },
        /source is not a source record/,
      ],
      ["[1, 2]", /not an object/],
    ];
    for (const [record, reason] of cases) {
      writeFileSync(join(root, "bin", "xhpl.build.json"), typeof record === "string" ? record : JSON.stringify(record));
      const resolution = await resolveIn(root);
      expect(resolution.found && resolution.program).toEqual({
        kind: "binary",
        how: "image-program",
        path: join(root, "bin", "xhpl"),
      });
      expect(resolution.attempts.join("\n")).toMatch(reason);
    }
    writeFileSync(join(root, "bin", "xhpl.build.json"), " ".repeat(70 * 1024));
    expect((await resolveIn(root)).attempts.join("\n")).toMatch(/larger than 64 KiB/);
  });
});

import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { exec } from "../../../src/cli/main.js";
import { memoryIo } from "../../../src/cli/io.js";
import { runContractArgs } from "../../../src/images/run-contract.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const root = join(import.meta.dirname, "..", "..", "..");
const tempDir = useTempDir();

beforeAll(() => {
  // The images copy the runner bundle; make it as `npm run bundle` does (the build already ran in npm test).
  execFileSync(process.execPath, [join(root, "scripts", "bundle-runner.mjs")], { stdio: "ignore" });
}, 60_000);

async function build(...args: string[]) {
  const io = memoryIo({ cwd: tempDir() });
  const code = await exec(["build", ...args], io);
  return { code, out: io.out(), err: io.err() };
}

describe("aws-bench build", () => {
  it("lists every tag's build command and content-hash tag with --dry-run --all --json", async () => {
    const { code, out } = await build("--all", "--dry-run", "--json");
    expect(code).toBe(0);
    const { builds } = JSON.parse(out) as {
      builds: Array<{ tag: string; platform: string; image: string; contentHash: string; command: string[] }>;
    };
    const tags = (
      JSON.parse(readFileSync(join(root, "configs", "container-tags.json"), "utf8")) as {
        tags: Array<{ tag: string; platform: string }>;
      }
    ).tags;
    expect(builds.map((b) => [b.tag, b.platform])).toEqual(tags.map((t) => [t.tag, t.platform]));
    for (const b of builds) {
      expect(b.image).toBe(`aws-bench:${b.tag}-distro-${b.contentHash}`);
      expect(b.contentHash).toMatch(/^[0-9a-f]{16}$/);
      expect(b.command.slice(0, 6)).toEqual([
        "docker",
        "build",
        "--file",
        "containers/Dockerfile",
        "--platform",
        b.platform,
      ]);
      expect(b.command).toContain(`CONTAINER_TAG=${b.tag}`);
      expect(b.command.at(-1)).toBe(".");
    }
    expect(new Set(builds.map((b) => b.contentHash)).size).toBe(builds.length);
    const again = JSON.parse((await build("--all", "--dry-run", "--json")).out) as { builds: Array<{ image: string }> };
    expect(again.builds.map((b) => b.image)).toEqual(builds.map((b) => b.image));
  });

  it("filters by platform, names registries, and reuses a cache image", async () => {
    const { out } = await build(
      "--all",
      "--platform",
      "linux/arm64",
      "--registry",
      "123456789012.dkr.ecr.us-east-1.amazonaws.com",
      "--cache-from",
      "cache:latest",
      "--dry-run",
      "--json",
    );
    const { builds } = JSON.parse(out) as { builds: Array<{ tag: string; image: string; command: string[] }> };
    expect(builds.every((b) => b.tag.startsWith("graviton"))).toBe(true);
    expect(builds[0]?.image).toMatch(
      /^123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/aws-bench:graviton\d-distro-[0-9a-f]{16}$/,
    );
    expect(builds[0]?.command).toEqual(expect.arrayContaining(["--cache-from", "cache:latest"]));
  });

  it("rejects unknown tags (listing the known ones) and a missing selection", async () => {
    const unknown = await build("--tags", "intel-pentium", "--dry-run");
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/Unknown container tag\(s\): intel-pentium[\s\S]*Known tags: amd-zen1/);
    expect((await build("--dry-run")).code).toBe(2);
  });

  it("runs the engine with the definition's command, and says how to start one when none answers", async () => {
    const dir = tempDir();
    const log = join(dir, "engine.log");
    const engine = join(dir, "fake-engine");
    writeFileSync(engine, `#!/bin/sh\necho "$@" >> "${log}"\n`);
    chmodSync(engine, 0o755);
    const { code, out } = await build("--tags", "x86-64", "--engine", engine);
    expect(code).toBe(0);
    const calls = readFileSync(log, "utf8").trim().split("\n");
    expect(calls[0]).toBe("version");
    expect(calls[1]).toMatch(
      /^build --file containers\/Dockerfile --platform linux\/amd64 .*--tag aws-bench:x86-64-distro-[0-9a-f]{16} \.$/,
    );
    expect(out.trim()).toMatch(/^aws-bench:x86-64-distro-[0-9a-f]{16}$/);
    const missing = await build("--tags", "x86-64", "--engine", join(dir, "no-such-engine"));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/error \[EngineUnreachable\][\s\S]*DOCKER_HOST/);
    writeFileSync(
      engine,
      `#!/bin/sh\nif [ "$1" = build ]; then echo "STEP 2/9: RUN apt-get install nothing"; echo "error: package not found" >&2; exit 1; fi\n`,
    );
    const failed = await build("--tags", "x86-64", "--engine", engine);
    expect(failed.err).toMatch(
      /error \[BuildFailed\]: building x86-64 failed \(exit 1\): STEP 2\/9: RUN apt-get install nothing \| error: package not found/,
    );
  });
});

describe("the run contract", () => {
  it("is one argument list: host network and IPC, SYS_NICE, all three limits, results at /results", () => {
    expect(
      runContractArgs({
        resultsDir: "/var/aws-bench/out",
        image: "img:1",
        runnerArgs: ["run", "--benchmarks", "stream,hpl"],
      }),
    ).toEqual([
      "run",
      "--rm",
      "--network",
      "host",
      "--ipc=host",
      "--cap-add",
      "SYS_NICE",
      "--ulimit",
      "memlock=-1:-1",
      "--ulimit",
      "nofile=65536:65536",
      "--ulimit",
      "nproc=65536:65536",
      "-v",
      "/var/aws-bench/out:/results",
      "img:1",
      "run",
      "--benchmarks",
      "stream,hpl",
    ]);
  });
});

/** `aws-bench build`: build (and push) benchmark images with the local Docker-compatible engine. */
import { spawn, spawnSync } from "node:child_process";
import { arch } from "node:os";
import { defineCommand } from "../command.js";
import { BenchError } from "../../errors.js";
import { ExitCode } from "../errors.js";
import type { ImageBuild } from "../../images/build-definition.js";

/** The `build` command. */
export const buildCommand = defineCommand({
  command: "build",
  describe: "Build (and push) the benchmark images, content-hash tagged",
  options: {
    tags: { type: "string", describe: "Comma-separated container tags (configs/container-tags.json)" },
    all: { type: "boolean", default: false, describe: "Every container tag" },
    registry: { type: "string", describe: "Registry host to tag (and push) for, e.g. an ECR registry" },
    namespace: { type: "string", default: "aws-bench", describe: "Repository name" },
    platform: { choices: ["linux/amd64", "linux/arm64"] as const, describe: "Only tags of this platform" },
    toolchain: {
      choices: ["distro", "spack"] as const,
      default: "distro" as const,
      describe: "distro: Debian's toolchain and hpcc; spack: HPL 2.3 from spack-configs (not yet available)",
    },
    "cache-from": { type: "string", describe: "Reuse layers from this image (a long-lived cache repository)" },
    engine: {
      type: "string",
      default: "docker",
      describe: "Docker-compatible CLI (docker honours DOCKER_HOST; podman works too)",
    },
    push: {
      type: "boolean",
      default: false,
      describe: "Push after building (ECR registries are logged in to with your AWS credentials; others: log in first)",
    },
    "dry-run": {
      type: "boolean",
      default: false,
      describe: "Print each build command and content-hash tag; build nothing",
    },
  },
  examples: [
    ["$0 build --all --dry-run --json", "every tag's build command and content-hash tag"],
    [
      "$0 build --tags intel-icelake,graviton3 --registry 123456789012.dkr.ecr.us-east-1.amazonaws.com --push",
      "build and push two images",
    ],
    ["$0 build --tags x86-64 --engine podman", "build the generic x86-64 image with podman"],
  ],
  async run(args, { io }) {
    if (!args.all && !args.tags)
      throw new BenchError("UsageError", "Name the images: --tags t1,t2 or --all.", {
        fix: "e.g. aws-bench build --tags intel-icelake --dry-run",
      });
    const { readDocument } = await import("../../schemas/documents.js");
    const { packagePath } = await import("../../package-files.js");
    const { imageBuildDefinition } = await import("../../images/build-definition.js");
    const list = await readDocument("container-tags", packagePath("configs", "container-tags.json"));
    const known = list.tags.map((tag) => tag.tag);
    const wanted = args.all
      ? known
      : (args.tags ?? "")
          .split(",")
          .map((tag) => tag.trim())
          .filter(Boolean);
    const unknown = wanted.filter((tag) => !known.includes(tag));
    if (unknown.length > 0)
      throw new BenchError("InvalidArgument", `Unknown container tag(s): ${unknown.join(", ")}.`, {
        fix: `Known tags: ${known.join(", ")}.`,
      });
    const selected = list.tags.filter(
      (tag) => wanted.includes(tag.tag) && (!args.platform || tag.platform === args.platform),
    );
    const builds = selected.map((tag) =>
      imageBuildDefinition(tag, args.toolchain, {
        registry: args.registry,
        namespace: args.namespace,
        cacheFrom: args["cache-from"],
      }),
    );
    const lines = builds.map((build) => ({
      tag: build.tag,
      platform: build.platform,
      toolchain: build.toolchain,
      image: build.image,
      contentHash: build.contentHash,
      command: [args.engine, ...build.command],
    }));
    if (args["dry-run"]) {
      if (args.json) io.stdout.write(`${JSON.stringify({ builds: lines }, null, 2)}\n`);
      else
        for (const line of lines)
          io.stdout.write(`${line.tag} (${line.platform}): ${line.image}\n  ${line.command.map(quote).join(" ")}\n`);
      return ExitCode.Success;
    }
    if (args.toolchain === "spack")
      throw new BenchError("NotYetAvailable", "The spack toolchain images are not yet available.", {
        fix: "Build with --toolchain distro.",
      });
    checkEngine(args.engine);
    if (args.push && args.registry) {
      const { loginToRegistry } = await import("../../images/registry-login.js");
      if (await loginToRegistry(args.engine, args.registry, { profile: args.profile, region: args.region }))
        io.stderr.write(`build: logged ${args.engine} in to ${args.registry.split("/")[0] ?? ""}\n`);
    }
    for (const build of builds) {
      checkPlatform(build, args.engine);
      io.stderr.write(`build: ${build.tag} (${build.platform}) → ${build.image}\n`);
      await runEngine(args.engine, build.command, build.context, io.stderr, `building ${build.tag}`);
      if (args.push)
        await runEngine(args.engine, ["push", build.image], build.context, io.stderr, `pushing ${build.image}`);
    }
    if (args.json) io.stdout.write(`${JSON.stringify({ builds: lines, pushed: args.push }, null, 2)}\n`);
    else for (const line of lines) io.stdout.write(`${line.image}\n`);
    return ExitCode.Success;
  },
});

function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

function checkEngine(engine: string): void {
  const probe = spawnSync(engine, ["version"], { encoding: "utf8", timeout: 20_000 });
  if (probe.error || probe.status !== 0) {
    throw new BenchError(
      "EngineUnreachable",
      `${engine} cannot reach a container engine (${(probe.error?.message ?? probe.stderr.trim().split("\n").pop() ?? "").trim()}).`,
      {
        fix: "Start Docker (systemctl start docker), or run `podman system service --time=0 unix:///var/tmp/podman.sock &` and set DOCKER_HOST=unix:///var/tmp/podman.sock, or pass --engine podman.",
      },
    );
  }
}

function checkPlatform(build: ImageBuild, engine: string): void {
  const native = arch() === "arm64" ? "linux/arm64" : "linux/amd64";
  if (build.platform === native) return;
  const emulator = build.platform === "linux/arm64" ? "qemu-aarch64" : "qemu-x86_64";
  if (!spawnSync("sh", ["-c", `test -e /proc/sys/fs/binfmt_misc/${emulator}`]).status) return;
  throw new BenchError(
    "InvalidArgument",
    `${build.tag} is a ${build.platform} image and this ${native} host has no ${emulator} emulation for ${engine}.`,
    {
      fix: `Build it on a ${build.platform} host (an arm64 instance builds arm64 natively), or install qemu-user-static with binfmt support (emulated builds take 5 to 20 times longer).`,
    },
  );
}

function runEngine(
  engine: string,
  args: string[],
  cwd: string,
  log: { write(text: string): unknown },
  what: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(engine, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let tail = "";
    const collect = (chunk: Buffer) => {
      log.write(chunk.toString());
      tail = (tail + chunk.toString()).slice(-4000);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.on("error", (error) =>
      reject(
        new BenchError("EngineUnreachable", `${engine}: ${error.message}`, {
          fix: "Install Docker or podman, or pass --engine.",
        }),
      ),
    );
    child.on("close", (code) => {
      if (code === 0) return resolve();
      const step = tail
        .split("\n")
        .filter((line) => /STEP \d+\/\d+|^#\d+ \[|ERROR|error:/i.test(line))
        .slice(-3)
        .join(" | ");
      reject(
        new BenchError("BuildFailed", `${what} failed (exit ${String(code)}): ${step || "see the output above"}`, {
          fix: "Fix the failing step shown; the engine's full output is above.",
        }),
      );
    });
  });
}

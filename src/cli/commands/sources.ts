/**
 * `aws-bench sources fetch`: fetch the pinned sources (configs/sources.json) with the runner's own
 * fetch-and-verify, and place them where a run looks for an image's sources (`<dest>/<name>`). The benchmark
 * image's build runs it, so the image carries exactly what a run would verify.
 * `aws-bench sources build`: build the image's programs from those sources (HPL 2.3) for the container tag's CPU
 * target into `<image-root>/bin/`, each with its build record; or, in a Spack image, record the HPL Spack built.
 */
import { isAbsolute, join, resolve } from "node:path";
import { defineCommand } from "../command.js";
import type { CliIo } from "../io.js";
import { BenchError } from "../../errors.js";
import { ExitCode } from "../errors.js";

/** The sources fetched by default: every pinned one the image's runner builds. */
const defaultNames = ["stream", "coremark", "hpl"] as const;

/** The `sources` command. */
export const sourcesCommand = defineCommand({
  command: "sources <action>",
  describe: "Fetch the pinned benchmark sources, verified by their SHA-256, into an image's source folder",
  options: {
    "image-root": {
      type: "string",
      default: "/opt/aws-bench",
      describe: "build: the image's root (sources read from sources/, programs placed in bin/)",
    },
    "target-flag": {
      type: "string",
      describe:
        "build: the container tag's CPU target flag (gccFlags in configs/container-tags.json), e.g. -march=x86-64",
    },
    "spack-view": {
      type: "string",
      describe: "build: record the HPL in this Spack view instead of building one (a Spack image)",
    },
    "spack-target": {
      type: "string",
      describe: "build: with --spack-view, the archspec target the environment was built for, e.g. zen3",
    },
    dest: {
      type: "string",
      default: "/opt/aws-bench/sources",
      describe: "Folder to place them in, one entry per benchmark (a run's --image-root/sources)",
    },
    benchmarks: {
      type: "string",
      default: defaultNames.join(","),
      describe: "Comma-separated benchmarks whose sources to fetch",
    },
    "source-mirror": {
      type: "string",
      describe:
        "Look the files up here by their upstream names instead of upstream: a folder or an http(s) URL; each is verified the same way (env AWS_BENCH_SOURCE_MIRROR)",
    },
    "sources-manifest": {
      type: "string",
      describe:
        "Verify against this manifest instead of the one bundled with the runner (only for tests with stand-in files)",
    },
    "cache-dir": {
      type: "string",
      describe: "Where downloads are kept and verified again on reuse (default: a folder under --dest's parent)",
    },
  },
  positionals: {
    action: {
      type: "string",
      choices: ["fetch", "build"] as const,
      describe: "What to do: fetch (the verified sources) or build (the image's programs from them)",
    },
  },
  examples: [
    ["$0 sources fetch", "STREAM, CoreMark and HPL from upstream into /opt/aws-bench/sources"],
    ["$0 sources fetch --dest ./sources --source-mirror /shared/benchmark-sources", "from a local mirror"],
    ["$0 sources build --target-flag=-march=x86-64", "HPL 2.3 from /opt/aws-bench/sources/hpl into /opt/aws-bench/bin"],
  ],
  async run(args, { io }) {
    if (args.action === "build") return buildPrograms(args, io);
    const buildOnly = (["target-flag", "spack-view", "spack-target"] as const).filter(
      (flag) => args[flag] !== undefined,
    );
    if (buildOnly.length > 0)
      throw new BenchError("UsageError", `--${buildOnly[0]} applies to \`sources build\`, not \`sources fetch\`.`, {
        fix: `Drop --${buildOnly[0]}, or run \`aws-bench sources build\`.`,
      });
    // Everything is checked before anything is created or fetched.
    const names = args.benchmarks
      .split(",")
      .map((name) => name.trim())
      .filter(Boolean);
    const unknown = names.filter((name) => !(defaultNames as readonly string[]).includes(name));
    if (names.length === 0 || unknown.length > 0)
      throw new BenchError(
        "UsageError",
        `--benchmarks ${JSON.stringify(args.benchmarks)}: ${unknown.length ? `no pinned source for ${unknown.join(", ")}` : "empty"}.`,
        { fix: `Name some of ${defaultNames.join(", ")}.` },
      );
    const dest = resolve(io.cwd, args.dest);
    const { parseSourceMirror } = await import("../../runner/programs.js");
    const mirrorValue = args["source-mirror"] ?? io.env["AWS_BENCH_SOURCE_MIRROR"];
    const sourceMirror = mirrorValue ? parseSourceMirror(mirrorValue, io.cwd) : undefined;
    const { readDocument } = await import("../../schemas/documents.js");
    const { packageRoot } = await import("../../package-files.js");
    const manifestPath = args["sources-manifest"]
      ? resolve(io.cwd, args["sources-manifest"])
      : join(packageRoot(), "configs", "sources.json");
    const manifest = await readDocument("source-manifest", manifestPath);
    const cacheDir = args["cache-dir"] ? resolve(io.cwd, args["cache-dir"]) : join(dest, "..", "source-cache");
    if (!isAbsolute(cacheDir)) throw new BenchError("InvalidArgument", `--cache-dir ${cacheDir} is not a path.`);
    if (args["sources-manifest"])
      io.stderr.write(
        `sources: verifying against ${manifestPath} (--sources-manifest), not the runner's bundled manifest\n`,
      );
    const { builtinBenchmarks } = await import("../../benchmarks/registry.js");
    const { fetchImageSources } = await import("../../runner/image-sources.js");
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const workDir = mkdtempSync(join(tmpdir(), "aws-bench-sources-"));
    try {
      const placed = await fetchImageSources({
        dest,
        names,
        manifest,
        registry: builtinBenchmarks,
        cacheDir,
        workDir,
        sourceMirror,
        progress: (line) => io.stderr.write(`sources: ${line}\n`),
      });
      if (args.json) io.stdout.write(`${JSON.stringify({ manifest: manifestPath, sources: placed }, null, 2)}\n`);
      else
        for (const source of placed)
          io.stdout.write(`${source.name} ${source.version} ${source.sha256} ${source.path}\n`);
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
    return ExitCode.Success;
  },
});

/** The arguments `sources build` reads. */
interface BuildArgs {
  "image-root": string;
  "target-flag"?: string | undefined;
  "spack-view"?: string | undefined;
  "spack-target"?: string | undefined;
  "source-mirror"?: string | undefined;
  "sources-manifest"?: string | undefined;
  "cache-dir"?: string | undefined;
  json?: boolean | undefined;
}

/** `sources build`: every flag checked before anything is removed or built. */
async function buildPrograms(args: BuildArgs, io: CliIo): Promise<number> {
  const fetchOnly = (["source-mirror", "sources-manifest", "cache-dir"] as const).filter(
    (flag) => args[flag] !== undefined,
  );
  if (fetchOnly.length > 0)
    throw new BenchError("UsageError", `--${fetchOnly[0]} applies to \`sources fetch\`, not \`sources build\`.`, {
      fix: `Drop --${fetchOnly[0]}.`,
    });
  const imageRoot = resolve(io.cwd, args["image-root"]);
  const view = args["spack-view"];
  const spackTarget = args["spack-target"];
  const targetFlag = args["target-flag"];
  if (view !== undefined && (spackTarget === undefined || targetFlag !== undefined))
    throw new BenchError("UsageError", "--spack-view needs --spack-target and takes no --target-flag.", {
      fix: "Pass the container tag's spackTarget: --spack-view DIR --spack-target zen3.",
    });
  if (view === undefined && (targetFlag === undefined || spackTarget !== undefined))
    throw new BenchError("UsageError", "`sources build` needs --target-flag (or --spack-view with --spack-target).", {
      fix: "Pass the container tag's gccFlags, e.g. --target-flag=-march=x86-64 (with the =, so the flag is not read as short options).",
    });
  const progress = (line: string) => io.stderr.write(`sources: ${line}\n`);
  const { buildImagePrograms, recordSpackPrograms } = await import("../../runner/image-programs.js");
  const { readDocument } = await import("../../schemas/documents.js");
  const { packageRoot } = await import("../../package-files.js");
  const manifest = await readDocument("source-manifest", join(packageRoot(), "configs", "sources.json"));
  const placed =
    view !== undefined && spackTarget !== undefined
      ? recordSpackPrograms({ imageRoot, view: resolve(io.cwd, view), spackTarget, manifest, env: io.env, progress })
      : await buildImagePrograms({ imageRoot, targetFlag: targetFlag ?? "", manifest, env: io.env, progress });
  if (args.json) io.stdout.write(`${JSON.stringify({ programs: placed }, null, 2)}\n`);
  else for (const program of placed) io.stdout.write(`${program.benchmark} ${program.path} ${program.build.target}\n`);
  return ExitCode.Success;
}

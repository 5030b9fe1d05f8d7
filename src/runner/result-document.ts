/**
 * The result document of a local run and its checksums: provenance (runner version, git commit, bundle
 * checksum, and inside a benchmark image the image's digest and container tag), the host, the toolchain, every benchmark section, what was skipped, and every published file with
 * its SHA-256 — after private details (instance ids, private IPs, internal host names) are redacted from them.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { HostProbe } from "../benchmarks/host.js";
import { sha256File } from "../checksums.js";
import { packagePath, packageRoot, packageVersion } from "../package-files.js";
import { BenchError } from "../errors.js";
import { imageDigestVariable } from "../images/run-contract.js";
import { writeDocuments } from "../schemas/documents.js";
import type { BenchmarkResult, BenchmarkRun } from "../schemas/generated/benchmark-result.js";
import { redactRawOutput } from "../schemas/private-details.js";

/** A benchmark that did not run. */
export interface SkippedBenchmark {
  /** Which (a registered name, or a custom benchmark's name). */
  benchmark: string;
  /** Why. */
  reason: string;
  /** The command that fixes it. */
  fix: string;
}

/** The image a run ran in (`result.container`): its digest and the container tag it was built for. */
export type ContainerProvenance = NonNullable<BenchmarkResult["container"]>;

/** The variables a benchmark image's run is told its image by (the image sets the tag, user-data the digest). */
export const containerVariables = { imageDigest: imageDigestVariable, containerTag: "BENCHMARK_CONTAINER_TAG" };

/**
 * The image a run is in, from its environment: `BENCHMARK_IMAGE_DIGEST` (`sha256:<64 hex>`, set by the instance's
 * user-data from the digest it pulled) and `BENCHMARK_CONTAINER_TAG` (set by the image). Undefined without a digest
 * — a run outside an image, such as `run --target local` on a workstation, records no container. A malformed value
 * is `InvalidArgument`: the run is refused before it starts rather than publishing a wrong provenance.
 */
export function containerProvenance(env: NodeJS.ProcessEnv): ContainerProvenance | undefined {
  const digest = env[containerVariables.imageDigest];
  const tag = env[containerVariables.containerTag];
  if (tag !== undefined && tag !== "" && !/^[a-z0-9][a-z0-9-]{0,63}$/.test(tag))
    throw new BenchError(
      "InvalidArgument",
      `${containerVariables.containerTag} ${JSON.stringify(tag)} is not a container tag.`,
      {
        fix: "Run the image as built by aws-bench build, which sets it.",
      },
    );
  if (digest === undefined || digest === "") return undefined;
  if (!/^sha256:[0-9a-f]{64}$/.test(digest))
    throw new BenchError(
      "InvalidArgument",
      `${containerVariables.imageDigest} ${JSON.stringify(digest.slice(0, 100))} is not an image digest (sha256:<64 hex digits>).`,
      {
        fix: "Pass the digest the image was pulled by (the sha256:… of REPOSITORY@sha256:…), or leave it unset.",
      },
    );
  return { imageDigest: digest, ...(tag ? { containerTag: tag } : {}) };
}

/** What a result document records beyond the files in its run directory. */
export interface ResultInputs {
  /** Run id. */
  runId: string;
  /** The run directory. */
  outDir: string;
  /** When the run started. */
  startedAt: Date;
  /** The host. */
  host: HostProbe;
  /** The benchmark sections, in the order they ran. */
  sections: BenchmarkRun[];
  /** Benchmarks that did not run. */
  skipped: SkippedBenchmark[];
  /** True when the run was interrupted. */
  interrupted: boolean;
  /** The image the run is in ({@link containerProvenance}); absent outside an image. */
  container?: ContainerProvenance | undefined;
  /** mpirun, for its version. */
  mpirun?: string | undefined;
  /** The BLAS the MPI programs loaded, when known. */
  blas?: string | undefined;
}

/**
 * Redacts private details in the published files, checksums every file under raw/, inputs/ and build/, and
 * writes result.json (schema-checked) and SHA256SUMS.
 */
export async function writeResult(inputs: ResultInputs): Promise<BenchmarkResult> {
  const { host, outDir, runId, startedAt, sections, skipped } = inputs;
  const redactedFiles = redactFiles(outDir);
  const rawFiles = listFiles(outDir)
    .filter((file) => /^(raw|inputs|build)\//.test(file))
    .map((file) => ({ path: file, sha256: sha256File(join(outDir, file)), bytes: statSync(join(outDir, file)).size }));
  const git = gitProvenance();
  const result: BenchmarkResult = {
    schemaVersion: 1,
    runId,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    runner: { version: packageVersion(), ...git, ...bundleProvenance() },
    host: {
      architecture: host.architecture,
      cpuModel: host.cpuModel,
      cpuVendor: host.cpuVendor,
      ...(host.microcode ? { microcode: host.microcode } : {}),
      sockets: host.sockets,
      cores: host.cores,
      threadsPerCore: host.threadsPerCore,
      logicalCpus: host.logicalCpus,
      smt: host.smt,
      cacheBytes: Object.fromEntries(
        host.caches.map((cache) => [
          `l${cache.level}${cache.type === "Data" ? "d" : cache.type === "Instruction" ? "i" : ""}`,
          cache.sizeBytes,
        ]),
      ),
      numaNodes: host.numaNodes,
      memoryMiB: host.memoryMiB,
      availableMemoryMiB: host.availableMemoryMiB,
      kernel: host.kernel,
      ...(host.ec2 ? { instanceType: host.ec2.instanceType, region: host.ec2.region } : {}),
      ...(host.ec2?.availabilityZoneId ? { availabilityZoneId: host.ec2.availabilityZoneId } : {}),
      ...(host.ec2?.amiId ? { amiId: host.ec2.amiId } : {}),
    },
    toolchain: {
      ...(host.compiler ? { compiler: host.compiler } : {}),
      ...mpiVersion(inputs.mpirun),
      ...(inputs.blas ? { blas: inputs.blas } : {}),
    },
    ...(inputs.container ? { container: inputs.container } : {}),
    benchmarks: sections,
    ...(skipped.length ? { skipped } : {}),
    ...(inputs.interrupted ? { interrupted: true } : {}),
    ...(redactedFiles.length ? { redactedFiles } : {}),
    rawFiles,
  };
  const resultPath = join(outDir, "result.json");
  await writeDocuments([{ kind: "benchmark-result", path: resultPath, data: result }]);
  const sums = [...rawFiles, { path: "result.json", sha256: sha256File(resultPath) }]
    .map((file) => `${file.sha256}  ${file.path}`)
    .join("\n");
  writeFileSync(join(outDir, "SHA256SUMS"), `${sums}\n`);
  return result;
}

/** Inside the benchmark image the runner is the bundle, whose SHA-256 sits beside it (scripts/bundle-runner.mjs). */
function bundleProvenance(): { bundleSha256?: string } {
  const file = packagePath("BUNDLE_SHA256");
  if (!existsSync(file)) return {};
  const sum = readFileSync(file, "utf8").trim();
  return /^[0-9a-f]{64}$/.test(sum) ? { bundleSha256: sum } : {};
}

/** Redacts private details in the published text files (raw/, inputs/, build/); returns the files changed. */
function redactFiles(outDir: string): string[] {
  const changed: string[] = [];
  for (const file of listFiles(outDir).filter((path) => /^(raw|inputs|build)\//.test(path))) {
    const path = join(outDir, file);
    const bytes = readFileSync(path);
    if (bytes.includes(0)) continue; // binary: not a program's text output
    const { text, replaced } = redactRawOutput(bytes.toString("utf8"));
    if (replaced > 0) {
      writeFileSync(path, text);
      changed.push(file);
    }
  }
  return changed;
}

function listFiles(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix))
    .sort()
    .flatMap((entry) => {
      const path = prefix ? `${prefix}/${entry}` : entry;
      return statSync(join(dir, path)).isDirectory() ? listFiles(dir, path) : [path];
    });
}

function gitProvenance(): { gitCommit?: string; gitDirty?: boolean } {
  const root = packageRoot();
  if (!existsSync(join(root, ".git"))) return {};
  try {
    const commit = execFileSync("git", ["-C", root, "rev-parse", "HEAD"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
    const dirty =
      execFileSync("git", ["-C", root, "status", "--porcelain", "--untracked-files=no"], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      }).trim() !== "";
    return { gitCommit: commit, gitDirty: dirty };
  } catch {
    return {};
  }
}

function mpiVersion(mpirun: string | undefined): { mpi?: string } {
  if (!mpirun) return {};
  try {
    const line = execFileSync(mpirun, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
      .split("\n")[0]
      ?.trim();
    return line ? { mpi: line } : {};
  } catch {
    return {};
  }
}

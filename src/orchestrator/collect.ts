/**
 * Collection of one instance's run: find the run the runner wrote under `<prefix>/results/`, and publish it in
 * `data/raw/<type>/<batch>-<repeat>/` only when it is whole and is what the batch planned. Every path is in normal
 * form before it is compared; SHA256SUMS must be there and name exactly result.json and the raw files the result
 * lists, each with the checksum its bytes have (which the result's own checksums must agree with); the result must
 * match its schema and the planned instance (type, region, architecture, pinned zone, benchmarks, and the digest of
 * the image it was launched with: a batch's result must name one); no file may hold
 * a private detail or a credential, binary files included; sizes are capped per file and per run, from the
 * result's listing before downloading and again on the bytes received. Writing is atomic, never over a different
 * run. `private/` (the signed identity document) stays in the bucket.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import { parseChecksumList, runPathProblem, sha256Hex, type ChecksumLine } from "../checksums.js";
import { loadCatalogue, resolveInstanceTypes } from "../discovery/catalogue.js";
import { BenchError } from "../errors.js";
import { assertDocument } from "../schemas/documents.js";
import { findRawOutputDetails } from "../schemas/private-details.js";
import type { BatchRecord } from "../schemas/generated/batch-record.js";
import type { BenchmarkResult } from "../schemas/generated/benchmark-result.js";
import type { ResultsBucket } from "./aws-access.js";

/** What the instance's `status.json` says (written last by user-data). */
export interface InstanceStatus {
  /** success or failure. */
  state: "success" | "failure";
  /** The script's exit code. */
  exitCode: number;
  /** The stage it was in: engine, login, pull, run, upload. */
  stage: string;
  /** Why it failed, if it did. */
  error: string;
  /** Start of user-data. */
  startedAt?: string;
  /** End of user-data. */
  finishedAt?: string;
}

/** Parses `status.json`; throws `InputMalformed` naming the key. */
export function parseStatus(bytes: Buffer, key: string): InstanceStatus {
  let data: unknown;
  try {
    data = JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    throw new BenchError("InputMalformed", `${key} is not JSON: ${(error as Error).message}.`, {
      fix: "See the instance's user-data.log beside it.",
    });
  }
  const status = data as Partial<InstanceStatus>;
  if ((status.state !== "success" && status.state !== "failure") || typeof status.exitCode !== "number") {
    throw new BenchError("InputMalformed", `${key} has no state/exitCode.`, {
      fix: "See the instance's user-data.log beside it.",
    });
  }
  return {
    state: status.state,
    exitCode: status.exitCode,
    stage: String(status.stage ?? ""),
    error: String(status.error ?? ""),
    ...(status.startedAt ? { startedAt: status.startedAt } : {}),
    ...(status.finishedAt ? { finishedAt: status.finishedAt } : {}),
  };
}

/** One collected run. */
export interface CollectedRun {
  /** Where it was written. */
  directory: string;
  /** The validated result. */
  result: BenchmarkResult;
  /** Files written (relative to `directory`). */
  files: string[];
  /** True when an identical copy was already there (collect run twice). */
  alreadyPresent: boolean;
}

/** What the batch planned for one instance: what its result's host has to say. */
export interface PlannedRun {
  /** The instance type launched. */
  instanceType: string;
  /** The batch's region. */
  region: string;
  /** The type's architectures in the catalogue (EC2's names: `x86_64`, `arm64`). */
  architectures: readonly string[];
  /** The zone ID the batch pinned the instance to, when it pinned one. */
  availabilityZoneId?: string | undefined;
  /** The benchmarks the batch asked for, when it named them. */
  benchmarks?: readonly string[] | undefined;
  /** The digest (`sha256:…`) of the image the instance was launched with, when the record has it. */
  imageDigest?: string | undefined;
}

/**
 * Size caps for one run. STREAM, HPL and CoreMark outputs, build logs and the compiled benchmark programs are
 * kilobytes to a few MB each, and a full run a few tens of MB at most; the caps leave about ten times that, and
 * bound what one run can make collect hold in memory and write into the repository.
 */
export const collectLimits = {
  /** Largest single file: 32 MiB. */
  fileBytes: 32 * 1024 * 1024,
  /** Largest run, every collected file together: 128 MiB. */
  runBytes: 128 * 1024 * 1024,
} as const;

/** Where an instance's run goes: `data/raw/<type>/<batch>-<repeat>`. */
export function rawRunDirectory(rawRoot: string, batchId: string, instanceType: string, repeat: number): string {
  return join(rawRoot, instanceType, `${batchId}-${repeat}`);
}

/**
 * What the batch record planned for one of its instances, with the type's architectures from the shipped
 * catalogue; throws `InvalidArgument` when the type no longer resolves there.
 */
export async function plannedRun(
  record: BatchRecord,
  instance: { instanceType: string; repeat: number },
): Promise<PlannedRun> {
  const [resolved] = resolveInstanceTypes([instance.instanceType], await loadCatalogue());
  return {
    instanceType: instance.instanceType,
    region: record.region,
    architectures: resolved?.record.architectures ?? [],
    availabilityZoneId: record.spec.zones?.instances[`${instance.instanceType}/${instance.repeat}`],
    benchmarks: record.spec.benchmarks,
    imageDigest: record.instances.find((i) => i.instanceType === instance.instanceType && i.repeat === instance.repeat)
      ?.imageDigest,
  };
}

/**
 * Downloads, verifies and writes one instance's run. Throws `EmptyResult` when there is no result,
 * `ChecksumMismatch` (SHA256SUMS missing or not covering exactly the run, a checksum or size that disagrees, a
 * file missing), `SchemaViolation`/`PrivateDetail`, `InputMalformed` (a path not in normal form, a result that
 * does not match the planned instance, a file or run over {@link collectLimits}), or `WriteFailed` when a
 * different run is in the way. Nothing is written unless every check passed.
 */
export async function collectRun(
  bucket: ResultsBucket,
  prefix: string,
  target: string,
  planned: PlannedRun,
): Promise<CollectedRun> {
  const url = (key: string) => `s3://${bucket.bucket}/${key}`;
  const kept = "Nothing was written; the run is kept in the bucket.";
  const resultsPrefix = `${prefix}/results/`;
  const keys = await bucket.list(resultsPrefix);
  // The private/ exclusion compares normal forms: `./private/…` or `a//private/…` are private/ too.
  const resultKeys = keys.filter(
    (key) =>
      posix.basename(key) === "result.json" &&
      !runPath(key.slice(resultsPrefix.length), url(key)).split("/").includes("private"),
  );
  if (resultKeys.length !== 1) {
    throw new BenchError(
      "EmptyResult",
      resultKeys.length === 0
        ? `No result.json under ${url(resultsPrefix)}.`
        : `${resultKeys.length} result.json files under ${url(resultsPrefix)} (expected one).`,
      { fix: `Read ${url(`${prefix}/user-data.log`)} for what the instance did.` },
    );
  }
  const resultKey = resultKeys[0] as string;
  const runPrefix = posix.dirname(resultKey);
  const inBucket = new Set(
    keys.filter((key) => key.startsWith(`${runPrefix}/`)).map((key) => key.slice(runPrefix.length + 1)),
  );
  if (!inBucket.has("SHA256SUMS")) {
    throw new BenchError(
      "ChecksumMismatch",
      `${url(`${runPrefix}/SHA256SUMS`)} is missing: a run is published only when SHA256SUMS covers every file.`,
      { fix: `${kept} Re-run this type with a runner that writes SHA256SUMS.` },
    );
  }

  let received = 0;
  /** One file of the run, refused when it is over the per-file cap or takes the run over its cap. */
  const download = async (path: string): Promise<Buffer> => {
    const bytes = await bucket.get(`${runPrefix}/${path}`);
    if (!bytes)
      throw new BenchError("ChecksumMismatch", `${url(`${runPrefix}/${path}`)} disappeared while collecting.`, {
        fix: "Run collect again.",
      });
    received += bytes.length;
    if (bytes.length > collectLimits.fileBytes || received > collectLimits.runBytes)
      throw oversize(url(`${runPrefix}/${path}`), bytes.length, received, "received");
    return bytes;
  };

  const resultBytes = await download("result.json");
  let parsed: unknown;
  try {
    parsed = JSON.parse(resultBytes.toString("utf8"));
  } catch (error) {
    throw new BenchError("InputMalformed", `${url(resultKey)} is not JSON: ${(error as Error).message}.`, {
      fix: "The run is kept in the bucket; see user-data.log beside it.",
    });
  }
  const result = await assertDocument("benchmark-result", parsed, url(resultKey));
  const mismatches = planMismatches(result, planned);
  if (mismatches.length > 0) {
    throw new BenchError(
      "InputMalformed",
      `${url(resultKey)} is not the planned ${planned.instanceType} in ${planned.region}: ${mismatches.join("; ")}.`,
      { fix: `${kept} Check that no other run was uploaded under ${prefix}/, then re-run this type.` },
    );
  }

  // The result's listing, checked before any raw file is downloaded: paths, sizes, and presence in the bucket.
  let declared = resultBytes.length;
  const rawPaths = new Map<string, BenchmarkResult["rawFiles"][number]>();
  for (const raw of result.rawFiles) {
    const path = runPath(raw.path, `a raw file of ${url(resultKey)}`);
    if (path === "result.json" || path === "SHA256SUMS" || path.split("/")[0] === "private")
      throw new BenchError("InputMalformed", `${url(resultKey)} lists ${path} as a raw file.`, {
        fix: `${kept} A raw file is an output under raw/, inputs/ or build/; re-run this type.`,
      });
    if (rawPaths.has(path))
      throw new BenchError("InputMalformed", `${url(resultKey)} lists the raw file ${path} twice.`, {
        fix: `${kept} Re-run this type.`,
      });
    rawPaths.set(path, raw);
    declared += raw.bytes;
    if (raw.bytes > collectLimits.fileBytes || declared > collectLimits.runBytes)
      throw oversize(url(`${runPrefix}/${path}`), raw.bytes, declared, "listed");
  }
  const absent = [...rawPaths.keys()].filter((path) => !inBucket.has(path));
  if (absent.length > 0)
    throw new BenchError(
      "ChecksumMismatch",
      `Raw file${absent.length === 1 ? "" : "s"} listed in ${url(resultKey)} missing from the bucket: ${absent.join(", ")}.`,
      { fix: `The upload was incomplete. ${kept}` },
    );

  // SHA256SUMS names exactly the files published (result.json and the raw files), once each.
  const sumsBytes = await download("SHA256SUMS");
  const sums = parseSums(sumsBytes, url(`${runPrefix}/SHA256SUMS`));
  const published = ["result.json", ...rawPaths.keys()];
  const foreign = [...sums.keys()].filter((path) => path !== "result.json" && !rawPaths.has(path));
  const unlisted = published.filter((path) => !sums.has(path));
  if (foreign.length > 0 || unlisted.length > 0)
    throw new BenchError(
      "ChecksumMismatch",
      `SHA256SUMS of ${url(resultKey)} does not cover exactly the run: ${[
        ...(foreign.length ? [`it lists ${foreign.join(", ")}, which the result does not`] : []),
        ...(unlisted.length ? [`it does not list ${unlisted.join(", ")}`] : []),
      ].join("; ")}.`,
      { fix: `${kept} Re-run this type.` },
    );

  const files = new Map<string, Buffer>([["result.json", resultBytes]]);
  for (const [path, raw] of rawPaths) {
    const bytes = await download(path);
    const sum = sha256Hex(bytes);
    if (sum !== raw.sha256)
      throw new BenchError(
        "ChecksumMismatch",
        `Raw file ${path} of ${url(resultKey)} has SHA-256 ${sum}, the result says ${raw.sha256}.`,
        { fix: "The copy in the bucket is not what the runner wrote; nothing was written. Re-run this type." },
      );
    if (bytes.length !== raw.bytes)
      throw new BenchError(
        "ChecksumMismatch",
        `Raw file ${path} of ${url(resultKey)} has ${bytes.length} bytes, the result says ${raw.bytes}.`,
        { fix: `${kept} Re-run this type.` },
      );
    files.set(path, bytes);
  }
  for (const [path, bytes] of files) {
    const listed = sums.get(path) as { sha256: string; line: string };
    if (sha256Hex(bytes) !== listed.sha256)
      throw new BenchError(
        "ChecksumMismatch",
        `SHA256SUMS of ${url(resultKey)} does not match the run: '${listed.line.slice(0, 120)}'.`,
        { fix: `${kept} Re-run this type.` },
      );
  }
  files.set("SHA256SUMS", sumsBytes);

  // data/raw is public. The image redacts before it checksums, so anything found here was not redacted.
  for (const [path, bytes] of files) {
    const found = privateDetailsIn(bytes);
    if (found.length > 0)
      throw new BenchError(
        "PrivateDetail",
        `${rawPaths.has(path) ? "Raw file " : ""}${path} of ${url(resultKey)} still contains a host name, private IP or instance id, or an AWS credential (${found.join(", ")}).`,
        { fix: `${kept} Redact it and collect again, or re-run with a fixed image.` },
      );
  }
  return { ...writeRunOnce(target, files), result };
}

/**
 * `path` when it is in normal form — relative, `/`-separated, no empty, `.` or `..` segment, no backslash or control
 * character — as posix normalisation would leave it; otherwise `InputMalformed` naming it. Refusing instead of
 * rewriting keeps one name per file, so no check can be passed under another spelling of the same file.
 */
function runPath(path: string, where: string): string {
  const problem = runPathProblem(path);
  if (problem)
    throw new BenchError("InputMalformed", `${where}: ${problem}.`, {
      fix: "Nothing was written; the run is kept in the bucket. Re-run this type with an unmodified runner.",
    });
  return path;
}

/** SHA256SUMS as path → checksum (and its line); refuses malformed lines, abnormal paths and duplicates. */
function parseSums(bytes: Buffer, label: string): Map<string, ChecksumLine> {
  const parsed = parseChecksumList(bytes.toString("utf8"));
  if (parsed.problem !== undefined)
    throw new BenchError(parsed.badPath ? "InputMalformed" : "ChecksumMismatch", `${label} ${parsed.problem}.`, {
      fix: "Nothing was written; the run is kept in the bucket. Re-run this type.",
    });
  return parsed.sums;
}

/**
 * Private details and credentials in a file, text or binary. Binary files are scanned rather than refused: build/
 * holds the compiled STREAM and CoreMark programs, which are published with the run. Latin-1 maps each byte to one
 * character, so every ASCII string in the file is seen as it is; with NUL bytes removed as well, UTF-16 text and
 * strings broken up by NULs are seen too.
 */
function privateDetailsIn(bytes: Buffer): string[] {
  const text = bytes.toString("latin1");
  const found = new Set(findRawOutputDetails(text));
  if (bytes.includes(0)) for (const what of findRawOutputDetails(text.replaceAll("\0", ""))) found.add(what);
  return [...found];
}

/** How the result's host differs from the planned instance, one line each; empty when it is the planned one. */
function planMismatches(result: BenchmarkResult, planned: PlannedRun): string[] {
  const host = result.host;
  const problems: string[] = [];
  if (host.instanceType === undefined)
    problems.push("it records no host.instanceType (a run outside EC2, or without its identity document)");
  else if (host.instanceType !== planned.instanceType)
    problems.push(`host.instanceType is ${host.instanceType}, the batch launched ${planned.instanceType}`);
  if (host.region === undefined) problems.push("it records no host.region");
  else if (host.region !== planned.region)
    problems.push(`host.region is ${host.region}, the batch runs in ${planned.region}`);
  if (!planned.architectures.includes(host.architecture))
    problems.push(
      `host.architecture is ${host.architecture}, ${planned.instanceType} is ${planned.architectures.join(" or ") || "of no known architecture"}`,
    );
  if (
    planned.availabilityZoneId !== undefined &&
    host.availabilityZoneId !== undefined &&
    host.availabilityZoneId !== planned.availabilityZoneId
  )
    problems.push(
      `host.availabilityZoneId is ${host.availabilityZoneId}, the batch pinned ${planned.availabilityZoneId}`,
    );
  // Every instance runs its image by digest and tells the runner that digest (stacks/user-data.ts).
  const digest = result.container?.imageDigest;
  if (digest === undefined) problems.push("it records no container.imageDigest (a run outside the batch's image)");
  else if (planned.imageDigest !== undefined && digest !== planned.imageDigest)
    problems.push(`container.imageDigest is ${digest}, the batch launched ${planned.imageDigest}`);
  const unplanned = planned.benchmarks
    ? result.benchmarks.map((b) => b.benchmark).filter((name) => !planned.benchmarks?.includes(name))
    : [];
  if (unplanned.length > 0)
    problems.push(`it ran ${[...new Set(unplanned)].join(", ")}, which the batch did not ask for`);
  return problems;
}

/** `InputMalformed` for a file or run over {@link collectLimits}. */
function oversize(file: string, fileBytes: number, runBytes: number, how: "listed" | "received"): BenchError {
  const what =
    fileBytes > collectLimits.fileBytes
      ? `${file} is ${fileBytes} bytes (${how}), over the limit of ${collectLimits.fileBytes} bytes per file`
      : `${file} takes the run to ${runBytes} bytes (${how}), over the limit of ${collectLimits.runBytes} bytes per run`;
  return new BenchError("InputMalformed", `${what}.`, {
    fix: "Nothing was written; the run is kept in the bucket. Find what made the output so large and re-run this type.",
  });
}

/** Writes the files into `target` through a temporary sibling and one rename; an identical run is left as is. */
function writeRunOnce(target: string, files: Map<string, Buffer>): Omit<CollectedRun, "result"> {
  const names = [...files.keys()].sort();
  if (existsSync(target)) {
    const identical = names.every((name) => {
      try {
        return readFileSync(join(target, name)).equals(files.get(name) as Buffer);
      } catch {
        return false;
      }
    });
    if (identical) return { directory: target, files: names, alreadyPresent: true };
    throw new BenchError("WriteFailed", `${target} already holds a different run; data/raw is never overwritten.`, {
      fix: "Move it aside if it is wrong, then collect again.",
    });
  }
  const temporary = join(dirname(target), `.${posix.basename(target)}.${process.pid}.partial`);
  try {
    rmSync(temporary, { recursive: true, force: true });
    for (const name of names) {
      const path = join(temporary, name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, files.get(name) as Buffer);
    }
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    throw new BenchError("WriteFailed", `Cannot write ${target}: ${(error as Error).message}.`, {
      fix: "Check the disk and permissions; the run is still in the bucket, collect again.",
    });
  }
  return { directory: target, files: names, alreadyPresent: false };
}

/**
 * Collection of one instance's results: find the run the runner wrote under `<prefix>/results/`, download the
 * result and every raw file it lists, verify each SHA-256, validate the result against its schema (which also
 * refuses private details), and write the run to `data/raw/<type>/<batch>-<repeat>/` — atomically, and never
 * over a different run already there. `private/` (the signed identity document) stays in the bucket.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import { sha256Hex } from "../checksums.js";
import { BenchError } from "../errors.js";
import { assertDocument } from "../schemas/documents.js";
import { redactRawOutput } from "../schemas/private-details.js";
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

/** Where an instance's run goes: `data/raw/<type>/<batch>-<repeat>`. */
export function rawRunDirectory(rawRoot: string, batchId: string, instanceType: string, repeat: number): string {
  return join(rawRoot, instanceType, `${batchId}-${repeat}`);
}

/**
 * Downloads, verifies and writes one instance's run. Throws `EmptyResult` when there is no result,
 * `ChecksumMismatch`, `SchemaViolation`/`PrivateDetail`, or `WriteFailed` when a different run is in the way.
 */
export async function collectRun(
  bucket: ResultsBucket,
  prefix: string,
  target: string,
  expectedType: string,
): Promise<CollectedRun> {
  const keys = await bucket.list(`${prefix}/results/`);
  const resultKeys = keys.filter((key) => key.endsWith("/result.json") && !key.includes("/private/"));
  if (resultKeys.length !== 1) {
    throw new BenchError(
      "EmptyResult",
      resultKeys.length === 0
        ? `No result.json under s3://${bucket.bucket}/${prefix}/results/.`
        : `${resultKeys.length} result.json files under s3://${bucket.bucket}/${prefix}/results/ (expected one).`,
      {
        fix: `Read s3://${bucket.bucket}/${prefix}/user-data.log for what the instance did.`,
      },
    );
  }
  const resultKey = resultKeys[0] as string;
  const runPrefix = posix.dirname(resultKey);
  const resultBytes = await bucket.get(resultKey);
  if (!resultBytes)
    throw new BenchError("EmptyResult", `s3://${bucket.bucket}/${resultKey} disappeared while collecting.`, {
      fix: "Run collect again.",
    });
  let parsed: unknown;
  try {
    parsed = JSON.parse(resultBytes.toString("utf8"));
  } catch (error) {
    throw new BenchError(
      "InputMalformed",
      `s3://${bucket.bucket}/${resultKey} is not JSON: ${(error as Error).message}.`,
      { fix: "The run is kept in the bucket; see user-data.log beside it." },
    );
  }
  const result = await assertDocument("benchmark-result", parsed, `s3://${bucket.bucket}/${resultKey}`);
  if (result.host.instanceType !== undefined && result.host.instanceType !== expectedType) {
    throw new BenchError(
      "InputMalformed",
      `s3://${bucket.bucket}/${resultKey} says it ran on ${result.host.instanceType}, but this instance is ${expectedType}.`,
      { fix: "Check the batch's prefixes; nothing was written." },
    );
  }

  const files = new Map<string, Buffer>([["result.json", resultBytes]]);
  for (const raw of result.rawFiles) {
    if (
      raw.path.startsWith("/") ||
      raw.path.split("/").includes("..") ||
      raw.path.startsWith("private/") ||
      raw.path === "result.json" ||
      raw.path === "SHA256SUMS"
    ) {
      throw new BenchError("InputMalformed", `${resultKey} lists a raw file outside its run: ${raw.path}.`, {
        fix: "The run is kept in the bucket; nothing was written.",
      });
    }
    const bytes = await bucket.get(`${runPrefix}/${raw.path}`);
    if (!bytes)
      throw new BenchError(
        "ChecksumMismatch",
        `Raw file ${raw.path} listed in ${resultKey} is missing from the bucket.`,
        { fix: "The upload was incomplete; the run is kept in the bucket and nothing was written." },
      );
    const sum = sha256Hex(bytes);
    if (sum !== raw.sha256) {
      throw new BenchError(
        "ChecksumMismatch",
        `Raw file ${raw.path} of ${resultKey} has SHA-256 ${sum}, the result says ${raw.sha256}.`,
        { fix: "The copy in the bucket is not what the runner wrote; nothing was written. Re-run this type." },
      );
    }
    // The image redacts before it checksums; a raw file that still names a host, a private IP or an instance
    // is not published (data/raw is public).
    const text = bytes.includes(0) ? undefined : bytes.toString("utf8");
    if (text !== undefined && redactRawOutput(text).text !== text) {
      throw new BenchError(
        "PrivateDetail",
        `Raw file ${raw.path} of ${resultKey} still contains a host name, private IP or instance id.`,
        {
          fix: "Nothing was written; the run is kept in the bucket. Redact it and re-collect, or re-run with a fixed image.",
        },
      );
    }
    files.set(raw.path, bytes);
  }
  const sums = await bucket.get(`${runPrefix}/SHA256SUMS`);
  if (sums) {
    // Every line must name a file of the run with the checksum it has.
    for (const line of sums
      .toString("utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")) {
      const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
      const listed = m ? files.get(m[2] as string) : undefined;
      if (!m || !listed || sha256Hex(listed) !== m[1]) {
        throw new BenchError(
          "ChecksumMismatch",
          `SHA256SUMS of ${resultKey} does not match the run: '${line.slice(0, 120)}'.`,
          { fix: "Nothing was written; the run is kept in the bucket. Re-run this type." },
        );
      }
    }
    files.set("SHA256SUMS", sums);
  }
  return { ...writeRunOnce(target, files), result };
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

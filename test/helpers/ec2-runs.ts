/**
 * Runs made by the real runner on a fake EC2 instance, for the community tests (submit, review, merge, end to end):
 * - the host is a recorded m7i.large ({@link fakeHostRoot}: two vCPUs of a Xeon Platinum 8488C, 8 GiB);
 * - EC2 is the fake IMDSv2 of corpus.ts, serving an identity document signed by a test authority standing in for
 *   AWS (identity-ca.ts), so the runner keeps the document and its rsa2048 and RSA signatures in `private/`;
 * - STREAM is a script printing STREAM 5.10's format whose times agree with its rates ({@link consistentStream}),
 *   as the review's arithmetic step checks;
 * - the runner runs as a released package does: GIT_DIR points at nothing, so a developer's uncommitted changes do
 *   not mark it modified.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sha256Hex } from "../../src/checksums.js";
import { generateReviewKey, type GeneratedReviewKey } from "../../src/community/seal.js";
import { runLocal } from "../../src/runner/local-run.js";
import { ProcessGroupSet } from "../../src/runner/processes.js";
import type { BenchmarkResult } from "../../src/schemas/generated/benchmark-result.js";
import { fakeStreamScript, startFakeImds } from "./corpus.js";
import type { TestIdentityAuthority } from "./identity-ca.js";

/** The instance type every run here is made on (its recorded host is {@link fakeHostRoot}'s). */
export const ec2RunType = "m7i.large";

/** A recorded m7i.large host under `dir`/host: two vCPUs of a Xeon Platinum 8488C, 8 GiB. */
export function fakeHostRoot(dir: string): string {
  const root = join(dir, "host");
  mkdirSync(join(root, "proc"), { recursive: true });
  const processor = (n: number) =>
    [
      `processor\t: ${n}`,
      "vendor_id\t: GenuineIntel",
      "model name\t: Intel(R) Xeon(R) Platinum 8488C",
      "cpu MHz\t\t: 2400.000",
      "flags\t\t: fpu sse sse2 avx avx2 fma avx512f avx512dq avx512bw avx512vl",
      "",
    ].join("\n");
  writeFileSync(join(root, "proc", "cpuinfo"), `${processor(0)}\n${processor(1)}\n`);
  writeFileSync(join(root, "proc", "meminfo"), "MemTotal:        8000000 kB\nMemAvailable:    7000000 kB\n");
  return root;
}

/** Writes {@link fakeStreamScript} for `triad` as `dir/stream` and returns its path. */
export function consistentStream(dir: string, triad: readonly number[]): string {
  const path = join(dir, "stream");
  writeFileSync(path, fakeStreamScript(dir, triad), { mode: 0o755 });
  return path;
}

/** One instance to run on: its id, and the Triad values its three trials print (MB/s, one decimal). */
export interface Ec2Instance {
  instanceId: string;
  triad: readonly [number, number, number];
}

/**
 * Makes one STREAM run per instance under `dir` (`run-<index>`) with the real runner against a fake IMDS whose
 * documents `authority` signs (rsa2048 attached and streamed, as AWS serves it, plus the RSA signature).
 */
export async function makeEc2Runs(
  dir: string,
  authority: TestIdentityAuthority,
  instances: readonly Ec2Instance[],
): Promise<string[]> {
  const hostRoot = fakeHostRoot(dir);
  const imds = await startFakeImds((document) => ({
    rsa2048: authority.signDocument(document, { attached: true, stream: true }),
    signature: authority.signRsa(document),
  }));
  const runs: string[] = [];
  const gitDir = process.env["GIT_DIR"];
  process.env["GIT_DIR"] = join(dir, "no-git");
  try {
    for (const [index, instance] of instances.entries()) {
      imds.become({ type: ec2RunType, zoneId: "use1-az1", instanceId: instance.instanceId });
      const work = join(dir, `work-${index}`);
      mkdirSync(work, { recursive: true });
      const outDir = join(dir, `run-${index}`);
      await runLocal(
        {
          benchmarks: ["stream"],
          quick: true,
          trials: 3,
          outDir,
          cwd: work,
          env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: work, XDG_CACHE_HOME: join(work, "cache") },
          programs: { stream: consistentStream(work, instance.triad) },
          sources: {},
          imds: true,
          imdsEndpoint: imds.endpoint,
          hostRoot,
          imageRoot: join(work, "no-image"),
          progress: () => undefined,
        },
        new ProcessGroupSet(),
      );
      runs.push(outDir);
    }
  } finally {
    await imds.close();
    if (gitDir === undefined) delete process.env["GIT_DIR"];
    else process.env["GIT_DIR"] = gitDir;
  }
  return runs;
}

/**
 * Replaces the published file `path` of the run folder `runDir` (a raw file, or result.json through `editResult`)
 * and makes every checksum agree again — the result's rawFiles entry, SHA256SUMS — as a careful forger would.
 */
export function forgeRunFile(runDir: string, path: string, bytes: Buffer | string): void {
  const content = Buffer.from(bytes);
  writeFileSync(join(runDir, path), content);
  if (path !== "result.json") {
    const result = JSON.parse(readFileSync(join(runDir, "result.json"), "utf8")) as BenchmarkResult;
    const entry = result.rawFiles.find((file) => file.path === path);
    if (!entry) throw new Error(`${path} is not a raw file of ${runDir}`);
    Object.assign(entry, { sha256: sha256Hex(content), bytes: content.length });
    writeFileSync(join(runDir, "result.json"), `${JSON.stringify(result, null, 2)}\n`);
  }
  const sums = readFileSync(join(runDir, "SHA256SUMS"), "utf8")
    .split("\n")
    .map((line) => {
      const name = line.slice(66);
      return line.length > 66 && (name === path || name === "result.json")
        ? `${sha256Hex(readFileSync(join(runDir, name)))}  ${name}`
        : line;
    });
  writeFileSync(join(runDir, "SHA256SUMS"), sums.join("\n"));
}

/** Edits the run's result.json and makes SHA256SUMS agree (see {@link forgeRunFile}). */
export function forgeResult(runDir: string, edit: (result: BenchmarkResult) => void): BenchmarkResult {
  const result = JSON.parse(readFileSync(join(runDir, "result.json"), "utf8")) as BenchmarkResult;
  edit(result);
  forgeRunFile(runDir, "result.json", `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

/** A new review key and a key ring holding its public half, written to `ringPath` (what `submit --review-keys` reads). */
export function writeTestKeyRing(ringPath: string): GeneratedReviewKey {
  const key = generateReviewKey();
  writeFileSync(
    ringPath,
    JSON.stringify({
      schemaVersion: 1,
      keys: [{ keyId: key.keyId, publicKey: key.publicKey, createdAt: "2026-01-01T00:00:00Z", note: "test key" }],
    }),
  );
  return key;
}

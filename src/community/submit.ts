/**
 * `aws-bench submit`: turns runs made on EC2 instances into one contribution bundle and the text of its pull
 * request. Each run is checked first — its files against SHA256SUMS and the result schema, a valid and conforming
 * headline, made on EC2 (instance type, region and the AWS-signed identity document the runner kept in `private/`),
 * the document agreeing with the result, no private detail left in a published file, and the runner and every
 * benchmark source as released (or the modification stated) — and nothing is written unless every run passes.
 * The identity travels public (`--public-identity`: it then names the account, instance id and private IP) or sealed
 * to the maintainers' current review key; the sealed ciphertext stays public in pull-request history.
 */
import { existsSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { sha256Hex } from "../checksums.js";
import { BenchError } from "../errors.js";
import { readRegularFile } from "../input-files.js";
import { packageVersion } from "../package-files.js";
import { checkDocument, stableJson } from "../schemas/documents.js";
import type { ContributionBundle, ContributedRun } from "../schemas/generated/contribution-bundle.js";
import { findRawOutputDetails } from "../schemas/private-details.js";
import { parseInstanceIdentityDocument, type InstanceIdentityDocument } from "./identity.js";
import { checkRunFileSet, contributionLimits, readRunFileSet, type CheckedRun } from "./run-files.js";
import { loadReviewKeyRing, sealToReviewKey } from "./seal.js";

/** The identity files the runner keeps in a run's `private/` folder on EC2. */
export const identityFiles = {
  document: "instance-identity.json",
  rsa2048: "instance-identity.rsa2048",
  signature: "instance-identity.signature",
} as const;

/** The identity a run carries, as the bundle's public form holds it. */
export interface IdentityEvidence {
  /** The document, byte for byte as IMDS served it. */
  document: string;
  /** Base64 CMS SignedData over the document (SHA-256, RSA-2048). */
  rsa2048: string;
  /** Base64 RSA-1024 signature (a weak fallback). */
  signature?: string;
}

/** What `submit` needs. */
export interface SubmitOptions {
  /** The run folders. */
  runDirs: readonly string[];
  /** The bundle file to write (refused when it exists). */
  out: string;
  /** The name the contribution is credited to. */
  handle: string;
  /** Publish the identity document instead of sealing it. */
  publicIdentity: boolean;
  /** What was modified in the runner or a source, when anything was. */
  modification?: string | undefined;
  /** The review key ring (default configs/review-keys.json). */
  reviewKeys?: string | undefined;
  /** The submission time (default now). */
  now?: Date;
}

/** What `submit` wrote. */
export interface SubmitOutcome {
  /** The bundle file. */
  bundlePath: string;
  /** The pull-request text file beside it. */
  pullRequestPath: string;
  /** The bundle. */
  bundle: ContributionBundle;
}

/** The DCO 1.1 sign-off and licence grant every contribution carries. */
export function signOffText(handle: string): string {
  return (
    `I certify under the Developer Certificate of Origin 1.1 (https://developercertificate.org/) that I made these ` +
    `measurements on EC2 instances I was entitled to use, with the runner as stated, and I grant the data under ` +
    `the Creative Commons Attribution 4.0 International licence (CC BY 4.0).\nSigned-off-by: ${handle}`
  );
}

const handlePattern = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;

/** Checks every run, builds the bundle and writes it with its pull-request text; nothing is written on failure. */
export async function submitRuns(options: SubmitOptions): Promise<SubmitOutcome> {
  if (!handlePattern.test(options.handle))
    throw new BenchError("InvalidArgument", `--handle '${options.handle}' is not a handle.`, {
      fix: "Use letters, digits and hyphens (up to 39 characters, starting with a letter or digit), e.g. your GitHub login.",
    });
  if (options.modification !== undefined && options.modification.trim().length < 10)
    throw new BenchError(
      "InvalidArgument",
      "--modification must say what was changed and why (at least 10 characters).",
      {
        fix: 'Describe the change, e.g. --modification "stream.c built with -O2 instead of -O3 to match our cluster".',
      },
    );
  if (options.runDirs.length === 0)
    throw new BenchError("UsageError", "Name at least one run folder.", {
      fix: "aws-bench submit aws-bench-results/RUN_ID",
    });
  const bundlePath = resolve(options.out);
  const pullRequestPath = pullRequestPathFor(bundlePath);
  if (!existsSync(dirname(bundlePath)))
    throw new BenchError("InvalidArgument", `--out ${bundlePath}: the folder ${dirname(bundlePath)} does not exist.`, {
      fix: "Create the folder first, or name a file in an existing one with --out.",
    });
  for (const path of [bundlePath, pullRequestPath])
    if (existsSync(path))
      throw new BenchError("InvalidArgument", `${path} already exists; submit never overwrites a file.`, {
        fix: "Name a new file with --out.",
      });
  const now = options.now ?? new Date();
  const runs: ContributedRun[] = [];
  const seen = new Set<string>();
  for (const dir of options.runDirs) {
    const run = await contributedRun(resolve(dir), options, now);
    if (seen.has(run.runId))
      throw new BenchError("InvalidArgument", `Run ${run.runId} is named twice.`, {
        fix: "Name each run folder once.",
      });
    seen.add(run.runId);
    runs.push(run);
  }
  // Every run checked out: only now is the identity sealed (an empty key ring is the last thing a user should hear).
  if (!options.publicIdentity) {
    const ring = await loadReviewKeyRing(options.reviewKeys);
    for (const run of runs)
      if (run.identity.visibility === "public") {
        const { document, rsa2048, signature } = run.identity;
        const form: IdentityEvidence = { document, rsa2048, ...(signature ? { signature } : {}) };
        run.identity = {
          visibility: "sealed",
          sealed: sealToReviewKey(stableJson(form), ring, now) as unknown as Record<string, unknown>,
        };
      }
  }
  const bundle: ContributionBundle = {
    schemaVersion: 1,
    createdAt: now.toISOString(),
    tool: { version: packageVersion() },
    contributor: { handle: options.handle, signOff: signOffText(options.handle), licence: "CC-BY-4.0" },
    runs,
  };
  const check = await checkDocument("contribution-bundle", bundle);
  if (!check.valid)
    throw new BenchError(
      "SchemaViolation",
      `The bundle does not match its schema: ${check.errors.slice(0, 5).join("; ")}.`,
      {
        fix: "This is a bug in aws-bench; please report it with the run folders' result.json.",
      },
    );
  const text = stableJson(bundle);
  if (Buffer.byteLength(text) > contributionLimits.bundleBytes)
    throw new BenchError(
      "InputTooLarge",
      `The bundle would hold ${Buffer.byteLength(text)} bytes, more than ${contributionLimits.bundleBytes}.`,
      {
        fix: "Submit fewer runs per bundle (one pull request each).",
      },
    );
  writeAtomically([
    [bundlePath, text],
    [pullRequestPath, pullRequestText(bundle, basename(bundlePath))],
  ]);
  return { bundlePath, pullRequestPath, bundle };
}

/** `contribution.json` → `contribution.pr.md`. */
export function pullRequestPathFor(bundlePath: string): string {
  return join(dirname(bundlePath), `${basename(bundlePath).replace(/\.json$/i, "")}.pr.md`);
}

/** One run's checks and its entry in the bundle; throws `ContributionRefused` naming the folder and each problem. */
async function contributedRun(dir: string, options: SubmitOptions, now: Date): Promise<ContributedRun> {
  const refuse = (problems: readonly string[], fix: string): never => {
    throw new BenchError("ContributionRefused", `${dir} cannot be submitted: ${problems.join("; ")}.`, { fix });
  };
  const checked = await checkRunFileSet(readRunFileSet(dir));
  if ("problems" in checked)
    return refuse(
      checked.problems,
      "Submit the run folder exactly as the runner wrote it; an edited run cannot be contributed.",
    );
  const { result } = checked;
  refuseUnusable(checked, refuse);
  const identity = readIdentity(dir, refuse);
  const document = parseInstanceIdentityDocument(Buffer.from(identity.document, "utf8"));
  if (typeof document === "string") return refuse([document], "Submit the document exactly as IMDS served it.");
  const mismatches = identityMismatches(document, result);
  if (mismatches.length > 0)
    refuse(mismatches, "Submit the run with the identity document of the instance it ran on, as the runner kept it.");
  const finished = Date.parse(result.finishedAt);
  if (!(Date.parse(document.pendingTime) <= Date.parse(result.startedAt) && finished <= now.getTime()))
    refuse(
      [
        `the times are out of order: launched ${document.pendingTime}, run ${result.startedAt} to ${result.finishedAt}, submitted ${now.toISOString()}`,
      ],
      "Check the host's clock; a run cannot start before its instance launched or end after its submission.",
    );
  const modified = modificationsOf(result);
  if (modified.length > 0 && options.modification === undefined)
    refuse(
      modified,
      'Say what was changed with --modification "…" (the run is then reviewed by a person), or run the released runner with pinned sources.',
    );
  const publicForm: IdentityEvidence = identity;
  return {
    runId: result.runId,
    instanceType: document.instanceType,
    region: document.region,
    availabilityZone: document.availabilityZone,
    pendingTime: new Date(Date.parse(document.pendingTime)).toISOString(),
    imageId: document.imageId,
    architecture: document.architecture as ContributedRun["architecture"],
    sumsSha256: checked.sumsSha256,
    evidence: "community",
    runner: {
      version: result.runner.version,
      ...(result.runner.gitCommit ? { gitCommit: result.runner.gitCommit } : {}),
      ...(result.runner.bundleSha256 ? { bundleSha256: result.runner.bundleSha256 } : {}),
      modified: modified.length > 0,
      ...(modified.length > 0 && options.modification ? { modification: options.modification.trim() } : {}),
    },
    identity: { visibility: "public", ...publicForm },
    files: [...checked.files.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([path, bytes]) => ({
        path,
        sha256: sha256Hex(bytes),
        bytes: bytes.length,
        base64: bytes.toString("base64"),
      })),
  };
}

/** A run that measured nothing usable, was interrupted, or still holds a private detail in a published file. */
function refuseUnusable(checked: CheckedRun, refuse: (problems: readonly string[], fix: string) => never): void {
  const { result } = checked;
  if (result.interrupted) refuse(["the run was interrupted"], "Submit a run that finished.");
  const usable = result.benchmarks.filter(
    (section) => section.validity.valid && section.conforming !== false && section.headline,
  );
  if (usable.length === 0)
    refuse(
      [
        `no benchmark has a valid, conforming headline (${result.benchmarks.map((s) => `${s.benchmark}: ${s.validity.valid ? "valid" : `invalid (${s.validity.reason ?? "no reason"})`}${s.conforming === false ? `, not conforming: ${s.nonConformingReason ?? ""}` : ""}`).join("; ") || "no benchmarks"})`,
      ],
      "Run again on the instance (aws-bench run --target local) and submit a run whose results are valid.",
    );
  const leaks: string[] = [];
  for (const [path, bytes] of checked.files) {
    if (path === "result.json" || path === "SHA256SUMS") continue;
    const found = findRawOutputDetails(bytes.toString("latin1"));
    if (found.length > 0) leaks.push(`${path} contains ${found.join(", ")}`);
  }
  if (leaks.length > 0)
    refuse(leaks, "The runner redacts these before checksumming; submit a run from a released runner, unedited.");
}

/** The identity the runner kept in `private/`; a run without one was not made on EC2 (or by an older runner). */
function readIdentity(dir: string, refuse: (problems: readonly string[], fix: string) => never): IdentityEvidence {
  const read = (name: string, limit: number): string | undefined => {
    const path = join(dir, "private", name);
    if (!existsSync(path)) return undefined;
    try {
      return readRegularFile(path, limit).toString("utf8");
    } catch (error) {
      return refuse(
        [`${path} cannot be read: ${(error as Error).message}`],
        "Check the file's permissions (the runner writes it 0600).",
      );
    }
  };
  const document = read(identityFiles.document, 8192);
  const rsa2048 = read(identityFiles.rsa2048, 16384)?.trim();
  const signature = read(identityFiles.signature, 4096)?.trim();
  if (document === undefined)
    refuse(
      [
        "it was not made on EC2: private/instance-identity.json is missing (a workstation may benchmark itself; it is not a database entry)",
      ],
      "Run `aws-bench run --target local` on an EC2 instance with its metadata service reachable, and submit that run.",
    );
  if (!rsa2048)
    refuse(
      ["private/instance-identity.rsa2048 is missing: without AWS's RSA-2048 signature the run cannot be verified"],
      "Run with this version of the runner on the instance (it keeps the rsa2048 signature), with IMDS reachable.",
    );
  return { document: document, rsa2048: rsa2048, ...(signature ? { signature } : {}) };
}

/** Where the document and the result disagree (type, region, architecture, AMI). */
export function identityMismatches(
  document: Pick<InstanceIdentityDocument, "instanceType" | "region" | "architecture" | "imageId">,
  result: CheckedRun["result"],
): string[] {
  const problems: string[] = [];
  const compare = (what: string, fromDocument: string, fromResult: string | undefined) => {
    if (fromResult === undefined) problems.push(`the result records no ${what} (the document says ${fromDocument})`);
    else if (fromResult !== fromDocument)
      problems.push(`the ${what} differs: the document says ${fromDocument}, the result ${fromResult}`);
  };
  compare("instance type", document.instanceType, result.host.instanceType);
  compare("region", document.region, result.host.region);
  compare("architecture", document.architecture, result.host.architecture);
  if (result.host.amiId !== undefined) compare("AMI", document.imageId, result.host.amiId);
  return problems;
}

/** What makes a run's runner or sources differ from the released ones. */
export function modificationsOf(result: CheckedRun["result"]): string[] {
  const found: string[] = [];
  if (result.runner.gitDirty)
    found.push(
      `the runner ${result.runner.version} ran from a modified checkout (${result.runner.gitCommit ?? "unknown commit"}, uncommitted changes)`,
    );
  for (const section of result.benchmarks) {
    const source = section.build?.source;
    if (source && source.verified === "not-pinned")
      found.push(
        `${section.benchmark} was built from a source that matches no pinned release (${source.sha256.slice(0, 12)}…)`,
      );
  }
  return found;
}

/** The pull request's text: what is contributed, the checks to expect, the DCO sign-off and the licence. */
export function pullRequestText(bundle: ContributionBundle, bundleName: string): string {
  const lines = [
    `# Benchmark contribution: ${[...new Set(bundle.runs.map((run) => run.instanceType))].sort().join(", ")}`,
    "",
    `Bundle: \`${bundleName}\` (add it under \`contributions/\`), written by aws-bench ${bundle.tool.version} on ${bundle.createdAt}.`,
    "",
    "| Run | Instance type | Region | Zone | Launched | AMI | Runner | Identity |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...bundle.runs.map(
      (run) =>
        `| ${run.runId} | ${run.instanceType} | ${run.region} | ${run.availabilityZone} | ${run.pendingTime} | ${run.imageId} | ${run.runner.version}${run.runner.modified ? " (modified)" : ""} | ${run.identity.visibility} |`,
    ),
    "",
    ...bundle.runs
      .filter((run) => run.runner.modified)
      .map((run) => `Modification in ${run.runId}: ${run.runner.modification ?? ""}`),
    "",
    "The review (`aws-bench review`) verifies each instance identity against AWS's RSA-2048 certificate, re-derives every",
    "number from the raw outputs and checks them against the hardware's physical limits. Accepted runs are added to",
    "`data/raw/` as community (C1) evidence; rejected ones are listed with their reasons in `data/rejected/`.",
    ...(bundle.runs.some((run) => run.identity.visibility === "sealed")
      ? [
          "",
          "The identity documents are sealed to the maintainers' review key. The ciphertext stays public in this pull",
          "request's history for good.",
        ]
      : [
          "",
          "The identity documents are public in this bundle: they name the AWS account, the instance ids and private IPs.",
        ]),
    "",
    "## Sign-off",
    "",
    bundle.contributor.signOff,
    "",
  ];
  return `${lines.join("\n")}\n`;
}

/** Writes every file to a temporary name, then renames them in place; on failure nothing is left behind. */
function writeAtomically(files: ReadonlyArray<readonly [string, string]>): void {
  const written: string[] = [];
  try {
    for (const [path, text] of files) {
      const temporary = `${path}.${process.pid}.tmp`;
      writeFileSync(temporary, text, { flag: "wx" });
      written.push(temporary);
    }
    files.forEach(([path], index) => renameSync(written[index] as string, path));
  } catch (error) {
    for (const temporary of written) rmSync(temporary, { force: true });
    throw error;
  }
}

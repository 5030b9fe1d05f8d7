/**
 * `aws-bench review`: the reviewer's tool and the gate of contribution pull requests. Each run of each bundle goes
 * through the steps of issue #16, every step recorded with its outcome and reason in review.json:
 *   0. files      the bundle's files decode to the checksums it declares and check out as a run (run-files.ts);
 *                 a modified runner or source the result shows must be declared, and a declared one needs a person;
 *   1. identity   the instance identity verifies against AWS's RSA-2048 certificate for its region, valid at its
 *                 pendingTime (identity.ts), and says what the bundle's public part says;
 *   2. placement  type, region, architecture and AMI match the result; pendingTime ≤ start < end ≤ submission ≤
 *                 review, and the run lasted at least as long as the times its own outputs report;
 *   3. re-derive  every number recomputed from the raw outputs with the project's parsers (rederive.ts);
 *   4. arithmetic the raw outputs' internal arithmetic (arithmetic.ts);
 *   5. ceilings   the hardware's physical limits (ceilings.ts);
 *   6. robust z   against the type's (or family's) accepted runs when there are ≥ 5 (robust-z.ts);
 *   7. independence keyed pseudonyms of the instance and account (two runs of one instance count as one; a raw file
 *                 identical to another run's rejects);
 *   8. CPU model  the probed CPU fits the family table.
 * Verdict: any reject → reject; any flag, or a step that could not run without the maintainers' key or secret →
 * needs-human-review; otherwise accept. Without the key (the pull-request job has no secrets) a sealed identity
 * cannot be checked, so such a review never accepts: the keyed job or a maintainer's `review --key` does.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256Hex } from "../checksums.js";
import { BenchError } from "../errors.js";
import { readRegularFile } from "../input-files.js";
import { packageVersion } from "../package-files.js";
import { judgeMeasuredCpu } from "../discovery/measured-cpus.js";
import { checkDocument } from "../schemas/documents.js";
import type { ContributedRun, ContributionBundle } from "../schemas/generated/contribution-bundle.js";
import type { FamilyTable } from "../schemas/generated/families.js";
import type { ReviewReport, RunReview } from "../schemas/generated/review-report.js";
import type { BenchmarkResult } from "../schemas/generated/benchmark-result.js";
import { checkRunFileSet, contributionLimits, writeRunFileSet, type CheckedRun, type RunFileSet } from "./run-files.js";
import type { InstanceIdentityDocument } from "./identity.js";
import { identityMismatches, modificationsOf, type IdentityEvidence } from "./submit.js";
import { openSealedWithAny } from "./seal.js";
import { pseudonymsFor } from "./pseudonyms.js";
import type { Finding } from "./findings.js";

/** One review step's record. */
export type StepRecord = RunReview["steps"][number];

/** The checks review delegates, one function each (the modules of src/community/), so tests see the real ones. */
export interface ReviewChecks {
  /** Step 1: the identity's signature against the certificate catalogue. */
  verifyIdentity(evidence: IdentityEvidence): {
    status: "verified" | "weak" | "failed";
    reason: string;
    certificateSha256?: string;
    /** The document's fields, when it parsed. */
    document?: InstanceIdentityDocument | undefined;
  };
  /** Step 3. */
  rederive(runDir: string, result: BenchmarkResult): Finding[];
  /** Step 4. */
  arithmetic(runDir: string, result: BenchmarkResult): Finding[];
  /** Step 5. */
  ceilings(result: BenchmarkResult): Finding[];
  /** Step 6: against the accepted runs' results. */
  robustZ(result: BenchmarkResult, accepted: readonly BenchmarkResult[]): Finding[];
}

/** What the review knows of the database it would merge into. */
export interface AcceptedData {
  /** The accepted runs' results (for robust z). */
  results: readonly BenchmarkResult[];
  /** SHA-256 of every raw file of every accepted run → the run that holds it. */
  rawChecksums: ReadonlyMap<string, string>;
  /** Instance pseudonym → the accepted run of that instance. */
  instances: ReadonlyMap<string, string>;
  /** Run ids already in the database. */
  runIds: ReadonlySet<string>;
}

/** Inputs of {@link reviewBundles}. */
export interface ReviewInputs {
  /** Bundle files. */
  bundles: readonly string[];
  /** The maintainers' review private keys (PEM), to open sealed identities. */
  privateKeys: readonly string[];
  /** The maintainers' pseudonym secret; without it step 7 can only compare checksums. */
  pseudonymSecret?: Buffer | undefined;
  /** The checks. */
  checks: ReviewChecks;
  /** The family table (step 8). */
  families: FamilyTable;
  /** The database the runs would join. */
  accepted: AcceptedData;
  /** The review time (default now). */
  now?: Date;
}

/** A reviewed run with what a merge needs. */
export interface ReviewedRun {
  /** Its record in review.json. */
  review: RunReview;
  /** The bundle it came from. */
  bundle: { file: string; sha256: string; createdAt: string; handle: string };
  /** The run's public entry. */
  entry: ContributedRun;
  /** Its files, when they checked out. */
  files?: RunFileSet;
  /** Its result, when it checked out. */
  result?: BenchmarkResult;
  /** The verified identity's certificate fingerprint. */
  certificateSha256?: string;
}

/** Reviews every bundle; never throws for a bad bundle (it is rejected with its reason), only for bad inputs. */
export async function reviewBundles(inputs: ReviewInputs): Promise<{ report: ReviewReport; runs: ReviewedRun[] }> {
  const now = inputs.now ?? new Date();
  const report: ReviewReport = {
    schemaVersion: 1,
    reviewedAt: now.toISOString(),
    tool: { version: packageVersion() },
    keyed: inputs.privateKeys.length > 0,
    bundles: [],
  };
  const runs: ReviewedRun[] = [];
  // Runs of this review, so two bundles (or two runs) of one instance, or sharing a raw file, are seen together.
  const seenInstances = new Map<string, string>(inputs.accepted.instances);
  const seenChecksums = new Map<string, string>(inputs.accepted.rawChecksums);
  const seenRunIds = new Set<string>();
  for (const file of inputs.bundles) {
    const read = await readBundle(file);
    if ("problem" in read) {
      report.bundles.push({ file, sha256: read.sha256, problem: read.problem, runs: [] });
      continue;
    }
    const { bundle, sha256 } = read;
    const reviewed: RunReview[] = [];
    for (const entry of bundle.runs) {
      const run = await reviewRun(entry, bundle, inputs, now, seenInstances, seenChecksums, seenRunIds);
      run.bundle = { file, sha256, createdAt: bundle.createdAt, handle: bundle.contributor.handle };
      runs.push(run);
      reviewed.push(run.review);
    }
    report.bundles.push({ file, sha256, runs: reviewed });
  }
  return { report, runs };
}

/** A bundle file read and schema-checked, or why not. */
async function readBundle(
  file: string,
): Promise<{ bundle: ContributionBundle; sha256: string } | { problem: string; sha256: string }> {
  let bytes: Buffer;
  try {
    bytes = readRegularFile(file, contributionLimits.bundleBytes);
  } catch (error) {
    throw new BenchError("InputUnreadable", `Cannot read ${file}: ${(error as Error).message}.`, {
      fix: `Pass the bundle aws-bench submit wrote (at most ${contributionLimits.bundleBytes} bytes).`,
      cause: error,
    });
  }
  const sha256 = sha256Hex(bytes);
  let data: unknown;
  try {
    data = JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    // V8 quotes the text it stopped at; the problem is published with the rejection, so it keeps none of it.
    const reason = (error as Error).message.replace(/, ".*"(?:\.\.\.)? is not valid JSON$/s, "");
    return { problem: `not JSON: ${reason}`, sha256 };
  }
  const check = await checkDocument("contribution-bundle", data);
  if (!check.valid)
    return { problem: `does not match the bundle schema: ${check.errors.slice(0, 5).join("; ")}`, sha256 };
  return { bundle: data as ContributionBundle, sha256 };
}

async function reviewRun(
  entry: ContributedRun,
  bundle: ContributionBundle,
  inputs: ReviewInputs,
  now: Date,
  seenInstances: Map<string, string>,
  seenChecksums: Map<string, string>,
  seenRunIds: Set<string>,
): Promise<ReviewedRun> {
  const steps: StepRecord[] = [];
  const record = (step: number, name: string, outcome: StepRecord["outcome"], reason: string, section?: string) =>
    steps.push({ step, name, outcome, reason, ...(section ? { section } : {}) });
  const review: RunReview = {
    runId: entry.runId,
    instanceType: entry.instanceType,
    verdict: "reject",
    evidence: "local",
    steps,
  };
  const reviewed: ReviewedRun = { review, entry, bundle: { file: "", sha256: "", createdAt: "", handle: "" } };

  // 0. The files.
  const checked = await decodeFiles(entry);
  if ("problems" in checked) {
    for (const problem of checked.problems) record(0, "files", "reject", problem);
    return finish(reviewed);
  }
  if (checked.sumsSha256 !== entry.sumsSha256)
    record(0, "files", "reject", `SHA256SUMS hashes to ${checked.sumsSha256}, the bundle says ${entry.sumsSha256}`);
  else if (checked.result.runId !== entry.runId)
    record(0, "files", "reject", `result.json is run ${checked.result.runId}, the bundle says ${entry.runId}`);
  else record(0, "files", "pass", `${checked.files.size} files match SHA256SUMS and the result schema`);
  if (inputs.accepted.runIds.has(checked.result.runId))
    record(
      0,
      "files",
      "reject",
      `run ${checked.result.runId} is already in the database: a release is never changed, a correction is a new run`,
    );
  // The same run twice in one review (two bundles, or one bundle twice) would be merged twice.
  else if (seenRunIds.has(checked.result.runId))
    record(0, "files", "reject", `run ${checked.result.runId} was already reviewed in this review: a run counts once`);
  seenRunIds.add(checked.result.runId);
  // submit promises that a modified runner or source is looked at by a person, and the bundle must say what its
  // result shows.
  const modifications = modificationsOf(checked.result);
  if (entry.runner.version !== checked.result.runner.version)
    record(
      0,
      "runner",
      "reject",
      `the bundle names runner ${entry.runner.version}, the result ${checked.result.runner.version}`,
    );
  for (const field of ["gitCommit", "bundleSha256"] as const)
    if (entry.runner[field] !== checked.result.runner[field])
      record(
        0,
        "runner",
        "reject",
        `the bundle names runner ${field} ${entry.runner[field] ?? "none"}, the result ${checked.result.runner[field] ?? "none"}`,
      );
  if (modifications.length > 0 && !entry.runner.modified)
    record(0, "runner", "reject", `the bundle declares the runner unmodified, but ${modifications.join("; ")}`);
  else if (entry.runner.modified)
    record(
      0,
      "runner",
      "flag",
      `the runner or a source was modified (${entry.runner.modification ?? "not said how"}): a person decides`,
    );
  reviewed.files = checked.files;
  reviewed.result = checked.result;
  const { result } = checked;

  // 1. The identity.
  const identity = openIdentity(entry, inputs.privateKeys);
  let document: InstanceIdentityDocument | undefined;
  if ("skipped" in identity) record(1, "identity", "skipped", identity.skipped);
  else if ("problem" in identity) record(1, "identity", "reject", identity.problem);
  else {
    const verified = inputs.checks.verifyIdentity(identity.evidence);
    // A document that does not parse fails verification, with the reason why.
    document = verified.document;
    if (document) {
      const differences = publicPartDifferences(entry, document);
      if (differences.length > 0)
        record(
          1,
          "identity",
          "reject",
          `the bundle's public part differs from the signed document: ${differences.join("; ")}`,
        );
    }
    if (verified.status === "verified") {
      record(1, "identity", "pass", verified.reason);
      if (verified.certificateSha256) reviewed.certificateSha256 = verified.certificateSha256;
    } else if (verified.status === "weak")
      record(1, "identity", "flag", `${verified.reason} (the RSA-1024 signature alone is weak evidence)`);
    else record(1, "identity", "reject", verified.reason);
  }

  // 2. Placement and time.
  placementStep(entry, bundle, result, now, record);

  // 3–6. The numbers, on the files written out as a run folder.
  const runDir = mkdtempSync(join(tmpdir(), "aws-bench-review-"));
  try {
    writeRunFileSet(checked.files, runDir);
    const steps36: Array<[number, string, () => Finding[]]> = [
      [3, "re-derive", () => inputs.checks.rederive(runDir, result)],
      [4, "arithmetic", () => inputs.checks.arithmetic(runDir, result)],
      [5, "ceilings", () => inputs.checks.ceilings(result)],
      [6, "robust z", () => inputs.checks.robustZ(result, inputs.accepted.results)],
    ];
    for (const [step, name, check] of steps36) {
      let findings: Finding[];
      try {
        findings = check();
      } catch (error) {
        findings = [{ step: "rederive", severity: "reject", reason: `the check failed: ${(error as Error).message}` }];
      }
      if (findings.length === 0) record(step, name, "pass", "nothing to check");
      for (const finding of findings) record(step, name, finding.severity, finding.reason, finding.section);
    }
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }

  // 7. Independence.
  for (const [path, bytes] of checked.files) {
    // Measurement outputs only: an empty stderr, an input file or a build log is the same for every honest run.
    if (!isMeasurementOutput(path, bytes.length)) continue;
    const sum = sha256Hex(bytes);
    const other = seenChecksums.get(sum);
    if (other !== undefined && other !== entry.runId)
      record(
        7,
        "independence",
        "reject",
        `${path} is byte for byte the same as a raw file of run ${other}: a copy is not a measurement`,
      );
    else seenChecksums.set(sum, entry.runId);
  }
  if (!document)
    record(7, "independence", "skipped", "no identity document to pseudonymize (sealed without the key, or unusable)");
  else if (!inputs.pseudonymSecret)
    record(
      7,
      "independence",
      "skipped",
      "no pseudonym secret: pass --pseudonym-secret (the maintainers' key) to tell instances and accounts apart",
    );
  else {
    const pseudonyms = pseudonymsFor(
      { instanceId: document.instanceId, accountId: document.accountId },
      inputs.pseudonymSecret,
    );
    review.instancePseudonym = pseudonyms.instance;
    review.accountPseudonym = pseudonyms.account;
    const other = seenInstances.get(pseudonyms.instance);
    if (other !== undefined && other !== entry.runId)
      record(7, "independence", "pass", `the same instance as run ${other}: the two count as one instance`);
    else {
      seenInstances.set(pseudonyms.instance, entry.runId);
      record(7, "independence", "pass", "an instance not seen before");
    }
  }

  // 8. The CPU model.
  const judged = judgeMeasuredCpu("result.json", entry.instanceType, result.host.cpuModel, inputs.families);
  if (judged.verdict === "primary" || judged.verdict === "alternative")
    record(
      8,
      "cpu model",
      "pass",
      `${result.host.cpuModel} is ${judged.identified?.model} (${judged.verdict} for ${judged.family})`,
    );
  else
    record(
      8,
      "cpu model",
      "flag",
      judged.verdict === "differs"
        ? `${result.host.cpuModel} (${judged.identified?.microarchitectures.join(", ")}) is not what the family table says ${judged.family} runs on`
        : judged.verdict === "not-in-table"
          ? `the family ${judged.family} is not in the family table`
          : `the family table does not recognize the CPU model ${result.host.cpuModel}`,
    );
  return finish(reviewed);
}

/** The verdict from the steps: reject beats everything; a flag or a skipped keyed step needs a person. */
function finish(run: ReviewedRun): ReviewedRun {
  const outcomes = new Set(run.review.steps.map((step) => step.outcome));
  run.review.verdict = outcomes.has("reject")
    ? "reject"
    : outcomes.has("flag") || outcomes.has("skipped")
      ? "needs-human-review"
      : "accept";
  const identityPassed = run.review.steps.some((step) => step.step === 1 && step.outcome === "pass");
  run.review.evidence = identityPassed && run.review.verdict !== "reject" ? "community" : "local";
  return run;
}

async function decodeFiles(entry: ContributedRun): Promise<CheckedRun | { problems: string[] }> {
  const files: RunFileSet = new Map();
  const problems: string[] = [];
  for (const file of entry.files) {
    if (files.has(file.path)) problems.push(`${file.path} appears twice in the bundle`);
    const bytes = Buffer.from(file.base64, "base64");
    if (bytes.toString("base64") !== file.base64) problems.push(`${file.path} is not canonical base64`);
    if (bytes.length !== file.bytes)
      problems.push(`${file.path} decodes to ${bytes.length} bytes, the bundle says ${file.bytes}`);
    const sum = sha256Hex(bytes);
    if (sum !== file.sha256) problems.push(`${file.path} hashes to ${sum}, the bundle says ${file.sha256}`);
    files.set(file.path, bytes);
  }
  if (problems.length > 0) return { problems };
  return checkRunFileSet(files);
}

/** The public identity form: as the bundle carries it, or opened with one of the keys. */
function openIdentity(
  entry: ContributedRun,
  privateKeys: readonly string[],
): { evidence: IdentityEvidence } | { skipped: string } | { problem: string } {
  if (entry.identity.visibility === "public") {
    const { document, rsa2048, signature } = entry.identity;
    return { evidence: { document, rsa2048, ...(signature ? { signature } : {}) } };
  }
  if (privateKeys.length === 0)
    return { skipped: "the identity is sealed to the maintainers' review key: review with --key to verify it" };
  let plaintext: Buffer;
  try {
    plaintext = openSealedWithAny(entry.identity.sealed, privateKeys);
  } catch (error) {
    return { problem: `the sealed identity cannot be opened: ${(error as Error).message}` };
  }
  let opened: unknown;
  try {
    opened = JSON.parse(plaintext.toString("utf8"));
  } catch {
    // The parser's message quotes the text, which is private: review.json and data/rejected/ are published.
    return { problem: "the sealed identity opens, but is not JSON" };
  }
  const form = opened as Partial<IdentityEvidence> | null;
  if (
    !form ||
    typeof form.document !== "string" ||
    typeof form.rsa2048 !== "string" ||
    (form.signature !== undefined && typeof form.signature !== "string")
  )
    return { problem: "the sealed identity does not hold a document and its rsa2048 signature" };
  return {
    evidence: {
      document: form.document,
      rsa2048: form.rsa2048,
      ...(form.signature ? { signature: form.signature } : {}),
    },
  };
}

/** Where the bundle's public fields differ from the signed document. */
function publicPartDifferences(entry: ContributedRun, document: InstanceIdentityDocument): string[] {
  const differences: string[] = [];
  const same = (what: string, claimed: string, signed: string) => {
    if (claimed !== signed) differences.push(`${what} ${claimed} against ${signed}`);
  };
  same("instance type", entry.instanceType, document.instanceType);
  same("region", entry.region, document.region);
  same("zone", entry.availabilityZone, document.availabilityZone);
  same("AMI", entry.imageId, document.imageId);
  same("architecture", entry.architecture, document.architecture);
  if (Date.parse(entry.pendingTime) !== Date.parse(document.pendingTime))
    same("pendingTime", entry.pendingTime, document.pendingTime);
  return differences;
}

/** Step 2: the result against the public part, and the time order. */
function placementStep(
  entry: ContributedRun,
  bundle: ContributionBundle,
  result: BenchmarkResult,
  now: Date,
  record: (step: number, name: string, outcome: StepRecord["outcome"], reason: string) => void,
): void {
  const problems = identityMismatches(entry, result);
  const times = {
    pending: Date.parse(entry.pendingTime),
    start: Date.parse(result.startedAt),
    end: Date.parse(result.finishedAt),
    submitted: Date.parse(bundle.createdAt),
    reviewed: now.getTime(),
  };
  if (!(
    times.pending <= times.start &&
    times.start < times.end &&
    times.end <= times.submitted &&
    times.submitted <= times.reviewed
  ))
    problems.push(
      `the times are out of order: launched ${entry.pendingTime}, run ${result.startedAt} to ${result.finishedAt}, submitted ${bundle.createdAt}, reviewed ${now.toISOString()}`,
    );
  const measured = measuredSeconds(result);
  const lasted = (times.end - times.start) / 1000;
  if (measured > lasted + 1)
    problems.push(
      `the run lasted ${lasted.toFixed(0)} s but its outputs report ${measured.toFixed(0)} s of measurement`,
    );
  for (const problem of problems) record(2, "placement", "reject", problem);
  if (lasted > 48 * 3600)
    record(2, "placement", "flag", `the run lasted ${(lasted / 3600).toFixed(1)} h, far beyond any sizing`);
  if (problems.length === 0)
    record(
      2,
      "placement",
      "pass",
      `type, region, architecture and AMI match; ${measured.toFixed(0)} s measured within ${lasted.toFixed(0)} s of run`,
    );
}

/** Seconds of measurement the outputs report: per trial its longest time in seconds, summed over trials. */
function measuredSeconds(result: BenchmarkResult): number {
  let total = 0;
  for (const section of result.benchmarks)
    for (const configuration of section.configurations)
      for (const trial of configuration.trials) {
        const seconds = Object.values(trial.metrics)
          .filter((metric) => metric.unit === "s")
          .map((metric) => metric.value)
          .filter((value): value is number => typeof value === "number" && Number.isFinite(value));
        total += seconds.length ? Math.max(...seconds) : 0;
      }
  return total;
}

/** Bytes below which a raw file says too little to be a copied measurement (an empty stderr, a one-line note). */
const minimumComparedBytes = 64;

/** A raw output of a measurement: under raw/, not a stderr capture, long enough to carry measured numbers. */
export function isMeasurementOutput(path: string, bytes: number): boolean {
  return path.startsWith("raw/") && !/stderr/.test(path) && bytes >= minimumComparedBytes;
}

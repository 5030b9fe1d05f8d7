/**
 * `aws-bench review --merge`: accepted runs join `data/raw/<type>/community-<run id>/` with their files exactly as
 * contributed and a provenance.json (contributor, licence, bundle, how the identity was verified, keyed
 * pseudonyms); rejected runs are published with their reasons in `data/rejected/`, as IO500 publishes its
 * rejections. A release is immutable: a run already in the database is never replaced (a correction is a new run),
 * and each run lands whole — written beside its place and renamed into it — or not at all. Runs a person still has
 * to look at are left where they are.
 *
 * Also the other direction: what the review needs to know of the database (accepted results, raw checksums,
 * instance pseudonyms, run ids), read from `data/raw/`.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseChecksumList } from "../checksums.js";
import { readCorpus } from "../analysis/corpus.js";
import { BenchError } from "../errors.js";
import { readRegularFile } from "../input-files.js";
import { checkDocument, readDocument, stableJson } from "../schemas/documents.js";
import type { ContributionProvenance } from "../schemas/generated/contribution-provenance.js";
import type { ReviewReport } from "../schemas/generated/review-report.js";
import { isMeasurementOutput, type AcceptedData, type ReviewedRun } from "./review.js";
import { writeRunFileSet } from "./run-files.js";

/** The provenance file beside a merged run. */
export const provenanceFile = "provenance.json";

/** What a merge did. */
export interface MergeOutcome {
  /** Accepted runs written, as folders relative to the data folder. */
  merged: string[];
  /** Rejections written, as files relative to the data folder. */
  rejected: string[];
  /** Runs left for a person, with why. */
  leftForReview: string[];
}

/** Writes accepted runs to `<data>/raw/` and rejections to `<data>/rejected/`; throws before writing on a clash. */
export async function mergeReviewed(
  runs: readonly ReviewedRun[],
  report: ReviewReport,
  dataDir: string,
): Promise<MergeOutcome> {
  const outcome: MergeOutcome = { merged: [], rejected: [], leftForReview: [] };
  const planned: Array<{ folder: string; run: ReviewedRun; provenance: ContributionProvenance }> = [];
  for (const run of runs) {
    const { review } = run;
    if (review.verdict === "needs-human-review") {
      outcome.leftForReview.push(
        `${review.runId}: ${review.steps
          .filter((s) => s.outcome === "flag" || s.outcome === "skipped")
          .map((s) => s.reason)
          .join("; ")}`,
      );
      continue;
    }
    if (review.verdict !== "accept") continue;
    const folder = join("raw", review.instanceType, `community-${review.runId}`);
    if (existsSync(join(dataDir, folder)) || planned.some((other) => other.folder === folder))
      throw new BenchError(
        "InvalidArgument",
        `${join(dataDir, folder)} already exists (or is merged twice here): a released run is never replaced.`,
        {
          fix: "A correction is a new run with its own id; remove the bundle from this merge.",
        },
      );
    planned.push({ folder, run, provenance: await provenanceOf(run, report.reviewedAt) });
  }
  for (const { folder, run, provenance } of planned) {
    const parent = join(dataDir, "raw", run.review.instanceType);
    mkdirSync(parent, { recursive: true });
    const staging = mkdtempSync(join(parent, ".merge-"));
    try {
      writeRunFileSet(run.files as NonNullable<ReviewedRun["files"]>, staging);
      writeFileSync(join(staging, provenanceFile), stableJson(provenance), { flag: "wx" });
      renameSync(staging, join(dataDir, folder));
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      throw error;
    }
    outcome.merged.push(folder);
  }
  for (const bundle of report.bundles) {
    const rejectedRuns = bundle.runs.filter((run) => run.verdict === "reject");
    if (bundle.problem === undefined && rejectedRuns.length === 0) continue;
    const file = join("rejected", `${report.reviewedAt.slice(0, 10)}-${bundle.sha256.slice(0, 16)}.json`);
    const rejection: ReviewReport = {
      ...report,
      bundles: [{ ...bundle, file: bundle.file.split(/[\\/]/).pop() ?? bundle.file, runs: rejectedRuns }],
    };
    const check = await checkDocument("review-report", rejection);
    if (!check.valid)
      throw new BenchError(
        "SchemaViolation",
        `The rejection record does not match its schema: ${check.errors.join("; ")}.`,
      );
    mkdirSync(join(dataDir, "rejected"), { recursive: true });
    writeFileSync(join(dataDir, file), stableJson(rejection));
    outcome.rejected.push(file);
  }
  return outcome;
}

async function provenanceOf(run: ReviewedRun, reviewedAt: string): Promise<ContributionProvenance> {
  const { review, entry } = run;
  if (!review.instancePseudonym || !review.accountPseudonym || !run.certificateSha256)
    throw new BenchError(
      "InvalidArgument",
      `Run ${review.runId} was accepted without a verified identity and pseudonyms.`,
      {
        fix: "Merge only from a keyed review: --key and --pseudonym-secret.",
      },
    );
  const provenance: ContributionProvenance = {
    schemaVersion: 1,
    evidence: "community",
    contributor: run.bundle.handle,
    licence: "CC-BY-4.0",
    bundleSha256: run.bundle.sha256,
    reviewedAt,
    submittedAt: run.bundle.createdAt,
    identity: {
      method: "rsa2048",
      certificateSha256: run.certificateSha256,
      region: entry.region,
      availabilityZone: entry.availabilityZone,
      pendingTime: entry.pendingTime,
      imageId: entry.imageId,
    },
    instancePseudonym: review.instancePseudonym,
    accountPseudonym: review.accountPseudonym,
    runner: {
      version: entry.runner.version,
      modified: entry.runner.modified,
      ...(entry.runner.modification ? { modification: entry.runner.modification } : {}),
    },
  };
  const check = await checkDocument("contribution-provenance", provenance);
  if (!check.valid)
    throw new BenchError(
      "SchemaViolation",
      `The provenance of ${review.runId} does not match its schema: ${check.errors.join("; ")}.`,
    );
  return provenance;
}

/** What the review needs of the database under `<dataDir>/raw` (empty when there is none yet). */
export async function loadAcceptedData(dataDir: string): Promise<AcceptedData> {
  const raw = join(dataDir, "raw");
  const accepted = {
    results: [] as AcceptedData["results"][number][],
    rawChecksums: new Map<string, string>(),
    instances: new Map<string, string>(),
    runIds: new Set<string>(),
  };
  if (!existsSync(raw) || readdirSync(raw).length === 0) return accepted;
  const corpus = await readCorpus([{ dir: raw, includeLocal: false }]);
  for (const run of corpus.runs) {
    accepted.results.push(run.result);
    accepted.runIds.add(run.result.runId);
    const folder = join(raw, run.path);
    const sums = parseChecksumList(readRegularFile(join(folder, "SHA256SUMS"), 4 * 1024 * 1024).toString("utf8"));
    for (const [path, line] of sums.sums ?? [])
      if (path.startsWith("raw/") && isMeasurementOutput(path, statSync(join(folder, path)).size))
        accepted.rawChecksums.set(line.sha256, run.result.runId);
    if (existsSync(join(folder, provenanceFile))) {
      const provenance = await readDocument("contribution-provenance", join(folder, provenanceFile));
      accepted.instances.set(provenance.instancePseudonym, run.result.runId);
    }
  }
  return accepted;
}

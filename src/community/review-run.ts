/**
 * One `aws-bench review` as the CLI runs it: the certificate catalogue, the family table and the database's accepted
 * runs read first (bad inputs fail before anything is written), the real checks of src/community/ wired into
 * {@link reviewBundles}, review.json written (schema-checked, atomically), and with `merge` the accepted runs and the
 * rejections written into the database.
 */
import { BenchError } from "../errors.js";
import { loadFamilyTable } from "../discovery/family-table.js";
import { writeDocuments } from "../schemas/documents.js";
import type { FamilyTable } from "../schemas/generated/families.js";
import type { ReviewReport } from "../schemas/generated/review-report.js";
import { checkArithmetic } from "./arithmetic.js";
import { checkCeilings } from "./ceilings.js";
import { readIdentityCertificates, verifyIdentity } from "./identity.js";
import { loadAcceptedData, mergeReviewed, type MergeOutcome } from "./merge.js";
import { rederiveRun } from "./rederive.js";
import { reviewBundles, type ReviewChecks } from "./review.js";
import { robustZ } from "./robust-z.js";

/** Inputs of {@link runReview}. */
export interface RunReviewOptions {
  /** Bundle files. */
  bundles: readonly string[];
  /** Review private keys (PEM text). */
  privateKeys: readonly string[];
  /** The pseudonym secret. */
  pseudonymSecret?: Buffer | undefined;
  /** The database folder (with raw/). */
  dataDir: string;
  /** Where review.json goes. */
  out: string;
  /** Merge accepted runs and rejections into the database. */
  merge: boolean;
  /** The certificate catalogue (default: the package's). */
  certificates?: string | undefined;
  /** The family table (default: the package's). */
  families?: string | undefined;
  /** The review time (default now). */
  now?: Date;
}

/** What {@link runReview} did. */
export interface RunReviewOutcome {
  /** The review. */
  report: ReviewReport;
  /** Where it was written. */
  out: string;
  /** What the merge did, when asked. */
  merge?: MergeOutcome;
}

/** Reviews, writes review.json and, when asked, merges. */
export async function runReview(options: RunReviewOptions): Promise<RunReviewOutcome> {
  if (options.bundles.length === 0)
    throw new BenchError("UsageError", "Name at least one bundle to review.", {
      fix: "aws-bench review contributions/NAME.json",
    });
  if (options.merge && options.pseudonymSecret === undefined)
    throw new BenchError("UsageError", "--merge needs the maintainers' pseudonym secret.", {
      fix: "Pass --pseudonym-secret FILE (and --key FILE for sealed identities): only a keyed review can accept a run.",
    });
  const now = options.now ?? new Date();
  const [catalogue, families, accepted] = await Promise.all([
    readIdentityCertificates(options.certificates),
    options.families === undefined ? loadFamilyTable() : loadFamilyTable(options.families),
    loadAcceptedData(options.dataDir),
  ]);
  const { report, runs } = await reviewBundles({
    bundles: options.bundles,
    privateKeys: options.privateKeys,
    pseudonymSecret: options.pseudonymSecret,
    checks: standardChecks(catalogue, families, now),
    families,
    accepted,
    now,
  });
  await writeDocuments([{ kind: "review-report", path: options.out, data: report }]);
  const outcome: RunReviewOutcome = { report, out: options.out };
  if (options.merge) outcome.merge = await mergeReviewed(runs, report, options.dataDir);
  return outcome;
}

/** The checks of src/community/, bound to the catalogue, the family table and the review time. */
export function standardChecks(
  catalogue: Awaited<ReturnType<typeof readIdentityCertificates>>,
  families: FamilyTable,
  now: Date,
): ReviewChecks {
  return {
    verifyIdentity: (evidence) => {
      const verified = verifyIdentity(evidence, catalogue, now);
      return {
        status: verified.status,
        reason: verified.reason,
        ...(verified.certificate ? { certificateSha256: verified.certificate.sha256Fingerprint } : {}),
        ...(verified.document ? { document: verified.document } : {}),
      };
    },
    rederive: (runDir, result) => rederiveRun(runDir, result),
    arithmetic: (runDir, result) => checkArithmetic(runDir, result),
    ceilings: (result) => checkCeilings(result, families),
    robustZ: (result, acceptedResults) => robustZ(result, acceptedResults),
  };
}

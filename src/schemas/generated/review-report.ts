/* DO NOT EDIT: generated from schemas/review-report.schema.json by `npm run generate:types`. */

/**
 * review.json as `aws-bench review` writes it: per contribution bundle and run, every review step with its outcome and reason, and the run's verdict (accept, needs-human-review, reject). Public: it names no account, instance id or address. Version 1.
 */
export interface ReviewReport {
  schemaVersion: 1;
  reviewedAt: string;
  tool: {
    version: string;
  };
  /**
   * Whether the review held the maintainers' review key (sealed identities opened, step 1 run on them).
   */
  keyed: boolean;
  bundles: {
    file: string;
    sha256: string;
    /**
     * Why the bundle as a whole could not be read; its runs are then empty and it is rejected.
     */
    problem?: string;
    runs: RunReview[];
  }[];
}
export interface RunReview {
  runId: string;
  instanceType: string;
  verdict: "accept" | "needs-human-review" | "reject";
  /**
   * community (C1) when the rsa2048 identity verified; local (L) otherwise.
   */
  evidence?: "community" | "local";
  instancePseudonym?: string;
  accountPseudonym?: string;
  steps: {
    step: number;
    name: string;
    outcome: "pass" | "flag" | "reject" | "skipped";
    reason: string;
    section?: string;
  }[];
}

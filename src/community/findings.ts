/**
 * What each review check of a community contribution says (issue #16, `aws-bench review` steps 3–6): one finding
 * per observation, each with the step that made it, how severe it is and why, so `review.json` can show every
 * reason and the verdict follows from the worst severity.
 */

/** The review steps built in src/community/. */
export type FindingStep = "rederive" | "arithmetic" | "ceilings" | "robust-z";

/** `pass`: checked and fine (or skipped, saying why); `flag`: a person must look; `reject`: the run cannot be accepted. */
export type FindingSeverity = "pass" | "flag" | "reject";

/** One observation of a review check. */
export interface Finding {
  /** The check that made it. */
  step: FindingStep;
  /** How severe it is. */
  severity: FindingSeverity;
  /** Why, naming the section, configuration, trial, field and numbers at fault. */
  reason: string;
  /** The result section (benchmark name) it concerns, when one. */
  section?: string;
}

const order: Readonly<Record<FindingSeverity, number>> = { pass: 0, flag: 1, reject: 2 };

/** The worst severity among `findings` (`pass` for none). */
export function worstSeverity(findings: readonly Finding[]): FindingSeverity {
  return findings.reduce<FindingSeverity>(
    (worst, finding) => (order[finding.severity] > order[worst] ? finding.severity : worst),
    "pass",
  );
}

/* DO NOT EDIT: generated from schemas/contribution-provenance.schema.json by `npm run generate:types`. */

/**
 * data/raw/<type>/<run>/provenance.json beside a contributed run that `aws-bench review --merge` accepted: who contributed it under which licence, from which bundle, how its identity was verified, and keyed pseudonyms of its instance and account (so two runs of one instance count as one instance, and accounts can be counted, without publishing either id). Version 1.
 */
export interface ContributionProvenance {
  schemaVersion: 1;
  evidence: "community";
  contributor: string;
  licence: "CC-BY-4.0";
  bundleSha256: string;
  reviewedAt: string;
  submittedAt?: string;
  identity: {
    method: "rsa2048";
    certificateSha256: string;
    region: string;
    availabilityZone?: string;
    pendingTime: string;
    imageId?: string;
  };
  instancePseudonym: string;
  accountPseudonym: string;
  runner?: {
    version: string;
    modified: boolean;
    modification?: string;
  };
  /**
   * Review findings that were flags a maintainer accepted, kept with the run.
   */
  flags?: string[];
}

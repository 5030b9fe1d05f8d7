/* DO NOT EDIT: generated from schemas/contribution-bundle.schema.json by `npm run generate:types`. */

/**
 * One community contribution as `aws-bench submit` writes it and `aws-bench review` checks it: runs made by the runner on EC2 instances, each with its files (result.json, SHA256SUMS and every raw file, base64) and the instance's AWS-signed identity, public or sealed to the maintainers' review key; the contributor's handle and a DCO sign-off granting the data under CC BY 4.0. Everything but a sealed identity is public in the pull request. Version 1.
 */
export interface ContributionBundle {
  schemaVersion: 1;
  /**
   * When `submit` wrote the bundle: the end of the run's time order pendingTime ≤ start < end ≤ submission.
   */
  createdAt: string;
  /**
   * The aws-bench that wrote the bundle.
   */
  tool: {
    version: string;
  };
  contributor: {
    /**
     * The name the contribution is credited to (a GitHub-style handle).
     */
    handle: string;
    /**
     * The Developer Certificate of Origin 1.1 sign-off and the licence grant, as the contributor agreed to them.
     */
    signOff: string;
    /**
     * The licence the data is granted under (data/LICENSE).
     */
    licence: "CC-BY-4.0";
  };
  /**
   * @minItems 1
   * @maxItems 64
   */
  runs: ContributedRun[];
}
export interface ContributedRun {
  runId: string;
  instanceType: string;
  region: string;
  availabilityZone: string;
  /**
   * When the instance was launched, from its identity document.
   */
  pendingTime: string;
  imageId: string;
  architecture: "x86_64" | "arm64";
  /**
   * SHA-256 of the run's SHA256SUMS.
   */
  sumsSha256: string;
  /**
   * The evidence level claimed: C1 (community) once review verifies the rsa2048 identity.
   */
  evidence: "community";
  runner: {
    version: string;
    gitCommit?: string;
    bundleSha256?: string;
    /**
     * The runner or a benchmark source differed from the released, pinned one (a dirty checkout, an unpinned source).
     */
    modified: boolean;
    /**
     * What was modified and why, in the contributor's words (required when modified).
     */
    modification?: string;
  };
  identity:
    | {
        visibility: "public";
        /**
         * The identity document, byte for byte as IMDS served it.
         */
        document: string;
        /**
         * Base64 CMS SignedData (SHA-256, RSA-2048) over the document.
         */
        rsa2048: string;
        /**
         * Base64 RSA-1024 signature: a weak fallback only.
         */
        signature?: string;
      }
    | {
        visibility: "sealed";
        /**
         * The public identity form, as JSON, sealed to a maintainers' review key (src/community/seal.ts). The ciphertext stays public in pull-request history.
         */
        sealed: {};
      };
  /**
   * result.json, SHA256SUMS and every file SHA256SUMS lists, in path order.
   *
   * @minItems 2
   * @maxItems 4096
   */
  files: {
    path: string;
    sha256: string;
    bytes: number;
    base64: string;
  }[];
}

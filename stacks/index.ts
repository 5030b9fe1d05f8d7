/**
 * Pulumi.yaml's `main` (compiled to dist/stacks/index.js). The `BenchmarkBatch` component is built (import it
 * from `aws-instance-benchmarks/batch`), but this program does not yet read its stack config
 * (`aws-instance-benchmarks:instanceTypes`, …); until it does, `pulumi up` on this project stops here with a
 * plain explanation instead of creating anything.
 */

/** Thrown by the stack program until the batch component exists. */
export class StackProgramNotYetAvailable extends Error {
  constructor() {
    super(
      "aws-instance-benchmarks: the BenchmarkBatch stack program is not yet available in this version; " +
        "nothing was created. The component itself can be imported from aws-instance-benchmarks/batch.",
    );
    this.name = "StackProgramNotYetAvailable";
  }
}

throw new StackProgramNotYetAvailable();

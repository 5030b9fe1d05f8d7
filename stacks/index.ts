/**
 * Pulumi.yaml's `main` (compiled to dist/stacks/index.js). The `BenchmarkBatch` component that this program
 * declares is not built yet; until it is, `pulumi up` on this project stops here with a plain explanation
 * instead of creating anything.
 */

/** Thrown by the stack program until the batch component exists. */
export class StackProgramNotYetAvailable extends Error {
  constructor() {
    super(
      "aws-instance-benchmarks: the BenchmarkBatch stack program is not yet available in this version; " +
        "nothing was created. Use `aws-bench discover` today; batches arrive with the batch-program release.",
    );
    this.name = "StackProgramNotYetAvailable";
  }
}

throw new StackProgramNotYetAvailable();

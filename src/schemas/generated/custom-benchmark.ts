/* DO NOT EDIT: generated from schemas/custom-benchmark.schema.json by `npm run generate:types`. */

/**
 * A benchmark declared without TypeScript (`aws-bench run --target local --custom FILE`): the command to run, files to give it, a timeout, and the metrics to extract from its output with their units. Placeholders {cores}, {vcpus} and {workdir} in the command and environment are replaced by the runner; nothing passes through a shell. Version 1.
 */
export interface CustomBenchmark {
  schemaVersion: 1;
  /**
   * Names the benchmark in results; not one of the built-in names.
   */
  name: string;
  description: string;
  /**
   * Program and arguments, e.g. ["./solver", "--threads", "{cores}", "input.dat"]; a relative program path is relative to this file, a bare name is looked up on PATH.
   *
   * @minItems 1
   */
  command: string[];
  /**
   * Files written into the working directory before the trials: name → content.
   */
  inputs?: {
    [k: string]: string;
  };
  env?: {
    [k: string]: string;
  };
  /**
   * A trial running longer is stopped and recorded as timed out; also the run-time estimate.
   */
  timeoutSeconds: number;
  /**
   * @minItems 1
   */
  metrics: {
    name: string;
    /**
     * Explicit unit, e.g. `ns/day`, `GB/s`, `s`.
     */
    unit: string;
    /**
     * Regular expression over the output with one capture group holding the number.
     */
    pattern: string;
    occurrence?: "first" | "last";
  }[];
  /**
   * The metric that stands for the benchmark (one of `metrics`).
   */
  headline: string;
  validity?: {
    /**
     * Patterns that must all appear for a trial to be valid.
     */
    mustMatch?: string[];
    /**
     * Patterns none of which may appear.
     */
    mustNotMatch?: string[];
  };
}

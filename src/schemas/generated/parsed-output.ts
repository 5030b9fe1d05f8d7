/* DO NOT EDIT: generated from schemas/parsed-output.schema.json by `npm run generate:types`. */

/**
 * What `aws-bench parse <program> FILE --json` prints: every run found in one raw output, with parameters, metrics (value, explicit unit, text as printed) and validity by the program's own rule. Version 1.
 */
export interface ParsedOutput {
  schemaVersion: 1;
  /**
   * `membw`: the project's own bandwidth kernel (kernels/membw/), never STREAM.
   */
  program: "stream" | "hpl" | "hpcc" | "coremark" | "membw";
  file: {
    name: string;
    sha256: string;
    bytes: number;
  };
  /**
   * @minItems 1
   */
  runs: ParsedRun[];
  /**
   * HPCC's Summary section, key=value, values as printed.
   */
  summary?: {
    [k: string]: string;
  };
}
export interface ParsedRun {
  /**
   * `custom`: a benchmark declared in a custom-benchmark file.
   */
  benchmark: "stream" | "hpl" | "coremark" | "membw" | "custom";
  implementation: string;
  section?: string;
  parameters: {
    [k: string]: string | number | boolean;
  };
  metrics: {
    [k: string]: PrintedQuantity;
  };
  valid: boolean;
  invalidReason?: string;
  notes: string[];
  line: number;
}
export interface PrintedQuantity {
  /**
   * null when the program printed inf or nan.
   */
  value: number | null;
  unit: string;
  printed: string;
}

/**
 * What every output parser returns: one or more runs, each with its implementation, parameters, metrics (with
 * units and printed text), validity and the reason when invalid. `aws-bench parse --json` prints this, and the
 * runner turns runs into trials of a result document. Parsers report output they cannot read with
 * {@link unparseable}, naming what is missing.
 */
import { BenchError } from "../errors.js";
import type { ParsedRun } from "../schemas/generated/parsed-output.js";

/** One run found in a raw output (schemas/parsed-output.schema.json). */
export type { ParsedRun };

/** Thrown when an output is empty, not of the named program, or truncated. */
export function unparseable(label: string, problem: string, fix: string): BenchError {
  return new BenchError("OutputUnparseable", `${label}: ${problem}.`, { fix });
}

/** Splits text into lines (any newline convention), keeping 1-based numbers. */
export function numberedLines(text: string): Array<{ text: string; line: number }> {
  return text.split(/\r\n|\r|\n/).map((value, index) => ({ text: value, line: index + 1 }));
}

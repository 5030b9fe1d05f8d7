/**
 * Numbers as a benchmark printed them. Parsers keep the printed text next to the value, so a published number
 * can always be traced to the characters in the raw output, and C's `inf`/`nan` are recognised instead of
 * silently becoming garbage.
 */

import type { PrintedQuantity } from "../schemas/generated/parsed-output.js";

/** A metric as printed: value (null for inf or nan), explicit unit, and the exact text (schemas/parsed-output). */
export type { PrintedQuantity };

const numberPattern = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const nonFinitePattern = /^[-+]?(?:inf|infinity|nan)(?:\(\w*\))?$/i;

/** Reads a printed number; returns undefined when `token` is not one. */
export function printedQuantity(token: string, unit: string): PrintedQuantity | undefined {
  if (numberPattern.test(token)) return { value: Number(token), unit, printed: token };
  if (nonFinitePattern.test(token)) return { value: null, unit, printed: token };
  return undefined;
}

/** Names of metrics whose value is not finite, for an invalid-run reason. */
export function nonFiniteMetrics(metrics: Readonly<Record<string, PrintedQuantity>>): string[] {
  return Object.entries(metrics)
    .filter(([, quantity]) => quantity.value === null)
    .map(([name, quantity]) => `${name} (${quantity.printed})`);
}

/** The equivalence margin as users write it: `3%` or `0.03`. */
import { BenchError } from "../errors.js";

/** `3%` → 0.03, `0.05` → 0.05; refuses anything outside (0, 50 %]. */
export function parseMargin(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  const value = match ? Number(match[1]) / (match[2] ? 100 : 1) : Number.NaN;
  if (!(value > 0 && value <= 0.5))
    throw new BenchError("UsageError", `--margin ${JSON.stringify(text)} is not a margin between 0 and 50 %.`, {
      fix: "Write it as a percentage (--margin 3%) or a fraction (--margin 0.03).",
    });
  return value;
}

/**
 * Flags instances whose value is far from the others by the robust (modified) z-score. Flags only: nothing is ever
 * removed here; a report shows the flag and the reader decides.
 */
import { medianOfSorted, sortedFinite } from "./order-statistics.js";

/** Method name of {@link robustZScores}. */
export const ROBUST_Z_METHOD = "modified z-score 0.6745·(x − median)/MAD (Iglewicz & Hoaglin)";

/** Robust z-scores of a set of per-instance values, with outlier flags. */
export interface RobustZScores {
  /** Number of values. */
  n: number;
  /** Sample median. */
  median: number;
  /** Median absolute deviation from the median (unscaled). */
  mad: number;
  /**
   * The scale used: `mad` (z = 0.6745·(x − median)/MAD); `meanAbsoluteDeviation` when MAD = 0 but not all values are
   * equal (z = (x − median)/(1.2533·meanAD)); `none` when all values are equal (every z is 0).
   */
  scale: "mad" | "meanAbsoluteDeviation" | "none";
  /** z for each value, in input order. */
  z: number[];
  /** Whether each value is flagged (|z| > threshold, and only when n ≥ 5), in input order. */
  outlier: boolean[];
  /** Whether flagging applied at all: false for n < 5, where a median and MAD of so few values cannot tell. */
  flaggingApplies: boolean;
  /** The |z| threshold, 3.5. */
  threshold: number;
  /** Name of the method. */
  method: string;
}

/** Fewest values for which {@link robustZScores} flags outliers. */
export const MIN_VALUES_FOR_OUTLIER_FLAGS = 5;

/**
 * Modified z-scores z_i = 0.6745·(x_i − median)/MAD, where MAD is the median of |x_i − median| and 0.6745 = Φ⁻¹(¾)
 * makes MAD/0.6745 estimate σ for normal data; |z| > 3.5 is flagged, as Iglewicz & Hoaglin recommend, but only when
 * n ≥ 5. When more than half the values are equal MAD is 0; then the scale falls back to the mean absolute deviation
 * from the median times √(π/2) ≈ 1.2533 (its normal-consistency factor), and when all values are equal every z is 0.
 * Assumes a roughly symmetric population; no value is removed.
 *
 * Reference: B. Iglewicz & D. C. Hoaglin (1993), How to Detect and Handle Outliers (ASQC Basic References in Quality
 * Control 16), the modified z-score and its 3.5 cut-off; the mean-absolute-deviation fallback for MAD = 0 is the
 * usual convention, not from that book.
 */
export function robustZScores(values: readonly number[]): RobustZScores {
  const sorted = sortedFinite(values, "robustZScores()");
  const n = sorted.length;
  const center = medianOfSorted(sorted);
  const deviations = sorted.map((x) => Math.abs(x - center)).sort((a, b) => a - b);
  const mad = medianOfSorted(deviations);
  const meanAd = deviations.reduce((sum, d) => sum + d, 0) / n;
  let scale: RobustZScores["scale"];
  let z: number[];
  if (mad > 0) {
    scale = "mad";
    z = values.map((x) => (0.6745 * (x - center)) / mad);
  } else if (meanAd > 0) {
    scale = "meanAbsoluteDeviation";
    z = values.map((x) => (x - center) / (1.2533 * meanAd));
  } else {
    scale = "none";
    z = values.map(() => 0);
  }
  const threshold = 3.5;
  const flaggingApplies = n >= MIN_VALUES_FOR_OUTLIER_FLAGS;
  return {
    n,
    median: center,
    mad,
    scale,
    z,
    outlier: z.map((score) => flaggingApplies && Math.abs(score) > threshold),
    flaggingApplies,
    threshold,
    method: ROBUST_Z_METHOD,
  };
}

/**
 * Time limits of a batch instance, all from the runner's estimate for the planned benchmarks on its type: the
 * benchmark container's timeout, the shutdown timer set first thing in user-data, the minutes the plan expects and
 * charges at most, and the collector's deadline; and the batch's expiry from its instances' lives. Boot and image
 * pull get margins (bare-metal sizes boot far slower), and `--max-minutes` caps the whole. Every other module takes
 * these numbers from here, so the timer, the deadline, the cost and the expiry never disagree.
 */
import { BenchError } from "../src/errors.js";

/** Inputs. */
export interface TimingInputs {
  /** The runner's predicted seconds for the planned benchmarks on this type. */
  benchmarkSeconds: number;
  /** A `.metal` size (firmware initialisation takes many minutes). */
  bareMetal: boolean;
  /** The user's cap on an instance's life. */
  maxMinutes?: number | undefined;
}

/** The limits. */
export interface InstanceTiming {
  /** Minutes the container may run. */
  runTimeoutMinutes: number;
  /** Minutes after boot when the instance powers itself off (and terminates). */
  shutdownAfterMinutes: number;
  /** Minutes from launch the plan expects: boot, pull, the estimate, upload. */
  expectedMinutes: number;
  /** Longest life from launch: boot plus the shutdown timer (the cost's upper bound). */
  maximumMinutes: number;
  /** Minutes after launch the collector waits for `status.json`: the longest life and five minutes. */
  collectDeadlineMinutes: number;
  /** Whether `maxMinutes` shortened the limits (the run may then be cut short). */
  capped: boolean;
}

/** Minutes from launch until user-data starts. */
export function bootMarginMinutes(bareMetal: boolean): number {
  return bareMetal ? 20 : 5;
}

/** Engine install, registry login and image pull. */
export const pullMarginMinutes = 8;
/** Uploading results and status. */
export const uploadMarginMinutes = 5;

/** Limits for one instance. */
export function instanceTiming(inputs: TimingInputs): InstanceTiming {
  if (!(inputs.benchmarkSeconds > 0))
    throw new BenchError("InvalidArgument", `benchmarkSeconds must be positive, not ${inputs.benchmarkSeconds}.`, {
      fix: "This is a bug in a benchmark's estimate: report it.",
    });
  // Estimates err long already; 50 % more plus five minutes absorbs a slow host without letting a hung one live on.
  let runTimeoutMinutes = Math.ceil((inputs.benchmarkSeconds * 1.5) / 60) + 5;
  let shutdownAfterMinutes = pullMarginMinutes + runTimeoutMinutes + uploadMarginMinutes;
  let capped = false;
  if (inputs.maxMinutes !== undefined) {
    const available = inputs.maxMinutes - bootMarginMinutes(inputs.bareMetal);
    if (available < pullMarginMinutes + uploadMarginMinutes + 1) {
      const floor = bootMarginMinutes(inputs.bareMetal) + pullMarginMinutes + uploadMarginMinutes;
      throw new BenchError(
        "UsageError",
        `--max-minutes ${inputs.maxMinutes} leaves no time to run anything on ${inputs.bareMetal ? "a metal type" : "this type"} (boot, pull and upload alone take ${floor} minutes).`,
        { fix: `Pass --max-minutes ${floor + 10} or more, or leave it out.` },
      );
    }
    if (shutdownAfterMinutes > available) {
      shutdownAfterMinutes = Math.floor(available);
      runTimeoutMinutes = shutdownAfterMinutes - pullMarginMinutes - uploadMarginMinutes;
      capped = true;
    }
  }
  const boot = bootMarginMinutes(inputs.bareMetal);
  return {
    runTimeoutMinutes,
    shutdownAfterMinutes,
    expectedMinutes: Math.ceil(boot + pullMarginMinutes + inputs.benchmarkSeconds / 60 + uploadMarginMinutes),
    maximumMinutes: boot + shutdownAfterMinutes,
    collectDeadlineMinutes: collectDeadlineMinutes(boot + shutdownAfterMinutes),
    capped,
  };
}

/** The collector's deadline after launch for an instance that lives at most `maximumMinutes`. */
export function collectDeadlineMinutes(maximumMinutes: number): number {
  return maximumMinutes + 5;
}

/** Minutes `up` may take (image builds included) before instances start: part of every expiry. */
export const upBudgetMinutes = 120;

/**
 * When cleanup may remove a batch launched at `start`: up's budget, the longest instance life, and an hour of
 * grace for collection and teardown.
 */
export function batchExpiresAt(start: Date, maximumMinutes: readonly number[]): Date {
  const longest = Math.max(0, ...maximumMinutes);
  return new Date(start.getTime() + (upBudgetMinutes + longest + 60) * 60_000);
}

/**
 * Exit codes, decided here and only here: the library reports failures as {@link BenchError}s with stable codes and
 * batch outcomes as verdicts; the CLI turns both into DESIGN.md's exit codes.
 */
import type { BenchError } from "../errors.js";
import type { BatchVerdict } from "../orchestrator/lifecycle.js";

/** Exit codes from DESIGN.md. */
export const ExitCode = {
  Success: 0,
  Failure: 1,
  Usage: 2,
  Partial: 3,
  Interrupted: 130,
} as const;

/** The exit code of a failure: usage errors 2, interruptions 130, everything else 1. */
export function exitCodeOfError(error: Pick<BenchError, "code">): number {
  if (error.code === "UsageError") return ExitCode.Usage;
  if (error.code === "Interrupted") return ExitCode.Interrupted;
  return ExitCode.Failure;
}

/** The exit code of a batch's verdict: 0 all succeeded, 3 some skipped or failed, 1 none, 130 interrupted. */
export function exitCodeOfVerdict(verdict: BatchVerdict): number {
  switch (verdict) {
    case "succeeded":
      return ExitCode.Success;
    case "partial":
      return ExitCode.Partial;
    case "failed":
      return ExitCode.Failure;
    case "interrupted":
      return ExitCode.Interrupted;
  }
}

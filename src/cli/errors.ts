/**
 * The one user-facing error type. Every failure a user can act on becomes a `CliError` with a stable code
 * (scripts match on it), a one-line message saying what went wrong, and a one-line fix.
 */

/** Stable error codes. Adding one is fine; renaming one breaks users' scripts. */
export type CliErrorCode =
  | "AccessDenied"
  | "BackendNotShared"
  | "BatchNotFound"
  | "ConfirmationRequired"
  | "CostLimitExceeded"
  | "PulumiCliMissing"
  | "PulumiError"
  | "StackLocked"
  | "BuildFailed"
  | "BundleMissing"
  | "EngineUnreachable"
  | "CredentialsExpired"
  | "CredentialsInvalid"
  | "CredentialsMissing"
  | "EmptyResult"
  | "EndpointUnreachable"
  | "FamilyTableInvalid"
  | "InputMalformed"
  | "Interrupted"
  | "InputUnreadable"
  | "InvalidArgument"
  | "MappingMismatch"
  | "NotYetAvailable"
  | "OutputUnparseable"
  | "PrivateDetail"
  | "ChecksumMismatch"
  | "RegionMissing"
  | "RegionNotEnabled"
  | "RegionUnknown"
  | "SchemaViolation"
  | "Throttled"
  | "AwsError"
  | "UsageError"
  | "WriteFailed";

/** Exit codes from DESIGN.md. */
export const ExitCode = {
  Success: 0,
  Failure: 1,
  Usage: 2,
  Partial: 3,
  Interrupted: 130,
} as const;

/** Options of a {@link CliError} beyond its code and message. */
export interface CliErrorOptions {
  /** One line telling the user how to fix it. */
  fix?: string;
  /** The error that caused this one, shown with `--debug`. */
  cause?: unknown;
  /** Exit code; usage errors exit 2, everything else 1 unless given. */
  exitCode?: number;
}

/** A failure explained to the user: printed as `error [Code]: message` and `fix: …`, without a stack trace. */
export class CliError extends Error {
  /** Stable code, e.g. `CredentialsExpired`. */
  readonly code: CliErrorCode;
  /** How to fix it, one line. */
  readonly fix: string | undefined;
  /** The process exit code this error maps to. */
  readonly exitCode: number;

  /**
   * @param code - stable error code
   * @param message - what went wrong, naming the input at fault
   * @param options - fix, cause and exit code
   */
  constructor(code: CliErrorCode, message: string, options: CliErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CliError";
    this.code = code;
    this.fix = options.fix;
    this.exitCode = options.exitCode ?? (code === "UsageError" ? ExitCode.Usage : ExitCode.Failure);
  }
}

/** True for a {@link CliError}, also across duplicated module instances. */
export function isCliError(error: unknown): error is CliError {
  return error instanceof CliError || (error instanceof Error && error.name === "CliError" && "code" in error);
}

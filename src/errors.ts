/**
 * The one user-facing error type of the library. Every failure a user can act on becomes a `BenchError` with a
 * stable code (scripts match on it), a one-line message saying what went wrong and naming the input at fault, and a
 * one-line fix. The library never decides exit codes or prints: the CLI (`src/cli/`) maps codes to exit codes and
 * prints the message without a stack trace; other programs importing the library catch it like any error.
 */

/** Stable error codes. Adding one is fine; renaming one breaks users' scripts. */
export type ErrorCode =
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
  | "InputTooLarge"
  | "InvalidArgument"
  | "MappingMismatch"
  | "NotYetAvailable"
  | "OutputUnparseable"
  | "PrivateDetail"
  | "ChecksumMismatch"
  | "ContributionRefused"
  | "RegionMissing"
  | "RegionNotEnabled"
  | "RegionUnknown"
  | "ReviewKeyMismatch"
  | "ReviewKeyMissing"
  | "SealedPayloadUnreadable"
  | "SchemaViolation"
  | "Throttled"
  | "AwsError"
  | "UsageError"
  | "WriteFailed";

/** Options of a {@link BenchError} beyond its code and message. */
export interface BenchErrorOptions {
  /** One line telling the user how to fix it. */
  fix?: string | undefined;
  /** The error that caused this one, shown with `--debug`. */
  cause?: unknown;
}

/** A failure explained to the user: printed as `error [Code]: message` and `fix: …`, without a stack trace. */
export class BenchError extends Error {
  /** Stable code, e.g. `CredentialsExpired`. */
  readonly code: ErrorCode;
  /** How to fix it, one line. */
  readonly fix: string | undefined;

  /**
   * @param code - stable error code
   * @param message - what went wrong, naming the input at fault
   * @param options - fix and cause
   */
  constructor(code: ErrorCode, message: string, options: BenchErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "BenchError";
    this.code = code;
    this.fix = options.fix;
  }
}

/** True for a {@link BenchError}, also across duplicated module instances (a bundled runner beside the library). */
export function isBenchError(error: unknown): error is BenchError {
  return error instanceof BenchError || (error instanceof Error && error.name === "BenchError" && "code" in error);
}

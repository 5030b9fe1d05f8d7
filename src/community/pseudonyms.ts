/**
 * Keyed pseudonyms of a contribution's instance and account: two bundles from one instance get the same instance
 * pseudonym (so they count as one instance) and `analyze` can report how many accounts contributed, while neither
 * id is published.
 *
 * A plain hash would not do: EC2 ids are short and structured (an account id is 12 digits), so anyone could hash
 * every candidate and find the id. HMAC-SHA256 with a secret only the maintainers hold (RFC 2104) makes that
 * impossible without the secret. Each input is prefixed with its kind ("instance:", "account:"), so one string used
 * as both kinds gives unrelated pseudonyms. The output is the first 20 hex digits (80 bits): collisions among even
 * millions of contributions are out of reach, and the string stays short enough to read in a table.
 *
 * The secret reaches the library as bytes; the caller reads it from a file or an environment variable.
 */
import { createHmac } from "node:crypto";
import { BenchError } from "../errors.js";

/** Hex digits kept of each HMAC. */
export const pseudonymLength = 20;

/** The shortest secret accepted: HMAC-SHA256's full strength needs 32 bytes of key. */
export const minSecretBytes = 32;

/** The ids a contribution's identity document names. */
export interface ContributionIds {
  /** EC2 instance id, e.g. `i-0123456789abcdef0`. */
  instanceId: string;
  /** AWS account id, 12 digits. */
  accountId: string;
}

/** Pseudonyms of {@link ContributionIds}, each {@link pseudonymLength} lower-case hex digits. */
export interface ContributionPseudonyms {
  /** Keyed pseudonym of the instance id. */
  instance: string;
  /** Keyed pseudonym of the account id. */
  account: string;
}

/**
 * The keyed pseudonyms of a contribution's instance and account under the maintainers' `secret` (bytes; a string
 * counts as its UTF-8 bytes). Throws `InvalidArgument` for a secret under {@link minSecretBytes} bytes or an empty id.
 */
export function pseudonymsFor(ids: ContributionIds, secret: Buffer | string): ContributionPseudonyms {
  const key = typeof secret === "string" ? Buffer.from(secret, "utf8") : secret;
  if (key.length < minSecretBytes)
    throw new BenchError(
      "InvalidArgument",
      `The pseudonym secret holds ${key.length} bytes; at least ${minSecretBytes} are needed.`,
      {
        fix: "Use the maintainers' pseudonym secret, e.g. made with `openssl rand -hex 32`.",
      },
    );
  for (const [name, value] of Object.entries(ids))
    if (typeof value !== "string" || value.length === 0)
      throw new BenchError("InvalidArgument", `The ${name} to pseudonymize is empty.`, {
        fix: "Take the id from the verified identity document.",
      });
  return {
    instance: pseudonym(key, `instance:${ids.instanceId}`),
    account: pseudonym(key, `account:${ids.accountId}`),
  };
}

function pseudonym(key: Buffer, input: string): string {
  return createHmac("sha256", key).update(input, "utf8").digest("hex").slice(0, pseudonymLength);
}

/* DO NOT EDIT: generated from schemas/review-keys.schema.json by `npm run generate:types`. */

/**
 * The maintainers' public review keys, configs/review-keys.json: `aws-bench submit` seals a contribution's private identity to the newest key that is not retired; `aws-bench review` opens it with the private key whose keyId the sealed payload names. Public keys only; private keys never enter the repository. Version 1.
 */
export interface ReviewKeyRing {
  schemaVersion: 1;
  /**
   * @maxItems 64
   */
  keys: ReviewKey[];
}
export interface ReviewKey {
  /**
   * The first 16 hex digits of the SHA-256 of the raw 32-byte public key.
   */
  keyId: string;
  /**
   * The X25519 public key: its raw 32 bytes (RFC 7748), in standard base64.
   */
  publicKey: string;
  createdAt: string;
  /**
   * From this time on, nothing new is sealed to the key; reviewers keep its private key to open what was sealed before.
   */
  retiredAt?: string;
  /**
   * Who holds the private key, and anything else reviewers need to know.
   */
  note: string;
}

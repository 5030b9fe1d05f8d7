/**
 * Sealing a contribution's private identity (the EC2 instance identity document and its signatures, a few KiB of
 * JSON) to the maintainers' review key, so that only reviewers can read it.
 *
 * The sealed payload travels in a pull request and stays in its history for good: whoever holds the review key's
 * private half in the future, a thief included, can open every payload ever sealed to it. Sealing hides the identity
 * from the public today; it does not keep it secret forever. That is why the worst it holds are account and
 * instance ids (which AWS says are not secrets), and why `submit --public-identity` exists for contributors who
 * would rather publish the document and let anyone re-verify it.
 *
 * Scheme (an ECIES in the manner of HPKE's base mode, built from `node:crypto` only): a fresh X25519 key pair per
 * payload; the shared secret of its private half and the review key (RFC 7748) goes through HKDF-SHA256 (RFC 5869)
 * with salt = ephemeral public key ‖ review public key and info = {@link sealInfo}, giving an AES-256-GCM key used
 * once, with a random 12-byte nonce. The format and the key id are the additional authenticated data, so changing
 * either fails authentication even if the key id check were skipped.
 *
 * Keys are raw X25519 public keys (32 bytes) in standard base64, and PKCS#8 PEM private keys. A key's id is the
 * first 16 hex digits of the SHA-256 of its raw public key: short enough to read out, stable, and derivable from
 * either half.
 *
 * Rotation: `configs/review-keys.json` lists public keys with their creation and retirement times; submit seals to
 * the newest key that is not retired; review opens with whichever private key has the payload's key id, and names
 * that id when none of the keys it was given has it.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from "node:crypto";
import { BenchError } from "../errors.js";
import { readRegularFile } from "../input-files.js";
import { packagePath } from "../package-files.js";
import { assertDocument } from "../schemas/documents.js";
import type { ReviewKey, ReviewKeyRing } from "../schemas/generated/review-keys.js";

/** The value of a sealed payload's `format`; a new scheme gets a new version, never a changed meaning. */
export const sealedFormat = "aws-bench-sealed-v1";

/** HKDF's info: names the project, the purpose and the format, so a key derived here is useless anywhere else. */
export const sealInfo = "aws-instance-benchmarks sealed contribution identity v1: X25519, HKDF-SHA256, AES-256-GCM";

/** The largest sealed payload read, counted in characters of its fields before anything is decoded. */
export const maxSealedChars = 64 * 1024;

/** The largest plaintext sealed: identity documents are a few KiB; its base64 stays well under {@link maxSealedChars}. */
export const maxPlaintextBytes = 32 * 1024;

/** The largest key ring file read. */
const maxRingBytes = 256 * 1024;

const nonceBytes = 12;
const tagBytes = 16;
const rawKeyBytes = 32;

/** A payload sealed to a review key; every binary field is standard base64. JSON-friendly as it is. */
export interface SealedPayload {
  /** Always {@link sealedFormat}. */
  format: typeof sealedFormat;
  /** Id of the review key it is sealed to. */
  keyId: string;
  /** The sender's one-time X25519 public key, raw 32 bytes. */
  ephemeralPublicKey: string;
  /** AES-GCM nonce, 12 bytes. */
  nonce: string;
  /** AES-256-GCM ciphertext, as long as the plaintext. */
  ciphertext: string;
  /** AES-GCM authentication tag, 16 bytes. */
  tag: string;
}

/** A review key pair as {@link generateReviewKey} makes it. */
export interface GeneratedReviewKey {
  /** First 16 hex digits of the SHA-256 of the raw public key. */
  keyId: string;
  /** Raw 32-byte X25519 public key in standard base64: what goes into `configs/review-keys.json`. */
  publicKey: string;
  /** PKCS#8 PEM private key: kept by the maintainers, never committed. */
  privateKeyPem: string;
}

/** A new review key pair. The public half and its id go into the ring; the private half stays with reviewers. */
export function generateReviewKey(): GeneratedReviewKey {
  const { publicKey, privateKey } = generateKeyPairSync("x25519");
  const raw = rawPublicKey(publicKey);
  return {
    keyId: keyIdOf(raw),
    publicKey: raw.toString("base64"),
    privateKeyPem: privateKey.export({ format: "pem", type: "pkcs8" }) as string,
  };
}

/** The key id of a raw 32-byte public key: first 16 hex digits of its SHA-256. */
export function keyIdOf(rawPublicKey: Buffer): string {
  return createHash("sha256").update(rawPublicKey).digest("hex").slice(0, 16);
}

/** The key id of a PKCS#8 PEM X25519 private key (from its public half); throws `InputMalformed` for other keys. */
export function reviewKeyIdOf(privateKeyPem: string): string {
  return keyIdOf(rawPublicKey(createPublicKey(parsePrivateKey(privateKeyPem))));
}

/**
 * Seals `plaintext` to the review key `recipient` (an entry of the ring). Throws `InvalidArgument` for a plaintext
 * over {@link maxPlaintextBytes} and `SchemaViolation` when the entry's key id does not belong to its key.
 */
export function seal(plaintext: Buffer | string, recipient: Pick<ReviewKey, "keyId" | "publicKey">): SealedPayload {
  const data = typeof plaintext === "string" ? Buffer.from(plaintext, "utf8") : plaintext;
  if (data.length > maxPlaintextBytes)
    throw new BenchError(
      "InvalidArgument",
      `The data to seal holds ${data.length} bytes, more than the limit of ${maxPlaintextBytes}.`,
      {
        fix: "Seal only the identity document and its signatures, not the run's files.",
      },
    );
  const recipientRaw = decodeRawKey(recipient.publicKey, `review key ${recipient.keyId}`);
  if (keyIdOf(recipientRaw) !== recipient.keyId)
    throw new BenchError(
      "SchemaViolation",
      `Review key ${recipient.keyId}: its keyId is not the id of its public key (${keyIdOf(recipientRaw)}).`,
      {
        fix: "Correct configs/review-keys.json: keyId is the first 16 hex digits of the SHA-256 of the raw public key.",
      },
    );
  const ephemeral = generateKeyPairSync("x25519");
  const ephemeralRaw = rawPublicKey(ephemeral.publicKey);
  const shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: publicKeyFromRaw(recipientRaw) });
  const key = contentKey(shared, ephemeralRaw, recipientRaw);
  const nonce = randomBytes(nonceBytes);
  const cipher = createCipheriv("aes-256-gcm", key, nonce, { authTagLength: tagBytes });
  cipher.setAAD(additionalData(recipient.keyId));
  const ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
  return {
    format: sealedFormat,
    keyId: recipient.keyId,
    ephemeralPublicKey: ephemeralRaw.toString("base64"),
    nonce: nonce.toString("base64"),
    ciphertext: ciphertext.toString("base64"),
    tag: cipher.getAuthTag().toString("base64"),
  };
}

/**
 * The plaintext of a sealed payload, opened with a PKCS#8 PEM private review key. Throws `SealedPayloadUnreadable`
 * for a payload of the wrong shape, size or format, or one that fails authentication ("wrong key or altered
 * ciphertext": AES-GCM cannot tell them apart); `ReviewKeyMismatch` when the key's id is not the payload's, checked
 * first so that the usual mistake gets a precise message.
 */
export function openSealed(sealed: unknown, privateKeyPem: string): Buffer {
  const payload = readSealedPayload(sealed);
  const privateKey = parsePrivateKey(privateKeyPem);
  const recipientRaw = rawPublicKey(createPublicKey(privateKey));
  const givenKeyId = keyIdOf(recipientRaw);
  if (givenKeyId !== payload.keyId)
    throw new BenchError(
      "ReviewKeyMismatch",
      `The payload is sealed to review key ${payload.keyId}; the key given is ${givenKeyId}.`,
      {
        fix: `Pass the private key of review key ${payload.keyId}.`,
      },
    );
  return decrypt(payload, privateKey, recipientRaw);
}

/**
 * The plaintext of a sealed payload, opened with whichever of `privateKeyPems` has its key id (a reviewer holds the
 * current key and the retired ones). Throws `ReviewKeyMissing` naming the key id needed when none has it; otherwise
 * as {@link openSealed}.
 */
export function openSealedWithAny(sealed: unknown, privateKeyPems: readonly string[]): Buffer {
  const payload = readSealedPayload(sealed);
  const match = privateKeyPems.find((pem) => reviewKeyIdOf(pem) === payload.keyId);
  if (match === undefined)
    throw new BenchError(
      "ReviewKeyMissing",
      `The payload is sealed to review key ${payload.keyId}, and none of the ${privateKeyPems.length} keys given is it.`,
      { fix: `Pass the private key of review key ${payload.keyId} (ask the maintainer who holds it).` },
    );
  return openSealed(payload, match);
}

function decrypt(payload: SealedPayload, privateKey: KeyObject, recipientRaw: Buffer): Buffer {
  const ephemeralRaw = decodeField(payload.ephemeralPublicKey, rawKeyBytes, "ephemeralPublicKey");
  const nonce = decodeField(payload.nonce, nonceBytes, "nonce");
  const tag = decodeField(payload.tag, tagBytes, "tag");
  const ciphertext = decodeField(payload.ciphertext, undefined, "ciphertext");
  let shared: Buffer;
  try {
    shared = diffieHellman({ privateKey, publicKey: publicKeyFromRaw(ephemeralRaw) });
  } catch (error) {
    // OpenSSL refuses low-order points (an all-zero shared secret): only an altered key produces one.
    throw unreadable("its ephemeral public key is not usable (altered payload)", error);
  }
  const decipher = createDecipheriv("aes-256-gcm", contentKey(shared, ephemeralRaw, recipientRaw), nonce, {
    authTagLength: tagBytes,
  });
  decipher.setAAD(additionalData(payload.keyId));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch (error) {
    throw unreadable("it fails authentication: wrong key or altered ciphertext", error);
  }
}

/** Checks a sealed payload's shape and size before decoding anything. */
function readSealedPayload(sealed: unknown): SealedPayload {
  if (sealed === null || typeof sealed !== "object" || Array.isArray(sealed))
    throw unreadable("it is not a JSON object");
  const fields = ["format", "keyId", "ephemeralPublicKey", "nonce", "ciphertext", "tag"] as const;
  const record = sealed as Record<string, unknown>;
  const unknown = Object.keys(record).filter((key) => !(fields as readonly string[]).includes(key));
  if (unknown.length > 0) throw unreadable(`it has unknown fields: ${unknown.slice(0, 5).join(", ")}`);
  let chars = 0;
  for (const field of fields) {
    const value = record[field];
    if (typeof value !== "string") throw unreadable(`its ${field} is missing or not a string`);
    chars += value.length;
    if (chars > maxSealedChars) throw unreadable(`it is larger than the limit of ${maxSealedChars} characters`);
  }
  // The format first: a payload of another version cannot be judged by this version's rules.
  if (record.format !== sealedFormat)
    throw unreadable(`its format is ${JSON.stringify(record.format)}, not ${sealedFormat}`);
  if (!/^[0-9a-f]{16}$/.test(record.keyId as string)) throw unreadable("its keyId is not 16 lower-case hex digits");
  return record as unknown as SealedPayload;
}

function unreadable(reason: string, cause?: unknown): BenchError {
  return new BenchError("SealedPayloadUnreadable", `Cannot open the sealed identity: ${reason}.`, {
    fix: "Take the sealed payload exactly as `aws-bench submit` wrote it, and the review key it names.",
    cause,
  });
}

/** Strict standard base64 (Buffer's decoder skips bad characters silently), of `length` bytes when given. */
function decodeField(value: string, length: number | undefined, field: string): Buffer {
  const bytes = Buffer.from(value, "base64");
  if (bytes.toString("base64") !== value) throw unreadable(`its ${field} is not standard base64`);
  if (length !== undefined && bytes.length !== length)
    throw unreadable(`its ${field} holds ${bytes.length} bytes, not ${length}`);
  return bytes;
}

function decodeRawKey(value: string, label: string): Buffer {
  const bytes = Buffer.from(value, "base64");
  if (bytes.length !== rawKeyBytes || bytes.toString("base64") !== value)
    throw new BenchError(
      "SchemaViolation",
      `${label}: its publicKey is not a raw 32-byte X25519 key in standard base64.`,
      {
        fix: "Take publicKey exactly as `generateReviewKey()` printed it.",
      },
    );
  return bytes;
}

function contentKey(shared: Buffer, ephemeralRaw: Buffer, recipientRaw: Buffer): Buffer {
  return Buffer.from(hkdfSync("sha256", shared, Buffer.concat([ephemeralRaw, recipientRaw]), sealInfo, 32));
}

function additionalData(keyId: string): Buffer {
  return Buffer.from(`${sealedFormat}\n${keyId}`, "utf8");
}

function rawPublicKey(key: KeyObject): Buffer {
  const x = key.export({ format: "jwk" }).x;
  return Buffer.from(x as string, "base64url");
}

function publicKeyFromRaw(raw: Buffer): KeyObject {
  return createPublicKey({ key: { kty: "OKP", crv: "X25519", x: raw.toString("base64url") }, format: "jwk" });
}

function parsePrivateKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: "pem" });
  } catch (error) {
    throw new BenchError("InputMalformed", "The review key is not a PEM private key.", {
      fix: "Pass the PKCS#8 PEM private key made with the review key (BEGIN PRIVATE KEY).",
      cause: error,
    });
  }
  if (key.asymmetricKeyType !== "x25519")
    throw new BenchError("InputMalformed", `The review key is an ${String(key.asymmetricKeyType)} key, not X25519.`, {
      fix: "Pass the PKCS#8 PEM private key made with the review key (BEGIN PRIVATE KEY).",
    });
  return key;
}

/** Where the shipped key ring is. */
export function reviewKeyRingPath(): string {
  return packagePath("configs", "review-keys.json");
}

/**
 * Reads and validates a review key ring (by default the shipped `configs/review-keys.json`): at most 256 KiB,
 * schema-checked, and each entry's key id that of its public key, ids unique, retirement after creation. Throws
 * `InputUnreadable`, `InputMalformed` or `SchemaViolation` naming the file and the entry at fault.
 */
export async function loadReviewKeyRing(path: string = reviewKeyRingPath()): Promise<ReviewKeyRing> {
  let bytes: Buffer;
  try {
    bytes = readRegularFile(path, maxRingBytes);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "it does not exist" : (error as Error).message;
    throw new BenchError("InputUnreadable", `Cannot read ${path}: ${reason}.`, {
      fix: "Check the path and its permissions.",
      cause: error,
    });
  }
  let data: unknown;
  try {
    data = JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    throw new BenchError("InputMalformed", `${path} is not valid JSON: ${(error as Error).message}.`, {
      fix: "Restore the file from the repository.",
      cause: error,
    });
  }
  const ring = await assertDocument("review-keys", data, path);
  checkReviewKeyRing(ring, path);
  return ring;
}

/** The checks of a ring beyond its schema; throws `SchemaViolation` naming `label` and the entry. */
export function checkReviewKeyRing(ring: ReviewKeyRing, label: string): void {
  const seen = new Set<string>();
  ring.keys.forEach((entry, index) => {
    const name = `${label} keys[${index}] (keyId ${entry.keyId})`;
    const fail = (problem: string): never => {
      throw new BenchError("SchemaViolation", `${name}: ${problem}.`, {
        fix: "Correct the entry: keyId and publicKey exactly as generateReviewKey() made them, times in ISO 8601.",
      });
    };
    const raw = decodeRawKey(entry.publicKey, name);
    if (keyIdOf(raw) !== entry.keyId) fail(`keyId is not the id of its public key (${keyIdOf(raw)})`);
    if (seen.has(entry.keyId)) fail("the keyId appears twice");
    seen.add(entry.keyId);
    if (entry.retiredAt !== undefined && Date.parse(entry.retiredAt) < Date.parse(entry.createdAt))
      fail("retiredAt is before createdAt");
  });
}

/**
 * The key submit seals to: the newest by `createdAt` that is not retired at `now`. Throws `ReviewKeyMissing` when
 * the ring has none (the shipped ring is empty until the maintainers publish a key: a placeholder would be a lie).
 */
export function currentReviewKey(ring: ReviewKeyRing, now: Date = new Date()): ReviewKey {
  const active = ring.keys.filter(
    (entry) => entry.retiredAt === undefined || Date.parse(entry.retiredAt) > now.getTime(),
  );
  const newest = active.reduce<ReviewKey | undefined>(
    (best, entry) => (best === undefined || Date.parse(entry.createdAt) > Date.parse(best.createdAt) ? entry : best),
    undefined,
  );
  if (newest === undefined)
    throw new BenchError(
      "ReviewKeyMissing",
      "no review key in configs/review-keys.json; use --public-identity or ask maintainers",
      {
        fix: "Submit with --public-identity, or ask the maintainers to publish a review key.",
      },
    );
  return newest;
}

/** Seals `plaintext` to the ring's current key ({@link currentReviewKey}). */
export function sealToReviewKey(
  plaintext: Buffer | string,
  ring: ReviewKeyRing,
  now: Date = new Date(),
): SealedPayload {
  return seal(plaintext, currentReviewKey(ring, now));
}

import { execFileSync } from "node:child_process";
import { createDecipheriv, createCipheriv, createHash, generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  currentReviewKey,
  generateReviewKey,
  keyIdOf,
  loadReviewKeyRing,
  maxSealedChars,
  openSealed,
  openSealedWithAny,
  reviewKeyIdOf,
  seal,
  sealToReviewKey,
  type SealedPayload,
} from "../../../src/community/seal.js";
import type { ReviewKey, ReviewKeyRing } from "../../../src/schemas/generated/review-keys.js";

const dir = mkdtempSync(join(tmpdir(), "seal-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The scheme as the module's documentation states it, written out here to check the module against openssl.
const info = "aws-instance-benchmarks sealed contribution identity v1: X25519, HKDF-SHA256, AES-256-GCM";
const aad = (keyId: string) => Buffer.from(`aws-bench-sealed-v1\n${keyId}`);
// DER prefix of an X25519 SubjectPublicKeyInfo (RFC 8410): SEQUENCE { SEQUENCE { OID 1.3.101.110 } BIT STRING }.
const x25519SpkiPrefix = Buffer.from("302a300506032b656e032100", "hex");

const identity = JSON.stringify({
  accountId: "123456789012",
  instanceId: "i-0123456789abcdef0",
  instanceType: "c7g.large",
  region: "eu-west-1",
  pendingTime: "2026-08-01T10:00:00Z",
  rsa2048: "MIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0BBwGggCSABIIB".repeat(20),
});

function openssl(...args: string[]): Buffer {
  return execFileSync("openssl", args);
}

let fileCount = 0;
function tempFile(content: Buffer | string): string {
  const path = join(dir, `f${fileCount++}`);
  writeFileSync(path, content);
  return path;
}

/** An X25519 key pair made by openssl: its private PEM file, and raw public key with the module's key id. */
function opensslKey(): { pemPath: string; raw: Buffer; keyId: string } {
  const pemPath = join(dir, `key${fileCount++}.pem`);
  openssl("genpkey", "-algorithm", "X25519", "-out", pemPath);
  const der = openssl("pkey", "-in", pemPath, "-pubout", "-outform", "DER");
  const raw = der.subarray(x25519SpkiPrefix.length);
  expect(der.subarray(0, x25519SpkiPrefix.length)).toEqual(x25519SpkiPrefix);
  return { pemPath, raw, keyId: createHash("sha256").update(raw).digest("hex").slice(0, 16) };
}

/** X25519 shared secret computed by openssl pkeyutl. */
function opensslDerive(privatePemPath: string, peerRaw: Buffer): Buffer {
  const peer = tempFile(Buffer.concat([x25519SpkiPrefix, peerRaw]));
  return openssl("pkeyutl", "-derive", "-inkey", privatePemPath, "-peerkey", peer, "-peerform", "DER");
}

/** HKDF-SHA256 computed by openssl kdf. */
function opensslHkdf(secret: Buffer, salt: Buffer): Buffer {
  const options = [
    "digest:SHA256",
    `hexkey:${secret.toString("hex")}`,
    `hexsalt:${salt.toString("hex")}`,
    `info:${info}`,
  ];
  const out = openssl("kdf", "-keylen", "32", ...options.flatMap((option) => ["-kdfopt", option]), "HKDF");
  return Buffer.from(out.toString().trim().replaceAll(":", ""), "hex");
}

function flipByte(base64: string, index: number, mask = 0x01): string {
  const bytes = Buffer.from(base64, "base64");
  bytes[index] = (bytes[index] as number) ^ mask;
  return bytes.toString("base64");
}

function ringFile(ring: unknown): string {
  return tempFile(JSON.stringify(ring));
}

function entry(key: { keyId: string; publicKey: string }, createdAt: string, retiredAt?: string): ReviewKey {
  return {
    keyId: key.keyId,
    publicKey: key.publicKey,
    createdAt,
    ...(retiredAt ? { retiredAt } : {}),
    note: "test key",
  };
}

const key = generateReviewKey();
const other = generateReviewKey();

describe("seal and openSealed", () => {
  it("round-trip text and bytes; every seal is fresh", () => {
    const sealed = seal(identity, key);
    expect(Object.keys(sealed).sort()).toEqual(["ciphertext", "ephemeralPublicKey", "format", "keyId", "nonce", "tag"]);
    expect(sealed.format).toBe("aws-bench-sealed-v1");
    expect(sealed.keyId).toBe(key.keyId);
    expect(Buffer.from(sealed.ephemeralPublicKey, "base64")).toHaveLength(32);
    expect(Buffer.from(sealed.nonce, "base64")).toHaveLength(12);
    expect(Buffer.from(sealed.tag, "base64")).toHaveLength(16);
    expect(sealed.ciphertext).not.toContain(Buffer.from("123456789012").toString("base64"));
    expect(openSealed(JSON.parse(JSON.stringify(sealed)), key.privateKeyPem).toString("utf8")).toBe(identity);

    const again = seal(identity, key);
    expect(again.ephemeralPublicKey).not.toBe(sealed.ephemeralPublicKey);
    expect(again.nonce).not.toBe(sealed.nonce);
    expect(again.ciphertext).not.toBe(sealed.ciphertext);

    const bytes = randomBytes(1000);
    expect(openSealed(seal(bytes, key), key.privateKeyPem)).toEqual(bytes);
    expect(openSealed(seal("", key), key.privateKeyPem)).toEqual(Buffer.alloc(0));
  });

  it("key ids: 16 hex digits of the raw public key's SHA-256, the same from either half", () => {
    expect(key.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(key.keyId).toBe(
      createHash("sha256").update(Buffer.from(key.publicKey, "base64")).digest("hex").slice(0, 16),
    );
    expect(reviewKeyIdOf(key.privateKeyPem)).toBe(key.keyId);
    expect(keyIdOf(Buffer.from(other.publicKey, "base64"))).toBe(other.keyId);
    expect(key.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  });

  it("openssl derives the same key and a plain AES-GCM decrypt recovers the plaintext (interoperability)", () => {
    const reviewer = opensslKey();
    const sealed = seal(identity, { keyId: reviewer.keyId, publicKey: reviewer.raw.toString("base64") });
    const ephemeral = Buffer.from(sealed.ephemeralPublicKey, "base64");
    const shared = opensslDerive(reviewer.pemPath, ephemeral);
    const aesKey = opensslHkdf(shared, Buffer.concat([ephemeral, reviewer.raw]));
    const decipher = createDecipheriv("aes-256-gcm", aesKey, Buffer.from(sealed.nonce, "base64"));
    decipher.setAAD(aad(reviewer.keyId));
    decipher.setAuthTag(Buffer.from(sealed.tag, "base64"));
    const plain = Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, "base64")), decipher.final()]);
    expect(plain.toString("utf8")).toBe(identity);
    // …and the module opens it with openssl's PEM.
    expect(openSealed(sealed, readFileSync(reviewer.pemPath, "utf8")).toString("utf8")).toBe(identity);
  });

  it("opens a payload sealed by hand with openssl's ECDH and HKDF (interoperability)", () => {
    const reviewer = opensslKey();
    const ephemeral = opensslKey();
    const shared = opensslDerive(ephemeral.pemPath, reviewer.raw);
    const aesKey = opensslHkdf(shared, Buffer.concat([ephemeral.raw, reviewer.raw]));
    const nonce = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", aesKey, nonce);
    cipher.setAAD(aad(reviewer.keyId));
    const ciphertext = Buffer.concat([cipher.update(identity, "utf8"), cipher.final()]);
    const sealed = {
      format: "aws-bench-sealed-v1",
      keyId: reviewer.keyId,
      ephemeralPublicKey: ephemeral.raw.toString("base64"),
      nonce: nonce.toString("base64"),
      ciphertext: ciphertext.toString("base64"),
      tag: cipher.getAuthTag().toString("base64"),
    };
    expect(openSealed(sealed, readFileSync(reviewer.pemPath, "utf8")).toString("utf8")).toBe(identity);
  });

  it("the wrong key is named, with the key id the payload needs", () => {
    const sealed = seal(identity, key);
    expect(() => openSealed(sealed, other.privateKeyPem)).toThrow(
      expect.objectContaining({
        code: "ReviewKeyMismatch",
        message: `The payload is sealed to review key ${key.keyId}; the key given is ${other.keyId}.`,
      }),
    );
  });

  it("a changed keyId: named when the key does not match, an authentication failure when it does", () => {
    const sealed = seal(identity, key);
    expect(() => openSealed({ ...sealed, keyId: other.keyId }, key.privateKeyPem)).toThrow(
      expect.objectContaining({
        code: "ReviewKeyMismatch",
        message: expect.stringContaining(`sealed to review key ${other.keyId}`) as unknown,
      }),
    );
    // Relabelled for another reviewer's key: the key id is authenticated data, so GCM refuses it.
    expect(() => openSealed({ ...sealed, keyId: other.keyId }, other.privateKeyPem)).toThrow(
      expect.objectContaining({
        code: "SealedPayloadUnreadable",
        message: expect.stringContaining("wrong key or altered ciphertext") as unknown,
      }),
    );
  });

  it("another format is refused by name", () => {
    const sealed = seal(identity, key);
    expect(() => openSealed({ ...sealed, format: "aws-bench-sealed-v2" }, key.privateKeyPem)).toThrow(
      expect.objectContaining({
        code: "SealedPayloadUnreadable",
        message: expect.stringContaining('format is "aws-bench-sealed-v2"') as unknown,
      }),
    );
  });

  it.each([
    ["ciphertext", [0, 1, 100, 700]],
    ["tag", Array.from({ length: 16 }, (_, i) => i)],
    ["nonce", Array.from({ length: 12 }, (_, i) => i)],
    ["ephemeralPublicKey", Array.from({ length: 32 }, (_, i) => i)],
  ] as const)("a flipped byte in %s fails as wrong key or altered ciphertext", (field, positions) => {
    const sealed = seal(identity, key);
    for (const position of positions) {
      const altered = { ...sealed, [field]: flipByte(sealed[field], position) };
      expect(() => openSealed(altered, key.privateKeyPem), `${field}[${position}]`).toThrow(
        expect.objectContaining({
          code: "SealedPayloadUnreadable",
          message: expect.stringMatching(/wrong key or altered ciphertext|altered payload/) as unknown,
        }),
      );
    }
  });

  it("the ephemeral key's top bit, which X25519 itself ignores, is still bound (through HKDF's salt)", () => {
    const sealed = seal(identity, key);
    const altered = { ...sealed, ephemeralPublicKey: flipByte(sealed.ephemeralPublicKey, 31, 0x80) };
    expect(() => openSealed(altered, key.privateKeyPem)).toThrow(
      expect.objectContaining({ code: "SealedPayloadUnreadable" }),
    );
  });

  it("malformed payloads are refused before any decryption, naming the field", () => {
    const sealed = seal(identity, key);
    const cases: Array<[unknown, RegExp]> = [
      [null, /not a JSON object/],
      [[sealed], /not a JSON object/],
      [{ ...sealed, extra: "x" }, /unknown fields: extra/],
      [{ ...sealed, tag: undefined }, /tag is missing/],
      [{ ...sealed, nonce: 12 }, /nonce is missing or not a string/],
      [{ ...sealed, keyId: "ABCDEF0123456789" }, /keyId is not 16 lower-case hex digits/],
      [{ ...sealed, nonce: Buffer.alloc(16).toString("base64") }, /nonce holds 16 bytes, not 12/],
      [{ ...sealed, tag: sealed.tag.replace(/=+$/, "") }, /tag is not standard base64/],
      [
        { ...sealed, ciphertext: `${sealed.ciphertext.slice(0, 8)}*${sealed.ciphertext.slice(8)}` },
        /ciphertext is not standard base64/,
      ],
    ];
    for (const [payload, message] of cases)
      expect(() => openSealed(payload, key.privateKeyPem), String(message)).toThrow(
        expect.objectContaining({
          code: "SealedPayloadUnreadable",
          message: expect.stringMatching(message) as unknown,
        }),
      );
  });

  it("oversize input is refused: payloads over 64 KiB, plaintexts over 32 KiB", () => {
    const sealed = seal(identity, key);
    const huge = { ...sealed, ciphertext: "A".repeat(maxSealedChars) };
    expect(() => openSealed(huge, key.privateKeyPem)).toThrow(
      expect.objectContaining({
        code: "SealedPayloadUnreadable",
        message: expect.stringContaining("larger than the limit of 65536") as unknown,
      }),
    );
    expect(() => seal(Buffer.alloc(32 * 1024 + 1), key)).toThrow(expect.objectContaining({ code: "InvalidArgument" }));
    expect(openSealed(seal(Buffer.alloc(32 * 1024, 7), key), key.privateKeyPem)).toEqual(Buffer.alloc(32 * 1024, 7));
  });

  it("a private key that is not X25519 PEM is refused", () => {
    const sealed = seal(identity, key);
    const ed = generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }) as string;
    expect(() => openSealed(sealed, ed)).toThrow(
      expect.objectContaining({ code: "InputMalformed", message: expect.stringContaining("ed25519") as unknown }),
    );
    expect(() => openSealed(sealed, "not a key")).toThrow(expect.objectContaining({ code: "InputMalformed" }));
  });

  it("sealing refuses a recipient whose keyId is not its key's", () => {
    expect(() => seal(identity, { keyId: other.keyId, publicKey: key.publicKey })).toThrow(
      expect.objectContaining({ code: "SchemaViolation" }),
    );
  });

  it("openSealedWithAny picks the matching key, or names the one it needs", () => {
    const third = generateReviewKey();
    const sealed = seal(identity, other);
    expect(
      openSealedWithAny(sealed, [key.privateKeyPem, other.privateKeyPem, third.privateKeyPem]).toString("utf8"),
    ).toBe(identity);
    expect(() => openSealedWithAny(sealed, [key.privateKeyPem, third.privateKeyPem])).toThrow(
      expect.objectContaining({
        code: "ReviewKeyMissing",
        message: `The payload is sealed to review key ${other.keyId}, and none of the 2 keys given is it.`,
      }),
    );
  });
});

describe("review key ring", () => {
  it("the shipped ring is valid and empty, so sealing fails with a clear message", async () => {
    const ring = await loadReviewKeyRing();
    expect(ring.keys).toEqual([]);
    const expected = expect.objectContaining({
      code: "ReviewKeyMissing",
      message: "no review key in configs/review-keys.json; use --public-identity or ask maintainers",
    });
    expect(() => currentReviewKey(ring)).toThrow(expected);
    expect(() => sealToReviewKey(identity, ring)).toThrow(expected);
  });

  it("rotation: the newest key not retired, whatever the order in the file", async () => {
    const [k1, k2, k3, k4] = [generateReviewKey(), generateReviewKey(), generateReviewKey(), generateReviewKey()];
    const ring: ReviewKeyRing = {
      schemaVersion: 1,
      keys: [
        entry(k2, "2026-03-01T00:00:00Z"),
        entry(k1, "2026-01-01T00:00:00Z", "2026-03-01T00:00:00Z"),
        entry(k4, "2026-06-01T00:00:00Z", "2026-07-01T00:00:00Z"),
        entry(k3, "2026-05-01T00:00:00Z", "2027-01-01T00:00:00Z"),
      ],
    };
    const loaded = await loadReviewKeyRing(ringFile(ring));
    const now = new Date("2026-08-01T00:00:00Z");
    // k4 is newest but retired; k3's retirement is still ahead.
    expect(currentReviewKey(loaded, now).keyId).toBe(k3.keyId);
    expect(currentReviewKey(loaded, new Date("2027-02-01T00:00:00Z")).keyId).toBe(k2.keyId);
    const sealed: SealedPayload = sealToReviewKey(identity, loaded, now);
    expect(sealed.keyId).toBe(k3.keyId);
    expect(
      openSealedWithAny(
        sealed,
        [k1, k2, k3, k4].map((k) => k.privateKeyPem),
      ).toString("utf8"),
    ).toBe(identity);

    const allRetired: ReviewKeyRing = {
      schemaVersion: 1,
      keys: [entry(k1, "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z")],
    };
    expect(() => currentReviewKey(allRetired, now)).toThrow(expect.objectContaining({ code: "ReviewKeyMissing" }));
  });

  it("a bad entry is refused with the entry named", async () => {
    const good = entry(key, "2026-01-01T00:00:00Z");
    const bad = (e: Partial<ReviewKey>) =>
      ringFile({ schemaVersion: 1, keys: [good, { ...entry(other, "2026-02-01T00:00:00Z"), ...e }] });
    const cases: Array<[string, RegExp]> = [
      [bad({ publicKey: "not base64" }), /\/keys\/1\/publicKey: must match pattern/],
      [bad({ keyId: "0123" }), /\/keys\/1\/keyId: must match pattern/],
      [bad({ createdAt: "yesterday" }), /\/keys\/1\/createdAt: must match format "date-time"/],
      [
        bad({ keyId: key.keyId }),
        new RegExp(`keys\\[1\\] \\(keyId ${key.keyId}\\): keyId is not the id of its public key \\(${other.keyId}\\)`),
      ],
      [ringFile({ schemaVersion: 1, keys: [good, good] }), /keys\[1\] \(keyId [0-9a-f]{16}\): the keyId appears twice/],
      [bad({ retiredAt: "2026-01-15T00:00:00Z" }), /keys\[1\] \(keyId [0-9a-f]{16}\): retiredAt is before createdAt/],
      [
        ringFile({ schemaVersion: 1, keys: [{ ...good, privateKey: key.privateKeyPem }] }),
        /\/keys\/0: unknown property 'privateKey'/,
      ],
    ];
    for (const [path, message] of cases)
      await expect(loadReviewKeyRing(path), String(message)).rejects.toThrow(
        expect.objectContaining({ code: "SchemaViolation", message: expect.stringMatching(message) as unknown }),
      );
  });

  it("an oversize or unparsable ring file is refused", async () => {
    await expect(loadReviewKeyRing(tempFile(" ".repeat(256 * 1024 + 1)))).rejects.toThrow(
      expect.objectContaining({
        code: "InputUnreadable",
        message: expect.stringContaining("more than the limit") as unknown,
      }),
    );
    await expect(loadReviewKeyRing(tempFile("{"))).rejects.toThrow(expect.objectContaining({ code: "InputMalformed" }));
    await expect(loadReviewKeyRing(join(dir, "missing.json"))).rejects.toThrow(
      expect.objectContaining({ code: "InputUnreadable" }),
    );
    const tooMany = Array.from({ length: 65 }, () => entry(generateReviewKey(), "2026-01-01T00:00:00Z"));
    await expect(loadReviewKeyRing(ringFile({ schemaVersion: 1, keys: tooMany }))).rejects.toThrow(
      expect.objectContaining({
        code: "SchemaViolation",
        message: expect.stringContaining("/keys: must NOT have more than 64 items") as unknown,
      }),
    );
  });
});

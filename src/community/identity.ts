/**
 * Verifying an EC2 instance identity document against the certificates AWS publishes per region
 * (configs/aws-identity-certificates.json).
 *
 * IMDS serves the document with three signatures. Only `rsa2048` counts: a CMS SignedData (RFC 5652) with SHA-256
 * and RSA-2048, checked here with asn1js + pkijs for the structure and node:crypto for the arithmetic. `signature`
 * (base64 RSA PKCS#1 v1.5 over the document, under a 1024-bit key) is used only when there is no `rsa2048`, and then
 * the answer is "weak", never "verified". The DSA/SHA-1 `pkcs7` is not accepted at all.
 *
 * Trust comes from the catalogue alone: a CMS may embed certificates, and anyone can embed one of their own, so
 * embedded certificates are never read. The key is the catalogue's certificate for the region the document names,
 * and that certificate must be valid at the document's `pendingTime` (when the instance was launched), not at
 * review time, because a run is reviewed long after it was signed.
 *
 * Every input is bounded before it is parsed, and every way of failing answers "failed" with a reason naming what
 * failed; nothing here throws for a bad signature.
 */
import { X509Certificate, createHash, timingSafeEqual, verify as verifySignature } from "node:crypto";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { packagePath } from "../package-files.js";
import { readDocument } from "../schemas/documents.js";
import type {
  AwsIdentityCertificateCatalogue,
  CertificateKind,
  IdentityCertificate,
} from "../schemas/generated/aws-identity-certificates.js";

/** Size bounds checked before anything is decoded: a document is well under 1 KiB, a CMS about 1.5 KiB of base64. */
export const identityLimits = {
  documentBytes: 8 * 1024,
  signatureChars: 16 * 1024,
} as const;

const oids = {
  data: "1.2.840.113549.1.7.1",
  signedData: "1.2.840.113549.1.7.2",
  contentType: "1.2.840.113549.1.9.3",
  messageDigest: "1.2.840.113549.1.9.4",
  sha256: "2.16.840.1.101.3.4.2.1",
  rsaEncryption: "1.2.840.113549.1.1.1",
  sha256WithRsa: "1.2.840.113549.1.1.11",
} as const;

/** What IMDS served, as the runner kept it in `private/`. */
export interface IdentityInput {
  /** The document, exactly as served (its bytes are what was signed). */
  document: string | Uint8Array;
  /** /latest/dynamic/instance-identity/rsa2048: base64 CMS SignedData, bare or armoured as PKCS7 or CMS. */
  rsa2048?: string | undefined;
  /** /latest/dynamic/instance-identity/signature: base64 RSA signature over the document. */
  signature?: string | undefined;
}

/** The fields AWS serves in the identity document (null where AWS serves null). */
export interface InstanceIdentityDocument {
  accountId: string;
  architecture: string;
  availabilityZone: string;
  billingProducts: string[] | null;
  devpayProductCodes: string[] | null;
  marketplaceProductCodes: string[] | null;
  imageId: string;
  instanceId: string;
  instanceType: string;
  kernelId: string | null;
  pendingTime: string;
  privateIp: string | null;
  ramdiskId: string | null;
  region: string;
  version: string | null;
}

/** The outcome of {@link verifyIdentity}. */
export interface IdentityVerification {
  /** `verified`: rsa2048 checked; `weak`: only the RSA `signature` checked; `failed`: neither holds. */
  status: "verified" | "weak" | "failed";
  /** The signature that decided the status (`none` when there was none to check). */
  method: "rsa2048" | "signature" | "none";
  /** Why, in one sentence naming what failed or what was checked. */
  reason: string;
  /** The catalogue certificate the signature was checked against, when one was found. */
  certificate?: { region: string; kind: CertificateKind; sha256Fingerprint: string } | undefined;
  /** The document's fields, when it parsed. */
  document?: InstanceIdentityDocument | undefined;
}

/** Reads and schema-checks the certificate catalogue (default: the package's configs/aws-identity-certificates.json). */
export async function readIdentityCertificates(
  path: string = packagePath("configs", "aws-identity-certificates.json"),
): Promise<AwsIdentityCertificateCatalogue> {
  return readDocument("aws-identity-certificates", path);
}

/**
 * Verifies the document's signatures against the catalogue: `rsa2048` when present (→ verified or failed), else
 * `signature` (→ weak or failed), else failed. `now` bounds `pendingTime` from above (a launch in the future is
 * refused).
 */
export function verifyIdentity(
  input: IdentityInput,
  catalogue: AwsIdentityCertificateCatalogue,
  now: Date = new Date(),
): IdentityVerification {
  const documentBytes =
    typeof input.document === "string" ? Buffer.from(input.document, "utf8") : Buffer.from(input.document);
  const method = input.rsa2048 !== undefined ? "rsa2048" : input.signature !== undefined ? "signature" : "none";
  const failed = (reason: string, extra: Partial<IdentityVerification> = {}): IdentityVerification => ({
    status: "failed",
    method,
    reason,
    ...extra,
  });
  if (documentBytes.byteLength > identityLimits.documentBytes)
    return failed(
      `the identity document is ${documentBytes.byteLength} bytes, more than the ${identityLimits.documentBytes} accepted`,
    );
  const parsed = parseInstanceIdentityDocument(documentBytes);
  if (typeof parsed === "string") return failed(parsed);
  const document = parsed;
  const pendingTime = new Date(document.pendingTime);
  if (pendingTime.getTime() > now.getTime())
    return failed(`the document's pendingTime ${document.pendingTime} is after ${now.toISOString()}`, { document });
  if (method === "none")
    return failed("there is no rsa2048 or signature to verify the document with (the DSA pkcs7 is not accepted)", {
      document,
    });

  const kind: CertificateKind = method === "rsa2048" ? "rsa2048" : "rsa";
  const entry = catalogue.certificates.find((c) => c.region === document.region && c.kind === kind);
  if (!entry) {
    const missing = catalogue.missing.find((m) => m.region === document.region && m.kind === kind);
    return failed(
      `the catalogue has no ${kind} certificate for region ${document.region}${missing ? ` (${missing.reason})` : ""}`,
      { document },
    );
  }
  const certificate = { region: entry.region, kind: entry.kind, sha256Fingerprint: entry.sha256Fingerprint };
  const checked = checkCertificateAt(entry, pendingTime);
  if (typeof checked === "string") return failed(checked, { document, certificate });
  const key = checked.publicKey;

  if (method === "rsa2048") {
    const problem = checkRsa2048(input.rsa2048 as string, documentBytes, key);
    if (problem) return failed(`rsa2048: ${problem}`, { document, certificate });
    return {
      status: "verified",
      method,
      reason: `rsa2048 CMS signature verifies with AWS's RSA-2048 certificate for ${entry.region} (SHA-256 ${entry.sha256Fingerprint.slice(0, 16)}…), valid at pendingTime ${document.pendingTime}`,
      certificate,
      document,
    };
  }
  const signature = decodeBase64(input.signature as string, "signature");
  if (typeof signature === "string") return failed(signature, { document, certificate });
  if (!verifySignature("sha256", documentBytes, key, signature))
    return failed(
      `signature: the RSA signature does not match the document under the ${entry.region} rsa certificate`,
      {
        document,
        certificate,
      },
    );
  return {
    status: "weak",
    method,
    reason: `only the RSA signature verifies (certificate for ${entry.region}, SHA-256 ${entry.sha256Fingerprint.slice(0, 16)}…): no rsa2048 was given`,
    certificate,
    document,
  };
}

/** Facts of a catalogue certificate read with pkijs: its validity, key size and DER fingerprint. */
export interface CertificateFacts {
  notBefore: Date;
  notAfter: Date;
  modulusBits: number;
  sha256Fingerprint: string;
}

/** Reads a PEM certificate with asn1js + pkijs (the catalogue test compares these with what the entry records). */
export function certificateFacts(pem: string): CertificateFacts {
  const der = Buffer.from(pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, "").replace(/\s+/g, ""), "base64");
  const asn1 = asn1js.fromBER(der);
  if (asn1.offset === -1) throw new Error(`not DER: ${asn1.result.error}`);
  const certificate = new pkijs.Certificate({ schema: asn1.result });
  const modulus = (certificate.subjectPublicKeyInfo.parsedKey as pkijs.RSAPublicKey | undefined)?.modulus;
  const modulusBytes = modulus ? trimLeadingZeros(modulus.valueBlock.valueHexView) : new Uint8Array();
  return {
    notBefore: certificate.notBefore.value,
    notAfter: certificate.notAfter.value,
    modulusBits: modulusBytes.length === 0 ? 0 : (modulusBytes.length - 1) * 8 + bitLength(modulusBytes[0] as number),
    sha256Fingerprint: createHash("sha256").update(der).digest("hex"),
  };
}

/** The fields of the document, or why it is not one AWS would serve. */
export function parseInstanceIdentityDocument(bytes: Buffer): InstanceIdentityDocument | string {
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    // The parser's message would quote the document (account and instance ids), and reasons are published.
    return "the identity document is not UTF-8 JSON";
  }
  if (data === null || typeof data !== "object" || Array.isArray(data))
    return "the identity document is not a JSON object";
  const record = data as Record<string, unknown>;
  const required = [
    "accountId",
    "architecture",
    "availabilityZone",
    "imageId",
    "instanceId",
    "instanceType",
    "pendingTime",
    "region",
  ];
  const absent = required.filter((field) => typeof record[field] !== "string" || record[field] === "");
  if (absent.length > 0) return `the identity document lacks ${absent.join(", ")}`;
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(record["pendingTime"] as string) ||
    Number.isNaN(Date.parse(record["pendingTime"] as string))
  )
    return `the identity document's pendingTime ${JSON.stringify(record["pendingTime"])} is not a UTC timestamp`;
  const text = (field: string): string | null => {
    const value = record[field];
    return typeof value === "string" ? value : null;
  };
  const list = (field: string): string[] | null =>
    Array.isArray(record[field]) && (record[field] as unknown[]).every((v) => typeof v === "string")
      ? (record[field] as string[])
      : null;
  return {
    accountId: record["accountId"] as string,
    architecture: record["architecture"] as string,
    availabilityZone: record["availabilityZone"] as string,
    billingProducts: list("billingProducts"),
    devpayProductCodes: list("devpayProductCodes"),
    marketplaceProductCodes: list("marketplaceProductCodes"),
    imageId: record["imageId"] as string,
    instanceId: record["instanceId"] as string,
    instanceType: record["instanceType"] as string,
    kernelId: text("kernelId"),
    pendingTime: record["pendingTime"] as string,
    privateIp: text("privateIp"),
    ramdiskId: text("ramdiskId"),
    region: record["region"] as string,
    version: text("version"),
  };
}

/** The catalogue certificate, checked to be whole, to match its recorded fingerprint and to be valid at `at`; else what is wrong. */
function checkCertificateAt(entry: IdentityCertificate, at: Date): X509Certificate | string {
  const label = `the catalogue's ${entry.kind} certificate for ${entry.region}`;
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(entry.pem);
  } catch (error) {
    return `${label} does not parse: ${(error as Error).message}`;
  }
  const fingerprint = certificate.fingerprint256.replace(/:/g, "").toLowerCase();
  if (fingerprint !== entry.sha256Fingerprint)
    return `${label} has SHA-256 ${fingerprint}, not the ${entry.sha256Fingerprint} the catalogue records`;
  const details = certificate.publicKey.asymmetricKeyDetails;
  if (certificate.publicKey.asymmetricKeyType !== "rsa") return `${label} does not hold an RSA key`;
  if (entry.kind === "rsa2048" && details?.modulusLength !== 2048)
    return `${label} holds a ${details?.modulusLength ?? "?"}-bit key, not 2048`;
  const { notBefore, notAfter } = certificateFacts(entry.pem);
  if (at < notBefore || at > notAfter)
    return `${label} is valid from ${notBefore.toISOString()} to ${notAfter.toISOString()}, not at the document's pendingTime ${at.toISOString()}`;
  return certificate;
}

/** Checks the rsa2048 CMS over the document; undefined when it holds, else what failed. */
function checkRsa2048(text: string, document: Buffer, key: X509Certificate["publicKey"]): string | undefined {
  // IMDS serves the body; `openssl smime` wants it armoured as PKCS7, `openssl cms` writes CMS: accept either.
  const armourless = text.replace(/-----(BEGIN|END) (PKCS7|CMS)-----/g, "");
  const der = decodeBase64(armourless, "rsa2048");
  if (typeof der === "string") return der;
  const asn1 = asn1js.fromBER(der);
  if (asn1.offset === -1) return `not a BER/DER structure (${asn1.result.error})`;
  if (asn1.offset !== der.byteLength) return `${der.byteLength - asn1.offset} bytes follow the CMS structure`;
  let signedData: pkijs.SignedData;
  try {
    const contentInfo = new pkijs.ContentInfo({ schema: asn1.result });
    if (contentInfo.contentType !== oids.signedData) return `content type ${contentInfo.contentType} is not SignedData`;
    signedData = new pkijs.SignedData({ schema: contentInfo.content });
  } catch (error) {
    return `not a CMS SignedData: ${(error as Error).message}`;
  }
  if (signedData.signerInfos.length !== 1) return `${signedData.signerInfos.length} signers, where AWS signs once`;
  const signer = signedData.signerInfos[0] as pkijs.SignerInfo;
  const encapsulated = signedData.encapContentInfo;
  if (encapsulated.eContentType !== oids.data)
    return `encapsulated content type ${encapsulated.eContentType} is not id-data`;
  if (encapsulated.eContent) {
    // AWS's CMS carries the document; when it does, it must be the very bytes given, or the signature is of another document.
    if (!(encapsulated.eContent instanceof asn1js.OctetString))
      return "the encapsulated content is not an OCTET STRING";
    const carried = Buffer.from(encapsulated.eContent.getValue());
    if (!carried.equals(document)) return "the document it carries differs from the document given";
  }
  if (signer.digestAlgorithm.algorithmId !== oids.sha256)
    return `digest algorithm ${signer.digestAlgorithm.algorithmId} is not SHA-256`;
  const signatureAlgorithm = signer.signatureAlgorithm.algorithmId;
  if (signatureAlgorithm !== oids.rsaEncryption && signatureAlgorithm !== oids.sha256WithRsa)
    return `signature algorithm ${signatureAlgorithm} is not RSA with SHA-256`;

  const digest = createHash("sha256").update(document).digest();
  let signedBytes: Buffer = document;
  if (signer.signedAttrs) {
    const attribute = (type: string) => signer.signedAttrs?.attributes.filter((a) => a.type === type) ?? [];
    const digests = attribute(oids.messageDigest);
    if (digests.length !== 1 || digests[0]?.values.length !== 1) return "signed attributes lack a single messageDigest";
    const value: unknown = digests[0].values[0];
    if (!(value instanceof asn1js.OctetString)) return "the messageDigest attribute is not an OCTET STRING";
    const claimed = Buffer.from(value.getValue());
    if (claimed.length !== digest.length || !timingSafeEqual(claimed, digest))
      return "the messageDigest attribute is not the SHA-256 of the document";
    const types = attribute(oids.contentType);
    const type: unknown = types[0]?.values[0];
    if (types.length !== 1 || !(type instanceof asn1js.ObjectIdentifier) || type.valueBlock.toString() !== oids.data)
      return "signed attributes lack a contentType of id-data";
    // RFC 5652 §5.4: the signature covers the attributes' DER with the SET OF tag (pkijs keeps it so re-tagged).
    signedBytes = Buffer.from(signer.signedAttrs.encodedValue);
  }
  const signature = Buffer.from(signer.signature.valueBlock.valueHexView);
  if (!verifySignature("sha256", signedBytes, key, signature))
    return "the signature does not verify with the catalogue's certificate for the document's region";
  return undefined;
}

/** Strict base64 (whitespace allowed), bounded; the bytes or what is wrong. */
function decodeBase64(text: string, what: string): Buffer | string {
  if (text.length > identityLimits.signatureChars)
    return `${what} is ${text.length} characters, more than the ${identityLimits.signatureChars} accepted`;
  const compact = text.replace(/\s+/g, "");
  if (compact.length === 0) return `${what} is empty`;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0) return `${what} is not base64`;
  return Buffer.from(compact, "base64");
}

function trimLeadingZeros(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return bytes.subarray(start);
}

function bitLength(byte: number): number {
  let bits = 0;
  for (let b = byte; b > 0; b >>= 1) bits++;
  return bits;
}

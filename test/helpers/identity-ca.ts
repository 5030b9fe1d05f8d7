/**
 * A stand-in for AWS's identity signing, made with Debian's openssl: per region an RSA-2048 self-signed certificate
 * (for `rsa2048`, a CMS made with `openssl cms -sign -binary -nocerts -md sha256`) and an RSA-1024 one (for the
 * base64 `signature`, `openssl dgst -sha256 -sign`), with validity chosen by the test (`openssl ca -selfsign
 * -startdate/-enddate`, since `req -x509` in OpenSSL 3.0 only counts days from now). Its catalogue has the shape of
 * configs/aws-identity-certificates.json, so the code under test reads it exactly as it reads AWS's.
 *
 * Shared with the end-to-end tests: a fake IMDS can serve `identityDocument(...)` with `signDocument(...)`.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type {
  AwsIdentityCertificateCatalogue,
  IdentityCertificate,
} from "../../src/schemas/generated/aws-identity-certificates.js";

/** What {@link makeTestIdentityAuthority} makes. */
export interface TestIdentityAuthority {
  /** A catalogue holding the authority's certificates (rsa2048 and rsa for each region). */
  catalogue: AwsIdentityCertificateCatalogue;
  /** The region's RSA-2048 certificate and key files. */
  files: { certificate: string; key: string; rsaCertificate: string; rsaKey: string };
  /** The rsa2048 form IMDS serves: the base64 body of a detached CMS over the document's exact bytes. */
  signDocument(document: string, options?: SignOptions): string;
  /** The `signature` form: base64 RSA-1024 PKCS#1 v1.5 SHA-256 over the document. */
  signRsa(document: string): string;
}

/** How {@link TestIdentityAuthority.signDocument} signs. */
export interface SignOptions {
  /** Carry the document inside the CMS (`-nodetach`), as AWS's own rsa2048 does. */
  attached?: boolean;
  /** Indefinite-length BER with the content in chunks (`-stream`), the encoding AWS serves (it starts `MIAG`). */
  stream?: boolean;
  /** No signed attributes (`-noattr`): the signature is then over the document itself. */
  noAttributes?: boolean;
  /** Sign with this key and embed its certificate (no `-nocerts`) instead of the authority's. */
  signer?: { certificate: string; key: string };
  /** Keep the PEM armour (IMDS serves the body only). */
  armour?: boolean;
}

/** Options of {@link makeTestIdentityAuthority}. */
export interface AuthorityOptions {
  /** Regions the catalogue covers (default us-east-1). */
  regions?: readonly string[];
  /** Validity of the certificates (default 2015-01-01 to 2195-01-01, like AWS's). */
  notBefore?: string;
  notAfter?: string;
}

const openssl = (args: readonly string[], input?: string | Buffer): Buffer =>
  execFileSync("openssl", args, { input, stdio: ["pipe", "pipe", "pipe"], maxBuffer: 1024 * 1024 });

/** `2015-01-01T00:00:00Z` → `20150101000000Z`, the form `openssl ca -startdate` takes. */
const opensslTime = (iso: string): string => iso.replace(/[-:T]/g, "").replace(/\.\d+/, "");

/** openssl's `notBefore=Jan  1 00:00:00 2015 GMT` → ISO 8601. */
function isoFromOpenssl(line: string): string {
  const text = line.slice(line.indexOf("=") + 1).trim();
  return new Date(text).toISOString().replace(/\.000Z$/, "Z");
}

/** A self-signed certificate with an RSA key of `bits`, valid over exactly [notBefore, notAfter]. */
export function makeSelfSignedCertificate(
  dir: string,
  name: string,
  bits: number,
  notBefore: string,
  notAfter: string,
): { certificate: string; key: string } {
  const base = join(dir, name);
  mkdirSync(base, { recursive: true });
  const key = join(base, "key.pem");
  const request = join(base, "request.pem");
  const certificate = join(base, "certificate.pem");
  writeFileSync(join(base, "index.txt"), "");
  writeFileSync(join(base, "serial"), "01\n");
  const config = join(base, "ca.cnf");
  writeFileSync(
    config,
    [
      "[ ca ]",
      "default_ca = test",
      "[ test ]",
      `database = ${base}/index.txt`,
      `new_certs_dir = ${base}`,
      `serial = ${base}/serial`,
      "default_md = sha256",
      "policy = any",
      "unique_subject = no",
      "[ any ]",
      "organizationName = supplied",
      "",
    ].join("\n"),
  );
  openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", `rsa_keygen_bits:${bits}`, "-out", key]);
  openssl([
    "req",
    "-new",
    "-key",
    key,
    "-subj",
    `/C=US/O=Test stand-in for Amazon Web Services LLC ${name}`,
    "-out",
    request,
  ]);
  openssl([
    "ca",
    "-batch",
    "-config",
    config,
    "-selfsign",
    "-keyfile",
    key,
    "-in",
    request,
    "-out",
    certificate,
    "-notext",
    "-startdate",
    opensslTime(notBefore),
    "-enddate",
    opensslTime(notAfter),
  ]);
  return { certificate, key };
}

/** The catalogue entry for a certificate file, with fingerprint and validity as openssl reports them. */
export function catalogueEntry(region: string, kind: "rsa2048" | "rsa", certificateFile: string): IdentityCertificate {
  const pem = readFileSync(certificateFile, "utf8");
  const body = pem.slice(pem.indexOf("-----BEGIN CERTIFICATE-----"));
  const fingerprint = openssl(["x509", "-in", certificateFile, "-noout", "-fingerprint", "-sha256"]).toString("utf8");
  const [startLine, endLine] = openssl(["x509", "-in", certificateFile, "-noout", "-startdate", "-enddate"])
    .toString("utf8")
    .trim()
    .split("\n");
  return {
    region,
    kind,
    pem: body,
    sha256Fingerprint: (fingerprint.split("=")[1] as string).trim().replace(/:/g, "").toLowerCase(),
    notBefore: isoFromOpenssl(startLine as string),
    notAfter: isoFromOpenssl(endLine as string),
    source: {
      url: "https://example.invalid/test-authority",
      retrieved: "2026-12-06",
      note: "made by the test with openssl",
    },
  };
}

/** Makes the authority under `dir` (one key pair per region and kind). */
export function makeTestIdentityAuthority(dir: string, options: AuthorityOptions = {}): TestIdentityAuthority {
  const regions = options.regions ?? ["us-east-1"];
  const notBefore = options.notBefore ?? "2015-01-01T00:00:00Z";
  const notAfter = options.notAfter ?? "2195-01-01T00:00:00Z";
  const certificates: IdentityCertificate[] = [];
  let first: TestIdentityAuthority["files"] | undefined;
  for (const region of regions) {
    const strong = makeSelfSignedCertificate(dir, `${region}-rsa2048`, 2048, notBefore, notAfter);
    const weak = makeSelfSignedCertificate(dir, `${region}-rsa`, 1024, notBefore, notAfter);
    certificates.push(
      catalogueEntry(region, "rsa2048", strong.certificate),
      catalogueEntry(region, "rsa", weak.certificate),
    );
    first ??= { certificate: strong.certificate, key: strong.key, rsaCertificate: weak.certificate, rsaKey: weak.key };
  }
  const files = first as TestIdentityAuthority["files"];
  let signed = 0;
  return {
    catalogue: { schemaVersion: 1, certificates, missing: [] },
    files,
    signDocument(document, signOptions = {}) {
      const input = join(dir, `document-${++signed}.json`);
      writeFileSync(input, document);
      const signer = signOptions.signer ?? { certificate: files.certificate, key: files.key };
      const pem = openssl([
        "cms",
        "-sign",
        "-binary",
        "-md",
        "sha256",
        "-outform",
        "PEM",
        "-in",
        input,
        "-signer",
        signer.certificate,
        "-inkey",
        signer.key,
        ...(signOptions.signer ? [] : ["-nocerts"]),
        ...(signOptions.attached ? ["-nodetach"] : []),
        ...(signOptions.stream ? ["-stream"] : []),
        ...(signOptions.noAttributes ? ["-noattr"] : []),
      ]).toString("utf8");
      if (signOptions.armour) return pem;
      return pem.replace(/-----(BEGIN|END) CMS-----/g, "").trim();
    },
    signRsa(document) {
      return openssl(["dgst", "-sha256", "-sign", files.rsaKey], document).toString("base64");
    },
  };
}

/**
 * A document with every field AWS serves, pretty-printed as IMDS serves it (two-space indent, ` : ` separators);
 * an override of `undefined` leaves the field out.
 */
export function identityDocument(overrides: Partial<Record<string, unknown>> = {}): string {
  const fields: Record<string, unknown> = {
    accountId: "123456789012",
    architecture: "x86_64",
    availabilityZone: "us-east-1a",
    billingProducts: null,
    devpayProductCodes: null,
    marketplaceProductCodes: null,
    imageId: "ami-0abcdef1234567890",
    instanceId: "i-0123456789abcdef0",
    instanceType: "m7i.large",
    kernelId: null,
    pendingTime: "2026-11-30T08:15:42Z",
    privateIp: "10.0.1.23",
    ramdiskId: null,
    region: "us-east-1",
    version: "2017-09-30",
    ...overrides,
  };
  const lines = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `  "${key}" : ${JSON.stringify(value)}`);
  return `{\n${lines.join(",\n")}\n}`;
}

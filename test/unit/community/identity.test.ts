import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  certificateFacts,
  identityLimits,
  readIdentityCertificates,
  verifyIdentity,
} from "../../../src/community/identity.js";
import type { AwsIdentityCertificateCatalogue } from "../../../src/schemas/generated/aws-identity-certificates.js";
import {
  identityDocument,
  makeSelfSignedCertificate,
  makeTestIdentityAuthority,
  type TestIdentityAuthority,
} from "../../helpers/identity-ca.js";

// Keys are made once: RSA key generation is the slow part, and no test changes the authority.
let dir: string;
let authority: TestIdentityAuthority;
/** A document signed at 2026-11-30 is reviewed a week later. */
const reviewTime = new Date("2026-12-06T12:00:00Z");

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "aws-bench-identity-"));
  authority = makeTestIdentityAuthority(dir, { regions: ["us-east-1", "eu-west-1"] });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The document with one byte changed: the last digit of the private address (still valid JSON, same fields). */
const tamper = (document: string): string => document.replace('"10.0.1.23"', '"10.0.1.24"');

/** The base64 with one byte of its DER changed at `index` (negative: from the end). */
function flipByte(base64: string, index: number): string {
  const bytes = Buffer.from(base64.replace(/\s+/g, ""), "base64");
  const at = index < 0 ? bytes.length + index : index;
  bytes[at] = (bytes[at] as number) ^ 0x01;
  return bytes.toString("base64");
}

describe("verifyIdentity with rsa2048", () => {
  it("verifies a document signed by the region's certificate, as IMDS serves both", () => {
    const document = identityDocument();
    const rsa2048 = authority.signDocument(document);
    expect(rsa2048).not.toMatch(/-----/);
    const outcome = verifyIdentity({ document, rsa2048 }, authority.catalogue, reviewTime);
    const entry = authority.catalogue.certificates.find((c) => c.region === "us-east-1" && c.kind === "rsa2048");
    expect(outcome).toMatchObject({
      status: "verified",
      method: "rsa2048",
      certificate: { region: "us-east-1", kind: "rsa2048", sha256Fingerprint: entry?.sha256Fingerprint },
      document: {
        accountId: "123456789012",
        instanceId: "i-0123456789abcdef0",
        instanceType: "m7i.large",
        region: "us-east-1",
        pendingTime: "2026-11-30T08:15:42Z",
        billingProducts: null,
        version: "2017-09-30",
      },
    });
    expect(outcome.reason).toMatch(/valid at pendingTime 2026-11-30T08:15:42Z/);
  });

  it("verifies the PEM-armoured form and a CMS that carries the document, as AWS's does", () => {
    const document = identityDocument();
    expect(
      verifyIdentity(
        { document, rsa2048: authority.signDocument(document, { armour: true }) },
        authority.catalogue,
        reviewTime,
      ).status,
    ).toBe("verified");
    expect(
      verifyIdentity(
        { document, rsa2048: authority.signDocument(document, { attached: true }) },
        authority.catalogue,
        reviewTime,
      ).status,
    ).toBe("verified");
  });

  it("verifies the indefinite-length BER that AWS serves, carrying the document, and refuses it for another document", () => {
    const document = identityDocument();
    const rsa2048 = authority.signDocument(document, { attached: true, stream: true });
    expect(rsa2048.startsWith("MIAG")).toBe(true);
    expect(verifyIdentity({ document, rsa2048 }, authority.catalogue, reviewTime).status).toBe("verified");
    const outcome = verifyIdentity({ document: tamper(document), rsa2048 }, authority.catalogue, reviewTime);
    expect(outcome).toMatchObject({ status: "failed", reason: expect.stringMatching(/document it carries differs/) });
  });

  it("verifies a CMS without signed attributes (the signature is then over the document itself)", () => {
    const document = identityDocument();
    const rsa2048 = authority.signDocument(document, { noAttributes: true });
    expect(verifyIdentity({ document, rsa2048 }, authority.catalogue, reviewTime).status).toBe("verified");
    const outcome = verifyIdentity({ document: tamper(document), rsa2048 }, authority.catalogue, reviewTime);
    expect(outcome).toMatchObject({ status: "failed", reason: expect.stringMatching(/signature does not verify/) });
  });

  it("fails when one byte of the document changed", () => {
    const document = identityDocument();
    const rsa2048 = authority.signDocument(document);
    const outcome = verifyIdentity({ document: tamper(document), rsa2048 }, authority.catalogue, reviewTime);
    expect(outcome).toMatchObject({ status: "failed", method: "rsa2048" });
    expect(outcome.reason).toMatch(/messageDigest attribute is not the SHA-256 of the document/);
  });

  it("fails when a CMS carries another document than the one given", () => {
    const document = identityDocument();
    const rsa2048 = authority.signDocument(document, { attached: true });
    const outcome = verifyIdentity({ document: tamper(document), rsa2048 }, authority.catalogue, reviewTime);
    expect(outcome).toMatchObject({ status: "failed", reason: expect.stringMatching(/document it carries differs/) });
  });

  it("fails when one byte of the signature changed", () => {
    const document = identityDocument();
    // The signer's signature value is the last field of a detached CMS without unsigned attributes.
    const rsa2048 = flipByte(authority.signDocument(document), -1);
    const outcome = verifyIdentity({ document, rsa2048 }, authority.catalogue, reviewTime);
    expect(outcome).toMatchObject({ status: "failed", reason: expect.stringMatching(/signature does not verify/) });
  });

  it("fails for a document of a region the catalogue has no certificate for", () => {
    const document = identityDocument({ region: "ap-south-2", availabilityZone: "ap-south-2a" });
    const outcome = verifyIdentity(
      { document, rsa2048: authority.signDocument(document) },
      authority.catalogue,
      reviewTime,
    );
    expect(outcome).toMatchObject({
      status: "failed",
      reason: "the catalogue has no rsa2048 certificate for region ap-south-2",
    });
  });

  it("fails for a document naming another region than the key that signed it", () => {
    // Signed with us-east-1's key, but the document says eu-west-1: eu-west-1's certificate must not verify it.
    const document = identityDocument({ region: "eu-west-1", availabilityZone: "eu-west-1a" });
    const outcome = verifyIdentity(
      { document, rsa2048: authority.signDocument(document) },
      authority.catalogue,
      reviewTime,
    );
    expect(outcome).toMatchObject({ status: "failed", certificate: { region: "eu-west-1" } });
    expect(outcome.reason).toMatch(/signature does not verify with the catalogue's certificate/);
  });

  it("fails when the certificate was not valid at the document's pendingTime", () => {
    const late = makeTestIdentityAuthority(join(dir, "late"), {
      notBefore: "2026-12-01T00:00:00Z",
      notAfter: "2027-12-01T00:00:00Z",
    });
    const before = identityDocument({ pendingTime: "2026-11-30T08:15:42Z" });
    const outcome = verifyIdentity(
      { document: before, rsa2048: late.signDocument(before) },
      late.catalogue,
      reviewTime,
    );
    expect(outcome).toMatchObject({ status: "failed" });
    expect(outcome.reason).toMatch(
      /valid from 2026-12-01T00:00:00.000Z to 2027-12-01T00:00:00.000Z, not at the document's pendingTime 2026-11-30T08:15:42.000Z/,
    );
    // Within its validity the same authority verifies: the refusal above is about time alone.
    const within = identityDocument({ pendingTime: "2026-12-02T00:00:00Z" });
    expect(
      verifyIdentity({ document: within, rsa2048: late.signDocument(within) }, late.catalogue, reviewTime).status,
    ).toBe("verified");
  });

  it("fails for a CMS signed by another key, whatever certificate it embeds", () => {
    const intruder = makeSelfSignedCertificate(dir, "intruder", 2048, "2015-01-01T00:00:00Z", "2195-01-01T00:00:00Z");
    const document = identityDocument();
    const rsa2048 = authority.signDocument(document, { signer: intruder });
    const outcome = verifyIdentity({ document, rsa2048 }, authority.catalogue, reviewTime);
    expect(outcome).toMatchObject({ status: "failed", reason: expect.stringMatching(/signature does not verify/) });
  });

  it("fails when the catalogue's certificate does not match the fingerprint it records", () => {
    const document = identityDocument();
    const catalogue: AwsIdentityCertificateCatalogue = structuredClone(authority.catalogue);
    const entry = catalogue.certificates.find((c) => c.region === "us-east-1" && c.kind === "rsa2048");
    if (entry) entry.sha256Fingerprint = "0".repeat(64);
    const outcome = verifyIdentity({ document, rsa2048: authority.signDocument(document) }, catalogue, reviewTime);
    expect(outcome).toMatchObject({
      status: "failed",
      reason: expect.stringMatching(/not the 0{64} the catalogue records/),
    });
  });

  it("fails when the region's rsa2048 certificate holds a weaker key, even if the CMS verifies under it", () => {
    // The RSA-1024 certificate filed as the rsa2048 one, and a CMS signed with its key.
    const catalogue: AwsIdentityCertificateCatalogue = structuredClone(authority.catalogue);
    catalogue.certificates = catalogue.certificates
      .filter((c) => !(c.region === "us-east-1" && c.kind === "rsa2048"))
      .map((c) => (c.region === "us-east-1" && c.kind === "rsa" ? { ...c, kind: "rsa2048" as const } : c));
    const document = identityDocument();
    const weakKey = { certificate: authority.files.rsaCertificate, key: authority.files.rsaKey };
    const outcome = verifyIdentity(
      { document, rsa2048: authority.signDocument(document, { signer: weakKey }) },
      catalogue,
      reviewTime,
    );
    expect(outcome).toMatchObject({
      status: "failed",
      reason: expect.stringMatching(/holds a 1024-bit key, not 2048/),
    });
  });

  it("fails for a launch after the review time, a document without its fields, and input over the bounds", () => {
    const future = identityDocument({ pendingTime: "2027-01-01T00:00:00Z" });
    expect(
      verifyIdentity({ document: future, rsa2048: authority.signDocument(future) }, authority.catalogue, reviewTime)
        .reason,
    ).toMatch(/pendingTime 2027-01-01T00:00:00Z is after/);
    const noRegion = identityDocument({ region: undefined });
    expect(
      verifyIdentity({ document: noRegion, rsa2048: authority.signDocument(noRegion) }, authority.catalogue, reviewTime)
        .reason,
    ).toBe("the identity document lacks region");
    const huge = identityDocument({ kernelId: "k".repeat(identityLimits.documentBytes) });
    expect(verifyIdentity({ document: huge, rsa2048: "AAAA" }, authority.catalogue, reviewTime).reason).toMatch(
      /more than the 8192 accepted/,
    );
    const document = identityDocument();
    const padded = `${authority.signDocument(document)}${" ".repeat(identityLimits.signatureChars)}`;
    expect(verifyIdentity({ document, rsa2048: padded }, authority.catalogue, reviewTime).reason).toMatch(
      /rsa2048 is \d+ characters, more than/,
    );
    expect(verifyIdentity({ document, rsa2048: "not base64!" }, authority.catalogue, reviewTime).reason).toBe(
      "rsa2048: rsa2048 is not base64",
    );
  });
});

describe("verifyIdentity without rsa2048", () => {
  it("answers weak for a valid RSA-1024 signature, never verified", () => {
    const document = identityDocument();
    const outcome = verifyIdentity(
      { document, signature: authority.signRsa(document) },
      authority.catalogue,
      reviewTime,
    );
    expect(outcome).toMatchObject({
      status: "weak",
      method: "signature",
      certificate: { region: "us-east-1", kind: "rsa" },
    });
  });

  it("fails for a tampered document under the RSA signature", () => {
    const document = identityDocument();
    const outcome = verifyIdentity(
      { document: tamper(document), signature: authority.signRsa(document) },
      authority.catalogue,
      reviewTime,
    );
    expect(outcome).toMatchObject({ status: "failed", reason: expect.stringMatching(/RSA signature does not match/) });
  });

  it("decides by rsa2048 when both are given: a bad rsa2048 is not rescued by a good signature", () => {
    const document = identityDocument();
    const outcome = verifyIdentity(
      { document, rsa2048: flipByte(authority.signDocument(document), -1), signature: authority.signRsa(document) },
      authority.catalogue,
      reviewTime,
    );
    expect(outcome).toMatchObject({ status: "failed", method: "rsa2048" });
  });

  it("fails with neither signature", () => {
    const outcome = verifyIdentity({ document: identityDocument() }, authority.catalogue, reviewTime);
    expect(outcome).toMatchObject({
      status: "failed",
      method: "none",
      reason: expect.stringMatching(/no rsa2048 or signature/),
    });
  });
});

describe("the shipped catalogue with pkijs", () => {
  it("reads a real AWS RSA-2048 certificate with pkijs: 2048-bit key, the recorded validity and fingerprint", async () => {
    const catalogue = await readIdentityCertificates();
    const entry = catalogue.certificates.find((c) => c.region === "us-east-1" && c.kind === "rsa2048");
    expect(entry).toBeDefined();
    const facts = certificateFacts(entry?.pem as string);
    expect(facts.modulusBits).toBe(2048);
    expect(facts.sha256Fingerprint).toBe(entry?.sha256Fingerprint);
    expect(facts.notBefore.toISOString().replace(".000Z", "Z")).toBe(entry?.notBefore);
    expect(facts.notAfter.toISOString().replace(".000Z", "Z")).toBe(entry?.notAfter);
  });

  it("refuses the test authority's signature under AWS's real us-east-1 certificate", async () => {
    const catalogue = await readIdentityCertificates();
    const document = identityDocument();
    const outcome = verifyIdentity({ document, rsa2048: authority.signDocument(document) }, catalogue, reviewTime);
    expect(outcome).toMatchObject({ status: "failed", certificate: { region: "us-east-1", kind: "rsa2048" } });
    expect(outcome.reason).toMatch(/signature does not verify/);
  });
});

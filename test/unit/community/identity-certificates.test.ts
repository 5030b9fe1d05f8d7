import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { certificateFacts, readIdentityCertificates } from "../../../src/community/identity.js";
import type { AwsIdentityCertificateCatalogue } from "../../../src/schemas/generated/aws-identity-certificates.js";

/**
 * Every region an EC2 instance of the project can run in. The project keeps no region list of its own (discover
 * asks DescribeRegions; the shipped instance catalogue records none), so the list is written out here: the
 * commercial partition's regions as AWS's certificate page lists them (2026-12-06), plus the China and GovCloud
 * regions, where an account of those partitions can run the runner too.
 */
const launchRegions = [
  "af-south-1",
  "ap-east-1",
  "ap-east-2",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-south-1",
  "ap-south-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "ap-southeast-6",
  "ap-southeast-7",
  "ca-central-1",
  "ca-west-1",
  "cn-north-1",
  "cn-northwest-1",
  "eu-central-1",
  "eu-central-2",
  "eu-north-1",
  "eu-south-1",
  "eu-south-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "il-central-1",
  "me-central-1",
  "me-south-1",
  "mx-central-1",
  "sa-east-1",
  "us-east-1",
  "us-east-2",
  "us-gov-east-1",
  "us-gov-west-1",
  "us-west-1",
  "us-west-2",
];

/**
 * Regions known to lack an rsa2048 certificate here, and why. Runs from these regions cannot reach evidence level
 * C1 until their certificate is added from AWS's page (fingerprint checked against the live page).
 */
const knownMissingRsa2048: Record<string, string> = {
  "cn-north-1": "the China page is stored only in part in the documentation index",
  "cn-northwest-1": "the China page is stored only in part in the documentation index",
  "us-gov-east-1": "GovCloud's certificates are on the GovCloud user guide, of which no whole copy was found",
  "us-gov-west-1": "GovCloud's certificates are on the GovCloud user guide, of which no whole copy was found",
};

let catalogue: AwsIdentityCertificateCatalogue;
let dir: string;
beforeAll(async () => {
  catalogue = await readIdentityCertificates();
  dir = mkdtempSync(join(tmpdir(), "aws-bench-certificates-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const openssl = (args: readonly string[]): string =>
  execFileSync("openssl", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

describe("configs/aws-identity-certificates.json", () => {
  it("has an rsa2048 certificate for every region the project can launch in, except those listed as missing", () => {
    const covered = new Set(catalogue.certificates.filter((c) => c.kind === "rsa2048").map((c) => c.region));
    const uncovered = launchRegions.filter((region) => !covered.has(region));
    expect(uncovered).toEqual(Object.keys(knownMissingRsa2048).sort());
    // The catalogue says so itself, with a reason, for each of them.
    const listed = catalogue.missing.filter((m) => m.kind === "rsa2048").map((m) => m.region);
    expect(listed.sort()).toEqual(Object.keys(knownMissingRsa2048).sort());
  });

  it("holds no region the project does not know, no duplicate, and nothing both present and missing", () => {
    const keys = catalogue.certificates.map((c) => `${c.region}/${c.kind}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual([...keys].sort());
    for (const entry of catalogue.certificates) expect(launchRegions).toContain(entry.region);
    for (const gap of catalogue.missing) expect(keys).not.toContain(`${gap.region}/${gap.kind}`);
  });

  it("records each certificate's fingerprint and validity as openssl reads them, and each is whole (its self-signature verifies)", () => {
    for (const entry of catalogue.certificates) {
      const file = join(dir, `${entry.region}-${entry.kind}.pem`);
      writeFileSync(file, entry.pem);
      const fingerprint = openssl(["x509", "-in", file, "-noout", "-fingerprint", "-sha256"])
        .split("=")[1]
        ?.trim()
        .replace(/:/g, "")
        .toLowerCase();
      expect(fingerprint, entry.region).toBe(entry.sha256Fingerprint);
      const [start, end] = openssl(["x509", "-in", file, "-noout", "-startdate", "-enddate"]).trim().split("\n");
      const iso = (line: string | undefined) =>
        new Date((line ?? "").split("=")[1] as string).toISOString().replace(".000Z", "Z");
      expect([iso(start), iso(end)], entry.region).toEqual([entry.notBefore, entry.notAfter]);
      // AWS's certificates are self-signed: a single changed character breaks the signature or the parse.
      expect(openssl(["verify", "-no_check_time", "-CAfile", file, file]).trim(), entry.region).toBe(`${file}: OK`);
      expect(openssl(["x509", "-in", file, "-noout", "-text"]), entry.region).toMatch(
        entry.kind === "rsa2048" ? /Public-Key: \(2048 bit\)/ : /Public-Key: \(\d+ bit\)/,
      );
    }
  });

  it("reads the same facts with pkijs as openssl recorded", () => {
    for (const entry of catalogue.certificates) {
      const facts = certificateFacts(entry.pem);
      expect(facts.sha256Fingerprint, entry.region).toBe(entry.sha256Fingerprint);
      expect(facts.notBefore.toISOString().replace(".000Z", "Z"), entry.region).toBe(entry.notBefore);
      expect(facts.notAfter.toISOString().replace(".000Z", "Z"), entry.region).toBe(entry.notAfter);
      if (entry.kind === "rsa2048") expect(facts.modulusBits, entry.region).toBe(2048);
    }
  });

  it("names AWS's page and the retrieval date for every entry", () => {
    for (const entry of catalogue.certificates) {
      expect(entry.source.url).toMatch(/^https:\/\/docs\.(aws\.amazon\.com|amazonaws\.cn)\/.*regions-certs\.html$/);
      expect(entry.source.retrieved).toBe("2026-12-06");
    }
  });
});

/**
 * `aws-bench review` (src/community/review.ts with the real checks of review-run.ts) on bundles that `submit` made
 * from runs of the real runner on a fake EC2 instance whose identity a test authority signed (ec2-runs.ts,
 * identity-ca.ts). The honest bundle is accepted; each tampering — one byte of the document, of its rsa2048
 * signature or of a raw file, a document of another type or region, a certificate not valid at pendingTime, times
 * out of order, the wrong key, a file that is no bundle, a run already in the database — is rejected with the step
 * that caught it, and a sealed bundle reviewed without the key waits for a person.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256Hex } from "../../../src/checksums.js";
import { reviewBundles, type AcceptedData, type ReviewedRun } from "../../../src/community/review.js";
import { runReview, standardChecks } from "../../../src/community/review-run.js";
import { generateReviewKey, type GeneratedReviewKey } from "../../../src/community/seal.js";
import { submitRuns } from "../../../src/community/submit.js";
import { loadFamilyTable } from "../../../src/discovery/family-table.js";
import type { AwsIdentityCertificateCatalogue } from "../../../src/schemas/generated/aws-identity-certificates.js";
import type { BenchmarkResult } from "../../../src/schemas/generated/benchmark-result.js";
import type { ContributionBundle } from "../../../src/schemas/generated/contribution-bundle.js";
import type { FamilyTable } from "../../../src/schemas/generated/families.js";
import type { ReviewReport } from "../../../src/schemas/generated/review-report.js";
import { forgeResult, forgeRunFile, makeEc2Runs, writeTestKeyRing } from "../../helpers/ec2-runs.js";
import { makeTestIdentityAuthority, type TestIdentityAuthority } from "../../helpers/identity-ca.js";
import { useTempDir } from "../../helpers/temp-dir.js";

type Entry = ContributionBundle["runs"][number];

let shared: string;
let authority: TestIdentityAuthority;
let families: FamilyTable;
let run: string;
let publicBundle: ContributionBundle;
let sealedBundle: ContributionBundle;
let key: GeneratedReviewKey;
const secret = Buffer.from("s".repeat(48));
const noData: AcceptedData = { results: [], rawChecksums: new Map(), instances: new Map(), runIds: new Set() };

/** submit's bundle of `runDir` (public identity unless a ring is given). */
async function bundleOf(runDir: string, out: string, ring?: string): Promise<ContributionBundle> {
  const outcome = await submitRuns({
    runDirs: [runDir],
    out,
    handle: "octocat",
    publicIdentity: ring === undefined,
    reviewKeys: ring,
  });
  return outcome.bundle;
}

beforeAll(async () => {
  shared = mkdtempSync(join(tmpdir(), "aws-bench-review-test-"));
  authority = makeTestIdentityAuthority(join(shared, "authority"));
  families = await loadFamilyTable();
  [run] = (await makeEc2Runs(shared, authority, [
    { instanceId: "i-0aaaaaaaaaaaaaaa1", triad: [20000.5, 20100.5, 19900.5] },
  ])) as [string];
  const ring = join(shared, "review-keys.json");
  key = writeTestKeyRing(ring);
  publicBundle = await bundleOf(run, join(shared, "public.json"));
  sealedBundle = await bundleOf(run, join(shared, "sealed.json"), ring);
}, 60_000);

afterAll(() => {
  rmSync(shared, { recursive: true, force: true });
});

const temp = useTempDir();

interface ReviewOptions {
  privateKeys?: readonly string[];
  catalogue?: AwsIdentityCertificateCatalogue;
  accepted?: AcceptedData;
}

/** Reviews bundles (objects, or raw file text) with the real checks, as `review --key … --pseudonym-secret …`. */
async function review(
  bundles: ReadonlyArray<ContributionBundle | string>,
  options: ReviewOptions = {},
): Promise<{ report: ReviewReport; runs: ReviewedRun[] }> {
  const dir = join(temp(), `bundles-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir, { recursive: true });
  const files = bundles.map((bundle, index) => {
    const file = join(dir, `bundle-${index}.json`);
    writeFileSync(file, typeof bundle === "string" ? bundle : JSON.stringify(bundle));
    return file;
  });
  const now = new Date();
  return reviewBundles({
    bundles: files,
    privateKeys: options.privateKeys ?? [],
    pseudonymSecret: secret,
    checks: standardChecks(options.catalogue ?? authority.catalogue, families, now),
    families,
    accepted: options.accepted ?? noData,
    now,
  });
}

/** The single run's review of a one-bundle review. */
async function reviewOne(bundle: ContributionBundle, options: ReviewOptions = {}) {
  const { report } = await review([bundle], options);
  expect(report.bundles).toHaveLength(1);
  expect(report.bundles[0]?.problem).toBeUndefined();
  const reviewed = report.bundles[0]?.runs[0];
  if (!reviewed) throw new Error("no run reviewed");
  return reviewed;
}

/** The steps that rejected, as `step: reason`. */
function rejections(reviewed: Awaited<ReturnType<typeof reviewOne>>): string[] {
  return reviewed.steps.filter((step) => step.outcome === "reject").map((step) => `${step.step}: ${step.reason}`);
}

/** A copy of the public bundle with its one run edited. */
function edited(edit: (entry: Entry, bundle: ContributionBundle) => void): ContributionBundle {
  const bundle = structuredClone(publicBundle);
  edit(bundle.runs[0] as Entry, bundle);
  return bundle;
}

function publicIdentity(entry: Entry): Extract<Entry["identity"], { visibility: "public" }> {
  if (entry.identity.visibility !== "public") throw new Error("not a public identity");
  return entry.identity;
}

/** The run's document with fields replaced (the JSON text as IMDS served it, one field's value swapped). */
function documentWith(entry: Entry, fields: Record<string, string>): string {
  let text = publicIdentity(entry).document;
  for (const [field, value] of Object.entries(fields)) {
    const pattern = new RegExp(`"${field}":"[^"]*"`);
    expect(text).toMatch(pattern);
    text = text.replace(pattern, `"${field}":${JSON.stringify(value)}`);
  }
  return text;
}

/** Puts `document`, signed by `signer` as AWS signs (attached, streamed BER), into the entry. */
function resign(entry: Entry, document: string, signer: TestIdentityAuthority = authority): void {
  const identity = publicIdentity(entry);
  identity.document = document;
  identity.rsa2048 = signer.signDocument(document, { attached: true, stream: true });
  identity.signature = signer.signRsa(document);
}

function resultOf(entry: Entry): BenchmarkResult {
  const file = entry.files.find((f) => f.path === "result.json");
  return JSON.parse(Buffer.from(file?.base64 ?? "", "base64").toString("utf8")) as BenchmarkResult;
}

/** A raw STREAM output of the entry (not a stderr capture). */
function streamOutput(entry: Entry): Entry["files"][number] {
  const file = entry.files.find((f) => f.path.startsWith("raw/") && !/stderr/.test(f.path) && f.bytes > 500);
  if (!file) throw new Error("no STREAM output in the bundle");
  return file;
}

/** One byte of a Triad rate changed: the first digit after "Triad:". */
function changeTriadDigit(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  const at = copy.indexOf("Triad:") + "Triad:".length;
  const digit = copy.findIndex((byte, index) => index >= at && byte >= 0x30 && byte <= 0x39);
  copy[digit] = copy[digit] === 0x39 ? 0x31 : (copy[digit] as number) + 1;
  return copy;
}

describe("review with the real checks", () => {
  it("accepts the honest bundle as community evidence, every step passing", async () => {
    const reviewed = await reviewOne(publicBundle);
    expect(rejections(reviewed)).toEqual([]);
    expect(reviewed.steps.filter((step) => step.outcome !== "pass").map((step) => step.reason)).toEqual([]);
    expect([reviewed.verdict, reviewed.evidence]).toEqual(["accept", "community"]);
    expect(new Set(reviewed.steps.map((step) => step.step))).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8]));
  });

  it("rejects one byte changed in the identity document at step 1", async () => {
    const reviewed = await reviewOne(
      edited((entry) => {
        const identity = publicIdentity(entry);
        const changed = identity.document.replace("i-0aaaaaaaaaaaaaaa1", "i-0aaaaaaaaaaaaaaa2");
        expect(changed).not.toBe(identity.document);
        identity.document = changed;
      }),
    );
    expect(reviewed.verdict).toBe("reject");
    expect(rejections(reviewed)).toEqual([expect.stringMatching(/^1: rsa2048: /)]);
  });

  it("rejects one byte changed in the rsa2048 signature at step 1", async () => {
    const reviewed = await reviewOne(
      edited((entry) => {
        const identity = publicIdentity(entry);
        const der = Buffer.from(identity.rsa2048, "base64");
        // The signature value: the last OCTET STRING of 256 bytes (04 82 01 00) in the SignerInfo.
        const at = der.lastIndexOf(Buffer.from([0x04, 0x82, 0x01, 0x00]));
        expect(at).toBeGreaterThan(0);
        der[at + 4 + 128] = (der[at + 4 + 128] as number) ^ 0x01;
        identity.rsa2048 = der.toString("base64");
      }),
    );
    expect(reviewed.verdict).toBe("reject");
    expect(rejections(reviewed)).toEqual([expect.stringMatching(/^1: rsa2048: /)]);
  });

  it("rejects one byte changed in a raw file at step 0, its declared checksum fixed up or not", async () => {
    const asIs = await reviewOne(
      edited((entry) => {
        const file = streamOutput(entry);
        file.base64 = changeTriadDigit(Buffer.from(file.base64, "base64")).toString("base64");
      }),
    );
    expect(asIs.verdict).toBe("reject");
    expect(rejections(asIs)).toEqual([expect.stringMatching(/^0: raw\/.* hashes to [0-9a-f]{64}, the bundle says/)]);

    const declaredFixed = await reviewOne(
      edited((entry) => {
        const file = streamOutput(entry);
        const bytes = changeTriadDigit(Buffer.from(file.base64, "base64"));
        Object.assign(file, { base64: bytes.toString("base64"), sha256: sha256Hex(bytes) });
      }),
    );
    expect(declaredFixed.verdict).toBe("reject");
    expect(rejections(declaredFixed)).toContainEqual(expect.stringMatching(/^0: raw\/.* does not match SHA256SUMS/));
  });

  it("rejects one byte changed in a raw file whose every checksum was made to agree, by re-derivation", async () => {
    const forged = join(temp(), "forged-run");
    cpSync(run, forged, { recursive: true });
    const path = streamOutput(publicBundle.runs[0] as Entry).path;
    forgeRunFile(forged, path, changeTriadDigit(readFileSync(join(forged, path))));
    const bundle = await bundleOf(forged, join(temp(), "forged.json"));
    const reviewed = await reviewOne(bundle);
    expect(reviewed.verdict).toBe("reject");
    const steps = new Set(reviewed.steps.filter((step) => step.outcome === "reject").map((step) => step.step));
    expect(steps.has(3), rejections(reviewed).join("\n")).toBe(true);
    expect([...steps].every((step) => step === 3 || step === 4)).toBe(true);
  });

  it("rejects a signed document of another instance type: step 1 when the public part disagrees, step 2 when not", async () => {
    const hidden = await reviewOne(
      edited((entry) => resign(entry, documentWith(entry, { instanceType: "m7i.xlarge" }))),
    );
    expect(hidden.verdict).toBe("reject");
    expect(rejections(hidden)).toEqual([
      expect.stringMatching(
        /^1: the bundle's public part differs from the signed document: instance type m7i\.large against m7i\.xlarge/,
      ),
    ]);
    expect(hidden.steps).toContainEqual(expect.objectContaining({ step: 1, outcome: "pass" }));

    const claimed = await reviewOne(
      edited((entry) => {
        resign(entry, documentWith(entry, { instanceType: "m7i.xlarge" }));
        entry.instanceType = "m7i.xlarge";
      }),
    );
    expect(claimed.verdict).toBe("reject");
    expect(rejections(claimed)).toContainEqual(
      expect.stringMatching(/^2: the instance type differs: the document says m7i\.xlarge, the result m7i\.large/),
    );
  });

  it("rejects a document of another region", async () => {
    const twoRegions = makeTestIdentityAuthority(join(temp(), "two-regions"), { regions: ["eu-west-1", "us-east-1"] });
    const reviewed = await reviewOne(
      edited((entry) => {
        resign(entry, documentWith(entry, { region: "eu-west-1", availabilityZone: "eu-west-1a" }), twoRegions);
        entry.region = "eu-west-1";
        entry.availabilityZone = "eu-west-1a";
      }),
      { catalogue: twoRegions.catalogue },
    );
    expect(reviewed.verdict).toBe("reject");
    expect(reviewed.steps).toContainEqual(expect.objectContaining({ step: 1, outcome: "pass" }));
    expect(rejections(reviewed)).toEqual([
      expect.stringMatching(/^2: the region differs: the document says eu-west-1, the result us-east-1/),
    ]);
  });

  it("rejects a document signed by a certificate of the signer's own, carried in the CMS", async () => {
    const forger = makeTestIdentityAuthority(join(temp(), "forger"));
    const reviewed = await reviewOne(
      edited((entry) => {
        const identity = publicIdentity(entry);
        identity.rsa2048 = forger.signDocument(identity.document, {
          attached: true,
          stream: true,
          signer: { certificate: forger.files.certificate, key: forger.files.key },
        });
      }),
    );
    expect(reviewed.verdict).toBe("reject");
    expect(rejections(reviewed)).toEqual([expect.stringMatching(/^1: rsa2048: /)]);
  });

  it("rejects a certificate not valid at pendingTime", async () => {
    const late = makeTestIdentityAuthority(join(temp(), "late"), { notBefore: "2026-06-01T00:00:00Z" });
    const bundle = edited((entry) => resign(entry, publicIdentity(entry).document, late));
    expect(publicIdentity(bundle.runs[0] as Entry).document).toContain('"pendingTime":"2026-01-05T08:00:00Z"');
    const reviewed = await reviewOne(bundle, { catalogue: late.catalogue });
    expect(reviewed.verdict).toBe("reject");
    expect(rejections(reviewed)).toEqual([expect.stringMatching(/^1: .*2026-01-05/)]);
    // The same signature under a certificate valid then is accepted: it is the validity that rejected.
    const valid = makeTestIdentityAuthority(join(temp(), "valid"));
    const signedByValid = edited((entry) => resign(entry, publicIdentity(entry).document, valid));
    expect((await reviewOne(signedByValid, { catalogue: valid.catalogue })).verdict).toBe("accept");
  });

  it("rejects times out of order at step 2: launched after the run started, submitted before it ended", async () => {
    const launchedLate = await reviewOne(
      edited((entry) => {
        // Launched while the run was going (so not in the future, where step 1 would also reject it).
        const { startedAt, finishedAt } = resultOf(entry);
        const pendingTime = new Date((Date.parse(startedAt) + Date.parse(finishedAt)) / 2).toISOString();
        expect(Date.parse(pendingTime)).toBeGreaterThan(Date.parse(startedAt));
        resign(entry, documentWith(entry, { pendingTime }));
        entry.pendingTime = pendingTime;
      }),
    );
    expect(launchedLate.verdict).toBe("reject");
    expect(rejections(launchedLate)).toEqual([expect.stringMatching(/^2: the times are out of order/)]);

    const submittedEarly = await reviewOne(
      edited((entry, bundle) => {
        bundle.createdAt = new Date(Date.parse(resultOf(entry).finishedAt) - 1000).toISOString();
      }),
    );
    expect(submittedEarly.verdict).toBe("reject");
    expect(rejections(submittedEarly)).toEqual([expect.stringMatching(/^2: the times are out of order/)]);
  });

  it("leaves a sealed bundle reviewed without the key to a person, step 1 skipped; opens it with the key", async () => {
    const unkeyed = await reviewOne(sealedBundle);
    expect([unkeyed.verdict, unkeyed.evidence]).toEqual(["needs-human-review", "local"]);
    expect(unkeyed.steps.filter((step) => step.step === 1)).toEqual([
      expect.objectContaining({ outcome: "skipped", reason: expect.stringMatching(/--key/) }),
    ]);
    const keyed = await reviewOne(sealedBundle, { privateKeys: [key.privateKeyPem] });
    expect([keyed.verdict, keyed.evidence]).toEqual(["accept", "community"]);
  });

  it("rejects a sealed bundle opened with the wrong key, saying which key it needs", async () => {
    const other = generateReviewKey();
    const reviewed = await reviewOne(sealedBundle, { privateKeys: [other.privateKeyPem] });
    expect(reviewed.verdict).toBe("reject");
    expect(rejections(reviewed)).toEqual([
      `1: the sealed identity cannot be opened: The payload is sealed to review key ${key.keyId}, and none of the 1 keys given is it.`,
    ]);
  });

  it("rejects a file that is not JSON or not a bundle with its problem, and reviews the others", async () => {
    const { report } = await review(["{ not json", JSON.stringify({ schemaVersion: 1, hello: "world" }), publicBundle]);
    expect(report.bundles.map((bundle) => [bundle.problem === undefined, bundle.runs.length])).toEqual([
      [false, 0],
      [false, 0],
      [true, 1],
    ]);
    expect(report.bundles[0]?.problem).toMatch(/^not JSON/);
    expect(report.bundles[1]?.problem).toMatch(/^does not match the bundle schema/);
    expect(report.bundles[2]?.runs[0]?.verdict).toBe("accept");
  });

  it("says why a file is not JSON without quoting it (its problem is published with the rejection)", async () => {
    const { report } = await review(["i-0123456789abcdef0 123456789012, my run", 'i"012345 "6789 12345']);
    for (const bundle of report.bundles) {
      expect(bundle.problem).toMatch(/^not JSON/);
      expect(bundle.problem).not.toMatch(/0123|1234|6789/);
    }
  });

  it("leaves a declared modification to a person, and rejects one the bundle hides", async () => {
    const dirty = join(temp(), "dirty-run");
    cpSync(run, dirty, { recursive: true });
    forgeResult(dirty, (result) => {
      result.runner.gitDirty = true;
    });
    const modification = "stream.c built with -O2 to match our cluster's flags";
    const declared = (
      await submitRuns({
        runDirs: [dirty],
        out: join(temp(), "dirty.json"),
        handle: "octocat",
        publicIdentity: true,
        modification,
      })
    ).bundle;
    const reviewed = await reviewOne(declared);
    expect(reviewed.verdict).toBe("needs-human-review");
    expect(reviewed.steps.filter((step) => step.outcome === "flag").map((step) => step.reason)).toEqual([
      expect.stringContaining(modification),
    ]);

    const hidden = structuredClone(declared);
    const entry = hidden.runs[0] as Entry;
    entry.runner = { version: entry.runner.version, modified: false };
    const rejected = await reviewOne(hidden);
    expect(rejected.verdict).toBe("reject");
    expect(rejections(rejected)).toEqual([expect.stringMatching(/^0: .*unmodified.*modified checkout/)]);
  });

  it("rejects a public part whose runner version is not the result's", async () => {
    const reviewed = await reviewOne(
      edited((entry) => {
        entry.runner.version = "9.9.9";
      }),
    );
    expect(reviewed.verdict).toBe("reject");
    expect(rejections(reviewed)).toEqual([expect.stringMatching(/^0: .*runner 9\.9\.9.*result/)]);
  });

  it("rejects a run already in the database", async () => {
    const runId = publicBundle.runs[0]?.runId as string;
    const reviewed = await reviewOne(publicBundle, { accepted: { ...noData, runIds: new Set([runId]) } });
    expect(reviewed.verdict).toBe("reject");
    expect(rejections(reviewed)).toEqual([
      expect.stringMatching(new RegExp(`^0: run ${runId} is already in the database`)),
    ]);
  });

  it("runReview writes a schema-valid review.json and reads the catalogue given", async () => {
    const dir = temp();
    const catalogue = join(dir, "certificates.json");
    writeFileSync(catalogue, JSON.stringify(authority.catalogue));
    const bundle = join(dir, "bundle.json");
    writeFileSync(bundle, JSON.stringify(publicBundle));
    mkdirSync(join(dir, "data"));
    const outcome = await runReview({
      bundles: [bundle],
      privateKeys: [],
      pseudonymSecret: secret,
      dataDir: join(dir, "data"),
      out: join(dir, "review.json"),
      merge: false,
      certificates: catalogue,
    });
    const written = JSON.parse(readFileSync(join(dir, "review.json"), "utf8")) as ReviewReport;
    expect(written.bundles[0]?.runs[0]?.verdict).toBe("accept");
    expect(outcome.report).toEqual(written);
  });
});

describe("review: a bundle tampered in any one public field is rejected", () => {
  const tamperings: ReadonlyArray<[string, (entry: Entry) => void]> = [
    ["runId", (entry) => (entry.runId = `${entry.runId}x`)],
    ["instanceType", (entry) => (entry.instanceType = "m7i.xlarge")],
    ["region", (entry) => (entry.region = "us-west-2")],
    ["availabilityZone", (entry) => (entry.availabilityZone = "us-east-1b")],
    ["pendingTime", (entry) => (entry.pendingTime = "2025-01-01T00:00:00.000Z")],
    ["imageId", (entry) => (entry.imageId = "ami-0123456789abcdef0")],
    ["architecture", (entry) => (entry.architecture = "arm64")],
    ["sumsSha256", (entry) => (entry.sumsSha256 = "0".repeat(64))],
    ["runner.version", (entry) => (entry.runner.version = "9.9.9")],
    ["runner.bundleSha256", (entry) => (entry.runner.bundleSha256 = "f".repeat(64))],
    ["a file's path", (entry) => ((entry.files[1] as Entry["files"][number]).path = "raw/renamed.txt")],
    ["a file's declared size", (entry) => ((entry.files[1] as Entry["files"][number]).bytes += 1)],
  ];
  it.each(tamperings)("%s", async (_field, tamper) => {
    const reviewed = await reviewOne(edited(tamper));
    expect(reviewed.verdict).toBe("reject");
    expect(rejections(reviewed).length).toBeGreaterThan(0);
  });
});

/**
 * `aws-bench review --merge` (src/community/merge.ts) on bundles that `submit` made from runs of the real runner on a
 * fake EC2 instance, reviewed with the real checks: an accepted run lands whole in data/raw with a schema-valid
 * provenance.json, and the review then knows it (loadAcceptedData); merging it again refuses and changes nothing;
 * runs waiting for a person are left out; rejections go to data/rejected/ with their reasons and no file contents.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256Hex } from "../../../src/checksums.js";
import { loadAcceptedData, mergeReviewed } from "../../../src/community/merge.js";
import { reviewBundles, type AcceptedData } from "../../../src/community/review.js";
import { standardChecks } from "../../../src/community/review-run.js";
import { submitRuns } from "../../../src/community/submit.js";
import { loadFamilyTable } from "../../../src/discovery/family-table.js";
import { BenchError } from "../../../src/errors.js";
import { checkDocument } from "../../../src/schemas/documents.js";
import type { ContributionBundle } from "../../../src/schemas/generated/contribution-bundle.js";
import type { FamilyTable } from "../../../src/schemas/generated/families.js";
import { ec2RunType, forgeResult, forgeRunFile, makeEc2Runs, writeTestKeyRing } from "../../helpers/ec2-runs.js";
import { makeTestIdentityAuthority, type TestIdentityAuthority } from "../../helpers/identity-ca.js";
import { useTempDir } from "../../helpers/temp-dir.js";

let shared: string;
let authority: TestIdentityAuthority;
let families: FamilyTable;
/** Public bundles (files) of runs on instance A and B; A's sealed; A's with a raw file forged. */
const bundles = { a: "", b: "", sealedA: "", forgedA: "" };
const secret = Buffer.from("s".repeat(48));
const noData: AcceptedData = { results: [], rawChecksums: new Map(), instances: new Map(), runIds: new Set() };

beforeAll(async () => {
  shared = mkdtempSync(join(tmpdir(), "aws-bench-merge-test-"));
  authority = makeTestIdentityAuthority(join(shared, "authority"));
  families = await loadFamilyTable();
  const [a, b] = (await makeEc2Runs(shared, authority, [
    { instanceId: "i-0aaaaaaaaaaaaaaa1", triad: [20000.5, 20100.5, 19900.5] },
    { instanceId: "i-0bbbbbbbbbbbbbbb2", triad: [21000.5, 21100.5, 20900.5] },
  ])) as [string, string];
  const ring = join(shared, "review-keys.json");
  writeTestKeyRing(ring);
  const forged = join(shared, "forged");
  cpSync(a, forged, { recursive: true });
  const sums = readFileSync(join(forged, "SHA256SUMS"), "utf8");
  const output = (sums.match(/ {2}(raw\/stream\/[^\n]*trial-1\.txt)$/m) ?? [])[1] as string;
  forgeRunFile(forged, output, readFileSync(join(forged, output), "utf8").replace(/Triad:( +)2/, "Triad:$13"));
  const submit = async (run: string, name: string, sealed = false) =>
    (
      await submitRuns({
        runDirs: [run],
        out: join(shared, `${name}.json`),
        handle: "octocat",
        publicIdentity: !sealed,
        reviewKeys: ring,
      })
    ).bundlePath;
  bundles.a = await submit(a, "a");
  bundles.b = await submit(b, "b");
  bundles.sealedA = await submit(a, "sealed-a", true);
  bundles.forgedA = await submit(forged, "forged-a");
}, 60_000);

afterAll(() => {
  rmSync(shared, { recursive: true, force: true });
});

const temp = useTempDir();

/** Reviews bundle files with the real checks (no review key), as `review --pseudonym-secret …`. */
async function review(files: readonly string[], accepted: AcceptedData = noData) {
  const now = new Date();
  return reviewBundles({
    bundles: files,
    privateKeys: [],
    pseudonymSecret: secret,
    checks: standardChecks(authority.catalogue, families, now),
    families,
    accepted,
    now,
  });
}

/** Every file under `dir` (relative path → SHA-256 of its bytes). */
function tree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(dir, path)] = sha256Hex(readFileSync(path));
    }
  };
  walk(dir);
  return files;
}

function publicDocument(entry: ContributionBundle["runs"][number]): string {
  if (entry.identity.visibility !== "public") throw new Error("not public");
  return entry.identity.document;
}

function publicRsa2048(entry: ContributionBundle["runs"][number]): string {
  if (entry.identity.visibility !== "public") throw new Error("not public");
  return entry.identity.rsa2048;
}

/** `template` with its one run's files replaced by the files the run folder `runDir` publishes. */
function bundleWithFilesOf(template: ContributionBundle, runDir: string): ContributionBundle {
  const bundle = structuredClone(template);
  const entry = bundle.runs[0] as ContributionBundle["runs"][number];
  const sums = readFileSync(join(runDir, "SHA256SUMS"));
  const paths = [
    "SHA256SUMS",
    ...sums
      .toString("utf8")
      .trim()
      .split("\n")
      .map((line) => line.slice(66)),
  ];
  entry.files = paths.sort().map((path) => {
    const bytes = readFileSync(join(runDir, path));
    return { path, sha256: sha256Hex(bytes), bytes: bytes.length, base64: bytes.toString("base64") };
  });
  entry.sumsSha256 = sha256Hex(sums);
  return bundle;
}

const bundleOf = (file: string) => JSON.parse(readFileSync(file, "utf8")) as ContributionBundle;

describe("merge", () => {
  it("lands an accepted run whole, with a schema-valid provenance, and the next review knows it", async () => {
    const data = join(temp(), "data");
    mkdirSync(data);
    const { report, runs } = await review([bundles.a]);
    expect(report.bundles[0]?.runs[0]?.verdict).toBe("accept");
    const outcome = await mergeReviewed(runs, report, data);
    const entry = bundleOf(bundles.a).runs[0] as ContributionBundle["runs"][number];
    const folder = join("raw", ec2RunType, `community-${entry.runId}`);
    expect(outcome).toEqual({ merged: [folder], rejected: [], leftForReview: [] });

    const merged = tree(data);
    expect(merged).toEqual({
      ...Object.fromEntries(entry.files.map((file) => [join(folder, file.path), file.sha256])),
      [join(folder, "provenance.json")]: expect.any(String),
    });
    for (const file of entry.files)
      expect(readFileSync(join(data, folder, file.path)).equals(Buffer.from(file.base64, "base64"))).toBe(true);

    const provenance = JSON.parse(readFileSync(join(data, folder, "provenance.json"), "utf8")) as Record<
      string,
      unknown
    >;
    expect((await checkDocument("contribution-provenance", provenance)).valid).toBe(true);
    const rsa2048 = authority.catalogue.certificates.find((c) => c.kind === "rsa2048");
    expect(provenance).toMatchObject({
      evidence: "community",
      contributor: "octocat",
      licence: "CC-BY-4.0",
      bundleSha256: sha256Hex(readFileSync(bundles.a)),
      reviewedAt: report.reviewedAt,
      identity: { method: "rsa2048", certificateSha256: rsa2048?.sha256Fingerprint, region: "us-east-1" },
      instancePseudonym: report.bundles[0]?.runs[0]?.instancePseudonym,
      accountPseudonym: report.bundles[0]?.runs[0]?.accountPseudonym,
      runner: { modified: false },
    });
    expect(JSON.stringify(provenance)).not.toMatch(/i-0aaaaaaaaaaaaaaa1|123456789012/);

    const accepted = await loadAcceptedData(data);
    expect([...accepted.runIds]).toEqual([entry.runId]);
    expect([...accepted.instances]).toEqual([[report.bundles[0]?.runs[0]?.instancePseudonym, entry.runId]]);
    expect(accepted.results.map((result) => result.runId)).toEqual([entry.runId]);
    // The next review: the same run is rejected, a copy of its raw files too, another run of the instance is one instance.
    const again = await review([bundles.a, bundles.b], accepted);
    expect(again.report.bundles.map((bundle) => bundle.runs[0]?.verdict)).toEqual(["reject", "accept"]);
    expect(again.report.bundles[0]?.runs[0]?.steps).toContainEqual(
      expect.objectContaining({ step: 0, outcome: "reject", reason: expect.stringMatching(/already in the database/) }),
    );

    // A copy of the merged run's outputs under a new run id is not a measurement.
    const copy = join(temp(), "copy");
    cpSync(join(data, folder), copy, { recursive: true });
    rmSync(join(copy, "provenance.json"));
    mkdirSync(join(copy, "private"));
    writeFileSync(join(copy, "private", "instance-identity.json"), publicDocument(entry));
    writeFileSync(join(copy, "private", "instance-identity.rsa2048"), publicRsa2048(entry));
    forgeResult(copy, (result) => {
      result.runId = `${result.runId.slice(0, -1)}${result.runId.endsWith("0") ? "1" : "0"}`;
    });
    const copied = await submitRuns({
      runDirs: [copy],
      out: join(temp(), "copy.json"),
      handle: "octocat",
      publicIdentity: true,
    });
    const copyReview = await review([copied.bundlePath], accepted);
    expect(copyReview.report.bundles[0]?.runs[0]?.verdict).toBe("reject");
    expect(copyReview.report.bundles[0]?.runs[0]?.steps).toContainEqual(
      expect.objectContaining({
        step: 7,
        outcome: "reject",
        reason: expect.stringMatching(new RegExp(`byte for byte the same as a raw file of run ${entry.runId}`)),
      }),
    );
  });

  it("refuses to merge a run again and changes nothing, also when another run would have joined it", async () => {
    const data = join(temp(), "data");
    mkdirSync(data);
    const first = await review([bundles.a]);
    await mergeReviewed(first.runs, first.report, data);
    const before = tree(data);
    const again = await review([bundles.b, bundles.a]);
    expect(again.report.bundles.map((bundle) => bundle.runs[0]?.verdict)).toEqual(["accept", "accept"]);
    const error = await mergeReviewed(again.runs, again.report, data).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(BenchError);
    expect((error as BenchError).message).toMatch(/already exists.*: a released run is never replaced/);
    expect(tree(data)).toEqual(before);
    expect(readdirSync(join(data, "raw", ec2RunType))).toHaveLength(1);
  });

  it("takes one run once when two bundles of one review hold it", async () => {
    const data = join(temp(), "data");
    mkdirSync(data);
    const copy = join(temp(), "copy-of-a.json");
    writeFileSync(copy, `${readFileSync(bundles.a, "utf8")} `);
    const { report, runs } = await review([bundles.a, copy]);
    expect(report.bundles.map((bundle) => bundle.runs[0]?.verdict)).toEqual(["accept", "reject"]);
    const outcome = await mergeReviewed(runs, report, data);
    expect(outcome.merged).toHaveLength(1);
    expect(outcome.rejected).toHaveLength(1);
  });

  it("never lets a contributed file stand in for the provenance the merge writes", async () => {
    const dir = temp();
    const data = join(dir, "data");
    mkdirSync(data);
    const forged = join(dir, "with-provenance");
    cpSync(join(shared, "run-1"), forged, { recursive: true });
    const fake = `${JSON.stringify({ evidence: "maintainer" })}\n`;
    writeFileSync(join(forged, "provenance.json"), fake);
    forgeResult(forged, (result) => {
      result.rawFiles.push({ path: "provenance.json", sha256: sha256Hex(fake), bytes: Buffer.byteLength(fake) });
    });
    writeFileSync(
      join(forged, "SHA256SUMS"),
      `${readFileSync(join(forged, "SHA256SUMS"), "utf8").trimEnd()}\n${sha256Hex(fake)}  provenance.json\n`,
    );
    const refused = await submitRuns({
      runDirs: [forged],
      out: join(dir, "with-provenance.json"),
      handle: "octocat",
      publicIdentity: true,
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect((refused as BenchError).message).toMatch(/provenance\.json is not under raw\/, inputs\/ or build\//);
    // The same files put into a bundle by hand.
    const bundle = join(dir, "with-provenance.json");
    writeFileSync(bundle, JSON.stringify(bundleWithFilesOf(bundleOf(bundles.b), forged)));
    const { report, runs } = await review([bundle, bundles.a]);
    expect(report.bundles[0]?.runs[0]?.verdict).toBe("reject");
    const outcome = await mergeReviewed(runs, report, data);
    expect(outcome.merged).toHaveLength(1);
    expect(outcome.rejected).toHaveLength(1);
  });

  it("leaves runs that need a person out of the database", async () => {
    const data = join(temp(), "data");
    mkdirSync(data);
    const { report, runs } = await review([bundles.sealedA]);
    expect(report.bundles[0]?.runs[0]?.verdict).toBe("needs-human-review");
    const outcome = await mergeReviewed(runs, report, data);
    expect(outcome.merged).toEqual([]);
    expect(outcome.rejected).toEqual([]);
    expect(outcome.leftForReview).toEqual([expect.stringMatching(/--key/)]);
    expect(readdirSync(data)).toEqual([]);
  });

  it("publishes rejections in data/rejected/ with their reasons and without any file contents", async () => {
    const data = join(temp(), "data");
    mkdirSync(data);
    const notJson = join(temp(), "not-json.json");
    writeFileSync(notJson, "{ not json");
    const { report, runs } = await review([bundles.forgedA, notJson, bundles.b]);
    expect(report.bundles.map((bundle) => bundle.runs[0]?.verdict ?? bundle.problem)).toEqual([
      "reject",
      expect.stringMatching(/^not JSON/),
      "accept",
    ]);
    const outcome = await mergeReviewed(runs, report, data);
    expect(outcome.merged).toHaveLength(1);
    expect(outcome.rejected).toHaveLength(2);
    expect(readdirSync(join(data, "rejected")).sort()).toEqual(
      outcome.rejected.map((file) => file.replace("rejected/", "")).sort(),
    );
    const forged = bundleOf(bundles.forgedA).runs[0] as ContributionBundle["runs"][number];
    for (const file of outcome.rejected) {
      const text = readFileSync(join(data, file), "utf8");
      const rejection = JSON.parse(text) as unknown;
      expect((await checkDocument("review-report", rejection)).valid).toBe(true);
      expect(text).not.toContain(shared);
      expect(text).not.toMatch(/STREAM version|Triad:|"base64"/);
      for (const contributed of forged.files.filter((file) => file.bytes >= 30))
        expect(text).not.toContain(contributed.base64.slice(0, 40));
    }
    const forgedRejection = outcome.rejected
      .map((file) => readFileSync(join(data, file), "utf8"))
      .find((text) => text.includes(forged.runId));
    expect(forgedRejection).toMatch(/re-derive/);
    expect(forgedRejection).not.toContain(bundleOf(bundles.b).runs[0]?.runId);
  });
});

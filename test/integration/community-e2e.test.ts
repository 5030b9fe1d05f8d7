/**
 * Community results end to end (issue #16): runs made by the real runner on a fake EC2 instance — a fake IMDSv2
 * serving an identity document signed by a test authority standing in for AWS (Debian's openssl), and a recorded
 * host whose CPU is the type's (Sapphire Rapids for m7i) — are submitted with the identity sealed to a test review
 * key, reviewed by the CLI with the key, the pseudonym secret and the authority's catalogue, merged, analyzed,
 * ranked and shown on the site as community (C1) evidence. A copy whose result.json was edited (its checksums made
 * consistent again) is rejected by re-derivation and listed in data/rejected/; a second run of the same instance is
 * accepted but counts as the same instance.
 */
import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exec } from "../../src/cli/main.js";
import { memoryIo } from "../../src/cli/io.js";
import { sha256Hex } from "../../src/checksums.js";
import type { ContributionBundle } from "../../src/schemas/generated/contribution-bundle.js";
import type { ReviewReport } from "../../src/schemas/generated/review-report.js";
import { ec2RunType, makeEc2Runs, writeTestKeyRing } from "../helpers/ec2-runs.js";
import { makeTestIdentityAuthority } from "../helpers/identity-ca.js";
import { useTempDir } from "../helpers/temp-dir.js";

const type = ec2RunType;

describe("community results: run on EC2 → submit → review → merge → analyze, rank and site as C1", () => {
  const temp = useTempDir();

  it("accepts an honest run, rejects a tampered copy, and counts two runs of one instance once", async () => {
    const dir = temp();
    const authority = makeTestIdentityAuthority(join(dir, "authority"));
    const catalogue = join(dir, "certificates.json");
    writeFileSync(catalogue, JSON.stringify(authority.catalogue));
    const ring = join(dir, "review-keys.json");
    const key = writeTestKeyRing(ring);
    const privateKey = join(dir, "review.pem");
    writeFileSync(privateKey, key.privateKeyPem);
    const secret = join(dir, "pseudonym-secret");
    writeFileSync(secret, "s".repeat(48));
    // Two runs on one instance, one on another.
    const runs = await makeEc2Runs(
      dir,
      authority,
      ["i-0aaaaaaaaaaaaaaa1", "i-0aaaaaaaaaaaaaaa1", "i-0bbbbbbbbbbbbbbb2"].map((instanceId, index) => ({
        instanceId,
        triad: [20000.5 + index * 1000, 20100.5 + index * 1000, 19900.5 + index * 1000],
      })),
    );
    expect(readdirSync(join(runs[0] as string, "private")).sort()).toEqual([
      "instance-identity.json",
      "instance-identity.rsa2048",
      "instance-identity.signature",
    ]);

    // submit: one bundle per instance run, identity sealed to the test ring.
    const bundles = join(dir, "contributions");
    mkdirSync(bundles);
    for (const [index, run] of runs.entries()) {
      const io = memoryIo();
      const code = await exec(
        ["submit", run, "--handle", "octocat", "--review-keys", ring, "--out", join(bundles, `run-${index}.json`)],
        io,
      );
      expect([code, io.err()]).toEqual([0, ""]);
    }
    const honest = JSON.parse(readFileSync(join(bundles, "run-0.json"), "utf8")) as ContributionBundle;
    expect(honest.runs[0]?.identity.visibility).toBe("sealed");
    expect(readFileSync(join(bundles, "run-0.json"), "utf8")).not.toContain("i-0aaaaaaaaaaaaaaa1");
    expect(readFileSync(join(bundles, "run-0.pr.md"), "utf8")).toContain("Signed-off-by: octocat");

    // A tampered copy: result.json's headline median edited, its checksums made consistent again.
    const tampered = structuredClone(honest);
    const run = tampered.runs[0] as ContributionBundle["runs"][number];
    const resultFile = run.files.find((file) => file.path === "result.json") as (typeof run.files)[number];
    const result = JSON.parse(Buffer.from(resultFile.base64, "base64").toString("utf8")) as {
      benchmarks: Array<{ configurations: Array<{ statistics: Record<string, { median: number }> }> }>;
    };
    const statistics = result.benchmarks[0]?.configurations[0]?.statistics ?? {};
    const triad = Object.entries(statistics).find(([name]) => /triad/i.test(name))?.[1] as { median: number };
    triad.median *= 1.25;
    const edited = Buffer.from(`${JSON.stringify(result, null, 2)}\n`);
    const oldSum = resultFile.sha256;
    Object.assign(resultFile, { base64: edited.toString("base64"), sha256: sha256Hex(edited), bytes: edited.length });
    const sumsFile = run.files.find((file) => file.path === "SHA256SUMS") as (typeof run.files)[number];
    const sums = Buffer.from(
      Buffer.from(sumsFile.base64, "base64").toString("utf8").replace(oldSum, sha256Hex(edited)),
    );
    Object.assign(sumsFile, { base64: sums.toString("base64"), sha256: sha256Hex(sums), bytes: sums.length });
    run.sumsSha256 = sha256Hex(sums);
    writeFileSync(join(bundles, "tampered.json"), JSON.stringify(tampered));

    // Without the key (the pull-request job): nothing can be accepted; the tampered copy is already rejected.
    const data = join(dir, "data");
    mkdirSync(join(data, "raw"), { recursive: true });
    const unkeyed = memoryIo();
    const unkeyedCode = await exec(
      [
        "review",
        join(bundles, "run-0.json"),
        join(bundles, "tampered.json"),
        "--data",
        data,
        "--certificates",
        catalogue,
        "--out",
        join(dir, "public-review.json"),
      ],
      unkeyed,
    );
    expect(unkeyedCode).toBe(1);
    const publicReview = JSON.parse(readFileSync(join(dir, "public-review.json"), "utf8")) as ReviewReport;
    expect(publicReview.bundles.map((bundle) => bundle.runs[0]?.verdict)).toEqual(["needs-human-review", "reject"]);

    // The keyed review and merge.
    const keyedReview = (names: string[], out: string, io: ReturnType<typeof memoryIo>) =>
      exec(
        [
          "review",
          ...names.map((name) => join(bundles, name)),
          ...["--key", privateKey, "--pseudonym-secret", secret, "--certificates", catalogue],
          ...["--data", data, "--out", join(dir, out), "--merge"],
        ],
        io,
      );
    const io = memoryIo();
    const code = await keyedReview(["run-0.json", "tampered.json", "run-1.json", "run-2.json"], "review.json", io);
    const review = JSON.parse(readFileSync(join(dir, "review.json"), "utf8")) as ReviewReport;
    const verdicts = review.bundles.map((bundle) => [bundle.runs[0]?.verdict, bundle.runs[0]?.evidence]);
    expect(verdicts, io.out()).toEqual([
      ["accept", "community"],
      ["reject", "local"],
      ["accept", "community"],
      ["accept", "community"],
    ]);
    expect(code).toBe(1);
    const tamperedSteps = review.bundles[1]?.runs[0]?.steps ?? [];
    expect(tamperedSteps.filter((step) => step.step === 3 && step.outcome === "reject").length).toBeGreaterThan(0);
    const identityStep = review.bundles[0]?.runs[0]?.steps.find((step) => step.step === 1);
    expect(identityStep?.outcome).toBe("pass");
    const sameInstance = review.bundles[2]?.runs[0]?.steps.find(
      (step) => step.step === 7 && /same instance/.test(step.reason),
    );
    expect(sameInstance).toBeDefined();
    expect(review.bundles[0]?.runs[0]?.instancePseudonym).toBe(review.bundles[2]?.runs[0]?.instancePseudonym);
    expect(review.bundles[0]?.runs[0]?.accountPseudonym).toBe(review.bundles[3]?.runs[0]?.accountPseudonym);
    expect(JSON.stringify(review)).not.toMatch(/i-0aaaaaaaaaaaaaaa1|123456789012/);

    const merged = readdirSync(join(data, "raw", type)).sort();
    expect(merged).toHaveLength(3);
    const provenance = JSON.parse(
      readFileSync(join(data, "raw", type, merged[0] as string, "provenance.json"), "utf8"),
    ) as {
      evidence: string;
      contributor: string;
    };
    expect([provenance.evidence, provenance.contributor]).toEqual(["community", "octocat"]);
    const rejected = readdirSync(join(data, "rejected"));
    expect(rejected).toHaveLength(1);
    expect(readFileSync(join(data, "rejected", rejected[0] as string), "utf8")).toMatch(/re-derive/);

    // A release is immutable: merging the same run again is refused and changes nothing.
    const again = memoryIo();
    expect(await keyedReview(["run-0.json"], "again.json", again)).toBe(1);
    expect(readdirSync(join(data, "raw", type))).toHaveLength(3);

    // analyze: three runs, two instances (the second run of the first instance counts as that instance).
    const db = join(dir, "db");
    const analyze = memoryIo();
    expect(await exec(["analyze", "--input", join(data, "raw"), "--out", db, "--json"], analyze)).toBe(0);
    const database = JSON.parse(readFileSync(join(db, "processed", "latest.json"), "utf8")) as {
      types: Record<string, { evidence: string[] }>;
      summaries: Array<{
        type: string;
        metric: string;
        evidence: string;
        statistics: { n: number };
        counts: { accounts: number | null };
      }>;
      skipped: Array<{ reason: string }>;
    };
    expect(database.types[type]?.evidence).toEqual(["community"]);
    const summary = database.summaries.find((s) => s.type === type && s.metric === "stream.triad");
    expect([summary?.evidence, summary?.statistics.n, summary?.counts.accounts]).toEqual(["community", 2, 1]);
    expect(database.skipped.some((skip) => /same instance/.test(skip.reason))).toBe(true);

    const rank = memoryIo();
    expect(await exec(["rank", "--metric", "stream.triad", "--data", db, "--json"], rank)).toBe(0);
    expect(rank.out()).toContain('"community"');
    // Evidence filters: rank by level, analyze reading only maintainers' batches.
    const maintainersOnly = memoryIo();
    expect(
      await exec(
        ["rank", "--metric", "stream.triad", "--data", db, "--evidence", "maintainer", "--json"],
        maintainersOnly,
      ),
    ).toBe(0);
    expect((JSON.parse(maintainersOnly.out()) as { rows: unknown[] }).rows).toEqual([]);
    const batchesOnly = join(dir, "db-batches");
    expect(
      await exec(
        ["analyze", "--input", join(data, "raw"), "--evidence", "maintainer", "--out", batchesOnly],
        memoryIo(),
      ),
    ).toBe(0);
    const batchesDatabase = JSON.parse(readFileSync(join(batchesOnly, "processed", "latest.json"), "utf8")) as {
      summaries: unknown[];
      skipped: Array<{ reason: string }>;
    };
    expect(batchesDatabase.summaries).toEqual([]);
    expect(
      batchesDatabase.skipped.filter((skip) => /community evidence, not among --evidence maintainer/.test(skip.reason)),
    ).toHaveLength(3);

    const site = join(dir, "site");
    expect(await exec(["report", "--data", db, "--out", site], memoryIo())).toBe(0);
    expect(readFileSync(join(site, "index.html"), "utf8")).toContain("community (C1)");
    cpSync(db, join(dir, "db-copy"), { recursive: true });
  }, 180_000);
});

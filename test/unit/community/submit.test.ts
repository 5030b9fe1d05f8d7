/**
 * `aws-bench submit` (src/community/submit.ts) on runs made by the real runner on a fake EC2 instance (ec2-runs.ts):
 * every refusal names the run folder and the reason and leaves the output folder empty (no bundle, no pull-request
 * text, no temporary file); an honest run makes a schema-valid bundle holding the identity byte for byte, or sealed
 * so that neither the account nor the instance can be read from anything written.
 */
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { submitRuns, type SubmitOptions } from "../../../src/community/submit.js";
import { generateReviewKey, openSealedWithAny, type GeneratedReviewKey } from "../../../src/community/seal.js";
import { BenchError } from "../../../src/errors.js";
import { checkDocument } from "../../../src/schemas/documents.js";
import type { BenchmarkResult } from "../../../src/schemas/generated/benchmark-result.js";
import { forgeResult, forgeRunFile, makeEc2Runs } from "../../helpers/ec2-runs.js";
import { makeTestIdentityAuthority } from "../../helpers/identity-ca.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const instanceId = "i-0aaaaaaaaaaaaaaa1";
const accountId = "123456789012";

let shared: string;
let honestRun: string;
let ring: string;
let key: GeneratedReviewKey;

beforeAll(async () => {
  shared = mkdtempSync(join(tmpdir(), "aws-bench-submit-"));
  const authority = makeTestIdentityAuthority(join(shared, "authority"));
  [honestRun] = (await makeEc2Runs(shared, authority, [{ instanceId, triad: [20000.5, 20100.5, 19900.5] }])) as [
    string,
  ];
  key = generateReviewKey();
  ring = join(shared, "review-keys.json");
  writeFileSync(
    ring,
    JSON.stringify({
      schemaVersion: 1,
      keys: [{ keyId: key.keyId, publicKey: key.publicKey, createdAt: "2026-01-01T00:00:00Z", note: "test key" }],
    }),
  );
}, 60_000);

afterAll(() => {
  rmSync(shared, { recursive: true, force: true });
});

const temp = useTempDir();

/** A copy of the honest run to spoil, and an empty folder for what submit writes. */
function copyOfRun(name = "run"): { run: string; out: string } {
  const dir = temp();
  const run = join(dir, name);
  cpSync(honestRun, run, { recursive: true });
  const out = join(dir, "out");
  mkdirSync(out, { recursive: true });
  return { run, out };
}

function options(run: string | readonly string[], out: string, more: Partial<SubmitOptions> = {}): SubmitOptions {
  return {
    runDirs: typeof run === "string" ? [run] : run,
    out: join(out, "contribution.json"),
    handle: "octocat",
    publicIdentity: false,
    reviewKeys: ring,
    ...more,
  };
}

/** Submits, expects a BenchError with `code` whose message matches every pattern, and an untouched `out` folder. */
async function expectRefused(
  submit: SubmitOptions,
  code: string,
  patterns: readonly RegExp[],
  out: string,
  leftInOut: readonly string[] = [],
): Promise<BenchError> {
  const error = await submitRuns(submit).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(BenchError);
  const bench = error as BenchError;
  expect(bench.code, bench.message).toBe(code);
  for (const pattern of patterns) expect(bench.message).toMatch(pattern);
  expect(bench.fix ?? "").not.toBe("");
  expect(readdirSync(out).sort()).toEqual([...leftInOut].sort());
  return bench;
}

const folderNamed = (run: string) => new RegExp(basename(run).replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));

function streamRawFile(run: string): string {
  const result = JSON.parse(readFileSync(join(run, "result.json"), "utf8")) as BenchmarkResult;
  const raw = result.rawFiles.find((file) => !/stderr/.test(file.path) && file.bytes > 500);
  if (!raw) throw new Error(`no STREAM output in ${run}: ${result.rawFiles.map((f) => f.path).join(", ")}`);
  return raw.path;
}

describe("submit refuses, naming the folder and the reason, and writes nothing", () => {
  it("refuses a workstation run (no private/instance-identity.json)", async () => {
    const { run, out } = copyOfRun("workstation-run");
    rmSync(join(run, "private"), { recursive: true });
    await expectRefused(options(run, out), "ContributionRefused", [folderNamed(run), /not made on EC2/], out);
  });

  it("refuses a run without the rsa2048 signature, even with the weak RSA signature", async () => {
    const { run, out } = copyOfRun("no-rsa2048");
    rmSync(join(run, "private", "instance-identity.rsa2048"));
    await expectRefused(options(run, out), "ContributionRefused", [folderNamed(run), /rsa2048 is missing/], out);
  });

  it("refuses a raw file changed after the run, naming the file", async () => {
    const { run, out } = copyOfRun("raw-changed");
    const path = streamRawFile(run);
    const bytes = readFileSync(join(run, path));
    const at = bytes.indexOf("Triad:") + 12;
    bytes[at] = bytes[at] === 0x39 ? 0x38 : (bytes[at] as number) + 1;
    writeFileSync(join(run, path), bytes);
    await expectRefused(
      options(run, out),
      "ContributionRefused",
      [folderNamed(run), new RegExp(`${path} does not match SHA256SUMS`)],
      out,
    );
  });

  it("refuses an edited result.json", async () => {
    const { run, out } = copyOfRun("result-edited");
    const text = readFileSync(join(run, "result.json"), "utf8");
    writeFileSync(join(run, "result.json"), text.replace(/"median": (\d)/, '"median": 9$1'));
    expect(readFileSync(join(run, "result.json"), "utf8")).not.toBe(text);
    await expectRefused(
      options(run, out),
      "ContributionRefused",
      [folderNamed(run), /result\.json does not match SHA256SUMS/],
      out,
    );
  });

  it("refuses an identity document of another instance type, or of another region", async () => {
    for (const [from, to, what] of [
      ['"instanceType":"m7i.large"', '"instanceType":"m7i.xlarge"', /instance type differs.*m7i\.xlarge/],
      ['"region":"us-east-1"', '"region":"eu-west-1"', /region differs.*eu-west-1/],
    ] as const) {
      const { run, out } = copyOfRun(`other-${to.slice(2, 8)}`);
      const documentPath = join(run, "private", "instance-identity.json");
      const document = readFileSync(documentPath, "utf8");
      expect(document).toContain(from);
      writeFileSync(documentPath, document.replace(from, to));
      await expectRefused(options(run, out), "ContributionRefused", [folderNamed(run), what], out);
      rmSync(run, { recursive: true });
    }
  });

  it("refuses an identity document whose instance launched after the run started", async () => {
    const { run, out } = copyOfRun("launched-late");
    const documentPath = join(run, "private", "instance-identity.json");
    const result = JSON.parse(readFileSync(join(run, "result.json"), "utf8")) as BenchmarkResult;
    const late = new Date(Date.parse(result.startedAt) + 1000).toISOString();
    const document = readFileSync(documentPath, "utf8");
    writeFileSync(documentPath, document.replace(/"pendingTime":"[^"]*"/, `"pendingTime":"${late}"`));
    expect(readFileSync(documentPath, "utf8")).toContain(late);
    await expectRefused(options(run, out), "ContributionRefused", [folderNamed(run), /times are out of order/], out);
  });

  it("refuses a published raw file that still holds a private IP, even with its checksums made to agree", async () => {
    const { run, out } = copyOfRun("private-ip");
    const path = streamRawFile(run);
    forgeRunFile(run, path, `${readFileSync(join(run, path), "utf8")}# ran on 10.0.1.23\n`);
    await expectRefused(
      options(run, out),
      "ContributionRefused",
      [folderNamed(run), new RegExp(`${path} contains a private IPv4 address`)],
      out,
    );
  });

  it("refuses a result.json holding a private IP, even with its checksums made to agree", async () => {
    const { run, out } = copyOfRun("private-ip-in-result");
    forgeResult(run, (result) => {
      result.host.kernel = `${result.host.kernel ?? "6.1.0"} (built on ip-10-0-1-23.ec2.internal)`;
    });
    await expectRefused(
      options(run, out),
      "ContributionRefused",
      [folderNamed(run), /result\.json/, /host\/kernel|host\.kernel/],
      out,
    );
  });

  it("refuses a modified runner or an unpinned source without --modification, and records it with one", async () => {
    const dirty = copyOfRun("git-dirty");
    forgeResult(dirty.run, (result) => {
      result.runner.gitDirty = true;
      result.runner.gitCommit = "0123456789abcdef0123456789abcdef01234567";
    });
    await expectRefused(
      options(dirty.run, dirty.out),
      "ContributionRefused",
      [folderNamed(dirty.run), /modified checkout/, /0123456789abcdef/],
      dirty.out,
    );

    const unpinned = join(temp(), "unpinned");
    cpSync(honestRun, unpinned, { recursive: true });
    forgeResult(unpinned, (result) => {
      const section = result.benchmarks[0] as BenchmarkResult["benchmarks"][number];
      section.build = {
        compiler: "gcc 12.2.0",
        flags: "-O3 -fopenmp",
        target: "x86_64",
        source: { sha256: "ab".repeat(32), checksumOf: "file", verified: "not-pinned" },
      };
    });
    await expectRefused(
      options(unpinned, dirty.out),
      "ContributionRefused",
      [folderNamed(unpinned), /stream was built from a source that matches no pinned release \(abababababab/],
      dirty.out,
    );

    const modification = "stream.c built with -O2 to match our cluster's flags";
    for (const [index, run] of [dirty.run, unpinned].entries()) {
      const outcome = await submitRuns({
        ...options(run, dirty.out, { modification, publicIdentity: true }),
        out: join(dirty.out, `modified-${index}.json`),
      });
      expect([outcome.bundle.runs[0]?.runner.modified, outcome.bundle.runs[0]?.runner.modification]).toEqual([
        true,
        modification,
      ]);
      const text = readFileSync(outcome.pullRequestPath, "utf8");
      expect(text).toContain(`Modification in ${outcome.bundle.runs[0]?.runId}: ${modification}`);
      expect(text).toContain("(modified)");
    }
  });

  it("records an unmodified run as not modified, even when --modification is given", async () => {
    const { run, out } = copyOfRun();
    const outcome = await submitRuns(
      options(run, out, { modification: "nothing really, a test of the flag", publicIdentity: true }),
    );
    expect(outcome.bundle.runs[0]?.runner.modified).toBe(false);
    expect(outcome.bundle.runs[0]?.runner.modification).toBeUndefined();
  });

  it("refuses an existing --out file (or its pull-request text) and leaves it as it was", async () => {
    const { run, out } = copyOfRun();
    writeFileSync(join(out, "contribution.json"), "mine");
    await expectRefused(options(run, out), "InvalidArgument", [/contribution\.json already exists/], out, [
      "contribution.json",
    ]);
    expect(readFileSync(join(out, "contribution.json"), "utf8")).toBe("mine");
    rmSync(join(out, "contribution.json"));
    writeFileSync(join(out, "contribution.pr.md"), "mine too");
    await expectRefused(options(run, out), "InvalidArgument", [/contribution\.pr\.md already exists/], out, [
      "contribution.pr.md",
    ]);
    expect(readFileSync(join(out, "contribution.pr.md"), "utf8")).toBe("mine too");
  });

  it("refuses an --out in a folder that does not exist, before checking the runs", async () => {
    const { run, out } = copyOfRun();
    await expectRefused(
      { ...options(run, out), out: join(out, "missing", "contribution.json") },
      "InvalidArgument",
      [/the folder .*missing does not exist/],
      out,
    );
  });

  it("stops reading once a run's files pass what a bundle may hold", async () => {
    const { run, out } = copyOfRun();
    // Two sparse files each under the per-file bound, together over the bundle's: listed so submit reads them.
    for (const name of ["raw/big-1.bin", "raw/big-2.bin"]) {
      writeFileSync(join(run, name), "");
      truncateSync(join(run, name), 30 * 1024 * 1024);
      writeFileSync(
        join(run, "SHA256SUMS"),
        `${readFileSync(join(run, "SHA256SUMS"), "utf8")}${"0".repeat(64)}  ${name}\n`,
      );
    }
    await expectRefused(options(run, out), "InputTooLarge", [/more than a bundle may hold .* by raw\/big-2\.bin/], out);
  });

  it("refuses a bad --handle", async () => {
    const { run, out } = copyOfRun();
    for (const handle of ["", "-octocat", "octo cat", "octocat\nSigned-off-by: someone else", "a".repeat(40)])
      await expectRefused(options(run, out, { handle }), "InvalidArgument", [/--handle/], out);
  });

  it("refuses the same run twice, also from two copies of its folder", async () => {
    const { run, out } = copyOfRun();
    const copy = join(temp(), "copy");
    cpSync(run, copy, { recursive: true });
    await expectRefused(options([run, copy], out), "InvalidArgument", [/named twice/], out);
  });

  it("checks the runs before it needs a key: the shipped empty ring without --public-identity", async () => {
    const { run, out } = copyOfRun();
    const workstation = join(temp(), "workstation");
    cpSync(run, workstation, { recursive: true });
    rmSync(join(workstation, "private"), { recursive: true });
    await expectRefused(
      options([run, workstation], out, { reviewKeys: undefined }),
      "ContributionRefused",
      [folderNamed(workstation)],
      out,
    );
    await expectRefused(options(run, out, { reviewKeys: undefined }), "ReviewKeyMissing", [/--public-identity/], out);
  });

  it("leaves no temporary file when the second file cannot be written", async () => {
    const { run, out } = copyOfRun();
    // A stale temporary file of the pull-request text makes its exclusive write fail after the bundle's was made.
    const blocker = `contribution.pr.md.${process.pid}.tmp`;
    writeFileSync(join(out, blocker), "");
    const error = await submitRuns(options(run, out, { publicIdentity: true })).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeDefined();
    expect(readdirSync(out)).toEqual([blocker]);
  });
});

describe("submit writes the bundle", () => {
  it("with --public-identity: schema-valid, holding the document and its signatures byte for byte", async () => {
    const { run, out } = copyOfRun();
    const outcome = await submitRuns(options(run, out, { publicIdentity: true }));
    expect(readdirSync(out).sort()).toEqual(["contribution.json", "contribution.pr.md"]);
    const written = JSON.parse(readFileSync(join(out, "contribution.json"), "utf8")) as unknown;
    const check = await checkDocument("contribution-bundle", written);
    expect(check.valid, JSON.stringify(check)).toBe(true);
    expect(written).toEqual(outcome.bundle);
    const entry = outcome.bundle.runs[0];
    if (entry?.identity.visibility !== "public") throw new Error("the identity is not public");
    expect(entry.identity.document).toBe(readFileSync(join(run, "private", "instance-identity.json"), "utf8"));
    expect(entry.identity.rsa2048).toBe(readFileSync(join(run, "private", "instance-identity.rsa2048"), "utf8").trim());
    expect(entry.identity.signature).toBe(
      readFileSync(join(run, "private", "instance-identity.signature"), "utf8").trim(),
    );
    expect(entry.identity.document).toContain(instanceId);
    // Every published file of the run, byte for byte, and nothing of private/.
    const sums = readFileSync(join(run, "SHA256SUMS"), "utf8");
    const listed = sums
      .trim()
      .split("\n")
      .map((line) => line.slice(66));
    expect(entry.files.map((file) => file.path).sort()).toEqual([...listed, "SHA256SUMS"].sort());
    for (const file of entry.files)
      expect(Buffer.from(file.base64, "base64").equals(readFileSync(join(run, file.path))), file.path).toBe(true);
    expect([entry.instanceType, entry.region, entry.evidence, entry.runner.modified]).toEqual([
      "m7i.large",
      "us-east-1",
      "community",
      false,
    ]);
    expect(outcome.bundle.contributor.signOff).toMatch(/Signed-off-by: octocat$/);
    expect(outcome.bundle.contributor.licence).toBe("CC-BY-4.0");
  });

  it("sealed: neither the account id nor the instance id appears in anything written, yet the key opens it", async () => {
    const { run, out } = copyOfRun();
    const outcome = await submitRuns(options(run, out));
    const entry = outcome.bundle.runs[0];
    if (entry?.identity.visibility !== "sealed") throw new Error("the identity is not sealed");
    const texts = [
      readFileSync(join(out, "contribution.json"), "utf8"),
      readFileSync(join(out, "contribution.pr.md"), "utf8"),
      ...entry.files.map((file) => Buffer.from(file.base64, "base64").toString("latin1")),
    ];
    for (const text of texts) {
      expect(text).not.toContain(instanceId);
      expect(text).not.toContain(accountId);
    }
    expect(texts[1]).toMatch(/stays public/);
    const opened = JSON.parse(openSealedWithAny(entry.identity.sealed, [key.privateKeyPem]).toString("utf8")) as {
      document: string;
    };
    expect(opened.document).toBe(readFileSync(join(run, "private", "instance-identity.json"), "utf8"));
  });
});

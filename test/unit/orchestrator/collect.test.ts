/**
 * `collectRun` publishes into data/raw only a run that is whole and is the one the batch planned: SHA256SUMS covers
 * exactly result.json and the raw files, the host matches the planned instance, no file (binary ones included)
 * holds a private detail or a credential, every path is in normal form, sizes are within the caps; a refused run
 * leaves nothing behind. Runs are built as the runner and user-data upload them (test/helpers/results.ts) and
 * then damaged in one way each.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { sha256Hex } from "../../../src/checksums.js";
import { BenchError } from "../../../src/errors.js";
import type { ResultsBucket } from "../../../src/orchestrator/aws-access.js";
import {
  collectLimits,
  collectRun,
  plannedRun,
  rawRunDirectory,
  type CollectedRun,
  type PlannedRun,
} from "../../../src/orchestrator/collect.js";
import type { BatchRecord } from "../../../src/schemas/generated/batch-record.js";
import {
  ec2Run,
  resultBytes,
  runKeyPrefix,
  sha256Sums,
  streamRawFiles,
  streamTrialPath,
  uploadedRun,
  type RunFiles,
} from "../../helpers/results.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const tempDir = useTempDir();
const batchId = "20261128t120000z-ab12cd";
const instanceType = "c7g.large";
const prefix = `batches/${batchId}/${instanceType}/0`;
const runId = `20261128t1201-${instanceType}-0`;
const runDir = runKeyPrefix(prefix, runId);
const MiB = 1024 * 1024;

/**
 * The parts of a batch record `plannedRun` reads: region, the pinned zone, the benchmarks asked for and the
 * launched image's digest (absent here: recorded by launches that read it back).
 */
const record = {
  batchId,
  region: "us-east-1",
  instances: [{ instanceType, repeat: 0 }],
  spec: {
    instanceTypes: [instanceType],
    resultsBucket: "results-bucket",
    benchmarks: ["stream"],
    zones: { instances: { [`${instanceType}/0`]: "use1-az4" }, network: ["use1-az4", "use1-az6"] },
  },
} as unknown as BatchRecord;
let planned: PlannedRun;
beforeAll(async () => {
  planned = await plannedRun(record, { instanceType, repeat: 0 });
});

/** A c7g.large run as the instance uploads it; `raw` replaces its raw files, `edit` changes its result. */
function run(options: { raw?: Map<string, Buffer>; edit?: (result: RunFiles["result"]) => void } = {}): RunFiles {
  const files = ec2Run({
    runId,
    instanceType,
    architecture: "arm64",
    region: "us-east-1",
    availabilityZoneId: "use1-az4",
    ...(options.raw ? { raw: options.raw } : {}),
  });
  options.edit?.(files.result);
  return files;
}

/** The results bucket in memory, recording every key read. */
function memoryBucket(objects: Map<string, Buffer>): ResultsBucket & { reads: string[] } {
  const reads: string[] = [];
  return {
    bucket: "results-bucket",
    reads,
    get: (key) => {
      reads.push(key);
      return Promise.resolve(objects.get(key));
    },
    list: (keyPrefix) => Promise.resolve([...objects.keys()].filter((key) => key.startsWith(keyPrefix)).sort()),
  };
}

async function collect(objects: Map<string, Buffer>, plan: PlannedRun = planned) {
  const rawRoot = join(tempDir(), "data", "raw");
  const target = rawRunDirectory(rawRoot, batchId, instanceType, 0);
  const bucket = memoryBucket(objects);
  let collected: CollectedRun | undefined;
  let error: unknown;
  try {
    collected = await collectRun(bucket, prefix, target, plan);
  } catch (caught) {
    error = caught;
  }
  return { collected, error, rawRoot, target, reads: bucket.reads };
}

/** Collects, expecting a refusal with `code` and a message matching `message`; nothing may be left in data/raw. */
async function refused(objects: Map<string, Buffer>, code: string, message: RegExp, plan?: PlannedRun) {
  const outcome = await collect(objects, plan);
  expect(outcome.collected?.files, "the run was published").toBeUndefined();
  expect(outcome.error).toBeInstanceOf(BenchError);
  expect((outcome.error as BenchError).message).toMatch(message);
  expect((outcome.error as BenchError).code).toBe(code);
  expect((outcome.error as BenchError).fix).toBeTruthy();
  expect(existsSync(outcome.rawRoot), "something was left in data/raw").toBe(false);
  return outcome;
}

const accessKeyId = "AKIAIOSFODNN7EXAMPLE";
const secretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

describe("a run as the runner uploads it", () => {
  it("is collected whole: result.json, every raw file and SHA256SUMS, byte for byte; private/ is never read", async () => {
    const files = run();
    const objects = uploadedRun(prefix, files);
    const { collected, error, target, reads } = await collect(objects);
    expect(error).toBeUndefined();
    expect(collected?.files).toEqual(["SHA256SUMS", "build/stream.log", streamTrialPath, "result.json"]);
    for (const name of collected?.files ?? [])
      expect(readFileSync(join(target, name)).equals(objects.get(`${runDir}/${name}`) as Buffer)).toBe(true);
    expect(collected?.result.benchmarks[0]?.headline.statistics?.median).toBe(30022.8);
    expect(reads.some((key) => key.includes("/private/"))).toBe(false);
    expect(readdirSync(join(target, ".."))).toEqual([`${batchId}-0`]);
  });

  it("keeps its compiled benchmark program: binary files are scanned, not refused", async () => {
    // build/ holds the compiled STREAM program; its bytes are published with the run.
    const program = Buffer.concat([
      Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
      Buffer.from("GCC: (Debian 12.2.0-14) 12.2.0\0stream.c\0main\0"),
      Buffer.alloc(256, 0x90),
    ]);
    const raw = streamRawFiles().set("build/stream", program);
    const { collected, error } = await collect(uploadedRun(prefix, run({ raw })));
    expect(error).toBeUndefined();
    expect(collected?.files).toContain("build/stream");
  });

  it("collected twice: the second finds the identical run already there", async () => {
    const objects = uploadedRun(prefix, run());
    const rawRoot = join(tempDir(), "data", "raw");
    const target = rawRunDirectory(rawRoot, batchId, instanceType, 0);
    expect((await collectRun(memoryBucket(objects), prefix, target, planned)).alreadyPresent).toBe(false);
    expect((await collectRun(memoryBucket(objects), prefix, target, planned)).alreadyPresent).toBe(true);
  });

  it("is planned from the batch record and the catalogue: region, pinned zone, benchmarks, the type's architecture", () => {
    expect(planned).toEqual({
      instanceType: "c7g.large",
      region: "us-east-1",
      architectures: ["arm64"],
      availabilityZoneId: "use1-az4",
      benchmarks: ["stream"],
    });
  });
});

describe("SHA256SUMS must cover exactly the run", () => {
  it("refuses a run without SHA256SUMS (an edited headline would otherwise be published)", async () => {
    // The reviewer's case: result.json edited after the run (20.9 GB/s → 209 GB/s), SHA256SUMS removed.
    const files = run({
      edit: (result) => {
        const headline = result.benchmarks[0]?.headline.statistics;
        if (headline) headline.median = 300228;
      },
    });
    const { reads } = await refused(
      uploadedRun(prefix, files, { sums: null }),
      "ChecksumMismatch",
      /SHA256SUMS is missing: a run is published only when SHA256SUMS covers every file/,
    );
    expect(reads).toEqual([]);
  });

  it("refuses SHA256SUMS with an entry for a file the result does not list", async () => {
    const files = run();
    const scratch = Buffer.from("left over in work/\n");
    const objects = uploadedRun(prefix, files, {
      sums: sha256Sums([
        ...files.result.rawFiles.map((f) => [f.path, f.sha256] as const),
        ["work/scratch.txt", sha256Hex(scratch)],
        ["result.json", sha256Hex(resultBytes(files.result))],
      ]),
    });
    objects.set(`${runDir}/work/scratch.txt`, scratch);
    await refused(
      objects,
      "ChecksumMismatch",
      /does not cover exactly the run: it lists work\/scratch\.txt, which the result does not/,
    );
  });

  it("refuses SHA256SUMS that lists a file twice", async () => {
    const files = run();
    const resultSum = sha256Hex(resultBytes(files.result));
    await refused(
      uploadedRun(prefix, files, {
        sums: sha256Sums([
          ...files.result.rawFiles.map((f) => [f.path, f.sha256] as const),
          ["result.json", resultSum],
          ["result.json", resultSum],
        ]),
      }),
      "ChecksumMismatch",
      /SHA256SUMS lists result\.json twice/,
    );
  });

  it.each([
    ["a raw file", "build/stream.log"],
    ["result.json", "result.json"],
  ])("refuses SHA256SUMS that leaves out %s", async (_what, left) => {
    const files = run();
    const entries = [
      ...files.result.rawFiles.map((f) => [f.path, f.sha256] as const),
      ["result.json", sha256Hex(resultBytes(files.result))] as const,
    ].filter(([path]) => path !== left);
    await refused(
      uploadedRun(prefix, files, { sums: sha256Sums(entries) }),
      "ChecksumMismatch",
      new RegExp(`does not cover exactly the run: it does not list ${left.replace(".", "\\.")}`),
    );
  });

  it("refuses a run whose raw files are missing from the bucket, naming each, before downloading any", async () => {
    const raw = streamRawFiles().set("raw/stream/all-cores-spread/trial-2.txt", Buffer.from("Triad: 30011.2\n"));
    const objects = uploadedRun(prefix, run({ raw }));
    objects.delete(`${runDir}/${streamTrialPath}`);
    objects.delete(`${runDir}/raw/stream/all-cores-spread/trial-2.txt`);
    const { reads } = await refused(
      objects,
      "ChecksumMismatch",
      /missing from the bucket: raw\/stream\/all-cores-spread\/trial-1\.txt, raw\/stream\/all-cores-spread\/trial-2\.txt/,
    );
    expect(reads).toEqual([`${runDir}/result.json`]);
  });
});

describe("the result must be the planned instance's", () => {
  it("refuses another instance type", async () => {
    const files = run({ edit: (result) => void (result.host.instanceType = "c7g.xlarge") });
    await refused(
      uploadedRun(prefix, files),
      "InputMalformed",
      /is not the planned c7g\.large in us-east-1: host\.instanceType is c7g\.xlarge, the batch launched c7g\.large/,
    );
  });

  it("refuses a result without host.instanceType (a run outside EC2, e.g. an x86 workstation)", async () => {
    const files = run({
      edit: (result) => {
        delete result.host.instanceType;
        delete result.host.region;
        delete result.host.availabilityZoneId;
      },
    });
    await refused(
      uploadedRun(prefix, files),
      "InputMalformed",
      /it records no host\.instanceType.*it records no host\.region/,
    );
  });

  it("refuses another region", async () => {
    const files = run({ edit: (result) => void (result.host.region = "us-west-2") });
    await refused(
      uploadedRun(prefix, files),
      "InputMalformed",
      /host\.region is us-west-2, the batch runs in us-east-1/,
    );
  });

  it("refuses an architecture the type does not have", async () => {
    const files = run({ edit: (result) => void (result.host.architecture = "x86_64") });
    await refused(uploadedRun(prefix, files), "InputMalformed", /host\.architecture is x86_64, c7g\.large is arm64/);
  });

  it("refuses another zone than the one the batch pinned", async () => {
    const files = run({ edit: (result) => void (result.host.availabilityZoneId = "use1-az6") });
    await refused(
      uploadedRun(prefix, files),
      "InputMalformed",
      /host\.availabilityZoneId is use1-az6, the batch pinned use1-az4/,
    );
  });

  it("refuses a result that names no image (a run outside the batch's image)", async () => {
    const files = run({ edit: (result) => void delete result.container });
    await refused(uploadedRun(prefix, files), "InputMalformed", /it records no container\.imageDigest/);
  });

  it("refuses a result from another image than the one the batch launched, and takes the launched one", async () => {
    const launched = `sha256:${"c".repeat(64)}`;
    const other = run({ edit: (result) => void (result.container = { imageDigest: `sha256:${"d".repeat(64)}` }) });
    await refused(
      uploadedRun(prefix, other),
      "InputMalformed",
      new RegExp(`container\\.imageDigest is sha256:d{64}, the batch launched ${launched}`),
      { ...planned, imageDigest: launched },
    );
    const same = run({ edit: (result) => void (result.container = { imageDigest: launched }) });
    const { collected } = await collect(uploadedRun(prefix, same), { ...planned, imageDigest: launched });
    expect(collected?.result.container?.imageDigest).toBe(launched);
  });

  it("plans the digest the batch record holds for the instance", async () => {
    const launched = `sha256:${"e".repeat(64)}`;
    const withDigest = {
      ...record,
      instances: [{ instanceType, repeat: 0, imageDigest: launched }],
    } as unknown as BatchRecord;
    expect((await plannedRun(withDigest, { instanceType, repeat: 0 })).imageDigest).toBe(launched);
    expect((await plannedRun(withDigest, { instanceType, repeat: 1 })).imageDigest).toBeUndefined();
  });

  it("refuses a benchmark the batch did not ask for", async () => {
    await refused(uploadedRun(prefix, run()), "InputMalformed", /it ran stream, which the batch did not ask for/, {
      ...planned,
      benchmarks: ["coremark"],
    });
  });
});

describe("paths are compared in normal form", () => {
  it.each([
    "../x.txt",
    "raw/../../../m7i.large/0/x.txt",
    "/etc/passwd",
    "raw\\..\\..\\x.txt",
    "raw//trial.txt",
    "raw/./trial.txt",
  ])("refuses the raw file path %j", async (path) => {
    const raw = streamRawFiles().set(path, Buffer.from("Triad: 30022.8\n"));
    await refused(uploadedRun(prefix, run({ raw })), "SchemaViolation", /\/rawFiles\/2\/path: must match pattern/);
  });

  it("refuses ./private/… as a raw file: the identity document's signature stays in the bucket", async () => {
    // A tampered upload puts the signed identity document (base64, nothing a pattern would catch) where
    // `./private/…` points, and lists it as a raw file.
    const signature = Buffer.from(`MIAGCSqGSIb3DQEHAqCAMIACAQExCzAJBgUrDgMCGgUAMIAGCSqGSIb3DQEHAaCAJIAEggHbewog\n`);
    const raw = streamRawFiles().set("./private/instance-identity.pkcs7", signature);
    const { reads } = await refused(uploadedRun(prefix, run({ raw })), "SchemaViolation", /\/rawFiles\/2\/path/);
    expect(reads.some((key) => key.includes("private/"))).toBe(false);
  });

  it("refuses SHA256SUMS entries that are not in normal form", async () => {
    const files = run();
    await refused(
      uploadedRun(prefix, files, {
        sums: sha256Sums([
          ...files.result.rawFiles.map((f) => [f.path, f.sha256] as const),
          ["./result.json", sha256Hex(resultBytes(files.result))],
        ]),
      }),
      "InputMalformed",
      /SHA256SUMS line 3: '\.\/result\.json' is not a path inside the run in normal form/,
    );
  });
});

describe("nothing private is published", () => {
  it.each([
    [
      "an access key id after a NUL byte",
      Buffer.concat([Buffer.from("\x7fELF\x02\x01\x01\0\0\0"), Buffer.from(`key=${accessKeyId}\0`)]),
    ],
    [
      "a private host name in UTF-16",
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("rank 0 on ip-10-0-1-23\n", "utf16le")]),
    ],
  ])("refuses a binary raw file holding %s", async (_what, bytes) => {
    const raw = streamRawFiles().set("build/stream", bytes);
    await refused(uploadedRun(prefix, run({ raw })), "PrivateDetail", /Raw file build\/stream of .* still contains/);
  });

  it.each([
    ["an access key id", `Credentials: ${accessKeyId}\n`, /an AWS access key id/],
    ["a secret key assignment", `aws_secret_access_key = ${secretKey}\n`, /an AWS secret access key/],
    [
      "a secret key in JSON",
      `{"AccessKeyId": "ASIAIOSFODNN7EXAMPLE", "SecretAccessKey": "${secretKey}"}\n`,
      /an AWS secret access key/,
    ],
    ["a session token", `export AWS_SESSION_TOKEN=${"IQoJb3JpZ2luX2VjE".repeat(8)}\n`, /an AWS session token/],
  ])("refuses raw text holding %s", async (_what, text, found) => {
    const raw = streamRawFiles();
    raw.set(streamTrialPath, Buffer.concat([raw.get(streamTrialPath) as Buffer, Buffer.from(text)]));
    const { error } = await refused(
      uploadedRun(prefix, run({ raw })),
      "PrivateDetail",
      /Raw file raw\/stream\/all-cores-spread\/trial-1\.txt of .* still contains a host name, private IP or instance id, or an AWS credential/,
    );
    expect((error as Error).message).toMatch(found);
  });

  it.each([
    [
      "an access key id in a string",
      (r: RunFiles["result"]) => void (r.toolchain = { compilerFlags: `-O3 # ${accessKeyId}` }),
    ],
    [
      "a secret key as a parameter",
      (r: RunFiles["result"]) =>
        void ((r.benchmarks[0] as { parameters: Record<string, unknown> }).parameters["SecretAccessKey"] = secretKey),
    ],
  ])("refuses result.json holding %s", async (_what, edit) => {
    await refused(
      uploadedRun(prefix, run({ edit })),
      "SchemaViolation",
      /contains an AWS (access key id|secret access key)/,
    );
  });
});

describe("sizes are capped", () => {
  const big = Buffer.alloc(collectLimits.fileBytes + 1, "7");

  it("refuses a file over the per-file cap from the result's listing, before downloading it", async () => {
    const raw = streamRawFiles().set("raw/stream/all-cores-spread/trial-2.txt", big);
    const { reads } = await refused(
      uploadedRun(prefix, run({ raw })),
      "InputMalformed",
      new RegExp(
        `trial-2\\.txt is ${big.length} bytes \\(listed\\), over the limit of ${collectLimits.fileBytes} bytes per file`,
      ),
    );
    expect(reads).toEqual([`${runDir}/result.json`]);
  });

  it("refuses a file over the per-file cap on the bytes received when the listing understates it", async () => {
    const raw = streamRawFiles().set("raw/stream/all-cores-spread/trial-2.txt", big);
    const files = run({
      raw,
      edit: (result) => {
        const entry = result.rawFiles.find((f) => f.path.endsWith("trial-2.txt"));
        if (entry) entry.bytes = 1024;
      },
    });
    await refused(
      uploadedRun(prefix, files),
      "InputMalformed",
      new RegExp(
        `trial-2\\.txt is ${big.length} bytes \\(received\\), over the limit of ${collectLimits.fileBytes} bytes per file`,
      ),
    );
  });

  it("refuses a run over the per-run cap from the listing, naming the file that crosses it", async () => {
    const part = Buffer.alloc(30 * MiB, "7");
    const raw = streamRawFiles();
    for (let i = 1; i <= 5; i++) raw.set(`raw/stream/all-cores-spread/part-${i}.txt`, part);
    const { reads } = await refused(
      uploadedRun(prefix, run({ raw })),
      "InputMalformed",
      new RegExp(
        `part-5\\.txt takes the run to \\d+ bytes \\(listed\\), over the limit of ${collectLimits.runBytes} bytes per run`,
      ),
    );
    expect(reads).toEqual([`${runDir}/result.json`]);
  });
});

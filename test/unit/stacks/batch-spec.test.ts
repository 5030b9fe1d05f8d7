/**
 * The batch specification's one encoder and one decoder: what the orchestrator stores is what the program reads,
 * a hand-written spec gets its defaults, bad values fail once with the field named, and a version-1 record's flat
 * config becomes the same spec.
 */
import { describe, expect, it } from "vitest";
import {
  batchSpecConfigKey,
  decodeBatchSpec,
  encodeBatchSpec,
  resolveBatchSpec,
  specFromVersion1Config,
  type BatchSpec,
} from "../../../stacks/batch-spec.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadRecord, upgradeRecord } from "../../../src/orchestrator/batch-record.js";
import { fileBatchStore } from "../../../src/orchestrator/batch-store.js";
import { assertDocument } from "../../../src/schemas/documents.js";

const known = ["stream", "hpl", "coremark"];

const planned: BatchSpec = {
  batchId: "20261128t120000z-ab12cd",
  instanceTypes: ["m7i.large", "c7g.large"],
  benchmarks: ["stream"],
  repeat: 2,
  resultsBucket: "team-results",
  quick: true,
  spot: false,
  expiresAt: "2026-11-28T15:38:00Z",
  createdBy: "me@host",
  backend: "s3://state/prefix",
  zones: {
    instances: {
      "m7i.large/0": "use1-az4",
      "m7i.large/1": "use1-az6",
      "c7g.large/0": "use1-az6",
      "c7g.large/1": "use1-az6",
    },
    network: ["use1-az4", "use1-az6"],
  },
  imageCache: { repository: "aws-bench-cache", url: "123456789012.dkr.ecr.us-east-1.amazonaws.com/aws-bench-cache" },
  tags: { project: "hpc" },
};

describe("encodeBatchSpec / decodeBatchSpec", () => {
  it("round-trips: the program reads exactly the spec the orchestrator stored, in one config key besides the region", async () => {
    const config = encodeBatchSpec("us-east-1", planned);
    expect(Object.keys(config).sort()).toEqual([batchSpecConfigKey, "aws:region"].sort());
    expect(await decodeBatchSpec(config[batchSpecConfigKey], known)).toEqual(planned);
    // Structured config (a YAML mapping in Pulumi.<stack>.yaml) arrives as an object.
    expect(await decodeBatchSpec(planned, known)).toEqual(planned);
  });

  it("fills in a hand-written spec's defaults", async () => {
    const spec = resolveBatchSpec(
      await decodeBatchSpec({ instanceTypes: ["m7i.large"], resultsBucket: "team-results" }, known),
      known,
      new Date("2026-12-06T01:02:03Z"),
    );
    expect(spec).toMatchObject({
      benchmarks: known,
      repeat: 1,
      quick: false,
      spot: false,
      ssm: false,
      tags: {},
      createdBy: "pulumi",
      backend: "unknown",
    });
    expect(spec.batchId).toMatch(/^20261206t010203z-[0-9a-f]{6}$/);
  });

  it.each([
    [undefined, /is not set/],
    ["{not json", /is not JSON/],
    [{ resultsBucket: "team-results" }, /must have required property 'instanceTypes'/],
    [{ instanceTypes: ["M7i large"], resultsBucket: "team-results" }, /\/instanceTypes\/0: must match pattern/],
    [{ instanceTypes: ["m7i.large"], resultsBucket: "Team_Results" }, /\/resultsBucket: must match pattern/],
    [{ instanceTypes: ["m7i.large"], resultsBucket: "team-results", repeat: 0 }, /\/repeat: must be >= 1/],
    [{ instanceTypes: ["m7i.large"], resultsBucket: "team-results", colour: "red" }, /colour/],
    [
      { instanceTypes: ["m7i.large"], resultsBucket: "team-results", benchmarks: ["linpack"] },
      /unknown benchmarks linpack/,
    ],
    [{ instanceTypes: ["m7i.large"], resultsBucket: "team-results", tags: { "aws:x": "y" } }, /reserved by AWS/],
    [
      {
        instanceTypes: ["m7i.large"],
        resultsBucket: "team-results",
        repeat: 2,
        zones: { instances: { "m7i.large/0": "use1-az4" }, network: ["use1-az4"] },
      },
      /no zone for m7i\.large\/1/,
    ],
    [
      {
        instanceTypes: ["m7i.large"],
        resultsBucket: "team-results",
        network: { subnetId: "subnet-0123456789abcdef0", vpcId: "vpc-x" },
      },
      /\/network\/vpcId: must match pattern/,
    ],
    [
      { ...planned, imageCache: { repository: "aws-bench-cache", url: "123456789012.registry.attacker.example/x" } },
      /\/imageCache\/url: must match pattern/,
    ],
    [{ ...planned, imageCache: { repository: "aws-bench-cache", arn: "*" } }, /\/imageCache\/arn: must match pattern/],
    [
      { ...planned, images: { "intel-icelake": "registry.example/x:1\nrm -rf /" } },
      /\/images\/intel-icelake: must match pattern/,
    ],
  ])("refuses %j naming what is wrong", async (value, message) => {
    await expect(decodeBatchSpec(value, known)).rejects.toThrow(message);
    await expect(decodeBatchSpec(value, known)).rejects.toMatchObject({ name: "BenchError" });
  });
});

describe("version-1 records", () => {
  const config = {
    "aws:region": "us-east-1",
    "aws-instance-benchmarks:batchId": "20261128t120000z-ab12cd",
    "aws-instance-benchmarks:instanceTypes": "m7i.large,c7g.large",
    "aws-instance-benchmarks:benchmarks": "stream",
    "aws-instance-benchmarks:repeat": "2",
    "aws-instance-benchmarks:resultsBucket": "team-results",
    "aws-instance-benchmarks:spot": "false",
    "aws-instance-benchmarks:quick": "true",
    "aws-instance-benchmarks:expiresInMinutes": "218",
    "aws-instance-benchmarks:expiresAt": "2026-11-28T15:38:00Z",
    "aws-instance-benchmarks:createdBy": "me@host",
    "aws-instance-benchmarks:backend": "s3://state/prefix",
    "aws-instance-benchmarks:imageCacheRepository": "aws-bench-cache",
    "aws-instance-benchmarks:imageCacheUrl": "123456789012.dkr.ecr.us-east-1.amazonaws.com/aws-bench-cache",
    "aws-instance-benchmarks:zonePlan": JSON.stringify(planned.zones?.instances),
    "aws-instance-benchmarks:networkZoneIds": '["use1-az4","use1-az6"]',
    "aws-instance-benchmarks:zoneOfferings": '{"m7i.large":["use1-az4","use1-az6"],"c7g.large":["use1-az6"]}',
    "aws-instance-benchmarks:zoneRetried": '["c7g.large/0"]',
    "aws-instance-benchmarks:tags": '{"project":"hpc"}',
  };

  it("read as the same spec the current version would have written, with their zone-retry state", () => {
    const { region, spec, zoneRetry } = specFromVersion1Config(config);
    expect(region).toBe("us-east-1");
    expect(spec).toEqual(planned);
    expect(zoneRetry).toEqual({
      offerings: { "m7i.large": ["use1-az4", "use1-az6"], "c7g.large": ["use1-az6"] },
      retried: ["c7g.large/0"],
    });
  });

  it("whole records are upgraded to version 2 and pass its schema", async () => {
    const v1 = {
      schemaVersion: 1,
      batchId: "20261128t120000z-ab12cd",
      stackName: "batch-20261128t120000z-ab12cd",
      region: "us-east-1",
      backend: "s3://state/prefix",
      createdAt: "2026-11-28T12:00:00Z",
      createdBy: "me@host",
      expiresAt: "2026-11-28T15:38:00Z",
      request: {
        instanceTypes: ["m7i.large", "c7g.large"],
        benchmarks: ["stream"],
        repeat: 2,
        spot: false,
        quick: true,
        resultsBucket: "team-results",
      },
      config,
      instances: [],
    };
    const upgraded = await assertDocument("batch-record", upgradeRecord(v1), "upgraded");
    expect(upgraded.schemaVersion).toBe(2);
    expect(upgraded.spec).toEqual(planned);
    expect(upgraded.zoneRetry?.retried).toEqual(["c7g.large/0"]);
    // Anything else is left alone (and then judged by the schema).
    expect(upgradeRecord({ schemaVersion: 2, x: 1 })).toEqual({ schemaVersion: 2, x: 1 });
  });

  it("carry an existing subnet, SSH, prebuilt images and an instance cap; one saved before its first launch has no expiry yet", () => {
    const v1 = {
      "aws:region": "us-east-1",
      "aws-instance-benchmarks:batchId": "20261128t120000z-ab12cd",
      "aws-instance-benchmarks:instanceTypes": "m7i.large",
      "aws-instance-benchmarks:resultsBucket": "team-results",
      "aws-instance-benchmarks:repeat": "1",
      "aws-instance-benchmarks:maxMinutes": "90",
      "aws-instance-benchmarks:expiresInMinutes": "218",
      "aws-instance-benchmarks:subnetId": "subnet-0123456789abcdef0",
      "aws-instance-benchmarks:vpcId": "vpc-0aaa1111bbbb22220",
      "aws-instance-benchmarks:securityGroupId": "sg-0123456789abcdef0",
      "aws-instance-benchmarks:keyName": "me",
      "aws-instance-benchmarks:sshCidr": "203.0.113.0/24",
      "aws-instance-benchmarks:images":
        '{"intel-sapphirerapids":"registry.example/aws-bench:intel-sapphirerapids-distro-0123456789ab"}',
    };
    const { spec, zoneRetry } = specFromVersion1Config(v1);
    expect(spec).toEqual({
      instanceTypes: ["m7i.large"],
      resultsBucket: "team-results",
      batchId: "20261128t120000z-ab12cd",
      repeat: 1,
      maxMinutes: 90,
      network: {
        subnetId: "subnet-0123456789abcdef0",
        vpcId: "vpc-0aaa1111bbbb22220",
        securityGroupId: "sg-0123456789abcdef0",
      },
      ssh: { keyName: "me", cidr: "203.0.113.0/24" },
      images: { "intel-sapphirerapids": "registry.example/aws-bench:intel-sapphirerapids-distro-0123456789ab" },
    });
    // Before its first launch a v1 batch had only a relative expiry: the launch sets the real one.
    expect(spec.expiresAt).toBeUndefined();
    expect(zoneRetry).toBeUndefined();
  });

  it("a version-1 config without its essentials is refused, not guessed", () => {
    expect(() => specFromVersion1Config({ "aws:region": "us-east-1" })).toThrow(/lacks its region, instance types/);
  });
});

describe("records read from a backend", () => {
  it("are refused when they contradict their own batch id", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aws-bench-record-"));
    try {
      const store = fileBatchStore(join(dir, "state"), `file://${dir}/state`);
      const record = {
        schemaVersion: 2,
        batchId: "20261128t120000z-ab12cd",
        stackName: "batch-20261128t120000z-ab12cd",
        region: "us-east-1",
        backend: `file://${dir}/state`,
        createdAt: "2026-11-28T12:00:00Z",
        createdBy: "me@host",
        expiresAt: "2026-11-28T15:38:00Z",
        request: {
          instanceTypes: ["m7i.large"],
          benchmarks: ["stream"],
          repeat: 1,
          spot: false,
          quick: true,
          resultsBucket: "team-results",
        },
        spec: { ...planned, instanceTypes: ["m7i.large"], repeat: 1, zones: undefined },
        instances: [
          {
            instanceType: "m7i.large",
            repeat: 0,
            resultsPrefix: "batches/20261128t120000z-ab12cd/m7i.large/0",
            expectedMinutes: 20,
            maximumMinutes: 30,
          },
        ],
      };
      await store.write(record.batchId, "batch.json", JSON.stringify(record));
      expect((await loadRecord(store, record.batchId)).batchId).toBe(record.batchId);
      await store.write(
        record.batchId,
        "batch.json",
        JSON.stringify({ ...record, spec: { ...record.spec, batchId: "20261128t120000z-ffffff" } }),
      );
      await expect(loadRecord(store, record.batchId)).rejects.toThrow(
        /contradicts itself: spec\.batchId 20261128t120000z-ffffff/,
      );
      const moved = { ...record.instances[0], resultsPrefix: "batches/20261128t120000z-ffffff/m7i.large/0" };
      await store.write(record.batchId, "batch.json", JSON.stringify({ ...record, instances: [moved] }));
      await expect(loadRecord(store, record.batchId)).rejects.toThrow(/resultsPrefix .* is not the batch's/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

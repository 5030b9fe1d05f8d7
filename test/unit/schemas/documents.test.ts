import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  assertDocument,
  checkDocument,
  documentKinds,
  readDocument,
  stableJson,
  stableJsonItem,
  stableJsonWithItems,
  writeDocuments,
} from "../../../src/schemas/documents.js";
import type { BenchmarkResult } from "../../../src/schemas/generated/benchmark-result.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const root = join(import.meta.dirname, "..", "..", "..");
const tempDir = useTempDir();

describe("schemas", () => {
  it("each has a 2020-12 $schema, a versioned $id and a title, and a TypeScript type generated from it", () => {
    const files = readdirSync(join(root, "schemas")).filter((f) => f.endsWith(".schema.json"));
    expect(files.map((f) => f.replace(".schema.json", "")).sort()).toEqual([...documentKinds].sort());
    for (const file of files) {
      const schema = JSON.parse(readFileSync(join(root, "schemas", file), "utf8")) as Record<string, string>;
      expect(schema["$schema"], file).toBe("https://json-schema.org/draft/2020-12/schema");
      expect(schema["$id"], file).toMatch(/\/v\d+\.json$/);
      expect(existsSync(join(root, "src", "schemas", "generated", file.replace(".schema.json", ".ts"))), file).toBe(
        true,
      );
    }
  });

  it("generated types are up to date with the schemas", () => {
    expect(() =>
      execFileSync(process.execPath, [join(root, "scripts", "generate-schema-types.mjs"), "--check"], {
        stdio: "pipe",
      }),
    ).not.toThrow();
  });

  it("accept the shipped data files", async () => {
    await readDocument("families", join(root, "configs", "families.json"));
    await readDocument("architecture-mappings", join(root, "configs", "architecture-mappings.json"));
    await readDocument("container-tags", join(root, "configs", "container-tags.json"));
    const catalog = await readDocument("instance-catalog", join(root, "data", "catalog", "instance-types.json"));
    expect(catalog.source.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(catalog.instanceTypes.length).toBeGreaterThan(1000);
  });
});

const result: BenchmarkResult = {
  schemaVersion: 1,
  runId: "2026-11-28T17-00-00Z-abc123",
  startedAt: "2026-11-28T17:00:00Z",
  finishedAt: "2026-11-28T17:05:00Z",
  runner: { version: "0.1.0", gitCommit: "c53c792", gitDirty: false },
  host: {
    architecture: "x86_64",
    cpuModel: "AMD EPYC 7R13",
    logicalCpus: 2,
    memoryMiB: 8192,
    kernel: "6.1.0",
    instanceType: "m6a.large",
  },
  benchmarks: [
    {
      benchmark: "stream",
      implementation: "stream.c-openmp",
      parameters: { arraySize: 10_000_000, ntimes: 10 },
      configurations: [
        {
          id: "all-cores-spread",
          description: "all cores, one thread per core, spread and bound",
          trials: [
            {
              index: 0,
              valid: true,
              metrics: { triad: { value: 12345.6, unit: "MB/s" } },
              rawFile: "stream/trial-0.txt",
            },
          ],
          statistics: { triad: { n: 1, median: 12345.6, mean: 12345.6, min: 12345.6, max: 12345.6, unit: "MB/s" } },
        },
      ],
      headline: { configuration: "all-cores-spread", metric: "triad" },
      validity: { valid: true },
    },
  ],
  rawFiles: [{ path: "stream/trial-0.txt", sha256: "a".repeat(64), bytes: 1234 }],
};

describe("document validation", () => {
  it("refuses a document nested deeper than any of ours, naming where, instead of overflowing the stack", async () => {
    let deep: unknown = 1;
    for (let level = 0; level < 20_000; level++) deep = [deep];
    const result = await checkDocument("benchmark-result", { schemaVersion: 1, x: deep });
    expect(result).toEqual({ valid: false, errors: [expect.stringMatching(/^\/x(\/0)+: nested more than 64 levels deep$/)] });
  });

  it("accepts a well-formed benchmark result", async () => {
    expect(await checkDocument("benchmark-result", result)).toEqual({ valid: true });
  });

  it("accepts raw file paths only in normal form inside the run", async () => {
    const withPath = (path: string) => ({ ...result, rawFiles: [{ path, sha256: "a".repeat(64), bytes: 1 }] });
    for (const path of ["raw/stream/trial-1.txt", "build/stream", "inputs/HPL.dat"])
      expect(await checkDocument("benchmark-result", withPath(path))).toEqual({ valid: true });
    for (const path of ["../x", "raw/../../x", "/etc/passwd", "./private/a.json", "raw//x", "raw/./x", "raw\\x", "raw/x/", ""]) {
      const check = await checkDocument("benchmark-result", withPath(path));
      expect(check.valid, path).toBe(false);
      if (!check.valid) expect(check.errors[0]).toMatch(/^\/rawFiles\/0\/path: must match pattern/);
    }
  });

  it("refuses AWS credentials in a result, also split into a key and its value", async () => {
    const check = await checkDocument("benchmark-result", {
      ...result,
      toolchain: { compilerFlags: "-O3 AKIAIOSFODNN7EXAMPLE", libraries: { SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" } },
    });
    expect(check).toEqual({
      valid: false,
      errors: [
        "/toolchain/compilerFlags: contains an AWS access key id",
        "/toolchain/libraries/SecretAccessKey: contains an AWS secret access key",
      ],
    });
  });

  it("names the JSON path of every error", async () => {
    const bad = structuredClone(result) as unknown as {
      host: Record<string, unknown>;
      rawFiles: Array<Record<string, unknown>>;
      benchmarks: Array<Record<string, unknown>>;
    };
    bad.host["accountId"] = "123456789012";
    bad.rawFiles[0]!["sha256"] = "nope";
    bad.benchmarks[0]!["benchmark"] = "Linpack";
    const check = await checkDocument("benchmark-result", bad);
    expect(check.valid).toBe(false);
    if (check.valid) return;
    expect(check.errors).toContain("/host: unknown property 'accountId'");
    expect(check.errors.some((e) => e.startsWith("/rawFiles/0/sha256: must match pattern"))).toBe(true);
    expect(
      check.errors.some((e) => e.startsWith("/benchmarks/0/benchmark: must match pattern")),
    ).toBe(true);
    await expect(assertDocument("benchmark-result", bad, "result.json")).rejects.toThrow(
      /result\.json does not match schemas\/benchmark-result\.schema\.json: /,
    );
  });

  it("writes deterministic JSON: sorted keys, two-space indent, final newline", () => {
    expect(stableJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{\n  "a": {\n    "d": [\n      3,\n      {\n        "y": 2,\n        "z": 1\n      }\n    ]\n  },\n  "b": 1\n}\n',
    );
  });

  it("writes an object whose keys are in order already the same as a sorted copy, undefined values left out", () => {
    expect(stableJson({ a: 1, b: undefined, c: { x: [1, undefined], y: undefined, z: "z" }, d: null })).toBe(
      '{\n  "a": 1,\n  "c": {\n    "x": [\n      1,\n      null\n    ],\n    "z": "z"\n  },\n  "d": null\n}\n',
    );
    expect(stableJson({ "10": 1, "9": 2, b: 3, a: 4 })).toBe('{\n  "9": 2,\n  "10": 1,\n  "a": 4,\n  "b": 3\n}\n');
  });

  it("splices items serialized once into the bytes stableJson writes for the whole document", () => {
    const shared = { z: [1, { y: "a\nb", x: null }], a: { "quote\"": true, skipped: undefined } };
    const items = [shared, "text", 3.5, [], {}, [shared]];
    for (const document of [
      { summaries: items, b: { summaries: [] }, a: 1 },
      { a: 1, summaries: [shared] },
      { summaries: [] as unknown[] },
      { summaries: [shared], zz: [{ summaries: [1] }] },
      { other: [] } as { summaries?: unknown[] },
    ]) {
      const texts = (document.summaries ?? []).map(stableJsonItem);
      const { text, skeleton } = stableJsonWithItems(document, "summaries", texts);
      expect(text).toBe(stableJson({ ...document, summaries: document.summaries ?? [] }));
      expect(JSON.parse(skeleton)).toEqual({ ...JSON.parse(text), summaries: [] });
    }
  });

  it("writes nothing when one document of a set is invalid", async () => {
    const dir = tempDir();
    const good = join(dir, "good.json");
    const badPath = join(dir, "bad.json");
    await expect(
      writeDocuments([
        { kind: "benchmark-result", path: good, data: result },
        { kind: "container-tags", path: badPath, data: { schemaVersion: 1, tags: [{ tag: "Bad Tag" }] } as never },
      ]),
    ).rejects.toThrow(/bad\.json \(to be written\) does not match/);
    expect(existsSync(good)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("reports unreadable and malformed files by name", async () => {
    await expect(readDocument("families", join(tempDir(), "missing.json"))).rejects.toThrow(
      /Cannot read .*missing\.json: it does not exist/,
    );
  });
});

describe("raw output redaction", () => {
  it("removes host names, private IPs and instance ids but keeps numbers", async () => {
    const { redactRawOutput } = await import("../../../src/schemas/private-details.js");
    const text =
      "Hostname: 'ip-10-0-1-17.ec2.internal'\nrank 0 on ip-10-0-1-17 (10.0.1.17) of i-0123456789abcdef0\nNumber of updates = 137438953472\n";
    const { text: clean, replaced } = redactRawOutput(text);
    expect(clean).toBe(
      "Hostname: '<redacted>'\nrank 0 on <redacted> (<redacted>) of <redacted>\nNumber of updates = 137438953472\n",
    );
    expect(replaced).toBe(4);
    expect(redactRawOutput("Copy: 15958.5\n")).toEqual({ text: "Copy: 15958.5\n", replaced: 0 });
  });

  it("removes AWS credentials but keeps the name they were assigned to; what is already redacted does not count", async () => {
    const { redactRawOutput, findRawOutputDetails } = await import("../../../src/schemas/private-details.js");
    const text =
      "using AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n" +
      `{"SessionToken": "${"IQoJb3JpZ2luX2VjE".repeat(4)}"}\nsha256 ${"ab".repeat(32)}\n`;
    expect(findRawOutputDetails(text)).toEqual([
      "an AWS access key id",
      "an AWS secret access key",
      "an AWS session token",
    ]);
    const { text: clean, replaced } = redactRawOutput(text);
    expect(clean).toBe(
      `using <redacted>\naws_secret_access_key = <redacted>\n{"SessionToken": "<redacted>"}\nsha256 ${"ab".repeat(32)}\n`,
    );
    expect(replaced).toBe(3);
    expect(redactRawOutput(clean)).toEqual({ text: clean, replaced: 0 });
    expect(findRawOutputDetails(clean)).toEqual([]);
  });
});

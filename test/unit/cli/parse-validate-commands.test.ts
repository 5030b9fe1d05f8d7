import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exec } from "../../../src/cli/main.js";
import { memoryIo } from "../../../src/cli/io.js";
import type { BenchmarkResult } from "../../../src/schemas/generated/benchmark-result.js";
import type { ParsedOutput } from "../../../src/schemas/generated/parsed-output.js";
import { checkDocument } from "../../../src/schemas/documents.js";
import { fixturesDir, output, outputPath } from "../../helpers/fixtures.js";
import { minimalResult } from "../../helpers/results.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const tempDir = useTempDir();

async function run(...argv: string[]) {
  const io = memoryIo({ cwd: tempDir() });
  const code = await exec(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe("aws-bench parse", () => {
  it("prints a schema-valid document with exactly the printed numbers", async () => {
    const { code, out } = await run("parse", "stream", outputPath("shared/stream-omp-10M-ntimes10-t2.txt"), "--json");
    expect(code).toBe(0);
    const parsed = JSON.parse(out) as ParsedOutput;
    expect(await checkDocument("parsed-output", parsed)).toEqual({ valid: true });
    expect(parsed.file).toEqual({
      name: "stream-omp-10M-ntimes10-t2.txt",
      sha256: createHash("sha256").update(output("shared/stream-omp-10M-ntimes10-t2.txt")).digest("hex"),
      bytes: Buffer.byteLength(output("shared/stream-omp-10M-ntimes10-t2.txt")),
    });
    expect(parsed.runs[0]?.metrics["scale"]).toEqual({ value: 22453.4, unit: "MB/s", printed: "22453.4" });
  });

  it("reads the project's bandwidth kernel's output as membw, never as STREAM", async () => {
    const file = outputPath("produced-here/membw-16M-ntimes20-t2.txt");
    const { code, out } = await run("parse", "membw", file, "--json");
    expect(code).toBe(0);
    const document = JSON.parse(out) as { program: string; runs: Array<{ benchmark: string; implementation: string }> };
    expect(document.program).toBe("membw");
    expect(document.runs.map((r) => [r.benchmark, r.implementation])).toEqual([["membw", "aws-bench-membw"]]);
    expect(await checkDocument("parsed-output", document)).toEqual({ valid: true });
    expect((await run("parse", "stream", file, "--json")).code).not.toBe(0);
  });

  it("every fixture parses into a schema-valid document", async () => {
    const cases: Array<[string, string]> = [
      ["hpl", "shared/hpl-1x1-np1-N2000-6000-NB128-192.txt"],
      ["hpl", "shared/hpl-1x1-np1-threshold1e-6-FAILED.txt"],
      ["hpcc", "shared/hpcc-1x1-np1-N4000-NB192.txt"],
      ["hpcc", "produced-here/hpcc-2ranks-grids-1x2-2x1-N1000-1500-NB64-128.txt"],
      ["coremark", "shared/coremark-mt2-pthread-run1-performance.txt"],
      ["coremark", "formats/coremark-short-unknown-seeds.txt"],
      ["stream", "formats/stream-tiny-array.txt"],
    ];
    for (const [program, path] of cases) {
      const { code, out } = await run("parse", program, outputPath(path), "--json");
      expect(code, path).toBe(0);
      expect(await checkDocument("parsed-output", JSON.parse(out)), path).toEqual({ valid: true });
    }
  });

  it("prints a readable summary and counts invalid runs on stderr", async () => {
    const { code, out, err } = await run("parse", "hpl", outputPath("shared/hpl-1x1-np1-threshold1e-6-FAILED.txt"));
    expect(code).toBe(0);
    expect(out).toContain("2 hpl run(s)");
    expect(out).toMatch(/run 1 \(line 47\): hpl-2\.3 — INVALID: residual check FAILED/);
    expect(out).toContain("gflops=3.3592e+01 GFLOPS");
    expect(err).toContain("parse: 2 of 2 runs are invalid");
  });

  it("exits 1 with --require-valid when a run is invalid", async () => {
    expect(
      (await run("parse", "coremark", outputPath("formats/coremark-unknown-seeds.txt"), "--require-valid")).code,
    ).toBe(1);
    expect(
      (await run("parse", "coremark", outputPath("shared/coremark-st-run1-performance.txt"), "--require-valid")).code,
    ).toBe(0);
  });

  it("names the file and what was missing for bad input, with exit 1", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "empty.txt"), "");
    writeFileSync(join(dir, "garbage.txt"), "\u0000\u0001binary");
    writeFileSync(join(dir, "cut.txt"), output("shared/coremark-st-run1-performance.txt").slice(0, 120));
    const empty = await run("parse", "hpl", "empty.txt");
    expect(empty.code).toBe(1);
    expect(empty.err).toMatch(/error \[OutputUnparseable\]: .*empty\.txt: is empty\./);
    expect((await run("parse", "stream", "garbage.txt")).err).toMatch(/garbage\.txt: is binary/);
    expect((await run("parse", "coremark", "cut.txt")).err).toMatch(/cut\.txt: is truncated/);
    expect((await run("parse", "stream", "missing.txt")).err).toMatch(
      /error \[InputUnreadable\]: Cannot read .*missing\.txt: it does not exist/,
    );
    const wrongProgram = await run("parse", "linpack", "x.txt");
    expect(wrongProgram.code).toBe(2);
    expect(wrongProgram.err).toMatch(/Invalid values:[\s\S]*linpack/);
  });
});

function resultFixture(rawText: string): BenchmarkResult {
  const sha256 = createHash("sha256").update(rawText).digest("hex");
  return minimalResult({ rawFiles: [{ path: "raw/stream.txt", sha256, bytes: Buffer.byteLength(rawText) }] });
}

describe("aws-bench validate", () => {
  function writeResult(result: unknown, raw = "raw output\n") {
    const dir = tempDir();
    mkdirSync(join(dir, "run", "raw"), { recursive: true });
    writeFileSync(join(dir, "run", "raw", "stream.txt"), raw);
    writeFileSync(join(dir, "run", "result.json"), JSON.stringify(result));
    return "run/result.json";
  }

  it("accepts a result whose raw files match their checksums", async () => {
    const path = writeResult(resultFixture("raw output\n"));
    const { code, out, err } = await run("validate", path);
    expect(code).toBe(0);
    expect(out).toMatch(/^valid {3}.*result\.json \(benchmark-result\)/);
    expect(err).toContain("validate: 1 of 1 files valid");
  });

  it("names a wrong type and a missing field by JSON path", async () => {
    const result = resultFixture("raw output\n") as unknown as Record<string, Record<string, unknown>>;
    result["host"]!["logicalCpus"] = "two";
    delete result["runner"]!["version"];
    const { code, out } = await run("validate", writeResult(result));
    expect(code).toBe(1);
    expect(out).toContain("/host/logicalCpus: must be integer");
    expect(out).toContain("/runner: must have required property 'version'");
  });

  it("names a bad checksum, a wrong size and a missing raw file", async () => {
    const path = writeResult(resultFixture("raw output\n"), "raw output, edited\n");
    const { code, out } = await run("validate", path);
    expect(code).toBe(1);
    expect(out).toMatch(
      /\/rawFiles\/0\/sha256: checksum mismatch for 'raw\/stream\.txt': the file hashes to [0-9a-f]{64}, the result says [0-9a-f]{64}/,
    );
    expect(out).toMatch(/\/rawFiles\/0\/bytes: the file has 19 bytes, the result says 11/);
    const malformed = resultFixture("x") as unknown as { rawFiles: Array<Record<string, unknown>> };
    malformed.rawFiles[0]!["sha256"] = "not-a-checksum";
    expect((await run("validate", writeResult(malformed))).out).toContain("/rawFiles/0/sha256: must match pattern");
    const missing = resultFixture("x") as unknown as { rawFiles: Array<Record<string, unknown>> };
    missing.rawFiles[0]!["path"] = "raw/absent.txt";
    expect((await run("validate", writeResult(missing))).out).toMatch(
      /\/rawFiles\/0\/path: raw file 'raw\/absent\.txt' is missing/,
    );
    expect((await run("validate", writeResult(missing), "--no-raw-files")).code).toBe(0);
  });

  it("refuses a raw file outside the result's directory, even in a sibling whose name starts the same", async () => {
    const outside = resultFixture("raw output\n") as unknown as { rawFiles: Array<Record<string, unknown>> };
    outside.rawFiles[0]!["path"] = "../run-other/stream.txt";
    const path = writeResult(outside);
    const dir = tempDir();
    mkdirSync(join(dir, "run-other"), { recursive: true });
    writeFileSync(join(dir, "run-other", "stream.txt"), "raw output\n");
    const { code, out } = await run("validate", path);
    expect(code).toBe(1);
    // The schema's path pattern (normal form, no `..`) refuses it before the file is looked for.
    expect(out).toMatch(/\/rawFiles\/0\/path: must match pattern/);
  });

  it("refuses private details anywhere in a result", async () => {
    const result = resultFixture("raw output\n") as unknown as {
      host: Record<string, unknown>;
      runner: Record<string, unknown>;
    };
    result.host["cpuModel"] = "seen on i-0123456789abcdef0 at 10.0.1.17";
    result.runner["version"] = "arn:aws:iam::123456789012:role/x";
    const { code, out } = await run("validate", writeResult(result));
    expect(code).toBe(1);
    expect(out).toContain("/host/cpuModel: contains an EC2 instance id");
    expect(out).toContain("/host/cpuModel: contains a private IPv4 address");
    expect(out).toContain("/runner/version: contains an AWS account id");
  });

  it("checks directories, recognises each kind, and reports unreadable files", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "bad.json"), "{ not json");
    writeFileSync(join(dir, "odd.json"), JSON.stringify({ hello: 1 }));
    const { code, out } = await run(
      "validate",
      fixturesDir.replace(/fixtures$/, "fixtures/outputs/shared/sysinfo-lscpu-J.json"),
      dir,
    );
    expect(code).toBe(1);
    expect(out).toMatch(/bad\.json\n {2}\/: cannot read: not valid JSON/);
    expect(out).toMatch(/odd\.json\n {2}\/: cannot tell which schema applies; pass --kind/);
    const repo = await run("validate", join(fixturesDir, "..", "..", "configs"), "--json");
    expect(repo.code).toBe(0);
    const report = JSON.parse(repo.out) as { valid: boolean; files: Array<{ kind: string }> };
    expect(report.valid).toBe(true);
    expect(report.files.map((f) => f.kind).sort()).toEqual([
      "architecture-mappings",
      "aws-identity-certificates",
      "container-tags",
      "families",
      "review-keys",
      "source-manifest",
    ]);
  });

  it("says what to do when there is nothing to validate", async () => {
    const { code, err } = await run("validate");
    expect(code).toBe(2);
    expect(err).toMatch(/No files to validate/);
    // A directory holding no JSON file is not a success either.
    const empty = await run("validate", tempDir());
    expect(empty.code).toBe(2);
    expect(empty.err).toMatch(/No files to validate: no JSON file under/);
  });
});

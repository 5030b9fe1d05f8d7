/**
 * One table of SSH networks, held against every place that decides whether SSH may be opened to it: the checker
 * (stacks/cidr.ts), the batch spec's schema (a hand-written Pulumi.<stack>.yaml or a stored record), the
 * `BenchmarkBatch` component's own argument check, and `--ssh-cidr` on the command line.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { ExitCode } from "../../../src/cli/errors.js";
import { memoryIo } from "../../../src/cli/io.js";
import { exec } from "../../../src/cli/main.js";
import { checkDocument } from "../../../src/schemas/documents.js";
import { batchTags } from "../../../stacks/batch-naming.js";
import type * as BatchModule from "../../../stacks/benchmark-batch.js";
import { sshCidrPatternSource, sshCidrProblem } from "../../../stacks/cidr.js";
import { isolateAws } from "../../helpers/aws-env.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const root = join(import.meta.dirname, "..", "..", "..");

/** CIDR → why it is refused (a fragment of the reason), or null when SSH may be opened to it. */
const table: ReadonlyArray<readonly [string, string | null]> = [
  ["203.0.113.0/24", null],
  ["203.0.113.7/32", null],
  ["10.0.0.0/8", null],
  ["192.168.4.0/22", null],
  ["255.255.255.255/32", null],
  ["0.0.0.0/1", null],
  ["128.0.0.0/1", null],
  ["198.51.100.128/25", null],
  ["172.16.0.0/12", null],
  ["0.0.0.0/0", "whole internet"],
  ["203.0.113.0/0", "whole internet"],
  ["0.0.0.0/00", "not an IPv4 CIDR"],
  ["999.1.1.1/33", "not an IPv4 CIDR"],
  ["256.0.0.0/8", "not an IPv4 CIDR"],
  ["203.0.113.0/33", "not an IPv4 CIDR"],
  ["010.0.0.0/8", "not an IPv4 CIDR"],
  ["10.0.0.0/08", "not an IPv4 CIDR"],
  ["10.0.0/8", "not an IPv4 CIDR"],
  ["10.0.0.0.0/8", "not an IPv4 CIDR"],
  ["10.0.0.0", "not an IPv4 CIDR"],
  ["10.0.0.0/", "not an IPv4 CIDR"],
  ["-1.0.0.0/8", "not an IPv4 CIDR"],
  [" 10.0.0.0/8", "not an IPv4 CIDR"],
  ["10.0.0.0/8\n", "not an IPv4 CIDR"],
  ["10.0.0.0/8;reboot", "not an IPv4 CIDR"],
  ["１０.0.0.0/8", "not an IPv4 CIDR"],
  ["2001:db8::/32", "not an IPv4 CIDR"],
  ["", "not an IPv4 CIDR"],
  ["203.0.113.7/24", "host bits set"],
  ["8.8.8.8/1", "host bits set"],
  ["10.0.0.1/31", "host bits set"],
  ["192.168.5.0/22", "host bits set"],
];
const good = table.filter(([, reason]) => reason === null).map(([cidr]) => cidr);

describe("the SSH network table", () => {
  it.each(table)("checker: %j → %s", (cidr, reason) => {
    const problem = sshCidrProblem(cidr);
    if (reason === null) expect(problem).toBeUndefined();
    else expect(problem?.reason).toContain(reason);
  });

  it("names both readings of a CIDR with host bits set", () => {
    expect(sshCidrProblem("203.0.113.7/24")?.fix).toBe(
      "Write 203.0.113.0/24 for that network, or 203.0.113.7/32 for the one address.",
    );
    expect(sshCidrProblem("8.8.8.8/1")?.fix).toContain("0.0.0.0/1");
  });

  it("the schema's pattern is the generated one, and matches exactly what the checker accepts", () => {
    const schema = JSON.parse(readFileSync(join(root, "schemas", "batch-spec.schema.json"), "utf8")) as {
      properties: { ssh: { properties: { cidr: { pattern: string } } } };
    };
    expect(schema.properties.ssh.properties.cidr.pattern).toBe(sshCidrPatternSource);
    // Every prefix against every value of the octet it ends in (and the octets before and after it).
    const pattern = new RegExp(sshCidrPatternSource, "u");
    const disagreements: string[] = [];
    for (let prefix = 0; prefix <= 32; prefix++)
      for (let position = 0; position < 4; position++)
        for (let value = 0; value < 256; value++) {
          const octets = [0, 0, 0, 0].map((_, i) => (i === position ? value : i < position ? 10 : 0));
          const cidr = `${octets.join(".")}/${prefix}`;
          if (pattern.test(cidr) !== (sshCidrProblem(cidr) === undefined)) disagreements.push(cidr);
        }
    expect(disagreements).toEqual([]);
  });

  it.each(table)("schema: %j → %s", async (cidr, reason) => {
    const result = await checkDocument("batch-spec", {
      instanceTypes: ["m7i.large"],
      resultsBucket: "my-results",
      ssh: { keyName: "me", cidr },
    });
    expect(result.valid).toBe(reason === null);
    if (!result.valid) expect(result.errors.join("\n")).toMatch(/^\/ssh\/cidr: must match pattern/);
  });
});

describe("the SSH network table against the component", () => {
  let stack: typeof BatchModule;
  beforeAll(async () => {
    stack = await import("../../../stacks/benchmark-batch.js");
  }, 60_000);
  const batchId = "20261128t120000z-ab12cd";
  const args = (cidr: string): BatchModule.BenchmarkBatchArgs => ({
    batchId,
    instances: [
      {
        instanceType: "m7i.large",
        repeat: 0,
        zoneName: "us-east-1a",
        containerTag: {
          tag: "intel-sapphirerapids",
          architecture: "x86_64",
          platform: "linux/amd64",
          gccFlags: "-march=sapphirerapids",
          spackTarget: "sapphirerapids",
          blas: ["openblas"],
          microarchitectures: ["intel-sapphirerapids"],
        },
        bareMetal: false,
        benchmarkSeconds: 900,
      },
    ],
    runArgs: ["--benchmarks", "stream"],
    resultsBucket: "my-results",
    region: "us-east-1",
    tags: batchTags({ batchId, createdBy: "test", expiresAt: new Date("2026-11-28T14:00:00Z"), backend: "s3://s" }),
    ssh: { keyName: "me", cidr },
  });

  it.each(table)("validateArgs: %j → %s", (cidr, reason) => {
    if (reason === null) expect(() => stack.validateArgs(args(cidr))).not.toThrow();
    else
      expect(() => stack.validateArgs(args(cidr))).toThrow(
        expect.objectContaining({ code: "InvalidArgument", message: expect.stringContaining(reason) }),
      );
  });
});

describe("the SSH network table on the command line", () => {
  const tempDir = useTempDir();
  beforeEach(() => {
    // No `pulumi` on PATH and no AWS configuration: a good CIDR gets past the flags and stops at the missing CLI.
    vi.stubEnv("PATH", join(tempDir(), "no-bin"));
    isolateAws(false);
  });
  afterEach(() => vi.unstubAllEnvs());

  async function run(cidr: string) {
    const home = tempDir();
    const io = memoryIo({ cwd: home, env: { HOME: home } });
    const code = await exec(
      [
        "run",
        "--instance-types",
        "m7i.large",
        "--results-bucket",
        "b-1",
        "--region",
        "us-east-1",
        "--skip-quota-check",
        "--yes",
        "--key-pair",
        "me",
        // One word, so a CIDR starting with '-' is not taken for a flag.
        `--ssh-cidr=${cidr}`,
      ],
      io,
    );
    return { code, err: io.err() };
  }

  it.each(table.filter(([, reason]) => reason !== null))("--ssh-cidr %j is refused: %s", async (cidr, reason) => {
    const { code, err } = await run(cidr);
    expect(code).toBe(ExitCode.Failure);
    expect(err).toContain(`error [InvalidArgument]: --ssh-cidr '${cidr}' `);
    expect(err).toContain(reason as string);
  });

  it("every good CIDR gets past --ssh-cidr", async () => {
    for (const cidr of good) {
      const { code, err } = await run(cidr);
      expect(err).not.toContain("--ssh-cidr");
      expect(code).toBe(ExitCode.Failure);
      expect(err).toMatch(/PulumiCliMissing/);
    }
  });
});

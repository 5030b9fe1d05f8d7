import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exec } from "../../../src/cli/main.js";
import { memoryIo } from "../../../src/cli/io.js";
import { readDocument } from "../../../src/schemas/documents.js";
import { instanceTypeInfo, sampleInstanceTypes } from "../../helpers/instance-types.js";
import { minimalResult } from "../../helpers/results.js";
import { useTempDir } from "../../helpers/temp-dir.js";
import { measuredResults } from "../../helpers/measured-results.js";

const tempDir = useTempDir();

function setUp(types = sampleInstanceTypes()) {
  const dir = tempDir();
  writeFileSync(join(dir, "dump.json"), JSON.stringify({ InstanceTypes: types }));
  return dir;
}

async function discover(dir: string, ...args: string[]) {
  const io = memoryIo({ cwd: dir });
  const code = await exec(["discover", "--input", "dump.json", ...args], io);
  return { code, out: io.out(), err: io.err() };
}

const generated = (dir: string) =>
  ["data/catalog/instance-types.json", "configs/architecture-mappings.json", "configs/container-tags.json"].map((p) =>
    join(dir, p),
  );

describe("aws-bench discover --input", () => {
  it("writes a valid catalogue and mappings, and a re-run changes no byte", async () => {
    const dir = setUp();
    const first = await discover(dir, "--as-of", "2026-08-01", "--update-containers");
    expect(first.code).toBe(0);
    expect(first.out).toContain("8 instance types in 7 families from dump.json (as of 2026-08-01)");
    expect(first.out).toContain("families: 7 curated, 0 inferred, 0 unmapped; 1 without a benchmark image");
    const [catalogPath, mappingsPath, tagsPath] = generated(dir) as [string, string, string];
    const catalog = await readDocument("instance-catalog", catalogPath);
    expect(catalog.source).toMatchObject({ kind: "file", file: "dump.json", asOf: "2026-08-01" });
    expect(catalog.instanceTypes.map((t) => t.name)).toEqual([...catalog.instanceTypes.map((t) => t.name)].sort());
    const tags = await readDocument("container-tags", tagsPath);
    expect(tags.tags.map((t) => t.tag)).toEqual([
      "amd-zen2",
      "amd-zen4",
      "graviton3",
      "intel-sapphirerapids",
      "intel-skylake",
      "x86-64",
    ]);
    expect(tags.tags.find((t) => t.tag === "graviton3")).toMatchObject({
      architecture: "arm64",
      platform: "linux/arm64",
    });
    const before = generated(dir).map((p) => readFileSync(p, "utf8"));
    expect(before[0]!.endsWith("}\n")).toBe(true);

    // No --as-of this time: unchanged data keeps its date, so nothing is rewritten.
    const second = await discover(dir, "--update-containers");
    expect(second.out).toContain("instance types: no changes");
    expect(second.out).toContain("nothing changed");
    expect(generated(dir).map((p) => readFileSync(p, "utf8"))).toEqual(before);
    await readDocument("architecture-mappings", mappingsPath);
  });

  it("leaves the container-tag list alone without --update-containers", async () => {
    const dir = setUp();
    expect((await discover(dir)).code).toBe(0);
    expect(existsSync(generated(dir)[2]!)).toBe(false);
  });

  it("--dry-run writes nothing and prints what would change", async () => {
    const dir = setUp();
    await discover(dir, "--as-of", "2026-08-01");
    const before = generated(dir)
      .slice(0, 2)
      .map((p) => readFileSync(p, "utf8"));
    const changed = sampleInstanceTypes().filter((t) => t.InstanceType !== "t1.micro");
    changed.push(
      instanceTypeInfo({
        name: "c8g.large",
        vcpus: 2,
        memoryMiB: 4096,
        architectures: ["arm64"],
        manufacturer: "AWS",
        clockGhz: 2.8,
      }),
    );
    (changed[0]!.MemoryInfo as { SizeInMiB: number }).SizeInMiB = 8000;
    writeFileSync(join(dir, "dump.json"), JSON.stringify(changed));
    const dry = await discover(dir, "--dry-run");
    expect(dry.code).toBe(0);
    expect(dry.out).toContain("instance types: +1 added (c8g.large); -1 removed (t1.micro); ~1 changed (m7i.large)");
    expect(dry.out).toContain("families: +1 added (c8g); -1 removed (t1)");
    expect(dry.out).toMatch(/dry run: would write .*instance-types\.json/);
    expect(
      generated(dir)
        .slice(0, 2)
        .map((p) => readFileSync(p, "utf8")),
    ).toEqual(before);
  });

  it("--json prints the full result with every type's mapping", async () => {
    const dir = setUp();
    const { out, code } = await discover(dir, "--dry-run", "--json");
    expect(code).toBe(0);
    const result = JSON.parse(out) as {
      dryRun: boolean;
      instanceTypes: { instanceType: string; containerTag: string | null }[];
      written: string[];
    };
    expect(result.dryRun).toBe(true);
    expect(result.written).toEqual([]);
    expect(result.instanceTypes).toHaveLength(8);
    expect(result.instanceTypes.find((t) => t.instanceType === "mac2-m2.metal")?.containerTag).toBeNull();
  });

  it("re-maps a catalogue offline, keeping its provenance", async () => {
    const dir = setUp();
    await discover(dir, "--as-of", "2026-08-01");
    const io = memoryIo({ cwd: dir });
    expect(await exec(["discover", "--input", "data/catalog/instance-types.json", "--dry-run"], io)).toBe(0);
    expect(io.out()).toContain("from dump.json (as of 2026-08-01)");
    expect(io.out()).toContain("dry run: nothing would change");
  });

  it("warns about a family it had to infer, on stderr", async () => {
    const dir = setUp([
      ...sampleInstanceTypes(),
      instanceTypeInfo({
        name: "q8i.large",
        vcpus: 2,
        memoryMiB: 8192,
        architectures: ["x86_64"],
        manufacturer: "Intel",
        clockGhz: 3.9,
      }),
    ]);
    const { code, out, err } = await discover(dir, "--dry-run");
    expect(code).toBe(0);
    expect(out).toContain("1 inferred");
    expect(err).toMatch(/^warning: family q8i is not in configs\/families.json: inferred from Intel/m);
  });

  it("writes nothing when the input is bad, and keeps existing files", async () => {
    const dir = setUp();
    await discover(dir, "--as-of", "2026-08-01");
    const before = generated(dir)
      .slice(0, 2)
      .map((p) => readFileSync(p, "utf8"));
    writeFileSync(join(dir, "dump.json"), '{"InstanceTypes": [');
    const bad = await discover(dir);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/error \[InputMalformed\]: --input .*dump\.json is not valid JSON/);
    expect(
      generated(dir)
        .slice(0, 2)
        .map((p) => readFileSync(p, "utf8")),
    ).toEqual(before);
    expect(readdirSync(join(dir, "configs")).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("writes nothing when a file cannot be written", async () => {
    const dir = setUp();
    mkdirSync(join(dir, "data"));
    writeFileSync(join(dir, "data", "catalog"), "a file where a directory should be");
    const result = await discover(dir);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/error \[WriteFailed\]/);
    expect(existsSync(join(dir, "configs", "architecture-mappings.json"))).toBe(false);
  });

  it("rejects a bad --as-of, and --input with --all-regions", async () => {
    const dir = setUp();
    expect((await discover(dir, "--as-of", "August")).err).toMatch(/--as-of 'August' is not a date/);
    const both = await discover(dir, "--all-regions");
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/--input and --all-regions cannot be combined/);
  });

  it("rejects a family table that fails its schema, naming the JSON path", async () => {
    const dir = setUp();
    writeFileSync(
      join(dir, "families.json"),
      JSON.stringify({
        schemaVersion: 1,
        containerTags: {},
        microarchitectures: { x: { vendor: "via" } },
        families: {},
      }),
    );
    const { code, err } = await discover(dir, "--families", "families.json");
    expect(code).toBe(1);
    expect(err).toMatch(
      /error \[SchemaViolation\]: .*families\.json does not match schemas\/families\.schema\.json: .*\/microarchitectures\/x/,
    );
  });
});

describe("aws-bench discover --check-measured", () => {
  async function check(dir: string, ...args: string[]) {
    const io = memoryIo({ cwd: dir });
    const code = await exec(["discover", "--check-measured", "raw", ...args], io);
    return { code, out: io.out(), err: io.err() };
  }

  it("lists the families whose measured CPU differs, with the file and model string, and exits 3", async () => {
    const dir = tempDir();
    measuredResults(join(dir, "raw"));
    const { code, out, err } = await check(dir);
    expect(code).toBe(3);
    expect(out).toContain("9 results in");
    expect(out).toContain(
      "5 families measured; 2 differ, 2 agree, 1 with CPUs the table does not recognise; 2 skipped",
    );
    expect(out).toMatch(/^DIFFERS c5: table intel-skylake or intel-cascadelake$/m);
    expect(out).toContain(
      `  differs: ${join("c5.large", "b1-0", "result.json")} (c5.large) 'Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz' → Intel Xeon Platinum 8375C = intel-icelake`,
    );
    expect(out).toMatch(/^DIFFERS m1: table intel-xeon-unspecified \(AWS: 'Intel Xeon Family'\)$/m);
    expect(out).toMatch(/^agrees m5: /m);
    expect(err).toContain(
      `warning: skipped ${join("local", "run-1", "result.json")}: its host names no EC2 instance type`,
    );
  });

  it("exits 0 when every measured CPU agrees, and answers --json", async () => {
    const dir = tempDir();
    const run = join(dir, "raw", "m5.large", "b1-0");
    mkdirSync(run, { recursive: true });
    const result = minimalResult();
    writeFileSync(
      join(run, "result.json"),
      JSON.stringify({
        ...result,
        host: { ...result.host, instanceType: "m5.large", cpuModel: "Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz" },
      }),
    );
    const { code, out } = await check(dir, "--json");
    expect(code).toBe(0);
    const parsed = JSON.parse(out) as { differing: string[]; families: { family: string; verdict: string }[] };
    expect(parsed.differing).toEqual([]);
    expect(parsed.families).toEqual([expect.objectContaining({ family: "m5", verdict: "agrees" })]);
  });

  it("refuses the discovery flags that do not apply, by name", async () => {
    const dir = tempDir();
    measuredResults(join(dir, "raw"));
    const { code, err } = await check(dir, "--input", "dump.json", "--dry-run");
    expect(code).toBe(2);
    expect(err).toContain("--input, --dry-run does not apply");
  });
});

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { instanceTypesFromDump, isCatalogDocument, readJsonInput } from "../../../src/discovery/dump-input.js";
import { sampleInstanceTypes } from "../../helpers/instance-types.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const tempDir = useTempDir();
const write = (name: string, content: string) => {
  const path = join(tempDir(), name);
  writeFileSync(path, content);
  return path;
};
const read = (path: string) => instanceTypesFromDump(readJsonInput(path).data, path);

describe("saved DescribeInstanceTypes dumps", () => {
  const types = sampleInstanceTypes();

  it("accepts the AWS CLI's output, a plain array, and an object keyed by type name", () => {
    const names = types.map((t) => t.InstanceType);
    expect(read(write("cli.json", JSON.stringify({ InstanceTypes: types }))).map((t) => t.InstanceType)).toEqual(names);
    expect(read(write("array.json", JSON.stringify(types))).map((t) => t.InstanceType)).toEqual(names);
    const keyed = Object.fromEntries(types.map((t) => [t.InstanceType, t]));
    expect(read(write("keyed.json", JSON.stringify(keyed))).map((t) => t.InstanceType)).toEqual(names);
  });

  it("records the SHA-256 of the bytes read", () => {
    const path = write("a.json", "[]");
    expect(readJsonInput(path).sha256).toBe("4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945");
  });

  it("names the file when it is missing, a directory, truncated or not JSON", () => {
    expect(() => readJsonInput(join(tempDir(), "absent.json"))).toThrow(
      /Cannot read --input .*absent\.json: it does not exist/,
    );
    expect(() => readJsonInput(tempDir())).toThrow(/it is a directory/);
    const truncated = write("truncated.json", JSON.stringify({ InstanceTypes: types }).slice(0, 500));
    expect(() => readJsonInput(truncated)).toThrow(/truncated\.json is not valid JSON .*it may be truncated/);
  });

  it("names the JSON path of a malformed entry", () => {
    const broken = structuredClone(types);
    delete (broken[2] as { VCpuInfo?: unknown }).VCpuInfo;
    expect(() => read(write("b.json", JSON.stringify({ InstanceTypes: broken })))).toThrow(
      /b\.json: \/InstanceTypes\/2\/VCpuInfo\/DefaultVCpus is missing or not a positive number/,
    );
    const noArch = structuredClone(types);
    (noArch[0]!.ProcessorInfo as { SupportedArchitectures: string[] }).SupportedArchitectures = [];
    expect(() => read(write("c.json", JSON.stringify(noArch)))).toThrow(
      /\/0\/ProcessorInfo\/SupportedArchitectures is missing or empty/,
    );
    expect(() => read(write("d.json", JSON.stringify([{ InstanceType: "not a type" }])))).toThrow(
      /\/0\/InstanceType is missing or not an instance type name/,
    );
    expect(() => read(write("e.json", JSON.stringify({ "m7i.large": types[1] })))).toThrow(
      /\/m7i\.large\/InstanceType is 'm7i\.metal-24xl' under the key 'm7i\.large'/,
    );
    expect(() => read(write("f.json", JSON.stringify({ InstanceTypes: "x" })))).toThrow(/is neither/);
    expect(() => read(write("g.json", "42"))).toThrow(/is neither/);
  });

  it("says so when the dump is empty", () => {
    expect(() => read(write("empty.json", JSON.stringify({ InstanceTypes: [] })))).toThrow(/holds no instance types/);
    expect(() => read(write("empty2.json", "{}"))).toThrow(/holds no instance types/);
  });

  it("tells a catalogue from a dump", () => {
    expect(isCatalogDocument({ schemaVersion: 1, instanceTypes: [] })).toBe(true);
    expect(isCatalogDocument({ InstanceTypes: [] })).toBe(false);
    expect(isCatalogDocument([])).toBe(false);
  });
});

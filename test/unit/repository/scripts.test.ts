/**
 * The maintainer scripts (scripts/*.mjs) load the built modules by path, out of the type checker's sight: each name
 * a script takes from `dist/` must still be exported there (a moved function broke `compare:hand-tuned` once, and
 * nothing noticed until it ran). Checked against the build `npm test` makes first.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..", "..");
const scripts = readdirSync(join(root, "scripts")).filter((file) => file.endsWith(".mjs"));

/** Every `const { a, b } = await import(join(root, "dist", …))` of a script: the module's path and the names. */
function distImports(text: string): Array<{ module: string; names: string[] }> {
  const found: Array<{ module: string; names: string[] }> = [];
  const pattern = /const \{([^}]+)\} = await import\(join\(root, ((?:"[^"]+",?\s*)+)\)\)/g;
  for (const match of text.matchAll(pattern)) {
    const parts = [...(match[2] as string).matchAll(/"([^"]+)"/g)].map((part) => part[1] as string);
    const names = (match[1] as string).split(",").map((name) => name.trim().split(":")[0]?.trim() ?? "");
    found.push({ module: join(root, ...parts), names: names.filter(Boolean) });
  }
  return found;
}

describe("scripts/*.mjs", () => {
  it("take from dist/ only names the built modules export", async () => {
    const imports = scripts.flatMap((script) =>
      distImports(readFileSync(join(root, "scripts", script), "utf8")).map((found) => ({ script, ...found })),
    );
    // The scan finds what the scripts use (a pattern that matched nothing would pass for nothing).
    expect(imports.map((found) => found.script)).toEqual(
      expect.arrayContaining(["compare-hand-tuned.mjs", "generate-spack-configs.mjs", "image-smoke-test.mjs"]),
    );
    const missing: string[] = [];
    for (const { script, module, names } of imports) {
      if (!existsSync(module)) {
        missing.push(`${script}: ${module} does not exist (run npm run build)`);
        continue;
      }
      const loaded = (await import(module)) as Record<string, unknown>;
      for (const name of names)
        if (loaded[name] === undefined) missing.push(`${script}: ${name} is not exported by ${module}`);
    }
    expect(missing).toEqual([]);
  });

  it("would catch a name that moved", () => {
    const [found] = distImports(
      'const { hpccInput, mpirunArgs } = await import(join(root, "dist", "src", "benchmarks", "launch.js"));',
    );
    expect(found?.names).toEqual(["hpccInput", "mpirunArgs"]);
    expect(found?.module).toBe(join(root, "dist", "src", "benchmarks", "launch.js"));
  });
});

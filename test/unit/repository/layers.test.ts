/**
 * The layers of docs/ARCHITECTURE.md, enforced: every relative import in src/ and stacks/ (static, dynamic and
 * type-only — a type import is still a dependency a reader must follow) goes to the same layer or one below; nothing
 * outside src/cli/ imports src/cli/; and the module graph has no cycle.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..", "..");

/** Layer of a module, from the top (the CLI) down; the same order ARCHITECTURE.md states. */
const layers: Array<{ layer: string; rank: number; matches: (path: string) => boolean }> = [
  { layer: "entry", rank: 5, matches: (p) => p === "src/index.ts" },
  { layer: "cli", rank: 4, matches: (p) => p.startsWith("src/cli/") },
  { layer: "orchestrator", rank: 3, matches: (p) => /^src\/(orchestrator|report|community)\//.test(p) },
  { layer: "programs", rank: 2, matches: (p) => p.startsWith("stacks/") || /^src\/(images|runner|analysis)\//.test(p) },
  { layer: "services", rank: 1, matches: (p) => /^src\/(aws|discovery|benchmarks|schemas)\//.test(p) },
  { layer: "base", rank: 0, matches: (p) => /^src\/[^/]+\.ts$/.test(p) },
];

function layerOf(path: string): { layer: string; rank: number } {
  const found = layers.find((l) => l.matches(path));
  if (!found)
    throw new Error(`${path} is in no layer: add its folder to the table in this test and to ARCHITECTURE.md`);
  return found;
}

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (statSync(join(root, path)).isDirectory()) return sources(path);
    return name.endsWith(".ts") && !name.endsWith(".test.ts") && !name.endsWith(".d.ts") ? [path] : [];
  });
}

/** Relative imports of a file (static `from`, side-effect `import "…"`, dynamic `import("…")`), as repository paths. */
export function importsOf(path: string, text: string): string[] {
  const specifiers = [
    ...text.matchAll(/\bfrom\s+["'](\.[^"']+)["']/g),
    ...text.matchAll(/\bimport\s+["'](\.[^"']+)["']/g),
    ...text.matchAll(/\bimport\(\s*["'](\.[^"']+)["']\s*\)/g),
  ].map((m) => m[1] as string);
  return specifiers.map((s) => relative(root, resolve(root, dirname(path), s)).replace(/\.js$/, ".ts"));
}

const files = [...sources("src"), ...sources("stacks")];
const graph = new Map(files.map((file) => [file, importsOf(file, readFileSync(join(root, file), "utf8"))]));

describe("layers", () => {
  it("finds the modules and their imports (the scan itself works)", () => {
    expect(files.length).toBeGreaterThan(50);
    expect(graph.get("src/cli/main.ts")).toContain("src/errors.ts");
    expect(importsOf("src/a/b.ts", 'const x = await import("../c/d.js");\nimport type { T } from "./e.js";')).toEqual([
      "src/a/e.ts",
      "src/c/d.ts",
    ]);
  });

  it("every import resolves to a file of the repository", () => {
    const missing = [...graph].flatMap(([file, targets]) =>
      targets.filter((t) => !graph.has(t) && !t.startsWith("src/schemas/generated/")).map((t) => `${file} → ${t}`),
    );
    expect(missing).toEqual([]);
  });

  it("every import is one the scan can follow: a literal relative path or a package, never the package itself", () => {
    const hidden = files.flatMap((file) => {
      const text = readFileSync(join(root, file), "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
      return [
        // import(`…`), import(variable): the scan cannot see where they lead.
        ...[...text.matchAll(/\bimport\(\s*(?!["'])/g)].map(() => `${file}: import() of a computed specifier`),
        // CommonJS loading sidesteps the module graph.
        // (An ES module gets `require` only from createRequire.)
        ...[...text.matchAll(/\bcreateRequire\b|(?<![.\w])require\(\s*["'`]/g)].map(() => `${file}: require`),
        // The package by its own name reaches any layer through package.json's exports.
        ...[...text.matchAll(/(?:\bfrom\s+|\bimport\(\s*|\bimport\s+)["']aws-instance-benchmarks(\/[^"']*)?["']/g)].map(
          (m) => `${file}: ${m[0]}`,
        ),
      ];
    });
    expect(hidden).toEqual([]);
  });

  it("nothing outside src/cli/ imports src/cli/", () => {
    const offending = [...graph].flatMap(([file, targets]) =>
      file.startsWith("src/cli/") ? [] : targets.filter((t) => t.startsWith("src/cli/")).map((t) => `${file} → ${t}`),
    );
    expect(offending).toEqual([]);
  });

  it("imports go to the same layer or below", () => {
    const upward = [...graph].flatMap(([file, targets]) =>
      targets
        .filter((t) => graph.has(t) && layerOf(t).rank > layerOf(file).rank)
        .map((t) => `${file} (${layerOf(file).layer}) → ${t} (${layerOf(t).layer})`),
    );
    expect(upward).toEqual([]);
  });

  it("the module graph has no cycle", () => {
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const visit = (file: string): void => {
      state.set(file, "open");
      stack.push(file);
      for (const target of graph.get(file) ?? []) {
        if (!graph.has(target)) continue;
        if (state.get(target) === "open") cycles.push([...stack.slice(stack.indexOf(target)), target].join(" → "));
        else if (!state.has(target)) visit(target);
      }
      stack.pop();
      state.set(file, "done");
    };
    for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });
});

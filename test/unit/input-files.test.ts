/** Files a user names are read only when they are regular files of bounded size: a FIFO must not hang a command. */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findFileInTree, readRegularFile } from "../../src/input-files.js";
import { memoryIo } from "../../src/cli/io.js";
import { exec } from "../../src/cli/main.js";
import { useTempDir } from "../helpers/temp-dir.js";

const tempDir = useTempDir();

describe("readRegularFile", () => {
  it("reads a regular file, and refuses a FIFO, a directory, an oversize file and a missing one by reason", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "ok.txt"), "twelve bytes");
    expect(readRegularFile(join(dir, "ok.txt")).toString()).toBe("twelve bytes");
    execFileSync("mkfifo", [join(dir, "pipe")]);
    expect(() => readRegularFile(join(dir, "pipe"))).toThrow(/it is a FIFO/);
    mkdirSync(join(dir, "sub"));
    expect(() => readRegularFile(join(dir, "sub"))).toThrow(/it is a directory/);
    expect(() => readRegularFile(join(dir, "ok.txt"), 11)).toThrow(/12 bytes, more than the limit of 11/);
    expect(() => readRegularFile(join(dir, "nope"))).toThrow(expect.objectContaining({ code: "ENOENT" }));
  });

  it("reads an empty file, and a file that reports no size (procfs) to its end within the limit", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "empty"), "");
    expect(readRegularFile(join(dir, "empty"))).toEqual(Buffer.alloc(0));
    const status = readRegularFile("/proc/self/status");
    expect(status.toString()).toMatch(/^Name:/);
    expect(status.length).toBeGreaterThan(100);
    expect(() => readRegularFile("/proc/self/status", 16)).toThrow(/more than the limit of 16 bytes/);
    writeFileSync(join(dir, "big"), Buffer.alloc(200_000, 7));
    expect(readRegularFile(join(dir, "big")).equals(Buffer.alloc(200_000, 7))).toBe(true);
  });

  it("keeps the commands that read user files from hanging on a FIFO", async () => {
    const dir = tempDir();
    execFileSync("mkfifo", [join(dir, "pipe.json")]);
    for (const args of [
      ["parse", "stream", join(dir, "pipe.json")],
      ["validate", join(dir, "pipe.json")],
      ["discover", "--input", join(dir, "pipe.json"), "--dry-run"],
      ["pricing", "--input", join(dir, "pipe.json"), "--region", "us-east-1", "--as-of", "2026-12-01"],
    ]) {
      const io = memoryIo({ cwd: dir, env: {} });
      const code = await exec(args, io);
      expect(code).toBe(1);
      expect(io.err() + io.out()).toMatch(/FIFO/);
    }
  });
});

describe("findFileInTree", () => {
  it("finds a file at most depth levels down, the first folder in name order winning, and never a folder", () => {
    const root = tempDir();
    mkdirSync(join(root, "b", "deep", "deeper"), { recursive: true });
    mkdirSync(join(root, "a", "configure"), { recursive: true });
    writeFileSync(join(root, "b", "deep", "configure"), "#!/bin/sh\n");
    writeFileSync(join(root, "b", "deep", "deeper", "xhpl"), "");
    // a/configure is a folder: skipped; b/deep/configure is two levels down.
    expect(findFileInTree(root, "configure", 2)).toBe(join(root, "b", "deep", "configure"));
    expect(findFileInTree(root, "configure", 1)).toBeUndefined();
    expect(findFileInTree(root, "xhpl", 3)).toBe(join(root, "b", "deep", "deeper", "xhpl"));
    expect(findFileInTree(root, "xhpl", 2)).toBeUndefined();
  });
});

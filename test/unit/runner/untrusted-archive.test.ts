/**
 * An archive that is not the pinned one (CoreMark's GitHub archive may differ byte-wise and is then checked file by
 * file) is opened only when it holds plain files and folders within bounds: real archives made here with GNU tar.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { unsafeArchive, untrustedArchiveLimits } from "../../../src/runner/programs.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const tempDir = useTempDir();
const limits = { ...untrustedArchiveLimits };
afterEach(() => Object.assign(untrustedArchiveLimits, limits));

/** A tree `top/` with a file and a folder, plus whatever `extra` adds; archived as a gzipped tar. */
let made = 0;
function archive(extra: (top: string) => void = () => undefined, tarArgs: string[] = []): string {
  const dir = join(tempDir(), String(made++));
  const top = join(dir, "coremark-1.01");
  mkdirSync(join(top, "linux64"), { recursive: true });
  writeFileSync(join(top, "core_main.c"), "int main(void) { return 0; }\n");
  writeFileSync(join(top, "linux64", "core_portme.mak"), "# port\n");
  extra(top);
  const file = join(dir, "v1.01.tar.gz");
  execFileSync("tar", ["-czf", file, "-C", dir, ...tarArgs, "coremark-1.01"]);
  return file;
}

describe("unsafeArchive", () => {
  it("opens an archive of plain files and folders", () => {
    expect(unsafeArchive(archive())).toBeUndefined();
  });

  it("refuses links, paths that leave the folder, too many entries and too many bytes", () => {
    expect(unsafeArchive(archive((top) => symlinkSync("/etc", join(top, "etc"))))).toMatch(
      /something other than files and folders: l/,
    );
    // GNU tar keeps a `..` step only when told to (-P); an archive from elsewhere may hold one anyway.
    const escaping = archive(() => undefined, ["-P", "--transform", "s,^coremark-1.01/core_main.c,../evil.c,"]);
    expect(unsafeArchive(escaping)).toMatch(/a path outside its folder: \.\.\/evil\.c/);
    untrustedArchiveLimits.entries = 2;
    expect(unsafeArchive(archive())).toMatch(/more than 2 entries/);
    Object.assign(untrustedArchiveLimits, limits);
    untrustedArchiveLimits.bytes = 10;
    expect(unsafeArchive(archive())).toMatch(/would unpack to \d+ bytes, above 10/);
  });

  it("refuses what is not an archive at all", () => {
    const dir = tempDir();
    const file = join(dir, "v1.01.tar.gz");
    writeFileSync(file, "<html>rate limited</html>");
    expect(unsafeArchive(file)).toMatch(/cannot be listed/);
  });
});

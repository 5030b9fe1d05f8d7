/**
 * Pinned sources fetched and verified (src/runner/programs.ts): from a URL and from `--source-mirror` (an HTTP
 * server on 127.0.0.1, or a folder), every file made here by the test — a stand-in stream.c and a stand-in CoreMark
 * archive, with their SHA-256 computed here and put into a test manifest. Checks a match, a mismatch (both sums
 * named), a truncated download, an unreachable mirror (a bounded wait), the per-file fast path of an archive whose
 * bytes changed, and the cache. No upstream file is used or needed.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createTcpServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { SearchedProgram } from "../../src/benchmarks/definition.js";
import { parseSourceMirror, resolveProgram, type ResolveOptions } from "../../src/runner/programs.js";
import type { PinnedSource, SourceManifest } from "../../src/schemas/generated/source-manifest.js";
import { hasCommands } from "../helpers/prerequisites.js";
import { useTempDir } from "../helpers/temp-dir.js";

const tempDir = useTempDir();
const hasTar = hasCommands("pinned archives", ["tar"], "apt-get install tar");
const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");

const stream = {
  name: "stream",
  program: { kind: "searched", executables: ["stream"], sourceMarker: "stream.c", fix: "test" } as SearchedProgram,
};
const coremark = {
  name: "coremark",
  program: { kind: "searched", executables: ["coremark"], sourceMarker: "core_main.c", fix: "test" } as SearchedProgram,
};

/** A stand-in stream.c: any bytes do, the runner only checks and lays them out. */
const standInStream = "/* stand-in for stream.c, written by this test */\nint main(void) { return 0; }\n";

function pin(fields: Partial<PinnedSource> & Pick<PinnedSource, "fileName">): PinnedSource {
  return {
    version: "5.10",
    url: "https://example.invalid/stream.c",
    archive: "file",
    files: {},
    licence: "test",
    ...fields,
  };
}

function options(
  dir: string,
  sources: Record<string, PinnedSource>,
  extra: Partial<ResolveOptions> = {},
): ResolveOptions {
  const manifest: SourceManifest = { schemaVersion: 2, sources };
  return {
    programs: {},
    sources: {},
    imageRoot: join(dir, "no-image"),
    manifest,
    cacheDir: join(dir, "cache"),
    workDir: join(dir, "work"),
    pathEnv: "",
    downloadLimits: { idleSeconds: 1, totalSeconds: 5, maxBytes: 1024 * 1024 },
    ...extra,
  };
}

const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** Serves `files` by name; `truncate` names a file sent with its full Content-Length but cut in half. */
async function serve(files: Record<string, Buffer | string>, truncate?: string): Promise<string> {
  const server = createServer((request, response) => {
    const name = decodeURIComponent((request.url ?? "/").split("/").pop() ?? "");
    const body = files[name];
    if (body === undefined) {
      response.writeHead(404).end();
      return;
    }
    const bytes = Buffer.from(body);
    response.writeHead(200, { "content-length": String(bytes.length) });
    if (name === truncate) {
      response.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
      setTimeout(() => response.socket?.destroy(), 50);
    } else response.end(bytes);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/mirror/`;
}

/** A TCP server that accepts connections and never answers: a mirror that hangs. */
async function silentServer(): Promise<string> {
  const server = createTcpServer((socket) => sockets.push(socket));
  servers.push(server as unknown as Server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

describe("pinned sources: fetch and verify", () => {
  it("uses a download from the mirror whose SHA-256 matches, caches it, and reuses the verified cache offline", async () => {
    const dir = tempDir();
    const base = await serve({ "stream.c": standInStream });
    const sources = { stream: pin({ fileName: "stream.c", sha256: sha256(standInStream) }) };
    const first = await resolveProgram(stream, options(dir, sources, { sourceMirror: parseSourceMirror(base, dir) }));
    expect(first).toMatchObject({
      found: true,
      program: {
        kind: "source",
        how: "manifest",
        pinned: "stream 5.10",
        source: { sha256: sha256(standInStream), checksumOf: "file", verified: "sha256", origin: "source-mirror" },
      },
    });
    if (!first.found) return;
    expect(readFileSync(join(first.program.path, "stream.c"), "utf8")).toBe(standInStream);
    expect(readFileSync(join(dir, "cache", "stream-5.10", "stream.c"), "utf8")).toBe(standInStream);
    // The mirror is gone: the cached copy is verified again and used.
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
    const again = await resolveProgram(stream, options(dir, sources, { sourceMirror: parseSourceMirror(base, dir) }));
    expect(again).toMatchObject({ found: true, program: { source: { origin: "cache", verified: "sha256" } } });
    // A cached copy that no longer matches is thrown away, never used.
    writeFileSync(join(dir, "cache", "stream-5.10", "stream.c"), "tampered");
    const tampered = await resolveProgram(
      stream,
      options(dir, sources, { sourceMirror: parseSourceMirror(base, dir) }),
    );
    expect(tampered.found).toBe(false);
    expect(tampered.attempts.join("\n")).toContain(
      `the cached copy no longer verifies (checksum mismatch for stream.c: expected ${sha256(standInStream)}, got ${sha256("tampered")})`,
    );
    expect(existsSync(join(dir, "cache", "stream-5.10", "stream.c"))).toBe(false);
  });

  it("refuses a download whose SHA-256 differs, naming both sums, and caches nothing", async () => {
    const dir = tempDir();
    const base = await serve({ "stream.c": standInStream });
    const pinned = sha256("the real stream.c would have other bytes");
    const result = await resolveProgram(
      stream,
      options(
        dir,
        { stream: pin({ fileName: "stream.c", sha256: pinned }) },
        { sourceMirror: parseSourceMirror(base, dir) },
      ),
    );
    expect(result.found).toBe(false);
    expect(result.attempts).toContain(
      `manifest stream 5.10: --source-mirror stream.c: checksum mismatch for stream.c: expected ${pinned}, got ${sha256(standInStream)}; not used`,
    );
    expect(readdirSync(join(dir, "cache", "stream-5.10"))).toEqual([]);
  });

  it("reports a truncated download as truncated, and one longer than the pinned size as too large", async () => {
    const dir = tempDir();
    const body = "x".repeat(10_000);
    const base = await serve({ "stream.c": body }, "stream.c");
    const truncated = await resolveProgram(
      stream,
      options(
        dir,
        { stream: pin({ fileName: "stream.c", sha256: sha256(body) }) },
        { sourceMirror: parseSourceMirror(base, dir) },
      ),
    );
    expect(truncated.found).toBe(false);
    expect(truncated.attempts.join("\n")).toMatch(
      /--source-mirror stream\.c: truncated: the connection ended after 5000 of 10000 bytes/,
    );
    expect(readdirSync(join(dir, "cache", "stream-5.10"))).toEqual([]);

    const whole = await serve({ "stream.c": body });
    const tooLarge = await resolveProgram(
      stream,
      options(
        dir,
        { stream: pin({ fileName: "stream.c", sha256: sha256(body), bytes: 100 }) },
        { sourceMirror: parseSourceMirror(whole, dir) },
      ),
    );
    expect(tooLarge.attempts.join("\n")).toMatch(
      /--source-mirror stream\.c: 10000 bytes or more, larger than the pinned 100 bytes/,
    );
  });

  it("gives up on a mirror that does not answer within the bound, and does not ask it again in the same run", async () => {
    const dir = tempDir();
    const base = await silentServer();
    const session = options(
      dir,
      {
        stream: pin({ fileName: "stream.c", sha256: sha256(standInStream) }),
        coremark: pin({ fileName: "coremark-1.01.tar.gz", version: "1.01", archive: "tar.gz", sha256: "0".repeat(64) }),
      },
      { sourceMirror: parseSourceMirror(base, dir) },
    );
    const started = Date.now();
    const first = await resolveProgram(stream, session);
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(first.found).toBe(false);
    expect(first.attempts.join("\n")).toMatch(/--source-mirror stream\.c: no answer within 1 s/);
    const second = await resolveProgram(coremark, session);
    expect(second.attempts.join("\n")).toMatch(
      /--source-mirror coremark-1\.01\.tar\.gz: not tried \(no answer within 1 s earlier in this run\)/,
    );

    // A port nobody listens on: refused at once, by its code (a private mirror's address is never recorded).
    const closed = createTcpServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await resolveProgram(
      stream,
      options(
        dir,
        { stream: pin({ fileName: "stream.c", sha256: sha256(standInStream) }) },
        {
          sourceMirror: parseSourceMirror(`http://127.0.0.1:${closedPort}/`, dir),
        },
      ),
    );
    expect(refused.attempts.join("\n")).toMatch(/--source-mirror stream\.c: unreachable \(ECONNREFUSED\)/);
    expect(refused.attempts.join("\n")).not.toContain("127.0.0.1");
  });

  it("tries the publisher's URL and then the manifest's mirrors, in order", async () => {
    const dir = tempDir();
    const good = await serve({ "stream.c": standInStream });
    const wrong = await serve({ "stream.c": "other bytes" });
    const sources = {
      stream: pin({
        fileName: "stream.c",
        url: `${wrong}stream.c`,
        mirrors: [`${good}stream.c`],
        sha256: sha256(standInStream),
      }),
    };
    const result = await resolveProgram(stream, options(dir, sources));
    expect(result).toMatchObject({ found: true, program: { source: { origin: `${good}stream.c` } } });
    expect(result.attempts.join("\n")).toContain(`${wrong}stream.c: checksum mismatch for stream.c`);
  });

  describe.skipIf(!hasTar)("an archive pinned per file (GitHub tag archives are not byte-stable)", () => {
    /** A stand-in CoreMark release archive: its top folder, two listed files and one the manifest does not list. */
    function makeArchive(dir: string, mainSource: string): Buffer {
      const top = join(dir, "pkg", "coremark-1.01");
      mkdirSync(join(top, "linux64"), { recursive: true });
      writeFileSync(join(top, "core_main.c"), mainSource);
      writeFileSync(join(top, "linux64", "core_portme.c"), "/* port */\n");
      writeFileSync(join(top, "unlisted.sh"), "echo not listed\n");
      execFileSync("tar", ["-czf", join(dir, "coremark-1.01.tar.gz"), "-C", join(dir, "pkg"), "coremark-1.01"]);
      return readFileSync(join(dir, "coremark-1.01.tar.gz"));
    }
    const listed = { "core_main.c": sha256("int main;\n"), "linux64/core_portme.c": sha256("/* port */\n") };
    const coremarkPin = (archiveSha: string) =>
      pin({
        fileName: "coremark-1.01.tar.gz",
        version: "1.01",
        url: "https://example.invalid/archive/refs/tags/v1.01.tar.gz",
        archive: "tar.gz",
        stripComponents: 1,
        sha256: archiveSha,
        files: listed,
      });

    it("accepts an archive whose bytes changed when every listed file matches, and builds only the listed files", async () => {
      const dir = tempDir();
      const mirror = join(dir, "mirror");
      mkdirSync(mirror);
      makeArchive(mirror, "int main;\n");
      const result = await resolveProgram(
        coremark,
        options(dir, { coremark: coremarkPin("1".repeat(64)) }, { sourceMirror: parseSourceMirror(mirror, dir) }),
      );
      expect(result).toMatchObject({
        found: true,
        program: {
          source: {
            verified: "files",
            origin: "source-mirror",
            sha256: sha256(readFileSync(join(mirror, "coremark-1.01.tar.gz"))),
          },
        },
      });
      if (!result.found) return;
      expect(readFileSync(join(result.program.path, "core_main.c"), "utf8")).toBe("int main;\n");
      expect(existsSync(join(result.program.path, "linux64", "core_portme.c"))).toBe(true);
      expect(existsSync(join(result.program.path, "unlisted.sh"))).toBe(false);
    });

    it("takes the archive's checksum as the fast path, and refuses an archive with a changed listed file", async () => {
      const dir = tempDir();
      const mirror = join(dir, "mirror");
      mkdirSync(mirror);
      const archive = makeArchive(mirror, "int main;\n");
      const fast = await resolveProgram(
        coremark,
        options(dir, { coremark: coremarkPin(sha256(archive)) }, { sourceMirror: parseSourceMirror(mirror, dir) }),
      );
      expect(fast).toMatchObject({ found: true, program: { source: { verified: "sha256" } } });

      const other = tempDir() + "-tampered";
      mkdirSync(join(other, "mirror"), { recursive: true });
      const tampered = makeArchive(join(other, "mirror"), "int main; /* changed */\n");
      const refused = await resolveProgram(
        coremark,
        options(
          other,
          { coremark: coremarkPin(sha256(archive)) },
          { sourceMirror: parseSourceMirror(join(other, "mirror"), other) },
        ),
      );
      expect(refused.found).toBe(false);
      expect(refused.attempts.join("\n")).toContain(
        `checksum mismatch for coremark-1.01.tar.gz: expected ${sha256(archive)}, got ${sha256(tampered)}; 1 of 2 listed files differ (first: core_main.c: expected ${listed["core_main.c"]}, got ${sha256("int main; /* changed */\n")})`,
      );
    });

    it("finds a tag archive in a mirror folder under the URL's own name too", async () => {
      const dir = tempDir();
      const mirror = join(dir, "mirror");
      mkdirSync(mirror);
      const archive = makeArchive(dir, "int main;\n");
      writeFileSync(join(mirror, "v1.01.tar.gz"), archive);
      const result = await resolveProgram(
        coremark,
        options(dir, { coremark: coremarkPin(sha256(archive)) }, { sourceMirror: parseSourceMirror(mirror, dir) }),
      );
      expect(result.found).toBe(true);
      expect(result.attempts).toContain(
        "manifest coremark 1.01: --source-mirror coremark-1.01.tar.gz: not in the mirror folder",
      );
    });
  });

  it("checks --source-mirror before anything happens", () => {
    const dir = tempDir();
    expect(() => parseSourceMirror(join(dir, "missing"), dir)).toThrow(/--source-mirror .*missing is not a folder/);
    expect(() => parseSourceMirror("ftp://mirror.example/", dir)).toThrow(/ftp: URLs are not supported/);
    expect(() => parseSourceMirror("https://user:secret@mirror.example/", dir)).toThrow(/credentials is refused/);
    expect(parseSourceMirror("https://mirror.example/hpc?x=1", dir)).toEqual({
      kind: "url",
      base: "https://mirror.example/hpc/",
    });
    expect(parseSourceMirror(`file://${dir}`, "/")).toEqual({ kind: "dir", path: dir });
  });
});

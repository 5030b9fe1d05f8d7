/** SHA-256, the one checksum the project records (raw files, inputs, bundles, definitions). */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { posix } from "node:path";

/** SHA-256 of bytes or text, as lower-case hex. */
export function sha256Hex(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** SHA-256 of a file's bytes, as lower-case hex. */
export function sha256File(path: string): string {
  return sha256Hex(readFileSync(path));
}

/** Why `path` is not a relative path inside a run folder in normal form (no `..`, no control characters), or undefined. */
export function runPathProblem(path: string): string | undefined {
  const normal = posix.normalize(path);
  if (
    path === "" ||
    path !== normal ||
    normal === "." ||
    normal.endsWith("/") ||
    posix.isAbsolute(normal) ||
    normal.split("/").includes("..") ||
    [...normal].some((c) => c === "\\" || c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)
  )
    return `'${path}' is not a path inside the run in normal form`;
  return undefined;
}

/** One line of a SHA256SUMS file. */
export interface ChecksumLine {
  /** The checksum. */
  sha256: string;
  /** The line as written. */
  line: string;
}

/**
 * A SHA256SUMS file (`<sha256>  <path>` per line, as `sha256sum` writes it) as path → checksum; or the first
 * problem: a malformed line, a path outside the run or not in normal form (`badPath`), a path listed twice.
 */
export function parseChecksumList(
  text: string,
): { sums: Map<string, ChecksumLine>; problem?: undefined } | { sums?: undefined; problem: string; badPath: boolean } {
  const sums = new Map<string, ChecksumLine>();
  for (const [index, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (!m) return { problem: `line ${index + 1} is not '<sha256>  <path>': '${line.slice(0, 120)}'`, badPath: false };
    const path = m[2] as string;
    const pathProblem = runPathProblem(path);
    if (pathProblem) return { problem: `line ${index + 1}: ${pathProblem}`, badPath: true };
    if (sums.has(path)) return { problem: `lists ${path} twice`, badPath: false };
    sums.set(path, { sha256: m[1] as string, line });
  }
  return { sums };
}

/** SHA-256, the one checksum the project records (raw files, inputs, bundles, definitions). */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

/** SHA-256 of bytes or text, as lower-case hex. */
export function sha256Hex(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** SHA-256 of a file's bytes, as lower-case hex. */
export function sha256File(path: string): string {
  return sha256Hex(readFileSync(path));
}

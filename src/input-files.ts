/**
 * Reading a file a user named. A FIFO or a device would block the command forever and a huge file would exhaust
 * memory, so only regular files are read, up to a size limit. The file is opened without blocking and checked
 * through its descriptor, so what is read is what was checked. Failures are plain errors with a `code` (like
 * Node's own `ENOENT`), worded to follow "Cannot read PATH: …", so each caller keeps its own message and fix.
 */
import { closeSync, constants, existsSync, fstatSync, openSync, readSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** The largest input read whole: far above any catalogue dump, price list, result or benchmark output. */
export const inputSizeLimit = 512 * 1024 * 1024;

/** The bytes of the regular file at `path`; throws `ENOENT`, `ENOTREG` or `EFBIG` errors with a readable reason. */
export function readRegularFile(path: string, maxBytes: number = inputSizeLimit): Buffer {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) {
      const what = stats.isDirectory()
        ? "a directory"
        : stats.isFIFO()
          ? "a FIFO (reading it would wait forever)"
          : "not a regular file";
      throw Object.assign(new Error(`it is ${what}`), { code: "ENOTREG" });
    }
    if (stats.size > maxBytes)
      throw Object.assign(new Error(`it holds ${stats.size} bytes, more than the limit of ${maxBytes}`), {
        code: "EFBIG",
      });
    return stats.size > 0 ? readSized(fd, stats.size) : readUnsized(fd, path, maxBytes);
  } finally {
    closeSync(fd);
  }
}

/** The `size` bytes just checked, read through the descriptor (readFileSync would stat it again). */
function readSized(fd: number, size: number): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  let filled = 0;
  while (filled < size) {
    const read = readSync(fd, bytes, filled, size - filled, null);
    if (read === 0) break;
    filled += read;
  }
  // A file that shrank meanwhile is what is left of it; one that grew is read as it was when checked.
  return filled < size ? bytes.subarray(0, filled) : bytes;
}

/** A file that reports no size (procfs, sysfs) read to its end, within `maxBytes`. */
function readUnsized(fd: number, path: string, maxBytes: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    // Small reads: most such files are empty, and a small buffer comes from Node's pool.
    const chunk = Buffer.allocUnsafe(4096);
    const read = readSync(fd, chunk, 0, chunk.length, null);
    if (read === 0) return Buffer.concat(chunks, total);
    total += read;
    if (total > maxBytes)
      throw Object.assign(new Error(`it holds more than the limit of ${maxBytes} bytes`), { code: "EFBIG", path });
    chunks.push(chunk.subarray(0, read));
  }
}

/**
 * The regular file `name` in `dir` or in its subfolders at most `depth` levels down (folders in name order, so the
 * same tree always gives the same answer), or undefined. Finds a source tree's marker file (`stream.c`,
 * `configure`) in an unpacked archive, and a build's product (`xhpl`).
 */
export function findFileInTree(dir: string, name: string, depth: number): string | undefined {
  const direct = join(dir, name);
  if (existsSync(direct) && statSync(direct).isFile()) return direct;
  if (depth === 0) return undefined;
  for (const entry of readdirSync(dir).sort()) {
    const child = join(dir, entry);
    if (statSync(child).isDirectory()) {
      const found = findFileInTree(child, name, depth - 1);
      if (found) return found;
    }
  }
  return undefined;
}

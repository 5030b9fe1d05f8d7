/**
 * Reading a file a user named. A FIFO or a device would block the command forever and a huge file would exhaust
 * memory, so only regular files are read, up to a size limit. The file is opened without blocking and checked
 * through its descriptor, so what is read is what was checked. Failures are plain errors with a `code` (like
 * Node's own `ENOENT`), worded to follow "Cannot read PATH: …", so each caller keeps its own message and fix.
 */
import { closeSync, constants, existsSync, fstatSync, openSync, readFileSync, readdirSync, statSync } from "node:fs";
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
    return readFileSync(fd);
  } finally {
    closeSync(fd);
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

/**
 * Writing a set of generated folders whole: every file goes into a sibling `<folder>.<tag>-<pid>.new` first, then
 * each folder is swapped in by renames, so a failure leaves the previous folders as they were, and a file the new
 * set no longer has (a type that disappeared) leaves nothing stale behind. `analyze` writes `processed/` and
 * `api/v1/` this way (file by file while it builds them, {@link StagedFolders}), `report` the site (all at once,
 * {@link replaceFoldersWhole}).
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, open } from "node:fs/promises";
import { dirname, join } from "node:path";
import { concurrencyLimit } from "./concurrency.js";

/** One folder to replace and its files, by path relative to it (`/` separators, no `..`). */
export interface FolderContents {
  /** The folder. */
  folder: string;
  /** What it is, for messages ("the site", "processed/"). */
  name: string;
  /** Its files. */
  files: ReadonlyMap<string, string>;
}

/**
 * Replaces each folder with exactly its files; throws a plain error (the caller words it) after putting the previous
 * folders back. `tag` names the staging folders (`analyze`, `report`).
 */
export function replaceFoldersWhole(folders: readonly FolderContents[], tag: string): void {
  const staged = new StagedFolders(folders, tag);
  try {
    for (const { folder, files } of folders)
      for (const [path, content] of files) {
        const target = staged.target(folder, path);
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, content);
      }
  } catch (error) {
    staged.abort();
    throw error;
  }
  staged.swapIn();
}

/**
 * Writes `text` to a new file at `path`. The string is handed to the write as it is (Node copies its bytes for the
 * call and frees them when the write ends), not first made into a Buffer that stays until the next collection.
 */
async function writeText(path: string, text: string): Promise<void> {
  const handle = await open(path, "wx");
  try {
    const total = Buffer.byteLength(text);
    const { bytesWritten } = await handle.write(text, null, "utf8");
    // A regular file takes the whole write; should one take less, the rest goes as bytes.
    if (bytesWritten < total) {
      const rest = Buffer.from(text).subarray(bytesWritten);
      for (let at = 0; at < rest.length;) at += (await handle.write(rest, at, rest.length - at)).bytesWritten;
    }
  } finally {
    await handle.close();
  }
}

/** Staged writes running at once: enough to keep the disk busy, few enough that their bytes stay small. */
const writesAtOnce = 2;

/**
 * Folders being replaced whole, written file by file: {@link write} stages a file (the write proceeds in the
 * background), {@link commit} waits for every write and swaps the folders in, {@link abort} removes what was staged
 * and leaves the previous folders as they were. Errors are plain (the caller words them).
 */
export class StagedFolders {
  readonly #staged: Array<{ name: string; final: string; next: string; old: string }>;
  readonly #writes: Array<Promise<void>> = [];
  readonly #folders = new Map<string, Promise<unknown>>();
  readonly #madeAbove: string[] = [];
  readonly #limit = concurrencyLimit(writesAtOnce);

  constructor(folders: ReadonlyArray<{ folder: string; name: string }>, tag: string) {
    const suffix = `.${tag}-${process.pid}`;
    this.#staged = folders.map(({ folder, name }) => ({
      name,
      final: folder,
      next: `${folder}${suffix}.new`,
      old: `${folder}${suffix}.old`,
    }));
    for (const { next } of this.#staged) {
      rmSync(next, { recursive: true, force: true });
      // A folder made on the way (the output folder itself, the first time) goes again on abort: nothing is left.
      const made = mkdirSync(next, { recursive: true });
      if (made !== undefined && made !== next) this.#madeAbove.push(made);
    }
  }

  /** Where `path` (relative to `folder`, one of the folders) is staged; throws for a path that would leave it. */
  target(folder: string, path: string): string {
    const staged = this.#staged.find((entry) => entry.final === folder);
    if (!staged) throw new Error(`${folder} is not being replaced`);
    if (path.split("/").some((part) => part === ".." || part === "" || part === "."))
      throw new Error(`${path} leaves ${staged.name}`);
    return join(staged.next, path);
  }

  /** Stages `content` as `path` of `folder`; the write runs while the caller goes on. */
  write(folder: string, path: string, content: string): void {
    const target = this.target(folder, path);
    const parent = dirname(target);
    // Every file of a folder waits for the one mkdir of it.
    let folderMade = this.#folders.get(parent);
    if (!folderMade) {
      folderMade = mkdir(parent, { recursive: true });
      this.#folders.set(parent, folderMade);
    }
    // At most a few writes at a time: each holds its file's bytes while it runs.
    const write = folderMade.then(() => this.#limit(() => writeText(target, content)));
    // Failures are reported by commit(); until then a rejection is not unhandled.
    write.catch(() => undefined);
    this.#writes.push(write);
  }

  /** Waits for every staged write, then swaps the folders in; on failure, aborts and throws. */
  async commit(): Promise<void> {
    try {
      await Promise.all(this.#writes);
    } catch (error) {
      await Promise.allSettled(this.#writes);
      this.abort();
      throw error;
    }
    this.swapIn();
  }

  /** Removes everything staged, and the folders made for it; the previous folders stay. */
  abort(): void {
    for (const { next } of this.#staged) rmSync(next, { recursive: true, force: true });
    for (const folder of this.#madeAbove) rmSync(folder, { recursive: true, force: true });
  }

  /** Renames the staged folders in (the previous ones aside, then removed); puts the previous ones back on failure. */
  swapIn(): void {
    try {
      for (const { final, next, old } of this.#staged) {
        if (existsSync(final)) renameSync(final, old);
        renameSync(next, final);
      }
    } catch (error) {
      for (const { final, next, old } of this.#staged) {
        rmSync(next, { recursive: true, force: true });
        if (existsSync(old) && !existsSync(final)) renameSync(old, final);
      }
      throw error;
    } finally {
      for (const { old } of this.#staged) rmSync(old, { recursive: true, force: true });
    }
  }
}

/**
 * Writing a set of generated folders whole: every file goes into a sibling `<folder>.<tag>-<pid>.new` first, then
 * each folder is swapped in by renames, so a failure leaves the previous folders as they were, and a file the new
 * set no longer has (a type that disappeared) leaves nothing stale behind. `analyze` writes `processed/` and
 * `api/v1/` this way, `report` the site.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

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
  const suffix = `.${tag}-${process.pid}`;
  const staged = folders.map(({ folder, name, files }) => ({
    name,
    files,
    final: folder,
    next: `${folder}${suffix}.new`,
    old: `${folder}${suffix}.old`,
  }));
  try {
    for (const { name, files, next } of staged) {
      rmSync(next, { recursive: true, force: true });
      mkdirSync(next, { recursive: true });
      for (const [path, content] of files) {
        if (path.split("/").some((part) => part === ".." || part === "" || part === "."))
          throw new Error(`${path} leaves ${name}`);
        const target = join(next, path);
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, content);
      }
    }
    for (const { final, next, old } of staged) {
      if (existsSync(final)) renameSync(final, old);
      renameSync(next, final);
    }
  } catch (error) {
    for (const { final, next, old } of staged) {
      rmSync(next, { recursive: true, force: true });
      if (existsSync(old) && !existsSync(final)) renameSync(old, final);
    }
    throw error;
  } finally {
    for (const { old } of staged) rmSync(old, { recursive: true, force: true });
  }
}

/**
 * {@link checkRun} over many run folders on worker threads: reading, hashing, schema validation and the
 * private-details scan are each run's own work, so two threads do it in about half the time, and each thread's
 * garbage (the whole parsed documents) stays in its own heap. Results keep the folders' order.
 *
 * The workers run the compiled module (dist/src/analysis/check-run-worker.js). Running from the TypeScript sources
 * (the unit tests), or on a single CPU, the same checks run on this thread instead.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { checkRun, type CheckedRun } from "./run-check.js";

/** Folders handed to a worker at a time: large enough that messages cost little, small enough to balance. */
const chunkSize = 64;

/** Below this many folders starting threads costs more than it saves. */
const fewFolders = 256;

/** The checks of every folder, in the folders' order. */
export async function checkRunsInParallel(folders: readonly string[]): Promise<CheckedRun[]> {
  const script = fileURLToPath(new URL("./check-run-worker.js", import.meta.url));
  const threads = Math.min(2, availableParallelism());
  if (threads < 2 || folders.length < fewFolders || !existsSync(script)) {
    const results: CheckedRun[] = [];
    for (const folder of folders) results.push(await checkRun(folder));
    return results;
  }
  const results = new Array<CheckedRun>(folders.length);
  let next = 0;
  const work = (worker: Worker) =>
    new Promise<void>((resolve, reject) => {
      let start = 0;
      const send = () => {
        if (next >= folders.length) {
          resolve();
          return;
        }
        start = next;
        next = Math.min(folders.length, next + chunkSize);
        worker.postMessage(folders.slice(start, next));
      };
      worker.on("message", (checked: CheckedRun[]) => {
        checked.forEach((result, offset) => (results[start + offset] = result));
        send();
      });
      worker.on("error", reject);
      worker.on("exit", (code) => {
        if (code !== 0) reject(new Error(`a run-checking thread exited with ${code}`));
      });
      send();
    });
  const workers = Array.from({ length: threads }, () => new Worker(script));
  try {
    await Promise.all(workers.map(work));
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
    // The listeners hold the results until the workers' exit events are handled; the caller keeps what it needs.
    for (const worker of workers) worker.removeAllListeners();
  }
  return results;
}

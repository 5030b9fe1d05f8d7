/** A worker thread of src/analysis/check-runs.ts: each message is a list of run folders, answered with their checks. */
import { parentPort } from "node:worker_threads";
import { checkRun, type CheckedRun } from "./run-check.js";

parentPort?.on("message", (folders: string[]) => {
  void (async () => {
    const results: CheckedRun[] = [];
    for (const folder of folders) results.push(await checkRun(folder));
    parentPort?.postMessage(results);
  })();
});

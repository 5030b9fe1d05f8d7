/**
 * A worker thread of src/analysis/summary-checks.ts: its one message is latest.json's summaries' texts and the rest
 * of it, answered with the first summary that does not match its schema, or the published rankings.
 */
import { parentPort } from "node:worker_threads";
import { checkAndRankHere, unpackTexts, type PackedTexts } from "./summary-checks.js";

parentPort?.once("message", (packed: PackedTexts) => {
  void checkAndRankHere(unpackTexts(packed), packed.skeleton).then((work) => parentPort?.postMessage(work));
});

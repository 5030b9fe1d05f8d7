/**
 * A worker thread of src/analysis/summary-checks.ts: its one message is a list of summaries' texts, answered with
 * the first that does not match schemas/metric-summary.schema.json (or null).
 */
import { parentPort } from "node:worker_threads";
import { checkSummaryTextsHere, type SummaryText } from "./summary-checks.js";

parentPort?.once("message", (items: SummaryText[]) => {
  void checkSummaryTextsHere(items).then((failed) => parentPort?.postMessage(failed ?? null));
});

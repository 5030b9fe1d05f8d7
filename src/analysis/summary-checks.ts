/**
 * Each summary's text, as it will be written, checked against schemas/metric-summary.schema.json on a worker thread
 * while analyze goes on building the API (the texts are parsed and checked once each, and that is a tenth of a
 * release's work). From the TypeScript sources (the unit tests), on this thread instead.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { checkDocument } from "../schemas/documents.js";

/** A summary's text and how to name it in an error. */
export interface SummaryText {
  label: string;
  text: string;
}

/** The first summary that does not match its schema, with the schema's errors. */
export interface SummaryProblem {
  label: string;
  errors: string[];
}

/** Checks every text on this thread; the first problem, or undefined. */
export async function checkSummaryTextsHere(items: readonly SummaryText[]): Promise<SummaryProblem | undefined> {
  for (const { label, text } of items) {
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      return { label, errors: [`/: not JSON: ${(error as Error).message}`] };
    }
    const check = await checkDocument("metric-summary", document);
    if (!check.valid) return { label, errors: check.errors };
  }
  return undefined;
}

/** Checks every text on a worker thread (this one from the sources); the first problem, or undefined. */
export async function checkSummaryTexts(items: readonly SummaryText[]): Promise<SummaryProblem | undefined> {
  const script = fileURLToPath(new URL("./summary-check-worker.js", import.meta.url));
  if (!existsSync(script)) return checkSummaryTextsHere(items);
  const worker = new Worker(script);
  try {
    return await new Promise<SummaryProblem | undefined>((resolve, reject) => {
      worker.once("message", (failed: SummaryProblem | null) => resolve(failed ?? undefined));
      worker.once("error", reject);
      worker.once("exit", (code) => reject(new Error(`the summary-checking thread exited with ${code}`)));
      worker.postMessage(items);
    });
  } finally {
    worker.removeAllListeners();
    await worker.terminate();
  }
}

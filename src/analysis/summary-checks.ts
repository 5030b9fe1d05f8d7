/**
 * What analyze does with the summaries' texts aside, on a worker thread, while it builds the rest of the API: each
 * text, as it will be written, is parsed and checked against schemas/metric-summary.schema.json, and from the parsed
 * summaries and latest.json's other fields the published rankings are made (api.ts publishedRankings: the same values
 * a text's JSON gives back, so the same rankings). From the TypeScript sources (the unit tests), on this thread.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { checkDocument } from "../schemas/documents.js";
import type { AnalysisDatabase } from "../schemas/generated/analysis-database.js";
import type { MetricSummary } from "../schemas/generated/metric-summary.js";
import { publishedRankings, type PublishedRanking } from "./api.js";

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

/** The first problem, or the published rankings. */
export type SummaryWork = { problem: SummaryProblem } | { rankings: PublishedRanking[] };

/** The work on this thread. `skeleton` is latest.json without its summaries; `items` its summaries, in its order. */
export async function checkAndRankHere(items: SummaryText[], skeleton: string): Promise<SummaryWork> {
  const summaries: MetricSummary[] = [];
  for (let at = 0; at < items.length; at++) {
    const { label, text } = items[at] as SummaryText;
    // Each text is let go once read: the thread holds one at a time besides what ranking needs.
    items[at] = { label, text: "" };
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      return { problem: { label, errors: [`/: not JSON: ${(error as Error).message}`] } };
    }
    const check = await checkDocument("metric-summary", document);
    if (!check.valid) return { problem: { label, errors: check.errors } };
    summaries.push(forRanking(document as MetricSummary));
  }
  const database = { ...(JSON.parse(skeleton) as AnalysisDatabase), summaries };
  return { rankings: publishedRankings(database) };
}

/**
 * What ranking reads of a summary (rank.ts): of one in a headline configuration (the rows of a ranking) everything
 * but its instances' records, of which only each value; of any other only which metric, benchmark, implementation
 * and configuration it is (which implementations a metric has, which configuration is the headline).
 */
function forRanking(summary: MetricSummary): MetricSummary {
  if (summary.headlineConfiguration)
    return { ...summary, instances: summary.instances.map(({ value }) => ({ value })) } as unknown as MetricSummary;
  const { type, metric, benchmark, implementation, configuration, name, unit, headline, headlineConfiguration } =
    summary;
  return {
    ...{ type, metric, benchmark, implementation, configuration, name, unit, headline, headlineConfiguration },
    instances: [],
  } as unknown as MetricSummary;
}

/** The work on a worker thread (on this one from the sources). */
export async function checkAndRank(items: readonly SummaryText[], skeleton: string): Promise<SummaryWork> {
  const script = fileURLToPath(new URL("./summary-check-worker.js", import.meta.url));
  if (!existsSync(script)) return checkAndRankHere([...items], skeleton);
  const worker = new Worker(script);
  try {
    return await new Promise<SummaryWork>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
      worker.once("exit", (code) => reject(new Error(`the summary-checking thread exited with ${code}`)));
      worker.postMessage({ items, skeleton });
    });
  } finally {
    worker.removeAllListeners();
    await worker.terminate();
  }
}

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
import type { SummaryJson } from "./summary-json.js";

/** A summary's text and how to name it in an error. */
export interface SummaryText {
  label: string;
  text: string;
}

/** Each summary's text as `json` made it, named as an error about it names it. */
export function summaryTexts(summaries: readonly MetricSummary[], json: SummaryJson): SummaryText[] {
  return summaries.map((summary) => {
    const text = json.text(summary);
    if (text === undefined) throw new Error(`the summary of ${summary.type} ${summary.metric} has no text`);
    return {
      label: `the summary of ${summary.type} ${summary.metric} (${summary.implementation}, ${summary.configuration}) (to be written)`,
      text,
    };
  });
}

/** The first summary that does not match its schema, with the schema's errors. */
export interface SummaryProblem {
  label: string;
  errors: string[];
}

/** The first problem, or the published rankings. */
export type SummaryWork = { problem: SummaryProblem } | { rankings: PublishedRanking[] };

/** The work on this thread. `skeleton` is latest.json without its summaries; `items` its summaries, in its order. */
export async function checkAndRankHere(items: Iterable<SummaryText>, skeleton: string): Promise<SummaryWork> {
  const summaries: MetricSummary[] = [];
  for (const { label, text } of items) {
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
  if (!existsSync(script)) return checkAndRankHere(items, skeleton);
  const message = packTexts(items, skeleton);
  const worker = new Worker(script);
  try {
    return await new Promise<SummaryWork>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
      worker.once("exit", (code) => reject(new Error(`the summary-checking thread exited with ${code}`)));
      // The texts' bytes move to the thread (transferred, not copied); it reads one text at a time from them.
      worker.postMessage(message, [message.bytes]);
    });
  } finally {
    worker.removeAllListeners();
    await worker.terminate();
  }
}

/** The texts as one block of UTF-8 with each one's label and length, for {@link unpackTexts} on the thread. */
export interface PackedTexts {
  labels: string[];
  lengths: number[];
  bytes: ArrayBuffer;
  skeleton: string;
}

function packTexts(items: readonly SummaryText[], skeleton: string): PackedTexts {
  const lengths = items.map(({ text }) => Buffer.byteLength(text));
  const block = Buffer.allocUnsafeSlow(lengths.reduce((sum, length) => sum + length, 0));
  let offset = 0;
  items.forEach(({ text }, index) => (offset += block.write(text, offset, lengths[index] as number)));
  return { labels: items.map(({ label }) => label), lengths, bytes: block.buffer, skeleton };
}

/** The texts {@link packTexts} packed, one at a time. */
export function* unpackTexts({ labels, lengths, bytes }: PackedTexts): Generator<SummaryText> {
  const block = Buffer.from(bytes);
  let offset = 0;
  for (const [index, label] of labels.entries()) {
    const length = lengths[index] as number;
    yield { label, text: block.toString("utf8", offset, offset + length) };
    offset += length;
  }
}

/**
 * The database's files share their summaries: processed/latest.json holds every one, processed/by-metric/ the
 * headline configurations' again and api/v1/types/ each type's again. Each summary is serialized once here and
 * spliced into every file that holds it (the same bytes `stableJson` writes for the whole file), and each file keeps
 * its text without the summaries (its skeleton): analyze checks each file's skeleton against the file's schema and
 * each summary once against schemas/metric-summary.schema.json, instead of parsing every summary three times.
 */
import { stableJsonItem, stableJsonWithItems } from "../schemas/documents.js";
import type { MetricSummary } from "../schemas/generated/metric-summary.js";

/** Shared state of a {@link SummaryJson} and its views under other folders. */
interface Shared {
  texts: Map<MetricSummary, string>;
  skeletons: Map<string, string>;
}

/** Summaries' texts, made once per summary object, and the skeleton of every file written with them. */
export class SummaryJson {
  readonly #shared: Shared;
  readonly #prefix: string;

  constructor(shared: Shared = { texts: new Map(), skeletons: new Map() }, prefix = "") {
    this.#shared = shared;
    this.#prefix = prefix;
  }

  /** The same texts, with files named relative to `folder` (`api/v1/`) recorded under it. */
  under(folder: string): SummaryJson {
    return new SummaryJson(this.#shared, `${this.#prefix}${folder}`);
  }

  /**
   * The file `path` as `stableJson(document)` writes it. The summaries must not change once written: their texts
   * are kept by object.
   */
  write(path: string, document: { summaries: readonly MetricSummary[] }): string {
    const { texts } = this.#shared;
    const items = document.summaries.map((summary) => {
      let text = texts.get(summary);
      if (text === undefined) {
        text = stableJsonItem(summary);
        texts.set(summary, text);
      }
      return text;
    });
    const { text, skeleton } = stableJsonWithItems(document, "summaries", items);
    this.#shared.skeletons.set(`${this.#prefix}${path}`, skeleton);
    return text;
  }

  /**
   * Lets the summaries' texts go once every file holding them is written (the skeletons stay for the checks);
   * {@link text} then knows none.
   */
  releaseTexts(): void {
    this.#shared.texts.clear();
  }

  /** The text of a summary written here. */
  text(summary: MetricSummary): string | undefined {
    return this.#shared.texts.get(summary);
  }

  /** The file at `path` (relative to the root this was made at) without its summaries, if it was written here. */
  skeleton(path: string): string | undefined {
    return this.#shared.skeletons.get(path);
  }
}

/* DO NOT EDIT: generated from schemas/api-ranking.schema.json by `npm run generate:types`. */

/**
 * data/api/v1/rankings/<metric>.json and `aws-bench rank --json`: one metric's types ranked with rank intervals.
 */
export interface ApiRanking {
  schemaVersion: 1;
  dataset: Dataset;
  metric: string;
  implementation?: string;
  configuration?: string;
  unit: string;
  per: "instance" | "vcpu" | "core" | "dollar-hour" | "dollar-run";
  method: string;
  higherIsBetter?: boolean;
  /**
   * The price snapshot a price-based ranking used.
   */
  price?: {
    region: string;
    snapshotDate: string;
    source: string;
  };
  rows: {
    type: string;
    evidence: ("maintainer" | "community" | "local")[];
    n: number;
    /**
     * In the ranking's unit (per instance, vCPU, core, dollar-hour or dollar-run).
     */
    median: number;
    interval: {
      low: number;
      high: number;
      coverage: number;
      method: string;
    };
    /**
     * [1 + types significantly better, N − types significantly worse]; null when the type has fewer instances than --min-instances (listed unranked).
     *
     * @minItems 2
     * @maxItems 2
     */
    rank: number[] | null;
    /**
     * Rows with identical rank intervals share a group.
     */
    group?: number;
    flags: string[];
    provisional: boolean;
    relative?: {
      baseline: string;
      ratio: number;
      low?: number;
      high?: number;
      coverage?: number;
      method: string;
      verdict: string;
    };
    price?: {
      region: string;
      snapshotDate: string;
      onDemandUsdPerHour: number;
      /**
       * Median over the region's zones at the snapshot.
       */
      spotUsdPerHour?: number;
    };
  }[];
}
export interface Dataset {
  /**
   * `YYYY.MM.DD+<commit of data/raw>` (or the first 12 hex of inputsSha256 outside git).
   */
  version: string;
  asOf: string;
  /**
   * SHA-256 over the sorted (path, result.json SHA-256) of every run read.
   */
  inputsSha256: string;
  licence: "CC-BY-4.0";
  citation: string;
}

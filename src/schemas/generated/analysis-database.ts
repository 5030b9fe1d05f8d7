/* DO NOT EDIT: generated from schemas/analysis-database.schema.json by `npm run generate:types`. */

import type { MetricSummary } from "./metric-summary.js";

/**
 * data/processed/latest.json: everything `aws-bench analyze` derived from the collected runs, read by `rank` and `compare`. Regenerated deterministically: the same runs give the same bytes.
 */
export interface AnalysisDatabase {
  schemaVersion: 1;
  dataset: Dataset;
  prices?: {
    region: string;
    snapshotDate: string;
    source: string;
  };
  /**
   * Per instance type (or local host): its hardware, evidence and price.
   */
  types: {
    [k: string]: TypeFacts;
  };
  summaries: MetricSummary[];
  /**
   * Runs and sections not used, each with its reason: published, not dropped.
   */
  skipped: Skipped[];
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
export interface TypeFacts {
  hardware: Hardware;
  evidence: ("maintainer" | "community" | "local")[];
  runs: number;
  price?: Price;
  /**
   * Measured cost of a benchmark run itself: its duration × the on-demand price (median over runs).
   */
  runCostUsd?: {
    median: number;
    n: number;
  };
}
export interface Hardware {
  vcpus: number;
  cores?: number;
  memoryMiB?: number;
  architecture?: string;
  family?: string;
  cpuModels?: string[];
}
export interface Price {
  region: string;
  snapshotDate: string;
  onDemandUsdPerHour: number;
  /**
   * Median over the region's zones at the snapshot.
   */
  spotUsdPerHour?: number;
  /**
   * The lowest and highest zone price behind the spot median, and how many zones had one.
   */
  spotRangeUsdPerHour?: {
    low: number;
    high: number;
    zones: number;
  };
}
export interface Skipped {
  path: string;
  type?: string;
  reason: string;
  benchmark?: string;
}

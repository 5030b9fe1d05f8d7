/* DO NOT EDIT: generated from schemas/api-type.schema.json by `npm run generate:types`. */

import type { MetricSummary } from "./metric-summary.js";

/**
 * data/api/v1/types/<type>.json: everything measured on one instance type (or local host): its hardware, price and run cost, and every summary.
 */
export interface ApiType {
  schemaVersion: 1;
  dataset: Dataset;
  type: string;
  facts: TypeFacts;
  summaries: MetricSummary[];
  skipped?: Skipped[];
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

/* DO NOT EDIT: generated from schemas/price-snapshot.schema.json by `npm run generate:types`. */

/**
 * data/pricing/<region>.json: hourly Linux prices (shared tenancy, no pre-installed software) per instance type, with source and date, written by `aws-bench pricing`. Version 1.
 */
export interface PriceSnapshot {
  schemaVersion: 1;
  region: string;
  currency: "USD";
  source: {
    kind: "file" | "price-list-api";
    file?: string;
    sha256?: string;
    asOf: string;
  };
  onDemandUsdPerHour: {
    [k: string]: number;
  };
  /**
   * Linux/UNIX spot prices, USD per hour: for each instance type, the median over the region's availability zones of the price in effect in each zone when the snapshot was taken (`aws-bench pricing update`).
   */
  spotUsdPerHour?: {
    [k: string]: number;
  };
  /**
   * Per instance type, the lowest and highest of the spot prices behind `spotUsdPerHour` (one per availability zone) and how many zones had one: how far the median is from what a particular zone charges.
   */
  spotRangeUsdPerHour?: {
    [k: string]: {
      low: number;
      high: number;
      zones: number;
    };
  };
}

/**
 * Price snapshots (`data/pricing/<region>.json`): hourly on-demand Linux prices per instance type, with their
 * source and date, so plans estimate cost on a fresh clone without credentials. Read from a saved CSV
 * (`instance_type,usd_per_hour`) by `aws-bench pricing --input`; the Price List API path is not built yet.
 */
import { readRegularFile } from "../input-files.js";
import { basename } from "node:path";
import { sha256Hex } from "../checksums.js";
import { BenchError } from "../errors.js";
import { isInstanceTypeName } from "../discovery/instance-type-name.js";
import type { PriceSnapshot } from "../schemas/generated/price-snapshot.js";

/** Parses a price CSV; throws `InputUnreadable` or `InputMalformed` naming the file and line. */
export function priceSnapshotFromCsv(path: string, region: string, asOf: string): PriceSnapshot {
  let bytes: Buffer;
  try {
    bytes = readRegularFile(path);
  } catch (error) {
    throw new BenchError(
      "InputUnreadable",
      `Cannot read --input ${path}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "it does not exist" : (error as Error).message}.`,
      { fix: "Pass a CSV with the header instance_type,usd_per_hour." },
    );
  }
  const lines = bytes
    .toString("utf8")
    .split(/\r?\n/)
    .filter((line) => line.trim() !== "");
  if (lines[0]?.trim() !== "instance_type,usd_per_hour") {
    throw new BenchError("InputMalformed", `${path}: line 1 must be the header 'instance_type,usd_per_hour'.`, {
      fix: "Save the prices as instance_type,usd_per_hour.",
    });
  }
  const prices: Record<string, number> = {};
  lines.slice(1).forEach((line, index) => {
    const [type, price] = line.split(",").map((cell) => cell.trim());
    if (!type || !isInstanceTypeName(type) || price === undefined || !/^\d+(\.\d+)?$/.test(price)) {
      throw new BenchError(
        "InputMalformed",
        `${path}: line ${index + 2} ('${line}') is not instance_type,usd_per_hour.`,
        { fix: "Correct or remove that line." },
      );
    }
    prices[type] = Number(price);
  });
  if (Object.keys(prices).length === 0)
    throw new BenchError("EmptyResult", `${path} lists no prices.`, { fix: "Pass the full price list." });
  return {
    schemaVersion: 1,
    region,
    currency: "USD",
    source: { kind: "file", file: basename(path), sha256: sha256Hex(bytes), asOf },
    onDemandUsdPerHour: prices,
  };
}

/** Cost of `seconds` of an instance at `usdPerHour`, billed per second with EC2's 60-second minimum. */
export function instanceCost(usdPerHour: number, seconds: number): number {
  return (usdPerHour * Math.max(60, Math.ceil(seconds))) / 3600;
}

/** A cost in USD as plans and summaries show it: to a hundredth of a cent. */
export function roundUsd(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

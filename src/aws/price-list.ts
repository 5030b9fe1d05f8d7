/**
 * Current prices from AWS for `aws-bench pricing update`: hourly on-demand Linux prices from the Price List API
 * (`GetProducts`) and spot prices from EC2's spot price history, as a price snapshot for one region.
 *
 * The Price List API answers only in {@link priceListApiRegions} but describes every region, so the target region
 * is a filter (`regionCode`), not the endpoint. Spot prices come from the target region's own EC2 endpoint.
 * SDK modules are imported inside the functions that call AWS.
 */
import type { EC2Client, SpotPrice } from "@aws-sdk/client-ec2";
import type { PricingClient } from "@aws-sdk/client-pricing";
import { BenchError } from "../errors.js";
import { isInstanceTypeName } from "../discovery/instance-type-name.js";
import type { PriceSnapshot } from "../schemas/generated/price-snapshot.js";
import {
  createEc2Client,
  createPricingClient,
  priceListApiRegions,
  resolvedRegion,
  type AwsSettings,
} from "./clients.js";
import { awsErrorToBenchError } from "./errors.js";

/** A region whose endpoint serves the Price List API. */
export type PriceListApiRegion = (typeof priceListApiRegions)[number];

/** One `GetProducts` filter; every filter here is an exact `TERM_MATCH`. */
export interface PriceListFilter {
  /** Always `TERM_MATCH`. */
  Type: "TERM_MATCH";
  /** Product attribute, e.g. `operatingSystem`. */
  Field: string;
  /** The attribute's value. */
  Value: string;
}

/**
 * The products whose on-demand price a snapshot records: Linux without pre-installed software or a licence, on
 * shared tenancy, as a running instance (`capacitystatus=Used`, not an unused reservation).
 */
export function onDemandLinuxFilters(region: string): PriceListFilter[] {
  return [
    { Type: "TERM_MATCH", Field: "regionCode", Value: region },
    { Type: "TERM_MATCH", Field: "operatingSystem", Value: "Linux" },
    { Type: "TERM_MATCH", Field: "tenancy", Value: "Shared" },
    { Type: "TERM_MATCH", Field: "preInstalledSw", Value: "NA" },
    { Type: "TERM_MATCH", Field: "capacitystatus", Value: "Used" },
    { Type: "TERM_MATCH", Field: "licenseModel", Value: "No License required" },
  ];
}

/** Why a Price List entry gave no price. */
export type SkipReason = "no-on-demand-term" | "zero-price" | "not-on-demand-market" | "not-the-region";

/** What one Price List entry says: an hourly on-demand price, or why it has none. */
export type PriceListOffer =
  | { kind: "price"; sku: string; instanceType: string; usdPerHour: number }
  | { kind: "skipped"; sku: string; instanceType: string; reason: SkipReason };

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const decimalPattern = /^\d+(\.\d+)?$/;

/**
 * Reads one `PriceList` entry: a JSON document as a string (the SDK hands it over as a boxed `String`, its
 * `LazyJsonString`). Takes `terms.OnDemand → priceDimensions → pricePerUnit.USD` of the dimensions billed in
 * `Hrs`; reserved terms and upfront fees are ignored. Throws `InputMalformed` naming the SKU (or, when the entry
 * is not even JSON, `where`).
 *
 * @param entry - one element of `GetProductsResponse.PriceList`
 * @param where - where the entry came from, for messages (e.g. `GetProducts page 2, entry 17`)
 */
export function offerFromPriceListEntry(entry: unknown, where: string): PriceListOffer {
  const text = typeof entry === "string" ? entry : entry instanceof String ? entry.toString() : undefined;
  if (text === undefined) throw malformed(`${where} is ${entry === null ? "null" : typeof entry}, not a JSON string`);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    // A truncated entry often still shows its SKU near the start.
    const sku = /"sku"\s*:\s*"([^"]+)"/.exec(text)?.[1];
    throw malformed(`${where}${sku ? ` (SKU ${sku})` : ""} is not valid JSON: ${(error as Error).message}`);
  }
  const product = isObject(document) ? document["product"] : undefined;
  const sku = isObject(product) && typeof product["sku"] === "string" ? product["sku"] : undefined;
  if (!sku) throw malformed(`${where} has no product.sku`);
  const attributes = isObject(product) ? product["attributes"] : undefined;
  const instanceType = isObject(attributes) ? attributes["instanceType"] : undefined;
  if (typeof instanceType !== "string" || !isInstanceTypeName(instanceType)) {
    throw malformed(
      `SKU ${sku} (${where}) has no valid product.attributes.instanceType (got ${JSON.stringify(instanceType)})`,
    );
  }
  const attribute = (name: string) =>
    isObject(attributes) && typeof attributes[name] === "string" ? attributes[name] : undefined;
  // Capacity Blocks and the like share the filters but are not the on-demand price.
  const market = attribute("marketoption");
  if (market !== undefined && market !== "OnDemand")
    return { kind: "skipped", sku, instanceType, reason: "not-on-demand-market" };
  // Local and Wavelength Zones are priced apart from their parent region; the snapshot describes the region.
  const locationType = attribute("locationType");
  if (locationType !== undefined && locationType !== "AWS Region")
    return { kind: "skipped", sku, instanceType, reason: "not-the-region" };

  const terms = isObject(document) ? document["terms"] : undefined;
  if (terms !== undefined && !isObject(terms)) throw malformed(`SKU ${sku} (${instanceType}): terms is not an object`);
  const onDemand = terms?.["OnDemand"];
  if (onDemand === undefined) return { kind: "skipped", sku, instanceType, reason: "no-on-demand-term" };
  if (!isObject(onDemand)) throw malformed(`SKU ${sku} (${instanceType}): terms.OnDemand is not an object`);
  const hourly = new Set<number>();
  for (const [termCode, term] of Object.entries(onDemand)) {
    const dimensions = isObject(term) ? term["priceDimensions"] : undefined;
    if (!isObject(dimensions))
      throw malformed(`SKU ${sku} (${instanceType}): on-demand term ${termCode} has no priceDimensions`);
    for (const [rateCode, dimension] of Object.entries(dimensions)) {
      if (!isObject(dimension) || dimension["unit"] !== "Hrs") continue;
      const usd = isObject(dimension["pricePerUnit"]) ? dimension["pricePerUnit"]["USD"] : undefined;
      if (typeof usd !== "string" || !decimalPattern.test(usd)) {
        throw malformed(
          `SKU ${sku} (${instanceType}): rate ${rateCode} has no USD price per hour (pricePerUnit.USD is ${JSON.stringify(usd)})`,
        );
      }
      const price = Number(usd);
      if (price > 0) hourly.add(price);
    }
  }
  if (hourly.size > 1) {
    throw malformed(
      `SKU ${sku} (${instanceType}) has several on-demand hourly prices (${[...hourly].join(", ")} USD); which one applies is unclear`,
    );
  }
  const [price] = hourly;
  return price === undefined
    ? { kind: "skipped", sku, instanceType, reason: "zero-price" }
    : { kind: "price", sku, instanceType, usdPerHour: price };
}

/** On-demand prices per instance type, and how many entries gave none and why. */
export interface OnDemandPrices {
  /** Instance type → USD per hour. */
  usdPerHour: Record<string, number>;
  /** Price List entries read. */
  entries: number;
  /** Entries without a usable price, by reason. */
  skipped: Partial<Record<SkipReason, number>>;
}

/**
 * Folds offers into one price per instance type. Two SKUs for the same type must agree: when they do not, the
 * filters matched products they were not meant to, and guessing would put a wrong price into plans.
 */
export function collectOnDemandPrices(offers: readonly PriceListOffer[]): OnDemandPrices {
  const usdPerHour: Record<string, number> = {};
  const skuOf = new Map<string, string>();
  const skipped: Partial<Record<SkipReason, number>> = {};
  for (const offer of offers) {
    if (offer.kind === "skipped") {
      skipped[offer.reason] = (skipped[offer.reason] ?? 0) + 1;
      continue;
    }
    const known = usdPerHour[offer.instanceType];
    if (known !== undefined && known !== offer.usdPerHour) {
      throw malformed(
        `${offer.instanceType} has two on-demand prices: ${known} USD/h (SKU ${skuOf.get(offer.instanceType)}) and ${offer.usdPerHour} USD/h (SKU ${offer.sku})`,
      );
    }
    usdPerHour[offer.instanceType] = offer.usdPerHour;
    skuOf.set(offer.instanceType, offer.sku);
  }
  return { usdPerHour, entries: offers.length, skipped };
}

/** Reads every page of `GetProducts` for `region`'s on-demand Linux prices; `client` may be in any Price List region. */
export async function fetchOnDemandPrices(
  client: PricingClient,
  region: string,
  settings: AwsSettings,
): Promise<OnDemandPrices> {
  const { paginateGetProducts } = await import("@aws-sdk/client-pricing");
  const filters = onDemandLinuxFilters(region);
  const offers: PriceListOffer[] = [];
  let page = 0;
  try {
    const pages = paginateGetProducts(
      { client, pageSize: 100, stopOnSameToken: true },
      { ServiceCode: "AmazonEC2", FormatVersion: "aws_v1", Filters: filters },
    );
    for await (const response of pages) {
      page++;
      // The SDK types PriceList loosely (string[] or one JSON value); at run time it is an array of strings.
      const entries: unknown = response.PriceList ?? [];
      if (!Array.isArray(entries)) throw malformed(`GetProducts page ${page}: PriceList is not a list`);
      entries.forEach((entry, index) =>
        offers.push(offerFromPriceListEntry(entry, `GetProducts page ${page}, entry ${index + 1}`)),
      );
    }
  } catch (error) {
    throw awsErrorToBenchError(error, {
      ...settings,
      region: await client.config.region(),
      action: "pricing:GetProducts",
    });
  }
  const prices = collectOnDemandPrices(offers);
  if (Object.keys(prices.usdPerHour).length === 0) {
    const asked = ["ServiceCode=AmazonEC2", ...filters.map((f) => `${f.Field}=${f.Value}`)].join(", ");
    const found =
      offers.length === 0 ? "no products" : `${offers.length} products but no non-zero on-demand hourly price`;
    throw new BenchError("EmptyResult", `The Price List API returned ${found} for ${asked}.`, {
      fix: `Check that ${region} is a region code the Price List knows (e.g. eu-west-1) and that AWS_ENDPOINT_URL does not point elsewhere.`,
    });
  }
  return prices;
}

/** Spot prices per instance type, and what they were computed from. */
export interface SpotPrices {
  /** Instance type → USD per hour: the median over zones of each zone's latest price. */
  usdPerHour: Record<string, number>;
  /** Instance type → the lowest and highest zone price behind the median, and how many zones priced it. */
  ranges: Record<string, { low: number; high: number; zones: number }>;
  /** Price records read (all pages). */
  records: number;
}

/** Product descriptions of Linux spot prices: the plain one, and the name EC2-Classic-era accounts still see. */
const linuxSpotDescriptions = new Set(["Linux/UNIX", "Linux/UNIX (Amazon VPC)"]);

/**
 * The median of `values` (the mean of the middle two for an even count), rounded to 1e-7 USD so that the mean of
 * two 6-decimal prices is written without floating-point noise. Throws on an empty list.
 */
export function medianPrice(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("medianPrice of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1
      ? (sorted[middle] as number)
      : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return Math.round(median * 1e7) / 1e7;
}

/**
 * One spot price per instance type from a price history: for each type and zone the latest record, then the
 * median across zones. The median, not the maximum: runs land in whichever zone has capacity, and the median is
 * what a typical zone charges; a single capacity-starved zone priced near on-demand would otherwise set the
 * price of the whole type. Zero prices and non-Linux records are ignored; a record without type, zone, price or
 * time throws `InputMalformed`.
 */
export function spotPricesByType(history: readonly SpotPrice[]): Record<string, number> {
  const prices: Record<string, number> = {};
  for (const [type, zones] of latestZonePrices(history)) prices[type] = medianPrice(zones);
  return prices;
}

/** Per type, the lowest and highest of the zone prices {@link spotPricesByType} takes the median of, and their count. */
export function spotRangesByType(
  history: readonly SpotPrice[],
): Record<string, { low: number; high: number; zones: number }> {
  const ranges: Record<string, { low: number; high: number; zones: number }> = {};
  for (const [type, zones] of latestZonePrices(history))
    ranges[type] = { low: Math.min(...zones), high: Math.max(...zones), zones: zones.length };
  return ranges;
}

/** Per type, each zone's latest nonzero Linux price (the checks of {@link spotPricesByType}). */
function latestZonePrices(history: readonly SpotPrice[]): Map<string, number[]> {
  const latest = new Map<string, Map<string, { usdPerHour: number; at: number }>>();
  for (const record of history) {
    if (record.ProductDescription !== undefined && !linuxSpotDescriptions.has(record.ProductDescription)) continue;
    const zone = record.AvailabilityZoneId ?? record.AvailabilityZone;
    const at = record.Timestamp instanceof Date ? record.Timestamp.getTime() : Number.NaN;
    if (
      !record.InstanceType ||
      !isInstanceTypeName(record.InstanceType) ||
      !zone ||
      !record.SpotPrice ||
      !decimalPattern.test(record.SpotPrice) ||
      Number.isNaN(at)
    ) {
      throw malformed(`DescribeSpotPriceHistory returned an incomplete record: ${JSON.stringify(record)}`);
    }
    const price = Number(record.SpotPrice);
    if (price === 0) continue;
    const zones = latest.get(record.InstanceType) ?? new Map<string, { usdPerHour: number; at: number }>();
    const known = zones.get(zone);
    if (!known || at > known.at) zones.set(zone, { usdPerHour: price, at });
    latest.set(record.InstanceType, zones);
  }
  return new Map([...latest].map(([type, zones]) => [type, [...zones.values()].map((z) => z.usdPerHour)]));
}

/** Reads every page of the Linux spot prices in effect at `now` in the client's region. */
export async function fetchSpotPrices(
  client: EC2Client,
  region: string,
  settings: AwsSettings,
  now: Date,
): Promise<SpotPrices> {
  const { paginateDescribeSpotPriceHistory } = await import("@aws-sdk/client-ec2");
  const history: SpotPrice[] = [];
  try {
    // With a start time and no end time, EC2 returns per type and zone the price in effect at that time.
    const pages = paginateDescribeSpotPriceHistory(
      { client, pageSize: 1000, stopOnSameToken: true },
      { ProductDescriptions: ["Linux/UNIX"], StartTime: now },
    );
    for await (const page of pages) history.push(...(page.SpotPriceHistory ?? []));
  } catch (error) {
    throw awsErrorToBenchError(error, { ...settings, region, action: "ec2:DescribeSpotPriceHistory" });
  }
  const usdPerHour = spotPricesByType(history);
  if (Object.keys(usdPerHour).length === 0) {
    throw new BenchError(
      "EmptyResult",
      `DescribeSpotPriceHistory in ${region} returned no Linux/UNIX spot prices (ProductDescriptions=Linux/UNIX, StartTime=${now.toISOString()}).`,
      {
        fix: "Check the region and AWS_ENDPOINT_URL, or pass --no-spot to record on-demand prices only.",
      },
    );
  }
  return { usdPerHour, ranges: spotRangesByType(history), records: history.length };
}

/** What `pricing update` needs. */
export interface PriceListUpdateOptions {
  /** `--profile` and `--region` (the target region; the credential chain's region when absent). */
  settings: AwsSettings;
  /**
   * Endpoint of the Price List API.
   * @default "us-east-1"
   */
  priceListRegion?: PriceListApiRegion;
  /** Also read spot prices. */
  spot: boolean;
  /** The moment the prices describe; the snapshot's `asOf` is its UTC date. */
  now: Date;
  /** One line per step (stderr in the CLI). */
  onProgress?: (line: string) => void;
}

/** A snapshot fetched from AWS and the numbers behind it. */
export interface PriceListUpdate {
  /** The snapshot to write. */
  snapshot: PriceSnapshot;
  /** Where the Price List API was asked. */
  priceListRegion: PriceListApiRegion;
  /** The on-demand side: entries read and skipped. */
  onDemand: OnDemandPrices;
  /** The spot side, unless spot prices were not asked for. */
  spot?: SpotPrices;
}

/** Fetches today's on-demand (and, unless `spot` is false, spot) Linux prices for one region as a snapshot. */
export async function priceSnapshotFromAws(options: PriceListUpdateOptions): Promise<PriceListUpdate> {
  const { settings, spot, now } = options;
  const priceListRegion = options.priceListRegion ?? priceListApiRegions[0];
  if (!(priceListApiRegions as readonly string[]).includes(priceListRegion)) {
    throw new BenchError("InvalidArgument", `The Price List API does not answer in ${String(priceListRegion)}.`, {
      fix: `Use one of ${priceListApiRegions.join(", ")}.`,
    });
  }
  const progress = options.onProgress ?? (() => undefined);
  // The EC2 client settles the target region (flag or chain) even when spot prices are not read.
  const ec2 = await createEc2Client(settings);
  try {
    const region = await resolvedRegion(ec2, settings);
    const pricing = await createPricingClient(settings, priceListRegion);
    let onDemand: OnDemandPrices;
    try {
      progress(`pricing: reading on-demand Linux prices for ${region} from the Price List API (${priceListRegion})`);
      onDemand = await fetchOnDemandPrices(pricing, region, settings);
    } finally {
      pricing.destroy();
    }
    let spotPrices: SpotPrices | undefined;
    if (spot) {
      progress(`pricing: reading spot prices in ${region}`);
      spotPrices = await fetchSpotPrices(ec2, region, settings, now);
    }
    const snapshot: PriceSnapshot = {
      schemaVersion: 1,
      region,
      currency: "USD",
      source: { kind: "price-list-api", asOf: now.toISOString().slice(0, 10) },
      onDemandUsdPerHour: onDemand.usdPerHour,
      ...(spotPrices ? { spotUsdPerHour: spotPrices.usdPerHour, spotRangeUsdPerHour: spotPrices.ranges } : {}),
    };
    return { snapshot, priceListRegion, onDemand, ...(spotPrices ? { spot: spotPrices } : {}) };
  } finally {
    ec2.destroy();
  }
}

function malformed(message: string): BenchError {
  return new BenchError("InputMalformed", `${message}.`, {
    fix: "AWS returned an unexpected price document; run again later, and report it if it persists.",
  });
}

/**
 * `aws-bench pricing update`: on-demand prices from the Price List API (GetProducts) and spot prices from
 * DescribeSpotPriceHistory, through aws-sdk-client-mock. The real response shapes come from ../shared/fixtures
 * (read in place; those tests are skipped, with the reason printed, where ../shared is absent); pagination,
 * several types, malformed and zero-priced entries, zones and failures use entries made here in the same shape.
 * The last block sends one real request through the SDK to a local HTTP server, because the SDK hands PriceList
 * entries over as boxed strings (LazyJsonString), which a mock cannot show.
 */
import { DescribeSpotPriceHistoryCommand, EC2Client, type SpotPrice } from "@aws-sdk/client-ec2";
import { GetProductsCommand, PricingClient } from "@aws-sdk/client-pricing";
import { mockClient } from "aws-sdk-client-mock";
import fc from "fast-check";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  collectOnDemandPrices,
  medianPrice,
  offerFromPriceListEntry,
  onDemandLinuxFilters,
  spotPricesByType,
  spotRangesByType,
} from "../../../src/aws/price-list.js";
import { BenchError } from "../../../src/errors.js";
import { memoryIo } from "../../../src/cli/io.js";
import { exec } from "../../../src/cli/main.js";
import { checkDocument } from "../../../src/schemas/documents.js";
import type { PriceSnapshot } from "../../../src/schemas/generated/price-snapshot.js";
import { isolateAws } from "../../helpers/aws-env.js";
import { hasSharedFixtures } from "../../helpers/prerequisites.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const sharedApi = join(import.meta.dirname, "..", "..", "..", "..", "shared", "fixtures", "aws-api");
const wrapperPath = join(sharedApi, "pricing-get-products.m5.large.RECONSTRUCTED-wrapper.json");
const itemPath = join(sharedApi, "pricing-pricelist-item.instance-selector-fixture.m5_large.json");
const sharedPresent = hasSharedFixtures("the real Price List shapes", [wrapperPath, itemPath]);

const pricing = mockClient(PricingClient);
const ec2 = mockClient(EC2Client);
const tempDir = useTempDir();

beforeEach(() => {
  pricing.reset();
  ec2.reset();
  isolateAws(true);
});
afterEach(() => vi.unstubAllEnvs());

interface EntryOptions {
  sku?: string;
  attributes?: Record<string, string>;
  /** Replaces terms.OnDemand; `null` leaves the OnDemand term out. */
  onDemand?: unknown;
}

/** A PriceList entry in the real shape (product, attributes, OnDemand and Reserved terms), as the JSON string AWS sends. */
function priceListEntry(instanceType: string, usdPerHour: string, options: EntryOptions = {}): string {
  const sku = options.sku ?? `SKU${instanceType.replace(/[^a-z0-9]/g, "").toUpperCase()}`;
  const onDemand = {
    [`${sku}.JRTCKXETXF`]: {
      priceDimensions: {
        [`${sku}.JRTCKXETXF.6YS6EN2CT7`]: {
          unit: "Hrs",
          endRange: "Inf",
          description: `$${usdPerHour} per On Demand Linux ${instanceType} Instance Hour`,
          appliesTo: [],
          rateCode: `${sku}.JRTCKXETXF.6YS6EN2CT7`,
          beginRange: "0",
          pricePerUnit: { USD: usdPerHour },
        },
      },
      sku,
      effectiveDate: "2026-07-01T00:00:00Z",
      offerTermCode: "JRTCKXETXF",
      termAttributes: {},
    },
  };
  const reserved = {
    [`${sku}.CUZHX8X6JH`]: {
      priceDimensions: {
        [`${sku}.CUZHX8X6JH.2TG2D8R56U`]: {
          unit: "Quantity",
          description: "Upfront Fee",
          pricePerUnit: { USD: "294" },
        },
        [`${sku}.CUZHX8X6JH.6YS6EN2CT7`]: {
          unit: "Hrs",
          description: "reserved instance applied",
          pricePerUnit: { USD: "0.0010000000" },
        },
      },
      sku,
      offerTermCode: "CUZHX8X6JH",
      termAttributes: { LeaseContractLength: "1yr", OfferingClass: "convertible", PurchaseOption: "Partial Upfront" },
    },
  };
  return JSON.stringify({
    product: {
      productFamily: "Compute Instance",
      attributes: {
        instanceType,
        operatingSystem: "Linux",
        tenancy: "Shared",
        preInstalledSw: "NA",
        capacitystatus: "Used",
        licenseModel: "No License required",
        locationType: "AWS Region",
        regionCode: "eu-west-1",
        marketoption: "OnDemand",
        usagetype: `EU-BoxUsage:${instanceType}`,
        ...options.attributes,
      },
      sku,
    },
    serviceCode: "AmazonEC2",
    terms: { ...(options.onDemand === null ? {} : { OnDemand: options.onDemand ?? onDemand }), Reserved: reserved },
    version: "20260701000000",
    publicationDate: "2026-07-01T00:00:00Z",
  });
}

/** Serves `pages` of PriceList entries with NextTokens; records each call's token and the endpoint's region at call time. */
function serveProducts(pages: unknown[][], firstToken = "page-1") {
  const calls: Array<{ token: string | undefined; region: string; input: Record<string, unknown> }> = [];
  pricing.on(GetProductsCommand).callsFake(async (input: { NextToken?: string }, getClient: () => PricingClient) => {
    calls.push({ token: input.NextToken, region: await getClient().config.region(), input: structuredClone(input) });
    const index =
      input.NextToken === undefined
        ? 0
        : input.NextToken === firstToken
          ? 1
          : Number(input.NextToken.replace("page-", ""));
    const next = index + 1 < pages.length ? (index === 0 ? firstToken : `page-${index + 1}`) : undefined;
    return { FormatVersion: "aws_v1", PriceList: pages[index], ...(next ? { NextToken: next } : {}) };
  });
  return calls;
}

function spot(instanceType: string, zone: string, price: string, minutesAgo = 10): SpotPrice {
  return {
    AvailabilityZone: zone,
    InstanceType: instanceType as SpotPrice["InstanceType"],
    ProductDescription: "Linux/UNIX",
    SpotPrice: price,
    Timestamp: new Date(Date.now() - minutesAgo * 60_000),
  };
}

/** Serves spot price history in pages with NextTokens; records each call's token, input and region. */
function serveSpot(pages: SpotPrice[][]) {
  const calls: Array<{ token: string | undefined; region: string; input: Record<string, unknown> }> = [];
  ec2
    .on(DescribeSpotPriceHistoryCommand)
    .callsFake(async (input: { NextToken?: string }, getClient: () => EC2Client) => {
      calls.push({ token: input.NextToken, region: await getClient().config.region(), input: { ...input } });
      const index = input.NextToken === undefined ? 0 : Number(input.NextToken.replace("spot-", ""));
      return {
        SpotPriceHistory: pages[index],
        ...(index + 1 < pages.length ? { NextToken: `spot-${index + 1}` } : {}),
      };
    });
  return calls;
}

/** An entry cut off a little after its product SKU, as a broken transfer might leave it. */
const truncatedAfterSku = (entry: string) => entry.slice(0, entry.indexOf('"sku":"') + 20);

const today = () => new Date().toISOString().slice(0, 10);

async function pricingCli(...args: string[]) {
  const dir = tempDir();
  const io = memoryIo({ cwd: dir });
  const before = today();
  const code = await exec(["pricing", ...args], io);
  const snapshotDir = join(dir, "data", "pricing");
  const files = existsSync(snapshotDir) ? readdirSync(snapshotDir) : [];
  const read = (name: string) => JSON.parse(readFileSync(join(snapshotDir, name), "utf8")) as PriceSnapshot;
  return { code, out: io.out(), err: io.err(), dir, files, read, dates: [before, today()] };
}

function expectCliError(run: () => unknown, code: string, message: RegExp) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(BenchError);
    expect((error as BenchError).code).toBe(code);
    expect((error as BenchError).message).toMatch(message);
    return;
  }
  expect.fail(`expected BenchError ${code}`);
}

describe.skipIf(!sharedPresent)("the real Price List shapes in ../shared/fixtures", () => {
  it("reads the on-demand hourly price of the real m5.large entry and ignores its reserved terms and upfront fees", () => {
    const item = JSON.parse(readFileSync(itemPath, "utf8")) as { product: { sku: string } };
    const offer = offerFromPriceListEntry(JSON.stringify(item), "fixture");
    expect(offer).toEqual({ kind: "price", sku: item.product.sku, instanceType: "m5.large", usdPerHour: 0.096 });
    // The SDK delivers each entry as a boxed String (its LazyJsonString), not a primitive.
    expect(offerFromPriceListEntry(new String(JSON.stringify(item)), "fixture")).toEqual(offer);
  });

  it("follows the real response's NextToken to the next page and keeps every page's prices", async () => {
    const wrapper = JSON.parse(readFileSync(wrapperPath, "utf8")) as { PriceList: string[]; NextToken: string };
    expect(typeof wrapper.PriceList[0]).toBe("string");
    const calls = serveProducts([wrapper.PriceList, [priceListEntry("c7g.large", "0.0725000000")]], wrapper.NextToken);
    const { code, read, err } = await pricingCli("update", "--region", "us-east-1", "--no-spot");
    expect(err).not.toContain("error");
    expect(code).toBe(0);
    expect(calls.map((c) => c.token)).toEqual([undefined, wrapper.NextToken]);
    expect(read("us-east-1.json").onDemandUsdPerHour).toEqual({ "c7g.large": 0.0725, "m5.large": 0.096 });
  });
});

describe("Price List entries", () => {
  it("skips zero prices, products without an on-demand term, Capacity Blocks and Local Zones", () => {
    const offers = [
      priceListEntry("m7i.large", "0.1008000000"),
      priceListEntry("m7i.xlarge", "0.0000000000"),
      priceListEntry("m7i.2xlarge", "0.4032000000", { onDemand: null }),
      priceListEntry("p5.48xlarge", "31.4640000000", { attributes: { marketoption: "CapacityBlock" } }),
      priceListEntry("c6i.large", "0.1020000000", { attributes: { locationType: "AWS Local Zone" } }),
    ].map((entry, i) => offerFromPriceListEntry(entry, `entry ${i + 1}`));
    expect(collectOnDemandPrices(offers)).toEqual({
      usdPerHour: { "m7i.large": 0.1008 },
      entries: 5,
      skipped: { "zero-price": 1, "no-on-demand-term": 1, "not-on-demand-market": 1, "not-the-region": 1 },
    });
  });

  it("names the SKU of a malformed entry", () => {
    const withUsd = (usd: unknown) => ({
      "SKUX.T": { priceDimensions: { "SKUX.T.R": { unit: "Hrs", pricePerUnit: { USD: usd } } } },
    });
    expectCliError(
      () =>
        offerFromPriceListEntry(
          priceListEntry("m7i.large", "x", { sku: "SKUX", onDemand: withUsd("cheap") }),
          "page 1, entry 3",
        ),
      "InputMalformed",
      /SKU SKUX \(m7i\.large\): rate SKUX\.T\.R has no USD price per hour \(pricePerUnit\.USD is "cheap"\)/,
    );
    expectCliError(
      () =>
        offerFromPriceListEntry(priceListEntry("m7i.large", "x", { sku: "SKUX", onDemand: withUsd(undefined) }), "e"),
      "InputMalformed",
      /SKU SKUX .*pricePerUnit\.USD is undefined/,
    );
    expectCliError(
      () => offerFromPriceListEntry(priceListEntry("m7i.large", "1", { sku: "SKUY", onDemand: { "SKUY.T": {} } }), "e"),
      "InputMalformed",
      /SKU SKUY \(m7i\.large\): on-demand term SKUY\.T has no priceDimensions/,
    );
    expectCliError(
      () => offerFromPriceListEntry(priceListEntry("Not A Type", "1", { sku: "SKUZ" }), "page 2, entry 1"),
      "InputMalformed",
      /SKU SKUZ \(page 2, entry 1\) has no valid product\.attributes\.instanceType \(got "Not A Type"\)/,
    );
    expectCliError(
      () =>
        offerFromPriceListEntry(
          truncatedAfterSku(priceListEntry("m7i.large", "1", { sku: "SKUT" })),
          "page 4, entry 9",
        ),
      "InputMalformed",
      /page 4, entry 9 \(SKU SKUT\) is not valid JSON/,
    );
    expectCliError(
      () => offerFromPriceListEntry({ product: {} }, "page 1, entry 1"),
      "InputMalformed",
      /page 1, entry 1 is object, not a JSON string/,
    );
    expectCliError(
      () => offerFromPriceListEntry(JSON.stringify({ terms: {} }), "page 1, entry 2"),
      "InputMalformed",
      /page 1, entry 2 has no product\.sku/,
    );
  });

  it("refuses two different prices for one type, and one SKU with two hourly prices", () => {
    const a = offerFromPriceListEntry(priceListEntry("m7i.large", "0.1008", { sku: "AAA" }), "e1");
    const same = offerFromPriceListEntry(priceListEntry("m7i.large", "0.1008", { sku: "BBB" }), "e2");
    const other = offerFromPriceListEntry(priceListEntry("m7i.large", "0.2016", { sku: "CCC" }), "e3");
    expect(collectOnDemandPrices([a, same]).usdPerHour).toEqual({ "m7i.large": 0.1008 });
    expectCliError(
      () => collectOnDemandPrices([a, other]),
      "InputMalformed",
      /m7i\.large has two on-demand prices: 0\.1008 USD\/h \(SKU AAA\) and 0\.2016 USD\/h \(SKU CCC\)/,
    );
    const twoRates = {
      "D.T": {
        priceDimensions: {
          "D.T.1": { unit: "Hrs", pricePerUnit: { USD: "0.1" } },
          "D.T.2": { unit: "Hrs", pricePerUnit: { USD: "0.2" } },
        },
      },
    };
    expectCliError(
      () => offerFromPriceListEntry(priceListEntry("m7i.large", "x", { sku: "D", onDemand: twoRates }), "e"),
      "InputMalformed",
      /SKU D \(m7i\.large\) has several on-demand hourly prices \(0\.1, 0\.2 USD\)/,
    );
  });
});

describe("spot prices", () => {
  it("takes each zone's latest price and the median across zones", () => {
    const prices = spotPricesByType([
      spot("m7i.large", "eu-west-1a", "0.040000"),
      spot("m7i.large", "eu-west-1b", "0.030000"),
      spot("m7i.large", "eu-west-1c", "0.090000"),
      // An older record of zone a: superseded by the one above.
      spot("m7i.large", "eu-west-1a", "0.010000", 60),
      spot("c7g.large", "eu-west-1a", "0.021000"),
      spot("c7g.large", "eu-west-1b", "0.024000"),
      spot("r7i.large", "eu-west-1b", "0.000000"),
      { ...spot("m7i.large", "eu-west-1a", "9.000000"), ProductDescription: "Windows" },
    ]);
    expect(prices).toEqual({ "m7i.large": 0.04, "c7g.large": 0.0225 });
  });

  it("gives the range across zones behind each median, from the same latest prices", () => {
    const ranges = spotRangesByType([
      spot("m7i.large", "eu-west-1a", "0.040000"),
      spot("m7i.large", "eu-west-1b", "0.030000"),
      spot("m7i.large", "eu-west-1c", "0.090000"),
      spot("m7i.large", "eu-west-1c", "0.500000", 60),
      spot("c7g.large", "eu-west-1a", "0.021000"),
      spot("r7i.large", "eu-west-1b", "0.000000"),
    ]);
    expect(ranges).toEqual({
      "m7i.large": { low: 0.03, high: 0.09, zones: 3 },
      "c7g.large": { low: 0.021, high: 0.021, zones: 1 },
    });
  });

  it("rejects an incomplete record", () => {
    expectCliError(
      () => spotPricesByType([{ ...spot("m7i.large", "eu-west-1a", "0.04"), SpotPrice: undefined }]),
      "InputMalformed",
      /incomplete record: .*m7i\.large/,
    );
    expectCliError(
      () => spotPricesByType([{ ...spot("m7i.large", "eu-west-1a", "0.04"), Timestamp: undefined }]),
      "InputMalformed",
      /incomplete record/,
    );
  });

  it("the median lies between the cheapest and dearest zone and does not depend on the order of zones", () => {
    const price = fc.integer({ min: 1, max: 10_000_000 }).map((micro) => micro / 1e6);
    fc.assert(
      fc.property(fc.array(price, { minLength: 1, maxLength: 12 }), (values) => {
        const median = medianPrice(values);
        expect(median).toBeGreaterThanOrEqual(Math.min(...values));
        expect(median).toBeLessThanOrEqual(Math.max(...values));
        expect(medianPrice([...values].reverse())).toBe(median);
        expect(Math.round(median * 1e7) / 1e7).toBe(median);
      }),
    );
    expect(medianPrice([0.1, 0.2, 0.7])).toBe(0.2);
    expect(medianPrice([0.000001, 0.000002])).toBe(0.0000015);
  });
});

describe("aws-bench pricing update", () => {
  it("writes on-demand and spot prices for the region, asking the Price List API in us-east-1 with the six filters", async () => {
    const products = serveProducts([
      [priceListEntry("m7i.large", "0.1118000000"), priceListEntry("m7i.xlarge", "0.2236000000")],
      [priceListEntry("c7g.large", "0.0816000000"), priceListEntry("c7g.xlarge", "0.0000000000")],
      [priceListEntry("r7i.large", "0.1764000000")],
    ]);
    const spots = serveSpot([
      [spot("m7i.large", "eu-west-1a", "0.030000"), spot("m7i.large", "eu-west-1b", "0.050000")],
      [spot("m7i.large", "eu-west-1c", "0.040000"), spot("c7g.large", "eu-west-1a", "0.020000")],
    ]);
    const { code, out, err, read, files, dates } = await pricingCli("update", "--region", "eu-west-1");
    expect(err).toContain("pricing: reading on-demand Linux prices for eu-west-1 from the Price List API (us-east-1)");
    expect(code).toBe(0);
    expect(files).toEqual(["eu-west-1.json"]);
    expect(products.map((c) => [c.token, c.region])).toEqual([
      [undefined, "us-east-1"],
      ["page-1", "us-east-1"],
      ["page-2", "us-east-1"],
    ]);
    expect(products[0]?.input).toMatchObject({ ServiceCode: "AmazonEC2", FormatVersion: "aws_v1", MaxResults: 100 });
    expect(products[0]?.input["Filters"]).toEqual([
      { Type: "TERM_MATCH", Field: "regionCode", Value: "eu-west-1" },
      { Type: "TERM_MATCH", Field: "operatingSystem", Value: "Linux" },
      { Type: "TERM_MATCH", Field: "tenancy", Value: "Shared" },
      { Type: "TERM_MATCH", Field: "preInstalledSw", Value: "NA" },
      { Type: "TERM_MATCH", Field: "capacitystatus", Value: "Used" },
      { Type: "TERM_MATCH", Field: "licenseModel", Value: "No License required" },
    ]);
    expect(spots.map((c) => [c.token, c.region])).toEqual([
      [undefined, "eu-west-1"],
      ["spot-1", "eu-west-1"],
    ]);
    expect(spots[0]?.input["ProductDescriptions"]).toEqual(["Linux/UNIX"]);
    expect(Math.abs((spots[0]?.input["StartTime"] as Date).getTime() - Date.now())).toBeLessThan(60_000);

    const snapshot = read("eu-west-1.json");
    expect(await checkDocument("price-snapshot", snapshot)).toMatchObject({ valid: true });
    expect(snapshot.region).toBe("eu-west-1");
    expect(snapshot.source.kind).toBe("price-list-api");
    expect(dates).toContain(snapshot.source.asOf);
    expect(snapshot.onDemandUsdPerHour).toEqual({
      "c7g.large": 0.0816,
      "m7i.large": 0.1118,
      "m7i.xlarge": 0.2236,
      "r7i.large": 0.1764,
    });
    expect(snapshot.spotUsdPerHour).toEqual({ "c7g.large": 0.02, "m7i.large": 0.04 });
    expect(Object.keys(snapshot.spotRangeUsdPerHour ?? {}).sort()).toEqual(["c7g.large", "m7i.large"]);
    expect(out).toMatch(
      /^4 on-demand and 2 spot prices for eu-west-1 as of \d{4}-\d{2}-\d{2} \(Price List API via us-east-1\): wrote .*data\/pricing\/eu-west-1\.json\n$/,
    );
  });

  it("--no-spot calls no EC2 API; --price-list-region picks the endpoint; --out and --json", async () => {
    const products = serveProducts([[priceListEntry("m7i.large", "0.1118")]]);
    const { code, out, dir } = await pricingCli(
      "update",
      "--region",
      "eu-west-1",
      "--no-spot",
      "--price-list-region",
      "ap-south-1",
      "--out",
      "prices.json",
      "--json",
    );
    expect(code).toBe(0);
    expect(products[0]?.region).toBe("ap-south-1");
    expect(ec2.commandCalls(DescribeSpotPriceHistoryCommand)).toHaveLength(0);
    const snapshot = JSON.parse(readFileSync(join(dir, "prices.json"), "utf8")) as PriceSnapshot;
    expect(snapshot.spotUsdPerHour).toBeUndefined();
    expect(JSON.parse(out)).toMatchObject({
      region: "eu-west-1",
      prices: 1,
      spotPrices: null,
      source: "price-list-api",
      priceListRegion: "ap-south-1",
      written: join(dir, "prices.json"),
    });
  });

  it("takes the region from the credential chain, and --dry-run writes nothing", async () => {
    vi.stubEnv("AWS_REGION", "ap-southeast-2");
    const products = serveProducts([[priceListEntry("m7i.large", "0.1512")]]);
    serveSpot([[spot("m7i.large", "ap-southeast-2a", "0.05")]]);
    const { code, out, files } = await pricingCli("update", "--dry-run");
    expect(code).toBe(0);
    expect(products[0]?.input["Filters"]).toContainEqual({
      Type: "TERM_MATCH",
      Field: "regionCode",
      Value: "ap-southeast-2",
    });
    expect(products[0]?.region).toBe("us-east-1");
    expect(files).toEqual([]);
    expect(out).toMatch(/1 on-demand and 1 spot prices for ap-southeast-2 as of .* \(dry run\)/);
  });

  it("fails when no region is given or configured", async () => {
    const { code, err } = await pricingCli("update");
    expect(code).toBe(1);
    expect(err).toContain("error [RegionMissing]");
    expect(pricing.commandCalls(GetProductsCommand)).toHaveLength(0);
  });

  it("names the filters when the Price List has no prices, and writes nothing", async () => {
    serveProducts([[]]);
    const { code, err, files } = await pricingCli("update", "--region", "eu-west-1");
    expect(code).toBe(1);
    expect(err).toContain(
      "error [EmptyResult]: The Price List API returned no products for ServiceCode=AmazonEC2, regionCode=eu-west-1, operatingSystem=Linux, tenancy=Shared, preInstalledSw=NA, capacitystatus=Used, licenseModel=No License required.",
    );
    expect(files).toEqual([]);
    pricing.reset();
    serveProducts([[priceListEntry("m7i.large", "0.0")]]);
    expect((await pricingCli("update", "--region", "eu-west-1")).err).toContain(
      "returned 1 products but no non-zero on-demand hourly price for ServiceCode=AmazonEC2",
    );
  });

  it("fails on an empty spot history with a pointer to --no-spot, and writes nothing", async () => {
    serveProducts([[priceListEntry("m7i.large", "0.1118")]]);
    serveSpot([[]]);
    const { code, err, files } = await pricingCli("update", "--region", "eu-west-1");
    expect(code).toBe(1);
    expect(err).toMatch(
      /error \[EmptyResult\]: DescribeSpotPriceHistory in eu-west-1 returned no Linux\/UNIX spot prices[\s\S]*--no-spot/,
    );
    expect(files).toEqual([]);
  });

  it("reports a malformed entry on a later page by its SKU, and writes nothing", async () => {
    serveProducts([
      [priceListEntry("m7i.large", "0.1118")],
      [priceListEntry("m7i.xlarge", "n/a", { sku: "BROKENSKU" })],
    ]);
    serveSpot([[spot("m7i.large", "eu-west-1a", "0.05")]]);
    const { code, err, files } = await pricingCli("update", "--region", "eu-west-1");
    expect(code).toBe(1);
    expect(err).toContain(
      "error [InputMalformed]: SKU BROKENSKU (m7i.xlarge): rate BROKENSKU.JRTCKXETXF.6YS6EN2CT7 has no USD price per hour",
    );
    expect(files).toEqual([]);
  });

  const denied = (name: string, message: string) =>
    Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
  it("translates access denied on GetProducts and on DescribeSpotPriceHistory, and writes nothing", async () => {
    pricing
      .on(GetProductsCommand)
      .rejects(denied("AccessDeniedException", "User is not authorized to perform: pricing:GetProducts"));
    let result = await pricingCli("update", "--region", "eu-west-1");
    expect(result.code).toBe(1);
    expect(result.err).toMatch(
      /error \[AccessDenied\]: Not allowed to call pricing:GetProducts in us-east-1 \(AccessDeniedException\)\.\n {2}fix: Grant pricing:GetProducts/,
    );
    expect(result.files).toEqual([]);

    pricing.reset();
    serveProducts([[priceListEntry("m7i.large", "0.1118")]]);
    ec2
      .on(DescribeSpotPriceHistoryCommand)
      .rejects(denied("UnauthorizedOperation", "You are not authorized to perform this operation."));
    result = await pricingCli("update", "--region", "eu-west-1");
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      "error [AccessDenied]: Not allowed to call ec2:DescribeSpotPriceHistory in eu-west-1 (UnauthorizedOperation).",
    );
    expect(result.files).toEqual([]);
  });

  it("explains missing credentials", async () => {
    pricing
      .on(GetProductsCommand)
      .rejects(
        Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }),
      );
    const { code, err } = await pricingCli("update", "--region", "eu-west-1", "--profile", "research");
    expect(code).toBe(1);
    expect(err).toContain("error [CredentialsMissing]: No AWS credentials found for profile 'research'");
  });

  it("rejects options that belong to the other form, an unknown action and a bare `pricing` as usage errors", async () => {
    const cases: Array<[string[], RegExp]> = [
      [["update", "--input", "p.csv"], /'pricing update' fetches prices from AWS and --input reads a saved file/],
      [["update", "--as-of", "2026-01-01"], /--as-of goes with --input/],
      [
        ["--input", "p.csv", "--as-of", "2026-01-01", "--no-spot"],
        /--no-spot and --price-list-region apply only to 'pricing update'/,
      ],
      [["update", "--price-list-region", "eu-west-1"], /Invalid values:[\s\S]*price-list-region/],
      [["refresh"], /Invalid values:[\s\S]*action/],
      [[], /Say where the prices come from: 'pricing update'/],
    ];
    for (const [args, message] of cases) {
      const { code, err, files } = await pricingCli(...args);
      expect(code, args.join(" ")).toBe(2);
      expect(err, args.join(" ")).toMatch(message);
      expect(files).toEqual([]);
    }
    expect(pricing.commandCalls(GetProductsCommand)).toHaveLength(0);
  });

  it("shows update and its options in --help", async () => {
    const io = memoryIo();
    expect(await exec(["pricing", "--help"], io)).toBe(0);
    expect(io.out()).toContain("aws-bench pricing update --region eu-west-1");
    expect(io.out()).toContain("--no-spot");
    expect(io.out()).toContain("--price-list-region");
  });

  it("the filters are the documented on-demand Linux product", () => {
    expect(onDemandLinuxFilters("sa-east-1").map((f) => `${f.Field}=${f.Value}`)).toEqual([
      "regionCode=sa-east-1",
      "operatingSystem=Linux",
      "tenancy=Shared",
      "preInstalledSw=NA",
      "capacitystatus=Used",
      "licenseModel=No License required",
    ]);
  });
});

describe.skipIf(!sharedPresent)(
  "through the real SDK (a local HTTP endpoint serving the real GetProducts response)",
  () => {
    beforeEach(() => {
      // After the file's beforeEach (which re-installs the mocks): the SDK's own deserializer, not the mock.
      pricing.restore();
      ec2.restore();
    });

    it("parses what the SDK returns", async () => {
      const wrapper = JSON.parse(readFileSync(wrapperPath, "utf8")) as Record<string, unknown>;
      const targets: string[] = [];
      const server = createServer((request, response) => {
        targets.push(String(request.headers["x-amz-target"]));
        request.resume();
        request.on("end", () => {
          response.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
          response.end(JSON.stringify({ ...wrapper, NextToken: undefined }));
        });
      });
      await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
      try {
        vi.stubEnv("AWS_ENDPOINT_URL_PRICING", `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
        const { code, read, err } = await pricingCli("update", "--region", "us-east-1", "--no-spot");
        expect(err).not.toContain("error");
        expect(code).toBe(0);
        expect(targets).toEqual(["AWSPriceListService.GetProducts"]);
        expect(read("us-east-1.json").onDemandUsdPerHour).toEqual({ "m5.large": 0.096 });
      } finally {
        await new Promise((done) => server.close(done));
      }
    });
  },
);

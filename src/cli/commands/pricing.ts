/** `aws-bench pricing`: the price snapshot plans use, from a saved CSV (`--input`) or from AWS (`pricing update`). */
import { resolve } from "node:path";
import { priceListApiRegions } from "../../aws/clients.js";
import { defineCommand } from "../command.js";
import { BenchError } from "../../errors.js";
import { ExitCode } from "../errors.js";

/** The `pricing` command. */
export const pricingCommand = defineCommand({
  // `update` is a positional rather than a nested yargs command: one handler keeps `pricing --input` as it was,
  // and the options are declared once for both forms.
  command: "pricing [action]",
  describe: "Write the price snapshot (data/pricing/<region>.json) plans estimate cost from",
  positionals: {
    action: {
      type: "string",
      choices: ["update"],
      describe: "update: fetch today's prices from the AWS Price List API and EC2 spot price history",
    },
  },
  options: {
    input: { type: "string", describe: "A saved CSV of hourly Linux on-demand prices: instance_type,usd_per_hour" },
    "as-of": { type: "string", describe: "Date the prices describe, YYYY-MM-DD (required with --input)" },
    out: { type: "string", describe: "File to write (default data/pricing/<region>.json)" },
    "dry-run": { type: "boolean", default: false, describe: "Write nothing; print what would be written" },
    spot: {
      type: "boolean",
      default: true,
      describe: "With update: also record spot prices (--no-spot: on-demand only)",
    },
    "price-list-region": {
      type: "string",
      choices: priceListApiRegions,
      describe: "With update: Price List API endpoint (default us-east-1; it describes every region)",
    },
  },
  examples: [
    ["$0 pricing update --region eu-west-1", "fetch today's on-demand and spot Linux prices for eu-west-1"],
    ["$0 pricing update --region us-east-1 --no-spot --dry-run --json", "show what on-demand prices would be written"],
    ["$0 pricing --input prices.csv --region us-east-1 --as-of 2026-07-20", "snapshot saved prices for us-east-1"],
  ],
  async run(args, { io }) {
    if (args.action === "update") {
      if (args.input !== undefined)
        throw new BenchError(
          "UsageError",
          "'pricing update' fetches prices from AWS and --input reads a saved file: use one or the other.",
          { fix: "Drop --input to fetch from AWS, or drop 'update' to read the file." },
        );
      if (args["as-of"] !== undefined)
        throw new BenchError(
          "UsageError",
          "--as-of goes with --input: 'pricing update' records today's date (UTC) as the prices' date.",
          { fix: "Drop --as-of." },
        );
      const { priceSnapshotFromAws } = await import("../../aws/price-list.js");
      const { assertDocument, writeDocuments } = await import("../../schemas/documents.js");
      const update = await priceSnapshotFromAws({
        settings: { profile: args.profile, region: args.region },
        ...(args["price-list-region"] === undefined ? {} : { priceListRegion: args["price-list-region"] }),
        spot: args.spot,
        now: new Date(),
        onProgress: (line) => io.stderr.write(`${line}\n`),
      });
      const { snapshot } = update;
      const out = resolve(io.cwd, args.out ?? `data/pricing/${snapshot.region}.json`);
      if (args["dry-run"]) await assertDocument("price-snapshot", snapshot, `${out} (dry run)`);
      else await writeDocuments([{ kind: "price-snapshot", path: out, data: snapshot }]);
      const summary = {
        region: snapshot.region,
        prices: Object.keys(snapshot.onDemandUsdPerHour).length,
        spotPrices: snapshot.spotUsdPerHour === undefined ? null : Object.keys(snapshot.spotUsdPerHour).length,
        asOf: snapshot.source.asOf,
        source: snapshot.source.kind,
        priceListRegion: update.priceListRegion,
        skipped: update.onDemand.skipped,
        written: args["dry-run"] ? null : out,
      };
      const spotText = summary.spotPrices === null ? "" : ` and ${summary.spotPrices} spot`;
      io.stdout.write(
        args.json
          ? `${JSON.stringify(summary, null, 2)}\n`
          : `${summary.prices} on-demand${spotText} prices for ${summary.region} as of ${summary.asOf} (Price List API via ${summary.priceListRegion})${summary.written ? `: wrote ${out}` : " (dry run)"}\n`,
      );
      return ExitCode.Success;
    }
    if (!args.spot || args["price-list-region"] !== undefined) {
      throw new BenchError("UsageError", "--no-spot and --price-list-region apply only to 'pricing update'.", {
        fix: "Add 'update' to fetch from AWS, or drop those options.",
      });
    }
    if (args.input === undefined) {
      throw new BenchError(
        "UsageError",
        "Say where the prices come from: 'pricing update' fetches them from AWS, 'pricing --input FILE' reads a saved CSV.",
        { fix: "e.g. aws-bench pricing update --region us-east-1" },
      );
    }
    const region = args.region ?? "us-east-1";
    if (!args["as-of"] || !/^\d{4}-\d{2}-\d{2}$/.test(args["as-of"]))
      throw new BenchError("UsageError", "--input needs --as-of YYYY-MM-DD: the date the prices describe.", {
        fix: "e.g. --as-of 2026-07-20",
      });
    const { priceSnapshotFromCsv } = await import("../../aws/pricing.js");
    const { writeDocuments } = await import("../../schemas/documents.js");
    const snapshot = priceSnapshotFromCsv(resolve(io.cwd, args.input), region, args["as-of"]);
    const out = resolve(io.cwd, args.out ?? `data/pricing/${region}.json`);
    if (!args["dry-run"]) await writeDocuments([{ kind: "price-snapshot", path: out, data: snapshot }]);
    const summary = {
      region,
      prices: Object.keys(snapshot.onDemandUsdPerHour).length,
      asOf: snapshot.source.asOf,
      written: args["dry-run"] ? null : out,
    };
    io.stdout.write(
      args.json
        ? `${JSON.stringify(summary, null, 2)}\n`
        : `${summary.prices} prices for ${region} as of ${summary.asOf}${summary.written ? `: wrote ${out}` : " (dry run)"}\n`,
    );
    return ExitCode.Success;
  },
});

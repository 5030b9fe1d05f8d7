/** `aws-bench pricing`: the price snapshot plans use. */
import { resolve } from "node:path";
import { defineCommand } from "../command.js";
import { CliError, ExitCode } from "../errors.js";

/** The `pricing` command. */
export const pricingCommand = defineCommand({
  command: "pricing",
  describe: "Write the price snapshot (data/pricing/<region>.json) plans estimate cost from",
  options: {
    input: { type: "string", describe: "A saved CSV of hourly Linux on-demand prices: instance_type,usd_per_hour" },
    "as-of": { type: "string", describe: "Date the prices describe, YYYY-MM-DD (required with --input)" },
    out: { type: "string", describe: "File to write (default data/pricing/<region>.json)" },
    "dry-run": { type: "boolean", default: false, describe: "Write nothing; print what would be written" },
  },
  examples: [["$0 pricing --input prices.csv --region us-east-1 --as-of 2026-07-20", "snapshot saved prices for us-east-1"]],
  async run(args, { io }) {
    if (args.input === undefined) {
      throw new CliError("NotYetAvailable", "Fetching prices from the AWS Price List API is not yet available.", { fix: "Pass a saved price list with --input FILE --region R --as-of YYYY-MM-DD." });
    }
    const region = args.region ?? "us-east-1";
    if (!args["as-of"] || !/^\d{4}-\d{2}-\d{2}$/.test(args["as-of"])) throw new CliError("UsageError", "--input needs --as-of YYYY-MM-DD: the date the prices describe.", { fix: "e.g. --as-of 2026-07-20" });
    const { priceSnapshotFromCsv } = await import("../../aws/pricing.js");
    const { writeDocuments } = await import("../../schemas/documents.js");
    const snapshot = priceSnapshotFromCsv(resolve(io.cwd, args.input), region, args["as-of"]);
    const out = resolve(io.cwd, args.out ?? `data/pricing/${region}.json`);
    if (!args["dry-run"]) await writeDocuments([{ kind: "price-snapshot", path: out, data: snapshot }]);
    const summary = { region, prices: Object.keys(snapshot.onDemandUsdPerHour).length, asOf: snapshot.source.asOf, written: args["dry-run"] ? null : out };
    io.stdout.write(args.json ? `${JSON.stringify(summary, null, 2)}\n` : `${summary.prices} prices for ${region} as of ${summary.asOf}${summary.written ? `: wrote ${out}` : " (dry run)"}\n`);
    return ExitCode.Success;
  },
});

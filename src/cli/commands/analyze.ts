/**
 * `aws-bench analyze`: the collected runs → data/processed and the static API data/api/v1 (src/analysis/). Reads
 * data/raw by default; local runs only with --include-local. Prints what it read, skipped and wrote.
 */
import { join, resolve } from "node:path";
import { defineCommand } from "../command.js";
import { ExitCode } from "../errors.js";

/** The `analyze` command. */
export const analyzeCommand = defineCommand({
  command: "analyze",
  describe: "Turn collected runs into statistics over instances: data/processed and the static API (data/api/v1)",
  options: {
    input: {
      type: "string",
      array: true,
      describe: "Folders of runs (default: data/raw); repeat for several",
    },
    "include-local": {
      type: "boolean",
      default: false,
      describe: "Also read runs made outside a batch (run --target local), labelled `local` everywhere",
    },
    evidence: {
      type: "string",
      array: true,
      choices: ["maintainer", "community", "local"],
      describe:
        "Only runs of these evidence levels: maintainer (M, collected from a batch), community (C1, a reviewed contribution), local (L; implies --include-local). Default: maintainer and community",
    },
    out: {
      type: "string",
      default: "data",
      describe: "Where processed/ and api/v1/ are written (each replaced whole)",
    },
    "as-of": {
      type: "string",
      describe: "The day staleness is judged against and the dataset is dated by (default: the newest run's day)",
    },
    catalog: {
      type: "string",
      describe:
        "Instance catalogue for vCPUs, cores and families (default: the package's data/catalog/instance-types.json)",
    },
    prices: {
      type: "string",
      describe: "Price snapshot (default: the package's data/pricing/us-east-1.json)",
    },
  },
  examples: [
    ["$0 analyze", "data/raw → data/processed and data/api/v1"],
    ["$0 analyze --input ./aws-bench-results --include-local --out /tmp/db", "local runs into a database of their own"],
  ],
  async run(args, { io }) {
    const evidence = args.evidence;
    const inputs = (args.input?.length ? args.input : ["data/raw"]).map((dir) => ({
      dir: resolve(io.cwd, dir),
      includeLocal: args["include-local"] || (evidence?.includes("local") ?? false),
      ...(evidence?.length ? { evidence } : {}),
    }));
    const { readDocument } = await import("../../schemas/documents.js");
    const { packagePath } = await import("../../package-files.js");
    const catalog = await readDocument(
      "instance-catalog",
      args.catalog ? resolve(io.cwd, args.catalog) : packagePath("data", "catalog", "instance-types.json"),
    );
    const prices = await readDocument(
      "price-snapshot",
      args.prices ? resolve(io.cwd, args.prices) : packagePath("data", "pricing", "us-east-1.json"),
    );
    const { analyzeInto } = await import("../../analysis/analyze.js");
    const out = resolve(io.cwd, args.out);
    // The release being replaced: the changelog lists what this one adds, changes and removes.
    const previousApiDir = join(out, "api", "v1");
    const { database, paths } = await analyzeInto(
      { inputs, asOf: args["as-of"], catalog, prices, previousApiDir },
      out,
    );
    const types = Object.keys(database.types).length;
    const summary = {
      out,
      dataset: database.dataset.version,
      runs: Object.values(database.types).reduce((sum, facts) => sum + facts.runs, 0),
      types,
      summaries: database.summaries.length,
      skipped: database.skipped.length,
      files: paths.length,
    };
    if (args.json) io.stdout.write(`${JSON.stringify({ ...summary, skippedRuns: database.skipped }, null, 2)}\n`);
    else {
      io.stdout.write(
        `analyze: ${summary.runs} run(s) of ${types} type(s) → ${summary.summaries} summaries, dataset ${summary.dataset}\n`,
      );
      for (const skipped of database.skipped) io.stdout.write(`  skipped ${skipped.path}: ${skipped.reason}\n`);
      if (summary.runs === 0)
        io.stdout.write(
          "  no runs yet: collect some with `aws-bench run`, or pass --include-local with --input ./aws-bench-results\n",
        );
      io.stdout.write(`wrote ${paths.length} files under ${out}/processed and ${out}/api/v1\n`);
    }
    return ExitCode.Success;
  },
});

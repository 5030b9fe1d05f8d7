/** `aws-bench compare A B`: the ratio B/A with its interval, and a verdict, from an analyzed database. */
import { resolve } from "node:path";
import { defineCommand } from "../command.js";
import { ExitCode } from "../errors.js";

/** The `compare` command. */
export const compareCommand = defineCommand({
  command: "compare <a> <b>",
  describe: "Compare two instance types: the ratio B/A with its interval, price-performance, and a verdict",
  options: {
    metric: { type: "string", default: "stream.triad", describe: "<benchmark>.<metric>" },
    implementation: { type: "string", describe: "The benchmark implementation, when the metric has several" },
    margin: { type: "string", default: "3%", describe: "Equivalence margin (two one-sided tests)" },
    data: { type: "string", default: "data", describe: "The analyzed database (analyze --out)" },
  },
  positionals: {
    a: { type: "string", demandOption: true, describe: "Type A (the reference)" },
    b: { type: "string", demandOption: true, describe: "Type B" },
  },
  examples: [
    ["$0 compare m7i.large m7a.large", "STREAM Triad: B/A with a 95 % interval and a verdict"],
    ["$0 compare c7g.xlarge c7i.xlarge --metric hpl.gflops --margin 5% --json", "HPL, as JSON"],
  ],
  async run(args, { io }) {
    const { parseMargin } = await import("../margin.js");
    const margin = parseMargin(args.margin);
    const { readDatabaseFor } = await import("../../analysis/read-database.js");
    const database = await readDatabaseFor(resolve(io.cwd, args.data), args.metric);
    const { compareTypes } = await import("../../analysis/rank.js");
    const result = compareTypes(database, args.a, args.b, {
      metric: args.metric,
      implementation: args.implementation,
      margin,
    });
    const { formatComparison } = await import("../format-analysis.js");
    io.stdout.write(
      args.json ? `${JSON.stringify({ dataset: database.dataset, ...result }, null, 2)}\n` : formatComparison(result),
    );
    return ExitCode.Success;
  },
});

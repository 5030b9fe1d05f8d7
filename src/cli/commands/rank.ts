/** `aws-bench rank`: instance types ranked by a metric with intervals and rank intervals, from an analyzed database. */
import { resolve } from "node:path";
import { defineCommand } from "../command.js";
import { BenchError } from "../../errors.js";
import { ExitCode } from "../errors.js";
import type { RankPer } from "../../analysis/rank.js";

/** The units a ranking's values can be put in (the library's `RankPer`; a type-only import keeps --help light). */
const pers = ["instance", "vcpu", "core", "dollar-hour", "dollar-run"] as const satisfies readonly RankPer[];

/** The `rank` command. */
export const rankCommand = defineCommand({
  command: "rank",
  describe: "Rank instance types by a metric (or its price-performance) with intervals and rank intervals",
  options: {
    metric: { type: "string", demandOption: true, describe: "<benchmark>.<metric>, e.g. stream.triad, hpl.gflops" },
    per: {
      type: "string",
      choices: pers,
      default: "instance",
      describe:
        "Per instance, vCPU, physical core, dollar-hour (per on-demand USD/hour) or dollar-run (cost to solution)",
    },
    data: {
      type: "string",
      default: "data",
      describe:
        "The analyzed database (analyze --out): its processed/by-metric/<metric>.json, else processed/latest.json",
    },
    implementation: { type: "string", describe: "The benchmark implementation, when the metric has several" },
    arch: { type: "string", array: true, describe: "Only these architectures (x86_64, arm64)" },
    family: { type: "string", array: true, describe: "Only these families (m7i, c7g, …)" },
    evidence: {
      type: "string",
      array: true,
      choices: ["maintainer", "community", "local"],
      describe:
        "Only these evidence levels: maintainer (M), community (C1), local (L; in a database only when analyze read --include-local). Default: all the database holds",
    },
    "min-instances": {
      type: "number",
      default: 1,
      describe:
        "Types with fewer instances are listed unranked (with 1, every type is ranked: few instances give wide rank intervals)",
    },
    baseline: { type: "string", describe: "Show every row relative to this type, with its interval and verdict" },
    margin: { type: "string", default: "3%", describe: "Equivalence margin of the baseline comparisons" },
    top: { type: "number", describe: "Only the best K rows" },
    csv: { type: "boolean", default: false, describe: "Print CSV" },
  },
  examples: [
    ["$0 rank --metric stream.triad", "memory bandwidth, every type with its interval and rank interval"],
    ["$0 rank --metric hpl.gflops --per dollar-run --arch arm64", "cheapest 10^15 FLOP on Graviton"],
    ["$0 rank --metric coremark.iterationsPerSecond --baseline m7i.large --json", "relative to one type"],
  ],
  async run(args, { io }) {
    if (args.json && args.csv)
      throw new BenchError("UsageError", "--json and --csv are exclusive.", { fix: "Pick one." });
    const { parseMargin } = await import("../margin.js");
    const margin = parseMargin(args.margin);
    const top = args.top;
    if (top !== undefined && !(Number.isInteger(top) && top >= 1))
      throw new BenchError("UsageError", `--top ${top} is not a whole number of at least 1.`, { fix: "e.g. --top 10" });
    const { isPublishedQuery, readDatabaseFor, readPublishedRanking } = await import("../../analysis/read-database.js");
    const data = resolve(io.cwd, args.data);
    // The query analyze publishes (per instance, every type, no filter, no baseline) is read, not ranked again.
    const published = isPublishedQuery({
      per: args.per,
      minInstances: args["min-instances"],
      architectures: args.arch,
      families: args.family,
      evidence: args.evidence,
      baseline: args.baseline,
      top,
    })
      ? readPublishedRanking(data, args.metric, args.implementation)
      : undefined;
    const ranking = published ?? (await rankFromDatabase());
    const { formatRanking } = await import("../format-analysis.js");
    // Keys sorted as analyze publishes them: the same bytes whether read or ranked again.
    const { stableJson } = await import("../../schemas/documents.js");
    io.stdout.write(args.json ? stableJson(ranking) : formatRanking(ranking, args.csv ? "csv" : "table"));
    return ExitCode.Success;

    async function rankFromDatabase() {
      const database = await readDatabaseFor(data, args.metric);
      const { rankTypes } = await import("../../analysis/rank.js");
      return rankTypes(database, {
        metric: args.metric,
        per: args.per,
        implementation: args.implementation,
        architectures: args.arch,
        families: args.family,
        evidence: args.evidence,
        minInstances: args["min-instances"],
        baseline: args.baseline,
        top,
        margin,
      });
    }
  },
});

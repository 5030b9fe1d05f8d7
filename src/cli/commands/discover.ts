/** `aws-bench discover`: the instance catalogue and its architecture mappings. */
import { resolve } from "node:path";
import { defineCommand } from "../command.js";
import { BenchError } from "../../errors.js";
import { ExitCode } from "../errors.js";
import type { CliIo } from "../io.js";
import type { DiscoverResult } from "../../discovery/discover.js";
import type { KeyChanges } from "../../discovery/catalog-changes.js";
import type { MeasuredCheck } from "../../discovery/measured-cpus.js";

/** The `discover` command. */
export const discoverCommand = defineCommand({
  command: "discover",
  describe: "Discover EC2 instance types and map each family to its microarchitecture and container tag",
  options: {
    input: {
      type: "string",
      describe: "Read a saved DescribeInstanceTypes dump instead of calling AWS",
      normalize: true,
    },
    "all-regions": { type: "boolean", default: false, describe: "Query every region enabled for the account" },
    "dry-run": { type: "boolean", default: false, describe: "Write nothing; print what would change" },
    "update-containers": {
      type: "boolean",
      default: false,
      describe: "Also rewrite the container-tag list the images are built from",
    },
    "as-of": {
      type: "string",
      describe: "Date the data describes, YYYY-MM-DD (default: unchanged data keeps its date, else today)",
    },
    catalog: { type: "string", default: "data/catalog/instance-types.json", describe: "Catalogue to write" },
    mappings: {
      type: "string",
      default: "configs/architecture-mappings.json",
      describe: "Architecture mappings to write",
    },
    "container-tags": {
      type: "string",
      default: "configs/container-tags.json",
      describe: "Container-tag list (with --update-containers)",
    },
    families: {
      type: "string",
      describe: "Curated family table to read (default: the package's configs/families.json)",
    },
    "check-measured": {
      type: "string",
      describe:
        "Instead of discovering, compare the CPU each result under DIR measured (data/raw/<type>/<run>/result.json) with the family table; exit 3 when a family differs",
      normalize: true,
    },
  },
  examples: [
    ["$0 discover --region us-east-1", "catalogue the instance types of us-east-1"],
    ["$0 discover --all-regions --update-containers", "every enabled region; also refresh the image list"],
    ["$0 discover --input types.json --dry-run --json", "map a saved dump offline and show what would change"],
    ["$0 discover --check-measured data/raw", "list the families whose measured CPU differs from the family table"],
  ],
  async run(args, { io }) {
    if (args["check-measured"] !== undefined) {
      const refused = [
        args.input === undefined ? "" : "--input",
        args["all-regions"] ? "--all-regions" : "",
        args["dry-run"] ? "--dry-run" : "",
        args["update-containers"] ? "--update-containers" : "",
        args["as-of"] === undefined ? "" : "--as-of",
      ].filter(Boolean);
      if (refused.length > 0) {
        throw new BenchError(
          "UsageError",
          `--check-measured reads results and writes nothing: ${refused.join(", ")} does not apply.`,
          {
            fix: `Drop ${refused.join(", ")}, or run discover without --check-measured.`,
          },
        );
      }
      const { checkMeasuredCpus } = await import("../../discovery/measured-cpus.js");
      const { defaultFamilyTablePath, loadFamilyTable } = await import("../../discovery/family-table.js");
      const table = await loadFamilyTable(
        args.families === undefined ? defaultFamilyTablePath() : resolve(io.cwd, args.families),
      );
      const check = await checkMeasuredCpus(resolve(io.cwd, args["check-measured"]), table);
      for (const skipped of check.skipped) io.stderr.write(`warning: skipped ${skipped.file}: ${skipped.reason}\n`);
      if (args.json) io.stdout.write(`${JSON.stringify(check, null, 2)}\n`);
      else printMeasuredCheck(check, io);
      // 3, as for a batch with some types failed: the check ran, and some families need the table corrected.
      return check.differing.length > 0 ? ExitCode.Partial : ExitCode.Success;
    }
    if (args.input !== undefined && args["all-regions"]) {
      throw new BenchError(
        "UsageError",
        "--input and --all-regions cannot be combined: a dump comes from one region.",
        {
          fix: "Drop --all-regions to read the dump, or drop --input to query AWS.",
        },
      );
    }
    if (args["as-of"] !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(args["as-of"])) {
      throw new BenchError("InvalidArgument", `--as-of '${args["as-of"]}' is not a date like 2026-08-01.`, {
        fix: "Pass --as-of YYYY-MM-DD.",
      });
    }
    const { discoverInstanceTypes } = await import("../../discovery/discover.js");
    const { defaultFamilyTablePath } = await import("../../discovery/family-table.js");
    const at = (path: string) => resolve(io.cwd, path);
    const result = await discoverInstanceTypes(
      {
        input: args.input === undefined ? undefined : at(args.input),
        allRegions: args["all-regions"],
        dryRun: args["dry-run"],
        updateContainers: args["update-containers"],
        asOf: args["as-of"],
        paths: {
          catalog: at(args.catalog),
          mappings: at(args.mappings),
          containerTags: at(args["container-tags"]),
          families: args.families === undefined ? defaultFamilyTablePath() : at(args.families),
        },
        aws: { profile: args.profile, region: args.region },
      },
      (line) => io.stderr.write(`${line}\n`),
    );
    for (const warning of result.warnings) io.stderr.write(`warning: ${warning}\n`);
    if (args.json) io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else printSummary(result, io);
    return ExitCode.Success;
  },
});

function printSummary(result: DiscoverResult, io: CliIo): void {
  const from =
    result.source.kind === "file" ? result.source.file : `EC2 in ${(result.source.regions ?? []).join(", ")}`;
  const curated = result.familyCount - result.inferredFamilies.length - result.unmappedFamilies.length;
  const noImage = new Set(result.instanceTypes.filter((t) => t.containerTag === null).map((t) => t.family)).size;
  const lines = [
    `${result.instanceTypeCount} instance types in ${result.familyCount} families from ${from} (as of ${result.source.asOf})`,
    `families: ${curated} curated, ${result.inferredFamilies.length} inferred, ${result.unmappedFamilies.length} unmapped; ${noImage} without a benchmark image`,
    describeChanges("instance types", result.changes.instanceTypes),
    describeChanges("families", result.changes.families),
  ];
  if (result.dryRun)
    lines.push(
      result.wouldWrite.length
        ? `dry run: would write ${result.wouldWrite.join(", ")}`
        : "dry run: nothing would change",
    );
  else lines.push(result.written.length ? `wrote ${result.written.join(", ")}` : "nothing changed");
  io.stdout.write(`${lines.join("\n")}\n`);
}

function printMeasuredCheck(check: MeasuredCheck, io: CliIo): void {
  const count = (verdict: string) => check.families.filter((family) => family.verdict === verdict).length;
  const lines = [
    `${check.resultFiles} results in ${check.directory}: ${check.families.length} families measured; ${count("differs")} differ, ${count("agrees")} agree, ${count("unrecognized")} with CPUs the table does not recognise; ${check.skipped.length} skipped`,
  ];
  for (const family of check.families) {
    const table =
      family.microarchitecture === null
        ? "not in the table"
        : `table ${family.microarchitecture}${family.alternatives.length ? ` or ${family.alternatives.join(", ")}` : ""}${family.documentedAs === undefined ? "" : ` (AWS: '${family.documentedAs}')`}`;
    lines.push(`${family.verdict === "differs" ? "DIFFERS" : family.verdict} ${family.family}: ${table}`);
    for (const cpu of family.measured) {
      const reading = cpu.identified
        ? `${cpu.identified.model} = ${cpu.identified.microarchitectures.join("/")}`
        : "not recognised by the table's cpuModels";
      lines.push(`  ${cpu.verdict}: ${cpu.file} (${cpu.instanceType}) '${cpu.cpuModel}' → ${reading}`);
    }
  }
  io.stdout.write(`${lines.join("\n")}\n`);
}

function describeChanges(what: string, changes: KeyChanges): string {
  const list = (names: string[]) =>
    names.length > 12 ? `${names.slice(0, 12).join(", ")} … (${names.length - 12} more)` : names.join(", ");
  const parts = [
    changes.added.length ? `+${changes.added.length} added (${list(changes.added)})` : "",
    changes.removed.length ? `-${changes.removed.length} removed (${list(changes.removed)})` : "",
    changes.changed.length ? `~${changes.changed.length} changed (${list(changes.changed)})` : "",
  ].filter(Boolean);
  return `${what}: ${parts.length ? parts.join("; ") : "no changes"}`;
}

/** `aws-bench validate`: check data files against their JSON Schemas. */
import { resolve } from "node:path";
import { documentKinds } from "../../schemas/documents.js";
import { defineCommand } from "../command.js";
import { BenchError } from "../../errors.js";
import { ExitCode } from "../errors.js";

/** The `validate` command. */
export const validateCommand = defineCommand({
  command: "validate [paths..]",
  describe: "Check data files against their JSON Schemas, printing the JSON path of each error",
  options: {
    kind: {
      type: "string",
      choices: documentKinds,
      describe: "Schema to apply (default: recognised from each document)",
    },
    "raw-files": {
      type: "boolean",
      default: true,
      describe: "Check a result's raw files against their size and SHA-256 (--no-raw-files to skip)",
    },
  },
  positionals: {
    paths: { type: "string", array: true, describe: "Files or directories (default: configs/ and data/)" },
  },
  examples: [
    ["$0 validate", "every JSON file under configs/ and data/"],
    ["$0 validate aws-bench-results/RUN/result.json", "a result, its raw files and their checksums"],
    ["$0 validate --kind instance-catalog types.json --json", "one file against a named schema, as JSON"],
  ],
  async run(args, { io }) {
    const { defaultValidationPaths, validateDataFiles } = await import("../../schemas/validate-files.js");
    const paths = args.paths?.length ? args.paths.map((path) => resolve(io.cwd, path)) : defaultValidationPaths(io.cwd);
    const results = await validateDataFiles(paths, { kind: args.kind, rawFiles: args["raw-files"] });
    if (results.length === 0)
      throw new BenchError("UsageError", `No files to validate: no JSON file under ${paths.join(", ")}.`, {
        fix: "Name the files or directories that hold the documents: aws-bench validate FILE_OR_DIRECTORY…",
      });
    const failed = results.filter((result) => result.errors.length > 0);
    if (args.json) io.stdout.write(`${JSON.stringify({ valid: failed.length === 0, files: results }, null, 2)}\n`);
    else {
      for (const result of results) {
        io.stdout.write(
          `${result.errors.length ? "INVALID" : "valid  "} ${result.path}${result.kind ? ` (${result.kind})` : ""}\n`,
        );
        for (const error of result.errors) io.stdout.write(`  ${error}\n`);
      }
    }
    io.stderr.write(`validate: ${results.length - failed.length} of ${results.length} files valid\n`);
    return failed.length > 0 ? ExitCode.Failure : ExitCode.Success;
  },
});

/** `aws-bench parse`: bring your own results — parse a raw STREAM, HPL, HPCC or CoreMark output. */
import { resolve } from "node:path";
import { defineCommand } from "../command.js";
import { ExitCode } from "../errors.js";
import type { CliIo } from "../io.js";
import type { ParsedOutput } from "../../schemas/generated/parsed-output.js";

/** The `parse` command. */
export const parseCommand = defineCommand({
  command: "parse <program> <file>",
  describe: "Parse a raw STREAM, HPL, HPCC or CoreMark output into numbers with units and validity",
  options: {
    "require-valid": {
      type: "boolean",
      default: false,
      describe: "Exit 1 when any run is invalid by its program's rule",
    },
  },
  positionals: {
    program: {
      choices: ["stream", "hpl", "hpcc", "coremark", "membw"] as const,
      describe: "Which program wrote the file",
      demandOption: true,
    },
    file: {
      type: "string",
      describe: "The raw output (stdout of STREAM/CoreMark/aws-bench-membw, HPL.out, hpccoutf.txt)",
      demandOption: true,
    },
  },
  examples: [
    ["$0 parse stream stream.txt", "bandwidths of each run, and whether STREAM validated them"],
    ["$0 parse hpl HPL.out --json", "every result line with its residual check, as JSON"],
    ["$0 parse hpcc hpccoutf.txt", "HPCC's HPL and STREAM sections and its summary"],
    ["$0 parse coremark run1.log --require-valid", "fail unless CoreMark validated the run"],
  ],
  async run(args, { io }) {
    const { parseOutputFile } = await import("../../benchmarks/parse-file.js");
    const parsed = parseOutputFile(args.program, resolve(io.cwd, args.file));
    if (args.json) io.stdout.write(`${JSON.stringify(parsed, null, 2)}\n`);
    else printRuns(parsed, io);
    const invalid = parsed.runs.filter((run) => !run.valid).length;
    if (invalid > 0) io.stderr.write(`parse: ${invalid} of ${parsed.runs.length} runs are invalid\n`);
    return args["require-valid"] && invalid > 0 ? ExitCode.Failure : ExitCode.Success;
  },
});

function printRuns(parsed: ParsedOutput, io: CliIo): void {
  const lines = [
    `${parsed.file.name} (sha256 ${parsed.file.sha256.slice(0, 12)}…): ${parsed.runs.length} ${parsed.program} run(s)`,
  ];
  for (const [index, run] of parsed.runs.entries()) {
    const where = `${run.section ? `${run.section}, ` : ""}line ${run.line}`;
    lines.push(
      `run ${index + 1} (${where}): ${run.implementation} — ${run.valid ? "valid" : `INVALID: ${run.invalidReason ?? "no reason given"}`}`,
    );
    const parameters = Object.entries(run.parameters).map(([key, value]) => `${key}=${String(value)}`);
    if (parameters.length) lines.push(`  parameters: ${parameters.join(" ")}`);
    const metrics = Object.entries(run.metrics).map(([key, quantity]) => `${key}=${quantity.printed} ${quantity.unit}`);
    if (metrics.length) lines.push(`  metrics: ${metrics.join("  ")}`);
    for (const note of run.notes) lines.push(`  note: ${note}`);
  }
  io.stdout.write(`${lines.join("\n")}\n`);
}

/**
 * The CLI's one process boundary. `exec(argv)` parses, runs one command and returns its exit code; it never
 * calls `process.exit`. `cli()` is the only function that touches the real process.
 */
import yargs from "yargs";
import { packageVersion } from "../package-files.js";
import type { AnyCommand, CommandContext } from "./command.js";
import { globalOptions } from "./command.js";
import { bootstrapCommand } from "./commands/bootstrap.js";
import { buildCommand } from "./commands/build.js";
import { cleanupCommand } from "./commands/cleanup.js";
import { collectCommand } from "./commands/collect.js";
import { destroyCommand } from "./commands/destroy.js";
import { discoverCommand } from "./commands/discover.js";
import { listCommand } from "./commands/list.js";
import { parseCommand } from "./commands/parse.js";
import { planCommand } from "./commands/plan.js";
import { analyzeCommand } from "./commands/analyze.js";
import { compareCommand } from "./commands/compare.js";
import { rankCommand } from "./commands/rank.js";
import { reportCommand } from "./commands/report.js";
import { reviewCommand } from "./commands/review.js";
import { previewCommand } from "./commands/preview.js";
import { pricingCommand } from "./commands/pricing.js";
import { runCommand } from "./commands/run.js";
import { sourcesCommand } from "./commands/sources.js";
import { submitCommand } from "./commands/submit.js";
import { statusCommand } from "./commands/status.js";
import { upCommand } from "./commands/up.js";
import { validateCommand } from "./commands/validate.js";
import { BenchError, isBenchError } from "../errors.js";
import { ExitCode, exitCodeOfError } from "./errors.js";
import type { CliIo } from "./io.js";
import { processIo } from "./io.js";

// What embedding the CLI needs (`aws-instance-benchmarks/cli`): exec with captured I/O, and the exit codes.
export { memoryIo, processIo, type CliIo } from "./io.js";
export { ExitCode } from "./errors.js";

/** Every command, built or planned, in the order `--help` lists them. */
export const commands: readonly AnyCommand[] = [
  discoverCommand,
  planCommand,
  runCommand,
  previewCommand,
  upCommand,
  collectCommand,
  destroyCommand,
  statusCommand,
  listCommand,
  cleanupCommand,
  bootstrapCommand,
  parseCommand,
  validateCommand,
  buildCommand,
  sourcesCommand,
  pricingCommand,
  analyzeCommand,
  rankCommand,
  compareCommand,
  reportCommand,
  submitCommand,
  reviewCommand,
];

/** The seed's CLI name: invoked with options only, it means `run` (e.g. `aws-benchmark-collector --instance-types …`). */
const legacyScriptName = "aws-benchmark-collector";

/** Options of {@link exec}. */
export interface ExecOptions {
  /** The name the CLI was invoked as; `aws-benchmark-collector` enables the seed's command-less form. */
  scriptName?: string;
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and returns the exit code.
 *
 * @param argv - arguments, e.g. `["discover", "--input", "dump.json"]`
 * @param io - streams, environment and working directory (default: the real process)
 * @param options - the invoked name
 * @returns the process exit code (DESIGN.md: 0 ok, 1 failed, 2 usage, 3 partial, 130 interrupted)
 */
export async function exec(
  argv: readonly string[],
  io: CliIo = processIo(),
  options: ExecOptions = {},
): Promise<number> {
  const scriptName = options.scriptName ?? "aws-bench";
  const args = legacyArguments(argv, scriptName);
  const context: CommandContext = { io, scriptName, argv: args };
  let exitCode: number = ExitCode.Success;
  let output = "";
  // Anything that fails before a handler starts is yargs rejecting the command line: a usage error.
  let handlerStarted = false;
  const debug = args.includes("--debug");

  let parser = yargs()
    .scriptName(scriptName)
    .env("AWS_BENCH")
    .options(globalOptions)
    .strict()
    .demandCommand(1, "Name a command.")
    .recommendCommands()
    .exitProcess(false)
    .fail(false)
    .wrap(Math.min(120, Number(io.env["COLUMNS"]) || 100))
    .version(packageVersion())
    .help()
    .epilogue("Data goes to stdout, progress to stderr. Docs: docs/ARCHITECTURE.md, docs/AWS_SETUP.md.");
  for (const command of commands) {
    parser = parser.command(
      command.command,
      command.describe,
      (argvOfCommand) => command.build(argvOfCommand),
      async (parsed) => {
        handlerStarted = true;
        exitCode = await command.run(parsed, context);
      },
    );
  }

  try {
    await parser.parseAsync([...args], {}, (_error, _parsed, text) => {
      if (text) output += text;
    });
    if (output) io.stdout.write(output.endsWith("\n") ? output : output + "\n");
    return exitCode;
  } catch (error) {
    return reportError(error, io, debug, scriptName, !handlerStarted);
  }
}

function legacyArguments(argv: readonly string[], scriptName: string): readonly string[] {
  const first = argv[0];
  const asksForMeta = argv.some((arg) => arg === "--help" || arg === "-h" || arg === "--version");
  if (scriptName === legacyScriptName && first !== undefined && first.startsWith("--") && !asksForMeta)
    return ["run", ...argv];
  return argv;
}

function reportError(error: unknown, io: CliIo, debug: boolean, scriptName: string, duringParsing: boolean): number {
  const cliError = isBenchError(error)
    ? error
    : duringParsing && error instanceof Error
      ? new BenchError(
          "UsageError",
          error.message.startsWith("Did you mean") ? `Unknown command. ${error.message}` : error.message,
          { fix: `Run '${scriptName} --help' for the commands and their options.` },
        )
      : undefined;
  if (cliError) {
    io.stderr.write(`error [${cliError.code}]: ${cliError.message}\n`);
    if (cliError.fix) io.stderr.write(`  fix: ${cliError.fix}\n`);
    if (debug) io.stderr.write(`${formatDebug(cliError)}\n`);
    return exitCodeOfError(cliError);
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`error [Unexpected]: ${message}\n`);
  io.stderr.write(
    debug ? `${formatDebug(error)}\n` : "  (run again with --debug for the stack trace, and please report it)\n",
  );
  return ExitCode.Failure;
}

function formatDebug(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null) {
    parts.push(current instanceof Error ? (current.stack ?? current.message) : JSON.stringify(current));
    current = current instanceof Error ? current.cause : undefined;
    if (current !== undefined) parts.push("caused by:");
  }
  return parts.join("\n");
}

/** Runs the CLI on the real process and sets `process.exitCode`. */
export async function cli(): Promise<void> {
  const scriptName =
    (process.argv[1] ?? "aws-bench")
      .split(/[\\/]/)
      .pop()
      ?.replace(/\.(c|m)?js$/, "") ?? "aws-bench";
  const invokedAs = scriptName === "bin" ? "aws-bench" : scriptName;
  // `aws-bench … | head` closes stdout early: that is the reader's choice, not a failure.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
  briefWarnings();
  process.exitCode = await exec(process.argv.slice(2), processIo(), { scriptName: invokedAs });
}

/**
 * Process warnings on one line each. The AWS SDK warns on every load under Node.js 20 with a nine-line notice
 * before any of our output; it is said once, in one line, when the SDK loads.
 */
function briefWarnings(): void {
  process.removeAllListeners("warning");
  process.on("warning", (warning) => {
    if (warning.message.startsWith("NodeVersionSupportWarning")) {
      process.stderr.write(
        `note: AWS SDK releases after early January 2027 need Node.js 22 or later; this is Node.js ${process.version}.\n`,
      );
      return;
    }
    process.stderr.write(`(node:${process.pid}) ${warning.name}: ${warning.message.split("\n")[0] ?? ""}\n`);
  });
}

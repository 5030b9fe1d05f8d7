/**
 * How a command is declared: its options once, typed, so yargs and the handler's arguments come from the same
 * declaration. Command modules stay light; each `run` imports its heavy implementation on demand so that
 * `--help` never loads the AWS SDK or Pulumi.
 */
import type { Argv, InferredOptionTypes, Options, PositionalOptions } from "yargs";
import type { CliIo } from "./io.js";

/** Options every command accepts. */
export const globalOptions = {
  profile: { type: "string", describe: "AWS shared-config profile (default: the AWS credential chain)", global: true },
  region: { type: "string", describe: "AWS region (default: AWS_REGION or the profile's region)", global: true },
  json: { type: "boolean", default: false, describe: "Print machine-readable JSON on stdout", global: true },
  debug: { type: "boolean", default: false, describe: "Show stack traces and SDK details on errors", global: true },
  yes: {
    type: "boolean",
    default: false,
    describe: "Answer yes to confirmations (required without a TTY)",
    global: true,
  },
} as const satisfies Record<string, Options>;

/** Parsed global options. */
export type GlobalArgs = InferredOptionTypes<typeof globalOptions>;

/** What a command's `run` receives besides its arguments. */
export interface CommandContext {
  /** Streams, environment and working directory. */
  io: CliIo;
  /** The name the CLI was invoked as (`aws-bench` or its alias). */
  scriptName: string;
  /** The arguments as given (to tell a flag the user passed from a default or an environment variable). */
  argv: readonly string[];
}

/** A command: its name, help text, options and the function that runs it. */
export interface CommandSpec<O extends Record<string, Options>, P extends Record<string, PositionalOptions>> {
  /** yargs command string, e.g. `parse <benchmark> <file>`. */
  command: string;
  /** One line for the command list. */
  describe: string;
  /** Options of this command, declared once. */
  options: O;
  /** Positional arguments named in `command`. */
  positionals?: P;
  /** At least one example: `[command line, what it does]`. */
  examples: ReadonlyArray<readonly [string, string]>;
  /** Extra validation or settings on the command's parser. */
  configure?: (argv: Argv) => Argv;
  /** Runs the command and returns its exit code. Throws `BenchError` for failures the user can fix. */
  run(args: GlobalArgs & InferredOptionTypes<O> & InferredOptionTypes<P>, context: CommandContext): Promise<number>;
}

/** A registered command with its types erased, as the CLI's command table holds it. */
export interface AnyCommand {
  /** yargs command string. */
  command: string;
  /** One line for the command list. */
  describe: string;
  /** Adds the command's options, positionals and examples to its parser. */
  build(argv: Argv): Argv;
  /** Runs the command with yargs' parsed arguments. */
  run(args: Record<string, unknown>, context: CommandContext): Promise<number>;
}

/** Declares a command; the handler's argument type is inferred from `options` and `positionals`. */
export function defineCommand<
  const O extends Record<string, Options>,
  const P extends Record<string, PositionalOptions> = Record<never, PositionalOptions>,
>(spec: CommandSpec<O, P>): AnyCommand {
  return {
    command: spec.command,
    describe: spec.describe,
    build(argv) {
      // Typed declarations are the point of `spec`; yargs' chained generics add nothing here.
      let built: Argv = argv.options(spec.options);
      for (const [name, positional] of Object.entries(spec.positionals ?? {}))
        built = built.positional(name, positional);
      for (const [line, meaning] of spec.examples) built = built.example(line, meaning);
      return spec.configure ? spec.configure(built) : built;
    },
    run: (args, context) => spec.run(args as Parameters<typeof spec.run>[0], context),
  };
}

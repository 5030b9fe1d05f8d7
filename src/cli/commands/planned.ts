/**
 * Commands that DESIGN.md promises but this version does not have yet. They are registered so `--help` shows
 * the whole tool, and each fails plainly with `NotYetAvailable` instead of pretending to work. A command
 * leaves this table when its own module lands.
 */
import { BenchError } from "../../errors.js";
import type { AnyCommand } from "../command.js";

interface PlannedCommand {
  command: string;
  describe: string;
  example: readonly [string, string];
  /** What the user can do today instead, if anything. */
  meanwhile?: string;
}

const planned: readonly PlannedCommand[] = [
  {
    command: "submit",
    describe: "Package a local result for contribution",
    example: ["$0 submit aws-bench-results/RUN", "prepare a contribution"],
  },
  {
    command: "review",
    describe: "Review a contributed result",
    example: ["$0 review contribution.tar.gz", "check a contribution before merging"],
  },
];

/** The planned commands as CLI commands that fail with `NotYetAvailable` (exit 1). */
export const plannedCommands: readonly AnyCommand[] = planned.map((entry) => ({
  command: entry.command,
  describe: `${entry.describe} (not yet available)`,
  // Accept any options: users following DESIGN.md should hear "not yet available", not "unknown argument".
  build: (argv) => argv.strict(false).example(...entry.example),
  run: () =>
    Promise.reject(
      new BenchError("NotYetAvailable", `'${entry.command}' is not yet available in this version of aws-bench.`, {
        fix:
          entry.meanwhile ??
          "See the project's open issues for its progress; `aws-bench --help` lists what works today.",
      }),
    ),
}));

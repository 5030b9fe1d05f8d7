/** `aws-bench up`: the CI step that creates a recorded batch's stack; instances that fail to launch are recorded. */
import { backendOptions, batchIdOption } from "../batch-options.js";
import { stepContext } from "../batch-session.js";
import { defineCommand } from "../command.js";
import { ExitCode } from "../errors.js";

/** The `up` command. */
export const upCommand = defineCommand({
  command: "up",
  describe: "CI step: create a batch's stack and launch its instances",
  options: { ...batchIdOption, ...backendOptions },
  examples: [["$0 up --batch 20261128t120000z-ab12cd", "launch the batch preview stored"]],
  async run(args, { io }) {
    const { upBatch } = await import("../../orchestrator/batch-steps.js");
    const record = await upBatch(args.batch, stepContext(io, args));
    const failed = record.launch?.failed ?? [];
    const skipped = record.instances.filter((i) => i.skipped !== undefined).length;
    const planned = record.instances.length - skipped;
    io.stdout.write(
      args.json
        ? `${JSON.stringify({ batchId: record.batchId, launched: planned - failed.length, failed, skipped }, null, 2)}\n`
        : `batch ${record.batchId}: ${planned - failed.length} of ${planned} instances launched${skipped ? ` (${skipped} skipped before launch)` : ""}\n`,
    );
    if (failed.length === planned) return ExitCode.Failure;
    // DESIGN.md: 3 when some types were skipped or failed.
    return failed.length || skipped ? ExitCode.Partial : ExitCode.Success;
  },
});

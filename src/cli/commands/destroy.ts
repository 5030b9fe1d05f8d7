/** `aws-bench destroy`: destroys a batch's stack (clearing locks and pending operations) and removes it. */
import { backendOptions, batchIdOption } from "../batch-options.js";
import { stepContext } from "../batch-session.js";
import { defineCommand } from "../command.js";
import { ExitCode } from "../errors.js";

/** The `destroy` command. */
export const destroyCommand = defineCommand({
  command: "destroy",
  describe: "CI step: destroy a batch's stack and remove it from the backend",
  options: { ...batchIdOption, ...backendOptions },
  examples: [["$0 destroy --batch 20261128t120000z-ab12cd --yes", "tear the batch down"]],
  async run(args, { io }) {
    const { destroyRecordedBatch } = await import("../../orchestrator/batch-steps.js");
    const record = await destroyRecordedBatch(args.batch, stepContext(io, args));
    io.stdout.write(
      args.json
        ? `${JSON.stringify({ batchId: record.batchId, destroyedAt: record.destroyedAt }, null, 2)}\n`
        : `batch ${record.batchId}: destroyed\n`,
    );
    return ExitCode.Success;
  },
});

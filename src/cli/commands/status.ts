/** `aws-bench status`: a batch's record, its instances and their states, and what each put in the bucket. */
import { backendOptions, batchIdOption } from "../batch-options.js";
import { stepContext } from "../batch-session.js";
import { defineCommand } from "../command.js";
import { ExitCode } from "../errors.js";

/** The `status` command. */
export const statusCommand = defineCommand({
  command: "status",
  describe: "Show a batch: its instances, their states and results, and its expiry",
  options: { ...batchIdOption, ...backendOptions },
  examples: [["$0 status --batch 20261128t120000z-ab12cd", "instances, results and deadlines"]],
  async run(args, { io }) {
    const { batchStatus } = await import("../../orchestrator/batch-steps.js");
    const status = await batchStatus(args.batch, stepContext(io, args));
    if (args.json) {
      io.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      return ExitCode.Success;
    }
    const lines = [
      `batch ${status.batchId} in ${status.region}: created ${status.createdAt}, expires ${status.expiresAt}${status.destroyedAt ? `, destroyed ${status.destroyedAt}` : status.resources === null ? ", stack resources unknown" : `, ${status.resources} resources in the stack`}`,
      ...status.instances.map(
        (r) => `  ${r.instanceType} #${r.repeat}: ${r.state}, result ${r.result}${r.reason ? ` (${r.reason})` : ""}`,
      ),
    ];
    io.stdout.write(`${lines.join("\n")}\n`);
    return ExitCode.Success;
  },
});

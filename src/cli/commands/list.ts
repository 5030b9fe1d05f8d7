/** `aws-bench list`: the batches on the state backend, with age, state and expiry. */
import { backendOptions } from "../batch-options.js";
import { stepContext } from "../batch-session.js";
import { defineCommand } from "../command.js";
import { ExitCode } from "../errors.js";

/** The `list` command. */
export const listCommand = defineCommand({
  command: "list",
  describe: "List the batches on the state backend with age, state and expiry",
  options: { ...backendOptions },
  examples: [["$0 list --backend s3://my-state/state", "every batch and its expiry"]],
  async run(args, { io }) {
    const { listBackendBatches } = await import("../../orchestrator/batch-steps.js");
    const { backend, rows } = await listBackendBatches(stepContext(io, args));
    if (args.json) io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    else
      io.stdout.write(
        rows.length === 0
          ? `no batches on ${backend.url}\n`
          : `${rows.map((r) => `${r.batchId}  ${r.state.padEnd(10)}  age ${r.ageHours} h  expires ${r.expiresAt ?? "?"}${r.expired ? " (expired)" : ""}  ${r.instanceTypes.join(",")}`).join("\n")}\n`,
      );
    return ExitCode.Success;
  },
});

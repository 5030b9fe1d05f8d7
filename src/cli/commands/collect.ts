/** `aws-bench collect`: the CI step that waits for a batch's results, verifies them and stores them in data/raw. */
import { resolve } from "node:path";
import { backendOptions, batchIdOption } from "../batch-options.js";
import { printReport, stepContext } from "../batch-session.js";
import { defineCommand } from "../command.js";

/** The `collect` command. */
export const collectCommand = defineCommand({
  command: "collect",
  describe: "CI step: wait for a batch's results, verify them and store them in data/raw",
  options: {
    ...batchIdOption,
    ...backendOptions,
    out: { type: "string", default: "data/raw", describe: "Where collected runs go" },
  },
  examples: [["$0 collect --batch 20261128t120000z-ab12cd", "download, verify and store the results"]],
  async run(args, { io }) {
    const { collectBatch } = await import("../../orchestrator/batch-steps.js");
    const report = await collectBatch(args.batch, resolve(io.cwd, args.out), stepContext(io, args));
    return printReport(report, io, args.json);
  },
});

/** `aws-bench preview`: the CI step that plans a new batch, stores its record on the backend and previews its stack. */
import { appendFileSync } from "node:fs";
import { batchRequestFromArgs, batchRequestOptions } from "../batch-options.js";
import { stepContext } from "../batch-session.js";
import { defineCommand } from "../command.js";
import { ExitCode } from "../errors.js";

/** The `preview` command. */
export const previewCommand = defineCommand({
  command: "preview",
  describe: "CI step: plan a batch, store its record on the backend, and preview its stack",
  options: {
    ...batchRequestOptions,
    batch: { type: "string", describe: "Use this new batch id (default: a new one)" },
  },
  examples: [
    [
      "$0 preview --instance-types m7i.large --results-bucket my-results --backend s3://my-state/state",
      "prints the batch id for the next steps",
    ],
  ],
  async run(args, { io }) {
    const request = await batchRequestFromArgs(args, io);
    const { previewBatch } = await import("../../orchestrator/batch-steps.js");
    const { record, changes } = await previewBatch(
      request,
      { batchId: args.batch, skipQuotaCheck: args["skip-quota-check"] },
      stepContext(io, args),
    );
    // GitHub Actions reads step outputs from this file: the next jobs get the batch id.
    const output = io.env["GITHUB_OUTPUT"];
    if (output) appendFileSync(output, `batch-id=${record.batchId}\n`);
    io.stdout.write(
      args.json
        ? `${JSON.stringify({ batchId: record.batchId, stackName: record.stackName, changes }, null, 2)}\n`
        : `batch ${record.batchId}\n`,
    );
    return ExitCode.Success;
  },
});

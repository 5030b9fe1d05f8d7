/** `aws-bench bootstrap`: the long-lived results bucket and image cache repository of a region. */
import { defineCommand } from "../command.js";
import { BenchError } from "../../errors.js";
import { ExitCode } from "../errors.js";
import { backendOptions } from "../batch-options.js";

/** The `bootstrap` command. */
export const bootstrapCommand = defineCommand({
  command: "bootstrap",
  describe: "Create the long-lived results bucket and image cache repository of a region (once)",
  options: {
    "results-bucket": { type: "string", describe: "Bucket name (default: a generated aws-bench-results-… name)" },
    ...backendOptions,
  },
  examples: [
    [
      "$0 bootstrap --region us-east-1 --results-bucket my-team-bench-results",
      "versioned, encrypted, TLS-only, public access blocked",
    ],
  ],
  async run(args, { io }) {
    const { regionFromArgs } = await import("../batch-options.js");
    const region = await regionFromArgs(args, io);
    const bucket = args["results-bucket"];
    if (bucket !== undefined && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
      throw new BenchError("InvalidArgument", `--results-bucket '${bucket}' is not an S3 bucket name.`, {
        fix: "3–63 lowercase letters, digits, dots and hyphens.",
      });
    const { openBackend, createdBy, createEngine } = await import("../../orchestrator/setup.js");
    const { bootstrap } = await import("../../orchestrator/bootstrap.js");
    const { backend } = await openBackend({ profile: args.profile, region, backend: args.backend }, io);
    const engine = await createEngine(backend, io, async () =>
      (await import("../../../stacks/bootstrap.js")).bootstrapProgram(),
    );
    await engine.ready();
    const outcome = await bootstrap(engine, {
      region,
      resultsBucket: bucket,
      createdBy: createdBy(io.env),
      progress: (line) => io.stderr.write(`${line}\n`),
    });
    io.stdout.write(
      args.json
        ? `${JSON.stringify(outcome, null, 2)}\n`
        : `results bucket: ${outcome.resultsBucket}\nimage cache: ${outcome.cacheRepositoryUrl}\nnext: aws-bench run --region ${region} --results-bucket ${outcome.resultsBucket} --instance-types …\n`,
    );
    return ExitCode.Success;
  },
});

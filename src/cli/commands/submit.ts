/**
 * `aws-bench submit`: runs made on EC2 instances → one contribution bundle and its pull-request text
 * (src/community/submit.ts). Nothing is written unless every run passes its checks.
 */
import { resolve } from "node:path";
import { defineCommand } from "../command.js";
import { ExitCode } from "../errors.js";

/** The `submit` command. */
export const submitCommand = defineCommand({
  command: "submit <runs..>",
  describe: "Package runs made on EC2 instances as a contribution bundle, with the pull request's text",
  options: {
    out: {
      type: "string",
      default: "contribution.json",
      describe: "The bundle to write (never overwritten); the pull-request text goes beside it as NAME.pr.md",
    },
    handle: {
      type: "string",
      default: "anonymous",
      describe: "The name the contribution is credited to (e.g. your GitHub login)",
    },
    "public-identity": {
      type: "boolean",
      default: false,
      describe:
        "Publish the instance identity document instead of sealing it to the maintainers' review key (it names the AWS account, instance id and private IP; anyone can then re-verify it)",
    },
    modification: {
      type: "string",
      describe: "What differs from the released runner or pinned sources, and why (required when anything does)",
    },
    "review-keys": {
      type: "string",
      describe: "The review key ring to seal to (default: the package's configs/review-keys.json)",
    },
  },
  positionals: {
    runs: { type: "string", array: true, describe: "Run folders written by `aws-bench run --target local` on EC2" },
  },
  examples: [
    [
      "$0 submit aws-bench-results/RUN_ID --handle octocat",
      "seal the identity to the maintainers' key; write contribution.json and contribution.pr.md",
    ],
    ["$0 submit aws-bench-results/* --public-identity --out m7i.json", "several runs, identity public"],
  ],
  async run(args, { io }) {
    const { submitRuns } = await import("../../community/submit.js");
    const outcome = await submitRuns({
      runDirs: (args.runs ?? []).map((dir) => resolve(io.cwd, dir)),
      out: resolve(io.cwd, args.out),
      handle: args.handle,
      publicIdentity: args["public-identity"],
      modification: args.modification,
      reviewKeys: args["review-keys"] === undefined ? undefined : resolve(io.cwd, args["review-keys"]),
    });
    const { bundle } = outcome;
    if (args.json)
      io.stdout.write(
        `${JSON.stringify({ bundle: outcome.bundlePath, pullRequest: outcome.pullRequestPath, runs: bundle.runs.map((run) => ({ runId: run.runId, instanceType: run.instanceType, identity: run.identity.visibility, modified: run.runner.modified })) }, null, 2)}\n`,
      );
    else {
      for (const run of bundle.runs)
        io.stdout.write(
          `  ${run.runId}: ${run.instanceType} in ${run.availabilityZone}, identity ${run.identity.visibility}${run.runner.modified ? ", modified runner (stated)" : ""}\n`,
        );
      io.stdout.write(`wrote ${outcome.bundlePath}\nwrote ${outcome.pullRequestPath} (the pull request's text)\n`);
      io.stdout.write("next: add the bundle under contributions/ in a fork and open a pull request with that text\n");
    }
    return ExitCode.Success;
  },
});

/**
 * `aws-bench review`: the reviewer's tool and the gate of contribution pull requests (src/community/review.ts).
 * Writes review.json with every step's outcome and reason; `--merge` adds accepted runs to data/raw/ and rejections
 * to data/rejected/. Exit 0 when every run is accepted, 3 when some need a person (none rejected), 1 when any is
 * rejected.
 */
import { resolve } from "node:path";
import { BenchError } from "../../errors.js";
import { defineCommand } from "../command.js";
import { ExitCode } from "../errors.js";

/** The `review` command. */
export const reviewCommand = defineCommand({
  command: "review <bundles..>",
  describe: "Review contribution bundles: identity, re-derived numbers, physical limits; accept, flag or reject",
  options: {
    key: {
      type: "string",
      array: true,
      describe:
        "A maintainers' review private key (PEM) to open sealed identities; repeatable (env AWS_BENCH_REVIEW_KEY: the PEM itself)",
    },
    "pseudonym-secret": {
      type: "string",
      describe:
        "File holding the maintainers' pseudonym secret (≥ 32 bytes; env AWS_BENCH_PSEUDONYM_SECRET: the secret itself)",
    },
    data: {
      type: "string",
      default: "data",
      describe: "The database the runs would join (its raw/ is compared against; --merge writes to it)",
    },
    out: { type: "string", default: "review.json", describe: "Where to write the review" },
    merge: {
      type: "boolean",
      default: false,
      describe: "Add accepted runs to DATA/raw/ and rejections to DATA/rejected/",
    },
    certificates: {
      type: "string",
      describe: "AWS identity certificate catalogue (default: the package's configs/aws-identity-certificates.json)",
    },
  },
  positionals: { bundles: { type: "string", array: true, describe: "Bundles written by `aws-bench submit`" } },
  examples: [
    ["$0 review contributions/m7i.json", "steps 2–8 on the public part (what the pull-request job runs)"],
    [
      "$0 review contributions/m7i.json --key review.pem --pseudonym-secret secret.bin --merge",
      "the full review, then merge",
    ],
  ],
  async run(args, { io }) {
    const { readRegularFile } = await import("../../input-files.js");
    const { runReview } = await import("../../community/review-run.js");
    const readSecret = (path: string, what: string): Buffer => {
      try {
        return readRegularFile(resolve(io.cwd, path), 64 * 1024);
      } catch (error) {
        throw new BenchError("InputUnreadable", `Cannot read the ${what} ${path}: ${(error as Error).message}.`, {
          fix: `Pass the file that holds the ${what}.`,
          cause: error,
        });
      }
    };
    const keys = (args.key ?? []).map((path) => readSecret(path, "review key").toString("utf8"));
    const envKey = io.env["AWS_BENCH_REVIEW_KEY"];
    if (envKey) keys.push(envKey);
    const envSecret = io.env["AWS_BENCH_PSEUDONYM_SECRET"];
    const secret =
      args["pseudonym-secret"] !== undefined
        ? readSecret(args["pseudonym-secret"], "pseudonym secret")
        : envSecret
          ? Buffer.from(envSecret, "utf8")
          : undefined;
    const outcome = await runReview({
      bundles: (args.bundles ?? []).map((file) => resolve(io.cwd, file)),
      privateKeys: keys,
      pseudonymSecret: secret,
      dataDir: resolve(io.cwd, args.data),
      out: resolve(io.cwd, args.out),
      merge: args.merge,
      certificates: args.certificates === undefined ? undefined : resolve(io.cwd, args.certificates),
    });
    const { report } = outcome;
    if (args.json)
      io.stdout.write(`${JSON.stringify({ review: outcome.out, ...report, merge: outcome.merge }, null, 2)}\n`);
    else {
      for (const bundle of report.bundles) {
        io.stdout.write(`${bundle.file}${bundle.problem ? `: rejected: ${bundle.problem}` : ""}\n`);
        for (const run of bundle.runs) {
          io.stdout.write(
            `  ${run.runId} (${run.instanceType}): ${run.verdict}${run.verdict === "accept" ? ` as ${run.evidence === "community" ? "C1" : "L"}` : ""}\n`,
          );
          for (const step of run.steps.filter((s) => s.outcome !== "pass"))
            io.stdout.write(`    step ${step.step} ${step.name}: ${step.outcome}: ${step.reason}\n`);
        }
      }
      io.stdout.write(`wrote ${outcome.out}\n`);
      if (outcome.merge) {
        for (const folder of outcome.merge.merged) io.stdout.write(`merged ${folder}\n`);
        for (const file of outcome.merge.rejected) io.stdout.write(`rejection recorded in ${file}\n`);
        for (const left of outcome.merge.leftForReview) io.stdout.write(`left for a person: ${left}\n`);
      }
    }
    const verdicts = report.bundles.flatMap((bundle) =>
      bundle.problem ? ["reject"] : bundle.runs.map((run) => run.verdict),
    );
    if (verdicts.includes("reject")) return ExitCode.Failure;
    if (verdicts.includes("needs-human-review")) return ExitCode.Partial;
    return ExitCode.Success;
  },
});

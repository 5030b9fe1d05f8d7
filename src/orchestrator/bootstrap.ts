/**
 * `aws-bench bootstrap`: the long-lived stack `bootstrap-<region>` (results bucket and image cache repository,
 * stacks/bootstrap.ts) on the same backend as the batches, through the same engine. Running it again changes
 * nothing that exists; it is never destroyed by the tool.
 */
import { BenchError } from "../errors.js";
import { urnName, type StackEngine } from "./engine.js";
import { encodeBootstrapConfig } from "../../stacks/bootstrap-config.js";

/** What bootstrap created (or found). */
export interface BootstrapOutcome {
  /** The stack. */
  stackName: string;
  /** The results bucket's name. */
  resultsBucket: string;
  /** The cache repository's URL. */
  cacheRepositoryUrl: string;
}

/** The stack name of a region's long-lived resources. */
export function bootstrapStackName(region: string): string {
  return `bootstrap-${region}`;
}

/** Creates or updates the region's long-lived stack and reads back the names. */
export async function bootstrap(
  engine: StackEngine,
  options: { region: string; resultsBucket?: string | undefined; createdBy: string; progress(line: string): void },
): Promise<BootstrapOutcome> {
  const ref = {
    stackName: bootstrapStackName(options.region),
    config: encodeBootstrapConfig(options),
  };
  const failures: string[] = [];
  const outcome = await engine.up(ref, {
    onProgress: (line) => options.progress(`  ${line}`),
    onResourceFailed: (urn, message) => message && failures.push(`${urnName(urn)}: ${message}`),
  });
  if (outcome.failed) {
    const taken = failures.some((f) => /BucketAlreadyExists|BucketAlreadyOwnedByYou/.test(f));
    throw new BenchError(
      taken ? "InvalidArgument" : "PulumiError",
      `bootstrap in ${options.region} failed: ${failures.join("; ") || "see the output above"}`,
      {
        fix: taken
          ? "Bucket names are global: choose another --results-bucket (or leave it out for a generated name)."
          : "Fix the cause and run bootstrap again; what was created is kept and reused.",
      },
    );
  }
  const resources = await engine.resources(ref);
  const bucket = resources.find((r) => r.type === "aws:s3/bucket:Bucket")?.outputs["bucket"];
  const cache = resources.find((r) => r.type === "aws:ecr/repository:Repository")?.outputs["repositoryUrl"];
  if (typeof bucket !== "string" || typeof cache !== "string")
    throw new BenchError("PulumiError", `bootstrap-${options.region} has no bucket or cache repository in its state.`, {
      fix: "Run bootstrap again.",
    });
  return { stackName: ref.stackName, resultsBucket: bucket, cacheRepositoryUrl: cache };
}

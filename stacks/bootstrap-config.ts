/**
 * The stack config of the bootstrap program (`bootstrap-<region>`): the only module spelling its keys. The
 * orchestrator encodes it without loading the program (which loads the AWS provider); the program decodes it.
 * Also the names of what bootstrap creates that others must find without loading the program: the batch roles'
 * permissions boundary, which the batch component sets and the preflight looks up.
 */
import { iamPath } from "./batch-naming.js";
import { configNamespace, regionConfigKey } from "./batch-spec.js";

/** What the bootstrap program is told. */
export interface BootstrapConfig {
  /** The region of the long-lived resources. */
  region: string;
  /** Who runs it (a tag on every resource). */
  createdBy: string;
  /** An exact results-bucket name; a generated one when absent. */
  resultsBucket?: string | undefined;
}

/** The stack config for `config`. */
export function encodeBootstrapConfig(config: BootstrapConfig): Record<string, string> {
  return {
    [regionConfigKey]: config.region,
    [`${configNamespace}:createdBy`]: config.createdBy,
    ...(config.resultsBucket ? { [`${configNamespace}:resultsBucket`]: config.resultsBucket } : {}),
  };
}

/** The program's view of its config, read through `get` (Pulumi's `Config.get` of the project namespace). */
export function decodeBootstrapConfig(get: (key: string) => string | undefined): Omit<BootstrapConfig, "region"> {
  return { createdBy: get("createdBy") ?? "aws-bench bootstrap", resultsBucket: get("resultsBucket") };
}

/**
 * The managed policy every batch role carries as its permissions boundary starts with this name; the region follows.
 * IAM is global and bootstrap runs once per region, so each region's stack owns its own boundary (naming the
 * region's results bucket) and two regions never fight over one policy.
 */
export const batchBoundaryNamePrefix = "aws-bench-batch-boundary-";

/** The tag on the boundary naming the results bucket it lets instances write to. */
export const boundaryResultsBucketTag = "aws-bench:results-bucket";

/** The boundary's policy name in `region`, e.g. `aws-bench-batch-boundary-eu-west-1`. */
export function batchBoundaryPolicyName(region: string): string {
  return `${batchBoundaryNamePrefix}${region}`;
}

/**
 * The boundary's ARN: deterministic, so the batch component and the preflight compute it from the account and the
 * region alone, without asking the bootstrap stack.
 */
export function batchBoundaryArn(where: { partition: string; accountId: string; region: string }): string {
  return `arn:${where.partition}:iam::${where.accountId}:policy${iamPath}${batchBoundaryPolicyName(where.region)}`;
}

/** Name of the long-lived image repository bootstrap creates and batches build into and reuse from. */
export const cacheRepositoryName = "aws-bench-cache";

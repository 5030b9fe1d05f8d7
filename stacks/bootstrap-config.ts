/**
 * The stack config of the bootstrap program (`bootstrap-<region>`): the only module spelling its keys. The
 * orchestrator encodes it without loading the program (which loads the AWS provider); the program decodes it.
 */
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

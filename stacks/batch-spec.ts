/**
 * The batch specification: everything the stack program needs to declare one batch, as one typed value with one
 * JSON Schema (`schemas/batch-spec.schema.json`). The orchestrator computes it once (request, catalogue,
 * preflight), stores it in the batch record and hands it to the program as the single stack config value
 * `aws-instance-benchmarks:batch`; the offline planner and the test engine pass it the same way. The program decodes
 * it here and nowhere else, so a bad value fails once, with the field named, before anything is declared.
 *
 * This is the only module that spells the program's config keys.
 */
import { BenchError } from "../src/errors.js";
import { assertDocument } from "../src/schemas/documents.js";
import type { BatchSpec } from "../src/schemas/generated/batch-spec.js";
import { batchTags, isBatchId, newBatchId } from "./batch-naming.js";

export type { BatchSpec };

/** The config namespace: the Pulumi project's name (Pulumi.yaml), which is also the Automation API's project name. */
export const configNamespace = "aws-instance-benchmarks";
/** The spec's name in the namespace. */
export const batchSpecConfigName = "batch";
/** The one config key the program reads (besides the provider's `aws:region`). */
export const batchSpecConfigKey = `${configNamespace}:${batchSpecConfigName}`;
/** The AWS provider's region key. */
export const regionConfigKey = "aws:region";

/** A spec with its defaults filled in: what the program declares. */
export type ResolvedBatchSpec = BatchSpec &
  Required<
    Pick<
      BatchSpec,
      "batchId" | "benchmarks" | "repeat" | "quick" | "spot" | "ssm" | "keep" | "tags" | "createdBy" | "backend"
    >
  >;

/** The stack config that realises `spec` in `region`: the region and the spec as one JSON value. */
export function encodeBatchSpec(region: string, spec: BatchSpec): Record<string, string> {
  return { [regionConfigKey]: region, [batchSpecConfigKey]: JSON.stringify(spec) };
}

/**
 * The spec from the program's config value — JSON text (what the orchestrator sets) or an object (structured
 * config in Pulumi.<stack>.yaml) — checked against the schema and against what the schema cannot say: the known
 * benchmarks, tags AWS would refuse, zones for every planned instance. Throws `InvalidArgument` or
 * `SchemaViolation` naming the field.
 *
 * @param value - the config value, or undefined when the key is not set
 * @param knownBenchmarks - the benchmark names the runner knows
 */
export async function decodeBatchSpec(value: unknown, knownBenchmarks: readonly string[]): Promise<BatchSpec> {
  const where = `stack config ${batchSpecConfigKey}`;
  if (value === undefined || value === null || value === "") {
    throw new BenchError("InvalidArgument", `${where} is not set.`, {
      fix: `Set it to the batch, e.g. pulumi config set --path '${batchSpecConfigKey}.instanceTypes[0]' m7i.large and '${batchSpecConfigKey}.resultsBucket' NAME.`,
    });
  }
  let data: unknown = value;
  if (typeof value === "string") {
    try {
      data = JSON.parse(value) as unknown;
    } catch (error) {
      throw new BenchError("InvalidArgument", `${where} is not JSON: ${(error as Error).message}.`, {
        fix: "Set it as a structured value (a YAML mapping in Pulumi.<stack>.yaml) or as a JSON object.",
      });
    }
  }
  const spec = await assertDocument("batch-spec", data, where);
  const unknown = (spec.benchmarks ?? []).filter((name) => !knownBenchmarks.includes(name));
  if (unknown.length) {
    throw new BenchError("InvalidArgument", `${where}: unknown benchmarks ${unknown.join(", ")}.`, {
      fix: `Choose from ${knownBenchmarks.join(", ")}.`,
    });
  }
  try {
    batchTags({
      batchId: spec.batchId ?? newBatchId(),
      createdBy: "",
      expiresAt: new Date(0),
      backend: "",
      userTags: spec.tags ?? {},
    });
  } catch (error) {
    throw new BenchError("InvalidArgument", `${where}: ${(error as Error).message}.`, {
      fix: "Correct or drop that tag.",
    });
  }
  if (spec.zones) {
    const missing = instanceKeys(spec).filter((key) => spec.zones?.instances[key] === undefined);
    if (missing.length) {
      throw new BenchError("InvalidArgument", `${where}: zones.instances has no zone for ${missing.join(", ")}.`, {
        fix: "Give every `type/repeat` a zone ID, or leave zones out to choose them from today's offerings.",
      });
    }
  }
  return spec;
}

/** The spec with its defaults: a new batch id, every known benchmark, one repeat, on-demand, no extra access. */
export function resolveBatchSpec(
  spec: BatchSpec,
  knownBenchmarks: readonly string[],
  now: Date = new Date(),
): ResolvedBatchSpec {
  return {
    ...spec,
    batchId: spec.batchId ?? newBatchId(now),
    benchmarks: spec.benchmarks ?? [...knownBenchmarks],
    repeat: spec.repeat ?? 1,
    quick: spec.quick ?? false,
    spot: spec.spot ?? false,
    ssm: spec.ssm ?? false,
    keep: spec.keep ?? false,
    tags: spec.tags ?? {},
    createdBy: spec.createdBy ?? "pulumi",
    backend: spec.backend ?? "unknown",
  };
}

/** `type/repeat` of every instance the spec plans, in order. */
export function instanceKeys(spec: Pick<BatchSpec, "instanceTypes" | "repeat">): string[] {
  return spec.instanceTypes.flatMap((type) =>
    Array.from({ length: spec.repeat ?? 1 }, (_, repeat) => `${type}/${repeat}`),
  );
}

/**
 * A version-1 batch record's stack config (one string per key, written by aws-bench before the spec existed) as
 * a spec, plus the zone-retry state it kept beside it; so a batch planned by an older aws-bench can still be
 * launched, collected, destroyed and swept.
 */
export function specFromVersion1Config(config: Record<string, string>): {
  region: string;
  spec: BatchSpec;
  zoneRetry?: { offerings: Record<string, string[]>; retried: string[] };
} {
  const get = (key: string) => config[`${configNamespace}:${key}`];
  const json = <T>(key: string): T | undefined => {
    const text = get(key);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  };
  const region = config[regionConfigKey];
  const instanceTypes = (get("instanceTypes") ?? "").split(",").filter(Boolean);
  const resultsBucket = get("resultsBucket");
  const batchId = get("batchId");
  if (!region || instanceTypes.length === 0 || !resultsBucket || !batchId || !isBatchId(batchId)) {
    throw new BenchError(
      "SchemaViolation",
      "A version-1 batch record lacks its region, instance types, results bucket or batch id.",
      {
        fix: "Destroy the batch with an aws-bench of the version that planned it, or remove the record and run `aws-bench cleanup`.",
      },
    );
  }
  const flag = (key: string) => (get(key) === undefined ? undefined : get(key) === "true");
  const number = (key: string) => (get(key) === undefined ? undefined : Number(get(key)));
  const zonePlan = json<Record<string, string>>("zonePlan");
  const network = json<string[]>("networkZoneIds");
  const subnetId = get("subnetId");
  const vpcId = get("vpcId");
  const keyName = get("keyName");
  const cacheRepository = get("imageCacheRepository");
  const offerings = json<Record<string, string[]>>("zoneOfferings");
  const spec: BatchSpec = {
    instanceTypes,
    resultsBucket,
    batchId,
    ...(get("benchmarks") ? { benchmarks: (get("benchmarks") as string).split(",").filter(Boolean) } : {}),
    ...(number("repeat") === undefined ? {} : { repeat: number("repeat") }),
    ...(flag("quick") === undefined ? {} : { quick: flag("quick") }),
    ...(flag("spot") === undefined ? {} : { spot: flag("spot") }),
    ...(flag("ssm") === undefined ? {} : { ssm: flag("ssm") }),
    ...(number("maxMinutes") === undefined ? {} : { maxMinutes: number("maxMinutes") }),
    ...(get("expiresAt") ? { expiresAt: get("expiresAt") } : {}),
    ...(zonePlan
      ? { zones: { instances: zonePlan, network: network ?? [...new Set(Object.values(zonePlan))].sort() } }
      : {}),
    ...(subnetId && vpcId
      ? {
          network: {
            subnetId,
            vpcId,
            ...(get("securityGroupId") ? { securityGroupId: get("securityGroupId") as string } : {}),
          },
        }
      : {}),
    ...(keyName ? { ssh: { keyName, ...(get("sshCidr") ? { cidr: get("sshCidr") as string } : {}) } } : {}),
    ...(json<Record<string, string>>("images") ? { images: json<Record<string, string>>("images") } : {}),
    ...(cacheRepository
      ? {
          imageCache: {
            repository: cacheRepository,
            ...(get("imageCacheUrl") ? { url: get("imageCacheUrl") as string } : {}),
            ...(get("imageCacheArn") ? { arn: get("imageCacheArn") as string } : {}),
          },
        }
      : {}),
    ...(get("cacheFrom") ? { cacheFrom: get("cacheFrom") } : {}),
    ...(json<Record<string, string>>("tags") ? { tags: json<Record<string, string>>("tags") } : {}),
    ...(get("createdBy") ? { createdBy: get("createdBy") } : {}),
    ...(get("backend") ? { backend: get("backend") } : {}),
  };
  return {
    region,
    spec,
    ...(offerings ? { zoneRetry: { offerings, retried: json<string[]>("zoneRetried") ?? [] } } : {}),
  };
}

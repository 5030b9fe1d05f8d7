/**
 * The batch commands' options, declared once, and their mapping to typed requests: `plan`, `run` (AWS target),
 * `preview` and the CI steps share these declarations, and every flag is checked here — naming the flag — before
 * anything reaches AWS.
 */
import type { Options } from "yargs";
import { BenchError } from "../errors.js";
import { benchmarkNames, parseBenchmarkList, type BenchmarkName } from "../benchmarks/registry.js";
import type { BatchRequest } from "../orchestrator/batch-record.js";
import type { PlanRequest } from "../orchestrator/plan.js";
import { sshCidrProblem } from "../../stacks/cidr.js";
import type { CliIo } from "./io.js";

/** Options naming the backend and the batch. */
export const backendOptions = {
  backend: {
    type: "string",
    describe: "State backend: s3://BUCKET[/PREFIX] or file://DIR (default PULUMI_BACKEND_URL, else ~/.aws-bench/state)",
  },
} as const satisfies Record<string, Options>;

/** Options of a planned batch (plan, and the start of run and preview). */
export const planRequestOptions = {
  "instance-types": { type: "string", describe: "Comma-separated EC2 instance types" },
  benchmarks: {
    type: "string",
    default: benchmarkNames.join(","),
    describe: `Comma-separated: ${benchmarkNames.join(", ")}`,
  },
  repeat: { type: "number", default: 1, describe: "Independent instances per type" },
  spot: { type: "boolean", default: false, describe: "One-time spot requests that terminate on interruption" },
  quick: { type: "boolean", default: false, describe: "The runner's --quick (2 trials, HPL sized for a minute)" },
  "max-minutes": { type: "number", describe: "Cap on any instance's life" },
  "results-bucket": { type: "string", describe: "The long-lived results bucket (aws-bench bootstrap creates one)" },
} as const satisfies Record<string, Options>;

/** Options of a new batch (run and preview). */
export const batchRequestOptions = {
  ...planRequestOptions,
  images: {
    type: "string",
    describe:
      "Prebuilt images: a private ECR ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAMESPACE holding aws-bench:<tag>-distro-<hash> (default: build into the batch's ECR repository)",
  },
  "max-cost": { type: "number", describe: "Refuse when the expected cost in USD is above this" },
  tag: { type: "string", array: true, describe: "Extra tag on every resource: KEY=VALUE" },
  "skip-quota-check": { type: "boolean", default: false, describe: "Do not check vCPU and network quotas first" },
  subnet: {
    type: "string",
    describe:
      "Run in this existing subnet (its zone must offer the types; it needs a route to the internet or to S3/ECR endpoints)",
  },
  "security-group": {
    type: "string",
    describe: "With --subnet: use this security group instead of a new one with no inbound access",
  },
  "key-pair": { type: "string", describe: "EC2 key pair for SSH (with --ssh-cidr, or with your own --security-group)" },
  "ssh-cidr": { type: "string", describe: "The only IPv4 network SSH is opened to (never 0.0.0.0/0)" },
  ...backendOptions,
} as const satisfies Record<string, Options>;

/** The batch a CI step works on. */
export const batchIdOption = {
  batch: {
    type: "string",
    demandOption: true,
    describe: "The batch id (printed by run/preview; `aws-bench list` shows them)",
  },
} as const satisfies Record<string, Options>;

/** The request flags as yargs parses them. */
export type RequestArgs = {
  "instance-types"?: string | undefined;
  benchmarks: string;
  repeat: number;
  spot: boolean;
  quick: boolean;
  "results-bucket"?: string | undefined;
  images?: string | undefined;
  "max-minutes"?: number | undefined;
  "max-cost"?: number | undefined;
  tag?: string[] | undefined;
  region?: string | undefined;
  subnet?: string | undefined;
  "security-group"?: string | undefined;
  "key-pair"?: string | undefined;
  "ssh-cidr"?: string | undefined;
};

/** The most independent instances per type one batch may launch (the batch spec's own limit). */
const maxRepeat = 100;

/** The S3 bucket naming rule (3–63 lowercase letters, digits, dots and hyphens). */
const bucketPattern = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** `--instance-types`, `--benchmarks` and `--repeat` of a batch or a plan, checked; throws naming the flag. */
export async function batchSelection(args: {
  "instance-types"?: string | undefined;
  benchmarks: string;
  repeat: number;
}): Promise<{ instanceTypes: string[]; benchmarks: BenchmarkName[] }> {
  const given: unknown = args["instance-types"];
  if (Array.isArray(given))
    throw new BenchError("UsageError", "--instance-types is given more than once.", {
      fix: "Pass one comma-separated list: --instance-types m7i.large,c7g.large",
    });
  const instanceTypes = (args["instance-types"] ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
  if (instanceTypes.length === 0)
    throw new BenchError("UsageError", "--instance-types is empty.", {
      fix: "e.g. --instance-types m7i.large,c7g.large",
    });
  const { isInstanceTypeName } = await import("../discovery/instance-type-name.js");
  const malformed = instanceTypes.filter((type) => !isInstanceTypeName(type));
  if (malformed.length)
    throw new BenchError("InvalidArgument", `Not instance type names: ${malformed.join(", ")}.`, {
      fix: "Use names like m7i.large.",
    });
  const duplicates = [...new Set(instanceTypes.filter((type, index) => instanceTypes.indexOf(type) !== index))];
  if (duplicates.length)
    throw new BenchError("UsageError", `--instance-types names ${duplicates.join(", ")} more than once.`, {
      fix: "Name each type once; --repeat N runs N independent instances of every type.",
    });
  const benchmarks = parseBenchmarkList(args.benchmarks);
  if (!Number.isInteger(args.repeat) || args.repeat < 1 || args.repeat > maxRepeat)
    throw new BenchError("UsageError", `--repeat ${args.repeat} is not a whole number from 1 to ${maxRepeat}.`, {
      fix: `Pass --repeat 1 to ${maxRepeat} (independent instances per type).`,
    });
  return { instanceTypes, benchmarks };
}

/** What a plan needs from the command line (`plan`, and the start of every batch request). */
export async function planRequestFromArgs(
  args: {
    "instance-types"?: string | undefined;
    benchmarks: string;
    repeat: number;
    spot: boolean;
    quick: boolean;
    "max-minutes"?: number | undefined;
    "results-bucket"?: string | undefined;
  },
  region: string,
): Promise<PlanRequest> {
  const { instanceTypes, benchmarks } = await batchSelection(args);
  const bucket = args["results-bucket"];
  if (bucket !== undefined && !bucketPattern.test(bucket))
    throw new BenchError("InvalidArgument", `--results-bucket '${bucket}' is not an S3 bucket name.`, {
      fix: "Bucket names are 3–63 lowercase letters, digits, dots and hyphens.",
    });
  if (args["max-minutes"] !== undefined && !(args["max-minutes"] > 0))
    throw new BenchError("UsageError", `--max-minutes ${args["max-minutes"]} must be positive.`, {
      fix: "Pass e.g. --max-minutes 60.",
    });
  return {
    instanceTypes,
    benchmarks,
    repeat: args.repeat,
    spot: args.spot,
    quick: args.quick,
    region,
    maxMinutes: args["max-minutes"],
    resultsBucket: args["results-bucket"],
  };
}

/** The request from the command line; throws `UsageError`/`InvalidArgument` naming the flag. */
export async function batchRequestFromArgs(args: RequestArgs, io: CliIo): Promise<BatchRequest> {
  const { instanceTypes } = await batchSelection(args);
  for (const flag of ["max-minutes", "max-cost"] as const) {
    const value = args[flag];
    if (value !== undefined && !(value > 0))
      throw new BenchError("UsageError", `--${flag} ${value} must be positive.`, { fix: `Pass e.g. --${flag} 60.` });
  }
  const bucket = args["results-bucket"] ?? io.env["AWS_BENCH_RESULTS_BUCKET"];
  if (!bucket)
    throw new BenchError(
      "UsageError",
      "A batch needs --results-bucket (or AWS_BENCH_RESULTS_BUCKET): results outlive the stack in a long-lived bucket.",
      { fix: "Create one once with `aws-bench bootstrap --results-bucket NAME`, then pass --results-bucket NAME." },
    );
  if (!bucketPattern.test(bucket))
    throw new BenchError("InvalidArgument", `--results-bucket '${bucket}' is not an S3 bucket name.`, {
      fix: "Bucket names are 3–63 lowercase letters, digits, dots and hyphens.",
    });
  const region = await regionFromArgs(args, io);
  const tags: Record<string, string> = {};
  for (const pair of args.tag ?? []) {
    const m = /^([^=]+)=(.*)$/.exec(pair);
    if (!m) throw new BenchError("UsageError", `--tag '${pair}' is not KEY=VALUE.`, { fix: "e.g. --tag project=hpc" });
    tags[m[1] as string] = m[2] as string;
  }
  // Tags AWS or the tool would refuse are named now, before the plan and the account checks.
  const { batchTags } = await import("../../stacks/batch-naming.js");
  try {
    batchTags({ batchId: "", createdBy: "", expiresAt: new Date(0), backend: "", userTags: tags });
  } catch (error) {
    throw new BenchError("UsageError", `--tag: ${(error as Error).message}.`, { fix: "Correct or drop that tag." });
  }
  let images: Record<string, string> | undefined;
  if (args.images !== undefined) {
    const { prebuiltImageUris } = await import("../images/prebuilt.js");
    images = await prebuiltImageUris(args.images, instanceTypes);
  }
  const { network, ssh } = networkFromArgs(args);
  return {
    ...(await planRequestFromArgs(args, region)),
    maxCostUsd: args["max-cost"],
    resultsBucket: bucket,
    ...(images ? { images, imagesSource: args.images as string } : {}),
    tags,
    ...(network ? { network } : {}),
    ...(ssh ? { ssh } : {}),
  };
}

/** `--subnet`, `--security-group`, `--key-pair`, `--ssh-cidr`, checked together; throws naming the flag. */
function networkFromArgs(args: RequestArgs): {
  network?: { subnetId: string; securityGroupId?: string };
  ssh?: { keyName: string; cidr?: string };
} {
  const subnet = args.subnet;
  const group = args["security-group"];
  const keyName = args["key-pair"];
  const cidr = args["ssh-cidr"];
  if (subnet !== undefined && !/^subnet-[0-9a-f]{8,17}$/.test(subnet))
    throw new BenchError("InvalidArgument", `--subnet '${subnet}' is not a subnet id.`, {
      fix: "e.g. --subnet subnet-0abc12345def67890",
    });
  if (group !== undefined && !/^sg-[0-9a-f]{8,17}$/.test(group))
    throw new BenchError("InvalidArgument", `--security-group '${group}' is not a security group id.`, {
      fix: "e.g. --security-group sg-0abc12345def67890",
    });
  if (group !== undefined && subnet === undefined)
    throw new BenchError(
      "UsageError",
      "--security-group needs --subnet (a group belongs to a VPC; the batch's own VPC is new).",
      { fix: "Pass --subnet in the group's VPC, or leave both out." },
    );
  if (keyName !== undefined && !/^[\x20-\x7e]{1,255}$/.test(keyName))
    throw new BenchError("InvalidArgument", `--key-pair '${keyName}' is not a key pair name.`, {
      fix: "Use the name shown by `aws ec2 describe-key-pairs`.",
    });
  if (cidr !== undefined) {
    if (keyName === undefined)
      throw new BenchError("UsageError", "--ssh-cidr needs --key-pair.", {
        fix: "Pass --key-pair NAME, or leave --ssh-cidr out.",
      });
    const problem = sshCidrProblem(cidr);
    if (problem)
      throw new BenchError("InvalidArgument", `--ssh-cidr '${cidr}' ${problem.reason}.`, { fix: problem.fix });
    if (group !== undefined)
      throw new BenchError("UsageError", "--ssh-cidr cannot be added to your own --security-group.", {
        fix: "Open SSH in that group yourself, and leave --ssh-cidr out.",
      });
  }
  if (keyName !== undefined && cidr === undefined && group === undefined)
    throw new BenchError(
      "UsageError",
      "--key-pair needs --ssh-cidr (the only network SSH is opened to), or your own --security-group.",
      { fix: "e.g. --key-pair me --ssh-cidr 203.0.113.0/24" },
    );
  return {
    ...(subnet ? { network: { subnetId: subnet, ...(group ? { securityGroupId: group } : {}) } } : {}),
    ...(keyName ? { ssh: { keyName, ...(cidr ? { cidr } : {}) } } : {}),
  };
}

/**
 * `--region`, `AWS_REGION`, or the region of the profile in the AWS config (said on stderr); `RegionMissing`
 * with the fix when none is found.
 */
export async function regionFromArgs(
  args: { region?: string | undefined; profile?: string | undefined },
  io: CliIo,
): Promise<string> {
  const { resolveRegion } = await import("../aws/clients.js");
  const { region, source } = await resolveRegion({ region: args.region, profile: args.profile }, io.env);
  if (source.startsWith("profile")) io.stderr.write(`region: ${region} (from ${source})\n`);
  return region;
}

/** `--region a,b`: the regions, each checked. */
function regionsOf(value: string | undefined): string[] {
  return [
    ...new Set(
      (value ?? "")
        .split(",")
        .map((r) => r.trim())
        .filter(Boolean),
    ),
  ];
}

/** The results bucket of `region`: `--results-bucket` with `{region}` in it, or one bucket per region in order. */
export function bucketForRegion(
  template: string | undefined,
  regions: readonly string[],
  region: string,
): string | undefined {
  if (template === undefined) return undefined;
  if (template.includes("{region}")) return template.replaceAll("{region}", region);
  const buckets = template.split(",").map((b) => b.trim());
  if (buckets.length !== regions.length) {
    throw new BenchError(
      "UsageError",
      `${regions.length} regions need a results bucket each (buckets live in one region).`,
      {
        fix: "Pass --results-bucket 'NAME-{region}' or one bucket per region in the same order: --results-bucket a-bucket,b-bucket.",
      },
    );
  }
  return buckets[regions.indexOf(region)];
}

/**
 * One request per region of `--region a,b` (or AWS_REGION): each with its own results bucket (`NAME-{region}` or
 * one per region in order). Options that name something of one region are refused with several.
 */
export async function batchRequestsFromArgs(args: RequestArgs, io: CliIo): Promise<BatchRequest[]> {
  const regions = regionsOf(args.region ?? io.env["AWS_REGION"]);
  if (regions.length <= 1) return [await batchRequestFromArgs(args, io)];
  for (const flag of ["subnet", "security-group", "key-pair"] as const) {
    if (args[flag] !== undefined)
      throw new BenchError(
        "UsageError",
        `--${flag} names something of one region; it cannot be used with ${regions.length} regions.`,
        { fix: `Run one region at a time with --${flag}, or leave it out.` },
      );
  }
  const requests: BatchRequest[] = [];
  for (const region of regions) {
    const bucket = bucketForRegion(args["results-bucket"] ?? io.env["AWS_BENCH_RESULTS_BUCKET"], regions, region);
    requests.push(await batchRequestFromArgs({ ...args, region, "results-bucket": bucket }, io));
  }
  return requests;
}

/**
 * The flags of `names` the command line actually passed (not defaults, not environment variables): a flag that
 * does not apply to what the command does is refused by name rather than silently ignored.
 */
export function passedFlags(argv: readonly string[], names: readonly string[]): string[] {
  const camel = (name: string) => name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
  return names.filter((name) =>
    [name, camel(name)].some((spelled) =>
      argv.some(
        (token) => token === `--${spelled}` || token.startsWith(`--${spelled}=`) || token === `--no-${spelled}`,
      ),
    ),
  );
}

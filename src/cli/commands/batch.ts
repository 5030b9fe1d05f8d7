/**
 * The batch lifecycle on the command line: `run` (the whole thing, from run.ts) and the CI steps `preview`, `up`,
 * `collect`, `destroy`, `status`, `list`. Each step rebuilds its workspace from the batch's record on the backend,
 * so CI jobs pass only `--batch ID`. Heavy modules load inside the handlers.
 */
import type { Options } from "yargs";
import { defineCommand } from "../command.js";
import { BenchError } from "../../errors.js";
import { ExitCode, exitCodeOfVerdict } from "../errors.js";
import type { CliIo } from "../io.js";
import { parseBenchmarkList, type BenchmarkName } from "../../benchmarks/parsed-output.js";
import type { PlanRequest } from "../../orchestrator/plan.js";
import type { BatchRequest, BatchReport, LifecycleDeps } from "../../orchestrator/lifecycle.js";
import type { Backend } from "../../orchestrator/backend.js";
import type { BatchRecord } from "../../schemas/generated/batch-record.js";

/** Options naming the backend and the batch. */
export const backendOptions = {
  backend: {
    type: "string",
    describe: "State backend: s3://BUCKET[/PREFIX] or file://DIR (default PULUMI_BACKEND_URL, else ~/.aws-bench/state)",
  },
} as const satisfies Record<string, Options>;

/** Options of a new batch (run and preview). */
export const batchRequestOptions = {
  "instance-types": { type: "string", describe: "Comma-separated EC2 instance types" },
  benchmarks: { type: "string", default: "stream,hpl,coremark", describe: "Comma-separated: stream, hpl, coremark" },
  repeat: { type: "number", default: 1, describe: "Independent instances per type" },
  spot: { type: "boolean", default: false, describe: "One-time spot requests that terminate on interruption" },
  quick: { type: "boolean", default: false, describe: "The runner's --quick (2 trials, HPL sized for a minute)" },
  "results-bucket": { type: "string", describe: "The long-lived results bucket (aws-bench bootstrap creates one)" },
  images: {
    type: "string",
    describe:
      "Prebuilt images: REGISTRY/NAMESPACE holding aws-bench:<tag>-distro-<hash> (default: build into the batch's ECR repository)",
  },
  "max-minutes": { type: "number", describe: "Cap on any instance's life" },
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

const batchIdOption = {
  batch: {
    type: "string",
    demandOption: true,
    describe: "The batch id (printed by run/preview; `aws-bench list` shows them)",
  },
} as const satisfies Record<string, Options>;

type RequestArgs = {
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

/** `--instance-types`, `--benchmarks` and `--repeat` of a batch or a plan, checked; throws naming the flag. */
export async function batchSelection(args: {
  "instance-types"?: string | undefined;
  benchmarks: string;
  repeat: number;
}): Promise<{ instanceTypes: string[]; benchmarks: BenchmarkName[] }> {
  const instanceTypes = (args["instance-types"] ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
  if (instanceTypes.length === 0)
    throw new BenchError("UsageError", "--instance-types is empty.", {
      fix: "e.g. --instance-types m7i.large,c7g.large",
    });
  const { isInstanceTypeName } = await import("../../discovery/instance-type-name.js");
  const malformed = instanceTypes.filter((type) => !isInstanceTypeName(type));
  if (malformed.length)
    throw new BenchError("InvalidArgument", `Not instance type names: ${malformed.join(", ")}.`, {
      fix: "Use names like m7i.large.",
    });
  const benchmarks = parseBenchmarkList(args.benchmarks);
  if (!Number.isInteger(args.repeat) || args.repeat < 1)
    throw new BenchError("UsageError", `--repeat ${args.repeat} is not a positive whole number.`, {
      fix: "Pass --repeat 1 or more.",
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
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
    throw new BenchError("InvalidArgument", `--results-bucket '${bucket}' is not an S3 bucket name.`, {
      fix: "Bucket names are 3–63 lowercase letters, digits, dots and hyphens.",
    });
  const region = args.region ?? io.env["AWS_REGION"];
  if (!region)
    throw new BenchError("RegionMissing", "A batch needs a region.", {
      fix: "Pass --region (e.g. --region us-east-1) or set AWS_REGION.",
    });
  const { assertRegionName } = await import("../../aws/clients.js");
  assertRegionName(region);
  const tags: Record<string, string> = {};
  for (const pair of args.tag ?? []) {
    const m = /^([^=]+)=(.*)$/.exec(pair);
    if (!m) throw new BenchError("UsageError", `--tag '${pair}' is not KEY=VALUE.`, { fix: "e.g. --tag project=hpc" });
    tags[m[1] as string] = m[2] as string;
  }
  let images: Record<string, string> | undefined;
  if (args.images !== undefined) images = await prebuiltImages(args.images, instanceTypes);
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
    if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(cidr))
      throw new BenchError("InvalidArgument", `--ssh-cidr '${cidr}' is not an IPv4 CIDR.`, {
        fix: "e.g. --ssh-cidr 203.0.113.0/24",
      });
    if (cidr.endsWith("/0"))
      throw new BenchError("InvalidArgument", `--ssh-cidr ${cidr} would open SSH to the whole internet.`, {
        fix: "Name your own network, e.g. your office's /24.",
      });
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

/** `--images REG/NS` → the image URI per container tag the batch needs (the same content-hash tags `build` pushes). */
async function prebuiltImages(registry: string, instanceTypes: string[]): Promise<Record<string, string>> {
  if (!/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+$/.test(registry))
    throw new BenchError("InvalidArgument", `--images '${registry}' is not REGISTRY/NAMESPACE.`, {
      fix: "e.g. --images 123456789012.dkr.ecr.us-east-1.amazonaws.com/aws-bench",
    });
  const { packagePath } = await import("../../package-files.js");
  const { readDocument } = await import("../../schemas/documents.js");
  const { imageBuildDefinition } = await import("../../images/build-definition.js");
  const catalog = await readDocument("instance-catalog", packagePath("data", "catalog", "instance-types.json"));
  const mappings = await readDocument("architecture-mappings", packagePath("configs", "architecture-mappings.json"));
  const tags = await readDocument("container-tags", packagePath("configs", "container-tags.json"));
  const images: Record<string, string> = {};
  for (const type of instanceTypes) {
    const family = catalog.instanceTypes.find((record) => record.name === type)?.family;
    const tag = tags.tags.find((t) => t.tag === (family ? mappings.families[family]?.containerTag : undefined));
    if (tag) images[tag.tag] = `${registry}:${imageBuildDefinition(tag, "distro").imageTag}`;
  }
  return images;
}

/** Runs a whole batch: `aws-bench run --instance-types …` (the default target). */
export async function runAwsBatch(
  args: RequestArgs & {
    backend?: string | undefined;
    "skip-quota-check": boolean;
    keep: boolean;
    yes: boolean;
    json: boolean;
    profile?: string | undefined;
  },
  io: CliIo,
): Promise<number> {
  const regions = regionsOf(args.region ?? io.env["AWS_REGION"]);
  if (regions.length <= 1) {
    const request = await batchRequestFromArgs(args, io);
    const { lifecycleDeps } = await import("../../orchestrator/setup.js");
    const { runBatch } = await import("../../orchestrator/lifecycle.js");
    const deps = await lifecycleDeps(
      { ...settings(args), region: request.region, resultsBucket: request.resultsBucket },
      io,
    );
    // Before anything is recorded or created: without the Pulumi CLI there is nothing to run.
    await deps.engine.ready();
    const record = await prepare(request, args, io, undefined, deps);
    if (!args.yes) await confirm(io, "Launch these instances?");
    const report = await withInterrupts(io, (signal, engineSignal) =>
      runBatch(record, deps, { keep: args.keep, signal, engineSignal }),
    );
    return printReport(report, io, args.json);
  }
  return runRegions(regions, args, io);
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

/** Several regions: one stack per region, prepared in turn, confirmed once, run concurrently (two at a time). */
async function runRegions(regions: string[], args: Parameters<typeof runAwsBatch>[0], io: CliIo): Promise<number> {
  for (const flag of ["subnet", "security-group", "key-pair"] as const) {
    if (args[flag] !== undefined)
      throw new BenchError(
        "UsageError",
        `--${flag} names something of one region; it cannot be used with ${regions.length} regions.`,
        { fix: `Run one region at a time with --${flag}, or leave it out.` },
      );
  }
  const { lifecycleDeps } = await import("../../orchestrator/setup.js");
  const { runBatch } = await import("../../orchestrator/lifecycle.js");
  const { mapWithConcurrency } = await import("../../discovery/ec2-catalog.js");
  const batches: Array<{ region: string; deps: LifecycleDeps; record: BatchRecord }> = [];
  for (const region of regions) {
    const regionArgs = {
      ...args,
      region,
      "results-bucket": bucketForRegion(args["results-bucket"] ?? io.env["AWS_BENCH_RESULTS_BUCKET"], regions, region),
    };
    const request = await batchRequestFromArgs(regionArgs, io);
    const deps = await lifecycleDeps({ ...settings(regionArgs), region, resultsBucket: request.resultsBucket }, io);
    deps.progress = (line) =>
      io.stderr.write(`[${region}] ${line}
`);
    if (batches.length === 0) await deps.engine.ready();
    batches.push({ region, deps, record: await prepare(request, regionArgs, io, undefined, deps) });
  }
  if (!args.yes) await confirm(io, `Launch these instances in ${regions.length} regions?`);
  const reports = await withInterrupts(io, (signal, engineSignal) =>
    mapWithConcurrency(batches, 2, (batch) =>
      runBatch(batch.record, batch.deps, { keep: args.keep, signal, engineSignal }),
    ),
  );
  let exitCode: number = ExitCode.Success;
  for (const [index, report] of reports.entries()) {
    if (!args.json) io.stdout.write(`${batches[index]?.region ?? ""}:\n`);
    const code = await printReport(report, io, args.json);
    exitCode = combineExitCodes(exitCode, code, index === 0);
  }
  return exitCode;
}

/** One exit code for several batches: interrupted wins; all failed is a failure; any mix is partial. */
export function combineExitCodes(sofar: number, next: number, first: boolean): number {
  if (first) return next;
  if (sofar === ExitCode.Interrupted || next === ExitCode.Interrupted) return ExitCode.Interrupted;
  if (sofar === next) return sofar;
  return ExitCode.Partial;
}

/** Plans, checks the account and stores the record on the backend the lifecycle already opened. */
async function prepare(
  request: BatchRequest,
  args: {
    backend?: string | undefined;
    "skip-quota-check": boolean;
    profile?: string | undefined;
    region?: string | undefined;
  },
  io: CliIo,
  batchId: string | undefined,
  { backend, store }: Pick<LifecycleDeps & { backend: Backend }, "backend" | "store">,
): Promise<BatchRecord> {
  const { createdBy } = await import("../../orchestrator/setup.js");
  const { prepareBatch, awsPreflight, describePlan } = await import("../../orchestrator/prepare.js");
  const { planBatch } = await import("../../orchestrator/plan.js");
  const { backendTag } = await import("../../orchestrator/backend.js");
  const progress = (line: string) => io.stderr.write(`${line}\n`);
  if (!request.images) {
    const { findImageCache } = await import("../../orchestrator/prepare.js");
    request.imageCache = await findImageCache(request.region, { ...settings(args), progress });
    if (request.imageCache)
      progress(`images: built into and reused from ${request.imageCache.url} (identical inputs are never rebuilt)`);
  }
  const { record } = await prepareBatch(request, store, {
    batchId,
    backendUrl: backend.url,
    backendTag: backendTag(backend),
    createdBy: createdBy(io.env),
    progress,
    plan: (r) => planBatch(r),
    preflight: (plan) =>
      awsPreflight(plan, request, { ...settings(args), skipQuotaCheck: args["skip-quota-check"], progress }),
    now: new Date(),
  });
  progress(describePlan(record));
  return record;
}

function settings(args: { profile?: string | undefined; region?: string | undefined; backend?: string | undefined }): {
  profile?: string | undefined;
  region?: string | undefined;
  backend?: string | undefined;
} {
  return { profile: args.profile, region: args.region, backend: args.backend };
}

async function confirm(io: CliIo, question: string): Promise<void> {
  if (!io.interactive) {
    throw new BenchError(
      "ConfirmationRequired",
      "This creates billed resources and there is no terminal to confirm on.",
      { fix: "Pass --yes to confirm non-interactively (CI does)." },
    );
  }
  const { createInterface } = await import("node:readline/promises");
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim()))
      throw new BenchError("ConfirmationRequired", "Not confirmed; nothing was created.", {
        fix: "Answer y, or pass --yes.",
      });
  } finally {
    rl.close();
  }
}

/**
 * Runs `work` with two abort signals: `stop`, raised by the first SIGINT or SIGTERM (stop launching and waiting,
 * then destroy), and `engine`, raised only by SIGTERM and forwarded to Pulumi. A Ctrl-C at a terminal reaches the
 * Pulumi CLI by itself (same process group), which then finishes the operations in flight and stops; forwarding
 * it would be a second interrupt, after which Pulumi stops at once and loses track of what it was creating.
 */
async function withInterrupts<T>(io: CliIo, work: (stop: AbortSignal, engine: AbortSignal) => Promise<T>): Promise<T> {
  const stop = new AbortController();
  const engine = new AbortController();
  let count = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    count++;
    if (count === 1)
      io.stderr.write("\ninterrupted: stopping, then destroying the batch (this takes a few minutes)…\n");
    else
      io.stderr.write(
        "\nstill tearing down (a Ctrl-C also reaches Pulumi's destroy, which is then tried once more); leaving now would leave resources until their timers and `aws-bench cleanup`.\n",
      );
    stop.abort();
    if (signal === "SIGTERM") engine.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    return await work(stop.signal, engine.signal);
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}

async function printReport(report: BatchReport, io: CliIo, json: boolean): Promise<number> {
  const { summaryTable } = await import("../../orchestrator/lifecycle.js");
  if (json)
    io.stdout.write(
      `${JSON.stringify({ batchId: report.batchId, exitCode: exitCodeOfVerdict(report.verdict), destroyed: report.destroyed, outcomes: report.outcomes, ...(report.error ? { error: { code: report.error.code, message: report.error.message, fix: report.error.fix } } : {}) }, null, 2)}\n`,
    );
  else io.stdout.write(`${summaryTable(report)}\n`);
  if (report.error)
    io.stderr.write(
      `error [${report.error.code}]: ${report.error.message}\n${report.error.fix ? `  fix: ${report.error.fix}\n` : ""}`,
    );
  return exitCodeOfVerdict(report.verdict);
}

async function loadStep(
  args: { batch: string; backend?: string | undefined; profile?: string | undefined; region?: string | undefined },
  io: CliIo,
  step: string,
) {
  const { isBatchId } = await import("../../../stacks/batch-naming.js");
  if (!isBatchId(args.batch))
    throw new BenchError(
      "InvalidArgument",
      `--batch '${args.batch}' is not a batch id (like 20261128t120000z-ab12cd).`,
      {
        fix: "Use the id run/preview printed, or see `aws-bench list`.",
      },
    );
  const { openBackend, lifecycleDeps } = await import("../../orchestrator/setup.js");
  const { requireSharedBackend } = await import("../../orchestrator/backend.js");
  const { loadRecord } = await import("../../orchestrator/lifecycle.js");
  const { backend, store } = await openBackend(settings(args), io);
  requireSharedBackend(backend, io.env, step);
  const record = await loadRecord(store, args.batch);
  const deps = await lifecycleDeps(
    { ...settings(args), region: record.region, resultsBucket: record.request.resultsBucket },
    io,
  );
  return { record, deps };
}

/** `aws-bench preview`: a new batch's record on the backend, and what `up` would create. */
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
    const { lifecycleDeps } = await import("../../orchestrator/setup.js");
    const { requireSharedBackend } = await import("../../orchestrator/backend.js");
    const { stackOf } = await import("../../orchestrator/lifecycle.js");
    const deps = await lifecycleDeps(
      { ...settings(args), region: request.region, resultsBucket: request.resultsBucket },
      io,
    );
    requireSharedBackend(deps.backend, io.env, "preview");
    await deps.engine.ready();
    const record = await prepare(request, args, io, args.batch, deps);
    const summary = await deps.engine.preview(stackOf(record), {
      onProgress: (line) => io.stderr.write(`  ${line}\n`),
    });
    const output = io.env["GITHUB_OUTPUT"];
    if (output) (await import("node:fs")).appendFileSync(output, `batch-id=${record.batchId}\n`);
    io.stdout.write(
      args.json
        ? `${JSON.stringify({ batchId: record.batchId, stackName: record.stackName, changes: summary }, null, 2)}\n`
        : `batch ${record.batchId}\n`,
    );
    return ExitCode.Success;
  },
});

/** `aws-bench up`: creates the stored batch's stack; instances that fail to launch are recorded. */
export const upCommand = defineCommand({
  command: "up",
  describe: "CI step: create a batch's stack and launch its instances",
  options: { ...batchIdOption, ...backendOptions },
  examples: [["$0 up --batch 20261128t120000z-ab12cd", "launch the batch preview stored"]],
  async run(args, { io }) {
    const { record, deps } = await loadStep(args, io, "up");
    const { launchBatch } = await import("../../orchestrator/lifecycle.js");
    await withInterrupts(io, (signal, engineSignal) => launchBatch(record, deps, signal, engineSignal));
    const failed = record.launch?.failed ?? [];
    const skipped = record.instances.filter((i) => i.skipped !== undefined).length;
    const planned = record.instances.length - skipped;
    io.stdout.write(
      args.json
        ? `${JSON.stringify({ batchId: record.batchId, launched: planned - failed.length, failed, skipped }, null, 2)}\n`
        : `batch ${record.batchId}: ${planned - failed.length} of ${planned} instances launched${skipped ? ` (${skipped} skipped before launch)` : ""}\n`,
    );
    if (failed.length === planned) return ExitCode.Failure;
    // DESIGN.md: 3 when some types were skipped or failed.
    return failed.length || skipped ? ExitCode.Partial : ExitCode.Success;
  },
});

/** `aws-bench collect`: waits for the batch's results and stores them in data/raw. */
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
    const { record, deps } = await loadStep(args, io, "collect");
    deps.rawRoot = (await import("node:path")).resolve(io.cwd, args.out);
    const { awaitAndCollect, batchVerdict } = await import("../../orchestrator/lifecycle.js");
    const report = await withInterrupts(io, async (signal): Promise<BatchReport> => {
      const outcomes: Parameters<typeof awaitAndCollect>[2] = [];
      let error: BenchError | undefined;
      try {
        await awaitAndCollect(record, deps, outcomes, signal);
      } catch (caught) {
        if (!(caught instanceof BenchError)) throw caught;
        error = caught;
      }
      return {
        batchId: record.batchId,
        outcomes,
        verdict: batchVerdict(outcomes, error, signal),
        destroyed: false,
        ...(error ? { error } : {}),
      };
    });
    return printReport(report, io, args.json);
  },
});

/** `aws-bench destroy`: destroys a batch's stack (clearing locks and pending operations) and removes it. */
export const destroyCommand = defineCommand({
  command: "destroy",
  describe: "CI step: destroy a batch's stack and remove it from the backend",
  options: { ...batchIdOption, ...backendOptions },
  examples: [["$0 destroy --batch 20261128t120000z-ab12cd --yes", "tear the batch down"]],
  async run(args, { io }) {
    const { record, deps } = await loadStep(args, io, "destroy");
    if (!args.yes) await confirm(io, `Destroy batch ${record.batchId}?`);
    const { destroyBatch } = await import("../../orchestrator/lifecycle.js");
    await destroyBatch(record, deps);
    io.stdout.write(
      args.json
        ? `${JSON.stringify({ batchId: record.batchId, destroyedAt: record.destroyedAt }, null, 2)}\n`
        : `batch ${record.batchId}: destroyed\n`,
    );
    return ExitCode.Success;
  },
});

/** `aws-bench status`: the stored record, the stack's instances and what is in the bucket. */
export const statusCommand = defineCommand({
  command: "status",
  describe: "Show a batch: its instances, their states and results, and its expiry",
  options: { ...batchIdOption, ...backendOptions },
  examples: [["$0 status --batch 20261128t120000z-ab12cd", "instances, results and deadlines"]],
  async run(args, { io }) {
    const { record, deps } = await loadStep({ ...args }, { ...io, env: { ...io.env, CI: "" } }, "status");
    const { stackOf } = await import("../../orchestrator/lifecycle.js");
    const { urnName } = await import("../../orchestrator/engine.js");
    const { instanceResourceName } = await import("../../../stacks/benchmark-batch.js");
    // A stack that is not there (not launched yet, or destroyed) has no resources; any other failure is reported.
    const resources = record.destroyedAt
      ? []
      : await deps.engine.resources(stackOf(record)).catch((error: unknown) => {
          if (error instanceof BenchError && error.code === "BatchNotFound") return [];
          throw error;
        });
    const ids = new Map(
      resources
        .filter((r) => r.type === "aws:ec2/instance:Instance" && r.id)
        .map((r) => [urnName(r.urn), r.id as string]),
    );
    const states = await deps.instances.states([...ids.values()]);
    const rows = [];
    for (const instance of record.instances) {
      const id = ids.get(instanceResourceName("batch", instance));
      const status = await deps.results.get(`${instance.resultsPrefix}/status.json`);
      const failed = record.launch?.failed?.find(
        (f) => f.instanceType === instance.instanceType && f.repeat === instance.repeat,
      );
      rows.push({
        instanceType: instance.instanceType,
        repeat: instance.repeat,
        state: instance.skipped
          ? "skipped"
          : failed
            ? "launch-failed"
            : id
              ? (states[id]?.state ?? "gone")
              : record.launch
                ? "not in stack"
                : "not launched",
        result: status ? ((JSON.parse(status.toString("utf8")) as { state?: string }).state ?? "?") : "none yet",
        ...(instance.skipped ? { reason: instance.skipped } : failed ? { reason: failed.reason } : {}),
      });
    }
    const summary = {
      batchId: record.batchId,
      stackName: record.stackName,
      region: record.region,
      createdAt: record.createdAt,
      expiresAt: record.expiresAt,
      destroyedAt: record.destroyedAt ?? null,
      resources: resources.length,
      instances: rows,
    };
    if (args.json) io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else
      io.stdout.write(
        `${[`batch ${record.batchId} in ${record.region}: created ${record.createdAt}, expires ${record.expiresAt}${record.destroyedAt ? `, destroyed ${record.destroyedAt}` : `, ${resources.length} resources in the stack`}`, ...rows.map((r) => `  ${r.instanceType} #${r.repeat}: ${r.state}, result ${r.result}${r.reason ? ` (${r.reason})` : ""}`)].join("\n")}\n`,
      );
    return ExitCode.Success;
  },
});

/** `aws-bench list`: the batches on the backend. */
export const listCommand = defineCommand({
  command: "list",
  describe: "List the batches on the state backend with age, state and expiry",
  options: { ...backendOptions },
  examples: [["$0 list --backend s3://my-state/state", "every batch and its expiry"]],
  async run(args, { io }) {
    const { openBackend, createEngine } = await import("../../orchestrator/setup.js");
    const { listBatches } = await import("../../orchestrator/listing.js");
    const { backend, store } = await openBackend(settings(args), io);
    const rows = await listBatches(store, await createEngine(backend, io), new Date(), {
      stacksOptional: true,
      warn: (line) => io.stderr.write(`${line}\n`),
    });
    if (args.json) io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    else
      io.stdout.write(
        rows.length === 0
          ? `no batches on ${backend.url}\n`
          : `${rows.map((r) => `${r.batchId}  ${r.state.padEnd(10)}  age ${r.ageHours} h  expires ${r.expiresAt ?? "?"}${r.expired ? " (expired)" : ""}  ${r.instanceTypes.join(",")}`).join("\n")}\n`,
      );
    return ExitCode.Success;
  },
});

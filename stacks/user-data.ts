/**
 * The user-data script of a batch instance, rendered by a pure function. Its order is the teardown guarantee:
 * the first command schedules the power-off (and, with `instanceInitiatedShutdownBehavior: terminate`, the
 * termination) of the instance, so its life is bounded even if everything after it — or the orchestrator —
 * fails. Then: container engine, registry login, image pull, the benchmark run under the run contract, upload of
 * every output, and `status.json` last, which the collector waits for. The image is pulled and run by digest
 * (`REPOSITORY@sha256:…`, never a tag, which its registry could move), and the run is told that digest
 * (`BENCHMARK_IMAGE_DIGEST`) so its result names the exact image that produced it. An EXIT trap uploads the status and log
 * whatever failed, then powers off.
 *
 * The script runs as root before anything else on the instance, and its values can come from a batch record on
 * disk or from another program importing the component, so the renderer trusts none of them: every option is
 * checked against what it can legitimately be (and refused by name otherwise), and every value is still
 * shell-quoted where it lands, comments included. The script is `shellcheck` clean.
 */
import { regionPattern } from "../src/aws/clients.js";
import { BenchError } from "../src/errors.js";
import { imageDigestVariable, runContractArgs } from "../src/images/run-contract.js";
import { isBatchId } from "./batch-naming.js";

/** What one instance's script needs to know. */
export interface UserDataOptions {
  /** Batch id, e.g. `20261128t120000z-ab12cd`. */
  batchId: string;
  /** Instance type. */
  instanceType: string;
  /** Repeat index (0-based). */
  repeat: number;
  /** Region of the results bucket. */
  region: string;
  /** Results bucket (created by `aws-bench bootstrap`, outside the batch stack). */
  resultsBucket: string;
  /** Key prefix of this instance's results, under `batches/<batchId>/`, e.g. `batches/<id>/m7i.large/0`. */
  resultsPrefix: string;
  /** Benchmark image by digest: `[REGISTRY/]REPOSITORY@sha256:<64 hex>` (no tag: a tag can be moved). */
  image: string;
  /** ECR registry of `image` to log in to (`<account>.dkr.ecr.<region>.amazonaws.com`), or undefined for a public image. */
  ecrRegistry?: string | undefined;
  /** Arguments for the image's `run`, e.g. `["--benchmarks", "stream,hpl,coremark"]`. */
  runArgs: readonly string[];
  /** Minutes until the instance powers itself off, counted from the first line. */
  shutdownAfterMinutes: number;
  /** Minutes the benchmark container may run before it is stopped (less than the shutdown timer). */
  runTimeoutMinutes: number;
  /** Where the script keeps its log, status and results on the instance. @default "/var/lib/aws-bench" */
  workDir?: string;
}

/** Bytes EC2 accepts for user-data (before base64). */
export const userDataLimitBytes = 16_384;

/**
 * Seconds the runner gets, after the time limit's TERM, to stop its benchmark and write what finished before the
 * engine's client is killed; the upload margin in instance-timing.ts leaves room for it.
 */
export const runStopGraceSeconds = 60;

/** `value` as one shell word, safe inside the script whatever it contains. */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'"'"'`)}'`;
}

// Docker's reference grammar (distribution/reference), without IPv6 hosts: a host may hold capitals and a port,
// repository path components may not.
const hostComponent = "(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])";
const registryHost = `${hostComponent}(?:\\.${hostComponent})*(?::[0-9]{1,5})?`;
const pathComponent = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const repositoryPattern = `(?:${registryHost}/)?${pathComponent}(?:/${pathComponent})*`;
const imagePattern = new RegExp(
  `^${repositoryPattern}(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$`,
);
const pinnedImagePattern = new RegExp(`^${repositoryPattern}@(sha256:[0-9a-f]{64})$`);
const ecrHostRegion = /\.dkr\.ecr\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$/;

// Each bound keeps a value to what it can really be, and together they keep the largest script under EC2's limit.
const limits = {
  instanceType: 64,
  region: 32,
  resultsPrefix: 256,
  image: 512,
  ecrRegistry: 253,
  runArg: 256,
  runArgs: 32,
  runArgsTotal: 2048,
  workDir: 256,
  repeat: 999,
  shutdownAfterMinutes: 7 * 24 * 60,
};

const optionNames: ReadonlyArray<keyof UserDataOptions> = [
  "batchId",
  "instanceType",
  "repeat",
  "region",
  "resultsBucket",
  "resultsPrefix",
  "image",
  "ecrRegistry",
  "runArgs",
  "shutdownAfterMinutes",
  "runTimeoutMinutes",
  "workDir",
];

/** The value as a message shows it: control characters escaped, long values cut. */
function shown(value: unknown): string {
  const text =
    typeof value === "string" ? JSON.stringify(value) : typeof value === "number" ? String(value) : typeof value;
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function refuse(where: string, option: string, value: unknown, rule: string, fix: string): never {
  throw new BenchError("InvalidArgument", `${where}: ${option} ${shown(value)} ${rule}.`, { fix });
}

function checkText(
  where: string,
  option: string,
  value: unknown,
  pattern: RegExp,
  maxLength: number,
  rule: string,
  fix: string,
): asserts value is string {
  if (typeof value !== "string" || value.length > maxLength || !pattern.test(value))
    refuse(
      where,
      option,
      value,
      `${rule}${typeof value === "string" && value.length > maxLength ? ` (longer than ${maxLength} characters)` : ""}`,
      fix,
    );
}

function checkWholeNumber(where: string, option: string, value: unknown, min: number, max: number, fix: string): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
    refuse(where, option, value, `must be a whole number from ${min} to ${max}`, fix);
}

/**
 * Throws `InvalidArgument`, naming the option and its value, for anything {@link renderUserData} would refuse
 * except the image and its registry, which a batch knows only once its images are built. `BenchmarkBatch` calls
 * it before declaring anything, so a bad value never gets as far as a resource.
 *
 * @param options - the options, without the image
 * @param where - who is asking, to start the message
 */
export function checkUserDataOptions(
  options: Omit<UserDataOptions, "image" | "ecrRegistry">,
  where = "renderUserData",
): void {
  for (const key of Object.keys(options))
    if (!optionNames.includes(key as keyof UserDataOptions))
      refuse(where, "option", key, "is not a user-data option", `Use only ${optionNames.join(", ")}.`);
  if (typeof options.batchId !== "string" || !isBatchId(options.batchId))
    refuse(where, "batchId", options.batchId, "is not a batch id", "Use newBatchId(), e.g. 20261128t120000z-ab12cd.");
  checkText(
    where,
    "instanceType",
    options.instanceType,
    /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/,
    limits.instanceType,
    "is not an EC2 instance type",
    "e.g. m7i.large",
  );
  checkWholeNumber(where, "repeat", options.repeat, 0, limits.repeat, "Count repeats from 0.");
  checkText(where, "region", options.region, regionPattern, limits.region, "is not an AWS region", "e.g. us-east-1");
  checkText(
    where,
    "resultsBucket",
    options.resultsBucket,
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    63,
    "is not an S3 bucket name",
    "Use the bucket aws-bench bootstrap created (3-63 characters: a-z, 0-9, '.', '-').",
  );
  // The instance role may write under this batch's prefix only, so anything else would fail every upload.
  checkText(
    where,
    "resultsPrefix",
    options.resultsPrefix,
    new RegExp(`^batches/${options.batchId}(?:/(?!\\.\\.?(?:/|$))[A-Za-z0-9._-]+)+$`),
    limits.resultsPrefix,
    `is not a key prefix under batches/${options.batchId}/`,
    "Use resultsPrefix(batchId, instance), e.g. batches/20261128t120000z-ab12cd/m7i.large/0.",
  );
  const runArgs: unknown = options.runArgs;
  if (!Array.isArray(runArgs) || runArgs.length > limits.runArgs || runArgs.join(" ").length > limits.runArgsTotal)
    refuse(
      where,
      "runArgs",
      Array.isArray(runArgs) ? runArgs.join(" ") : runArgs,
      `must be a list of at most ${limits.runArgs} arguments and ${limits.runArgsTotal} characters`,
      'e.g. ["--benchmarks", "stream,hpl,coremark"]',
    );
  runArgs.forEach((arg: unknown, index: number) =>
    checkText(
      where,
      `runArgs[${index}]`,
      arg,
      /^[A-Za-z0-9_@%+=:,./-]+$/,
      limits.runArg,
      "is not a runner argument (letters, digits and _ @ % + = : , . / - only)",
      "Pass runner flags and plain values, e.g. --benchmarks stream,hpl.",
    ),
  );
  const timers = "Take both timers from instanceTiming(): the run must end before the instance powers off.";
  checkWholeNumber(where, "shutdownAfterMinutes", options.shutdownAfterMinutes, 5, limits.shutdownAfterMinutes, timers);
  checkWholeNumber(where, "runTimeoutMinutes", options.runTimeoutMinutes, 1, options.shutdownAfterMinutes - 1, timers);
  if (options.workDir !== undefined)
    checkText(
      where,
      "workDir",
      options.workDir,
      /^(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9._-]+)+$/,
      limits.workDir,
      "is not an absolute path of plain names",
      "e.g. /var/lib/aws-bench",
    );
}

/**
 * Throws `InvalidArgument` unless `image` is an image reference (`[REGISTRY/]REPOSITORY[:TAG][@sha256:DIGEST]`).
 *
 * @param image - the reference
 * @param where - who is asking, to start the message
 * @param option - the option holding it
 */
export function checkImageReference(image: unknown, where = "renderUserData", option = "image"): void {
  checkText(
    where,
    option,
    image,
    imagePattern,
    limits.image,
    "is not an image reference",
    "e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/aws-bench:graviton3-distro-0123456789abcdef",
  );
}

/**
 * The digest (`sha256:…`) of `image` when it is a reference by digest alone (`[REGISTRY/]REPOSITORY@sha256:<64
 * hex>`); otherwise `InvalidArgument` — a tag, even beside a digest, is refused so that nothing reads as if the tag
 * mattered.
 *
 * @param image - the reference
 * @param where - who is asking, to start the message
 * @param option - the option holding it
 */
export function checkPinnedImageReference(image: unknown, where = "renderUserData", option = "image"): string {
  checkText(
    where,
    option,
    image,
    pinnedImagePattern,
    limits.image,
    "is not an image reference by digest (REPOSITORY@sha256:<64 hex digits>, no tag)",
    "Pass the digest the image was pushed as, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/aws-bench-cache@sha256:…",
  );
  return (pinnedImagePattern.exec(image) as RegExpExecArray)[1] as string;
}

/** The user-data script; throws `InvalidArgument` naming any option it refuses, or when the script exceeds EC2's limit. */
export function renderUserData(options: UserDataOptions): string {
  const where = "renderUserData";
  const { image, ecrRegistry, ...rest } = options;
  checkUserDataOptions(rest, where);
  const digest = checkPinnedImageReference(image, where);
  if (ecrRegistry !== undefined) {
    checkText(
      where,
      "ecrRegistry",
      ecrRegistry,
      new RegExp(`^${registryHost}$`),
      limits.ecrRegistry,
      "is not a registry host",
      "e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com",
    );
    if (!image.startsWith(`${ecrRegistry}/`))
      refuse(
        where,
        "ecrRegistry",
        ecrRegistry,
        `is not the registry of image ${shown(image)}`,
        "Pass the host the image names, or leave ecrRegistry out.",
      );
  }
  const q = shellQuote;
  const limit = options.runTimeoutMinutes;
  const destination = `s3://${options.resultsBucket}/${options.resultsPrefix}`;
  const workDir = options.workDir ?? "/var/lib/aws-bench";
  const resultsDir = `${workDir}/results`;
  // ECR hands out a login per region: a prebuilt image may live in another region than the results bucket.
  const registryRegion =
    ecrRegistry === undefined ? undefined : (ecrHostRegion.exec(ecrRegistry)?.[1] ?? options.region);
  const digestWord = `${imageDigestVariable}=${digest}`;
  const contract = runContractArgs({
    resultsDir,
    image,
    runnerArgs: ["run", ...options.runArgs],
    env: { [imageDigestVariable]: digest },
  });
  const engineArgs = contract
    .map((word) =>
      word === image
        ? '"$IMAGE"'
        : word === `${resultsDir}:/results`
          ? '"$WORK/results:/results"'
          : word === digestWord
            ? `"${imageDigestVariable}=$IMAGE_DIGEST"`
            : q(word),
    )
    .join(" ");
  const script = `#!/bin/bash
# aws-instance-benchmarks: batch ${q(options.batchId)}, ${q(options.instanceType)}, repeat ${options.repeat}.
# First, bound this instance's life: power off (which terminates it) after ${options.shutdownAfterMinutes} minutes, whatever happens next.
shutdown -h +${options.shutdownAfterMinutes} "aws-bench: time limit reached"
set -uo pipefail

readonly REGION=${q(options.region)}
readonly DESTINATION=${q(destination)}
readonly IMAGE=${q(image)}
readonly IMAGE_DIGEST=${q(digest)}
readonly WORK=${q(workDir)}
readonly LOG="$WORK/user-data.log"
mkdir -p "$WORK/results"
exec > >(tee -a "$LOG") 2>&1
STARTED_AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
STAGE=start
ERROR=""

retry() {
  local attempt
  for attempt in 1 2 3 4 5; do
    "$@" && return 0
    echo "aws-bench: attempt $attempt of $* failed" >&2
    sleep $((attempt * 5))
  done
  return 1
}

# $1 as a JSON string. Whatever an error says, status.json must parse: quotes and backslashes are escaped, and
# every byte outside printable ASCII becomes \\u00XX (no jq on the AMI, and cloud-init's locale may be C).
json_string() {
  local LC_ALL=C
  local text=\${1:0:2000} out="" char code i
  for ((i = 0; i < \${#text}; i++)); do
    char=\${text:i:1}
    case $char in
      \\" | \\\\) out+="\\\\$char" ;;
      [[:print:]]) out+=$char ;;
      *)
        printf -v code '%d' "'$char"
        printf -v char '\\\\u%04x' $((code & 255))
        out+=$char
        ;;
    esac
  done
  printf '"%s"' "$out"
}

# status.json is the last object written: the collector reads everything else once it appears.
write_status() {
  printf '{"state":%s,"exitCode":%d,"stage":%s,"error":%s,"startedAt":%s,"finishedAt":%s}\\n' \\
    "$(json_string "$1")" "$2" "$(json_string "$STAGE")" "$(json_string "$ERROR")" \\
    "$(json_string "$STARTED_AT")" "$(json_string "$(date -u +%Y-%m-%dT%H:%M:%SZ)")" > "$WORK/status.json"
}

finish() {
  local code=$? state=success
  if [ "$code" -ne 0 ]; then state=failure; fi
  write_status "$state" "$code"
  retry aws s3 cp --region "$REGION" --only-show-errors "$LOG" "$DESTINATION/user-data.log" || true
  retry aws s3 cp --region "$REGION" --only-show-errors "$WORK/status.json" "$DESTINATION/status.json" || true
  poweroff
}
trap finish EXIT

fail() {
  ERROR="$1"
  exit "\${2:-1}"
}

STAGE=engine
if ! command -v docker >/dev/null; then
  retry dnf install -y docker || fail "installing the container engine failed"
fi
systemctl start docker || fail "starting the container engine failed"
${
  ecrRegistry !== undefined
    ? `
STAGE=login
readonly REGISTRY=${q(ecrRegistry)}
readonly REGISTRY_REGION=${q(registryRegion as string)}
registry_login() {
  aws ecr get-login-password --region "$REGISTRY_REGION" | docker login --username AWS --password-stdin "$REGISTRY"
}
retry registry_login || fail "registry login failed"
`
    : ""
}
STAGE=pull
retry docker pull "$IMAGE" || fail "pulling $IMAGE failed"

STAGE=run
chown 1000 "$WORK/results"
# At the limit the engine's client gets TERM, which it passes to the runner: the runner stops its benchmark and
# writes what finished. A client still running ${runStopGraceSeconds} s later is killed, and timeout then exits 137, not 124.
RUN_STARTED=$(date +%s)
timeout --signal=TERM --kill-after=${runStopGraceSeconds}s ${limit}m docker ${engineArgs}
RUN_EXIT=$?
# Only the time limit ends a run this late with KILL; a container the kernel killed earlier keeps its own 137.
if [ "$RUN_EXIT" -eq 124 ] || { [ "$RUN_EXIT" -eq 137 ] && [ $(($(date +%s) - RUN_STARTED)) -ge ${limit * 60} ]; }; then
  # A killed client leaves its container running: the engine stops it (TERM, then KILL) and waits, so nothing
  # writes to the results while they upload. This instance runs nothing else.
  docker ps -q | xargs -r docker stop --time 10
  RUN_EXIT=124
  ERROR="the benchmark ran past ${limit} minutes and was stopped"
fi

STAGE=upload
retry aws s3 cp --region "$REGION" --recursive --only-show-errors "$WORK/results" "$DESTINATION/results" || fail "uploading results failed"
if [ "$RUN_EXIT" -ne 0 ]; then fail "\${ERROR:-the benchmark run exited with $RUN_EXIT}" "$RUN_EXIT"; fi
`;
  const bytes = Buffer.byteLength(script);
  if (bytes > userDataLimitBytes)
    throw new BenchError(
      "InvalidArgument",
      `${where}: the script for ${options.instanceType} is ${bytes} bytes, over EC2's ${userDataLimitBytes}.`,
      { fix: "Pass fewer or shorter runArgs." },
    );
  return script;
}

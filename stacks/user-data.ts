/**
 * The user-data script of a batch instance, rendered by a pure function. Its order is the teardown guarantee:
 * the first command schedules the power-off (and, with `instanceInitiatedShutdownBehavior: terminate`, the
 * termination) of the instance, so its life is bounded even if everything after it — or the orchestrator —
 * fails. Then: container engine, registry login, image pull, the benchmark run under the run contract, upload of
 * every output, and `status.json` last, which the collector waits for. An EXIT trap uploads the status and log
 * whatever failed, then powers off. Every value is shell-quoted; the script is `shellcheck` clean.
 */
import { runContractArgs } from "../src/images/run-contract.js";

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
  /** Key prefix of this instance's results, e.g. `batches/<id>/m7i.large/0`. */
  resultsPrefix: string;
  /** Benchmark image URI. */
  image: string;
  /** ECR registry to log in to (`<account>.dkr.ecr.<region>.amazonaws.com`), or undefined for a public image. */
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

/** `value` as one shell word, safe inside the script whatever it contains. */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'"'"'`)}'`;
}

/** The user-data script; throws when the options are inconsistent or the script exceeds EC2's limit. */
export function renderUserData(options: UserDataOptions): string {
  if (!(options.shutdownAfterMinutes >= 5) || !Number.isInteger(options.shutdownAfterMinutes)) {
    throw new Error(`shutdownAfterMinutes must be a whole number of at least 5, not ${options.shutdownAfterMinutes}`);
  }
  if (!(options.runTimeoutMinutes > 0 && options.runTimeoutMinutes < options.shutdownAfterMinutes)) {
    throw new Error(
      `runTimeoutMinutes (${options.runTimeoutMinutes}) must be positive and below shutdownAfterMinutes (${options.shutdownAfterMinutes})`,
    );
  }
  const q = shellQuote;
  const destination = `s3://${options.resultsBucket}/${options.resultsPrefix}`;
  const workDir = options.workDir ?? "/var/lib/aws-bench";
  const resultsDir = `${workDir}/results`;
  const contract = runContractArgs({ resultsDir, image: options.image, runnerArgs: ["run", ...options.runArgs] });
  const script = `#!/bin/bash
# aws-instance-benchmarks: batch ${options.batchId}, ${options.instanceType}, repeat ${options.repeat}.
# First, bound this instance's life: power off (which terminates it) after ${options.shutdownAfterMinutes} minutes, whatever happens next.
shutdown -h +${options.shutdownAfterMinutes} "aws-bench: time limit reached"
set -uo pipefail

readonly REGION=${q(options.region)}
readonly DESTINATION=${q(destination)}
readonly IMAGE=${q(options.image)}
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

finish() {
  local code=$?
  local state=success message
  if [ "$code" -ne 0 ]; then state=failure; fi
  message=\${ERROR//\\"/ }
  message=\${message//\\\\/ }
  # status.json is the last object written: the collector reads everything else once it appears.
  printf '{"state":"%s","exitCode":%d,"stage":"%s","error":"%s","startedAt":"%s","finishedAt":"%s"}\\n' \\
    "$state" "$code" "$STAGE" "$message" "$STARTED_AT" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$WORK/status.json"
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
  options.ecrRegistry
    ? `
STAGE=login
retry sh -c ${q(`aws ecr get-login-password --region ${q(options.region)} | docker login --username AWS --password-stdin ${q(options.ecrRegistry)}`)} || fail "registry login failed"
`
    : ""
}
STAGE=pull
retry docker pull "$IMAGE" || fail "pulling $IMAGE failed"

STAGE=run
chown 1000 "$WORK/results"
timeout --kill-after=60 ${options.runTimeoutMinutes}m docker ${contract.map((word) => (word === options.image ? '"$IMAGE"' : word === `${resultsDir}:/results` ? '"$WORK/results:/results"' : q(word))).join(" ")}
RUN_EXIT=$?
if [ "$RUN_EXIT" -eq 124 ]; then
  # Killing the client leaves the container running: stop it too (this instance runs nothing else).
  docker ps -q | xargs -r docker kill
  ERROR="the benchmark ran past ${options.runTimeoutMinutes} minutes and was stopped"
fi

STAGE=upload
retry aws s3 cp --region "$REGION" --recursive --only-show-errors "$WORK/results" "$DESTINATION/results" || fail "uploading results failed"
if [ "$RUN_EXIT" -ne 0 ]; then fail "\${ERROR:-the benchmark run exited with $RUN_EXIT}" "$RUN_EXIT"; fi
`;
  const bytes = Buffer.byteLength(script);
  if (bytes > userDataLimitBytes)
    throw new Error(`user-data for ${options.instanceType} is ${bytes} bytes, over EC2's ${userDataLimitBytes}`);
  return script;
}

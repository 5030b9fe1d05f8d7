/**
 * A corpus of runs made by the real runner (`runLocal`), laid out as `collect` leaves them, so `analyze` reads test
 * data through exactly the checks real data meets: schema, SHA256SUMS, every raw file's checksum, evidence.
 *
 * How a run is made:
 * - The host is this machine; EC2 is a fake IMDSv2 server on 127.0.0.1 ({@link startFakeImds}) answering the token
 *   PUT, the identity document (instance type, region, AMI), the zone ID and the rest of what host-probe.ts asks,
 *   for the instance the run stands for. A workstation run (`local: true`) asks no IMDS and names no image.
 * - STREAM is a shell script given as `--program stream=…` that prints STREAM 5.10's format; the n-th trial of each
 *   configuration prints the n-th Triad value the plan chose (Copy, Scale and Add are fixed fractions of it), so
 *   the headline configuration's trials are exactly the planned values.
 * - Optionally a custom benchmark (`custom.seconds`, unit `s`, lower is better) reports planned seconds the same way.
 * - `BENCHMARK_IMAGE_DIGEST`/`BENCHMARK_CONTAINER_TAG` in the run's environment give `result.container`, as inside
 *   the benchmark image: with an instance type that makes the run `maintainer` evidence.
 * - The run is written to a scratch folder, then "collected": result.json, SHA256SUMS and the listed raw files
 *   only (never private/ or work/) are copied to `<root>/<type>/<batch>-<repeat>/` (`local/<batch>-<repeat>/` for
 *   a workstation run).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { loadCustomBenchmark } from "../../src/benchmarks/custom/definition.js";
import { runLocal } from "../../src/runner/local-run.js";
import { ProcessGroupSet } from "../../src/runner/processes.js";
import type { BenchmarkResult } from "../../src/schemas/generated/benchmark-result.js";

/** The image digest every maintainer run of the corpus names. */
export const corpusImageDigest = `sha256:${"c".repeat(64)}`;

/** The region every EC2 run of the corpus is in. */
export const corpusRegion = "us-east-1";

/** One instance to run: its type, where it goes, and the values its trials print. */
export interface PlannedInstance {
  /** EC2 instance type (answered by the fake IMDS); omit with `local`. */
  type?: string;
  /** A run outside a batch: no IMDS, no image — `local` evidence. */
  local?: boolean;
  /** Batch id and repeat: the collected folder is `<type>/<batch>-<repeat>`. */
  batch: string;
  repeat: number;
  /** Triad of each trial (MB/s), in order; one decimal place so the printed number is the value. */
  triad: number[];
  /** Seconds of each trial of the custom benchmark `solve` (metric `custom.seconds`); omitted: not run. */
  seconds?: number[];
  /** Availability zone ID (default use1-az1). */
  zoneId?: string;
}

/** A run as the corpus holds it. */
export interface CorpusRunFiles {
  planned: PlannedInstance;
  /** Folder relative to the corpus root, `/`-separated (what analyze reports as the run's path). */
  path: string;
  /** The result document as the runner wrote it. */
  result: BenchmarkResult;
}

/** A fake EC2 instance metadata service (IMDSv2) on 127.0.0.1, answering for one instance at a time. */
export interface FakeImds {
  endpoint: string;
  /** The instance the next requests are answered for. */
  become(instance: { type: string; zoneId: string; instanceId: string }): void;
  close(): Promise<void>;
}

/** The identity signatures a {@link FakeImds} serves for a document (e.g. from test/helpers/identity-ca.ts). */
export type FakeImdsSigner = (document: string) => { rsa2048: string; signature?: string };

/**
 * Starts a {@link FakeImds}: a token is required on every GET, as IMDSv2 requires. It serves the document's rsa2048
 * and RSA signature from `sign` (default: fixed placeholders that verify against nothing), and no DSA pkcs7.
 */
export async function startFakeImds(sign?: FakeImdsSigner): Promise<FakeImds> {
  let current = { type: "m7i.large", zoneId: "use1-az1", instanceId: "i-0000000000000000" };
  const token = "fake-imds-token";
  const server = createServer((request, response) => {
    if (request.method === "PUT" && request.url === "/latest/api/token") return response.end(token);
    if (request.headers["x-aws-ec2-metadata-token"] !== token) return response.writeHead(401).end();
    const document = JSON.stringify({
      accountId: "123456789012",
      architecture: "x86_64",
      availabilityZone: `${corpusRegion}a`,
      imageId: "ami-0abcdef1234567890",
      instanceId: current.instanceId,
      instanceType: current.type,
      pendingTime: "2026-01-05T08:00:00Z",
      region: corpusRegion,
    });
    const answers: Record<string, string> = {
      "/latest/meta-data/instance-type": current.type,
      "/latest/meta-data/placement/region": corpusRegion,
      "/latest/meta-data/placement/availability-zone-id": current.zoneId,
      "/latest/meta-data/ami-id": "ami-0abcdef1234567890",
      "/latest/meta-data/instance-id": current.instanceId,
      "/latest/dynamic/instance-identity/document": document,
      ...signatureAnswers(document, sign),
    };
    const answer = answers[request.url ?? ""];
    return answer === undefined ? response.writeHead(404).end() : response.end(answer);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    become: (instance) => {
      current = instance;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The rsa2048 and signature answers of a fake IMDS for `document`. */
function signatureAnswers(document: string, sign: FakeImdsSigner | undefined): Record<string, string> {
  const signed = sign
    ? sign(document)
    : {
        rsa2048: "MIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0BBwE=",
        signature: "cGxhY2Vob2xkZXI=",
      };
  return {
    "/latest/dynamic/instance-identity/rsa2048": signed.rsa2048,
    ...(signed.signature ? { "/latest/dynamic/instance-identity/signature": signed.signature } : {}),
  };
}

/** A shell `case` printing the n-th value (n from a counter file per key), or failing past the last. */
function nthValueScript(counterDir: string, key: string, values: readonly number[]): string {
  return [
    `counter="${counterDir}/count-${key}"`,
    `n=$(cat "$counter" 2>/dev/null || echo 0)`,
    "n=$((n+1))",
    `echo "$n" > "$counter"`,
    'case "$n" in',
    ...values.map((value, index) => `  ${index + 1}) v=${value} ;;`),
    '  *) echo "no value planned for trial $n" >&2; exit 3 ;;',
    "esac",
  ].join("\n");
}

/**
 * STREAM 5.10's output with Triad `$v` (Copy, Scale, Add fixed fractions of it), one trial per call, with times that
 * agree with the rates (bytes moved per kernel / best time) as a real STREAM's do, so a review's arithmetic holds.
 */
export function fakeStreamScript(counterDir: string, triad: readonly number[]): string {
  const size = 10_000_000;
  return `#!/bin/sh
# A stand-in for a STREAM binary: prints STREAM 5.10's format with the planned Triad of this trial.
${nthValueScript(counterDir, "${OMP_NUM_THREADS}-${OMP_PROC_BIND}-${OMP_PLACES}", triad)}
line() { awk -v name="$1" -v rate="$2" -v bytes="$3" 'BEGIN { t = bytes / (rate * 1e6); printf "%-8s%11.1f  %11.6f  %11.6f  %11.6f\\n", name ":", rate, t * 1.1, t, t * 1.3 }'; }
cat <<EOF
-------------------------------------------------------------
STREAM version \\$Revision: 5.10 \\$
-------------------------------------------------------------
This system uses 8 bytes per array element.
-------------------------------------------------------------
Array size = ${size} (elements), Offset = 0 (elements)
Memory per array = 76.3 MiB (= 0.1 GiB).
Total memory required = 228.9 MiB (= 0.2 GiB).
Each kernel will be executed 10 times.
-------------------------------------------------------------
Number of Threads requested = \${OMP_NUM_THREADS:-1}
Number of Threads counted = \${OMP_NUM_THREADS:-1}
-------------------------------------------------------------
Your clock granularity/precision appears to be 1 microseconds.
-------------------------------------------------------------
Function    Best Rate MB/s  Avg time     Min time     Max time
EOF
line Copy "$(awk "BEGIN { printf \\"%.1f\\", $v * 0.8 }")" ${2 * 8 * size}
line Scale "$(awk "BEGIN { printf \\"%.1f\\", $v * 0.75 }")" ${2 * 8 * size}
line Add "$(awk "BEGIN { printf \\"%.1f\\", $v * 0.99 }")" ${3 * 8 * size}
line Triad "$v" ${3 * 8 * size}
cat <<EOF
-------------------------------------------------------------
Solution Validates: avg error less than 1.000000e-13 on all three arrays
-------------------------------------------------------------
EOF
`;
}

/** A custom benchmark `solve` whose n-th trial prints the n-th planned time. */
function customSolveDefinition(counterDir: string, seconds: readonly number[]): string {
  return JSON.stringify({
    schemaVersion: 1,
    name: "solve",
    description: "a stand-in solver reporting the planned time to solution",
    command: ["/bin/sh", "solve.sh"],
    inputs: {
      "solve.sh": `${nthValueScript(counterDir, "solve", seconds)}\necho "time to solution: $v s"\necho done\n`,
    },
    timeoutSeconds: 30,
    metrics: [{ name: "seconds", unit: "s", pattern: "^time to solution: (\\S+) s$" }],
    headline: "seconds",
    validity: { mustMatch: ["^done$"] },
  });
}

/** The collected folder of a planned run, relative to the corpus root. */
export function collectedPath(planned: PlannedInstance): string {
  if (planned.local) return `local/${planned.batch}-${planned.repeat}`;
  if (!planned.type) throw new Error("a planned EC2 run needs a type");
  return `${planned.type}/${planned.batch}-${planned.repeat}`;
}

/**
 * Runs every planned instance with the real runner, one after another, and collects each under `root`. Trials per
 * configuration are the number of planned Triad values (the same for every configuration).
 */
export async function buildRunnerCorpus(root: string, plan: readonly PlannedInstance[]): Promise<CorpusRunFiles[]> {
  const imds = await startFakeImds();
  const scratch = mkdtempSync(join(tmpdir(), "aws-bench-corpus-scratch-"));
  const built: CorpusRunFiles[] = [];
  try {
    for (const [index, planned] of plan.entries()) {
      const work = join(scratch, String(index));
      mkdirSync(work, { recursive: true });
      const stream = join(work, "stream");
      writeFileSync(stream, fakeStreamScript(work, planned.triad), { mode: 0o755 });
      const customs = [];
      if (planned.seconds) {
        if (planned.seconds.length !== planned.triad.length) throw new Error("plan as many seconds as Triad values");
        writeFileSync(join(work, "solve.json"), customSolveDefinition(work, planned.seconds));
        customs.push(await loadCustomBenchmark(join(work, "solve.json")));
      }
      if (!planned.local)
        imds.become({
          type: planned.type ?? "",
          zoneId: planned.zoneId ?? "use1-az1",
          instanceId: `i-${String(index).padStart(17, "0")}`,
        });
      const outDir = join(work, "run");
      const outcome = await runLocal(
        {
          benchmarks: ["stream"],
          quick: true,
          trials: planned.triad.length,
          outDir,
          cwd: work,
          env: {
            PATH: process.env["PATH"] ?? "/usr/bin:/bin",
            HOME: work,
            XDG_CACHE_HOME: join(work, "cache"),
            ...(planned.local
              ? {}
              : { BENCHMARK_IMAGE_DIGEST: corpusImageDigest, BENCHMARK_CONTAINER_TAG: "x86-64-v3" }),
          },
          programs: { stream },
          sources: {},
          customs,
          imds: !planned.local,
          imdsEndpoint: imds.endpoint,
          imageRoot: join(work, "no-image"),
          progress: () => undefined,
        },
        new ProcessGroupSet(),
      );
      const { result } = outcome;
      const wanted = planned.seconds ? 2 : 1;
      if (result.benchmarks.length !== wanted || result.benchmarks.some((section) => !section.validity.valid))
        throw new Error(`run ${index}: the runner did not give ${wanted} valid section(s): ${JSON.stringify(result)}`);
      if (!planned.local && result.host.instanceType !== planned.type)
        throw new Error(`run ${index}: the fake IMDS was not read (instance type ${result.host.instanceType})`);
      const path = collectedPath(planned);
      const target = join(root, path);
      for (const file of ["result.json", "SHA256SUMS", ...result.rawFiles.map((raw) => raw.path)]) {
        mkdirSync(dirname(join(target, file)), { recursive: true });
        copyFileSync(join(outDir, file), join(target, file));
      }
      built.push({ planned, path, result });
    }
  } finally {
    await imds.close();
    rmSync(scratch, { recursive: true, force: true });
  }
  return built;
}

/**
 * Builds the corpus once for the test file (beforeAll) under a temporary folder removed afterwards; the getter
 * answers the root and the runs.
 */
export function useRunnerCorpus(
  plan: readonly PlannedInstance[],
  timeoutMs = 120_000,
): () => { root: string; runs: CorpusRunFiles[] } {
  let built: { root: string; runs: CorpusRunFiles[] } | undefined;
  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), "aws-bench-corpus-"));
    built = { root, runs: await buildRunnerCorpus(root, plan) };
  }, timeoutMs);
  afterAll(() => {
    if (built) rmSync(built.root, { recursive: true, force: true });
  });
  return () => {
    if (!built) throw new Error("the corpus is built in beforeAll");
    return built;
  };
}

/** A run's result document as it lies in the corpus. */
export function readCollectedResult(root: string, path: string): BenchmarkResult {
  return JSON.parse(readFileSync(join(root, path, "result.json"), "utf8")) as BenchmarkResult;
}

import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BenchError } from "../../../src/errors.js";
import { runContractArgs } from "../../../src/images/run-contract.js";
import {
  renderUserData,
  runStopGraceSeconds,
  shellQuote,
  userDataLimitBytes,
  type UserDataOptions,
} from "../../../stacks/user-data.js";
import { hasCommands } from "../../helpers/prerequisites.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const tempDir = useTempDir();
const batchId = "20261128t120000z-ab12cd";
const digest = `sha256:${"0123456789abcdef".repeat(4)}`;
const base: UserDataOptions = {
  batchId,
  instanceType: "m7i.large",
  repeat: 0,
  region: "us-east-1",
  resultsBucket: "my-results",
  resultsPrefix: `batches/${batchId}/m7i.large/0`,
  image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/aws-bench-cache@${digest}`,
  ecrRegistry: "123456789012.dkr.ecr.us-east-1.amazonaws.com",
  runArgs: ["--benchmarks", "stream,hpl,coremark"],
  shutdownAfterMinutes: 45,
  runTimeoutMinutes: 35,
};

const hasShellcheck = hasCommands("user-data shellcheck", ["shellcheck"], "apt-get install shellcheck");

function shellcheck(script: string) {
  const file = join(tempDir(), "user-data.sh");
  writeFileSync(file, script);
  return spawnSync("shellcheck", [file], { encoding: "utf8" });
}

/** The error renderUserData throws for `options`, or undefined when it renders. */
function refusal(options: UserDataOptions): BenchError | undefined {
  try {
    renderUserData(options);
    return undefined;
  } catch (error) {
    if (!(error instanceof BenchError)) throw error;
    return error;
  }
}

// Every option at the longest value its check allows: the bounds must keep the script under EC2's limit.
const longestRegistry = `${"r".repeat(60)}.${"e".repeat(60)}.${"g".repeat(60)}.${"h".repeat(60)}:65535`;
const longest: UserDataOptions = {
  batchId,
  instanceType: `u7in-${"9".repeat(53)}.large`,
  repeat: 999,
  region: `us-${"x".repeat(27)}-1`,
  resultsBucket: "b".repeat(63),
  resultsPrefix: `batches/${batchId}/${"p".repeat(256 - 32)}`,
  image: `${longestRegistry}/${"a".repeat(512 - longestRegistry.length - 1 - 72)}@sha256:${"f".repeat(64)}`,
  ecrRegistry: longestRegistry,
  runArgs: Array.from({ length: 32 }, (_, i) => `--x${String(i).padStart(2, "0")}=${"v".repeat(57)}`),
  shutdownAfterMinutes: 7 * 24 * 60,
  runTimeoutMinutes: 7 * 24 * 60 - 1,
  workDir: `/${"w".repeat(255)}`,
};

describe("renderUserData", () => {
  it("sets the shutdown timer before anything else", () => {
    const commands = renderUserData(base)
      .split("\n")
      .filter((line) => line.trim() && !line.startsWith("#"));
    expect(commands[0]).toBe('shutdown -h +45 "aws-bench: time limit reached"');
  });

  it("stays under EC2's 16 KB and shellcheck clean with every option at its longest", () => {
    expect(refusal(longest)).toBeUndefined();
    const script = renderUserData(longest);
    expect(script).toContain(longest.image);
    expect(Buffer.byteLength(script)).toBeLessThan(userDataLimitBytes);
    if (hasShellcheck) expect(shellcheck(script).stdout).toBe("");
  });

  it.skipIf(!hasShellcheck)("is shellcheck clean", () => {
    const result = shellcheck(renderUserData(base));
    expect(result.stdout + result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it("refuses timers that cannot bound the run", () => {
    expect(() => renderUserData({ ...base, shutdownAfterMinutes: 2 })).toThrow(
      /shutdownAfterMinutes 2 must be a whole number from 5 to 10080/,
    );
    expect(() => renderUserData({ ...base, runTimeoutMinutes: 45 })).toThrow(
      /runTimeoutMinutes 45 must be a whole number from 1 to 44/,
    );
  });

  it("logs in to the region of the image's ECR registry, not the bucket's", () => {
    const script = renderUserData({
      ...base,
      image: `210987654321.dkr.ecr.eu-west-1.amazonaws.com/team/aws-bench@${digest}`,
      ecrRegistry: "210987654321.dkr.ecr.eu-west-1.amazonaws.com",
    });
    expect(script).toContain("readonly REGISTRY_REGION=eu-west-1\n");
    expect(script).toContain("readonly REGION=us-east-1\n");
    expect(renderUserData({ ...base, image: `ghcr.io/org/aws-bench@${digest}`, ecrRegistry: undefined })).not.toContain(
      "REGISTRY",
    );
  });
});

describe("renderUserData pulls and runs by digest", () => {
  it("pulls the image by its digest and tells the run that digest", () => {
    const script = renderUserData(base);
    expect(script).toContain(`readonly IMAGE=${base.image}\n`);
    expect(script).toContain(`readonly IMAGE_DIGEST=${digest}\n`);
    expect(script).toContain('retry docker pull "$IMAGE"');
    expect(script).toMatch(/ --env "BENCHMARK_IMAGE_DIGEST=\$IMAGE_DIGEST" "\$IMAGE" run /);
  });

  it.each([
    ["a tag", "123456789012.dkr.ecr.us-east-1.amazonaws.com/aws-bench:x86-64-distro-0123456789abcdef"],
    ["a tag beside the digest", `123456789012.dkr.ecr.us-east-1.amazonaws.com/aws-bench:latest@${digest}`],
    ["no tag and no digest", "123456789012.dkr.ecr.us-east-1.amazonaws.com/aws-bench"],
    ["a short digest", `123456789012.dkr.ecr.us-east-1.amazonaws.com/aws-bench@${digest.slice(0, -1)}`],
    ["another algorithm", `123456789012.dkr.ecr.us-east-1.amazonaws.com/aws-bench@sha512:${"0".repeat(64)}`],
  ])("refuses an image by %s", (_case, image) => {
    const error = refusal({ ...base, image });
    expect(error?.code).toBe("InvalidArgument");
    expect(error?.message).toContain(`renderUserData: image ${JSON.stringify(image).slice(0, 40)}`);
    expect(error?.message).toMatch(/is not an image reference by digest \(REPOSITORY@sha256:<64 hex digits>, no tag\)/);
  });
});

describe("renderUserData trusts no option", () => {
  const hostile = {
    "a newline": "\nreboot",
    "a command substitution": "$(reboot)",
    backticks: "`reboot`",
    "a single quote": "'",
    "a double quote": '"',
    "a semicolon": ";reboot",
    "a NUL": "\0",
  };
  const overlong: Record<string, string> = {
    batchId: `${batchId}0`,
    instanceType: `m${"7".repeat(64)}.large`,
    region: `us-${"east-".repeat(6)}1`,
    resultsBucket: "b".repeat(64),
    resultsPrefix: `batches/${batchId}/${"x".repeat(300)}`,
    image: `aws-bench/${"a".repeat(510)}`,
    ecrRegistry: `${"r".repeat(250)}.example`,
    workDir: `/${"w".repeat(300)}`,
  };
  const stringOptions = Object.keys(overlong) as Array<keyof UserDataOptions>;
  const withValue = (option: string, value: unknown): UserDataOptions =>
    option === "runArgs" ? { ...base, runArgs: ["--benchmarks", value as string] } : { ...base, [option]: value };
  const valid = (option: string) => (option === "runArgs" ? "stream" : String(base[option as keyof UserDataOptions]));

  const cases = [...stringOptions, "runArgs"].flatMap((option) => [
    ...Object.entries(hostile).flatMap(([what, payload]) => [
      [option, `${what} at the end`, `${valid(option)}${payload}`] as const,
      [option, `${what} inside`, `${valid(option).slice(0, 3)}${payload}${valid(option).slice(3)}`] as const,
    ]),
    [option, "an overlong value", option === "runArgs" ? "x".repeat(257) : (overlong[option] as string)] as const,
  ]);

  it.each(cases)("refuses %s with %s, naming the option and the value", (option, _what, value) => {
    const error = refusal(withValue(option, value));
    expect(error?.code).toBe("InvalidArgument");
    const named = option === "runArgs" ? "runArgs[1]" : option;
    expect(error?.message).toContain(`renderUserData: ${named} ${JSON.stringify(value).slice(0, 40)}`);
    expect(error?.fix).toBeTruthy();
  });

  it.each([
    ["repeat", -1],
    ["repeat", 1.5],
    ["repeat", 1000],
    ["repeat", "0"],
    ["shutdownAfterMinutes", Number.NaN],
    ["shutdownAfterMinutes", 10_081],
    ["shutdownAfterMinutes", "45; reboot"],
    ["runTimeoutMinutes", 0],
    ["runTimeoutMinutes", 30.5],
    ["runTimeoutMinutes", Number.POSITIVE_INFINITY],
  ])("refuses %s %s: minutes and repeats are whole numbers in range", (option, value) => {
    expect(refusal({ ...base, [option]: value })?.message).toMatch(
      new RegExp(`renderUserData: ${option} .* must be a whole number from`),
    );
  });

  it("refuses values of the wrong kind, prefixes outside the batch, a registry the image is not in, unknown options", () => {
    const refused = (options: object) => refusal({ ...base, ...options })?.message;
    expect(refused({ instanceType: ["m7i.large"] })).toMatch(/instanceType object is not an EC2 instance type/);
    expect(refused({ runArgs: "--benchmarks stream" })).toMatch(/runArgs .* must be a list/);
    expect(refused({ runArgs: Array.from({ length: 33 }, () => "--quick") })).toMatch(/at most 32 arguments/);
    expect(refused({ runArgs: ["--benchmarks", ""] })).toMatch(/runArgs\[1\] "" is not a runner argument/);
    expect(refused({ resultsPrefix: "batches/20261128t120000z-ffffff/m7i.large/0" })).toMatch(
      /resultsPrefix .* is not a key prefix under batches\/20261128t120000z-ab12cd\//,
    );
    expect(refused({ resultsPrefix: `batches/${batchId}/../other` })).toMatch(/resultsPrefix/);
    expect(refused({ workDir: "var/lib/aws-bench" })).toMatch(/workDir .* is not an absolute path/);
    expect(refused({ workDir: "/var/../etc" })).toMatch(/workDir/);
    expect(refused({ ecrRegistry: "210987654321.dkr.ecr.eu-west-1.amazonaws.com" })).toMatch(
      /ecrRegistry .* is not the registry of image/,
    );
    expect(refused({ image: "" })).toMatch(/image "" is not an image reference/);
    expect(refused({ image: "Upper/Case:tag" })).toMatch(/image .* is not an image reference/);
    expect(refused({ workdir: "/tmp" })).toMatch(/option "workdir" is not a user-data option/);
  });

  it("lets only plain shell words through: any string either is refused by name or needs no quoting at all", () => {
    // Whatever a tampered record or another program passes, a value that renders is one the shell reads as a
    // plain word (shellQuote leaves it bare): nothing in it can expand, split, glob or end a line.
    const arbitrary = fc.constantFrom(...stringOptions, "runArgs").chain((option) => {
      const value = valid(option);
      const spliced = fc
        .tuple(fc.nat({ max: value.length }), fc.string({ unit: "binary", minLength: 1, maxLength: 3 }))
        .map(([at, inserted]) => value.slice(0, at) + inserted + value.slice(at));
      return fc.tuple(fc.constant(option), fc.oneof(fc.string({ unit: "binary", maxLength: 40 }), spliced));
    });
    fc.assert(
      fc.property(arbitrary, ([option, value]) => {
        const error = refusal(withValue(option, value));
        if (error) expect(error.message).toContain(option === "runArgs" ? "runArgs[1]" : option);
        else expect(shellQuote(value)).toBe(value);
      }),
      { numRuns: 2000 },
    );
  });
});

/**
 * Executes the script with bash and stub commands first on PATH (engine, aws, shutdown, poweroff, sleep,
 * timeout, dnf, systemctl, chown, date). Each stub but date appends its command line to calls.log; the engine's
 * stub also writes the arguments of `run`, one per line, to run-args.log, and its `login` reads the password as the
 * real one does (under pipefail, a login that left it unread would fail the pipe); `aws s3 cp` copies into a local
 * folder standing for the bucket. Behaviour is switched by environment variables:
 * - STUB_TIMEOUT=term: the limit's TERM ended the run (timeout runs the command, then exits 124);
 *   STUB_TIMEOUT=kill: the client outlived the grace period and was killed (137), its container still running;
 * - STUB_RUN_EXIT: the container's exit code; STUB_RUN_SECONDS: how long the run took by `date +%s`;
 * - STUB_UPLOAD_FAIL: every recursive upload fails.
 */
function execute(env: Record<string, string> = {}, options: Partial<UserDataOptions> = {}) {
  const dir = tempDir();
  const stubs = join(dir, "stubs");
  const bucket = join(dir, "bucket");
  mkdirSync(stubs);
  mkdirSync(bucket);
  const log = join(dir, "calls.log");
  const writeStub = (name: string, text: string) => {
    writeFileSync(join(stubs, name), text);
    chmodSync(join(stubs, name), 0o755);
  };
  const stub = (name: string, body: string) => writeStub(name, `#!/bin/bash\necho "${name} $*" >> "${log}"\n${body}\n`);
  for (const name of ["shutdown", "poweroff", "sleep", "dnf", "systemctl", "chown"]) stub(name, "exit 0");
  stub(
    "timeout",
    `while [[ "$1" == -* ]]; do shift; done; shift
case "\${STUB_TIMEOUT:-}" in
  term) "$@"; exit 124 ;;
  kill) exit 137 ;;
esac
exec "$@"`,
  );
  stub(
    "docker",
    `case "$1" in
  run) printf '%s\\n' "$@" > "${dir}/run-args.log"; mkdir -p "${dir}/work/results/aws-bench-results/run-1"; echo '{}' > "${dir}/work/results/aws-bench-results/run-1/result.json"; exit "\${STUB_RUN_EXIT:-0}" ;;
  ps) if [ "\${STUB_TIMEOUT:-}" = kill ]; then echo abc123; fi ;;
  login) cat > /dev/null ;;
  *) exit 0 ;;
esac`,
  );
  stub(
    "aws",
    `if [ "$1" = ecr ]; then echo token; exit 0; fi
args=("$@"); src="\${args[-2]}"; dst="\${args[-1]}"; dst="${bucket}/\${dst#s3://}"
if [[ " $* " == *" --recursive "* ]]; then [ -n "\${STUB_UPLOAD_FAIL:-}" ] && exit 1; mkdir -p "$dst"; cp -r "$src/." "$dst"; else mkdir -p "$(dirname "$dst")"; cp "$src" "$dst"; fi`,
  );
  writeStub(
    "date",
    `#!/bin/bash
if [ "$1" != +%s ]; then PATH=/usr/bin:/bin exec date "$@"; fi
if [ -e "${dir}/clock" ]; then echo $((1000 + \${STUB_RUN_SECONDS:-0})); else : > "${dir}/clock"; echo 1000; fi`,
  );
  const script = join(dir, "user-data.sh");
  const rendered = { ...base, ...options, workDir: join(dir, "work") };
  writeFileSync(script, renderUserData(rendered));
  const result = spawnSync("bash", [script], {
    encoding: "utf8",
    env: { PATH: `${stubs}:/usr/bin:/bin`, HOME: dir, ...env },
    timeout: 30_000,
  });
  const prefix = join(bucket, "my-results", rendered.resultsPrefix);
  const status = existsSync(join(prefix, "status.json"))
    ? (JSON.parse(readFileSync(join(prefix, "status.json"), "utf8")) as Record<string, unknown>)
    : undefined;
  const calls = readFileSync(log, "utf8").trim().split("\n");
  const runArgsLog = join(dir, "run-args.log");
  const runArgs = existsSync(runArgsLog) ? readFileSync(runArgsLog, "utf8").split("\n").slice(0, -1) : undefined;
  return { result, status, calls, prefix, runArgs, resultsDir: join(dir, "work", "results") };
}

describe("the user-data script, run with stub commands", () => {
  it("runs the benchmark, uploads everything, writes status.json last, and powers off", () => {
    const { status, calls, prefix } = execute();
    expect(calls[0]).toBe("shutdown -h +45 aws-bench: time limit reached");
    expect(status).toMatchObject({ state: "success", exitCode: 0, stage: "upload", error: "" });
    expect(existsSync(join(prefix, "results", "aws-bench-results", "run-1", "result.json"))).toBe(true);
    const uploads = calls.filter((call) => call.startsWith("aws s3 cp"));
    expect(uploads.at(-1)).toMatch(/status\.json s3:\/\/my-results\/.*\/status\.json$/);
    expect(calls.at(-1)).toBe("poweroff");
    const run = calls.find((call) => call.startsWith("docker run"));
    expect(run).toContain("--cap-add SYS_NICE --ulimit memlock=-1:-1");
    expect(calls.findIndex((call) => call.startsWith("aws ecr get-login-password --region us-east-1"))).toBeLessThan(
      calls.findIndex((call) => call.startsWith("docker pull")),
    );
  });

  it("hands the engine every value as exactly the word it was, the oddest legal characters included", () => {
    const runArgs = ["--benchmarks", "stream,hpl", "--custom=/opt/custom/a_b.json", "@file%20+x:y,z", "-q"];
    const { status, runArgs: received, resultsDir } = execute({}, { runArgs });
    expect(status).toMatchObject({ state: "success" });
    expect(received).toEqual(
      runContractArgs({
        resultsDir,
        image: base.image,
        runnerArgs: ["run", ...runArgs],
        env: { BENCHMARK_IMAGE_DIGEST: digest },
      }),
    );
  });

  it("reports a failed benchmark with its exit code, after uploading what it wrote", () => {
    const { status, prefix } = execute({ STUB_RUN_EXIT: "3" });
    expect(status).toMatchObject({ state: "failure", exitCode: 3, error: "the benchmark run exited with 3" });
    expect(existsSync(join(prefix, "results", "aws-bench-results", "run-1", "result.json"))).toBe(true);
  });

  it("still uploads status.json when the results upload fails", () => {
    const { status, calls } = execute({ STUB_UPLOAD_FAIL: "1" });
    expect(status).toMatchObject({ state: "failure", stage: "upload", error: "uploading results failed" });
    expect(calls.filter((call) => call.includes("--recursive"))).toHaveLength(5);
    expect(calls.at(-1)).toBe("poweroff");
  });

  it("bounds the run with timeout: TERM at the limit, KILL only after the grace period", () => {
    const { calls } = execute();
    expect(calls.find((call) => call.startsWith("timeout"))).toMatch(
      new RegExp(`^timeout --signal=TERM --kill-after=${runStopGraceSeconds}s 35m docker run `),
    );
  });

  it("a run its TERM stopped in time: exit 124, results and status uploaded, nothing left to stop", () => {
    const { status, calls, prefix } = execute({ STUB_TIMEOUT: "term", STUB_RUN_SECONDS: "2100" });
    expect(status).toMatchObject({
      state: "failure",
      exitCode: 124,
      stage: "upload",
      error: "the benchmark ran past 35 minutes and was stopped",
    });
    expect(calls.some((call) => call.startsWith("docker stop"))).toBe(false);
    expect(existsSync(join(prefix, "results", "aws-bench-results", "run-1", "result.json"))).toBe(true);
  });

  it("a client killed after the grace period: the engine stops the container before the upload, and it is still 124", () => {
    const { status, calls } = execute({ STUB_TIMEOUT: "kill", STUB_RUN_SECONDS: "2160" });
    expect(status).toMatchObject({
      state: "failure",
      exitCode: 124,
      error: "the benchmark ran past 35 minutes and was stopped",
    });
    const stop = calls.indexOf("docker stop --time 10 abc123");
    expect(stop).toBeGreaterThan(-1);
    expect(stop).toBeLessThan(calls.findIndex((call) => call.includes("--recursive")));
  });

  it("a container the kernel killed before the limit keeps its own 137", () => {
    const { status, calls } = execute({ STUB_RUN_EXIT: "137", STUB_RUN_SECONDS: "600" });
    expect(status).toMatchObject({ state: "failure", exitCode: 137, error: "the benchmark run exited with 137" });
    expect(calls.some((call) => call.startsWith("docker stop"))).toBe(false);
  });
});

describe("status.json", () => {
  /** Runs the script's own status writer under bash with ERROR set to `error`; returns the file's text. */
  function writeStatus(error: string, locale: { LC_ALL?: string } = {}): string {
    const script = renderUserData(base);
    const functions = ["json_string", "write_status"].map((name) => {
      const m = new RegExp(`^${name}\\(\\) \\{\\n[\\s\\S]*?\\n\\}\\n`, "m").exec(script);
      if (!m) throw new Error(`no ${name} in the script`);
      return m[0];
    });
    const dir = tempDir();
    const result = spawnSync(
      "bash",
      [
        "-c",
        `${functions.join("")}\nSTAGE=run STARTED_AT=2026-11-28T12:00:00Z ERROR="$HOSTILE"\nwrite_status failure 3`,
      ],
      // stdin not a socket: bash would take itself for an rsh session and read ~/.bashrc.
      {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        env: { PATH: "/usr/bin:/bin", WORK: dir, HOSTILE: error, ...locale },
      },
    );
    expect(result.stderr).toBe("");
    return readFileSync(join(dir, "status.json"), "utf8");
  }

  const hostile = [
    'a "quoted" word',
    "back\\slash and \\u0041 and \\",
    "line one\nline two\r\n",
    "tab\there, bell\x07, escape\x1b[31m, delete\x7f, \x01\x02\x1f",
    "$(reboot) `reboot` ${HOME} 'single' ; & | > <",
    '{"state":"success","exitCode":0}',
    "%s %d %% \\n",
  ];

  it.each(hostile)("stays valid JSON and keeps the error text exactly: %j", (error) => {
    const status = JSON.parse(writeStatus(error)) as Record<string, unknown>;
    expect(status).toMatchObject({ state: "failure", exitCode: 3, stage: "run", error });
    expect(status["finishedAt"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it("keeps text outside ASCII as its bytes, escaped, whatever the locale", () => {
    const error = "résumé — 💥 failed";
    for (const locale of [{}, { LC_ALL: "C.UTF-8" }]) {
      const text = writeStatus(error, locale);
      expect(text).toMatch(/^[\x20-\x7e]*\n$/);
      const status = JSON.parse(text) as { error: string };
      expect(Buffer.from(status.error, "latin1").toString("utf8")).toBe(error);
    }
  });

  it("cuts an endless error text short rather than the file", () => {
    const status = JSON.parse(writeStatus("x".repeat(10_000))) as { error: string };
    expect(status.error).toBe("x".repeat(2000));
  });
});

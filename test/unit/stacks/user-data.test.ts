import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderUserData, shellQuote, userDataLimitBytes, type UserDataOptions } from "../../../stacks/user-data.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const tempDir = useTempDir();
const base: UserDataOptions = {
  batchId: "20261128t120000z-ab12cd",
  instanceType: "m7i.large",
  repeat: 0,
  region: "us-east-1",
  resultsBucket: "my-results",
  resultsPrefix: "batches/20261128t120000z-ab12cd/m7i.large/0",
  image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/aws-bench:intel-sapphirerapids-distro-0123456789abcdef",
  ecrRegistry: "123456789012.dkr.ecr.us-east-1.amazonaws.com",
  runArgs: ["--benchmarks", "stream,hpl,coremark"],
  shutdownAfterMinutes: 45,
  runTimeoutMinutes: 35,
};

const hasShellcheck = spawnSync("sh", ["-c", "command -v shellcheck"]).status === 0;
if (!hasShellcheck)
  console.warn("user-data shellcheck skipped: shellcheck is not installed (apt-get install shellcheck)");

describe("renderUserData", () => {
  it("sets the shutdown timer before anything else", () => {
    const commands = renderUserData(base)
      .split("\n")
      .filter((line) => line.trim() && !line.startsWith("#"));
    expect(commands[0]).toBe('shutdown -h +45 "aws-bench: time limit reached"');
  });

  it("stays under EC2's 16 KB for the largest plan", () => {
    const largest = renderUserData({
      ...base,
      instanceType: "u7in-32tb.224xlarge",
      resultsPrefix: `batches/${"x".repeat(60)}/u7in-32tb.224xlarge/9`,
      runArgs: [
        "--benchmarks",
        "stream,hpl,coremark",
        "--trials",
        "9",
        "--hpl-minutes",
        "30",
        "--hpl-sizing",
        "top500",
        ...Array.from({ length: 10 }, (_, i) => `--custom=/opt/custom/${i}.json`),
      ],
      shutdownAfterMinutes: 720,
      runTimeoutMinutes: 700,
    });
    expect(Buffer.byteLength(largest)).toBeLessThan(userDataLimitBytes);
  });

  it("quotes every value, so nothing user-supplied reaches the shell unquoted", () => {
    const script = renderUserData({
      ...base,
      resultsBucket: "b",
      resultsPrefix: "p/$(rm -rf /)/'x'",
      runArgs: ["--benchmarks", "stream; reboot"],
    });
    expect(script).toContain(`readonly DESTINATION='s3://b/p/$(rm -rf /)/'"'"'x'"'"''`);
    expect(script).toContain("'stream; reboot'");
    expect(shellQuote("a b")).toBe("'a b'");
    expect(shellQuote("plain-1.2")).toBe("plain-1.2");
  });

  it("refuses timers that cannot bound the run", () => {
    expect(() => renderUserData({ ...base, shutdownAfterMinutes: 2 })).toThrow(/at least 5/);
    expect(() => renderUserData({ ...base, runTimeoutMinutes: 50 })).toThrow(/below shutdownAfterMinutes/);
  });

  it.skipIf(!hasShellcheck)("is shellcheck clean", () => {
    const file = join(tempDir(), "user-data.sh");
    writeFileSync(file, renderUserData(base));
    const result = spawnSync("shellcheck", [file], { encoding: "utf8" });
    expect(result.stdout + result.stderr).toBe("");
    expect(result.status).toBe(0);
  });
});

/**
 * Executes the script with bash and stub commands first on PATH (engine, aws, shutdown, poweroff, sleep,
 * timeout, dnf, systemctl, chown). Each stub appends its command line to calls.log; `aws s3 cp` copies into a
 * local folder standing for the bucket. Behaviour is switched by environment variables.
 */
function execute(env: Record<string, string> = {}) {
  const dir = tempDir();
  const stubs = join(dir, "stubs");
  const bucket = join(dir, "bucket");
  mkdirSync(stubs);
  mkdirSync(bucket);
  const log = join(dir, "calls.log");
  const stub = (name: string, body: string) => {
    writeFileSync(join(stubs, name), `#!/bin/bash\necho "${name} $*" >> "${log}"\n${body}\n`);
    chmodSync(join(stubs, name), 0o755);
  };
  for (const name of ["shutdown", "poweroff", "sleep", "dnf", "systemctl", "chown"]) stub(name, "exit 0");
  stub("timeout", 'if [ -n "${STUB_TIMEOUT:-}" ]; then exit 124; fi; shift 2; exec "$@"');
  stub(
    "docker",
    `case "$1" in
  run) mkdir -p "${dir}/work/results/aws-bench-results/run-1"; echo '{}' > "${dir}/work/results/aws-bench-results/run-1/result.json"; exit "\${STUB_RUN_EXIT:-0}" ;;
  ps) echo abc123 ;;
  *) exit 0 ;;
esac`,
  );
  stub(
    "aws",
    `if [ "$1" = ecr ]; then echo token; exit 0; fi
args=("$@"); src="\${args[-2]}"; dst="\${args[-1]}"; dst="${bucket}/\${dst#s3://}"
if [[ " $* " == *" --recursive "* ]]; then [ -n "\${STUB_UPLOAD_FAIL:-}" ] && exit 1; mkdir -p "$dst"; cp -r "$src/." "$dst"; else mkdir -p "$(dirname "$dst")"; cp "$src" "$dst"; fi`,
  );
  const script = join(dir, "user-data.sh");
  writeFileSync(script, renderUserData({ ...base, workDir: join(dir, "work") }));
  const result = spawnSync("bash", [script], {
    encoding: "utf8",
    env: { PATH: `${stubs}:/usr/bin:/bin`, HOME: dir, ...env },
    timeout: 30_000,
  });
  const prefix = join(bucket, "my-results", base.resultsPrefix);
  const status = existsSync(join(prefix, "status.json"))
    ? (JSON.parse(readFileSync(join(prefix, "status.json"), "utf8")) as Record<string, unknown>)
    : undefined;
  const calls = readFileSync(log, "utf8").trim().split("\n");
  return { result, status, calls, prefix };
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
    expect(calls.findIndex((call) => call.startsWith("aws ecr get-login-password"))).toBeLessThan(
      calls.findIndex((call) => call.startsWith("docker pull")),
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

  it("stops a benchmark that runs past its time and says so", () => {
    const { status, calls } = execute({ STUB_TIMEOUT: "1" });
    expect(calls).toContain("docker kill abc123");
    expect(status).toMatchObject({
      state: "failure",
      exitCode: 124,
      error: "the benchmark ran past 35 minutes and was stopped",
    });
  });
});

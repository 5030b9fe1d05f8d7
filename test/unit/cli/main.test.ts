import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { pathToFileURL } from "node:url";
import { newBatchRecord, saveRecord } from "../../../src/orchestrator/batch-record.js";
import { fileBatchStore } from "../../../src/orchestrator/batch-store.js";
import { planFor, quickRequest } from "../../helpers/plans.js";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commands, exec } from "../../../src/cli/main.js";
import { BenchError } from "../../../src/errors.js";
import { ExitCode, exitCodeOfError } from "../../../src/cli/errors.js";
import { memoryIo } from "../../../src/cli/io.js";

const root = join(import.meta.dirname, "..", "..", "..");
const designCommands = [
  "discover",
  "plan",
  "run",
  "preview",
  "up",
  "collect",
  "destroy",
  "status",
  "list",
  "cleanup",
  "bootstrap",
  "build",
  "sources",
  "pricing",
  "parse",
  "validate",
  "analyze",
  "rank",
  "compare",
  "report",
  "submit",
  "review",
];

describe("aws-bench CLI", () => {
  it("lists every command DESIGN.md names in --help", async () => {
    const io = memoryIo();
    expect(await exec(["--help"], io)).toBe(ExitCode.Success);
    for (const name of designCommands) expect(io.out()).toMatch(new RegExp(`aws-bench ${name}\\b`));
    expect(commands.map((c) => c.command.split(" ")[0]).sort()).toEqual([...designCommands].sort());
  });

  it("prints the package version", async () => {
    const io = memoryIo();
    expect(await exec(["--version"], io)).toBe(0);
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
    expect(io.out().trim()).toBe(pkg.version);
  });

  it("shows a command's options and examples with <command> --help", async () => {
    const io = memoryIo();
    expect(await exec(["discover", "--help"], io)).toBe(0);
    expect(io.out()).toContain("--input");
    expect(io.out()).toContain("--dry-run");
    expect(io.out()).toContain("Examples:");
  });

  it("treats a missing command, an unknown command and an unknown option as usage errors (exit 2)", async () => {
    for (const argv of [[], ["disocver"], ["discover", "--bogus"]]) {
      const io = memoryIo();
      expect(await exec(argv, io)).toBe(ExitCode.Usage);
      expect(io.err()).toMatch(/^error \[UsageError\]: /);
      expect(io.err()).toContain("fix: Run 'aws-bench --help'");
      expect(io.out()).toBe("");
    }
    const io = memoryIo();
    await exec(["disocver"], io);
    expect(io.err()).toContain("Did you mean discover?");
  });

  it("has every command DESIGN.md names built: none answers NotYetAvailable", () => {
    const registered = commands.map((command) => command.command.split(" ")[0]);
    expect(designCommands.filter((name) => !registered.includes(name))).toEqual([]);
    expect(commands.filter((command) => command.describe.includes("not yet available"))).toEqual([]);
  });

  it("runs the seed's command-less form as `run` when invoked as aws-benchmark-collector", async () => {
    const io = memoryIo();
    const code = await exec(["--instance-types", "m7i.large", "--benchmarks", "stream"], io, {
      scriptName: "aws-benchmark-collector",
    });
    // It reaches the batch lifecycle, which asks for the results bucket before anything else.
    expect(code).toBe(ExitCode.Usage);
    expect(io.err()).toContain("error [UsageError]: A batch needs --results-bucket");
    const help = memoryIo();
    expect(await exec(["--help"], help, { scriptName: "aws-benchmark-collector" })).toBe(0);
    expect(help.out()).toContain("aws-benchmark-collector discover");
  });

  it("hides stack traces unless --debug", async () => {
    const quiet = memoryIo();
    await exec(["submit", "/nonexistent/run"], quiet);
    expect(quiet.err()).toContain("error [InputUnreadable]");
    expect(quiet.err()).not.toMatch(/\bat .*\.ts:\d+/);
    const loud = memoryIo();
    await exec(["submit", "/nonexistent/run", "--debug"], loud);
    expect(loud.err()).toMatch(/BenchError: Cannot read \/nonexistent\/run[\s\S]*\n\s+at /);
  });

  it("maps BenchError codes to exit codes", () => {
    expect(exitCodeOfError(new BenchError("UsageError", "x"))).toBe(2);
    expect(exitCodeOfError(new BenchError("Interrupted", "x"))).toBe(130);
    expect(exitCodeOfError(new BenchError("Throttled", "x"))).toBe(1);
  });
});

describe("the built executable", () => {
  const bin = join(root, "dist", "src", "cli", "bin.js");

  it("runs --help without loading the AWS SDK, Pulumi or ajv", () => {
    const hook = join(root, "test", "helpers", "record-imports.mjs");
    const result = spawnSync(process.execPath, ["--import", hook, bin, "--help"], {
      encoding: "utf8",
      env: { ...process.env, RECORD_IMPORTS: "1" },
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("aws-bench discover");
    const loaded = result.stderr.split("\n").filter((line) => line.startsWith("import: "));
    expect(loaded.length).toBeGreaterThan(5); // the hook did record
    expect(loaded.filter((line) => /@aws-sdk|@smithy|@pulumi|\/ajv/.test(line))).toEqual([]);
  });

  it("reads batches without loading the Pulumi providers: list, status, collect, destroy and cleanup", async () => {
    const hook = join(root, "test", "helpers", "record-imports.mjs");
    const home = mkdtempSync(join(tmpdir(), "aws-bench-imports-"));
    try {
      // A real record on the default backend, so status and collect get as far as the batch's AWS dependencies
      // (no Pulumi CLI, and AWS points at a closed port).
      const state = join(home, ".aws-bench", "state");
      const store = fileBatchStore(state, pathToFileURL(state).href);
      const request = quickRequest({ resultsBucket: "team-results" });
      const record = await newBatchRecord(
        request,
        planFor(request),
        { skipped: {} },
        {
          batchId: "20261128t120000z-ab12cd",
          backend: store.url,
          createdBy: "t",
          now: new Date(),
        },
      );
      await saveRecord(store, record);
      const env: NodeJS.ProcessEnv = {
        ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(PULUMI_|AWS_)/.test(key))),
        HOME: home,
        CI: "",
        PATH: join(home, "no-bin"),
        AWS_ENDPOINT_URL: "http://127.0.0.1:9",
        AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
        AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        AWS_EC2_METADATA_DISABLED: "true",
      };
      const batch = ["--batch", record.batchId, "--yes"];
      const missing = ["--batch", "20261128t120000z-ffffff", "--yes"];
      for (const args of [
        ["list"],
        ["status", ...batch],
        ["collect", ...batch],
        ["destroy", ...missing],
        ["cleanup"],
      ]) {
        // Bounded: a command that waits on AWS forever fails here instead of hanging the suite.
        const result = spawnSync(process.execPath, ["--import", hook, bin, ...args], {
          encoding: "utf8",
          env,
          timeout: 60_000,
        });
        const seen = `${args.join(" ")} (exit ${String(result.status)}, ${String(result.error ?? "")}): ${result.stderr
          .split("\n")
          .filter((line) => !line.startsWith("import: "))
          .join("\n")
          .slice(-1500)}`;
        expect(result.signal, seen).toBeNull();
        const loaded = result.stderr.split("\n").filter((line) => line.startsWith("import: "));
        // The command ran its handler (it got as far as the backend), and loaded no provider on the way.
        expect(
          loaded.some((line) => line.includes("/orchestrator/")),
          seen,
        ).toBe(true);
        // status and collect read the record and went on without Pulumi: status to EC2 (a closed port here),
        // collect to the record's news that the batch was never launched.
        if (args[0] === "status")
          expect(result.stderr).toMatch(/error \[EndpointUnreachable\]: .*ec2:DescribeInstances/);
        if (args[0] === "collect") expect(result.stdout + result.stderr).toMatch(/not launched/);
        expect(result.stderr).not.toMatch(/error \[PulumiCliMissing\]/);
        expect(
          loaded.filter((line) => /@pulumi\/(aws|awsx|docker)\b|stacks\/benchmark-batch|stacks\/index/.test(line)),
        ).toEqual([]);
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
    // Five processes, each loading the CLI and the SDK; status retries a closed port with backoff.
  }, 120_000);

  it("says the AWS SDK's Node.js notice in one line, not its nine", () => {
    const result = spawnSync(process.execPath, [bin, "discover", "--region", "us-east-1", "--dry-run"], {
      encoding: "utf8",
      env: {
        ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("AWS_"))),
        AWS_ENDPOINT_URL: "http://127.0.0.1:9",
        AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
        AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_CONFIG_FILE: "/nonexistent",
      },
    });
    expect(result.stderr).toMatch(/error \[EndpointUnreachable\]/);
    expect(result.stderr).not.toMatch(/To continue receiving updates/);
    if (Number(process.versions.node.split(".")[0]) < 22)
      expect(result.stderr.match(/need Node\.js 22 or later/g)).toHaveLength(1);
  }, 60_000);

  it("sets the process exit code", () => {
    const result = spawnSync(process.execPath, [bin, "submit", "/nonexistent/run", "--public-identity"], {
      encoding: "utf8",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("InputUnreadable");
    expect(execFileSync(process.execPath, [bin, "--version"], { encoding: "utf8" }).trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

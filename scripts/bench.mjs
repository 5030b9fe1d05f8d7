#!/usr/bin/env node
// `npm run bench`: speed and memory figures of the CLI, measured on this machine (never as timed tests).
//   1. start-up: median wall time of `aws-bench --help` next to `node -e 0` (goal: under 0.25 s more);
//   1b. batch commands: `aws-bench list` on an empty file backend and `aws-bench status --help`, each next to
//      `node -e 0` (goal: under 0.5 s more; they must not load the Pulumi providers or the Automation API);
//   2. discovery: `discover --input <1,373-type dump> --dry-run` wall time and peak RSS (goal: < 1 s, < 250 MB).
//   3. runner overhead: a `run --target local --quick` of STREAM built from a stand-in source (test fixture),
//      wall time outside the benchmark processes (total minus the trials' own durations; the build is shown apart).
// Options: --runs N (default 21), --dump FILE (default ../shared/fixtures/ec2/describe-instance-types.all.json).
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "dist", "src", "cli", "bin.js");
const rssHook = join(root, "scripts", "bench-rss.mjs");
const argument = (name, fallback) => {
  const index = process.argv.indexOf(name);
  return index > 0 ? process.argv[index + 1] : fallback;
};
const runs = Number(argument("--runs", "21"));
const dump = resolve(
  argument("--dump", join(root, "..", "shared", "fixtures", "ec2", "describe-instance-types.all.json")),
);

if (!existsSync(bin)) {
  console.error("bench: dist/ is missing; run `npm run build` first (npm run bench does).");
  process.exit(1);
}

function timeOnce(args, options = {}) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { encoding: "utf8", ...options });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(`bench: node ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  const rss = /bench-maxrss-kib: (\d+)/.exec(result.stderr ?? "");
  return { seconds, rssKiB: rss ? Number(rss[1]) : undefined };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const ms = (seconds) => `${(seconds * 1000).toFixed(1)} ms`;

// Interleave the two commands so drift in machine load hits both alike; one warm-up run each.
timeOnce(["-e", "0"]);
timeOnce([bin, "--help"]);
const bare = [];
const help = [];
for (let i = 0; i < runs; i++) {
  bare.push(timeOnce(["-e", "0"]).seconds);
  help.push(timeOnce([bin, "--help"]).seconds);
}
const overhead = median(help) - median(bare);
console.log(`start-up (median of ${runs}):`);
console.log(`  node -e 0            ${ms(median(bare))}`);
console.log(`  aws-bench --help     ${ms(median(help))}`);
console.log(`  overhead             ${ms(overhead)}  (goal < 250 ms: ${overhead < 0.25 ? "met" : "NOT met"})`);

// 1b. Batch commands that only read: they must start without the Pulumi providers or the Automation API.
{
  const home = mkdtempSync(join(tmpdir(), "aws-bench-bench-home-"));
  try {
    const env = { ...process.env, HOME: home, PULUMI_BACKEND_URL: "", AWS_BENCH_BACKEND: "" };
    const list = [bin, "list", "--backend", `file://${join(home, "state")}`];
    const statusHelp = [bin, "status", "--help"];
    timeOnce(list, { env });
    timeOnce(statusHelp, { env });
    const samples = { bare: [], list: [], statusHelp: [], listRss: [] };
    for (let i = 0; i < runs; i++) {
      samples.bare.push(timeOnce(["-e", "0"]).seconds);
      const listed = timeOnce(["--import", rssHook, ...list], { env });
      samples.list.push(listed.seconds);
      samples.listRss.push(listed.rssKiB ?? 0);
      samples.statusHelp.push(timeOnce(statusHelp, { env }).seconds);
    }
    const bare = median(samples.bare);
    console.log(`batch commands (median of ${runs}, next to node -e 0 at ${ms(bare)}):`);
    for (const [label, values] of [
      ["list (empty file backend)", samples.list],
      ["status --help", samples.statusHelp],
    ]) {
      const over = median(values) - bare;
      console.log(
        `  ${label.padEnd(27)} ${ms(median(values))}, +${ms(over)}  (goal < 500 ms more: ${over < 0.5 ? "met" : "NOT met"})`,
      );
    }
    console.log(`  list peak RSS               ${(Math.max(...samples.listRss) / 1024).toFixed(1)} MiB`);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

if (!existsSync(dump)) {
  console.log(`discovery: skipped, ${dump} is absent (pass --dump FILE with a saved DescribeInstanceTypes dump)`);
} else {
  const work = mkdtempSync(join(tmpdir(), "aws-bench-bench-"));
  try {
    const discoverRuns = Math.max(5, Math.ceil(runs / 4));
    const samples = [];
    for (let i = 0; i < discoverRuns; i++) {
      samples.push(timeOnce(["--import", rssHook, bin, "discover", "--input", dump, "--dry-run"], { cwd: work }));
    }
    const wall = median(samples.map((s) => s.seconds));
    const peakMiB = Math.max(...samples.map((s) => s.rssKiB ?? 0)) / 1024;
    console.log(`discovery over ${dump} (median of ${discoverRuns}):`);
    console.log(`  wall time            ${ms(wall)}  (goal < 1000 ms: ${wall < 1 ? "met" : "NOT met"})`);
    console.log(
      `  peak RSS             ${peakMiB.toFixed(1)} MiB  (goal < 250 MB: ${peakMiB * 1.048576 < 250 ? "met" : "NOT met"})`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// 3. The runner's own overhead on a --quick run (STREAM from the stand-in source, so the benchmark itself is short).
{
  const work = mkdtempSync(join(tmpdir(), "aws-bench-bench-run-"));
  try {
    copyFileSync(join(root, "test", "fixtures", "generators", "fake-stream.c"), join(work, "stream.c"));
    const started = process.hrtime.bigint();
    const result = spawnSync(
      process.execPath,
      [
        bin,
        "run",
        "--target",
        "local",
        "--quick",
        "--benchmarks",
        "stream",
        "--source",
        "stream=stream.c",
        "--out",
        "out",
        "--no-imds",
      ],
      { cwd: work, encoding: "utf8" },
    );
    const wall = Number(process.hrtime.bigint() - started) / 1e9;
    if (result.status !== 0) throw new Error(`bench: runner exited ${result.status}: ${result.stderr}`);
    const document = JSON.parse(readFileSync(join(work, "out", "result.json"), "utf8"));
    const trials = document.benchmarks.flatMap((b) => b.configurations.flatMap((c) => c.trials));
    const inTrials = trials.reduce((sum, trial) => sum + (trial.durationSeconds ?? 0), 0);
    console.log(`runner overhead (run --target local --quick, STREAM stand-in, ${trials.length} trials):`);
    console.log(`  wall time            ${ms(wall)}`);
    console.log(`  inside benchmarks    ${ms(inTrials)}`);
    console.log(
      `  runner overhead      ${ms(wall - inTrials)}  (start-up, host probe, build, parsing, statistics, writing)`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

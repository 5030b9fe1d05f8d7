#!/usr/bin/env node
// `npm run bench`: speed and memory figures of the CLI, measured on this machine (never as timed tests).
//   1. start-up: median wall time of `aws-bench --help` next to `node -e 0` (goal: under 0.25 s more);
//   1b. batch commands: `aws-bench list` on an empty file backend and `aws-bench status --help`, each next to
//      `node -e 0` (goal: under 0.5 s more; they must not load the Pulumi providers or the Automation API);
//   2. discovery: `discover --input <1,373-type dump> --dry-run` wall time and peak RSS (goal: < 1 s, < 250 MB).
//   3. runner overhead: a `run --target local --quick` of STREAM built from a stand-in source (test fixture),
//      wall time outside the benchmark processes (total minus the trials' own durations; the build is shown apart).
//   4. the database: `analyze` over --documents result documents (default 10,000: one real run of the runner, copied
//      with distinct run ids, types and Triad values, raw file and SHA256SUMS rewritten to match), wall time and peak
//      RSS (goal: ≤ 5 s, ≤ 500 MB); then `rank` and `compare` (50 instances each: the bootstrap) over its output,
//      wall time including Node's start-up (goal: ≤ 0.5 s each).
//   5. the report: `report` over a database of 500 types × 10 instances × 3 benchmarks (goal ≤ 20 s, ≤ 1 GB; the
//      index ≤ 2 MB). Interactivity in the browser is measured by test/browser/report-site.test.ts's corpus only.
// Options: --runs N (default 21), --dump FILE (default ../shared/fixtures/ec2/describe-instance-types.all.json),
//          --documents N (default 10000), --section LIST (only these sections, e.g. `--section 4` or `--section 1,1b`),
//          --keep DIR (section 4's corpus and database are left in DIR/raw and DIR/db).
import { Buffer } from "node:buffer";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
const documents = Number(argument("--documents", "10000"));
const sections = argument("--section", "1,1b,2,3,4,5").split(",");
const wanted = (section) => sections.includes(section);
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
if (wanted("1")) {
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
}

// 1b. Batch commands that only read: they must start without the Pulumi providers or the Automation API.
if (wanted("1b")) {
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

if (!wanted("2")) {
  // not asked for
} else if (!existsSync(dump)) {
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
if (wanted("3")) {
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

// 4. analyze over many result documents, then rank and compare over what it wrote.
if (wanted("4")) {
  const work = mkdtempSync(join(tmpdir(), "aws-bench-bench-analyze-"));
  try {
    const seed = seedRun(work);
    const raw = join(work, "raw");
    const started = process.hrtime.bigint();
    const types = copyRuns(seed, raw, documents);
    const made = Number(process.hrtime.bigint() - started) / 1e9;
    const out = join(work, "db");
    const analyzeArgs = ["--import", rssHook, bin, "analyze", "--input", raw, "--out", out, "--as-of", "2026-12-01"];
    const samples = [];
    // One untimed release first, so every timed run does the same work: a release after a previous one (whose
    // runs.csv the changelog compares against), as every release but the first is.
    timeOnce(analyzeArgs, { cwd: work });
    for (let i = 0; i < 3; i++) samples.push(timeOnce(analyzeArgs, { cwd: work }));
    const wall = median(samples.map((sample) => sample.seconds));
    const peakMiB = Math.max(...samples.map((sample) => sample.rssKiB ?? 0)) / 1024;
    const database = JSON.parse(readFileSync(join(out, "processed", "latest.json"), "utf8"));
    const counted = Object.values(database.types).reduce((sum, facts) => sum + facts.runs, 0);
    if (counted !== documents)
      throw new Error(`bench: analyze counted ${counted} runs of ${documents}: ${JSON.stringify(database.skipped[0])}`);
    console.log(
      `analyze over ${documents} result documents of ${types.length} types (copies of one real run, made in ${made.toFixed(1)} s; median of 3):`,
    );
    console.log(`  wall time            ${ms(wall)}  (goal ≤ 5000 ms: ${wall <= 5 ? "met" : "NOT met"})`);
    console.log(
      `  peak RSS             ${peakMiB.toFixed(1)} MiB  (goal ≤ 500 MB: ${peakMiB * 1.048576 <= 500 ? "met" : "NOT met"})`,
    );
    const [a, b] = types;
    const commands = [
      ["rank --metric stream.triad", [bin, "rank", "--metric", "stream.triad", "--data", out, "--json"]],
      [`compare ${a} ${b}`, [bin, "compare", a, b, "--metric", "stream.triad", "--data", out, "--json"]],
    ];
    for (const [, args] of commands) timeOnce(args, { cwd: work });
    const quick = Math.max(5, Math.ceil(runs / 2));
    console.log(`rank and compare over that database (wall time with Node's start-up, median of ${quick}):`);
    for (const [label, args] of commands) {
      const times = [];
      for (let i = 0; i < quick; i++) times.push(timeOnce(args, { cwd: work }).seconds);
      const time = median(times);
      console.log(`  ${label.padEnd(36)} ${ms(time)}  (goal ≤ 500 ms: ${time <= 0.5 ? "met" : "NOT met"})`);
    }
  } finally {
    // --keep DIR leaves the corpus (DIR/raw) and the analyzed database (DIR/db) there, for profiling.
    const keep = argument("--keep", "");
    if (keep) {
      // Never over something that is there: the folder must be new (cpSync also crosses file systems).
      if (existsSync(keep)) console.error(`bench: --keep ${keep} already exists; the corpus was not kept`);
      else cpSync(work, keep, { recursive: true });
    }
    rmSync(work, { recursive: true, force: true });
  }
}

// 5. the report: `report` over a database of 500 types × 10 instances × 3 benchmarks, made by src/analysis's own
// buildDatabase and buildApi from synthetic per-instance values (the analysis is timed above; here only the site),
// wall time and peak RSS (goal ≤ 20 s, ≤ 1 GB), and the size of the index page (goal ≤ 2 MB).
if (wanted("5")) {
  const work = mkdtempSync(join(tmpdir(), "aws-bench-bench-report-"));
  try {
    const { buildDatabase } = await import(join(root, "dist", "src", "analysis", "database.js"));
    const { buildApi } = await import(join(root, "dist", "src", "analysis", "api.js"));
    const { writeAnalysis } = await import(join(root, "dist", "src", "analysis", "analyze.js"));
    const prices = JSON.parse(readFileSync(join(root, "data", "pricing", "us-east-1.json"), "utf8"));
    const catalog = JSON.parse(readFileSync(join(root, "data", "catalog", "instance-types.json"), "utf8"));
    const types = catalog.instanceTypes
      .map((entry) => entry.name)
      .filter((name) => name in prices.onDemandUsdPerHour)
      .sort()
      .slice(0, 500);
    const benchmarks = [
      ["stream", "triad", "MB/s", 20000],
      ["hpl", "gflops", "GFLOPS", 300],
      ["coremark", "iterationsPerSecond", "iterations/s", 200000],
    ];
    const runs = [];
    types.forEach((type, t) => {
      for (let i = 0; i < 10; i++) {
        const jitter = 1 + 0.03 * Math.sin((t * 10 + i) * 12.9898);
        runs.push({
          path: `${type}/bench-${i}`,
          resultSha256: "0".repeat(64),
          evidence: "maintainer",
          result: {
            schemaVersion: 1,
            runId: `${type}-${i}`,
            startedAt: `2026-11-01T00:${String(i).padStart(2, "0")}:00Z`,
            finishedAt: `2026-11-01T00:${String(i).padStart(2, "0")}:30Z`,
            runner: { version: "0.0.0" },
            host: {
              architecture: "x86_64",
              cpuModel: "Intel(R) Xeon(R) Platinum 8488C",
              logicalCpus: 2,
              memoryMiB: 8192,
              kernel: "6.1.0",
              instanceType: type,
              region: "us-east-1",
              availabilityZoneId: `use1-az${1 + (i % 4)}`,
            },
            container: { imageDigest: `sha256:${"a".repeat(64)}` },
            rawFiles: [],
            benchmarks: benchmarks.map(([benchmark, metric, unit, level]) => {
              const value = Math.round(level * (1 + t / 100) * jitter * 10) / 10;
              return {
                benchmark,
                implementation: benchmark,
                parameters: {},
                configurations: [
                  {
                    id: "main",
                    description: "main",
                    statistics: {},
                    trials: [{ index: 0, valid: true, metrics: { [metric]: { value, unit, printed: String(value) } } }],
                  },
                ],
                headline: { configuration: "main", metric },
                validity: { valid: true, validTrials: 1, trials: 1 },
              };
            }),
          },
        });
      }
    });
    const { database, files } = buildDatabase({ corpus: { runs, skipped: [] }, asOf: "2026-12-01", catalog, prices });
    for (const [path, content] of buildApi(database)) files.set(`api/v1/${path}`, content);
    const data = join(work, "db");
    writeAnalysis(data, files);
    const site = join(work, "site");
    const { seconds, rssKiB } = timeOnce(["--import", rssHook, bin, "report", "--data", data, "--out", site], {
      cwd: work,
    });
    const indexBytes = readFileSync(join(site, "index.html")).length;
    console.log(`report over ${types.length} types × 10 instances × ${benchmarks.length} benchmarks:`);
    console.log(`  wall time            ${ms(seconds)}  (goal ≤ 20000 ms: ${seconds <= 20 ? "met" : "NOT met"})`);
    const mib = (rssKiB ?? 0) / 1024;
    console.log(
      `  peak RSS             ${mib.toFixed(1)} MiB  (goal ≤ 1 GB: ${mib * 1.048576 <= 1000 ? "met" : "NOT met"})`,
    );
    console.log(
      `  index.html           ${(indexBytes / 1e6).toFixed(2)} MB  (goal ≤ 2 MB: ${indexBytes <= 2e6 ? "met" : "NOT met"})`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** One real run of the runner: STREAM from a stand-in program, one trial, inside a (pretended) benchmark image. */
function seedRun(work) {
  const program = join(work, "stream");
  const output = readFileSync(join(root, "test", "fixtures", "outputs", "shared", "stream-omp-10M-ntimes10-t2.txt"));
  writeFileSync(join(work, "stream.txt"), output);
  writeFileSync(program, `#!/bin/sh\ncat '${join(work, "stream.txt")}'\n`, { mode: 0o755 });
  const dir = join(work, "seed");
  const args = [
    "run",
    "--target",
    "local",
    "--benchmarks",
    "stream",
    "--program",
    `stream=${program}`,
    "--trials",
    "1",
  ];
  const result = spawnSync(
    process.execPath,
    [bin, ...args, "--out", dir, "--no-imds", "--image-root", join(work, "no-image")],
    {
      cwd: work,
      encoding: "utf8",
      env: { ...process.env, BENCHMARK_IMAGE_DIGEST: `sha256:${"b".repeat(64)}`, BENCHMARK_CONTAINER_TAG: "x86-64-v3" },
    },
  );
  if (result.status !== 0) throw new Error(`bench: the seed run exited ${result.status}: ${result.stderr}`);
  const document = JSON.parse(readFileSync(join(dir, "result.json"), "utf8"));
  const files = new Map(document.rawFiles.map((file) => [file.path, readFileSync(join(dir, file.path))]));
  return { document, files };
}

/**
 * `count` copies of the seed run under `target`, laid out as collect lays them out (<type>/<batch>-<repeat>/), over
 * priced catalogue types with 50 instances each: each copy its own run id, instance type, zone and Triad (the
 * headline trial's output rewritten, so its checksum, result.json and SHA256SUMS change with it). Returns the types.
 */
function copyRuns(seed, target, count) {
  const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");
  const prices = JSON.parse(readFileSync(join(root, "data", "pricing", "us-east-1.json"), "utf8")).onDemandUsdPerHour;
  const catalog = JSON.parse(readFileSync(join(root, "data", "catalog", "instance-types.json"), "utf8"));
  const perType = 50;
  const types = catalog.instanceTypes
    .map((entry) => entry.name)
    .filter((name) => name in prices)
    .sort()
    .slice(0, Math.ceil(count / perType));
  if (types.length * perType < count) throw new Error(`bench: only ${types.length} priced types for ${count} runs`);
  const section = seed.document.benchmarks.find((s) => s.benchmark === "stream");
  const headline = section.configurations.find((c) => c.id === section.headline.configuration);
  const trialPath = headline.trials[0].rawFile;
  const trialText = seed.files.get(trialPath).toString("utf8");
  for (let i = 0; i < count; i++) {
    const type = types[Math.floor(i / perType)];
    const repeat = (i % perType) + 1;
    // A type's level, and each instance within ±2 % of it.
    const level = 5000 + 250 * Math.floor(i / perType);
    const triad = Math.round(level * (1 + 0.02 * Math.sin(i * 12.9898)) * 10) / 10;
    const trial = Buffer.from(trialText.replace(/^Triad:\s+\S+/m, `Triad:          ${triad.toFixed(1)}`));
    const document = JSON.parse(JSON.stringify(seed.document));
    document.runId = `bench-${String(i).padStart(6, "0")}`;
    Object.assign(document.host, {
      instanceType: type,
      region: "us-east-1",
      availabilityZoneId: `use1-az${1 + (i % 4)}`,
    });
    const copy = document.benchmarks.find((s) => s.benchmark === "stream");
    const copied = copy.configurations.find((c) => c.id === copy.headline.configuration);
    copied.trials[0].metrics.triad = { value: triad, unit: "MB/s", printed: triad.toFixed(1) };
    for (const statistics of [copied.statistics.triad, copy.headline.statistics])
      if (statistics) Object.assign(statistics, { median: triad, mean: triad, min: triad, max: triad });
    const rawFiles = document.rawFiles.map((file) =>
      file.path === trialPath ? { path: file.path, sha256: sha256(trial), bytes: trial.length } : file,
    );
    document.rawFiles = rawFiles;
    const dir = join(target, type, `bench-${repeat}`);
    for (const file of rawFiles) {
      mkdirSync(dirname(join(dir, file.path)), { recursive: true });
      writeFileSync(join(dir, file.path), file.path === trialPath ? trial : seed.files.get(file.path));
    }
    const json = `${JSON.stringify(document, null, 2)}\n`;
    writeFileSync(join(dir, "result.json"), json);
    const sums = [...rawFiles, { path: "result.json", sha256: sha256(json) }].map((f) => `${f.sha256}  ${f.path}`);
    writeFileSync(join(dir, "SHA256SUMS"), `${sums.join("\n")}\n`);
  }
  return types;
}

#!/usr/bin/env node
// `npm run compare:hand-tuned`: the runner's numbers next to the best hand-tuned runs of the same programs on
// this machine, measured side by side (the local runner's acceptance check).
//   HPL: the runner's HPL (run --target local --benchmarks hpl, one trial) at its N, then Debian's hpcc at the same
//        N over NB ∈ {128, 192, 256, 384} × every P×Q of the cores × BCAST {1ringM, 2ringM}, and one rank with
//        one OpenBLAS thread per core; target ≥ 90 %. And against the machine's DGEMM rate (scripts/dgemm-rate.c,
//        OpenBLAS on all cores, at the runner's N up to 8000); target ≥ 80 %.
//   STREAM (with --stream-source PATH/TO/stream.c): the runner's build and placement, then hand builds of the same
//        stream.c (-O2/-O3, -march=native, OpenMP) under OMP_PROC_BIND spread/close at the runner's array size;
//        target ≥ 95 % of the best Triad.
//   Bandwidth without stream.c (always): the runner's own kernel (aws-bench-membw, what `run --benchmarks stream`
//        uses when no STREAM source can be had) against a plain OpenMP triad loop built here with the same flags,
//        size and placement; ROUNDS interleaved runs of each (--rounds, default 11, order alternating), medians of
//        Triad; target ≥ 95 %. `--bandwidth-only` skips HPL.
// Needs the build (npm run build), hpcc, mpirun and OpenBLAS. Takes a few minutes.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "dist", "src", "cli", "bin.js");
const { mpirunArgs } = await import(join(root, "dist", "src", "benchmarks", "launch.js"));
const { hpccInput } = await import(join(root, "dist", "src", "benchmarks", "hpcc", "launch.js"));
const { parseHpccOutput } = await import(join(root, "dist", "src", "benchmarks", "hpcc", "parse.js"));
const { parseStreamOutput } = await import(join(root, "dist", "src", "benchmarks", "stream", "parse.js"));
const { parseMembwOutput } = await import(join(root, "dist", "src", "benchmarks", "membw", "parse.js"));
const { probeHost } = await import(join(root, "dist", "src", "runner", "host-probe.js"));
const argument = (name) => {
  const index = process.argv.indexOf(name);
  return index > 0 ? process.argv[index + 1] : undefined;
};
const streamSource = argument("--stream-source");
const work = mkdtempSync(join(tmpdir(), "aws-bench-compare-"));
const asRoot = process.getuid?.() === 0;
const { host } = await probeHost({ imds: false });

function runner(benchmarks, extra = []) {
  const out = join(work, `runner-${benchmarks}`);
  const result = spawnSync(
    process.execPath,
    [bin, "run", "--target", "local", "--benchmarks", benchmarks, "--trials", "1", "--out", out, "--no-imds", ...extra],
    { encoding: "utf8" },
  );
  if (result.status !== 0 && result.status !== 3) throw new Error(`runner failed (${result.status}): ${result.stderr}`);
  return JSON.parse(readFileSync(join(out, "result.json"), "utf8"));
}

function hpccBest(label, n, ranks, grids, threads) {
  const dir = join(work, label);
  execFileSync("mkdir", ["-p", dir]);
  const input = hpccInput({ n, nb: 128, p: grids[0].p, q: grids[0].q })
    .replace(/^1 +# of NBs\n128 +NBs$/m, "4            # of NBs\n128 192 256 384 NBs")
    .replace(
      /^1 +# of process grids \(P x Q\)\n\d+ +Ps\n\d+ +Qs$/m,
      `${grids.length}            # of process grids (P x Q)\n${grids.map((g) => g.p).join(" ")}   Ps\n${grids.map((g) => g.q).join(" ")}   Qs`,
    )
    .replace(/^1 +# of broadcast\n1 +BCASTs/m, "2            # of broadcast\n1 3          BCASTs");
  writeFileSync(join(dir, "hpccinf.txt"), input);
  execFileSync(
    "mpirun",
    [
      ...mpirunArgs(ranks, asRoot).filter((a) => threads === 1 || !["--bind-to", "core", "--map-by"].includes(a)),
      ...(threads > 1 ? ["--bind-to", "none"] : []),
      "hpcc",
    ],
    {
      cwd: dir,
      stdio: "ignore",
      env: { ...process.env, OPENBLAS_NUM_THREADS: String(threads), OMP_NUM_THREADS: String(threads) },
    },
  );
  const runs = parseHpccOutput(readFileSync(join(dir, "hpccoutf.txt"), "utf8"), { label }).runs.filter(
    (run) => run.section === "HPL" && run.valid,
  );
  return runs.reduce(
    (best, run) => ((run.metrics.gflops?.value ?? 0) > (best?.metrics.gflops?.value ?? 0) ? run : best),
    undefined,
  );
}

function factorizations(count) {
  const grids = [];
  for (let p = 1; p <= count; p++) if (count % p === 0) grids.push({ p, q: count / p });
  return grids;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

// A plain triad loop, nothing else: heap arrays initialised in parallel, NTIMES passes, best time.
const plainTriad = `#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  long n = atol(argv[1]), ntimes = atol(argv[2]);
  double *a = malloc(n * sizeof(double)), *b = malloc(n * sizeof(double)), *c = malloc(n * sizeof(double));
#pragma omp parallel for
  for (long j = 0; j < n; j++) { a[j] = 0.0; b[j] = 1.0; c[j] = 2.0; }
  double best = 1e30;
  for (long k = 0; k < ntimes; k++) {
    double t = omp_get_wtime();
#pragma omp parallel for
    for (long j = 0; j < n; j++) a[j] = b[j] + 3.0 * c[j];
    t = omp_get_wtime() - t;
    if (k > 0 && t < best) best = t;
  }
  printf("triad-MB/s %.1f check %.1f\\n", 3.0 * sizeof(double) * n / best / 1e6, a[n / 2]);
  return a[n / 2] == 7.0 ? 0 : 1;
}
`;

/** The runner's bandwidth headline from its own kernel against a plain triad loop, interleaved. */
function compareBandwidthKernel(rounds) {
  const result = runner("stream");
  const section = result.benchmarks.find((b) => b.benchmark === "membw");
  if (!section) {
    console.log(
      `Bandwidth kernel: not used (the stream request resolved to ${result.benchmarks.map((b) => b.implementation).join(", ") || "nothing"})`,
    );
    return;
  }
  const { arraySize, ntimes } = section.parameters;
  const headline = section.configurations.find((c) => c.id === section.headline.configuration);
  const env = {
    ...process.env,
    OMP_NUM_THREADS: String(headline.placement.OMP_NUM_THREADS),
    OMP_PROC_BIND: String(headline.placement.OMP_PROC_BIND),
    OMP_PLACES: String(headline.placement.OMP_PLACES),
  };
  const kernel = join(work, "runner-stream", "build", "aws-bench-membw");
  const plainSource = join(work, "plain-triad.c");
  writeFileSync(plainSource, plainTriad);
  const plain = join(work, "plain-triad");
  execFileSync("cc", [
    "-O3",
    host.architecture === "arm64" ? "-mcpu=native" : "-march=native",
    "-fopenmp",
    plainSource,
    "-o",
    plain,
  ]);
  const ours = [];
  const theirs = [];
  const runOurs = () => {
    const text = execFileSync(kernel, [String(arraySize), String(ntimes)], { encoding: "utf8", env });
    const [run] = parseMembwOutput(text, "kernel");
    if (!run.valid) throw new Error(`the kernel's run is invalid: ${run.invalidReason}`);
    ours.push(run.metrics.triad.value);
  };
  const runPlain = () => {
    const text = execFileSync(plain, [String(arraySize), String(ntimes)], { encoding: "utf8", env });
    theirs.push(Number(/^triad-MB\/s (\S+)/.exec(text)[1]));
  };
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      runOurs();
      runPlain();
    } else {
      runPlain();
      runOurs();
    }
  }
  const ratio = median(ours) / median(theirs);
  console.log(
    `Bandwidth kernel: the runner's headline ${section.headline.statistics?.median} MB/s (${section.implementation}, benchmark ${section.benchmark}, conforming: ${section.conforming}, ${arraySize} elements, NTIMES ${ntimes}, ${env.OMP_NUM_THREADS} threads ${env.OMP_PROC_BIND}/${env.OMP_PLACES})`,
  );
  console.log(
    `Bandwidth kernel: ${rounds} interleaved rounds, median Triad ${median(ours).toFixed(1)} MB/s vs plain OpenMP triad loop ${median(theirs).toFixed(1)} MB/s`,
  );
  console.log(
    `Bandwidth kernel: kernel / plain triad loop = ${ratio.toFixed(3)} (target ≥ 0.95: ${ratio >= 0.95 ? "met" : "NOT met"})`,
  );
}

try {
  compareBandwidthKernel(Number(argument("--rounds") ?? 11));
  if (!process.argv.includes("--bandwidth-only")) compareHplAndStream();
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** HPL against hand-tuned HPCC runs, and (with --stream-source) STREAM against hand builds of the same stream.c. */
function compareHplAndStream() {
  const hplResult = runner("hpl");
  const section = hplResult.benchmarks.find((b) => b.benchmark === "hpl");
  const n = Number(section.parameters.n);
  const ours = section.headline.statistics?.median ?? 0;
  console.log(
    `HPL: the runner sized N=${n}, NB=${section.parameters.nb}, ${section.parameters.p}×${section.parameters.q}: ${ours.toFixed(1)} GFLOPS (${section.implementation})`,
  );
  // The machine's DGEMM rate (all cores, OpenBLAS), the reference the target is stated against.
  const dgemm = join(work, "dgemm-rate");
  execFileSync("cc", ["-O2", join(root, "scripts", "dgemm-rate.c"), "-lopenblas", "-o", dgemm]);
  const dgemmLine = execFileSync(dgemm, [String(Math.min(Math.max(n, 1000), 8000)), "3"], {
    encoding: "utf8",
    env: { ...process.env, OPENBLAS_NUM_THREADS: String(host.cores), OMP_NUM_THREADS: String(host.cores) },
  });
  const dgemmRate = Number(/gflops=([\d.]+)/.exec(dgemmLine)?.[1] ?? NaN);
  console.log(`DGEMM: ${dgemmLine.trim()}`);
  console.log(
    `HPL: runner / DGEMM rate = ${((100 * ours) / dgemmRate).toFixed(1)} % (target ≥ 80 %: ${ours >= 0.8 * dgemmRate ? "met" : "NOT met"})`,
  );
  const ranksBest = hpccBest("hand-ranks", n, host.cores, factorizations(host.cores), 1);
  const threadsBest = hpccBest("hand-threads", n, 1, [{ p: 1, q: 1 }], host.cores);
  const best = [ranksBest, threadsBest]
    .filter(Boolean)
    .reduce((a, b) => ((b.metrics.gflops.value ?? 0) > (a.metrics.gflops.value ?? 0) ? b : a));
  const bestValue = best.metrics.gflops.value;
  const layout =
    best === threadsBest
      ? `1 rank × ${host.cores} OpenBLAS threads`
      : `${best.parameters.p}×${best.parameters.q} ranks`;
  console.log(
    `HPL: best hand-tuned at N=${n}: ${bestValue.toFixed(1)} GFLOPS (NB=${best.parameters.nb}, ${layout}, ${best.parameters.variant})`,
  );
  console.log(
    `HPL: runner / best hand-tuned = ${((100 * ours) / bestValue).toFixed(1)} % (target ≥ 90 %: ${ours >= 0.9 * bestValue ? "met" : "NOT met"})`,
  );

  if (streamSource) {
    const source = resolve(streamSource);
    const streamResult = runner("stream", ["--source", `stream=${source}`]);
    const stream = streamResult.benchmarks.find((b) => b.benchmark === "stream" && !b.supplementary);
    const size = Number(stream.parameters.arraySize);
    const oursTriad = stream.headline.statistics?.median ?? 0;
    let bestTriad = 0;
    let bestLabel = "";
    for (const opt of ["-O2", "-O3"]) {
      const exe = join(work, `stream${opt}`);
      execFileSync("cc", [
        opt,
        "-march=native",
        "-fopenmp",
        `-DSTREAM_ARRAY_SIZE=${size}`,
        "-DNTIMES=10",
        ...(stream.parameters.mcmodelMedium ? ["-mcmodel=medium"] : []),
        source,
        "-o",
        exe,
      ]);
      for (const bind of ["spread", "close"]) {
        for (const threads of [...new Set([host.cores, host.logicalCpus])]) {
          const text = execFileSync(exe, {
            encoding: "utf8",
            env: {
              ...process.env,
              OMP_NUM_THREADS: String(threads),
              OMP_PROC_BIND: bind,
              OMP_PLACES: threads > host.cores ? "threads" : "cores",
            },
          });
          const triad = parseStreamOutput(text, { label: "hand" })[0]?.metrics.triad?.value ?? 0;
          if (triad > bestTriad) [bestTriad, bestLabel] = [triad, `${opt}, ${threads} threads, ${bind}`];
        }
      }
    }
    console.log(
      `STREAM: the runner (${stream.implementation}, ${size} elements): ${oursTriad.toFixed(1)} MB/s; best hand-tuned: ${bestTriad.toFixed(1)} MB/s (${bestLabel})`,
    );
    console.log(
      `STREAM: runner / best hand-tuned = ${((100 * oursTriad) / bestTriad).toFixed(1)} % (target ≥ 95 %: ${oursTriad >= 0.95 * bestTriad ? "met" : "NOT met"})`,
    );
  } else {
    console.log("STREAM: skipped (pass --stream-source PATH/TO/stream.c; no copy of stream.c ships with this project)");
  }
}

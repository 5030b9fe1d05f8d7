#!/usr/bin/env node
// `npm run compare:hand-tuned`: the runner's numbers next to the best hand-tuned runs of the same programs on
// this machine, measured side by side (the local runner's acceptance check).
//   HPL: the runner's HPL (run --target local --benchmarks hpl, one trial) at its N, then Debian's hpcc at the same
//        N over NB ∈ {128, 192, 256, 384} × every P×Q of the cores × BCAST {1ringM, 2ringM}, and one rank with
//        one OpenBLAS thread per core; target ≥ 90 %.
//   STREAM (with --stream-source PATH/TO/stream.c): the runner's build and placement, then hand builds of the same
//        stream.c (-O2/-O3, -march=native, OpenMP) under OMP_PROC_BIND spread/close at the runner's array size;
//        target ≥ 95 % of the best Triad.
// Needs the build (npm run build), hpcc, mpirun and OpenBLAS. Takes a few minutes.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "dist", "src", "cli", "bin.js");
const { hpccInput, mpirunArgs } = await import(join(root, "dist", "src", "benchmarks", "launch.js"));
const { parseHpccOutput } = await import(join(root, "dist", "src", "benchmarks", "hpcc", "parse.js"));
const { parseStreamOutput } = await import(join(root, "dist", "src", "benchmarks", "stream", "parse.js"));
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

try {
  const hplResult = runner("hpl");
  const section = hplResult.benchmarks.find((b) => b.benchmark === "hpl");
  const n = Number(section.parameters.n);
  const ours = section.headline.statistics?.median ?? 0;
  console.log(
    `HPL: the runner sized N=${n}, NB=${section.parameters.nb}, ${section.parameters.p}×${section.parameters.q}: ${ours.toFixed(1)} GFLOPS (${section.implementation})`,
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
} finally {
  rmSync(work, { recursive: true, force: true });
}

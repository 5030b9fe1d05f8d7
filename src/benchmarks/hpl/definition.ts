/**
 * HPL (High-Performance Linpack): double-precision floating point, solving a dense linear system with one MPI
 * rank per core and one BLAS thread each, sized to a time budget (or to memory with `top500` sizing). A run
 * counts only when HPL's residual check passed. Building HPL from source is not yet done: a built `xhpl`, or
 * HPCC's HPL 2.0 where none is found.
 */
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BenchError } from "../../errors.js";
import type { BenchmarkContext, BenchmarkDefinition, OwnProgram, PreparedRun } from "../definition.js";
import { hpccSuite } from "../hpcc/suite.js";
import { mpirunArgs } from "../launch.js";
import { hplDat } from "./launch.js";
import { parseHplOutput } from "./parse.js";
import { hplParameters, sizeHplForRun } from "./sizing.js";

function prepareHpl(context: BenchmarkContext, program: OwnProgram): PreparedRun {
  const { mpirun, asRoot } = context.tools;
  if (!mpirun)
    throw new BenchError("BuildFailed", "HPL needs mpirun, which is not on PATH", {
      fix: "apt-get install openmpi-bin",
    });
  if (program.kind === "source")
    throw new BenchError("NotYetAvailable", "building HPL from source is not yet available", {
      fix: "Pass a built xhpl with --program hpl=PATH, or apt-get install hpcc.",
    });
  const blas = context.noteBlas(program.path);
  const sizing = sizeHplForRun(context.host, context.settings, 1, blas);
  const work = join(context.outDir, "work", "hpl");
  mkdirSync(work, { recursive: true });
  writeFileSync(join(context.outDir, "inputs", "HPL.dat"), hplDat(sizing));
  copyFileSync(join(context.outDir, "inputs", "HPL.dat"), join(work, "HPL.dat"));
  return {
    parameters: { program: program.how, ...hplParameters(sizing) },
    implementation: "hpl-unknown",
    configurations: [
      {
        launch: {
          id: "all-cores",
          description: `one MPI rank per core (${sizing.p}×${sizing.q}), one BLAS thread each`,
          env: { OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" },
          prefix: [],
          placement: { ranks: sizing.ranks, threadsPerRank: 1, bindTo: "core" },
          threads: sizing.ranks,
        },
        command: { path: mpirun, args: [...mpirunArgs(sizing.ranks, asRoot), program.path], cwd: work },
        timeoutSeconds: Math.ceil(sizing.predictedSeconds * 4 + 120),
      },
    ],
  };
}

/** HPL. */
export const hplBenchmark: BenchmarkDefinition = {
  name: "hpl",
  description: "double-precision floating point: a dense LU solve on all cores (one MPI rank per core)",
  program: {
    kind: "searched",
    executables: ["xhpl"],
    sourceMarker: "configure",
    fix: "apt-get install hpcc (HPL 2.0), or pass --program hpl=PATH/TO/xhpl",
    suites: [hpccSuite],
  },
  estimateTrialSeconds: (host, settings) => sizeHplForRun(host, settings).predictedSeconds,
  prepare: prepareHpl,
  parse: (text, label) => parseHplOutput(text, { label }),
  validity:
    "HPL's residual check: PASSED is valid; FAILED, or no check at all (a threshold that is not positive), is not",
  metrics: [
    { name: "gflops", units: ["GFLOPS"], description: "floating-point rate of the factorization and solve" },
    { name: "time", units: ["s"], description: "wall time of the factorization and solve" },
    { name: "scaledResidual", units: ["1"], description: "the residual HPL checks against its threshold" },
  ],
  headline: { configuration: "all-cores", metric: "gflops" },
};

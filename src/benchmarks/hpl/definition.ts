/**
 * HPL (High-Performance Linpack): double-precision floating point, solving a dense linear system with one MPI
 * rank per core and one BLAS thread each, sized to a time budget (or to memory with `top500` sizing). A run
 * counts only when HPL's residual check passed. The program: HPL 2.3 built once per host from its verified
 * source (build.ts), a built `xhpl`, or HPCC's HPL 2.0 where neither is found.
 */
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BenchError } from "../../errors.js";
import type { BenchmarkContext, BenchmarkDefinition, OwnProgram, PreparedRun } from "../definition.js";
import { hpccSuite } from "../hpcc/suite.js";
import { mpirunArgs } from "../launch.js";
import { buildHpl } from "./build.js";
import { hplDat } from "./launch.js";
import { parseHplOutput } from "./parse.js";
import { hplParameters, sizeHplForRun } from "./sizing.js";

async function prepareHpl(context: BenchmarkContext, program: OwnProgram): Promise<PreparedRun> {
  const { mpirun, asRoot } = context.tools;
  if (!mpirun)
    throw new BenchError("BuildFailed", "HPL needs mpirun, which is not on PATH", {
      fix: "apt-get install openmpi-bin",
    });
  const built = program.kind === "source" ? await buildHpl(context, program) : undefined;
  const xhpl = built?.xhpl ?? program.path;
  const blas = context.noteBlas(xhpl);
  const sizing = sizeHplForRun(context.host, context.settings, 1, blas);
  const work = join(context.outDir, "work", "hpl");
  mkdirSync(work, { recursive: true });
  writeFileSync(join(context.outDir, "inputs", "HPL.dat"), hplDat(sizing));
  copyFileSync(join(context.outDir, "inputs", "HPL.dat"), join(work, "HPL.dat"));
  return {
    parameters: { program: program.how, ...hplParameters(sizing) },
    implementation: "hpl-unknown",
    ...(built ? { build: built.build } : program.kind === "binary" && program.build ? { build: program.build } : {}),
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
        command: { path: mpirun, args: [...mpirunArgs(sizing.ranks, asRoot), xhpl], cwd: work },
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
    fix: "give HPL 2.3's source (--source-mirror DIR holding hpl-2.3.tar.gz, or --source hpl=ARCHIVE) with libopenmpi-dev and libopenblas-dev, or apt-get install hpcc (HPL 2.0), or pass --program hpl=PATH/TO/xhpl",
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

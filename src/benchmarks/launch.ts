/**
 * Command lines the runner launches: compiler invocations for the per-host builds, STREAM's placement
 * configurations, MPI launches, and the input files HPL and HPCC read. Pure functions: what runs is decided
 * here and tested without running anything.
 */
import type { HostProbe } from "./host.js";
import type { HplSizing } from "./hpl/sizing.js";
import type { StreamSizing } from "./stream/sizing.js";

/** One way of running a benchmark, reported as its own configuration. */
export interface LaunchConfiguration {
  /** Stable id, e.g. `all-cores-spread`. */
  id: string;
  /** What it is. */
  description: string;
  /** Environment for the process. */
  env: Record<string, string>;
  /** Command prefix (e.g. numactl binding) before the program. */
  prefix: string[];
  /** Placement as recorded in the result. */
  placement: Record<string, string | number | boolean>;
  /** Threads (or ranks) it uses. */
  threads: number;
}

/** `-march=native` on x86_64, `-mcpu=native` on arm64: the code is built on the host it measures. */
export function nativeFlag(host: Pick<HostProbe, "architecture">): string {
  return host.architecture === "arm64" ? "-mcpu=native" : "-march=native";
}

/** Compiler arguments for stream.c at the sized array length and repetitions. */
export function streamCompileArgs(
  host: Pick<HostProbe, "architecture">,
  sizing: Pick<StreamSizing, "arraySize" | "ntimes" | "mcmodelMedium">,
  source: string,
  output: string,
): string[] {
  return [
    "-O3",
    nativeFlag(host),
    "-fopenmp",
    `-DSTREAM_ARRAY_SIZE=${sizing.arraySize}`,
    `-DNTIMES=${sizing.ntimes}`,
    ...(sizing.mcmodelMedium ? ["-mcmodel=medium"] : []),
    source,
    "-o",
    output,
  ];
}

/**
 * STREAM's configurations, each reported: (a) the headline, all cores with one thread per core, spread and
 * bound; (b) one thread per vCPU (only with SMT, where it differs from (a)); (c) each NUMA node alone (with
 * numactl, on hosts with more than one node); (d) one thread.
 */
export function streamConfigurations(
  host: Pick<HostProbe, "cores" | "logicalCpus" | "smt" | "numaNodes" | "firstThreadOfEachCore">,
  numactl?: string,
): LaunchConfiguration[] {
  const configurations = [
    openmp(
      "all-cores-spread",
      "all cores, one thread per core, spread and bound (headline)",
      host.cores,
      "spread",
      "cores",
    ),
  ];
  if (host.smt)
    configurations.push(
      openmp("all-vcpus", "one thread per vCPU, spread and bound", host.logicalCpus, "spread", "threads"),
    );
  if (numactl && host.numaNodes.length > 1) {
    for (const node of host.numaNodes) {
      const cores = node.cpus.filter((cpu) => host.firstThreadOfEachCore.includes(cpu)).length || node.cpus.length;
      const binding = {
        prefix: [numactl, `--cpunodebind=${node.id}`, `--membind=${node.id}`],
        placement: { cpunodebind: node.id, membind: node.id },
      };
      configurations.push(
        openmp(
          `numa-node-${node.id}`,
          `NUMA node ${node.id} alone: its cores, its memory`,
          cores,
          "spread",
          "cores",
          binding,
        ),
      );
    }
  }
  configurations.push(openmp("single-thread", "one thread, bound", 1, "true", "cores"));
  return configurations;
}

/** An OpenMP configuration: thread count and binding in the environment, an optional placement command. */
function openmp(
  id: string,
  description: string,
  threads: number,
  bind: string,
  places: string,
  binding: { prefix: string[]; placement: Record<string, number> } = { prefix: [], placement: {} },
): LaunchConfiguration {
  return {
    id,
    description,
    env: { OMP_NUM_THREADS: String(threads), OMP_PROC_BIND: bind, OMP_PLACES: places },
    prefix: binding.prefix,
    placement: { OMP_NUM_THREADS: threads, OMP_PROC_BIND: bind, OMP_PLACES: places, ...binding.placement },
    threads,
  };
}

/** Compiler arguments for CoreMark with `threads` PThreads and CoreMark's self-timed iteration count. */
export function coremarkCompileArgs(
  host: Pick<HostProbe, "architecture">,
  threads: number,
  sourceDir: string,
  portDir: string,
  output: string,
): string[] {
  const flags = ["-O3", nativeFlag(host)];
  const parallel = threads > 1 ? [`-DMULTITHREAD=${threads}`, "-DUSE_PTHREAD"] : [];
  const flagsString = [...flags, ...parallel, "-DPERFORMANCE_RUN=1"].join(" ");
  return [
    ...flags,
    ...parallel,
    "-DPERFORMANCE_RUN=1",
    "-DITERATIONS=0",
    `-DFLAGS_STR="${flagsString}"`,
    `-I${sourceDir}`,
    `-I${portDir}`,
    ...["core_list_join.c", "core_main.c", "core_matrix.c", "core_state.c", "core_util.c"].map(
      (file) => `${sourceDir}/${file}`,
    ),
    `${portDir}/core_portme.c`,
    "-o",
    output,
    "-lpthread",
    "-lrt",
  ];
}

/** CoreMark's performance-run arguments: the standard seeds, iterations chosen by CoreMark (≥ 10 s). */
export const coremarkPerformanceArgs = ["0x0", "0x0", "0x66", "0", "7", "1", "2000"];

/** mpirun arguments for `ranks` processes, one per core, bound. */
export function mpirunArgs(ranks: number, asRoot: boolean): string[] {
  return [...(asRoot ? ["--allow-run-as-root"] : []), "-np", String(ranks), "--bind-to", "core", "--map-by", "core"];
}

/** HPL.dat for one problem size and grid, results on stdout, residual check on. */
export function hplDat(sizing: Pick<HplSizing, "n" | "nb" | "p" | "q">): string {
  return [
    "HPLinpack benchmark input file",
    "aws-instance-benchmarks (generated)",
    "HPL.out      output file name (if any)",
    "6            device out (6=stdout,7=stderr,file)",
    "1            # of problems sizes (N)",
    `${sizing.n}         Ns`,
    "1            # of NBs",
    `${sizing.nb}          NBs`,
    "0            PMAP process mapping (0=Row-,1=Column-major)",
    "1            # of process grids (P x Q)",
    `${sizing.p}            Ps`,
    `${sizing.q}            Qs`,
    "16.0         threshold",
    "1            # of panel fact",
    "2            PFACTs (0=left, 1=Crout, 2=Right)",
    "1            # of recursive stopping criterium",
    "4            NBMINs (>= 1)",
    "1            # of panels in recursion",
    "2            NDIVs",
    "1            # of recursive panel fact.",
    "1            RFACTs (0=left, 1=Crout, 2=Right)",
    "1            # of broadcast",
    "1            BCASTs (0=1rg,1=1rM,2=2rg,3=2rM,4=Lng,5=LnM)",
    "1            # of lookahead depth",
    "1            DEPTHs (>=0)",
    "2            SWAP (0=bin-exch,1=long,2=mix)",
    "64           swapping threshold",
    "0            L1 in (0=transposed,1=no-transposed) form",
    "0            U  in (0=transposed,1=no-transposed) form",
    "1            Equilibration (0=no,1=yes)",
    "8            memory alignment in double (> 0)",
    "",
  ].join("\n");
}

/** hpccinf.txt: HPL.dat's lines plus HPCC's PTRANS lines (PTRANS sized by HPCC from N). */
export function hpccInput(sizing: Pick<HplSizing, "n" | "nb" | "p" | "q">): string {
  const hpl = hplDat(sizing).replace("6            device out", "8            device out");
  return `${hpl}##### This line (no. 32) is ignored (it serves as a separator). ######
0                      		Number of additional problem sizes for PTRANS
1200 10000 30000        	values of N
0                       	number of additional blocking sizes for PTRANS
40 9 8 13 13 20 16 32 64       	values of NB
`;
}

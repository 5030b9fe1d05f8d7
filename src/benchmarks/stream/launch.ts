/**
 * STREAM's command lines: the compiler invocation at the sized array length (STREAM's sizes are compile-time
 * constants, so it is built on the host it measures) and its placement configurations.
 */
import type { HostProbe } from "../host.js";
import type { LaunchConfiguration } from "../launch.js";
import { nativeFlag } from "../launch.js";
import type { StreamSizing } from "./sizing.js";

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

/**
 * CoreMark's command lines: the compiler invocation with its thread count (a compile-time constant) and the
 * performance run's arguments.
 */
import type { HostProbe } from "../host.js";
import { nativeFlag } from "../launch.js";

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

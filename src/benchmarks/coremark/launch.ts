/**
 * CoreMark's command lines: its own Makefile's build with the thread count (a compile-time constant) and the host's
 * native flag, the direct compiler invocation for a tree without that Makefile, and the arguments of the run rules'
 * performance and validation runs.
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

/** CoreMark's validation run (README's run rules): the seeds 0x3415, 0x3415, 0x66, iterations chosen by CoreMark. */
export const coremarkValidationArgs = ["0x3415", "0x3415", "0x66", "0", "7", "1", "2000"];

/**
 * XCFLAGS for CoreMark's Makefile: `-O3`, the native flag, and with more than one context `-DMULTITHREAD=N
 * -DUSE_PTHREAD -pthread`; `-DPERFORMANCE_RUN=1` as the Makefile's own performance run adds it (the flags string
 * CoreMark prints then reads as an expert's build).
 */
export function coremarkXcflags(host: Pick<HostProbe, "architecture">, threads: number): string {
  const parallel = threads > 1 ? [`-DMULTITHREAD=${threads}`, "-DUSE_PTHREAD", "-pthread"] : [];
  return ["-O3", nativeFlag(host), ...parallel, "-DPERFORMANCE_RUN=1"].join(" ");
}

/** `make` arguments building CoreMark's executable (`coremark.exe`) for `portDir` without running it. */
export function coremarkMakeArgs(host: Pick<HostProbe, "architecture">, threads: number, portDir: string): string[] {
  return [`PORT_DIR=${portDir}`, `XCFLAGS=${coremarkXcflags(host, threads)}`, "coremark.exe"];
}

/**
 * The project's own memory-bandwidth kernel (kernels/membw/aws-bench-membw.c, shipped with the package): where
 * its source is, how it is compiled on the host it measures, and its command line. It runs in STREAM's placement
 * configurations (src/benchmarks/stream/launch.ts), so its headline is measured the same way: all cores, one
 * thread per core, spread and bound. Its arrays are allocated at run time, so one build serves every size and no
 * code-model limit applies.
 */
import { join } from "node:path";
import { packagePath } from "../../package-files.js";
import type { ProjectKernel } from "../definition.js";
import type { HostProbe } from "../host.js";
import { nativeFlag } from "../launch.js";

/** The kernel's source file name. */
export const membwSourceFile = "aws-bench-membw.c";

/** The kernel as the `stream` request's project program (src/runner/programs.ts tries it after PATH). */
export const membwKernel: ProjectKernel = {
  name: "aws-bench-membw (the project's own bandwidth kernel)",
  directory: () => packagePath("kernels", "membw"),
  sourceFile: membwSourceFile,
};

/** Compiler arguments: optimised for this host's CPU, OpenMP, linked with libm. */
export function membwCompileArgs(
  host: Pick<HostProbe, "architecture">,
  sourceDirectory: string,
  output: string,
  extra: readonly string[] = [],
): string[] {
  return ["-O3", nativeFlag(host), "-fopenmp", ...extra, join(sourceDirectory, membwSourceFile), "-o", output, "-lm"];
}

/** The kernel's arguments: elements per array and passes per kernel. */
export function membwArgs(sizing: { arraySize: number; ntimes: number }): string[] {
  return [String(sizing.arraySize), String(sizing.ntimes)];
}

/**
 * What every benchmark's launch code shares: a configuration (environment, placement prefix, threads), the
 * native-code compiler flag, and MPI's launch arguments. Each benchmark's own command lines and input files are
 * in its folder (`<name>/launch.ts`): pure functions, so what runs is decided there and tested without running
 * anything.
 */
import type { HostProbe } from "./host.js";

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

/** mpirun arguments for `ranks` processes, one per core, bound. */
export function mpirunArgs(ranks: number, asRoot: boolean): string[] {
  return [...(asRoot ? ["--allow-run-as-root"] : []), "-np", String(ranks), "--bind-to", "core", "--map-by", "core"];
}

/**
 * Rough capacities of a host, for sizing benchmarks and predicting their run time: peak double-precision
 * FLOP/s from the vector units its CPU flags show, and a memory bandwidth deliberately on the low side, so
 * predicted times err long (a timer that fires early loses a paid run; one that fires late costs minutes).
 */
import type { HostProbe } from "./host.js";

/** FP64 FLOPs per cycle per core implied by the CPU's vector units (FMA counted as two). */
export function fp64FlopsPerCycle(host: Pick<HostProbe, "architecture" | "flags">): number {
  const flags = new Set(host.flags);
  if (host.architecture === "arm64") return flags.has("sve") ? 16 : 8;
  if (flags.has("avx512f")) return 32;
  if (flags.has("avx2") && flags.has("fma")) return 16;
  if (flags.has("avx")) return 8;
  return 4;
}

/** Clock assumed when the host does not say. */
export const defaultClockGhz = 2.5;

/** Peak FP64 FLOP/s of all cores. */
export function peakFlops(
  host: Pick<HostProbe, "architecture" | "flags" | "cores" | "clockGhz">,
  flopsPerCycle = fp64FlopsPerCycle(host),
): number {
  return host.cores * (host.clockGhz ?? defaultClockGhz) * 1e9 * flopsPerCycle;
}

/** A low estimate of memory bandwidth in bytes/s with `threads` threads (for predicting STREAM's run time). */
export function assumedBandwidth(host: Pick<HostProbe, "sockets">, threads: number): number {
  return Math.max(2e9, Math.min(threads * 2e9, host.sockets * 50e9));
}

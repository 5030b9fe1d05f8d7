/**
 * HPL sizing: the largest N, a multiple of NB, whose matrix (8N² bytes) fits in a fraction f = 0.8 of available
 * memory AND whose predicted time 2N³ / (3 · efficiency · peak) stays within the time budget (`--hpl-minutes`;
 * `top500` sizing lifts the time bound). NB suits the vector width; the process grid P×Q is as square as
 * possible with P ≤ Q, one MPI rank per core and one BLAS thread per rank (ranks × threads = cores). The result
 * says which limit set N.
 */
import type { RunSettings } from "../definition.js";
import type { HostProbe } from "../host.js";
import { fp64FlopsPerCycle, peakFlops } from "../host-capacity.js";

/** HPL's parameters for a host. */
export interface HplSizing {
  /** Matrix order. */
  n: number;
  /** Block size. */
  nb: number;
  /** Process rows. */
  p: number;
  /** Process columns. */
  q: number;
  /** MPI ranks (= P×Q). */
  ranks: number;
  /** BLAS threads per rank. */
  threadsPerRank: number;
  /** Which limit set N. */
  limitedBy: "memory" | "time" | "override";
  /** Peak FP64 FLOP/s assumed. */
  peakGflops: number;
  /** Efficiency assumed for the time prediction. */
  efficiency: number;
  /** Predicted seconds of the factorization. */
  predictedSeconds: number;
}

/** Overrides of {@link sizeHpl}. */
export interface HplSizingOptions {
  /** Time budget in minutes (default 5). */
  minutes?: number | undefined;
  /** `time` (default) bounds N by the budget; `top500` by memory alone. */
  sizing?: "time" | "top500" | undefined;
  /** Fraction of available memory for the matrix (default 0.8). */
  memoryFraction?: number | undefined;
  /** Fraction of peak HPL is assumed to reach when predicting time (default 0.5, on the safe side). */
  efficiency?: number | undefined;
  /** Matrix order. */
  n?: number | undefined;
  /** Block size. */
  nb?: number | undefined;
  /** FP64 FLOPs per cycle per core, when known better than the CPU flags say. */
  flopsPerCycle?: number | undefined;
}

/** NB for the vector width: wider units want bigger blocks. */
export function blockSize(host: Pick<HostProbe, "architecture" | "flags">): number {
  if (host.architecture === "x86_64" && host.flags.includes("avx512f")) return 256;
  return 192;
}

/** P×Q with P ≤ Q and P as large as possible: the squarest grid of `ranks` processes. */
export function processGrid(ranks: number): { p: number; q: number } {
  let p = Math.max(1, Math.floor(Math.sqrt(ranks)));
  while (ranks % p !== 0) p--;
  return { p, q: ranks / p };
}

/** Predicted seconds of HPL at order `n`. */
export function predictHplSeconds(n: number, peak: number, efficiency: number): number {
  return (2 * n ** 3) / (3 * efficiency * peak);
}

/** Sizes HPL for `host`. */
export function sizeHpl(
  host: Pick<HostProbe, "architecture" | "flags" | "cores" | "clockGhz" | "availableMemoryMiB">,
  options: HplSizingOptions = {},
): HplSizing {
  const nb = options.nb ?? blockSize(host);
  const efficiency = options.efficiency ?? 0.5;
  const peak = peakFlops(host, options.flopsPerCycle ?? fp64FlopsPerCycle(host));
  const { p, q } = processGrid(host.cores);
  const roundDown = (value: number) => Math.max(nb, Math.floor(value / nb) * nb);
  let n: number;
  let limitedBy: HplSizing["limitedBy"];
  if (options.n !== undefined) {
    n = options.n;
    limitedBy = "override";
  } else {
    const byMemory = roundDown(Math.sqrt(((options.memoryFraction ?? 0.8) * host.availableMemoryMiB * 1024 ** 2) / 8));
    const seconds = (options.minutes ?? 5) * 60;
    const byTime = roundDown(Math.cbrt((seconds * 3 * efficiency * peak) / 2));
    if (options.sizing === "top500" || byMemory <= byTime) {
      n = byMemory;
      limitedBy = "memory";
    } else {
      n = byTime;
      limitedBy = "time";
    }
  }
  return {
    n,
    nb,
    p,
    q,
    ranks: p * q,
    threadsPerRank: 1,
    limitedBy,
    peakGflops: peak / 1e9,
    efficiency,
    predictedSeconds: predictHplSeconds(n, peak, efficiency),
  };
}

/** HPL's time budget in minutes unless `--hpl-minutes` says otherwise: 5, or 1 with `--quick`. */
export function hplMinutes(settings: Pick<RunSettings, "quick" | "hplMinutes">): number {
  return settings.hplMinutes ?? (settings.quick ? 1 : 5);
}

/**
 * HPL's sizing for a run: `budgetShare` of the time budget (HPCC's HPL gets a share), or the user's N and NB.
 * With the reference BLAS HPL reaches a few percent of peak, so N is sized for that instead of the usual half.
 */
export function sizeHplForRun(
  host: Pick<HostProbe, "architecture" | "flags" | "cores" | "clockGhz" | "availableMemoryMiB">,
  settings: RunSettings,
  budgetShare = 1,
  blas?: string,
): HplSizing {
  const efficiency = blas && /reference/.test(blas) ? 0.03 : undefined;
  return sizeHpl(host, {
    minutes: hplMinutes(settings) * budgetShare,
    sizing: settings.hplSizing,
    n: settings.overrides?.hplN,
    nb: settings.overrides?.hplNb,
    efficiency,
    flopsPerCycle: settings.flopsPerCycle,
  });
}

/** The sizing as a result records it, with the limit that set N and the assumptions behind the time prediction. */
export function hplParameters(sizing: HplSizing): Record<string, string | number | boolean> {
  return {
    n: sizing.n,
    nb: sizing.nb,
    p: sizing.p,
    q: sizing.q,
    ranks: sizing.ranks,
    threadsPerRank: sizing.threadsPerRank,
    nLimitedBy: sizing.limitedBy,
    predictedSeconds: Math.round(sizing.predictedSeconds),
    assumedPeakGflops: Math.round(sizing.peakGflops),
    assumedEfficiency: sizing.efficiency,
  };
}

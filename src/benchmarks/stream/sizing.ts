/**
 * STREAM sizing: each array at least four times the total last-level cache of all sockets and at least 10
 * million elements (STREAM's own rules), the three arrays together within 60 % of available memory, NTIMES at
 * least 10; `-mcmodel=medium` on x86_64 once an array passes 2 GiB. Every value can be overridden and the
 * result says which rule set the size.
 */
import type { HostProbe } from "../host.js";
import { assumedBandwidth } from "../host-capacity.js";

/** STREAM's parameters for a host. */
export interface StreamSizing {
  /** Elements per array. */
  arraySize: number;
  /** Repetitions of each kernel. */
  ntimes: number;
  /** Bytes per element (8: double). */
  elementBytes: 8;
  /** Bytes of one array. */
  bytesPerArray: number;
  /** The rule that set `arraySize`. */
  limitedBy: "last-level-cache" | "minimum-elements" | "available-memory" | "override";
  /** Needs `-mcmodel=medium` (x86_64, an array over 2 GiB). */
  mcmodelMedium: boolean;
  /** Warnings about the size (e.g. memory kept it below 4× the cache). */
  notes: string[];
}

/** Overrides of {@link sizeStream}. */
export interface StreamSizingOptions {
  /** Elements per array. */
  arraySize?: number | undefined;
  /** Repetitions (at least 10). */
  ntimes?: number | undefined;
}

const minimumElements = 10_000_000;
const twoGiB = 2 * 1024 ** 3;

/** Sizes STREAM for `host`. */
export function sizeStream(
  host: Pick<HostProbe, "lastLevelCacheBytes" | "availableMemoryMiB" | "architecture">,
  options: StreamSizingOptions = {},
): StreamSizing {
  const notes: string[] = [];
  const byCache = Math.ceil((4 * host.lastLevelCacheBytes) / 8);
  const byMemory = Math.floor((0.6 * host.availableMemoryMiB * 1024 ** 2) / (3 * 8));
  let arraySize: number;
  let limitedBy: StreamSizing["limitedBy"];
  if (options.arraySize !== undefined) {
    arraySize = options.arraySize;
    limitedBy = "override";
    if (arraySize < Math.max(minimumElements, byCache))
      notes.push(
        `array size ${arraySize} is below STREAM's rule (≥ 4× last-level cache and ≥ 10M elements: ${Math.max(minimumElements, byCache)})`,
      );
  } else {
    arraySize = Math.max(minimumElements, byCache);
    limitedBy = byCache > minimumElements ? "last-level-cache" : "minimum-elements";
    if (arraySize > byMemory) {
      notes.push(`available memory limits the arrays to ${byMemory} elements, below STREAM's rule of ${arraySize}`);
      arraySize = byMemory;
      limitedBy = "available-memory";
    }
  }
  const ntimes = Math.max(10, options.ntimes ?? 10);
  const bytesPerArray = arraySize * 8;
  return {
    arraySize,
    ntimes,
    elementBytes: 8,
    bytesPerArray,
    limitedBy,
    mcmodelMedium: host.architecture === "x86_64" && bytesPerArray > twoGiB,
    notes,
  };
}

/** Predicted seconds of one STREAM run with `threads` threads: page-in of the arrays plus NTIMES × 10 words moved per element. */
export function estimateStreamSeconds(
  sizing: Pick<StreamSizing, "arraySize" | "ntimes">,
  host: Pick<HostProbe, "sockets">,
  threads: number,
): number {
  const bandwidth = assumedBandwidth(host, threads);
  const bytes = sizing.arraySize * 8;
  const initialize = (3 * bytes) / (bandwidth / 2);
  const kernels = (sizing.ntimes * 10 * bytes) / bandwidth;
  return 0.5 + initialize + kernels;
}

/**
 * STREAM sizing: each array at least four times the total last-level cache of all sockets and at least 10
 * million elements (STREAM's own rules), the three arrays together within 60 % of available memory, NTIMES 20
 * (10 for a quick run; never below 10); `-mcmodel=medium` on x86_64 exactly when stream.c's static arrays would
 * not link without it ({@link needsMediumCodeModel}). Every value can be overridden and the result says which
 * rule set the size.
 */
import type { Conformance } from "../definition.js";
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
  /** Needs `-mcmodel=medium` (x86_64, static arrays past the small code model's reach: {@link needsMediumCodeModel}). */
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
  /** A quick run: NTIMES 10 instead of 20 unless given. */
  quick?: boolean | undefined;
}

const minimumElements = 10_000_000;

/**
 * Elements per array above which three static arrays of doubles need `-mcmodel=medium` on x86_64. The small code
 * model reaches static data with 32-bit PC-relative addresses, so the start of the last array (behind the two
 * others) must lie within 2 GiB of the code: 2 × 8 × N plus the program's other code and data < 2^31. Measured
 * with gcc 12 on x86_64 (test/fixtures/generators/three-static-arrays.c, link-only builds): 134,216,963 elements
 * link, 134,216,964 do not (2^31 / 16 = 134,217,728, less about 12 KB of other data); stream.c likewise links at
 * 130 M and fails at 140 M. The limit keeps a 64 MiB margin for larger programs and other compilers.
 */
export const smallCodeModelMaxElements = (2 * 1024 ** 3 - 64 * 1024 ** 2) / 16;

/** Whether stream.c's three static arrays of `arraySize` doubles need `-mcmodel=medium` to link on `architecture`. */
export function needsMediumCodeModel(architecture: HostProbe["architecture"], arraySize: number): boolean {
  return architecture === "x86_64" && arraySize > smallCodeModelMaxElements;
}

/** STREAM's array rule on `host`: elements per array of at least 4× all last-level caches and at least 10 M. */
export function streamRuleElements(host: Pick<HostProbe, "lastLevelCacheBytes">): number {
  return Math.max(minimumElements, Math.ceil((4 * host.lastLevelCacheBytes) / 8));
}

/** Whether arrays of `arraySize` elements meet STREAM's array rule on `host`, and if not, the rule with the numbers. */
export function streamConformance(
  host: Pick<HostProbe, "lastLevelCacheBytes">,
  arraySize: number,
  what = "arrays",
): Conformance {
  const rule = streamRuleElements(host);
  return arraySize >= rule
    ? { conforming: true }
    : {
        conforming: false,
        reason: `${what} of ${arraySize} elements are below the array rule: each array at least 4× the sum of all last-level caches (${host.lastLevelCacheBytes} bytes) and at least 10,000,000 elements, i.e. ${rule} elements`,
      };
}

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
  const ntimes = Math.max(10, options.ntimes ?? (options.quick ? 10 : 20));
  const bytesPerArray = arraySize * 8;
  return {
    arraySize,
    ntimes,
    elementBytes: 8,
    bytesPerArray,
    limitedBy,
    mcmodelMedium: needsMediumCodeModel(host.architecture, arraySize),
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

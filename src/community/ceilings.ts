/**
 * Review step 5 (issue #16): a contributed figure must be physically possible on the instance's hardware, as the
 * family table (configs/families.json) describes it:
 *
 * - memory bandwidth (STREAM, HPCC's STREAM, the project's kernel; every kernel, Triad summed over ranks too) ≤
 *   memory channels per socket × MT/s × 8 bytes × sockets;
 * - HPL ≤ physical cores × FP64 FLOPs per cycle per core × `maxTurboGhz`;
 * - CoreMark per thread ≤ {@link coremarkPerThreadBand}'s upper bound × `maxTurboGhz` (and below its lower bound
 *   a flag: slow is possible, never impossible).
 *
 * Each bound is an upper limit, never a target: the sockets are all the host's (a configuration bound to one NUMA
 * node uses fewer), and `maxTurboGhz` is the highest clock AWS states for the microarchitecture on any family.
 * A figure up to {@link defaultCeilingMargin} over its bound is flagged for a person (a table entry may be a
 * little off); beyond it the run is rejected. Where the table does not know the type's microarchitecture, its
 * memory, clock, FLOPs per cycle, or the host's sockets or cores, the finding is a flag that says so: a ceiling
 * that cannot be computed is never a silent pass.
 *
 * A family whose instances may land on several microarchitectures (its `alternatives`) is held to the probed
 * CPU's microarchitecture when the table's `cpuModels` recognise it, otherwise to the most permissive of them.
 * Sections whose run did not follow the benchmark's rules (HPCC's STREAM with arrays inside the caches) are not
 * held to the memory ceiling: cache bandwidth is not memory bandwidth, and such figures are never headlines.
 */
import { alternativeMicroarchitectures, compileCpuModels } from "../discovery/family-table.js";
import { membwBenchmarkName } from "../benchmarks/membw/parse.js";
import type { BenchmarkResult, BenchmarkRun } from "../schemas/generated/benchmark-result.js";
import type { FamilyTable, Microarchitecture } from "../schemas/generated/families.js";
import type { Finding, FindingSeverity } from "./findings.js";

/** How far over a ceiling a figure is flagged rather than rejected (5 %). */
export const defaultCeilingMargin = 0.05;

/**
 * CoreMark iterations per second per thread per GHz (CoreMark/MHz × 1000) that any core of the table may give.
 * Basis: the real CoreMark run in test/fixtures/outputs/shared (AMD EPYC guest, 2.6 GHz base clock by its
 * BogoMIPS, gcc -O2, one thread) gives 29,011 iterations/s, 8.8 to 11.2 per MHz for any clock between its base and
 * 3.3 GHz. The upper bound sits near twice that, so a wider core, -O3 or a clock above AWS's figure does not trip
 * it, while an error of the kind published before (a 0.6 s run inflating the score 21.9×) lands far beyond it;
 * the lower bound is an order of magnitude below and only flags. One band serves every microarchitecture until
 * accepted results narrow it per microarchitecture.
 */
export const coremarkPerThreadBand = { lowPerGhz: 1_000, highPerGhz: 20_000 } as const;

/** Options of {@link checkCeilings}. */
export interface CeilingOptions {
  /** Fraction over a ceiling that is flagged rather than rejected (default {@link defaultCeilingMargin}). */
  margin?: number;
}

/** The microarchitecture(s) a run's instance type maps to, or why none. */
type Resolution = { ids: string[]; micros: Microarchitecture[]; basis: string } | { unknown: string };

/** Memory-bandwidth metrics and what they are. */
const bandwidthMetrics = ["copy", "scale", "add", "triad", "triadAllRanks"] as const;

/**
 * Holds every valid trial of `result` to the physical ceilings of its instance type in `table` (loaded with
 * `loadFamilyTable`). One finding per section: `pass` with the ceiling and the highest figure, `flag` within the
 * margin or where a ceiling is unknown, `reject` beyond the margin.
 */
export function checkCeilings(result: BenchmarkResult, table: FamilyTable, options: CeilingOptions = {}): Finding[] {
  const margin = options.margin ?? defaultCeilingMargin;
  const resolution = resolveMicroarchitectures(result, table);
  return result.benchmarks.map((section) => {
    const finding = (severity: FindingSeverity, reason: string): Finding => ({
      step: "ceilings",
      severity,
      reason,
      section: section.benchmark,
    });
    if (section.custom) return finding("pass", "a custom benchmark has no physical ceiling here: not checked");
    if (section.conforming === false)
      return finding(
        "pass",
        `not held to a physical ceiling: the run did not follow the benchmark's rules (${section.nonConformingReason ?? "no reason recorded"}), so its figures are never headlines`,
      );
    if ("unknown" in resolution) return finding("flag", `${resolution.unknown}: its ceilings cannot be computed`);
    const ceiling = sectionCeiling(section, result, resolution);
    if (ceiling === undefined) return finding("pass", `no physical ceiling is known for ${section.benchmark}`);
    if ("unknown" in ceiling) return finding("flag", ceiling.unknown);
    const figures = sectionFigures(section, ceiling.metrics, ceiling.scale);
    if (figures.length === 0) return finding("pass", `no valid figure to hold to ${ceiling.describe}`);
    const highest = figures.reduce((top, figure) => (figure.value > top.value ? figure : top));
    const over = highest.value / ceiling.limit - 1;
    const stated = `${highest.where} gives ${format(highest.value)} ${ceiling.unit} against ${ceiling.describe} = ${format(ceiling.limit)} ${ceiling.unit}`;
    if (over > margin) return finding("reject", `above the physical ceiling by ${percent(over)}: ${stated}`);
    if (over > 0)
      return finding(
        "flag",
        `above the physical ceiling by ${percent(over)} (within the ${percent(margin)} margin): ${stated}`,
      );
    if (ceiling.floor !== undefined) {
      const lowest = figures.reduce((low, figure) => (figure.value < low.value ? figure : low));
      if (lowest.value < ceiling.floor.limit)
        return finding(
          "flag",
          `below the expected range: ${lowest.where} gives ${format(lowest.value)} ${ceiling.unit} against ${ceiling.floor.describe} = ${format(ceiling.floor.limit)} ${ceiling.unit}`,
        );
    }
    return finding("pass", `within the physical ceiling: ${stated}`);
  });
}

/** The type's microarchitecture(s) from the family table, narrowed by the probed CPU model when it tells. */
function resolveMicroarchitectures(result: BenchmarkResult, table: FamilyTable): Resolution {
  const type = result.host.instanceType;
  if (!type) return { unknown: "the run names no instance type" };
  const family = type.split(".")[0] ?? type;
  const entry = table.families[family];
  if (!entry) return { unknown: `family ${family} (${type}) is not in configs/families.json` };
  const candidates = [entry.microarchitecture, ...alternativeMicroarchitectures(entry)];
  const probed = compileCpuModels(table).find(({ pattern }) => pattern.test(result.host.cpuModel));
  const matching = candidates.filter((id) => probed?.entry.microarchitectures.includes(id));
  const ids = matching.length > 0 ? matching : candidates;
  const micros = ids.flatMap((id) => (table.microarchitectures[id] ? [table.microarchitectures[id]] : []));
  if (micros.length === 0) return { unknown: `family ${family}'s microarchitecture is not defined in the table` };
  const basis =
    matching.length > 0
      ? `${ids.join("/")} (probed CPU '${result.host.cpuModel}')`
      : ids.length > 1
        ? `the most permissive of ${ids.join(", ")} (family ${family}'s; the probed CPU does not tell which)`
        : `${ids.join("")} (family ${family})`;
  return { ids, micros, basis };
}

interface Ceiling {
  limit: number;
  unit: string;
  describe: string;
  /** Metric names held to it. */
  metrics: readonly string[];
  /** The factor that turns a figure in `unit` into the ceiling's unit (undefined: not comparable). */
  scale: (unit: string) => number | undefined;
  /** A lower bound: a figure below it is flagged (CoreMark per thread), never rejected. */
  floor?: { limit: number; describe: string };
}

function sectionCeiling(
  section: BenchmarkRun,
  result: BenchmarkResult,
  resolution: Exclude<Resolution, { unknown: string }>,
): Ceiling | { unknown: string } | undefined {
  const { micros, basis } = resolution;
  const { sockets, cores } = result.host;
  const most = (values: Array<number | undefined>): number | undefined =>
    values.some((value) => value === undefined) ? undefined : Math.max(...(values as number[]));
  if (section.benchmark === "stream" || section.benchmark === membwBenchmarkName) {
    const perSocket = most(
      micros.map((micro) => (micro.memory ? micro.memory.channelsPerSocket * micro.memory.speedMTs * 8 : undefined)),
    );
    if (perSocket === undefined) return { unknown: `the memory system of ${basis} is not in the table` };
    if (!sockets) return { unknown: "the run does not record its sockets, so its memory ceiling is unknown" };
    const memory = micros.find((micro) => micro.memory)?.memory;
    return {
      limit: perSocket * sockets,
      unit: "MB/s",
      describe: `the memory ceiling of ${basis}: ${memory?.channelsPerSocket ?? "?"} channels × ${memory?.speedMTs ?? "?"} MT/s × 8 B × ${sockets} socket(s)`,
      metrics: bandwidthMetrics,
      scale: (unit) => (unit === "MB/s" ? 1 : unit === "GB/s" ? 1000 : undefined),
    };
  }
  const ghz = most(micros.map((micro) => micro.maxTurboGhz));
  if (section.benchmark === "hpl") {
    const flops = most(micros.map((micro) => micro.fp64FlopsPerCyclePerCore));
    if (flops === undefined) return { unknown: `the FP64 FLOPs per cycle of ${basis} are not in the table` };
    if (ghz === undefined) return { unknown: `the maximum clock of ${basis} is not in the table` };
    if (!cores) return { unknown: "the run does not record its physical cores, so its HPL ceiling is unknown" };
    return {
      limit: cores * flops * ghz,
      unit: "GFLOPS",
      describe: `the FP64 peak of ${basis}: ${cores} cores × ${flops} FLOPs/cycle × ${ghz} GHz`,
      metrics: ["gflops"],
      scale: (unit) => (unit === "GFLOPS" ? 1 : undefined),
    };
  }
  if (section.benchmark === "coremark") {
    if (ghz === undefined) return { unknown: `the maximum clock of ${basis} is not in the table` };
    const threads = Number(section.parameters["threads"]);
    if (!(threads >= 1))
      return { unknown: "the run does not record CoreMark's threads, so its per-thread range is unknown" };
    return {
      limit: coremarkPerThreadBand.highPerGhz * ghz,
      unit: "iterations/s per thread",
      describe: `CoreMark's per-thread bound for ${basis}: ${coremarkPerThreadBand.highPerGhz} per GHz × ${ghz} GHz`,
      metrics: ["iterationsPerSecond"],
      scale: (unit) => (unit === "iterations/s" ? 1 / threads : undefined),
      floor: {
        limit: coremarkPerThreadBand.lowPerGhz * ghz,
        describe: `CoreMark's per-thread lower bound: ${coremarkPerThreadBand.lowPerGhz} per GHz × ${ghz} GHz`,
      },
    };
  }
  return undefined;
}

interface Figure {
  value: number;
  where: string;
}

/** Every valid trial's figure of the held metrics, in the ceiling's unit. */
function sectionFigures(section: BenchmarkRun, metrics: readonly string[], scale: Ceiling["scale"]): Figure[] {
  const figures: Figure[] = [];
  for (const configuration of section.configurations) {
    for (const trial of configuration.trials) {
      if (!trial.valid) continue;
      for (const metric of metrics) {
        const quantity = trial.metrics[metric];
        const factor = quantity ? scale(quantity.unit) : undefined;
        if (!quantity || quantity.value === null || factor === undefined) continue;
        figures.push({
          value: quantity.value * factor,
          where: `configuration '${configuration.id}', trial ${trial.index}, ${metric} ${quantity.printed} ${quantity.unit}`,
        });
      }
    }
  }
  return figures;
}

function format(value: number): string {
  return Number(value.toPrecision(7)).toString();
}

function percent(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(3))} %`;
}

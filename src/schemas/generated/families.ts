/* DO NOT EDIT: generated from schemas/families.schema.json by `npm run generate:types`. */

export type Architecture = "x86_64" | "arm64";
export type Vendor = "intel" | "amd" | "aws" | "apple";
export type MicroarchitectureId = string;

/**
 * The curated, reviewed table configs/families.json: each EC2 instance family's CPU microarchitecture, and per microarchitecture the public facts later stages need (container tag, compiler target, BLAS, FLOPs per cycle, memory channels), each with its source. Per family: the documented processor, with alternatives where AWS names two generations, each with its evidence; and the table that identifies a probed CPU model string. Version 1.
 */
export interface FamilyTable {
  schemaVersion: 1;
  /**
   * Benchmark images: tag → its architecture and build target. Every microarchitecture's containerTag must be one of these, with the same architecture.
   */
  containerTags: {
    [k: string]: ContainerTagDefinition;
  };
  microarchitectures: {
    [k: string]: Microarchitecture;
  };
  families: {
    [k: string]: FamilyEntry;
  };
  /**
   * Probed CPU model strings (the `model name` of /proc/cpuinfo, or the Arm core the host probe names) → microarchitecture. `discover --check-measured` identifies a result's CPU with exactly one entry.
   *
   * @minItems 1
   */
  cpuModels: CpuModel[];
}
export interface ContainerTagDefinition {
  architecture: Architecture;
  /**
   * Target flag for the image's prebuilt code: the oldest core using the tag, so the image runs on all of them.
   */
  gccFlags: string;
  spackTarget: string;
  blas: ("openblas" | "blis" | "aocl" | "armpl" | "onemkl")[];
  note?: string;
}
export interface Microarchitecture {
  vendor: Vendor;
  architecture: Architecture;
  /**
   * Human name, e.g. `Intel Xeon Scalable 3rd gen (Ice Lake-SP)`.
   */
  name: string;
  /**
   * Core design, e.g. `Sunny Cove`, `Neoverse V1`.
   */
  core: string;
  /**
   * Benchmark image tag for this microarchitecture; null where the Linux benchmark container cannot run (macOS hosts).
   */
  containerTag: string | null;
  compiler?: {
    /**
     * GCC target flag, e.g. `-march=icelake-server`, `-mcpu=neoverse-v1`.
     */
    gccFlags: string;
    /**
     * archspec/Spack target name, e.g. `icelake`, `neoverse_v1`.
     */
    spackTarget: string;
  };
  blas?: ("openblas" | "blis" | "aocl" | "armpl" | "onemkl")[];
  vectorIsa?: string;
  /**
   * Peak double-precision FLOPs per cycle per core, FMA counted as two.
   */
  fp64FlopsPerCyclePerCore?: number;
  /**
   * The highest clock in GHz AWS states for any instance family on this microarchitecture (the "up to" or all-core turbo figure of its instance type page, which DescribeInstanceTypes reports as SustainedClockSpeedInGhz); the review's HPL and CoreMark ceilings multiply by it. Absent where AWS states no turbo figure: those ceilings are then flagged as unknown.
   */
  maxTurboGhz?: number;
  memory?: {
    channelsPerSocket: number;
    /**
     * e.g. DDR4, DDR5, LPDDR5.
     */
    type: string;
    /**
     * Transfer rate per channel in MT/s.
     */
    speedMTs: number;
  };
  note?: string;
  /**
   * @minItems 1
   */
  sources: Source[];
}
export interface Source {
  /**
   * Which fact the source supports, e.g. `fp64FlopsPerCyclePerCore`, `memory`, `core`.
   */
  for: string;
  url: string;
}
export interface FamilyEntry {
  /**
   * The oldest microarchitecture the family runs on, so one image runs on every instance of it.
   */
  microarchitecture: string;
  /**
   * CPU models of the primary microarchitecture, as AWS documents them.
   */
  processors: string[];
  note?: string;
  /**
   * @minItems 1
   */
  sources: string[];
  /**
   * AWS's own wording where it names no CPU model (e.g. `Intel Xeon Family`, `Variable`); the microarchitecture then rests on the note and the evidence, and measured results are the way to correct it.
   */
  documentedAs?: string;
  /**
   * Other microarchitectures instances of this family run on (AWS names two generations, e.g. Skylake or Cascade Lake), each with its evidence.
   */
  alternatives?: Alternative[];
}
export interface Alternative {
  microarchitecture: MicroarchitectureId;
  /**
   * CPU models of this alternative.
   *
   * @minItems 1
   */
  processors: string[];
  /**
   * Public pages that name this alternative for the family.
   *
   * @minItems 1
   */
  evidence: string[];
  note?: string;
}
export interface CpuModel {
  /**
   * The model as a person names it, e.g. `Intel Xeon Platinum 8259CL`.
   */
  model: string;
  /**
   * JavaScript regular expression (matched case-insensitively) that recognises the model in a probed model string.
   */
  pattern: string;
  /**
   * The microarchitecture(s) of this model; several only where they share the core (Graviton3 and Graviton3E are both Neoverse V1).
   *
   * @minItems 1
   */
  microarchitectures: MicroarchitectureId[];
  /**
   * Model strings as hosts report them; each must match this entry and no other.
   *
   * @minItems 1
   */
  examples: string[];
  /**
   * Public pages that tie the model to its microarchitecture.
   *
   * @minItems 1
   */
  evidence: string[];
  note?: string;
}

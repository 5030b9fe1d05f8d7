/* DO NOT EDIT: generated from schemas/families.schema.json by `npm run generate:types`. */

export type Architecture = "x86_64" | "arm64";
export type Vendor = "intel" | "amd" | "aws" | "apple";
export type MicroarchitectureId = string;

/**
 * The curated, reviewed table configs/families.json: each EC2 instance family's CPU microarchitecture, and per microarchitecture the public facts later stages need (container tag, compiler target, BLAS, FLOPs per cycle, memory channels), each with its source. Version 1.
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
   * Other microarchitectures instances of this family have been seen on (e.g. Cascade Lake for c5).
   */
  alsoSeen?: MicroarchitectureId[];
  /**
   * CPU models as AWS documents them.
   */
  processors: string[];
  note?: string;
  /**
   * @minItems 1
   */
  sources: string[];
}

/**
 * The host as benchmarks see it: what sizing, configurations and run-time estimates are computed from. The
 * runner fills it in by probing (src/runner/host-probe.ts); the batch planner builds one from the instance
 * catalogue before the instance exists (stacks/estimates.ts). Kept here, below both, so a benchmark never
 * depends on how the description was obtained.
 */

/** One cache level as the kernel describes it. */
export interface CacheLevel {
  /** 1, 2, 3… */
  level: number;
  /** Data, Instruction or Unified. */
  type: string;
  /** Size of one instance in bytes. */
  sizeBytes: number;
  /** Distinct instances across the host (one per core for L1/L2, per socket or CCX for L3). */
  instances: number;
}

/** A NUMA node. */
export interface NumaNode {
  /** Node number. */
  id: number;
  /** Logical CPUs on it. */
  cpus: number[];
  /** Its memory in MiB, when the kernel says. */
  memoryMiB?: number;
}

/** The host as the runner sizes and places benchmarks for it. */
export interface HostProbe {
  /** x86_64 or arm64. */
  architecture: "x86_64" | "arm64";
  /** CPU model name. */
  cpuModel: string;
  /** Vendor: GenuineIntel, AuthenticAMD, or the Arm implementer. */
  cpuVendor: string;
  /** Microcode revision (x86). */
  microcode?: string;
  /** CPU feature flags (x86 `flags`, arm64 `Features`). */
  flags: string[];
  /** Nominal clock in GHz when known. */
  clockGhz?: number;
  /** Sockets (physical packages). */
  sockets: number;
  /** Physical cores in all sockets. */
  cores: number;
  /** Hardware threads per core (2 with SMT on). */
  threadsPerCore: number;
  /** Online logical CPUs. */
  logicalCpus: number;
  /** One logical CPU per physical core, lowest first: where one-thread-per-core runs place threads. */
  firstThreadOfEachCore: number[];
  /** Simultaneous multithreading in use. */
  smt: boolean;
  /** Cache levels. */
  caches: CacheLevel[];
  /** Total bytes of the last-level cache over all its instances. */
  lastLevelCacheBytes: number;
  /** NUMA nodes (one when the kernel exposes none). */
  numaNodes: NumaNode[];
  /** MemTotal in MiB. */
  memoryMiB: number;
  /** MemAvailable in MiB. */
  availableMemoryMiB: number;
  /** Kernel release. */
  kernel: string;
  /** First line of `cc --version`, when a compiler is there. */
  compiler?: string;
  /** EC2 facts, when on EC2. */
  ec2?: Ec2Placement;
}

/** Where an EC2 instance runs: public facts only. */
export interface Ec2Placement {
  /** e.g. m7i.large */
  instanceType: string;
  /** e.g. us-east-1 */
  region: string;
  /** e.g. use1-az4 */
  availabilityZoneId?: string;
  /** e.g. ami-0abc… */
  amiId?: string;
}

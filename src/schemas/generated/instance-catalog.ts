/* DO NOT EDIT: generated from schemas/instance-catalog.schema.json by `npm run generate:types`. */

export type RegionName = string;

/**
 * EC2 instance types normalized from DescribeInstanceTypes (and offerings by availability-zone ID), written by `aws-bench discover`. Version 1.
 */
export interface InstanceCatalog {
  schemaVersion: 1;
  source: CatalogSource;
  /**
   * @minItems 1
   */
  instanceTypes: InstanceTypeRecord[];
}
/**
 * Where the catalogue came from and as of when.
 */
export interface CatalogSource {
  /**
   * `ec2-api`: DescribeInstanceTypes; `file`: a saved dump read with --input.
   */
  kind: "ec2-api" | "file";
  /**
   * Base name of the dump read with --input.
   */
  file?: string;
  /**
   * SHA-256 of the dump read with --input.
   */
  sha256?: string;
  /**
   * Regions queried (ec2-api).
   */
  regions?: RegionName[];
  /**
   * UTC date the data describes.
   */
  asOf: string;
}
export interface InstanceTypeRecord {
  name: string;
  /**
   * The part before the dot, e.g. `c7gd`, `u7i-12tb`, `mac2-m2pro`.
   */
  family: string;
  /**
   * Leading letters of the family, e.g. `c`, `hpc`, `mac`, `u`.
   */
  series: string;
  /**
   * First number in the family, e.g. 7 for c7gd; null when there is none.
   */
  generation: number | null;
  /**
   * What follows the generation, e.g. `gd` for c7gd, `i-flex` for m7i-flex.
   */
  attributes: string;
  /**
   * The part after the dot, e.g. `2xlarge`, `metal-48xl`.
   */
  size: string;
  currentGeneration: boolean;
  vcpus: number;
  defaultCores: number;
  defaultThreadsPerCore: number;
  memoryMiB: number;
  /**
   * SupportedArchitectures as EC2 reports them.
   *
   * @minItems 1
   */
  architectures: ("i386" | "x86_64" | "arm64" | "x86_64_mac" | "arm64_mac")[];
  /**
   * ProcessorInfo.Manufacturer: Intel, AMD, AWS, Apple.
   */
  manufacturer: string | null;
  sustainedClockGhz: number | null;
  bareMetal: boolean;
  /**
   * `nitro`, `xen`, or null for bare metal.
   */
  hypervisor: string | null;
  burstable: boolean;
  network: NetworkInfo;
  ebs: EbsInfo;
  instanceStorage: null | InstanceStorage;
  gpus: Device[];
  accelerators: Accelerator[];
  usageClasses: ("on-demand" | "spot" | "capacity-block")[];
  /**
   * Where the type is offered: region → availability-zone IDs (stable across accounts). Present when offerings were read.
   */
  regions?: {
    [k: string]: RegionOffering;
  };
}
export interface NetworkInfo {
  /**
   * EC2's label, e.g. `Up to 12.5 Gigabit`.
   */
  performance: string;
  baselineBandwidthGbps: number | null;
  peakBandwidthGbps: number | null;
  maximumNetworkInterfaces: number;
  efaSupported: boolean;
  enaSupport: string | null;
}
export interface EbsInfo {
  optimizedSupport: string | null;
  baselineBandwidthMbps: number | null;
  maximumBandwidthMbps: number | null;
  baselineIops: number | null;
  maximumIops: number | null;
  nvmeSupport: string | null;
}
export interface InstanceStorage {
  totalSizeGb: number;
  disks: {
    count: number;
    sizeGb: number;
    type: string;
  }[];
  nvmeSupport: string | null;
}
export interface Device {
  manufacturer: string;
  name: string;
  count: number;
  memoryMiB: number | null;
}
export interface Accelerator {
  kind: "inference" | "fpga" | "neuron" | "media";
  manufacturer: string;
  name: string;
  count: number;
  memoryMiB: number | null;
}
export interface RegionOffering {
  /**
   * Availability-zone IDs such as `use1-az4`; empty when only region-level offerings were read.
   */
  zoneIds: string[];
}

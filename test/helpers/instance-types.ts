/**
 * InstanceTypeInfo builders for tests: the shape DescribeInstanceTypes returns, with public specifications of a
 * few real types, made here rather than copied from elsewhere.
 */
import type { InstanceTypeInfo } from "@aws-sdk/client-ec2";

export interface TypeSpec {
  name: string;
  vcpus: number;
  threadsPerCore?: number;
  memoryMiB: number;
  architectures: string[];
  manufacturer: string;
  clockGhz?: number;
  bareMetal?: boolean;
  burstable?: boolean;
  network?: string;
  gpus?: { name: string; manufacturer: string; count: number; memoryMiB: number }[];
  currentGeneration?: boolean;
}

export function instanceTypeInfo(spec: TypeSpec): InstanceTypeInfo {
  const threads = spec.threadsPerCore ?? (spec.architectures.includes("arm64") ? 1 : 2);
  return {
    InstanceType: spec.name as InstanceTypeInfo["InstanceType"],
    CurrentGeneration: spec.currentGeneration ?? true,
    SupportedUsageClasses: ["spot", "on-demand"],
    BareMetal: spec.bareMetal ?? false,
    ...(spec.bareMetal ? {} : { Hypervisor: "nitro" }),
    ProcessorInfo: {
      SupportedArchitectures: spec.architectures as never,
      Manufacturer: spec.manufacturer,
      ...(spec.clockGhz === undefined ? {} : { SustainedClockSpeedInGhz: spec.clockGhz }),
    },
    VCpuInfo: {
      DefaultVCpus: spec.vcpus,
      DefaultCores: Math.max(1, spec.vcpus / threads),
      DefaultThreadsPerCore: threads,
    },
    MemoryInfo: { SizeInMiB: spec.memoryMiB },
    InstanceStorageSupported: false,
    EbsInfo: {
      EbsOptimizedSupport: "default",
      NvmeSupport: "required",
      EbsOptimizedInfo: {
        BaselineBandwidthInMbps: 650,
        MaximumBandwidthInMbps: 10000,
        BaselineIops: 3600,
        MaximumIops: 40000,
      },
    },
    NetworkInfo: {
      NetworkPerformance: spec.network ?? "Up to 12.5 Gigabit",
      MaximumNetworkInterfaces: 3,
      EnaSupport: "required",
      EfaSupported: false,
      DefaultNetworkCardIndex: 0,
      NetworkCards: [{ NetworkCardIndex: 0, BaselineBandwidthInGbps: 0.781, PeakBandwidthInGbps: 12.5 }],
    },
    BurstablePerformanceSupported: spec.burstable ?? false,
    ...(spec.gpus
      ? {
          GpuInfo: {
            Gpus: spec.gpus.map((gpu) => ({
              Name: gpu.name,
              Manufacturer: gpu.manufacturer,
              Count: gpu.count,
              MemoryInfo: { SizeInMiB: gpu.memoryMiB },
            })),
          },
        }
      : {}),
  };
}

/** A small catalogue of real types across vendors and architectures. */
export const sampleSpecs: TypeSpec[] = [
  { name: "m7i.large", vcpus: 2, memoryMiB: 8192, architectures: ["x86_64"], manufacturer: "Intel", clockGhz: 3.2 },
  {
    name: "m7i.metal-24xl",
    vcpus: 96,
    memoryMiB: 393216,
    architectures: ["x86_64"],
    manufacturer: "Intel",
    clockGhz: 3.2,
    bareMetal: true,
  },
  { name: "c7g.xlarge", vcpus: 4, memoryMiB: 8192, architectures: ["arm64"], manufacturer: "AWS", clockGhz: 2.6 },
  {
    name: "r7a.2xlarge",
    vcpus: 8,
    threadsPerCore: 1,
    memoryMiB: 65536,
    architectures: ["x86_64"],
    manufacturer: "AMD",
    clockGhz: 3.7,
  },
  {
    name: "c5.large",
    vcpus: 2,
    memoryMiB: 4096,
    architectures: ["x86_64"],
    manufacturer: "Intel",
    clockGhz: 3.6,
    currentGeneration: false,
  },
  {
    name: "t1.micro",
    vcpus: 1,
    threadsPerCore: 1,
    memoryMiB: 627,
    architectures: ["i386", "x86_64"],
    manufacturer: "Intel",
    currentGeneration: false,
  },
  {
    name: "mac2-m2.metal",
    vcpus: 8,
    threadsPerCore: 1,
    memoryMiB: 24576,
    architectures: ["arm64_mac"],
    manufacturer: "Apple",
    clockGhz: 3.5,
    bareMetal: true,
  },
  {
    name: "g5.xlarge",
    vcpus: 4,
    memoryMiB: 16384,
    architectures: ["x86_64"],
    manufacturer: "AMD",
    clockGhz: 3.3,
    gpus: [{ name: "A10G", manufacturer: "NVIDIA", count: 1, memoryMiB: 24576 }],
  },
];

export function sampleInstanceTypes(): InstanceTypeInfo[] {
  return sampleSpecs.map(instanceTypeInfo);
}

/**
 * DescribeInstanceTypes' `InstanceTypeInfo` → the catalogue's flat, documented record. Only the fields a
 * benchmark user or a later stage needs are kept; absent values become null rather than disappearing, so every
 * record has the same shape.
 */
import type { InstanceTypeInfo } from "@aws-sdk/client-ec2";
import type { Accelerator, Device, InstanceTypeRecord } from "../schemas/generated/instance-catalog.js";
import { parseInstanceTypeName } from "./instance-type-name.js";

/** The catalogue record of one instance type. The caller has checked the required fields exist. */
export function normalizeInstanceType(info: InstanceTypeInfo): InstanceTypeRecord {
  const name = String(info.InstanceType);
  const { family, series, generation, attributes, size } = parseInstanceTypeName(name);
  const vcpus = info.VCpuInfo?.DefaultVCpus ?? 0;
  const threadsPerCore = info.VCpuInfo?.DefaultThreadsPerCore ?? 1;
  const networkCard = info.NetworkInfo?.NetworkCards?.find(
    (card) => card.NetworkCardIndex === (info.NetworkInfo?.DefaultNetworkCardIndex ?? 0),
  );
  const ebs = info.EbsInfo?.EbsOptimizedInfo;
  const storage = info.InstanceStorageInfo;
  return {
    name,
    family,
    series,
    generation,
    attributes,
    size,
    currentGeneration: info.CurrentGeneration ?? false,
    vcpus,
    defaultCores: info.VCpuInfo?.DefaultCores ?? Math.max(1, Math.round(vcpus / threadsPerCore)),
    defaultThreadsPerCore: threadsPerCore,
    memoryMiB: info.MemoryInfo?.SizeInMiB ?? 0,
    architectures: [...(info.ProcessorInfo?.SupportedArchitectures ?? [])].sort(),
    manufacturer: info.ProcessorInfo?.Manufacturer ?? null,
    sustainedClockGhz: info.ProcessorInfo?.SustainedClockSpeedInGhz ?? null,
    bareMetal: info.BareMetal ?? false,
    hypervisor: info.Hypervisor ?? null,
    burstable: info.BurstablePerformanceSupported ?? false,
    network: {
      performance: info.NetworkInfo?.NetworkPerformance ?? "unknown",
      baselineBandwidthGbps: networkCard?.BaselineBandwidthInGbps ?? null,
      peakBandwidthGbps: networkCard?.PeakBandwidthInGbps ?? null,
      maximumNetworkInterfaces: info.NetworkInfo?.MaximumNetworkInterfaces ?? 0,
      efaSupported: info.NetworkInfo?.EfaSupported ?? false,
      enaSupport: info.NetworkInfo?.EnaSupport ?? null,
    },
    ebs: {
      optimizedSupport: info.EbsInfo?.EbsOptimizedSupport ?? null,
      baselineBandwidthMbps: ebs?.BaselineBandwidthInMbps ?? null,
      maximumBandwidthMbps: ebs?.MaximumBandwidthInMbps ?? null,
      baselineIops: ebs?.BaselineIops ?? null,
      maximumIops: ebs?.MaximumIops ?? null,
      nvmeSupport: info.EbsInfo?.NvmeSupport ?? null,
    },
    instanceStorage:
      storage && info.InstanceStorageSupported !== false
        ? {
            totalSizeGb: storage.TotalSizeInGB ?? 0,
            disks: (storage.Disks ?? []).map((disk) => ({
              count: disk.Count ?? 0,
              sizeGb: disk.SizeInGB ?? 0,
              type: disk.Type ?? "unknown",
            })),
            nvmeSupport: storage.NvmeSupport ?? null,
          }
        : null,
    gpus: (info.GpuInfo?.Gpus ?? []).map((gpu) => deviceOf(gpu)),
    accelerators: acceleratorsOf(info),
    usageClasses: [...(info.SupportedUsageClasses ?? [])].sort(),
  };
}

/** The shape GPUs, FPGAs and accelerators share in DescribeInstanceTypes. */
interface SdkDevice {
  Manufacturer?: string | undefined;
  Name?: string | undefined;
  Count?: number | undefined;
  MemoryInfo?: { SizeInMiB?: number | undefined } | undefined;
}

function deviceOf(device: SdkDevice, manufacturer = device.Manufacturer): Device {
  return {
    manufacturer: manufacturer ?? "unknown",
    name: device.Name ?? "unknown",
    count: device.Count ?? 0,
    memoryMiB: device.MemoryInfo?.SizeInMiB ?? null,
  };
}

function acceleratorsOf(info: InstanceTypeInfo): Accelerator[] {
  const neuron = (info.NeuronInfo?.NeuronDevices ?? []).map((device) => ({
    kind: "neuron" as const,
    ...deviceOf(device, "AWS"),
  }));
  const neuronNames = new Set(neuron.map((device) => device.name));
  // Inferentia appears both as an inference accelerator and as a Neuron device: count it once.
  const inference = (info.InferenceAcceleratorInfo?.Accelerators ?? [])
    .filter((device) => !neuronNames.has(device.Name ?? ""))
    .map((device) => ({ kind: "inference" as const, ...deviceOf(device) }));
  const fpga = (info.FpgaInfo?.Fpgas ?? []).map((device) => ({ kind: "fpga" as const, ...deviceOf(device) }));
  const media = (info.MediaAcceleratorInfo?.Accelerators ?? []).map((device) => ({
    kind: "media" as const,
    ...deviceOf(device),
  }));
  return [...neuron, ...inference, ...fpga, ...media];
}

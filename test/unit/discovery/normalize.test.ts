import type { InstanceTypeInfo } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { normalizeInstanceType } from "../../../src/discovery/normalize.js";
import { assertDocument } from "../../../src/schemas/documents.js";
import { instanceTypeInfo, sampleInstanceTypes } from "../../helpers/instance-types.js";

describe("normalizeInstanceType", () => {
  it("flattens InstanceTypeInfo into the catalogue record", () => {
    const record = normalizeInstanceType(
      instanceTypeInfo({
        name: "m7i.large",
        vcpus: 2,
        memoryMiB: 8192,
        architectures: ["x86_64"],
        manufacturer: "Intel",
        clockGhz: 3.2,
      }),
    );
    expect(record).toMatchObject({
      name: "m7i.large",
      family: "m7i",
      series: "m",
      generation: 7,
      size: "large",
      vcpus: 2,
      defaultCores: 1,
      defaultThreadsPerCore: 2,
      memoryMiB: 8192,
      architectures: ["x86_64"],
      manufacturer: "Intel",
      sustainedClockGhz: 3.2,
      bareMetal: false,
      hypervisor: "nitro",
      burstable: false,
      network: { performance: "Up to 12.5 Gigabit", baselineBandwidthGbps: 0.781, peakBandwidthGbps: 12.5 },
      ebs: { baselineBandwidthMbps: 650, maximumIops: 40000 },
      instanceStorage: null,
      gpus: [],
      accelerators: [],
      usageClasses: ["on-demand", "spot"],
    });
  });

  it("keeps devices and local disks, counting an Inferentia listed twice once", () => {
    const info: InstanceTypeInfo = {
      ...instanceTypeInfo({
        name: "inf2.xlarge",
        vcpus: 4,
        memoryMiB: 16384,
        architectures: ["x86_64"],
        manufacturer: "AMD",
      }),
      InstanceStorageSupported: true,
      InstanceStorageInfo: {
        TotalSizeInGB: 474,
        Disks: [{ Count: 1, SizeInGB: 474, Type: "ssd" }],
        NvmeSupport: "required",
      },
      InferenceAcceleratorInfo: {
        Accelerators: [{ Count: 1, Name: "Inferentia2", Manufacturer: "AWS", MemoryInfo: { SizeInMiB: 32768 } }],
      },
      NeuronInfo: { NeuronDevices: [{ Count: 1, Name: "Inferentia2", MemoryInfo: { SizeInMiB: 32768 } }] },
      FpgaInfo: { Fpgas: [{ Count: 1, Name: "VU47P", Manufacturer: "Xilinx" }] },
    };
    const record = normalizeInstanceType(info);
    expect(record.instanceStorage).toEqual({
      totalSizeGb: 474,
      disks: [{ count: 1, sizeGb: 474, type: "ssd" }],
      nvmeSupport: "required",
    });
    expect(record.accelerators).toEqual([
      { kind: "neuron", manufacturer: "AWS", name: "Inferentia2", count: 1, memoryMiB: 32768 },
      { kind: "fpga", manufacturer: "Xilinx", name: "VU47P", count: 1, memoryMiB: null },
    ]);
  });

  it("produces records the catalogue schema accepts", async () => {
    const records = sampleInstanceTypes().map(normalizeInstanceType);
    await expect(
      assertDocument(
        "instance-catalog",
        { schemaVersion: 1, source: { kind: "file", asOf: "2026-08-01" }, instanceTypes: records },
        "sample",
      ),
    ).resolves.toBeTruthy();
    const metal = records.find((r) => r.name === "mac2-m2.metal");
    expect(metal).toMatchObject({ bareMetal: true, hypervisor: null, architectures: ["arm64_mac"] });
    expect(records.find((r) => r.name === "g5.xlarge")?.gpus).toEqual([
      { manufacturer: "NVIDIA", name: "A10G", count: 1, memoryMiB: 24576 },
    ]);
  });
});

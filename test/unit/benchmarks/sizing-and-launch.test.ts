import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fp64FlopsPerCycle, peakFlops } from "../../../src/benchmarks/host-capacity.js";
import { blockSize, predictHplSeconds, processGrid, sizeHpl } from "../../../src/benchmarks/hpl/sizing.js";
import { estimateStreamSeconds, sizeStream } from "../../../src/benchmarks/stream/sizing.js";
import { coremarkCompileArgs } from "../../../src/benchmarks/coremark/launch.js";
import { hpccInput } from "../../../src/benchmarks/hpcc/launch.js";
import { hplDat } from "../../../src/benchmarks/hpl/launch.js";
import { mpirunArgs } from "../../../src/benchmarks/launch.js";
import { streamCompileArgs, streamConfigurations } from "../../../src/benchmarks/stream/launch.js";

/** Hosts shaped like EC2's: 1 to 192 cores, 1 or 2 sockets, caches and memory in catalogue ranges. */
const hosts = fc.record({
  architecture: fc.constantFrom("x86_64" as const, "arm64" as const),
  cores: fc.integer({ min: 1, max: 192 }),
  sockets: fc.constantFrom(1, 2),
  clockGhz: fc.double({ min: 1.8, max: 5, noNaN: true }),
  lastLevelCacheBytes: fc.integer({ min: 1, max: 1024 }).map((mib) => mib * 1024 ** 2),
  availableMemoryMiB: fc.integer({ min: 512, max: 24 * 1024 * 1024 }),
  flags: fc
    .constantFrom(["avx", "avx2", "fma"], ["avx", "avx2", "fma", "avx512f"], ["fp", "asimd"], ["fp", "asimd", "sve"])
    .map((flags) => [...flags]),
});

describe("STREAM sizing", () => {
  it("follows STREAM's rules on a known host", () => {
    const sizing = sizeStream({
      architecture: "x86_64",
      lastLevelCacheBytes: 480 * 1024 ** 2,
      availableMemoryMiB: 23_000,
    });
    // 251 M elements per array: three static arrays are past the small code model's reach.
    expect(sizing).toMatchObject({
      arraySize: 251_658_240,
      ntimes: 20,
      limitedBy: "last-level-cache",
      mcmodelMedium: true,
    });
    expect(
      sizeStream({ architecture: "x86_64", lastLevelCacheBytes: 32 * 1024 ** 2, availableMemoryMiB: 8000 }),
    ).toMatchObject({ arraySize: 16_777_216, limitedBy: "last-level-cache", mcmodelMedium: false });
    expect(
      sizeStream({ architecture: "arm64", lastLevelCacheBytes: 1024 ** 2, availableMemoryMiB: 8000 }),
    ).toMatchObject({ arraySize: 10_000_000, limitedBy: "minimum-elements" });
    const big = sizeStream({
      architecture: "x86_64",
      lastLevelCacheBytes: 1024 * 1024 ** 2,
      availableMemoryMiB: 2_000_000,
    });
    expect(big.mcmodelMedium).toBe(true);
    expect(
      sizeStream({ architecture: "arm64", lastLevelCacheBytes: 1024 * 1024 ** 2, availableMemoryMiB: 2_000_000 })
        .mcmodelMedium,
    ).toBe(false);
  });

  it("records overrides and memory limits with a note", () => {
    const small = sizeStream({ architecture: "x86_64", lastLevelCacheBytes: 64 * 1024 ** 2, availableMemoryMiB: 100 });
    expect(small.limitedBy).toBe("available-memory");
    expect(small.notes[0]).toMatch(/available memory limits the arrays/);
    const override = sizeStream(
      { architecture: "x86_64", lastLevelCacheBytes: 64 * 1024 ** 2, availableMemoryMiB: 8000 },
      { arraySize: 1000, ntimes: 5 },
    );
    expect(override).toMatchObject({ arraySize: 1000, ntimes: 10, limitedBy: "override" });
    const host = { architecture: "x86_64" as const, lastLevelCacheBytes: 64 * 1024 ** 2, availableMemoryMiB: 8000 };
    expect(sizeStream(host).ntimes).toBe(20);
    expect(sizeStream(host, { quick: true }).ntimes).toBe(10);
    expect(sizeStream(host, { quick: true, ntimes: 30 }).ntimes).toBe(30);
    expect(override.notes[0]).toMatch(/below STREAM's rule/);
  });

  it("never exceeds 60 % of memory and otherwise meets both minimums, on any host", () => {
    fc.assert(
      fc.property(hosts, (host) => {
        const sizing = sizeStream(host);
        const rule = Math.max(10_000_000, Math.ceil((4 * host.lastLevelCacheBytes) / 8));
        if (sizing.limitedBy === "available-memory")
          expect(3 * sizing.bytesPerArray).toBeLessThanOrEqual(0.6 * host.availableMemoryMiB * 1024 ** 2 + 24);
        else expect(sizing.arraySize).toBe(rule);
        expect(sizing.ntimes).toBeGreaterThanOrEqual(10);
        // The small code model's limit: the two arrays before the last one (16 bytes per element) plus the
        // program's other code and data within 2 GiB, with 64 MiB to spare.
        expect(sizing.mcmodelMedium).toBe(
          host.architecture === "x86_64" && 2 * sizing.bytesPerArray > 2 * 1024 ** 3 - 64 * 1024 ** 2,
        );
        expect(estimateStreamSeconds(sizing, host, host.cores)).toBeGreaterThan(0);
      }),
    );
  });

  it("predicts longer runs for bigger arrays and fewer threads", () => {
    const host = { sockets: 1 };
    expect(estimateStreamSeconds({ arraySize: 2e8, ntimes: 10 }, host, 8)).toBeGreaterThan(
      estimateStreamSeconds({ arraySize: 1e8, ntimes: 10 }, host, 8),
    );
    expect(estimateStreamSeconds({ arraySize: 1e8, ntimes: 10 }, host, 1)).toBeGreaterThan(
      estimateStreamSeconds({ arraySize: 1e8, ntimes: 10 }, host, 8),
    );
  });
});

describe("HPL sizing", () => {
  it("bounds N by time on this kind of host and by memory with top500 sizing", () => {
    const host = {
      architecture: "x86_64" as const,
      flags: ["avx2", "fma", "avx512f"],
      cores: 2,
      clockGhz: 2.6,
      availableMemoryMiB: 23_000,
    };
    expect(peakFlops(host)).toBeCloseTo(2 * 2.6e9 * 32, 0);
    const timed = sizeHpl(host, { minutes: 1 });
    expect(timed).toMatchObject({ nb: 256, p: 1, q: 2, ranks: 2, threadsPerRank: 1, limitedBy: "time" });
    expect(timed.n % 256).toBe(0);
    expect(timed.predictedSeconds).toBeLessThanOrEqual(60);
    const top500 = sizeHpl(host, { sizing: "top500" });
    expect(top500.limitedBy).toBe("memory");
    expect(8 * top500.n ** 2).toBeLessThanOrEqual(0.8 * 23_000 * 1024 ** 2);
    expect(8 * (top500.n + 256) ** 2).toBeGreaterThan(0.8 * 23_000 * 1024 ** 2);
    expect(sizeHpl(host, { n: 1000, nb: 100 })).toMatchObject({ n: 1000, nb: 100, limitedBy: "override" });
  });

  it("keeps N a multiple of NB, within memory and within the time budget, on any host", () => {
    fc.assert(
      fc.property(hosts, fc.double({ min: 0.5, max: 60, noNaN: true }), (host, minutes) => {
        const sizing = sizeHpl(host, { minutes });
        expect(sizing.n % sizing.nb).toBe(0);
        expect(sizing.p * sizing.q).toBe(host.cores);
        expect(sizing.p).toBeLessThanOrEqual(sizing.q);
        if (sizing.n > sizing.nb) {
          expect(8 * sizing.n ** 2).toBeLessThanOrEqual(0.8 * host.availableMemoryMiB * 1024 ** 2);
          expect(sizing.predictedSeconds).toBeLessThanOrEqual(minutes * 60 + 1e-6);
          // The next multiple of NB would break the limit that was reported.
          const next = sizing.n + sizing.nb;
          if (sizing.limitedBy === "memory")
            expect(8 * next ** 2).toBeGreaterThan(0.8 * host.availableMemoryMiB * 1024 ** 2);
          else
            expect(predictHplSeconds(next, sizing.peakGflops * 1e9, sizing.efficiency)).toBeGreaterThan(minutes * 60);
        }
      }),
    );
  });

  it("chooses the squarest grid with P ≤ Q", () => {
    expect([1, 2, 4, 6, 8, 12, 16, 48, 96, 7].map((ranks) => processGrid(ranks))).toEqual([
      { p: 1, q: 1 },
      { p: 1, q: 2 },
      { p: 2, q: 2 },
      { p: 2, q: 3 },
      { p: 2, q: 4 },
      { p: 3, q: 4 },
      { p: 4, q: 4 },
      { p: 6, q: 8 },
      { p: 8, q: 12 },
      { p: 1, q: 7 },
    ]);
  });

  it("reads FLOPs per cycle and NB from the vector units", () => {
    expect(fp64FlopsPerCycle({ architecture: "x86_64", flags: ["avx2", "fma", "avx512f"] })).toBe(32);
    expect(fp64FlopsPerCycle({ architecture: "x86_64", flags: ["avx2", "fma"] })).toBe(16);
    expect(fp64FlopsPerCycle({ architecture: "x86_64", flags: ["avx"] })).toBe(8);
    expect(fp64FlopsPerCycle({ architecture: "arm64", flags: ["asimd", "sve"] })).toBe(16);
    expect(fp64FlopsPerCycle({ architecture: "arm64", flags: ["asimd"] })).toBe(8);
    expect(blockSize({ architecture: "arm64", flags: ["sve"] })).toBe(192);
  });
});

describe("launch lines", () => {
  const host = {
    architecture: "x86_64" as const,
    cores: 4,
    logicalCpus: 8,
    smt: true,
    firstThreadOfEachCore: [0, 1, 2, 3],
    numaNodes: [
      { id: 0, cpus: [0, 1, 4, 5] },
      { id: 1, cpus: [2, 3, 6, 7] },
    ],
  };

  it("builds STREAM natively with the sized constants", () => {
    expect(
      streamCompileArgs(host, { arraySize: 300_000_000, ntimes: 20, mcmodelMedium: true }, "s/stream.c", "b/stream"),
    ).toEqual([
      "-O3",
      "-march=native",
      "-fopenmp",
      "-DSTREAM_ARRAY_SIZE=300000000",
      "-DNTIMES=20",
      "-mcmodel=medium",
      "s/stream.c",
      "-o",
      "b/stream",
    ]);
    expect(
      streamCompileArgs({ architecture: "arm64" }, { arraySize: 1, ntimes: 10, mcmodelMedium: false }, "a", "b")[1],
    ).toBe("-mcpu=native");
  });

  it("reports the headline, vCPU, per-node and single-thread configurations", () => {
    const configurations = streamConfigurations(host, "/usr/bin/numactl");
    expect(configurations.map((c) => c.id)).toEqual([
      "all-cores-spread",
      "all-vcpus",
      "numa-node-0",
      "numa-node-1",
      "single-thread",
    ]);
    expect(configurations[0]).toMatchObject({
      env: { OMP_NUM_THREADS: "4", OMP_PROC_BIND: "spread", OMP_PLACES: "cores" },
      prefix: [],
    });
    expect(configurations[1]?.env).toMatchObject({ OMP_NUM_THREADS: "8", OMP_PLACES: "threads" });
    expect(configurations[2]).toMatchObject({
      prefix: ["/usr/bin/numactl", "--cpunodebind=0", "--membind=0"],
      threads: 2,
    });
    expect(streamConfigurations({ ...host, smt: false, logicalCpus: 4 }).map((c) => c.id)).toEqual([
      "all-cores-spread",
      "single-thread",
    ]);
  });

  it("writes HPL and HPCC inputs for the sized problem", () => {
    const dat = hplDat({ n: 20480, nb: 256, p: 2, q: 4 });
    expect(dat.split("\n")[3]).toMatch(/^6 +device out/);
    expect(dat).toMatch(/^20480 +Ns$/m);
    expect(dat).toMatch(/^2 +Ps$/m);
    expect(dat).toMatch(/^4 +Qs$/m);
    expect(dat).toMatch(/^16\.0 +threshold$/m);
    const hpcc = hpccInput({ n: 6000, nb: 192, p: 1, q: 2 });
    expect(hpcc.split("\n")[3]).toMatch(/^8 +device out/);
    expect(hpcc.split("\n")[31]).toMatch(/^##### This line \(no\. 32\) is ignored/);
    expect(mpirunArgs(4, true)).toEqual(["--allow-run-as-root", "-np", "4", "--bind-to", "core", "--map-by", "core"]);
    expect(mpirunArgs(1, false)[0]).toBe("-np");
  });

  it("builds CoreMark with one PThread context per vCPU", () => {
    const args = coremarkCompileArgs(host, 8, "src", "src/posix", "out");
    expect(args).toEqual(
      expect.arrayContaining([
        "-DMULTITHREAD=8",
        "-DUSE_PTHREAD",
        "-DITERATIONS=0",
        "src/core_main.c",
        "src/posix/core_portme.c",
        "-Isrc/posix",
      ]),
    );
    expect(coremarkCompileArgs(host, 1, "s", "s/posix", "o")).not.toContain("-DUSE_PTHREAD");
  });
});

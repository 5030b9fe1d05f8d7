import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseCpuList, parseCpuinfo, probeHost } from "../../../src/runner/host-probe.js";
import { output } from "../../helpers/fixtures.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const tempDir = useTempDir();

/** A fake /proc and /sys for a two-socket host: 2 × 4 cores, SMT 2, one L3 per socket, two NUMA nodes. */
function fakeTwoSocketHost(): string {
  const root = tempDir();
  const write = (path: string, text: string) => {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const cpuinfo: string[] = [];
  for (let cpu = 0; cpu < 16; cpu++) {
    const socket = cpu < 8 ? 0 : 1;
    const core = cpu % 4; // cpus 0-3 and 4-7 are SMT siblings on socket 0
    // An idle core reports 800 MHz; cpufreq's base frequency says 2.4 GHz.
    cpuinfo.push(
      `processor\t: ${cpu}\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Platinum 8488C\nmicrocode\t: 0x2b000590\ncpu MHz\t\t: 800.000\nflags\t\t: fpu avx avx2 fma avx512f\n`,
    );
    const base = `sys/devices/system/cpu/cpu${cpu}`;
    write(`${base}/topology/physical_package_id`, `${socket}\n`);
    write(`${base}/cpufreq/base_frequency`, "2400000\n");
    write(`${base}/topology/core_id`, `${core}\n`);
    const first = socket * 8;
    write(`${base}/cache/index0/level`, "1\n");
    write(`${base}/cache/index0/type`, "Data\n");
    write(`${base}/cache/index0/size`, "48K\n");
    write(`${base}/cache/index0/shared_cpu_list`, `${first + core},${first + core + 4}\n`);
    write(`${base}/cache/index3/level`, "3\n");
    write(`${base}/cache/index3/type`, "Unified\n");
    write(`${base}/cache/index3/size`, "107520K\n");
    write(`${base}/cache/index3/shared_cpu_list`, `${first}-${first + 7}\n`);
  }
  write("proc/cpuinfo", cpuinfo.join("\n"));
  write("sys/devices/system/cpu/online", "0-15\n");
  write("sys/devices/system/node/node0/cpulist", "0-7\n");
  write("sys/devices/system/node/node0/meminfo", "Node 0 MemTotal:       65536000 kB\n");
  write("sys/devices/system/node/node1/cpulist", "8-15\n");
  write("sys/devices/system/node/node1/meminfo", "Node 1 MemTotal:       65536000 kB\n");
  write("proc/meminfo", "MemTotal:       131072000 kB\nMemFree:        1000 kB\nMemAvailable:   120000000 kB\n");
  write("proc/sys/kernel/osrelease", "6.1.0-test\n");
  return root;
}

describe("probeHost", () => {
  it("reads sockets, cores, SMT, caches and NUMA nodes from /proc and /sys alone", async () => {
    const { host, identity } = await probeHost({ root: fakeTwoSocketHost(), imds: false });
    expect(identity).toBeUndefined();
    expect(host).toMatchObject({
      cpuModel: "Intel(R) Xeon(R) Platinum 8488C",
      cpuVendor: "GenuineIntel",
      microcode: "0x2b000590",
      clockGhz: 2.4,
      sockets: 2,
      cores: 8,
      threadsPerCore: 2,
      logicalCpus: 16,
      smt: true,
      firstThreadOfEachCore: [0, 1, 2, 3, 8, 9, 10, 11],
      lastLevelCacheBytes: 2 * 107520 * 1024,
      memoryMiB: 128000,
      availableMemoryMiB: 117188,
      kernel: "6.1.0-test",
    });
    expect(host.caches).toEqual([
      { level: 1, type: "Data", sizeBytes: 48 * 1024, instances: 8 },
      { level: 3, type: "Unified", sizeBytes: 107520 * 1024, instances: 2 },
    ]);
    expect(host.numaNodes).toEqual([
      { id: 0, cpus: [0, 1, 2, 3, 4, 5, 6, 7], memoryMiB: 64000 },
      { id: 1, cpus: [8, 9, 10, 11, 12, 13, 14, 15], memoryMiB: 64000 },
    ]);
    expect(host.flags).toContain("avx512f");
  });

  it("takes the clock from the model name when cpufreq says nothing", async () => {
    const root = tempDir();
    mkdirSync(join(root, "proc"), { recursive: true });
    writeFileSync(
      join(root, "proc", "cpuinfo"),
      "processor\t: 0\nmodel name\t: Intel(R) Xeon(R) CPU E5-2686 v4 @ 2.30GHz\ncpu MHz\t\t: 1200.000\n",
    );
    expect((await probeHost({ root, imds: false })).host.clockGhz).toBe(2.3);
  });

  it("still answers on a bare root with nothing to read", async () => {
    const { host } = await probeHost({ root: tempDir(), imds: false });
    expect(host).toMatchObject({
      cpuModel: "unknown",
      logicalCpus: 1,
      cores: 1,
      numaNodes: [{ id: 0, cpus: [] }],
      lastLevelCacheBytes: 0,
    });
  });

  it("reads EC2 placement through IMDSv2 and keeps the identity document apart", async () => {
    const document = JSON.stringify({
      accountId: "123456789012",
      instanceId: "i-0123456789abcdef0",
      instanceType: "m7i.large",
      region: "us-east-1",
      imageId: "ami-0abcdef1234567890",
    });
    const server = createServer((request, response) => {
      if (request.method === "PUT" && request.url === "/latest/api/token") return response.end("token-1");
      if (request.headers["x-aws-ec2-metadata-token"] !== "token-1") return response.writeHead(401).end();
      if (request.url === "/latest/dynamic/instance-identity/document") return response.end(document);
      if (request.url === "/latest/dynamic/instance-identity/pkcs7")
        return response.end("MIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglg");
      if (request.url === "/latest/meta-data/placement/availability-zone-id") return response.end("use1-az4");
      return response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { host, identity } = await probeHost({ root: tempDir(), imdsEndpoint: endpoint });
      expect(host.ec2).toEqual({
        instanceType: "m7i.large",
        region: "us-east-1",
        availabilityZoneId: "use1-az4",
        amiId: "ami-0abcdef1234567890",
      });
      expect(JSON.stringify(host)).not.toMatch(/123456789012|i-0123456789abcdef0/);
      expect(identity?.document).toBe(document);
      expect(identity?.pkcs7).toMatch(/^MIAG/);
    } finally {
      server.close();
    }
  });

  it("gives up on IMDS quickly where there is none", async () => {
    const started = Date.now();
    const { host } = await probeHost({ root: tempDir(), imdsEndpoint: "http://127.0.0.1:9", imdsTimeoutMs: 500 });
    expect(host.ec2).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe("cpuinfo and CPU lists", () => {
  it("parses the shared fixture of a real AMD EPYC guest", () => {
    const info = parseCpuinfo(output("shared/sysinfo-proc-cpuinfo-head40.txt"));
    expect(info).toMatchObject({
      model: "AMD EPYC",
      vendor: "AuthenticAMD",
      microcode: "0x1000065",
      mhz: 2596.126,
      isArm: false,
    });
    expect(info.flags).toContain("avx512f");
  });

  it("names Arm cores from implementer and part", () => {
    const info = parseCpuinfo("processor\t: 0\nFeatures\t: fp asimd sve\nCPU implementer\t: 0x41\nCPU part\t: 0xd40\n");
    expect(info).toMatchObject({ isArm: true, vendor: "ARM", model: "Arm Neoverse V1", flags: ["fp", "asimd", "sve"] });
  });

  it("expands kernel CPU lists", () => {
    expect(parseCpuList("0-3,8,10-11")).toEqual([0, 1, 2, 3, 8, 10, 11]);
    expect(parseCpuList("")).toEqual([]);
  });
});

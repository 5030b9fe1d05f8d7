import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { verifyIdentity } from "../../../src/community/identity.js";
import { imdsLimits, parseCpuList, parseCpuinfo, probeHost } from "../../../src/runner/host-probe.js";
import { runLocal } from "../../../src/runner/local-run.js";
import { ProcessGroupSet } from "../../../src/runner/processes.js";
import { startFakeImds } from "../../helpers/corpus.js";
import { output } from "../../helpers/fixtures.js";
import { makeTestIdentityAuthority } from "../../helpers/identity-ca.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const tempDir = useTempDir();

/**
 * An IMDSv2 on 127.0.0.1 answering `answers` by path (token required), recording the paths asked for; `chunked`
 * sends each answer in 1 KiB writes without a declared length.
 */
async function startImds(answers: Record<string, string>, options: { chunked?: boolean } = {}) {
  const requested: string[] = [];
  const server = createServer((request, response) => {
    if (request.method === "PUT" && request.url === "/latest/api/token") return response.end("token-1");
    if (request.headers["x-aws-ec2-metadata-token"] !== "token-1") return response.writeHead(401).end();
    requested.push(request.url ?? "");
    const answer = answers[request.url ?? ""];
    if (answer === undefined) return response.writeHead(404).end();
    if (!options.chunked) return response.end(answer);
    for (let at = 0; at < answer.length; at += 1024) response.write(answer.slice(at, at + 1024));
    return response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requested,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

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

  it("reads EC2 placement through IMDSv2 and keeps the identity document's exact bytes and its rsa2048 and RSA signatures apart", async () => {
    // Pretty-printed as IMDS serves it; the bytes, not a re-serialisation, are what AWS signed.
    const document = `{\n  "accountId" : "123456789012",\n  "instanceId" : "i-0123456789abcdef0",\n  "instanceType" : "m7i.large",\n  "region" : "us-east-1",\n  "imageId" : "ami-0abcdef1234567890"\n}`;
    const { endpoint, requested, close } = await startImds({
      "/latest/dynamic/instance-identity/document": document,
      "/latest/dynamic/instance-identity/rsa2048":
        "MIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0BBwE=\n",
      "/latest/dynamic/instance-identity/signature": "cGxhY2Vob2xkZXI=",
      "/latest/dynamic/instance-identity/pkcs7": "MIAGCSqGSIb3DQEHAqCAMIACAQExCzAJBgUrDgMCGgUA",
      "/latest/meta-data/placement/availability-zone-id": "use1-az4",
    });
    try {
      const { host, identity } = await probeHost({ root: tempDir(), imdsEndpoint: endpoint });
      expect(host.ec2).toEqual({
        instanceType: "m7i.large",
        region: "us-east-1",
        availabilityZoneId: "use1-az4",
        amiId: "ami-0abcdef1234567890",
      });
      expect(JSON.stringify(host)).not.toMatch(/123456789012|i-0123456789abcdef0/);
      expect(identity?.document.equals(Buffer.from(document))).toBe(true);
      expect(identity?.rsa2048).toBe("MIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0BBwE=");
      expect(identity?.signature).toBe("cGxhY2Vob2xkZXI=");
      // The DSA/SHA-1 pkcs7 is never enough, so it is not even asked for.
      expect(requested).not.toContain("/latest/dynamic/instance-identity/pkcs7");
      expect(Object.keys(identity ?? {}).sort()).toEqual(["document", "rsa2048", "signature"]);
    } finally {
      await close();
    }
  });

  it("does not read an IMDS answer past its bound, declared or streamed", async () => {
    const document = JSON.stringify({ instanceType: "m7i.large", region: "us-east-1" });
    const oversized = await startImds({
      "/latest/dynamic/instance-identity/document": document,
      "/latest/dynamic/instance-identity/rsa2048": "A".repeat(imdsLimits.rsa2048Bytes + 4),
      "/latest/dynamic/instance-identity/signature": "cGxhY2Vob2xkZXI=",
    });
    try {
      const { host, identity } = await probeHost({ root: tempDir(), imdsEndpoint: oversized.endpoint });
      expect(host.ec2?.instanceType).toBe("m7i.large");
      expect(identity?.rsa2048).toBeUndefined();
      expect(identity?.signature).toBe("cGxhY2Vob2xkZXI=");
    } finally {
      await oversized.close();
    }
    // A document sent in chunks without a declared length, longer than any real one: not EC2, no identity at all.
    const padded = JSON.stringify({
      instanceType: "m7i.large",
      region: "us-east-1",
      padding: "x".repeat(imdsLimits.documentBytes),
    });
    const streamed = await startImds({ "/latest/dynamic/instance-identity/document": padded }, { chunked: true });
    try {
      const { host, identity } = await probeHost({ root: tempDir(), imdsEndpoint: streamed.endpoint });
      expect(host.ec2).toBeUndefined();
      expect(identity).toBeUndefined();
    } finally {
      await streamed.close();
    }
  });

  it("keeps the identity in private/ (0700, files 0600) where it verifies against the region's certificate", async () => {
    const dir = tempDir();
    const authority = makeTestIdentityAuthority(join(dir, "authority"));
    const imds = await startFakeImds((document) => ({
      rsa2048: authority.signDocument(document),
      signature: authority.signRsa(document),
    }));
    try {
      const outDir = join(dir, "out");
      await runLocal(
        {
          benchmarks: [],
          quick: true,
          outDir,
          cwd: dir,
          env: { PATH: "/usr/bin:/bin", HOME: dir },
          programs: {},
          sources: {},
          imds: true,
          imdsEndpoint: imds.endpoint,
          imageRoot: join(dir, "no-image"),
          progress: () => undefined,
        },
        new ProcessGroupSet(),
      );
      const privateDir = join(outDir, "private");
      expect(statSync(privateDir).mode & 0o777).toBe(0o700);
      expect(readdirSync(privateDir).sort()).toEqual([
        "instance-identity.json",
        "instance-identity.rsa2048",
        "instance-identity.signature",
      ]);
      for (const file of readdirSync(privateDir))
        expect(statSync(join(privateDir, file)).mode & 0o777, file).toBe(0o600);
      const kept = (name: string) => readFileSync(join(privateDir, name));
      const input = {
        document: kept("instance-identity.json"),
        rsa2048: kept("instance-identity.rsa2048").toString("utf8"),
      };
      expect(verifyIdentity(input, authority.catalogue)).toMatchObject({
        status: "verified",
        document: { region: "us-east-1" },
      });
      const weak = { document: input.document, signature: kept("instance-identity.signature").toString("utf8") };
      expect(verifyIdentity(weak, authority.catalogue).status).toBe("weak");
    } finally {
      await imds.close();
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

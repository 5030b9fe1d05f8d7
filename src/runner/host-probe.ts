/**
 * What the runner knows about the host, read from /proc and /sys (no lscpu or numactl needed): CPU model,
 * vendor and microcode, sockets, cores, threads per core, caches per level, NUMA nodes with their CPUs and
 * memory, total and available memory, kernel, compiler; and on EC2 (IMDSv2, given up on within about a
 * second elsewhere) the instance type, region, zone ID and AMI. The signed instance identity document holds
 * the account and instance ids, so it is returned apart from the host description and never enters a result.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { arch, release } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { CacheLevel, Ec2Placement, HostProbe, NumaNode } from "../benchmarks/host.js";

const run = promisify(execFile);

/** The host description lives with the benchmarks that size themselves from it; re-exported for the runner's callers. */

/**
 * The signed instance identity document: holds the account and instance ids, so it is kept out of results. Of its
 * three signatures only `rsa2048` can verify a contribution; `signature` is kept as a weak fallback, and the
 * DSA/SHA-1 `pkcs7` is not fetched at all (it could never be enough).
 */
export interface InstanceIdentity {
  /** The JSON document, the exact bytes IMDS served (they are what AWS signed). */
  document: Buffer;
  /** /latest/dynamic/instance-identity/rsa2048: base64 CMS SignedData over the document (SHA-256, RSA-2048). */
  rsa2048?: string;
  /** /latest/dynamic/instance-identity/signature: base64 RSA-1024 PKCS#1 v1.5 SHA-256 over the document. */
  signature?: string;
}

/**
 * The most IMDS may send for each answer: a real document is under 1 KiB, rsa2048 under 2 KiB of base64 and the
 * RSA signature 172 characters, so anything past these bounds is not EC2 talking and is not read further.
 */
export const imdsLimits = {
  tokenBytes: 1024,
  documentBytes: 8 * 1024,
  rsa2048Bytes: 16 * 1024,
  signatureBytes: 4 * 1024,
  metadataBytes: 1024,
} as const;

/** Options of {@link probeHost}. */
export interface ProbeOptions {
  /** Root of the file system to read (tests point it at a fake /proc and /sys). */
  root?: string;
  /** Ask the EC2 instance metadata service (default true). */
  imds?: boolean;
  /** IMDS base URL (tests point it at a local server). */
  imdsEndpoint?: string;
  /** Give up on IMDS after this many milliseconds. */
  imdsTimeoutMs?: number;
}

/** Probes the host; never fails for a missing file, only reports less. */
export async function probeHost(options: ProbeOptions = {}): Promise<{ host: HostProbe; identity?: InstanceIdentity }> {
  const root = options.root ?? "/";
  const read = (path: string): string | undefined => {
    try {
      return readFileSync(join(root, path), "utf8");
    } catch {
      return undefined;
    }
  };
  const cpuinfo = parseCpuinfo(read("proc/cpuinfo") ?? "");
  const online = parseCpuList(read("sys/devices/system/cpu/online")?.trim() ?? "");
  const cpus = online.length > 0 ? online : cpuinfo.processors;
  const topology = cpus.map((cpu) => ({
    cpu,
    socket: Number(read(`sys/devices/system/cpu/cpu${cpu}/topology/physical_package_id`) ?? 0),
    core: Number(read(`sys/devices/system/cpu/cpu${cpu}/topology/core_id`) ?? cpu),
  }));
  const coreKeys = new Map<string, number>();
  for (const { cpu, socket, core } of topology) {
    const key = `${socket}:${core}`;
    if (!coreKeys.has(key)) coreKeys.set(key, cpu);
  }
  const sockets = new Set(topology.map((t) => t.socket)).size || 1;
  const cores = coreKeys.size || cpus.length || 1;
  const logicalCpus = cpus.length || 1;
  const caches = readCaches(root, cpus, read);
  const lastLevel = caches.filter((c) => c.type !== "Instruction").sort((a, b) => b.level - a.level)[0];
  const meminfo = parseMeminfo(read("proc/meminfo") ?? "");
  const host: HostProbe = {
    architecture: arch() === "arm64" || cpuinfo.isArm ? "arm64" : "x86_64",
    cpuModel: cpuinfo.model ?? "unknown",
    cpuVendor: cpuinfo.vendor ?? "unknown",
    ...(cpuinfo.microcode ? { microcode: cpuinfo.microcode } : {}),
    flags: cpuinfo.flags,
    ...nominalClock(read, cpuinfo),
    sockets,
    cores,
    threadsPerCore: Math.max(1, Math.round(logicalCpus / cores)),
    logicalCpus,
    firstThreadOfEachCore: [...coreKeys.values()].sort((a, b) => a - b),
    smt: logicalCpus > cores,
    caches,
    lastLevelCacheBytes: lastLevel ? lastLevel.sizeBytes * lastLevel.instances : 0,
    numaNodes: readNumaNodes(root, cpus, read),
    memoryMiB: Math.round((meminfo["MemTotal"] ?? 0) / 1024),
    availableMemoryMiB: Math.round((meminfo["MemAvailable"] ?? meminfo["MemFree"] ?? 0) / 1024),
    kernel: root === "/" ? release() : (read("proc/sys/kernel/osrelease")?.trim() ?? "unknown"),
  };
  if (root === "/") {
    const compiler = await firstLine("cc", ["--version"]);
    if (compiler) host.compiler = compiler;
  }
  if (options.imds === false) return { host };
  const ec2 = await readImds(options.imdsEndpoint ?? "http://169.254.169.254", options.imdsTimeoutMs ?? 1000);
  if (!ec2) return { host };
  return { host: { ...host, ec2: ec2.placement }, identity: ec2.identity };
}

/**
 * The nominal clock: cpufreq's base frequency, else its maximum, else the "@ 2.50GHz" of the model name, else
 * /proc/cpuinfo's "cpu MHz" (the current frequency, which an idle host with frequency scaling understates).
 */
function nominalClock(read: (path: string) => string | undefined, cpuinfo: Cpuinfo): { clockGhz?: number } {
  for (const file of ["base_frequency", "cpuinfo_max_freq"]) {
    const khz = Number(read(`sys/devices/system/cpu/cpu0/cpufreq/${file}`)?.trim());
    if (khz > 0) return { clockGhz: Math.round(khz / 1e4) / 100 };
  }
  const named = /@\s*([\d.]+)\s*GHz/i.exec(cpuinfo.model ?? "");
  if (named) return { clockGhz: Number(named[1]) };
  return cpuinfo.mhz ? { clockGhz: Math.round(cpuinfo.mhz / 10) / 100 } : {};
}

interface Cpuinfo {
  processors: number[];
  model?: string;
  vendor?: string;
  microcode?: string;
  mhz?: number;
  flags: string[];
  isArm: boolean;
}

/** Arm CPU parts by implementer and part number, for the model name /proc/cpuinfo does not give. */
const armParts: Record<string, string> = {
  "0x41:0xd08": "Arm Cortex-A72",
  "0x41:0xd0c": "Arm Neoverse N1",
  "0x41:0xd40": "Arm Neoverse V1",
  "0x41:0xd49": "Arm Neoverse N2",
  "0x41:0xd4f": "Arm Neoverse V2",
  "0x41:0xd84": "Arm Neoverse V3",
  "0x41:0xd8e": "Arm Neoverse N3",
};

/** Reads /proc/cpuinfo on x86_64 or arm64. */
export function parseCpuinfo(text: string): Cpuinfo {
  const info: Cpuinfo = { processors: [], flags: [], isArm: false };
  let implementer: string | undefined;
  let part: string | undefined;
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (key === "processor" && /^\d+$/.test(value)) info.processors.push(Number(value));
    else if (key === "model name" && !info.model) info.model = value;
    else if (key === "vendor_id" && !info.vendor) info.vendor = value;
    else if (key === "microcode" && !info.microcode) info.microcode = value;
    else if (key === "cpu MHz" && !info.mhz) info.mhz = Number(value);
    else if ((key === "flags" || key === "Features") && info.flags.length === 0)
      info.flags = value.split(/\s+/).filter(Boolean);
    else if (key === "CPU implementer" && !implementer) implementer = value;
    else if (key === "CPU part" && !part) part = value;
  }
  if (implementer) {
    info.isArm = true;
    info.vendor ??= implementer === "0x41" ? "ARM" : `implementer ${implementer}`;
    info.model ??= armParts[`${implementer}:${part ?? ""}`] ?? `Arm part ${part ?? "unknown"}`;
  }
  return info;
}

/** Expands a kernel CPU list such as `0-3,8,10-11`. */
export function parseCpuList(text: string): number[] {
  const cpus: number[] = [];
  for (const range of text
    .split(",")
    .map((r) => r.trim())
    .filter(Boolean)) {
    const [from, to] = range.split("-").map(Number);
    if (from === undefined || Number.isNaN(from)) continue;
    for (let cpu = from; cpu <= (to ?? from); cpu++) cpus.push(cpu);
  }
  return cpus;
}

function parseMeminfo(text: string): Record<string, number> {
  const values: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const m = /^(\w+):\s+(\d+)\s*kB/.exec(line);
    if (m) values[m[1] as string] = Number(m[2]);
  }
  return values;
}

function parseSize(text: string | undefined): number {
  const m = /^(\d+)\s*([KMG]?)/.exec(text?.trim() ?? "");
  if (!m) return 0;
  return Number(m[1]) * ({ "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2] as "" | "K" | "M" | "G"] ?? 1);
}

function readCaches(root: string, cpus: number[], read: (path: string) => string | undefined): CacheLevel[] {
  const levels = new Map<string, { level: number; type: string; sizeBytes: number; instances: Set<string> }>();
  for (const cpu of cpus) {
    const base = `sys/devices/system/cpu/cpu${cpu}/cache`;
    let entries: string[] = [];
    try {
      entries = readdirSync(join(root, base)).filter((entry) => /^index\d+$/.test(entry));
    } catch {
      continue;
    }
    for (const entry of entries) {
      const level = Number(read(`${base}/${entry}/level`));
      const type = read(`${base}/${entry}/type`)?.trim() ?? "Unified";
      const sizeBytes = parseSize(read(`${base}/${entry}/size`));
      const shared = read(`${base}/${entry}/shared_cpu_list`)?.trim() ?? String(cpu);
      if (!level || !sizeBytes) continue;
      const key = `${level}:${type}`;
      const record = levels.get(key) ?? { level, type, sizeBytes, instances: new Set<string>() };
      record.instances.add(shared);
      levels.set(key, record);
    }
  }
  return [...levels.values()]
    .map(({ level, type, sizeBytes, instances }) => ({ level, type, sizeBytes, instances: instances.size }))
    .sort((a, b) => a.level - b.level || a.type.localeCompare(b.type));
}

function readNumaNodes(root: string, cpus: number[], read: (path: string) => string | undefined): NumaNode[] {
  const base = "sys/devices/system/node";
  let entries: string[] = [];
  if (existsSync(join(root, base))) entries = readdirSync(join(root, base)).filter((entry) => /^node\d+$/.test(entry));
  const nodes = entries
    .map((entry) => {
      const id = Number(entry.slice(4));
      const memory = /MemTotal:\s+(\d+)\s*kB/.exec(read(`${base}/${entry}/meminfo`) ?? "");
      return {
        id,
        cpus: parseCpuList(read(`${base}/${entry}/cpulist`)?.trim() ?? ""),
        ...(memory ? { memoryMiB: Math.round(Number(memory[1]) / 1024) } : {}),
      };
    })
    .filter((node) => node.cpus.length > 0)
    .sort((a, b) => a.id - b.id);
  return nodes.length > 0 ? nodes : [{ id: 0, cpus: [...cpus] }];
}

async function firstLine(command: string, args: string[]): Promise<string | undefined> {
  try {
    const { stdout } = await run(command, args, { timeout: 5000 });
    return stdout.split("\n")[0]?.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** IMDSv2: a session token first, then metadata; undefined when there is no answer within the timeout. */
async function readImds(
  endpoint: string,
  timeoutMs: number,
): Promise<{ placement: Ec2Placement; identity: InstanceIdentity } | undefined> {
  const deadline = AbortSignal.timeout(timeoutMs);
  try {
    const tokenResponse = await fetch(`${endpoint}/latest/api/token`, {
      method: "PUT",
      headers: { "X-aws-ec2-metadata-token-ttl-seconds": "300" },
      signal: deadline,
    });
    const token = await boundedBody(tokenResponse, imdsLimits.tokenBytes);
    if (!token) return undefined;
    const get = async (path: string, limit: number): Promise<Buffer | undefined> => {
      const response = await fetch(`${endpoint}${path}`, {
        headers: { "X-aws-ec2-metadata-token": token.toString("utf8") },
        signal: AbortSignal.timeout(timeoutMs),
      });
      return boundedBody(response, limit);
    };
    const text = async (path: string, limit: number): Promise<string | undefined> =>
      (await get(path, limit))?.toString("utf8").trim() || undefined;
    const document = await get("/latest/dynamic/instance-identity/document", imdsLimits.documentBytes);
    if (!document) return undefined;
    const parsed = JSON.parse(document.toString("utf8")) as {
      instanceType?: string;
      region?: string;
      imageId?: string;
    };
    if (!parsed.instanceType || !parsed.region) return undefined;
    const [zoneId, rsa2048, signature] = await Promise.all([
      text("/latest/meta-data/placement/availability-zone-id", imdsLimits.metadataBytes),
      text("/latest/dynamic/instance-identity/rsa2048", imdsLimits.rsa2048Bytes),
      text("/latest/dynamic/instance-identity/signature", imdsLimits.signatureBytes),
    ]);
    return {
      placement: {
        instanceType: parsed.instanceType,
        region: parsed.region,
        ...(zoneId ? { availabilityZoneId: zoneId } : {}),
        ...(parsed.imageId ? { amiId: parsed.imageId } : {}),
      },
      identity: { document, ...(rsa2048 ? { rsa2048 } : {}), ...(signature ? { signature } : {}) },
    };
  } catch {
    return undefined;
  }
}

/**
 * A successful response's body, read up to `limit` bytes; undefined for an error status or a longer body (whose
 * rest is not read). The declared length is checked first, and the bytes as they arrive, since it may be absent.
 */
async function boundedBody(response: Response, limit: number): Promise<Buffer | undefined> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (!response.ok || declared > limit || !response.body) {
    await response.body?.cancel();
    return undefined;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

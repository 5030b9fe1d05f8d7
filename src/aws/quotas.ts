/**
 * Service quotas a batch runs into before any instance starts: the vCPU quotas its instance types count against
 * (per family, on-demand or spot) and the VPC and internet gateway it creates. Each check reads the account's
 * applied quota from Service Quotas and the usage from EC2, then says, per instance type, whether it fits and,
 * when it does not, the exact request that would make it fit.
 *
 * SDK modules are imported inside the functions that send commands, so `plan --offline` never loads them.
 */
import { BenchError } from "../errors.js";
import { loadCatalogue } from "../discovery/catalogue.js";
import type { EC2Client, Instance } from "@aws-sdk/client-ec2";
import type { ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { createEc2Client, createServiceQuotasClient, type AwsSettings } from "./clients.js";
import { awsErrorToBenchError } from "./errors.js";

/** A Service Quotas quota: its code and the name the console shows. */
export interface QuotaRef {
  /** Quota code, e.g. `L-1216C47A`. */
  code: string;
  /** Quota name, e.g. `Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances`. */
  name: string;
}

/** The vCPU quota an instance family counts against, and whether the code comes from a public source. */
export interface VcpuQuota extends QuotaRef {
  /** False where no public source names the quota (the standard spot quota is assumed instead). */
  confirmed: boolean;
}

/** The quota of running on-demand standard (A, C, D, H, I, M, R, T, Z) instances, in vCPUs. */
export const standardQuotaCode = "L-1216C47A";
/** The quota of all standard spot instance requests, in vCPUs. */
export const standardSpotQuotaCode = "L-34B43A08";

const standardOnDemand: QuotaRef = {
  code: standardQuotaCode,
  name: "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances",
};
const standardSpot: QuotaRef = {
  code: standardSpotQuotaCode,
  name: "All Standard (A, C, D, H, I, M, R, T, Z) Spot Instance Requests",
};

/**
 * vCPU quotas by instance family prefix, first match wins; every other family counts as Standard.
 *
 * Sources: the Amazon EC2 User Guide, "Spot Instance quotas" (docs.aws.amazon.com/AWSEC2/latest/UserGuide/
 * using-spot-limits.html, which links each spot quota's console page by code, and names "All P4, P3 and P2" and
 * "All P5" as separate spot quotas), and a published `list-aws-default-service-quotas --service-code ec2`
 * listing for every on-demand and spot code here, L-C4BD4855 (P5 spot) included.
 *
 * Where no spot code is given, none could be confirmed and the standard spot quota is assumed (`confirmed:
 * false`): P6 (no public source says whether its spot requests count against the P5 quota or another), and
 * HPC and High Memory, which are not offered as spot at all (`resolveInstanceTypes` refuses them with `--spot`).
 */
const vcpuQuotaFamilies: ReadonlyArray<{ pattern: RegExp; onDemand: QuotaRef; spot?: QuotaRef }> = [
  {
    pattern: /^(g|vt)/,
    onDemand: { code: "L-DB2E81BA", name: "Running On-Demand G and VT instances" },
    spot: { code: "L-3819A6DF", name: "All G and VT Spot Instance Requests" },
  },
  {
    pattern: /^p[234]/,
    onDemand: { code: "L-417A185B", name: "Running On-Demand P instances" },
    spot: { code: "L-7212CCBC", name: "All P4, P3 and P2 Spot Instance Requests" },
  },
  {
    pattern: /^p5/,
    onDemand: { code: "L-417A185B", name: "Running On-Demand P instances" },
    spot: { code: "L-C4BD4855", name: "All P5 Spot Instance Requests" },
  },
  { pattern: /^p/, onDemand: { code: "L-417A185B", name: "Running On-Demand P instances" } },
  {
    pattern: /^x/,
    onDemand: { code: "L-7295265B", name: "Running On-Demand X instances" },
    spot: { code: "L-E3A00192", name: "All X Spot Instance Requests" },
  },
  {
    pattern: /^f/,
    onDemand: { code: "L-74FC7D96", name: "Running On-Demand F instances" },
    spot: { code: "L-88CF9481", name: "All F Spot Instance Requests" },
  },
  {
    pattern: /^inf/,
    onDemand: { code: "L-1945791B", name: "Running On-Demand Inf instances" },
    spot: { code: "L-B5D1601B", name: "All Inf Spot Instance Requests" },
  },
  {
    pattern: /^dl/,
    onDemand: { code: "L-6E869C2A", name: "Running On-Demand DL instances" },
    spot: { code: "L-85EED4F7", name: "All DL Spot Instance Requests" },
  },
  {
    pattern: /^trn/,
    onDemand: { code: "L-2C3B7624", name: "Running On-Demand Trn instances" },
    spot: { code: "L-6B0D517C", name: "All Trn Spot Instance Requests" },
  },
  { pattern: /^hpc/, onDemand: { code: "L-F7808C92", name: "Running On-Demand HPC instances" } },
  { pattern: /^u/, onDemand: { code: "L-43DA4232", name: "Running On-Demand High Memory instances" } },
];

/** The vCPU quota an instance family (e.g. `m7i`, `g6`, `p5en`) counts against, on-demand or spot. */
export function vcpuQuotaFor(family: string, spot: boolean): VcpuQuota {
  const entry = vcpuQuotaFamilies.find(({ pattern }) => pattern.test(family));
  if (!spot) return { ...(entry?.onDemand ?? standardOnDemand), confirmed: true };
  if (!entry) return { ...standardSpot, confirmed: true };
  return entry.spot ? { ...entry.spot, confirmed: true } : { ...standardSpot, confirmed: false };
}

/** The service-quota code an instance family's vCPUs count against. */
export function quotaCodeFor(family: string, spot: boolean): string {
  return vcpuQuotaFor(family, spot).code;
}

/** Known names of the vCPU quotas, by code (the fallback when Service Quotas does not name one). */
function knownQuotaName(code: string): string | undefined {
  for (const quota of [
    standardOnDemand,
    standardSpot,
    ...vcpuQuotaFamilies.flatMap((e) => [e.onDemand, ...(e.spot ? [e.spot] : [])]),
    vpcsPerRegion,
    internetGatewaysPerRegion,
  ]) {
    if (quota.code === code) return quota.name;
  }
  return undefined;
}

/** VPCs per Region: Service Quotas lists it under the `vpc` service, not `ec2`. */
export const vpcsPerRegion: QuotaRef = { code: "L-F678F1CE", name: "VPCs per Region" };
/** Internet gateways per Region (service code `vpc`). */
export const internetGatewaysPerRegion: QuotaRef = { code: "L-A4707A72", name: "Internet gateways per Region" };

/** The clients the checks call. */
export interface QuotaClients {
  /** Service Quotas, in the batch's region. */
  serviceQuotas: ServiceQuotasClient;
  /** EC2, in the batch's region. */
  ec2: EC2Client;
}

/** Options every check shares. */
export interface QuotaCheckOptions {
  /** The region, for messages and the fix commands. */
  region?: string | undefined;
  /** `--profile`, for messages and the fix commands. */
  profile?: string | undefined;
  /** Aborts every AWS call still running (a deadline on the whole check). */
  abortSignal?: AbortSignal | undefined;
}

/** Where a quota's limit came from. */
export type LimitSource = "applied" | "aws-default" | "unknown";

/** Whether what the batch needs fits in a quota's headroom; `unknown` when the limit could not be read. */
export type HeadroomStatus = "fits" | "short" | "unknown";

/** One quota's headroom against what the batch needs. */
export interface QuotaHeadroom {
  /** Quota code. */
  quotaCode: string;
  /** Quota name. */
  quotaName: string;
  /** The account's limit in this region; null when it could not be read. */
  limit: number | null;
  /** `applied` (the account's value), `aws-default` (none applied yet: AWS's default), `unknown`. */
  limitSource: LimitSource;
  /** Already in use (vCPUs of pending and running instances, or resources that exist); null when it could not be read. */
  inUse: number | null;
  /** What the whole batch needs. */
  needed: number;
  /** `limit − inUse` (never below 0); null when the limit or the use is unknown. */
  available: number | null;
  /** Whether `needed` fits in `available`. */
  status: HeadroomStatus;
  /** The request that makes the whole batch fit, when it does not. */
  fix?: string;
}

/** An instance type the batch would have to leave out. */
export interface QuotaSkip {
  /** Instance type. */
  instanceType: string;
  /** The quota it does not fit in. */
  quotaCode: string;
  /** That quota's name. */
  quotaName: string;
  /** vCPUs it needs (all its repeats). */
  needed: number;
  /** vCPUs left in the quota when its turn came. */
  available: number;
  /** How to raise the quota so the whole batch fits. */
  fix: string;
}

/** The vCPU side of a batch: headroom per quota code and the decision per instance type. */
export interface InstanceQuotaCheck {
  /** Headroom per quota code the batch uses, in the order the plan first uses them. */
  quotas: QuotaHeadroom[];
  /** Instance types that fit, in plan order. */
  fit: string[];
  /** Instance types whose quota could not be read: neither fitted nor skipped. */
  unchecked: string[];
  /** Instance types that do not fit, in plan order. */
  skipped: QuotaSkip[];
  /** What the check could not establish. */
  warnings: string[];
}

/** The network side of a batch. */
export interface NetworkQuotaCheck {
  /** VPCs per region. */
  vpcs: QuotaHeadroom;
  /** Internet gateways per region. */
  internetGateways: QuotaHeadroom;
  /** What the check could not establish. */
  warnings: string[];
}

/** What a planned instance contributes to the vCPU check. */
export interface QuotaPlannedInstance {
  /** Instance type, e.g. `m7i.large`. */
  instanceType: string;
  /** Its vCPUs. */
  vcpus: number;
  /** The quota code its vCPUs count against; derived from the type and `spot` when absent. */
  quotaCode?: string | undefined;
}

/** Options of {@link checkInstanceQuotas}. */
export interface InstanceQuotaCheckOptions extends QuotaCheckOptions {
  /** Whether the batch requests spot instances. */
  spot: boolean;
  /**
   * Default vCPUs per instance type for the instances already running (e.g. from the catalogue). Types it does
   * not know fall back to the instance's own CPU options (cores × threads).
   */
  vcpusOf?: ((instanceType: string) => number | undefined) | undefined;
}

/** The instance family of a type name: `m7i.large` → `m7i`, `u-6tb1.metal` → `u-6tb1`. */
function familyOf(instanceType: string): string {
  return instanceType.split(".")[0] ?? instanceType;
}

/**
 * Checks a batch's instances against the account's vCPU quotas in their region.
 *
 * Per quota code: the applied quota (Service Quotas `GetServiceQuota`; AWS's default from
 * `GetAWSDefaultServiceQuota` when none has been applied), the vCPUs already used by pending and running
 * instances counting against it, and what the batch needs. Instance types are then taken in plan order — the
 * order of `--instance-types`, the user's priority — and each type with all its repeats either fits in what is
 * left or is skipped whole (fewer repeats than asked would change the statistics); a skipped type uses nothing,
 * so a smaller type after it may still fit.
 *
 * A quota that cannot be read (not allowed, or Service Quotas failing after its retries) is `unknown`, with a
 * warning naming the call and the error, and its types `unchecked`; what was read of the others stands. When the
 * instances in use cannot be listed, every quota is `unknown`. Credentials that do not work, and an abort, throw
 * the `BenchError` of {@link awsErrorToBenchError}: nothing else would work either.
 *
 * @param plannedInstances - one entry per instance (a type with three repeats appears three times)
 * @param clients - Service Quotas and EC2 clients in the batch's region
 * @param options - spot or on-demand, region and profile for the messages, an abort signal
 * @returns headroom per quota code and the fitted, skipped and unchecked types
 */
export async function checkInstanceQuotas(
  plannedInstances: readonly QuotaPlannedInstance[],
  clients: QuotaClients,
  options: InstanceQuotaCheckOptions,
): Promise<InstanceQuotaCheck> {
  const warnings: string[] = [];
  const types = new Map<string, { code: string; vcpus: number }>();
  for (const instance of plannedInstances) {
    const quota = vcpuQuotaFor(familyOf(instance.instanceType), options.spot);
    const code = instance.quotaCode ?? quota.code;
    const known = types.get(instance.instanceType);
    if (known) known.vcpus += instance.vcpus;
    else {
      types.set(instance.instanceType, { code, vcpus: instance.vcpus });
      if (!quota.confirmed && code === quota.code) {
        warnings.push(
          `${instance.instanceType}: no public source names the spot quota of its family; checked against ${quota.code} (${quota.name}), which AWS may not apply to it`,
        );
      }
    }
  }
  const codes = [...new Set([...types.values()].map((t) => t.code))];
  const [limits, usage] = await Promise.all([
    Promise.all(codes.map((code) => readQuotaLimit("ec2", code, clients.serviceQuotas, options))),
    vcpusInUse(clients.ec2, options, warnings),
  ]);

  const headroom = new Map<string, QuotaHeadroom>();
  codes.forEach((code, index) => {
    const limit = limits[index] ?? unknownLimit(code);
    if (limit.warning) warnings.push(limit.warning);
    const needed = [...types.values()].filter((t) => t.code === code).reduce((sum, t) => sum + t.vcpus, 0);
    headroom.set(
      code,
      headroomOf(limit, usage ? (usage.get(code) ?? 0) : null, needed, (desired) =>
        vcpuFix(code, limit.name, desired, options),
      ),
    );
  });

  const fit: string[] = [];
  const unchecked: string[] = [];
  const skipped: QuotaSkip[] = [];
  const left = new Map([...headroom].map(([code, h]) => [code, h.available]));
  for (const [instanceType, { code, vcpus }] of types) {
    const available = left.get(code);
    const quota = headroom.get(code);
    if (available === null || available === undefined || !quota) {
      unchecked.push(instanceType);
    } else if (vcpus <= available) {
      fit.push(instanceType);
      left.set(code, available - vcpus);
    } else {
      skipped.push({
        instanceType,
        quotaCode: code,
        quotaName: quota.quotaName,
        needed: vcpus,
        available,
        fix: vcpuFix(code, quota.quotaName, (quota.inUse ?? 0) + quota.needed, options),
      });
    }
  }
  return { quotas: [...headroom.values()], fit, unchecked, skipped, warnings };
}

/** Options of {@link checkNetworkQuotas}. */
export interface NetworkQuotaCheckOptions extends QuotaCheckOptions {
  /** VPCs and internet gateways the batch creates; one of each unless it uses an existing subnet. */
  needed?: { vpcs: number; internetGateways: number } | undefined;
}

/**
 * Checks the VPCs and internet gateways a batch creates against the region's quotas (Service Quotas, service
 * `vpc`) and the existing ones (`DescribeVpcs`, `DescribeInternetGateways`, every page). A limit or a count that
 * cannot be read leaves that quota `unknown`, with a warning naming the call; credentials that do not work, and an
 * abort, throw a `BenchError`.
 *
 * @param clients - Service Quotas and EC2 clients in the batch's region
 * @param options - what the batch creates (default one VPC and one gateway), region, profile, abort signal
 * @returns headroom for VPCs and for internet gateways
 */
export async function checkNetworkQuotas(
  clients: QuotaClients,
  options: NetworkQuotaCheckOptions = {},
): Promise<NetworkQuotaCheck> {
  const needed = options.needed ?? { vpcs: 1, internetGateways: 1 };
  const counted: string[] = [];
  // A count that fails leaves that quota unknown, with a warning; the other stands.
  const orUnknown = (count: Promise<number>, what: string) =>
    count.catch((error: unknown) => {
      counted.push(`${(error as Error).message} The ${what} in use are unknown.`);
      if (error instanceof BenchError && fatalCodes.has(error.code)) throw error;
      if (options.abortSignal?.aborted) throw error;
      return null;
    });
  const [vpcLimit, igwLimit, vpcs, gateways] = await Promise.all([
    readQuotaLimit("vpc", vpcsPerRegion.code, clients.serviceQuotas, options),
    readQuotaLimit("vpc", internetGatewaysPerRegion.code, clients.serviceQuotas, options),
    orUnknown(countVpcs(clients.ec2, options), "VPCs"),
    orUnknown(countInternetGateways(clients.ec2, options), "internet gateways"),
  ]);
  const warnings = [vpcLimit.warning, igwLimit.warning, ...counted].filter((w): w is string => w !== undefined);
  return {
    vpcs: headroomOf(
      vpcLimit,
      vpcs,
      needed.vpcs,
      (desired) => `${requestCommand("vpc", vpcsPerRegion.code, desired, options)}, or delete VPCs you no longer use`,
    ),
    internetGateways: headroomOf(
      igwLimit,
      gateways,
      needed.internetGateways,
      (desired) =>
        `${requestCommand("vpc", internetGatewaysPerRegion.code, desired, options)}, or delete detached internet gateways`,
    ),
    warnings,
  };
}

interface QuotaLimit {
  code: string;
  name: string;
  value: number | null;
  source: LimitSource;
  warning?: string;
}

function unknownLimit(code: string): QuotaLimit {
  return { code, name: knownQuotaName(code) ?? code, value: null, source: "unknown" };
}

function headroomOf(
  limit: QuotaLimit,
  inUse: number | null,
  needed: number,
  fix: (desired: number) => string,
): QuotaHeadroom {
  const available = limit.value === null || inUse === null ? null : Math.max(0, limit.value - inUse);
  const status: HeadroomStatus = available === null ? "unknown" : needed <= available ? "fits" : "short";
  return {
    quotaCode: limit.code,
    quotaName: limit.name,
    limit: limit.value,
    limitSource: limit.source,
    inUse,
    needed,
    available,
    status,
    ...(status === "short" ? { fix: fix((inUse ?? 0) + needed) } : {}),
  };
}

function requestCommand(serviceCode: string, quotaCode: string, desired: number, options: QuotaCheckOptions): string {
  const region = options.region ? ` --region ${options.region}` : "";
  const profile = options.profile ? ` --profile ${options.profile}` : "";
  return `aws service-quotas request-service-quota-increase --service-code ${serviceCode} --quota-code ${quotaCode} --desired-value ${desired}${region}${profile}`;
}

function vcpuFix(code: string, name: string, desired: number, options: QuotaCheckOptions): string {
  const consoleUrl = `https://console.aws.amazon.com/servicequotas/home/services/ec2/quotas/${code}${options.region ? `?region=${options.region}` : ""}`;
  return `Request ${desired} vCPUs of '${name}': ${requestCommand("ec2", code, desired, options)} (or in the Service Quotas console: ${consoleUrl})`;
}

const accessDeniedNames = new Set(["AccessDeniedException", "AccessDenied"]);

function errorName(error: unknown): string {
  const err = (error ?? {}) as { name?: string; Code?: string; code?: string };
  return err.name ?? err.Code ?? err.code ?? "";
}

/** The applied quota, else AWS's default; `unknown` with a warning when Service Quotas refuses to say. */
async function readQuotaLimit(
  serviceCode: "ec2" | "vpc",
  code: string,
  client: ServiceQuotasClient,
  options: QuotaCheckOptions,
): Promise<QuotaLimit> {
  const { GetServiceQuotaCommand, GetAWSDefaultServiceQuotaCommand } = await import("@aws-sdk/client-service-quotas");
  const input = { ServiceCode: serviceCode, QuotaCode: code };
  const denied = (action: string, error: unknown): QuotaLimit => ({
    ...unknownLimit(code),
    warning: `Not allowed to call ${action}${options.region ? ` in ${options.region}` : ""} (${errorName(error)}): the limit of ${code} (${knownQuotaName(code) ?? "quota"}) is unknown; grant servicequotas:GetServiceQuota and servicequotas:GetAWSDefaultServiceQuota to check it`,
  });
  try {
    const { Quota } = await client.send(new GetServiceQuotaCommand(input), { abortSignal: options.abortSignal });
    return limitFrom(code, Quota, "applied");
  } catch (error) {
    if (accessDeniedNames.has(errorName(error))) return denied("servicequotas:GetServiceQuota", error);
    if (errorName(error) !== "NoSuchResourceException")
      return { ...unknownLimit(code), warning: unreadable(error, "servicequotas:GetServiceQuota", code, options) };
  }
  // No value has been applied to this account yet: AWS's default is the limit.
  try {
    const { Quota } = await client.send(new GetAWSDefaultServiceQuotaCommand(input), {
      abortSignal: options.abortSignal,
    });
    return limitFrom(code, Quota, "aws-default");
  } catch (error) {
    if (accessDeniedNames.has(errorName(error))) return denied("servicequotas:GetAWSDefaultServiceQuota", error);
    if (errorName(error) === "NoSuchResourceException") {
      return {
        ...unknownLimit(code),
        warning: `Service Quotas knows no quota ${code} (${knownQuotaName(code) ?? "quota"})${options.region ? ` in ${options.region}` : ""}; its headroom is unknown`,
      };
    }
    return {
      ...unknownLimit(code),
      warning: unreadable(error, "servicequotas:GetAWSDefaultServiceQuota", code, options),
    };
  }
}

/** Failures no later call would get past: the credentials, the region, or the caller's abort. */
const fatalCodes = new Set([
  "CredentialsMissing",
  "CredentialsExpired",
  "CredentialsInvalid",
  "RegionNotEnabled",
  "RegionMissing",
]);

/**
 * The message of an AWS failure the check can go on from (it names the call and, for an HTTP error, the status),
 * or throws it when nothing would work after it (see {@link fatalCodes}) or the caller aborted.
 */
function fatalOrWarning(error: unknown, action: string, options: QuotaCheckOptions): string {
  const mapped = awsErrorToBenchError(error, { ...options, action });
  if (fatalCodes.has(mapped.code) || options.abortSignal?.aborted) throw mapped;
  return mapped.message;
}

/** The warning for a quota whose limit could not be read; throws for a failure nothing would get past. */
function unreadable(error: unknown, action: string, code: string, options: QuotaCheckOptions): string {
  return `${fatalOrWarning(error, action, options)} The limit of ${code} (${knownQuotaName(code) ?? "quota"}) is unknown; pass --skip-quota-check to launch without the check.`;
}

function limitFrom(
  code: string,
  quota: { QuotaName?: string | undefined; Value?: number | undefined } | undefined,
  source: LimitSource,
): QuotaLimit {
  const name = quota?.QuotaName ?? knownQuotaName(code) ?? code;
  if (typeof quota?.Value !== "number")
    return { ...unknownLimit(code), name, warning: `Service Quotas returned no value for ${code} (${name})` };
  return { code, name, value: quota.Value, source };
}

/**
 * vCPUs of pending and running instances per quota code. Stopping, stopped and shutting-down instances are
 * left out: they release their vCPUs within a minute or two, before a batch's instances are launched.
 * Instances in a capacity block are counted as on-demand: whether AWS counts them is not documented, and
 * counting them can only err towards a skip.
 */
async function vcpusInUse(
  ec2: EC2Client,
  options: InstanceQuotaCheckOptions,
  warnings: string[],
): Promise<Map<string, number> | undefined> {
  const { DescribeInstancesCommand } = await import("@aws-sdk/client-ec2");
  const usage = new Map<string, number>();
  const uncounted = new Map<string, number>();
  let token: string | undefined;
  do {
    let page;
    try {
      page = await ec2.send(
        new DescribeInstancesCommand({
          Filters: [{ Name: "instance-state-name", Values: ["pending", "running"] }],
          MaxResults: 1000,
          ...(token ? { NextToken: token } : {}),
        }),
        { abortSignal: options.abortSignal },
      );
    } catch (error) {
      const failure = fatalOrWarning(error, "ec2:DescribeInstances", options);
      warnings.push(`${failure} The vCPUs in use are unknown, so no vCPU quota is checked.`);
      return undefined;
    }
    for (const instance of (page.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
      const type = instance.InstanceType;
      if (!type) continue;
      const vcpus = options.vcpusOf?.(type) ?? cpuOptionVcpus(instance);
      if (vcpus === undefined) {
        uncounted.set(type, (uncounted.get(type) ?? 0) + 1);
        continue;
      }
      const code = quotaCodeFor(familyOf(type), instance.InstanceLifecycle === "spot");
      usage.set(code, (usage.get(code) ?? 0) + vcpus);
    }
    token = page.NextToken || undefined;
  } while (token);
  for (const [type, count] of uncounted)
    warnings.push(`${count} running ${type} instance(s) not counted: their vCPUs are unknown`);
  return usage;
}

function cpuOptionVcpus(instance: Instance): number | undefined {
  const cores = instance.CpuOptions?.CoreCount;
  const threads = instance.CpuOptions?.ThreadsPerCore;
  return cores !== undefined && threads !== undefined ? cores * threads : undefined;
}

async function countVpcs(ec2: EC2Client, options: QuotaCheckOptions): Promise<number> {
  const { DescribeVpcsCommand } = await import("@aws-sdk/client-ec2");
  let count = 0;
  let token: string | undefined;
  do {
    try {
      const page = await ec2.send(
        new DescribeVpcsCommand({ MaxResults: 1000, ...(token ? { NextToken: token } : {}) }),
        { abortSignal: options.abortSignal },
      );
      count += page.Vpcs?.length ?? 0;
      token = page.NextToken || undefined;
    } catch (error) {
      throw awsErrorToBenchError(error, { ...options, action: "ec2:DescribeVpcs" });
    }
  } while (token);
  return count;
}

async function countInternetGateways(ec2: EC2Client, options: QuotaCheckOptions): Promise<number> {
  const { DescribeInternetGatewaysCommand } = await import("@aws-sdk/client-ec2");
  let count = 0;
  let token: string | undefined;
  do {
    try {
      const page = await ec2.send(
        new DescribeInternetGatewaysCommand({ MaxResults: 1000, ...(token ? { NextToken: token } : {}) }),
        { abortSignal: options.abortSignal },
      );
      count += page.InternetGateways?.length ?? 0;
      token = page.NextToken || undefined;
    } catch (error) {
      throw awsErrorToBenchError(error, { ...options, action: "ec2:DescribeInternetGateways" });
    }
  } while (token);
  return count;
}

/** What a credential probe found. */
export type CredentialProbe = { found: true } | { found: false; reason: string };

/**
 * Asks a client's default credential chain (environment, profile, SSO, process, container, instance role) for
 * credentials, giving up after `timeoutMs`: the instance-metadata step can wait on an unreachable address.
 *
 * @param client - any SDK client; its chain honours `--profile`
 * @param timeoutMs - how long to wait
 * @returns whether credentials were found, and why not
 */
export async function probeCredentials(
  client: { config: { credentials: () => Promise<unknown> } },
  timeoutMs = 2000,
): Promise<CredentialProbe> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CredentialProbe>((resolve) => {
    timer = setTimeout(
      () => resolve({ found: false, reason: `no credentials found within ${timeoutMs / 1000} s` }),
      timeoutMs,
    );
    timer.unref();
  });
  const lookup = client.config.credentials().then(
    (): CredentialProbe => ({ found: true }),
    (error: unknown): CredentialProbe => {
      const { name, message } = (error ?? {}) as { name?: string; message?: string };
      if (name === "CredentialsProviderError" && /could not load credentials from any providers/i.test(message ?? ""))
        return { found: false, reason: "no credentials" };
      return {
        found: false,
        reason: `credentials could not be loaded: ${awsErrorToBenchError(error, { action: "credentials" }).message}`,
      };
    },
  );
  try {
    return await Promise.race([lookup, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The `quotas` section of a plan. */
export type BatchQuotaReport =
  | {
      /** Not checked: offline, or no credentials. */
      status: "not-checked";
      /** Why, e.g. `not checked (no credentials)`. */
      reason: string;
    }
  | {
      /** Checking failed. */
      status: "failed";
      /** What went wrong. */
      reason: string;
      /** The error's stable code and fix. */
      error: { code: string; fix?: string | undefined };
    }
  | {
      /** Checked against the account. */
      status: "checked";
      /** The region checked. */
      region: string;
      /** VPC and internet gateway headroom. */
      network: NetworkQuotaCheck;
      /** vCPU headroom per quota code and the decision per instance type. */
      vcpus: InstanceQuotaCheck;
    };

/** Options of {@link checkPlanQuotas}. */
export interface PlanQuotaOptions {
  /** Region and profile. */
  settings: AwsSettings & { region: string };
  /** Whether the batch requests spot instances. */
  spot: boolean;
  /** How long the credential probe may take. */
  credentialTimeoutMs?: number;
  /** How long the whole check may take before its calls are aborted. */
  timeoutMs?: number;
}

/**
 * The `quotas` section of `aws-bench plan`: when the default credential chain finds credentials, the plan's
 * VPCs, internet gateways and vCPUs checked against the account; otherwise a reason it was not checked. A failed
 * check is reported in the section, not thrown: the plan itself is still right.
 *
 * @param plan - the offline plan (its instances, and its resources for the VPCs and gateways it creates)
 * @param options - region, profile, spot, time limits
 * @returns the section
 */
export async function checkPlanQuotas(
  plan: {
    instances: readonly QuotaPlannedInstance[];
    resources: ReadonlyArray<{ readonly type: string; readonly [other: string]: unknown }>;
  },
  options: PlanQuotaOptions,
): Promise<BatchQuotaReport> {
  const { settings } = options;
  const serviceQuotas = await createServiceQuotasClient(settings, settings.region);
  const probe = await probeCredentials(serviceQuotas, options.credentialTimeoutMs);
  if (!probe.found) {
    serviceQuotas.destroy();
    return { status: "not-checked", reason: `not checked (${probe.reason})` };
  }
  const ec2 = await createEc2Client(settings, settings.region);
  const deadline = new AbortController();
  const timeoutMs = options.timeoutMs ?? 60_000;
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  timer.unref();
  const shared = { region: settings.region, profile: settings.profile, abortSignal: deadline.signal };
  try {
    const vcpusOf = await catalogueVcpus();
    const [network, vcpus] = await Promise.all([
      checkNetworkQuotas({ serviceQuotas, ec2 }, { ...shared, needed: networkNeeds(plan.resources) }),
      checkInstanceQuotas(plan.instances, { serviceQuotas, ec2 }, { ...shared, spot: options.spot, vcpusOf }),
    ]);
    return { status: "checked", region: settings.region, network, vcpus };
  } catch (error) {
    const cliError = deadline.signal.aborted
      ? new BenchError(
          "EndpointUnreachable",
          `The quota check in ${settings.region} took longer than ${timeoutMs / 1000} s.`,
          { fix: "Check the network and AWS_ENDPOINT_URL, or pass --offline." },
        )
      : awsErrorToBenchError(error, { ...settings, action: "the quota check" });
    return {
      status: "failed",
      reason: `not checked (${cliError.message})`,
      error: { code: cliError.code, fix: cliError.fix },
    };
  } finally {
    clearTimeout(timer);
    serviceQuotas.destroy();
    ec2.destroy();
  }
}

/** VPCs and internet gateways the plan declares: an awsx VPC brings its own gateway; an existing subnet neither. */
export function networkNeeds(resources: ReadonlyArray<{ readonly type: string; readonly [other: string]: unknown }>): {
  vpcs: number;
  internetGateways: number;
} {
  const count = (type: string) => resources.filter((r) => r.type === type).length;
  const awsxVpcs = count("awsx:ec2:Vpc");
  return {
    vpcs: awsxVpcs + count("aws:ec2/vpc:Vpc"),
    internetGateways: awsxVpcs + count("aws:ec2/internetGateway:InternetGateway"),
  };
}

/** Default vCPUs per type from the shipped catalogue: one file read instead of a DescribeInstanceTypes call per type. */
async function catalogueVcpus(): Promise<(instanceType: string) => number | undefined> {
  const { catalog } = await loadCatalogue();
  const vcpus = new Map(catalog.instanceTypes.map((type) => [type.name, type.vcpus]));
  return (instanceType) => vcpus.get(instanceType);
}

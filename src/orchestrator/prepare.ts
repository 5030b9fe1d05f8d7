/**
 * The first steps of a batch, shared by `run` and the CI step `preview`: plan (catalogue, estimates, prices),
 * show time and cost, check the vCPU and network quotas (types that do not fit are skipped with the quota code and
 * the fix), and write the batch's record beside the state. Nothing is created in AWS here.
 */
import { CliError } from "../cli/errors.js";
import type { AwsSettings } from "../aws/clients.js";
import type { BatchRecord } from "../schemas/generated/batch-record.js";
import { newBatchId } from "../../stacks/batch-naming.js";
import type { BatchStore } from "./batch-store.js";
import { checkCostLimit, newBatchRecord, saveRecord, type BatchRequest } from "./lifecycle.js";
import type { BatchPlan } from "./plan.js";

/** Options of {@link prepareBatch}. */
export interface PrepareOptions extends AwsSettings {
  /** Use this id (CI passes one through its jobs); a new one otherwise. */
  batchId?: string | undefined;
  /** The backend's URL (tags and record). */
  backendUrl: string;
  /** Who creates it. */
  createdBy: string;
  /** `--skip-quota-check`. */
  skipQuotaCheck: boolean;
  /** An existing subnet is used: no VPC or internet gateway is created. */
  existingNetwork: boolean;
  /** Progress and warnings. */
  progress(line: string): void;
  /** Plans the batch (the offline planner; injectable for tests). */
  plan(request: BatchRequest): Promise<BatchPlan>;
  /** Checks quotas; returns instance type → why it is skipped. Absent with --skip-quota-check. */
  quotas?: (plan: BatchPlan) => Promise<Record<string, string>>;
  /** The clock. */
  now: Date;
}

/** Plans, checks quotas and cost, and stores the record; returns it with the plan. */
export async function prepareBatch(request: BatchRequest, store: BatchStore, options: PrepareOptions): Promise<{ record: BatchRecord; plan: BatchPlan }> {
  const plan = await options.plan(request);
  const skipped = options.skipQuotaCheck || !options.quotas ? {} : await options.quotas(plan);
  for (const [type, why] of Object.entries(skipped)) options.progress(`skipping ${type}: ${why}`);
  if (Object.keys(skipped).length === request.instanceTypes.length) {
    throw new CliError("InvalidArgument", `No instance type of the batch fits the account's quotas in ${request.region}: ${Object.entries(skipped).map(([t, w]) => `${t} (${w})`).join("; ")}.`, {
      fix: "Request the quota increases named above, or pass --skip-quota-check if you know better.",
    });
  }
  const batchId = options.batchId ?? newBatchId(options.now);
  if (options.batchId !== undefined && (await store.read(batchId, "batch.json")) !== undefined) {
    throw new CliError("InvalidArgument", `Batch ${batchId} already exists on ${store.url}.`, { fix: "Leave out --batch for a new batch, or continue it with `aws-bench up --batch ID`." });
  }
  const record = await newBatchRecord(request, plan, { batchId, backend: options.backendUrl, createdBy: options.createdBy, now: options.now, skipped });
  checkCostLimit(record);
  await saveRecord(store, record);
  return { record, plan };
}

/** One line per instance and the totals, for the confirmation. */
export function describePlan(record: BatchRecord): string {
  const lines = record.instances.map((i) => `  ${i.instanceType} #${i.repeat}: ~${i.expectedMinutes} min (at most ${i.maximumMinutes})${i.usdPerHour === undefined ? ", price unknown" : `, $${i.usdPerHour}/h`}${i.skipped ? `  [skipped: ${i.skipped}]` : ""}`);
  const e = record.estimate;
  const cost = e?.costUsdExpected === null || e?.costUsdExpected === undefined ? "cost unknown (no price for some types)" : `~$${e.costUsdExpected} (at most $${e.costUsdMaximum ?? "?"})`;
  return [`batch ${record.batchId} in ${record.region} (stack ${record.stackName}, results s3://${record.request.resultsBucket}/batches/${record.batchId}/):`, ...lines, `  total: ~${e?.instanceMinutesExpected ?? "?"} instance-minutes, ${cost}; expires ${record.expiresAt}`].join("\n");
}

/** Quota check through Service Quotas and EC2: skipped types with the quota, the need and the fix. */
export async function awsQuotaCheck(plan: BatchPlan, request: BatchRequest, settings: AwsSettings & { existingNetwork: boolean; progress(line: string): void }): Promise<Record<string, string>> {
  const { createEc2Client, createServiceQuotasClient } = await import("../aws/clients.js");
  const { checkInstanceQuotas, checkNetworkQuotas } = await import("../aws/quotas.js");
  const clients = { serviceQuotas: await createServiceQuotasClient(settings, request.region), ec2: await createEc2Client(settings, request.region) };
  const vcpus = await checkInstanceQuotas(plan.instances, clients, { spot: request.spot, region: request.region, profile: settings.profile });
  for (const warning of vcpus.warnings) settings.progress(`warning: ${warning}`);
  if (!settings.existingNetwork) {
    const network = await checkNetworkQuotas(clients, { region: request.region, profile: settings.profile });
    for (const warning of network.warnings) settings.progress(`warning: ${warning}`);
    for (const quota of [network.vpcs, network.internetGateways]) {
      if (quota.status === "short") {
        throw new CliError("InvalidArgument", `The batch needs one more of ${quota.quotaName} (${quota.quotaCode}) in ${request.region}: ${quota.inUse} of ${quota.limit ?? "?"} are in use.`, {
          fix: quota.fix ?? `Delete an unused one, request an increase of ${quota.quotaCode}, or run in an existing subnet with --subnet.`,
        });
      }
    }
  }
  return Object.fromEntries(vcpus.skipped.map((skip) => [skip.instanceType, `${skip.quotaName} (${skip.quotaCode}): needs ${skip.needed} vCPUs, ${skip.available} available; ${skip.fix}`]));
}

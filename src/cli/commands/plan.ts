/**
 * `aws-bench plan`: what a batch would create, how long it would run and what it would cost — offline. When the
 * default credential chain finds credentials (and `--offline` is not given), the plan also says whether the
 * account's VPC, internet gateway and vCPU quotas leave room for it.
 */
import type { BatchQuotaReport, QuotaHeadroom } from "../../aws/quotas.js";
import { planRequestOptions } from "../batch-options.js";
import { defineCommand } from "../command.js";
import { BenchError } from "../../errors.js";
import { ExitCode } from "../errors.js";
import type { CliIo } from "../io.js";

/** The `plan` command. */
export const planCommand = defineCommand({
  command: "plan",
  describe:
    "Plan a batch: the resources, instances, minutes and cost (offline), and quota headroom when credentials are found",
  options: {
    ...planRequestOptions,
    "instance-types": { ...planRequestOptions["instance-types"], demandOption: true },
    "results-bucket": { type: "string", describe: "The results bucket (a placeholder when omitted)" },
    offline: {
      type: "boolean",
      default: false,
      describe: "Never contact AWS, not even to look for credentials (no quota check)",
    },
  },
  examples: [
    [
      "$0 plan --instance-types m7i.large,c7g.large --benchmarks stream,hpl,coremark --json",
      "what the batch creates, its minutes and cost, and quota headroom",
    ],
    ["$0 plan --instance-types g6.xlarge --spot --offline", "the plan alone, without looking for credentials"],
  ],
  async run(args, { io }) {
    const { planRequestFromArgs } = await import("../batch-options.js");
    const { planBatch } = await import("../../orchestrator/plan.js");
    const region = await planRegion(args, io);
    const plan = await planBatch(await planRequestFromArgs(args, region));
    if (args.offline) {
      plan.quotas = { status: "not-checked", reason: "not checked (--offline)" };
    } else {
      const { checkPlanQuotas } = await import("../../aws/quotas.js");
      plan.quotas = await checkPlanQuotas(plan, { settings: { profile: args.profile, region }, spot: args.spot });
    }
    for (const warning of quotaWarnings(plan.quotas)) io.stderr.write(`warning: ${warning}\n`);
    if (args.json) {
      io.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
      return ExitCode.Success;
    }
    const counts = new Map<string, number>();
    for (const resource of plan.resources) counts.set(resource.type, (counts.get(resource.type) ?? 0) + 1);
    const lines = ["resources:", ...[...counts].map(([type, count]) => `  ${count} × ${type}`), "instances:"];
    for (const i of plan.instances) {
      const cost =
        i.usdPerHour === undefined
          ? "price unknown"
          : `$${i.usdPerHour}/h, ~$${i.expectedCostUsd} (at most $${i.maximumCostUsd})`;
      lines.push(
        `  ${i.instanceType} #${i.repeat}  zone ${i.zone}  image ${i.containerTag}  ${i.vcpus} vCPUs (${i.quotaCode})  ~${i.expectedMinutes} min (at most ${i.maximumMinutes})  ${cost}${i.flags.length ? `  [${i.flags.join("; ")}]` : ""}`,
      );
    }
    const e = plan.estimate;
    lines.push(
      `total: ~${e.instanceMinutesExpected} instance-minutes (at most ${e.instanceMinutesMaximum}); ${e.costUsdExpected === null ? "cost unknown (no price for some types)" : `~$${e.costUsdExpected} (at most $${e.costUsdMaximum})`}${e.priceSource ? `; prices: ${e.priceSource}` : ""}`,
    );
    lines.push(
      `vCPUs per quota: ${Object.entries(e.vcpusByQuotaCode)
        .map(([code, n]) => `${code} ${n}`)
        .join(", ")}`,
    );
    lines.push(...quotaLines(plan.quotas));
    io.stdout.write(`${lines.join("\n")}\n`);
    return ExitCode.Success;
  },
});

/** The batch's region; a plan without one is made for us-east-1, and says so. */
async function planRegion(
  args: { region?: string | undefined; profile?: string | undefined },
  io: CliIo,
): Promise<string> {
  const { regionFromArgs } = await import("../batch-options.js");
  try {
    return await regionFromArgs(args, io);
  } catch (error) {
    if (!(error instanceof BenchError) || error.code !== "RegionMissing") throw error;
    io.stderr.write(
      "region: us-east-1 (no --region, AWS_REGION or region in the AWS config; planning for us-east-1)\n",
    );
    return "us-east-1";
  }
}

function quotaWarnings(report: BatchQuotaReport): string[] {
  return report.status === "checked" ? [...report.network.warnings, ...report.vcpus.warnings] : [];
}

/** The quota section of the readable plan. */
function quotaLines(report: BatchQuotaReport): string[] {
  if (report.status === "not-checked") return [`quotas: ${report.reason}`];
  if (report.status === "failed")
    return [
      `quotas: ${report.reason} [${report.error.code}]`,
      ...(report.error.fix ? [`  fix: ${report.error.fix}`] : []),
    ];
  const lines = [`quotas in ${report.region}:`];
  const describe = (h: QuotaHeadroom, unit: string) => {
    const limit =
      h.limit === null
        ? "limit unknown"
        : `${h.inUse} of ${h.limit}${unit} in use${h.limitSource === "aws-default" ? " (AWS default)" : ""}`;
    return `  ${h.quotaName} (${h.quotaCode}): ${limit}, batch needs ${h.needed} — ${h.status}${h.fix ? `\n    fix: ${h.fix}` : ""}`;
  };
  lines.push(describe(report.network.vpcs, ""), describe(report.network.internetGateways, ""));
  for (const h of report.vcpus.quotas) lines.push(describe(h, " vCPUs"));
  for (const skip of report.vcpus.skipped)
    lines.push(
      `  would skip ${skip.instanceType}: needs ${skip.needed} vCPUs of ${skip.quotaCode}, ${skip.available} left`,
    );
  if (report.vcpus.unchecked.length) lines.push(`  not checked (quota unknown): ${report.vcpus.unchecked.join(", ")}`);
  return lines;
}

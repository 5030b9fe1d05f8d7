/** `aws-bench cleanup`: destroys expired batch stacks, clears stale locks, and sweeps tagged leftovers. */
import { defineCommand } from "../command.js";
import { ExitCode } from "../errors.js";
import { backendOptions } from "../batch-options.js";

/** The `cleanup` command. */
export const cleanupCommand = defineCommand({
  command: "cleanup",
  describe: "Destroy expired batches and sweep tagged leftovers (lists only, without --yes)",
  options: {
    "older-than": {
      type: "string",
      // One value always, even one that starts with a dash (`-5h`), so parseDuration can name it.
      nargs: 1,
      default: "6h",
      describe: "A stack without a batch record, or a lock, older than this is stale",
    },
    grace: {
      type: "string",
      default: "1h",
      nargs: 1,
      describe: "Sweep tagged leftovers only this long past their expiry",
    },
    "include-kept": {
      type: "boolean",
      default: false,
      describe: "Also destroy and sweep batches run with --keep (left alone otherwise)",
    },
    ...backendOptions,
  },
  examples: [
    ["$0 cleanup", "list what is expired or orphaned, change nothing"],
    ["$0 cleanup --older-than 6h --grace 1h --yes --region us-east-1", "destroy and sweep it"],
    ["$0 cleanup --include-kept --yes", "the same, batches run with --keep included"],
  ],
  async run(args, { io }) {
    const { parseDuration, cleanup } = await import("../../orchestrator/cleanup.js");
    const olderThanMs = parseDuration("--older-than", args["older-than"]);
    const graceMs = parseDuration("--grace", args.grace);
    const { openBackend, createEngine } = await import("../../orchestrator/setup.js");
    const { createEc2Client, createEcrClient, createIamClient, resolvedRegion } = await import("../../aws/clients.js");
    const { sweepTaggedResources } = await import("../../orchestrator/sweep.js");
    const settings = { profile: args.profile, region: args.region };
    const { backend, store } = await openBackend({ ...settings, backend: args.backend }, io);
    const { backendTag, requireSharedBackend } = await import("../../orchestrator/backend.js");
    requireSharedBackend(backend, io.env, "cleanup");
    // No engine.ready(): the sweep needs only AWS, and cleanup says what it could not do without Pulumi.
    const engine = await createEngine(backend, io);
    const ec2 = await createEc2Client(settings);
    const region = await resolvedRegion(ec2, settings);
    const clients = { ec2, ecr: await createEcrClient(settings, region), iam: await createIamClient(settings, region) };
    const progress = (line: string) => io.stderr.write(`${line}\n`);
    const report = await cleanup(
      {
        engine,
        store,
        backendTag: backendTag(backend),
        sweep: (options) => sweepTaggedResources(clients, { ...options, aws: { ...settings, region } }),
        progress,
        now: () => new Date(),
      },
      { olderThanMs, graceMs, yes: args.yes, includeKept: args["include-kept"] },
    );
    if (args.json) {
      io.stdout.write(`${JSON.stringify({ backend: backend.url, region, dryRun: !args.yes, ...report }, null, 2)}\n`);
    } else {
      const lines = [
        `cleanup of ${backend.url} and tagged resources in ${region}${args.yes ? "" : " (dry run: pass --yes to act)"}:`,
      ];
      for (const s of report.stacks)
        lines.push(`  batch ${s.batchId}: ${s.action} (${s.why})${s.error ? `: ${s.error}` : ""}`);
      for (const e of report.events)
        lines.push(
          `  ${e.kind} ${e.id} of batch ${e.batchId}: ${e.action}${"reason" in e ? ` (${e.reason})` : ""}${"problem" in e ? `: ${e.problem}` : ""}${"error" in e && e.error ? `: ${e.error}` : ""}`,
        );
      const sw = report.sweep;
      if (sw)
        lines.push(
          `  ${report.stacks.length} stack(s); leftovers: ${args.yes ? `${sw.deleted} deleted, ${sw.failed} failed` : `${sw.wouldDelete} would be deleted`}, ${sw.untouched} of live batches untouched, ${sw.kept} of kept batches untouched${args["include-kept"] ? "" : " (--include-kept sweeps them)"}, ${sw.left.length} left (see above)`,
        );
      else
        lines.push(
          `  ${report.stacks.length} stack(s); the sweep stopped before deleting anything: [${report.sweepError?.code}] ${report.sweepError?.message}${report.sweepError?.fix ? ` ${report.sweepError.fix}` : ""}`,
        );
      lines.push("  IAM is global: expired batch roles of every region are swept too.");
      io.stdout.write(`${lines.join("\n")}\n`);
    }
    // With --yes, a stale stack left for want of the Pulumi CLI is work not done.
    const failed =
      report.stacks.some((s) => s.action === "failed" || (args.yes && s.action === "needs-pulumi")) ||
      report.sweep === null ||
      report.sweep.failed > 0;
    return failed ? ExitCode.Failure : ExitCode.Success;
  },
});

/**
 * The real {@link StackEngine}: Pulumi's Automation API driving the Pulumi CLI, with the batch program inline
 * (the same `stacks/index.ts` that Pulumi.yaml's `main` runs; the project name is Pulumi.yaml's). This is the only
 * module that imports `@pulumi/pulumi/automation`. Each stack gets one stable work directory under
 * `~/.aws-bench/work/<stack>`, its owner's alone; everything a later step needs is on the backend, not there.
 * Stack secrets are encrypted with a passphrase or an AWS KMS key; only the local file backend may use the empty
 * passphrase.
 */
import { accessSync, chmodSync, constants, existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import type { LocalWorkspace, Stack } from "@pulumi/pulumi/automation/index.js";
import { BenchError } from "../errors.js";
import type { Backend } from "./backend.js";
import {
  engineEventHandler,
  type EngineEventSink,
  type StackEngine,
  type StackListing,
  type StackRef,
  type StackResource,
} from "./engine.js";

/** The Pulumi project name: Pulumi.yaml's `name`. */
export const projectName = "aws-instance-benchmarks";

/** Settings of the real engine. */
export interface AutomationEngineOptions {
  /** The state backend. */
  backend: Backend;
  /** `~/.aws-bench`: work directories go under `work/`. */
  toolHome: string;
  /** Environment for the Pulumi CLI (credentials, `PULUMI_CONFIG_PASSPHRASE`, `PULUMI_SECRETS_PROVIDER`). */
  env: NodeJS.ProcessEnv;
  /**
   * An AWS KMS secrets provider for new stacks, e.g. `awskms://alias/aws-bench?region=us-east-1`.
   * @default `PULUMI_SECRETS_PROVIDER` from `env`, else the passphrase provider
   */
  secretsProvider?: string | undefined;
  /** The inline program. @default the batch program, stacks/index.ts */
  program?: () => Promise<Record<string, unknown>>;
}

/** How a backend's stacks encrypt their secrets: the provider new stacks get, and what the Pulumi CLI is told. */
export interface SecretsSettings {
  /** `passphrase`, or an `awskms://` URL. */
  provider: string;
  /** `PULUMI_CONFIG_PASSPHRASE` or `PULUMI_CONFIG_PASSPHRASE_FILE` for the CLI (none with KMS). */
  envVars: Record<string, string>;
}

/**
 * The secrets settings for `backend`: a KMS provider when one is named, else the passphrase from
 * `PULUMI_CONFIG_PASSPHRASE` or the file `PULUMI_CONFIG_PASSPHRASE_FILE`. Only the local file backend falls back to
 * the empty passphrase (its state never leaves the machine); on a shared `s3://` backend the empty passphrase would
 * let anyone who reads the bucket decrypt every stack's secrets, so there it throws `InvalidArgument`.
 *
 * @param backend - the state backend
 * @param env - the environment the passphrase is read from
 * @param provider - an AWS KMS secrets provider (`awskms://…`), when one is configured
 */
export function secretsSettings(
  backend: Backend,
  env: NodeJS.ProcessEnv,
  provider: string | undefined = env["PULUMI_SECRETS_PROVIDER"],
): SecretsSettings {
  if (provider) {
    if (!/^awskms:\/\/\S+$/.test(provider)) {
      throw new BenchError("InvalidArgument", `Secrets provider '${provider}' is not an AWS KMS key (awskms://…).`, {
        fix: "Set PULUMI_SECRETS_PROVIDER=awskms://alias/NAME?region=REGION, or unset it and use PULUMI_CONFIG_PASSPHRASE.",
      });
    }
    return { provider, envVars: {} };
  }
  const passphrase = env["PULUMI_CONFIG_PASSPHRASE"];
  if (passphrase) return { provider: "passphrase", envVars: { PULUMI_CONFIG_PASSPHRASE: passphrase } };
  const file = env["PULUMI_CONFIG_PASSPHRASE_FILE"];
  if (file) {
    let size: number;
    try {
      size = statSync(file).size;
    } catch (error) {
      throw new BenchError(
        "InputUnreadable",
        `PULUMI_CONFIG_PASSPHRASE_FILE ${file} cannot be read: ${(error as Error).message}.`,
        { fix: "Point it at the file holding the stacks' passphrase, or set PULUMI_CONFIG_PASSPHRASE instead." },
      );
    }
    // An empty file is the empty passphrase: fine on the local backend only, like an unset one.
    if (size > 0 || backend.kind === "file")
      return { provider: "passphrase", envVars: { PULUMI_CONFIG_PASSPHRASE_FILE: file } };
  }
  if (backend.kind === "file") return { provider: "passphrase", envVars: { PULUMI_CONFIG_PASSPHRASE: "" } };
  throw new BenchError(
    "InvalidArgument",
    `The shared backend ${backend.url} needs a secrets passphrase or a KMS key; with the empty default, anyone who can read the bucket could decrypt the stacks' secrets.`,
    {
      fix: "Set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) to a passphrase kept with the backend, or PULUMI_SECRETS_PROVIDER=awskms://alias/NAME?region=REGION.",
    },
  );
}

/**
 * A directory only its owner can enter (a work directory holds the stack's settings and, with a passphrase, its
 * encryption salt): made with its missing parents, and tightened if it already existed.
 */
export function ownerOnlyDirectory(path: string): string {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  chmodSync(path, 0o700);
  return path;
}

/** Builds the Automation API engine. */
export function automationEngine(options: AutomationEngineOptions): StackEngine {
  const baseEnv = { PULUMI_BACKEND_URL: options.backend.url, PULUMI_SKIP_UPDATE_CHECK: "true" };
  // Decided on first use rather than here, so listing stacks (which opens no secrets) needs no passphrase.
  let secrets: SecretsSettings | undefined;
  const secretsNow = (): SecretsSettings =>
    (secrets ??= secretsSettings(options.backend, options.env, options.secretsProvider));
  const projectSettings = { name: projectName, runtime: "nodejs" as const, backend: { url: options.backend.url } };
  const program =
    options.program ??
    (async () => {
      const { default: batchProgram } = await import("../../stacks/index.js");
      return batchProgram();
    });

  // The Automation API spawns `pulumi` from PATH. Looking for it first costs microseconds where loading the API
  // costs most of a second, so a machine without the CLI hears so at once (and `list` shows the records fast).
  async function automation() {
    if (!onPath("pulumi", options.env["PATH"] ?? process.env["PATH"]))
      throw pulumiErrorToBenchError(new Error("spawn pulumi ENOENT"), "(none yet)");
    return import("@pulumi/pulumi/automation/index.js");
  }

  // One workspace per stack for the engine's life: selecting a stack and setting its config each spawn the Pulumi
  // CLI, so they happen once, and the config again only when it changed (a zone retry moves an instance).
  const opened = new Map<string, { stack: Stack; config: string }>();

  async function stackOf(ref: StackRef, create = true): Promise<Stack> {
    let entry = opened.get(ref.stackName);
    if (!entry) {
      const { provider, envVars } = secretsNow();
      const { LocalWorkspace } = await automation();
      const workDir = ownerOnlyDirectory(join(options.toolHome, "work", ref.stackName));
      // Pulumi makes a missing file backend directory itself, readable by all; made here first, it is the owner's.
      if (options.backend.kind === "file") mkdirSync(options.backend.directory, { recursive: true, mode: 0o700 });
      const args = { stackName: ref.stackName, projectName, program };
      const settings = { workDir, projectSettings, envVars: { ...baseEnv, ...envVars }, secretsProvider: provider };
      const stack = await translate(
        () =>
          create ? LocalWorkspace.createOrSelectStack(args, settings) : LocalWorkspace.selectStack(args, settings),
        ref.stackName,
      );
      entry = { stack, config: "{}" };
      opened.set(ref.stackName, entry);
    }
    const config = JSON.stringify(ref.config);
    if (config !== entry.config && Object.keys(ref.config).length) {
      const { stack } = entry;
      await translate(
        () =>
          stack.setAllConfig(Object.fromEntries(Object.entries(ref.config).map(([key, value]) => [key, { value }]))),
        ref.stackName,
      );
      entry.config = config;
    }
    return entry.stack;
  }

  return {
    async ready() {
      // Before anything is recorded or created: a shared backend without a passphrase or key stops here.
      secretsNow();
      const { PulumiCommand } = await automation();
      await translate(() => PulumiCommand.get(), "(none yet)");
    },
    async preview(ref, events, signal) {
      const stack = await stackOf(ref);
      const result = await translate(
        () => stack.preview({ onEvent: engineEventHandler(events), color: "never", ...(signal ? { signal } : {}) }),
        ref.stackName,
      );
      return result.changeSummary;
    },
    async up(ref, events, signal) {
      const stack = await stackOf(ref);
      let failed = false;
      const sink: EngineEventSink = {
        ...events,
        onResourceFailed: (urn, message) => {
          failed = true;
          events.onResourceFailed?.(urn, message);
        },
      };
      try {
        // Never `refresh`: instances that terminated themselves would be recreated by the next update.
        const result = await stack.up({
          onEvent: engineEventHandler(sink),
          continueOnError: true,
          color: "never",
          refresh: false,
          ...(signal ? { signal } : {}),
        });
        return { summary: result.summary.resourceChanges ?? {}, failed };
      } catch (error) {
        // With continueOnError the update fails at the end when any resource failed: that is a partial success.
        if (failed && !signal?.aborted && !isCliMissing(error)) return { summary: {}, failed: true };
        throw pulumiErrorToBenchError(error, ref.stackName);
      }
    },
    async resources(ref) {
      const stack = await stackOf(ref, false);
      const state = await translate(() => stack.exportStack(), ref.stackName);
      const resources =
        (
          state.deployment as {
            resources?: Array<{ urn: string; type: string; id?: string; outputs?: Record<string, unknown> }>;
          }
        ).resources ?? [];
      return resources.map((r): StackResource => ({
        urn: r.urn,
        type: r.type,
        ...(r.id ? { id: r.id } : {}),
        outputs: r.outputs ?? {},
      }));
    },
    async cancel(ref) {
      const stack = await stackOf(ref, false);
      await translate(() => stack.cancel(), ref.stackName).catch((error: unknown) => {
        // Nothing running is not a failure of cancel.
        if (!/no update|not currently running|no active update/i.test(String((error as Error).message))) throw error;
      });
    },
    async clearPendingOperations(ref) {
      const stack = await stackOf(ref, false);
      const state = await translate(() => stack.exportStack(), ref.stackName);
      const deployment = state.deployment as { pending_operations?: unknown[] };
      const pending = deployment.pending_operations?.length ?? 0;
      if (pending > 0) {
        delete deployment.pending_operations;
        await translate(() => stack.importStack(state), ref.stackName);
      }
      return pending;
    },
    async destroy(ref, events) {
      const stack = await stackOf(ref, false);
      await translate(
        () =>
          stack.destroy({ onEvent: engineEventHandler(events), continueOnError: true, color: "never", refresh: false }),
        ref.stackName,
      );
    },
    async removeStack(ref) {
      const stack = await stackOf(ref, false);
      await translate(() => stack.workspace.removeStack(ref.stackName), ref.stackName);
      opened.delete(ref.stackName);
      // The work directory holds nothing the backend does not (Pulumi.yaml and the stack's config file).
      rmSync(join(options.toolHome, "work", ref.stackName), { recursive: true, force: true });
    },
    async listStacks() {
      // A file backend keeps every stack under <dir>/.pulumi: without it there is nothing to ask the CLI about.
      if (options.backend.kind === "file" && !existsSync(join(options.backend.directory, ".pulumi"))) return [];
      const { LocalWorkspace } = await automation();
      const workDir = ownerOnlyDirectory(join(options.toolHome, "work", "_list"));
      const workspace: LocalWorkspace = await translate(
        () => LocalWorkspace.create({ workDir, projectSettings, envVars: baseEnv }),
        "(list)",
      );
      const stacks = await translate(() => workspace.listStacks(), "(list)");
      return stacks.map((s): StackListing => ({
        name: s.name.slice(s.name.lastIndexOf("/") + 1),
        ...(s.lastUpdate ? { lastUpdate: s.lastUpdate } : {}),
        ...(s.updateInProgress === undefined ? {} : { updateInProgress: s.updateInProgress }),
        ...(s.resourceCount === undefined ? {} : { resourceCount: s.resourceCount }),
      }));
    },
  };
}

/** Whether an executable `name` is in one of the PATH directories. */
function onPath(name: string, path: string | undefined): boolean {
  const file = process.platform === "win32" ? `${name}.exe` : name;
  return (path ?? "").split(delimiter).some((dir) => {
    if (!dir) return false;
    try {
      accessSync(join(dir, file), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

async function translate<T>(call: () => Promise<T>, stackName: string): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw pulumiErrorToBenchError(error, stackName);
  }
}

function isCliMissing(error: unknown): boolean {
  return /spawn pulumi ENOENT|pulumi: (command )?not found|Failed to find the pulumi CLI/i.test(
    String((error as Error | undefined)?.message ?? error),
  );
}

/** Automation API failures → `BenchError`s that say what to do. */
export function pulumiErrorToBenchError(error: unknown, stackName: string): BenchError {
  if (error instanceof BenchError) return error;
  const message = String((error as Error | undefined)?.message ?? error);
  const name = (error as { name?: string } | undefined)?.name ?? "";
  if (isCliMissing(error)) {
    return new BenchError(
      "PulumiCliMissing",
      "The Pulumi CLI is not installed (or not on PATH); the batch lifecycle drives it through Pulumi's Automation API.",
      {
        fix: "Install it: `curl -fsSL https://get.pulumi.com | sh` (or `brew install pulumi/tap/pulumi`), open a new shell, and check `pulumi version`. `aws-bench plan` works without it.",
        cause: error,
      },
    );
  }
  if (
    name === "ConcurrentUpdateError" ||
    /currently locked|\[409\] Conflict|update is already in progress|locked by/i.test(message)
  ) {
    return new BenchError(
      "StackLocked",
      `Stack ${stackName} is locked by another update (running elsewhere, or left by a process that was killed).`,
      {
        fix: `If nothing else is working on it, clear the lock with \`pulumi cancel --stack ${stackName}\` (or \`aws-bench cleanup --yes\`, which clears stale locks), then run the step again.`,
        cause: error,
      },
    );
  }
  // Only the error class: the message carries Pulumi's whole output, where "not found" can mean anything.
  if (name === "StackNotFoundError") {
    return new BenchError("BatchNotFound", `Stack ${stackName} does not exist on this backend.`, {
      fix: "Check --batch and --backend (or PULUMI_BACKEND_URL); `aws-bench list` shows the batches on a backend.",
      cause: error,
    });
  }
  if (/incorrect passphrase|passphrase must be set|PULUMI_CONFIG_PASSPHRASE/i.test(message)) {
    return new BenchError(
      "PulumiError",
      `Pulumi cannot open the secrets of ${stackName}: the passphrase is wrong or missing.`,
      {
        fix: "Set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) to the passphrase the stack was created with (empty by default on the local file backend only).",
        cause: error,
      },
    );
  }
  if (/NoCredentialProviders|no valid credential sources|could not load credentials|ExpiredToken/i.test(message)) {
    return new BenchError("CredentialsMissing", `Pulumi found no valid AWS credentials for ${stackName}.`, {
      fix: "Run `aws sso login` or `aws configure`, or set AWS_PROFILE; see docs/AWS_SETUP.md.",
      cause: error,
    });
  }
  const lines = message
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => /error|failed/i.test(line));
  return new BenchError(
    "PulumiError",
    `Pulumi failed on ${stackName}: ${(lines.slice(-3).join(" | ") || message.split("\n")[0] || "unknown error").slice(0, 600)}`,
    {
      fix: "Run again with --debug for Pulumi's full output; `aws-bench status --batch ID` shows what exists.",
      cause: error,
    },
  );
}

/**
 * The real dependencies of the lifecycle for one region and backend: the Automation API engine, the batch store on
 * the backend, the results bucket through S3, and EC2 for instance states. SDK and Pulumi modules load here, on
 * demand, never on the `--help` path.
 */
import { hostname, userInfo } from "node:os";
import { resolve } from "node:path";
import type { AwsSettings } from "../aws/clients.js";
import { resolveBackend, toolHome, type Backend } from "./backend.js";
import type { BatchStore } from "./batch-store.js";
import type { InstanceWatch, ResultsBucket } from "./aws-access.js";
import type { StackEngine } from "./engine.js";
import type { LifecycleDeps } from "./lifecycle.js";

/**
 * What the orchestrator takes from the process it runs in: the environment, the working directory relative paths
 * resolve against, and where progress lines go (stderr for the CLI). Any caller can provide it; the CLI passes its
 * own I/O, which has this shape.
 */
export interface HostContext {
  /** Environment variables (PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE, CI, HOME …). */
  env: NodeJS.ProcessEnv;
  /** Working directory. */
  cwd: string;
  /** Progress and warnings, one line per write. */
  stderr: { write(text: string): unknown };
}

/** What the CLI knows when it builds the lifecycle. */
export interface SetupOptions extends AwsSettings {
  /** `--backend`. */
  backend?: string | undefined;
  /** `data/raw` (relative to the working directory). */
  rawRoot?: string | undefined;
}

/** The backend and the batch store on it. */
export async function openBackend(
  options: SetupOptions,
  io: HostContext,
): Promise<{ backend: Backend; store: BatchStore }> {
  const backend = resolveBackend(options.backend, io.env, io.cwd);
  const { batchStoreFor } = await import("./batch-store.js");
  if (backend.kind === "file") return { backend, store: batchStoreFor(backend) };
  const { createS3Client } = await import("../aws/clients.js");
  // The records go where Pulumi puts the state: the backend URL's region, endpoint, addressing and profile (its
  // query, as Pulumi reads it) win over the command line's and the chain's.
  const { access } = backend;
  const region = access.region ?? options.region;
  const client = await createS3Client({ ...options, ...(access.profile ? { profile: access.profile } : {}) }, region, {
    endpoint: access.endpoint,
    forcePathStyle: access.forcePathStyle,
  });
  return { backend, store: batchStoreFor(backend, client, region) };
}

/** Stand-ins for Pulumi and the results bucket/instances, for tests of the commands; the CLI never sets them. */
export interface DependencyOverrides {
  /** The engine for a backend (and program: `bootstrap` passes its own). */
  engine?(backend: Backend, program?: () => Promise<Record<string, unknown>>): StackEngine;
  /** The results bucket and instance watch of a region. */
  aws?(region: string, resultsBucket: string): { results: ResultsBucket; instances: InstanceWatch };
}

let overrides: DependencyOverrides = {};

/** Replaces real dependencies until the returned function is called (tests only). */
export function overrideDependencies(replacement: DependencyOverrides): () => void {
  overrides = replacement;
  return () => {
    overrides = {};
  };
}

/** The stack engine for a backend: the Automation API, with the batch program unless another is given. */
export async function createEngine(
  backend: Backend,
  io: HostContext,
  program?: () => Promise<Record<string, unknown>>,
): Promise<StackEngine> {
  if (overrides.engine) return overrides.engine(backend, program);
  const { automationEngine } = await import("./automation-engine.js");
  return automationEngine({ backend, toolHome: toolHome(io.env), env: io.env, ...(program ? { program } : {}) });
}

/** Everything {@link LifecycleDeps} needs, real. */
export async function lifecycleDeps(
  options: SetupOptions & { region: string; resultsBucket: string },
  io: HostContext,
): Promise<LifecycleDeps & { backend: Backend }> {
  const { backend, store } = await openBackend(options, io);
  const aws = overrides.aws ? overrides.aws(options.region, options.resultsBucket) : await realAws(options);
  return {
    backend,
    engine: await createEngine(backend, io),
    store,
    ...aws,
    rawRoot: resolve(io.cwd, options.rawRoot ?? "data/raw"),
    progress: (line) => io.stderr.write(`${line}\n`),
    now: () => new Date(),
    sleep: (ms, signal) =>
      new Promise((done) => {
        const timer = setTimeout(done, ms);
        signal?.addEventListener(
          "abort",
          () => {
            clearTimeout(timer);
            done();
          },
          { once: true },
        );
      }),
  };
}

async function realAws(
  options: SetupOptions & { region: string; resultsBucket: string },
): Promise<{ results: ResultsBucket; instances: InstanceWatch }> {
  const { createEc2Client, createS3Client } = await import("../aws/clients.js");
  const { ec2InstanceWatch, s3ResultsBucket } = await import("./aws-access.js");
  return {
    results: s3ResultsBucket(await createS3Client(options, options.region), options.resultsBucket, options.region),
    instances: ec2InstanceWatch(await createEc2Client(options, options.region), options.region),
  };
}

/** Who creates the batch, for the `aws-bench:created-by` tag: the CI run, or user@host. */
export function createdBy(env: NodeJS.ProcessEnv): string {
  if (env["GITHUB_ACTIONS"] === "true")
    return `github:${env["GITHUB_REPOSITORY"] ?? "?"}/actions/runs/${env["GITHUB_RUN_ID"] ?? "?"}`;
  let user = env["USER"] ?? "user";
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers): keep $USER
  }
  return `${user}@${hostname()}`;
}

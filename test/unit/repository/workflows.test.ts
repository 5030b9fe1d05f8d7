/**
 * The GitHub workflows, read as data: the batch lifecycle's ordering and teardown guarantee, the CLI commands they
 * call (only real ones, `--batch` on every step after preview), OIDC instead of stored keys, a shared backend, and
 * nothing run before `npm ci`. Supply chain (issue #12 item 5): every action pinned to a commit SHA with its release
 * in a comment, `npm ci --ignore-scripts` and the build before any credentials step, no git credentials kept by the
 * checkout, secrets only in the steps that use them (never in a workflow's or a job's env), a batch never started
 * without `--max-cost`, and `repeat` a bounded choice. Each rule is a function returning what it finds wrong, so
 * the last tests can show that every rule fails on a workflow that breaks it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { commands } from "../../../src/cli/main.js";

const root = join(import.meta.dirname, "..", "..", "..");
const workflowDir = join(root, ".github", "workflows");

type Permissions = string | Record<string, string>;

interface Step {
  name?: string;
  "continue-on-error"?: boolean;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}

interface Job {
  needs?: string | string[];
  environment?: string | { name?: string };
  strategy?: { matrix?: Record<string, unknown> };
  if?: string;
  permissions?: Permissions;
  env?: Record<string, unknown>;
  outputs?: Record<string, string>;
  concurrency?: string | { group?: string; "cancel-in-progress"?: boolean | string };
  "timeout-minutes"?: number;
  steps?: Step[];
}

interface Workflow {
  name?: string;
  on?: Record<string, unknown>;
  permissions?: Permissions;
  env?: Record<string, unknown>;
  jobs: Record<string, Job>;
}

/** One CLI command line in a step's script. */
interface Invocation {
  job: string;
  stepIndex: number;
  step: Step;
  command: string;
  args: string[];
}

const cliCommands = commands.map((command) => command.command.split(" ")[0] as string);
/** Commands that need the state backend: in CI it must be shared (s3://), since every job runs on a new machine. */
const backendCommands = new Set(["preview", "up", "collect", "destroy", "status", "list", "cleanup", "run"]);
/** How a workflow may run the CLI: the built file (the package's own bin is not linked by `npm ci`) or by name. */
const cliPrefixes = [["node", "dist/src/cli/bin.js"], ["npx", "aws-bench"], ["aws-bench"], ["aws-benchmark-collector"]];
/** The CLI's own bound on --repeat (src/cli/batch-options.ts); the workflow's choices stay within it. */
const maxRepeat = 100;
const shellOperators = new Set(["&&", "||", ";", "|", "then", "do", "else", "fi", "done"]);

function readWorkflows(): Record<string, Workflow> {
  const files = readdirSync(workflowDir).filter((file) => /\.ya?ml$/.test(file));
  return Object.fromEntries(
    files.map((file) => [file, parse(readFileSync(join(workflowDir, file), "utf8")) as Workflow]),
  );
}

function readWorkflowTexts(): Record<string, string> {
  const files = readdirSync(workflowDir).filter((file) => /\.ya?ml$/.test(file));
  return Object.fromEntries(files.map((file) => [file, readFileSync(join(workflowDir, file), "utf8")]));
}

/** A full commit SHA: a tag or a branch can be moved to other code, a commit cannot. */
const pinnedAction = /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/;
/** Expressions that hand out a secret: repository secrets and the job's GitHub token. */
const secretExpression = /\$\{\{[^}]*\b(secrets\.|github\.token\b)/;
/** Commands that start a batch and so spend money: `--max-cost` is required in CI. */
const costlyCommands = new Set(["preview", "run"]);

function needsOf(job: Job): string[] {
  return job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
}

/** Words of one shell line: quotes removed, `$VAR` kept as written, operators as their own words. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let current = "";
  let inWord = false;
  let quote: string | undefined;
  for (const char of line) {
    if (quote) {
      if (char === quote) quote = undefined;
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
    } else if (char === "#" && !inWord) {
      break;
    } else {
      current += char;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words.flatMap((word) => (word.endsWith(";") && word.length > 1 ? [word.slice(0, -1), ";"] : [word]));
}

/** Every CLI command line in a script (continuation lines joined, operators separating commands). */
function cliCommandLines(script: string): Array<{ command: string; args: string[] }> {
  const found: Array<{ command: string; args: string[] }> = [];
  for (const line of script.replace(/\\\n/g, " ").split("\n")) {
    const words = shellWords(line);
    for (let index = 0; index < words.length; index++) {
      const prefix = cliPrefixes.find((candidate) => candidate.every((word, offset) => words[index + offset] === word));
      if (!prefix) continue;
      const rest = words.slice(index + prefix.length);
      const end = rest.findIndex((word) => shellOperators.has(word));
      const [command = "", ...args] = end === -1 ? rest : rest.slice(0, end);
      found.push({ command, args });
      index += prefix.length;
    }
  }
  return found;
}

function invocationsOf(workflow: Workflow): Invocation[] {
  return Object.entries(workflow.jobs).flatMap(([job, spec]) =>
    (spec.steps ?? []).flatMap((step, stepIndex) =>
      cliCommandLines(step.run ?? "").map((line) => ({ job, stepIndex, step, ...line })),
    ),
  );
}

/** The value of an environment variable as a step sees it (step, then job, then workflow). */
function envValue(workflow: Workflow, job: Job, step: Step, name: string): string | undefined {
  for (const env of [step.env, job.env, workflow.env]) if (env && name in env) return String(env[name]);
  return undefined;
}

/** What a word means: `$NAME`, `${NAME}` resolved through the step's environment; anything else as is. */
function resolveWord(workflow: Workflow, job: Job, step: Step, word: string): string | undefined {
  const variable = /^\$\{?([A-Za-z_]\w*)\}?$/.exec(word);
  return variable ? envValue(workflow, job, step, variable[1] as string) : word;
}

function optionValue(args: readonly string[], option: string): string | undefined {
  const index = args.indexOf(option);
  if (index !== -1) return args[index + 1];
  return args.find((arg) => arg.startsWith(`${option}=`))?.slice(option.length + 1);
}

function effectivePermissions(workflow: Workflow, job: Job): Permissions | undefined {
  return job.permissions ?? workflow.permissions;
}

function permission(permissions: Permissions | undefined, scope: string): string {
  if (permissions === undefined) return "default";
  if (typeof permissions === "string")
    return permissions === "write-all" ? "write" : permissions === "read-all" ? "read" : "none";
  return permissions[scope] ?? "none";
}

/** Rules every workflow follows. */
function generalViolations(file: string, workflow: Workflow): string[] {
  const problems: string[] = [];
  if (!workflow.name) problems.push(`${file}: no name`);
  if (!workflow.on) problems.push(`${file}: no triggers`);
  if (workflow.permissions === "write-all") problems.push(`${file}: workflow permissions are write-all`);
  for (const [key, value] of Object.entries(workflow.env ?? {}))
    if (secretExpression.test(String(value)))
      problems.push(`${file}: env ${key} hands a secret to every job; give it to the steps that use it`);
  for (const [name, job] of Object.entries(workflow.jobs ?? {})) {
    const where = `${file} job ${name}`;
    if (!(typeof job["timeout-minutes"] === "number" && job["timeout-minutes"] > 0 && job["timeout-minutes"] <= 360)) {
      problems.push(`${where}: needs timeout-minutes between 1 and 360`);
    }
    if (effectivePermissions(workflow, job) === undefined)
      problems.push(`${where}: permissions are GitHub's defaults; declare them`);
    const steps = job.steps ?? [];
    for (const [key, value] of Object.entries(job.env ?? {}))
      if (secretExpression.test(String(value)))
        problems.push(`${where}: env ${key} hands a secret to every step of the job; give it to the steps that use it`);
    for (const step of steps) {
      if (step.uses && !step.uses.startsWith("./") && !pinnedAction.test(step.uses)) {
        problems.push(`${where}: action ${step.uses} is not pinned to a full commit SHA`);
      }
      if (step.uses?.startsWith("actions/checkout@") && step.with?.["persist-credentials"] !== false)
        problems.push(`${where}: the checkout keeps the GitHub token in .git (set persist-credentials: false)`);
      if (/\bnpm (ci|install|i)\b/.test(step.run ?? "") && !/\bnpm ci --ignore-scripts\b/.test(step.run ?? ""))
        problems.push(`${where}: dependencies are installed with their install scripts (use npm ci --ignore-scripts)`);
      // Expressions pasted into a script are a script-injection path (inputs, branch names, PR titles): pass
      // them through env instead.
      if (step.run?.includes("${{"))
        problems.push(
          `${where}: step '${step.name ?? step.run.split("\n")[0]}' pastes a \${{ }} expression into its script`,
        );
    }
    const credentialSteps = steps.filter((step) => step.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    for (const step of credentialSteps) {
      if (permission(effectivePermissions(workflow, job), "id-token") !== "write")
        problems.push(`${where}: AWS credentials by OIDC need permissions id-token: write`);
      const roleInput = step.with?.["role-to-assume"];
      const role = typeof roleInput === "string" ? roleInput : JSON.stringify(roleInput ?? "");
      if (!/^\$\{\{\s*(vars|secrets)\.[A-Z0-9_]+\s*\}\}$/.test(role))
        problems.push(`${where}: role-to-assume must come from a repository variable or secret, not '${role}'`);
      for (const key of ["aws-access-key-id", "aws-secret-access-key"])
        if (step.with && key in step.with) problems.push(`${where}: long-lived AWS keys (${key}); use OIDC`);
    }
    const invocations = steps.flatMap((step, stepIndex) => cliCommandLines(step.run ?? "").map(() => stepIndex));
    const checkout = steps.findIndex((step) => step.uses?.startsWith("actions/checkout@"));
    const install = steps.findIndex((step) => /\bnpm ci\b/.test(step.run ?? ""));
    const build = steps.findIndex((step) => /\bnpm (run build|test)\b/.test(step.run ?? ""));
    if (invocations.length > 0) {
      const first = Math.min(...invocations);
      if (checkout === -1 || checkout > install) problems.push(`${where}: check out the repository before npm ci`);
      if (install === -1 || install >= first) problems.push(`${where}: runs aws-bench before npm ci`);
      if (build === -1 || build >= first) problems.push(`${where}: runs aws-bench before npm run build`);
    }
    // Credentials exist from their step on: dependencies are installed and the project built before, so neither a
    // package's code nor the build ever runs with them.
    const credentials = steps.findIndex((step) => step.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    if (credentials !== -1) {
      if (install === -1 || install > credentials)
        problems.push(`${where}: AWS credentials are configured before npm ci`);
      if (build === -1 || build > credentials)
        problems.push(`${where}: AWS credentials are configured before the build`);
    }
  }
  return problems;
}

/** Only commands the CLI has; lifecycle commands on a shared backend with a secret passphrase. */
function cliViolations(file: string, workflow: Workflow, known: readonly string[]): string[] {
  const problems: string[] = [];
  for (const invocation of invocationsOf(workflow)) {
    const where = `${file} job ${invocation.job}: '${invocation.command}'`;
    const job = workflow.jobs[invocation.job] as Job;
    if (!known.includes(invocation.command))
      problems.push(`${where} is not an aws-bench command (${known.join(", ")})`);
    const local = invocation.command === "run" && optionValue(invocation.args, "--target") === "local";
    if (costlyCommands.has(invocation.command) && !local) {
      const cap = optionValue(invocation.args, "--max-cost");
      if (cap === undefined || cap === "" || resolveWord(workflow, job, invocation.step, cap) === undefined)
        problems.push(`${where} starts a batch without --max-cost`);
    }
    const backendArg = optionValue(invocation.args, "--backend");
    const backend =
      backendArg === undefined
        ? envValue(workflow, job, invocation.step, "PULUMI_BACKEND_URL")
        : resolveWord(workflow, job, invocation.step, backendArg);
    if (
      backendCommands.has(invocation.command) &&
      !(invocation.command === "run" && optionValue(invocation.args, "--target") === "local")
    ) {
      if (backend === undefined) problems.push(`${where} has no backend: set PULUMI_BACKEND_URL (s3://…) or --backend`);
      else if (!/^(s3:\/\/\S+|\$\{\{\s*(vars|secrets)\.[A-Z0-9_]+\s*\}\})$/.test(backend.trim()))
        problems.push(`${where}: backend '${backend}' is not an s3:// URL or a repository variable`);
      const passphrase = envValue(workflow, job, invocation.step, "PULUMI_CONFIG_PASSPHRASE");
      if (passphrase === undefined || !/^\$\{\{\s*secrets\.[A-Z0-9_]+\s*\}\}$/.test(passphrase.trim()))
        problems.push(`${where}: PULUMI_CONFIG_PASSPHRASE must come from a secret`);
    }
  }
  const text = JSON.stringify(workflow);
  if (text.includes("file://")) problems.push(`${file}: mentions a file:// backend; CI jobs run on different machines`);
  return problems;
}

/** The batch lifecycle: preview → up → collect → destroy, the id passed on, destroy whatever happens. */
function batchViolations(workflow: Workflow): string[] {
  const problems: string[] = [];
  const dispatch = (workflow.on?.["workflow_dispatch"] ?? {}) as { inputs?: Record<string, unknown> };
  for (const input of ["instance-types", "benchmarks", "repeat", "max-cost", "spot", "region"]) {
    if (!dispatch.inputs?.[input]) problems.push(`workflow_dispatch has no input '${input}'`);
  }
  for (const input of ["repeat", "max-cost"]) {
    const spec = dispatch.inputs?.[input] as { type?: string; options?: unknown[] } | undefined;
    const options = spec?.options ?? [];
    const bounded =
      spec?.type === "choice" &&
      options.length > 0 &&
      options.every((option) => /^\d+$/.test(String(option)) && Number(option) >= 1 && Number(option) <= maxRepeat);
    if (spec && !bounded) problems.push(`input '${input}' must be a choice of whole numbers from 1 to ${maxRepeat}`);
  }
  const jobs = workflow.jobs;
  for (const name of ["preview", "up", "collect", "destroy"]) if (!jobs[name]) problems.push(`no job '${name}'`);
  if (problems.length > 0) return problems;
  const [preview, up, collect, destroy] = [
    jobs["preview"] as Job,
    jobs["up"] as Job,
    jobs["collect"] as Job,
    jobs["destroy"] as Job,
  ];
  const invocations = invocationsOf(workflow);
  const batchOutput = "${{ needs.preview.outputs.batch-id }}";

  const previewCalls = invocations.filter((call) => call.job === "preview" && call.command === "preview");
  const outputStep = /^\$\{\{\s*steps\.([\w-]+)\.outputs\.batch-id\s*\}\}$/.exec(
    preview.outputs?.["batch-id"] ?? "",
  )?.[1];
  if (previewCalls.length !== 1) problems.push("job preview must run 'preview' once");
  else if (!outputStep || previewCalls[0]?.step.id !== outputStep)
    problems.push("job preview must output batch-id from the step that runs 'preview'");

  const order: Array<[string, Job, string[]]> = [
    ["up", up, ["preview"]],
    ["collect", collect, ["preview", "up"]],
    ["destroy", destroy, ["preview", "up", "collect"]],
  ];
  for (const [name, job, needs] of order) {
    for (const need of needs) if (!needsOf(job).includes(need)) problems.push(`job ${name} must need ${need}`);
    const calls = invocations.filter((call) => call.job === name && call.command === name);
    if (calls.length !== 1) {
      problems.push(`job ${name} must run '${name}' once`);
      continue;
    }
    const call = calls[0] as Invocation;
    const batch = optionValue(call.args, "--batch");
    const resolved = batch === undefined ? undefined : resolveWord(workflow, job, call.step, batch);
    if (resolved?.replace(/\s/g, "") !== batchOutput.replace(/\s/g, ""))
      problems.push(`'${name}' must get --batch ${batchOutput} (got ${batch ?? "nothing"})`);
    const group = typeof job.concurrency === "string" ? job.concurrency : job.concurrency?.group;
    if (!group?.replace(/\s/g, "").includes(batchOutput.replace(/\s/g, "")))
      problems.push(`job ${name} needs a concurrency group per batch`);
    if (typeof job.concurrency === "object" && job.concurrency["cancel-in-progress"] !== false)
      problems.push(`job ${name}: a batch step must never be cancelled by the next one`);
  }
  if (!/\balways\(\)/.test(destroy.if ?? ""))
    problems.push("job destroy must run with if: always() (after failures and cancellations)");
  if (/\b(success|failure|cancelled)\(\)|needs\.(up|collect)\.result/.test(destroy.if ?? ""))
    problems.push("job destroy's condition must not depend on how up or collect ended");
  const destroyCall = invocations.find((call) => call.job === "destroy" && call.command === "destroy");
  if (destroyCall && !destroyCall.args.includes("--yes")) problems.push("'destroy' runs without a TTY: it needs --yes");
  const collectCall = invocations.find((call) => call.job === "collect" && call.command === "collect");
  if (collectCall && optionValue(collectCall.args, "--out") !== "data/raw")
    problems.push("'collect' must write to data/raw");
  const collectPermissions = effectivePermissions(workflow, collect);
  if (
    permission(collectPermissions, "contents") !== "write" ||
    permission(collectPermissions, "pull-requests") !== "write"
  ) {
    problems.push("job collect opens a pull request: it needs contents: write and pull-requests: write");
  }
  if (!(collect.steps ?? []).some((step) => /\bgh pr create\b/.test(step.run ?? "")))
    problems.push("job collect must open a pull request with the new data/raw files");
  for (const [name, job] of Object.entries(jobs)) {
    if (name !== "collect" && permission(effectivePermissions(workflow, job), "contents") === "write")
      problems.push(`job ${name} has contents: write but writes nothing to the repository`);
  }
  return problems;
}

/** Expressions naming the pull request's own commit or branch: checking them out runs the contributor's code. */
const pullRequestRef = /github\.event\.(pull_request\.head|workflow_run\.head_(sha|branch|commit))|github\.head_ref/;

/**
 * No pwn request (issue #16): `pull_request_target` is never used; a job that runs on `pull_request` (the pull
 * request's code) holds no secret and no write permission; a job that holds a secret — every job of a `workflow_run`
 * workflow may — never checks out, fetches or runs the pull request's code, and runs only the base branch's built CLI.
 */
function pullRequestCodeViolations(file: string, workflow: Workflow): string[] {
  const problems: string[] = [];
  const triggers = Object.keys(workflow.on ?? {});
  if (triggers.includes("pull_request_target")) problems.push(`${file}: uses pull_request_target`);
  // Only pull requests bring others' code; scheduled and manual workflows run the repository's own.
  if (!triggers.some((trigger) => ["pull_request", "pull_request_target", "workflow_run"].includes(trigger)))
    return problems;
  for (const [name, job] of Object.entries(workflow.jobs)) {
    const where = `${file} job ${name}`;
    const text = JSON.stringify(job);
    const holdsSecret =
      secretExpression.test(text) ||
      Object.values(
        typeof effectivePermissions(workflow, job) === "object"
          ? (effectivePermissions(workflow, job) as Record<string, string>)
          : {},
      ).includes("write");
    if (triggers.includes("pull_request") && holdsSecret)
      problems.push(`${where}: runs the pull request's code and holds a secret or a write permission`);
    if (!holdsSecret && !triggers.includes("workflow_run")) continue;
    for (const step of job.steps ?? []) {
      if (step.uses?.startsWith("actions/checkout@") && pullRequestRef.test(JSON.stringify(step.with ?? {})))
        problems.push(`${where}: checks out the pull request's code`);
      const script = step.run ?? "";
      if (
        /\bgit (fetch|checkout|switch|pull)\b|\bgh pr checkout\b|pull\/\d*\$?\{?[^\s]*head/.test(script) ||
        pullRequestRef.test(script)
      )
        problems.push(`${where}: step '${step.name ?? script.split("\n")[0]}' fetches or checks out other code`);
      for (const line of script.split("\n")) {
        const words = shellWords(line);
        const runsOther = words.some(
          (word, index) =>
            (["node", "bash", "sh", "python3", "npx"].includes(word) &&
              index === 0 &&
              words[1] !== "dist/src/cli/bin.js" &&
              !(word === "npx" && words[1] === "aws-bench")) ||
            /^(\.\/|\$RUNNER_TEMP|\$\{?RUNNER_TEMP)[^\s]*\.(sh|js|mjs|py)$/.test(word),
        );
        if (runsOther) problems.push(`${where}: '${line.trim()}' runs something other than the base branch's CLI`);
      }
    }
  }
  return problems;
}

const workflows = readWorkflows();
const texts = readWorkflowTexts();
const batchFile = "benchmark-batch.yml";

describe("GitHub workflows", () => {
  it("are the batch, cleanup, discover, CI and site workflows, each valid YAML", () => {
    expect(Object.keys(workflows).sort()).toEqual([
      "benchmark-batch.yml",
      "ci.yml",
      "cleanup.yml",
      "contribution-review.yml",
      "contribution-verify.yml",
      "discover.yml",
      "site.yml",
    ]);
    for (const workflow of Object.values(workflows)) expect(Object.keys(workflow.jobs).length).toBeGreaterThan(0);
  });

  it.each(Object.keys(workflows))(
    "%s: timeouts, declared permissions, pinned actions, OIDC, npm ci before use",
    (file) => {
      expect(generalViolations(file, workflows[file] as Workflow)).toEqual([]);
    },
  );

  it.each(Object.keys(workflows))("%s: only real aws-bench commands, on a shared s3:// backend", (file) => {
    expect(cliViolations(file, workflows[file] as Workflow, cliCommands)).toEqual([]);
  });

  it("benchmark-batch: preview → up → collect → destroy with the batch id passed on, destroy always", () => {
    expect(batchViolations(workflows[batchFile] as Workflow)).toEqual([]);
  });

  it("benchmark-batch: the batch id is always generated by preview, never typed in", () => {
    const workflow = readFileSync(join(root, ".github", "workflows", "benchmark-batch.yml"), "utf8");
    expect(workflow).not.toMatch(/inputs\.batch\b/);
    expect(workflow).not.toMatch(/bin\.js preview[^\n]*--batch|args\+=\(--batch/);
  });

  it("benchmark-batch: every job that reaches AWS uses the run role by OIDC", () => {
    const workflow = workflows[batchFile] as Workflow;
    for (const job of Object.values(workflow.jobs)) {
      const credentials = (job.steps ?? []).find((step) =>
        step.uses?.startsWith("aws-actions/configure-aws-credentials@"),
      );
      expect(credentials?.with?.["role-to-assume"]).toBe("${{ vars.AWS_BENCH_ROLE_ARN }}");
      expect(permission(effectivePermissions(workflow, job), "id-token")).toBe("write");
    }
  });

  it("cleanup runs hourly and on demand, sweeping only past expiry plus grace", () => {
    const workflow = workflows["cleanup.yml"] as Workflow;
    const schedule = workflow.on?.["schedule"] as Array<{ cron: string }>;
    expect(schedule.map((entry) => entry.cron)).toEqual([expect.stringMatching(/^\d{1,2} \* \* \* \*$/)]);
    expect(workflow.on).toHaveProperty("workflow_dispatch");
    const calls = invocationsOf(workflow).filter((call) => call.command === "cleanup");
    expect(calls).toHaveLength(1);
    const args = calls[0]?.args ?? [];
    expect([optionValue(args, "--older-than"), optionValue(args, "--grace"), args.includes("--yes")]).toEqual([
      "6h",
      "1h",
      true,
    ]);
  });

  it("site analyzes data/raw, builds the report from that database, and only its deploy job writes to Pages", () => {
    const workflow = workflows["site.yml"] as Workflow;
    const calls = invocationsOf(workflow);
    const analyze = calls.find((call) => call.command === "analyze");
    const report = calls.find((call) => call.command === "report");
    expect(optionValue(analyze?.args ?? [], "--input")).toBe("data/raw");
    expect(analyze?.args).not.toContain("--include-local");
    expect(report?.stepIndex ?? -1).toBeGreaterThan(analyze?.stepIndex ?? Infinity);
    expect(optionValue(report?.args ?? [], "--data")).toBe(optionValue(analyze?.args ?? [], "--out"));
    const build = workflow.jobs["build"] as Job;
    expect(permission(effectivePermissions(workflow, build), "pages")).toBe("none");
    expect(build.steps?.at(-1)?.uses).toMatch(/^actions\/upload-pages-artifact@/);
    const deploy = workflow.jobs["deploy"] as Job;
    expect(needsOf(deploy)).toEqual(["build"]);
    expect([
      permission(effectivePermissions(workflow, deploy), "pages"),
      permission(effectivePermissions(workflow, deploy), "id-token"),
    ]).toEqual(["write", "write"]);
    expect(deploy.steps?.map((step) => step.uses?.split("@")[0])).toEqual(["actions/deploy-pages"]);
  });

  it.each(Object.keys(workflows))("%s: no job holding a secret checks out or runs pull-request code", (file) => {
    expect(pullRequestCodeViolations(file, workflows[file] as Workflow)).toEqual([]);
  });

  it("contribution review: the pull-request job reviews without keys; the workflow_run job reviews with them", () => {
    const review = workflows["contribution-review.yml"] as Workflow;
    const verify = workflows["contribution-verify.yml"] as Workflow;
    expect(Object.keys(review.on ?? {})).toEqual(["pull_request"]);
    expect(Object.keys(verify.on ?? {})).toEqual(["workflow_run"]);
    expect((verify.on?.["workflow_run"] as { workflows: string[] }).workflows).toEqual([review.name]);
    const publicCall = invocationsOf(review).find((call) => call.command === "review");
    expect(publicCall?.args.some((arg) => arg.startsWith("--key") || arg.startsWith("--pseudonym-secret"))).toBe(false);
    const keyedCall = invocationsOf(verify).find((call) => call.command === "review");
    const keyedStep = keyedCall?.step as Step;
    expect(Object.keys(keyedStep.env ?? {}).sort()).toEqual(["AWS_BENCH_PSEUDONYM_SECRET", "AWS_BENCH_REVIEW_KEY"]);
    // The uploaded artifact is what the keyed job reads: the names match.
    const uploaded = (review.jobs["review"]?.steps ?? []).find((step) =>
      step.uses?.startsWith("actions/upload-artifact@"),
    );
    const downloaded = (verify.jobs["verify"]?.steps ?? []).find((step) =>
      step.uses?.startsWith("actions/download-artifact@"),
    );
    expect(downloaded?.with?.["name"]).toBe(uploaded?.with?.["name"]);
  });

  it("discover runs weekly against us-east-1 and opens a pull request only when the catalogue changed", () => {
    const workflow = workflows["discover.yml"] as Workflow;
    const schedule = workflow.on?.["schedule"] as Array<{ cron: string }>;
    expect(schedule.map((entry) => entry.cron)).toEqual([expect.stringMatching(/^\d{1,2} \d{1,2} \* \* [0-6]$/)]);
    const call = invocationsOf(workflow).find((candidate) => candidate.command === "discover");
    expect(optionValue(call?.args ?? [], "--region")).toBe("us-east-1");
    const steps = workflow.jobs["discover"]?.steps ?? [];
    const pullRequest = steps.findIndex((step) => /\bgh pr create\b/.test(step.run ?? ""));
    expect(pullRequest).toBeGreaterThan(call?.stepIndex ?? Infinity);
    expect(steps[pullRequest]?.run).toMatch(/git (status --porcelain|diff --quiet)[^\n]*data\/catalog/);
  });

  it.each(Object.keys(workflows))("%s: every action's commit SHA names the release it was published as", (file) => {
    const uses = (texts[file] ?? "").split("\n").filter((line) => /^\s*(-\s+)?uses:/.test(line));
    expect(uses.length).toBeGreaterThan(0);
    expect(uses.filter((line) => !/@[0-9a-f]{40} # v\d+(\.\d+)*\s*$/.test(line))).toEqual([]);
  });

  it("pins each action to one commit across the workflows", () => {
    const pins = new Map<string, Set<string>>();
    for (const workflow of Object.values(workflows))
      for (const job of Object.values(workflow.jobs))
        for (const step of job.steps ?? []) {
          const [action, ref] = (step.uses ?? "").split("@");
          if (action && ref) pins.set(action, new Set([...(pins.get(action) ?? []), ref]));
        }
    expect([...pins].filter(([, refs]) => refs.size > 1)).toEqual([]);
  });

  it("run on Node.js 24 LTS, and ci tests every supported line (20.19, 22, 24)", () => {
    for (const [file, workflow] of Object.entries(workflows))
      for (const [name, job] of Object.entries(workflow.jobs))
        for (const step of job.steps ?? [])
          if (step.uses?.startsWith("actions/setup-node@"))
            expect([file, name, String(step.with?.["node-version"])]).toEqual([
              file,
              name,
              file === "ci.yml" ? "${{ matrix.node }}" : "24",
            ]);
    expect(workflows["ci.yml"]?.jobs["test"]?.strategy?.matrix?.["node"]).toEqual(["20.19", "22", "24"]);
  });

  it("ci runs the README's test command on pushes and pull requests", () => {
    const workflow = workflows["ci.yml"] as Workflow;
    expect(workflow.on).toHaveProperty("pull_request");
    expect(workflow.on).toHaveProperty("push");
    expect(
      (workflow.jobs["test"]?.steps ?? []).some((step) =>
        /npm ci( --ignore-scripts)? && npm test/.test(step.run ?? ""),
      ),
    ).toBe(true);
  });
});

describe("the workflow rules catch what they are for", () => {
  const broken = (change: (workflow: Workflow) => void): Workflow => {
    const workflow = structuredClone(workflows[batchFile]) as Workflow;
    change(workflow);
    return workflow;
  };
  const jobOf = (workflow: Workflow, name: string) => workflow.jobs[name] as Job;
  const runStep = (workflow: Workflow, name: string, command: string) =>
    (jobOf(workflow, name).steps ?? []).find((step) =>
      cliCommandLines(step.run ?? "").some((line) => line.command === command),
    ) as Step;

  it("a destroy that is skipped when collect fails", () => {
    const workflow = broken((w) => (jobOf(w, "destroy").if = "success()"));
    expect(batchViolations(workflow)).toContain(
      "job destroy must run with if: always() (after failures and cancellations)",
    );
  });

  it("a destroy that does not wait for collect", () => {
    const workflow = broken((w) => (jobOf(w, "destroy").needs = ["preview", "up"]));
    expect(batchViolations(workflow)).toContain("job destroy must need collect");
  });

  it("a step without the batch id", () => {
    const workflow = broken((w) => (runStep(w, "up", "up").run = "node dist/src/cli/bin.js up"));
    expect(batchViolations(workflow)).toContain(
      "'up' must get --batch ${{ needs.preview.outputs.batch-id }} (got nothing)",
    );
  });

  it("a command the CLI does not have", () => {
    const workflow = broken(
      (w) => (runStep(w, "collect", "collect").run = 'node dist/src/cli/bin.js harvest --batch "$BATCH_ID"'),
    );
    expect(cliViolations(batchFile, workflow, cliCommands)).toContainEqual(
      expect.stringContaining("'harvest' is not an aws-bench command"),
    );
  });

  it("a file:// backend", () => {
    const workflow = broken((w) => (w.env = { ...w.env, PULUMI_BACKEND_URL: "file://~/.aws-bench/state" }));
    const problems = cliViolations(batchFile, workflow, cliCommands);
    expect(problems).toContainEqual(expect.stringContaining("backend 'file://~/.aws-bench/state' is not an s3:// URL"));
    expect(problems).toContain(`${batchFile}: mentions a file:// backend; CI jobs run on different machines`);
  });

  it("OIDC without id-token: write, and stored keys", () => {
    const workflow = broken((w) => {
      jobOf(w, "up").permissions = { contents: "read" };
      const credentials = (jobOf(w, "up").steps ?? []).find((step) => step.uses?.startsWith("aws-actions/")) as Step;
      credentials.with = { ...credentials.with, "aws-access-key-id": "${{ secrets.KEY }}" };
    });
    const problems = generalViolations(batchFile, workflow);
    expect(problems).toContain(`${batchFile} job up: AWS credentials by OIDC need permissions id-token: write`);
    expect(problems).toContain(`${batchFile} job up: long-lived AWS keys (aws-access-key-id); use OIDC`);
  });

  it("the CLI run before npm ci, an expression pasted into a script, a missing timeout", () => {
    const workflow = broken((w) => {
      const steps = jobOf(w, "destroy").steps ?? [];
      const install = steps.findIndex((step) => /npm ci/.test(step.run ?? ""));
      steps.push(...steps.splice(install, 1));
      runStep(w, "destroy", "destroy").run =
        "node dist/src/cli/bin.js destroy --batch ${{ needs.preview.outputs.batch-id }} --yes";
      delete jobOf(w, "destroy")["timeout-minutes"];
    });
    const problems = generalViolations(batchFile, workflow);
    expect(problems).toContain(`${batchFile} job destroy: runs aws-bench before npm ci`);
    expect(problems).toContainEqual(expect.stringContaining("pastes a ${{ }} expression into its script"));
    expect(problems).toContain(`${batchFile} job destroy: needs timeout-minutes between 1 and 360`);
  });

  it("an action on a tag, a checkout that keeps the token, npm ci running install scripts", () => {
    const workflow = broken((w) => {
      const steps = jobOf(w, "up").steps ?? [];
      (steps.find((step) => step.uses?.startsWith("actions/checkout@")) as Step).uses = "actions/checkout@v7";
      delete (steps.find((step) => step.uses?.startsWith("actions/checkout@")) as Step).with;
      (steps.find((step) => /npm ci/.test(step.run ?? "")) as Step).run = "npm ci && npm run build";
    });
    const problems = generalViolations(batchFile, workflow);
    expect(problems).toContain(`${batchFile} job up: action actions/checkout@v7 is not pinned to a full commit SHA`);
    expect(problems).toContain(
      `${batchFile} job up: the checkout keeps the GitHub token in .git (set persist-credentials: false)`,
    );
    expect(problems).toContain(
      `${batchFile} job up: dependencies are installed with their install scripts (use npm ci --ignore-scripts)`,
    );
  });

  it("credentials configured before the install and the build", () => {
    const workflow = broken((w) => {
      const steps = jobOf(w, "collect").steps ?? [];
      const [install] = steps.splice(
        steps.findIndex((step) => /npm ci/.test(step.run ?? "")),
        1,
      );
      const credentials = steps.findIndex((step) => step.uses?.startsWith("aws-actions/"));
      steps.splice(credentials + 1, 0, install as Step);
    });
    const problems = generalViolations(batchFile, workflow);
    expect(problems).toContain(`${batchFile} job collect: AWS credentials are configured before npm ci`);
    expect(problems).toContain(`${batchFile} job collect: AWS credentials are configured before the build`);
  });

  it("a secret in the workflow's or a job's environment", () => {
    const workflow = broken((w) => {
      w.env = { ...w.env, PULUMI_CONFIG_PASSPHRASE: "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}" };
      jobOf(w, "destroy").env = { ...jobOf(w, "destroy").env, GH_TOKEN: "${{ github.token }}" };
    });
    const problems = generalViolations(batchFile, workflow);
    expect(problems).toContain(
      `${batchFile}: env PULUMI_CONFIG_PASSPHRASE hands a secret to every job; give it to the steps that use it`,
    );
    expect(problems).toContain(
      `${batchFile} job destroy: env GH_TOKEN hands a secret to every step of the job; give it to the steps that use it`,
    );
  });

  it("a batch started without --max-cost, and an unbounded repeat", () => {
    const workflow = broken((w) => {
      const step = runStep(w, "preview", "preview");
      step.run = (step.run ?? "").replace(/--max-cost "\$MAX_COST" /, "");
      const inputs = (w.on?.["workflow_dispatch"] as { inputs: Record<string, unknown> }).inputs;
      inputs["repeat"] = { description: "Independent instances per type", required: true, type: "number" };
    });
    expect(cliViolations(batchFile, workflow, cliCommands)).toContain(
      `${batchFile} job preview: 'preview' starts a batch without --max-cost`,
    );
    expect(batchViolations(workflow)).toContain("input 'repeat' must be a choice of whole numbers from 1 to 100");
    const tooMany = broken((w) => {
      const inputs = (w.on?.["workflow_dispatch"] as { inputs: Record<string, { options?: string[] }> }).inputs;
      (inputs["repeat"] as { options?: string[] }).options = ["1", "1000000000"];
    });
    expect(batchViolations(tooMany)).toContain("input 'repeat' must be a choice of whole numbers from 1 to 100");
  });

  it("reads command lines the way the shell splits them", () => {
    expect(
      cliCommandLines('set -e\nnode dist/src/cli/bin.js collect --batch "$BATCH_ID" --out data/raw || status=$?'),
    ).toEqual([{ command: "collect", args: ["--batch", "$BATCH_ID", "--out", "data/raw"] }]);
    expect(
      cliCommandLines("npm ci && npx aws-bench status \\\n  --batch x; aws-bench list # aws-bench nothing"),
    ).toEqual([
      { command: "status", args: ["--batch", "x"] },
      { command: "list", args: [] },
    ]);
  });
});

describe("the pull-request rule catches a pwn request", () => {
  const variant = (file: string, change: (workflow: Workflow) => void): Workflow => {
    const workflow = structuredClone(workflows[file]) as Workflow;
    change(workflow);
    return workflow;
  };
  it("a keyed job that checks out the pull request's head", () => {
    const workflow = variant("contribution-verify.yml", (w) => {
      const checkout = (w.jobs["verify"]?.steps ?? [])[0] as Step;
      checkout.with = { ...checkout.with, ref: "${{ github.event.workflow_run.head_sha }}" };
    });
    expect(pullRequestCodeViolations("verify", workflow)).toContain(
      "verify job verify: checks out the pull request's code",
    );
  });
  it("a keyed job that runs a script from the artifact", () => {
    const workflow = variant("contribution-verify.yml", (w) => {
      (w.jobs["verify"]?.steps ?? []).push({ name: "helper", run: "bash $RUNNER_TEMP/contribution/fix.sh" });
    });
    expect(pullRequestCodeViolations("verify", workflow).join("\n")).toMatch(
      /runs something other than the base branch's CLI/,
    );
  });
  it("a pull-request job given a secret, and pull_request_target", () => {
    const withSecret = variant("contribution-review.yml", (w) => {
      const step = (w.jobs["review"]?.steps ?? []).find((candidate) =>
        /bin\.js review/.test(candidate.run ?? ""),
      ) as Step;
      step.env = { AWS_BENCH_REVIEW_KEY: "${{ secrets.AWS_BENCH_REVIEW_KEY }}" };
    });
    expect(pullRequestCodeViolations("review", withSecret)).toContain(
      "review job review: runs the pull request's code and holds a secret or a write permission",
    );
    const target = variant("contribution-review.yml", (w) => {
      w.on = { pull_request_target: {} };
    });
    expect(pullRequestCodeViolations("review", target)).toContain("review: uses pull_request_target");
  });
});

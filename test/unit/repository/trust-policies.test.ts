/**
 * One trust policy per role (docs/iam/trust), each admitting only what uses that role: the run, cleanup and
 * discover roles each trust GitHub's OIDC tokens of one repository's jobs in one GitHub environment — the
 * environment of the workflow jobs that assume that role, read from .github/workflows — and the bootstrap role
 * trusts only this account's own identities, with MFA. A workflow job that assumes a role from another environment
 * (or from none: its token's subject would be its branch) could not, and the test says so before AWS does.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = join(import.meta.dirname, "..", "..", "..");
const trustDir = join(root, "docs", "iam", "trust");
const workflowDir = join(root, ".github", "workflows");

interface Statement {
  Sid?: string;
  Effect: string;
  Principal?: { Federated?: string; AWS?: string | string[]; Service?: string | string[] } | string;
  Action?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}
interface TrustPolicy {
  Version: string;
  Statement: Statement[];
}
interface Step {
  uses?: string;
  with?: Record<string, unknown>;
}
interface Job {
  environment?: string | { name?: string };
  steps?: Step[];
}
interface Workflow {
  jobs: Record<string, Job>;
}

const list = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** The repository variable holding each role's ARN in the workflows (docs/AWS_SETUP.md). */
const roleVariables: Record<string, string> = {
  run: "AWS_BENCH_ROLE_ARN",
  cleanup: "AWS_BENCH_CLEANUP_ROLE_ARN",
  discover: "AWS_BENCH_DISCOVER_ROLE_ARN",
};
/** Roles no workflow assumes: an administrator's, from inside the account. */
const accountRoles = ["bootstrap"];

const githubProvider = "arn:aws:iam::ACCOUNT_ID:oidc-provider/token.actions.githubusercontent.com";
const subjectPattern = /^repo:GITHUB_OWNER\/GITHUB_REPO:environment:([A-Za-z0-9_.-]+)$/;

function readTrustPolicies(): Record<string, TrustPolicy> {
  return Object.fromEntries(
    readdirSync(trustDir)
      .filter((file) => file.endsWith("-trust-policy.json"))
      .map((file) => [
        file.replace(/-trust-policy\.json$/, ""),
        JSON.parse(readFileSync(join(trustDir, file), "utf8")) as TrustPolicy,
      ]),
  );
}

function readWorkflows(): Record<string, Workflow> {
  return Object.fromEntries(
    readdirSync(workflowDir)
      .filter((file) => /\.ya?ml$/.test(file))
      .map((file) => [file, parse(readFileSync(join(workflowDir, file), "utf8")) as Workflow]),
  );
}

/**
 * A GitHub trust: GitHub's OIDC provider, AssumeRoleWithWebIdentity only, audience sts.amazonaws.com, and one
 * subject matched exactly: one repository's jobs in one environment. Returns the problems and the environment.
 */
function githubTrustViolations(policy: TrustPolicy): { problems: string[]; environment?: string } {
  const problems: string[] = [];
  const environments = new Set<string>();
  if (policy.Version !== "2012-10-17") problems.push("Version must be 2012-10-17");
  if (policy.Statement.length === 0) problems.push("no statement");
  for (const statement of policy.Statement) {
    const where = statement.Sid ?? "statement";
    if (statement.Effect !== "Allow") continue;
    const principal = typeof statement.Principal === "object" ? statement.Principal : undefined;
    if (principal?.Federated !== githubProvider || principal.AWS !== undefined || principal.Service !== undefined)
      problems.push(`${where}: the principal must be GitHub's OIDC provider alone`);
    if (list(statement.Action).join() !== "sts:AssumeRoleWithWebIdentity")
      problems.push(`${where}: the action must be sts:AssumeRoleWithWebIdentity only`);
    const operators = Object.keys(statement.Condition ?? {});
    if (operators.some((operator) => operator !== "StringEquals"))
      problems.push(`${where}: only StringEquals (${operators.join(", ")} lets other repositories or jobs in)`);
    const equals = statement.Condition?.["StringEquals"] ?? {};
    if (equals["token.actions.githubusercontent.com:aud"] !== "sts.amazonaws.com")
      problems.push(`${where}: aud must be sts.amazonaws.com`);
    const subjects = list(equals["token.actions.githubusercontent.com:sub"]);
    if (subjects.length !== 1) problems.push(`${where}: exactly one subject, matched exactly`);
    for (const subject of subjects) {
      const environment = subjectPattern.exec(subject)?.[1];
      if (environment) environments.add(environment);
      else problems.push(`${where}: sub ${subject} is not one GitHub environment of one repository`);
    }
  }
  if (environments.size > 1) problems.push(`more than one environment: ${[...environments].join(", ")}`);
  return { problems, environment: environments.size === 1 ? [...environments][0] : undefined };
}

/** The bootstrap trust: this account's own identities, with a recent MFA; no federation, no other account. */
function accountTrustViolations(policy: TrustPolicy): string[] {
  const problems: string[] = [];
  for (const statement of policy.Statement) {
    const where = statement.Sid ?? "statement";
    if (statement.Effect !== "Allow") continue;
    const principal = typeof statement.Principal === "object" ? statement.Principal : undefined;
    const accounts = list(principal?.AWS);
    if (
      principal?.Federated !== undefined ||
      principal?.Service !== undefined ||
      accounts.length === 0 ||
      accounts.some((arn) => arn !== "arn:aws:iam::ACCOUNT_ID:root")
    )
      problems.push(`${where}: the principal must be this account (arn:aws:iam::ACCOUNT_ID:root) alone`);
    if (list(statement.Action).join() !== "sts:AssumeRole")
      problems.push(`${where}: the action must be sts:AssumeRole`);
    if (statement.Condition?.["Bool"]?.["aws:MultiFactorAuthPresent"] !== "true")
      problems.push(`${where}: needs aws:MultiFactorAuthPresent true`);
  }
  return problems;
}

/** Every job that assumes a role, with the role (by its ARN's variable) and the job's environment. */
function roleAssumptions(workflows: Record<string, Workflow>) {
  return Object.entries(workflows).flatMap(([file, workflow]) =>
    Object.entries(workflow.jobs).flatMap(([name, job]) =>
      (job.steps ?? [])
        .filter((step) => step.uses?.startsWith("aws-actions/configure-aws-credentials@"))
        .map((step) => {
          const given = step.with?.["role-to-assume"];
          const input = typeof given === "string" ? given : JSON.stringify(given ?? "");
          const variable = /^\$\{\{\s*vars\.([A-Z0-9_]+)\s*\}\}$/.exec(input)?.[1];
          const role = Object.keys(roleVariables).find((candidate) => roleVariables[candidate] === variable);
          const environment = typeof job.environment === "string" ? job.environment : job.environment?.name;
          return { where: `${file} job ${name}`, input, role, environment };
        }),
    ),
  );
}

/** Each job's role trusts the job's environment, and each GitHub-trusted role is assumed by some job. */
function assumptionViolations(trusts: Record<string, TrustPolicy>, workflows: Record<string, Workflow>): string[] {
  const problems: string[] = [];
  const environmentOf = (role: string) => {
    const policy = trusts[role];
    return policy ? githubTrustViolations(policy).environment : undefined;
  };
  const assumptions = roleAssumptions(workflows);
  for (const { where, input, role, environment } of assumptions) {
    if (!role) {
      problems.push(`${where}: role-to-assume ${input} is none of ${Object.values(roleVariables).join(", ")}`);
      continue;
    }
    const trusted = environmentOf(role);
    if (environment === undefined)
      problems.push(`${where}: assumes the ${role} role without an environment (its trust admits '${trusted}')`);
    else if (environment !== trusted)
      problems.push(`${where}: runs in environment '${environment}' but the ${role} role trusts '${trusted}'`);
  }
  for (const role of Object.keys(roleVariables))
    if (!assumptions.some((assumption) => assumption.role === role))
      problems.push(`no workflow job assumes the ${role} role`);
  const byEnvironment = new Map<string, string[]>();
  for (const role of Object.keys(roleVariables)) {
    const environment = environmentOf(role);
    if (environment) byEnvironment.set(environment, [...(byEnvironment.get(environment) ?? []), role]);
  }
  for (const [environment, roles] of byEnvironment)
    if (roles.length > 1) problems.push(`roles ${roles.join(", ")} trust the same environment '${environment}'`);
  return problems;
}

const trusts = readTrustPolicies();
const workflows = readWorkflows();

describe("docs/iam/trust", () => {
  it("is one trust policy per role: run, cleanup, discover and bootstrap", () => {
    expect(Object.keys(trusts).sort()).toEqual([...Object.keys(roleVariables), ...accountRoles].sort());
  });

  it.each(Object.keys(roleVariables))(
    "%s: GitHub's OIDC tokens of one repository's jobs in one environment",
    (role) => {
      expect(githubTrustViolations(trusts[role] as TrustPolicy)).toEqual({
        problems: [],
        environment: `aws-bench-${role}`,
      });
    },
  );

  it("bootstrap: only this account's own identities, with MFA", () => {
    expect(accountTrustViolations(trusts["bootstrap"] as TrustPolicy)).toEqual([]);
  });

  it("each workflow job assumes its role from the environment that role trusts, and no two roles share one", () => {
    expect(assumptionViolations(trusts, workflows)).toEqual([]);
  });

  it("docs/AWS_SETUP.md creates each role with its own trust policy", () => {
    const setup = readFileSync(join(root, "docs", "AWS_SETUP.md"), "utf8");
    for (const role of [...Object.keys(roleVariables), ...accountRoles])
      expect(setup).toContain(`iam/trust/${role}-trust-policy.json`);
    for (const role of Object.keys(roleVariables)) expect(setup).toContain(`aws-bench-${role}`);
    expect(setup).not.toContain("ci-trust-policy.json");
  });
});

describe("the trust rules catch what they are for", () => {
  const run = () => structuredClone(trusts["run"]) as TrustPolicy;
  const equalsOf = (policy: TrustPolicy) =>
    ((policy.Statement[0] as Statement).Condition as Record<string, Record<string, string | string[]>>)[
      "StringEquals"
    ] as Record<string, string | string[]>;

  it("a trust of a branch instead of an environment, or of every repository", () => {
    const branch = run();
    equalsOf(branch)["token.actions.githubusercontent.com:sub"] = "repo:GITHUB_OWNER/GITHUB_REPO:ref:refs/heads/main";
    expect(githubTrustViolations(branch).problems).toEqual([
      "BenchmarkBatchWorkflowJobsInTheRunEnvironment: sub repo:GITHUB_OWNER/GITHUB_REPO:ref:refs/heads/main is not one GitHub environment of one repository",
    ]);
    const open = run();
    delete equalsOf(open)["token.actions.githubusercontent.com:sub"];
    ((open.Statement[0] as Statement).Condition as Record<string, Record<string, string>>)["StringLike"] = {
      "token.actions.githubusercontent.com:sub": "repo:GITHUB_OWNER/*",
    };
    expect(githubTrustViolations(open).problems).toEqual([
      "BenchmarkBatchWorkflowJobsInTheRunEnvironment: only StringEquals (StringEquals, StringLike lets other repositories or jobs in)",
      "BenchmarkBatchWorkflowJobsInTheRunEnvironment: exactly one subject, matched exactly",
    ]);
  });

  it("one trust for several environments, or an AWS principal beside GitHub's", () => {
    const several = run();
    equalsOf(several)["token.actions.githubusercontent.com:sub"] = [
      "repo:GITHUB_OWNER/GITHUB_REPO:environment:aws-bench-run",
      "repo:GITHUB_OWNER/GITHUB_REPO:environment:aws-bench-cleanup",
    ];
    expect(githubTrustViolations(several).problems).toContain(
      "BenchmarkBatchWorkflowJobsInTheRunEnvironment: exactly one subject, matched exactly",
    );
    const mixed = run();
    (mixed.Statement[0] as Statement).Principal = { Federated: githubProvider, AWS: "arn:aws:iam::999999999999:root" };
    expect(githubTrustViolations(mixed).problems).toEqual([
      "BenchmarkBatchWorkflowJobsInTheRunEnvironment: the principal must be GitHub's OIDC provider alone",
    ]);
  });

  it("a bootstrap trust open to another account or without MFA", () => {
    const policy = structuredClone(trusts["bootstrap"]) as TrustPolicy;
    const statement = policy.Statement[0] as Statement;
    statement.Principal = { AWS: "arn:aws:iam::999999999999:root" };
    delete statement.Condition;
    expect(accountTrustViolations(policy)).toEqual([
      "AdministratorsOfThisAccountWithMfa: the principal must be this account (arn:aws:iam::ACCOUNT_ID:root) alone",
      "AdministratorsOfThisAccountWithMfa: needs aws:MultiFactorAuthPresent true",
    ]);
  });

  it("a job without the environment its role trusts, a job in another role's environment, two roles on one", () => {
    const changed = structuredClone(workflows);
    delete (changed["benchmark-batch.yml"] as Workflow).jobs["up"]?.environment;
    ((changed["cleanup.yml"] as Workflow).jobs["cleanup"] as Job).environment = "aws-bench-run";
    expect(assumptionViolations(trusts, changed)).toEqual([
      "benchmark-batch.yml job up: assumes the run role without an environment (its trust admits 'aws-bench-run')",
      "cleanup.yml job cleanup: runs in environment 'aws-bench-run' but the cleanup role trusts 'aws-bench-cleanup'",
    ]);
    const shared = structuredClone(trusts);
    equalsOf(shared["discover"] as TrustPolicy)["token.actions.githubusercontent.com:sub"] =
      "repo:GITHUB_OWNER/GITHUB_REPO:environment:aws-bench-run";
    expect(assumptionViolations(shared, workflows)).toEqual([
      "discover.yml job discover: runs in environment 'aws-bench-discover' but the discover role trusts 'aws-bench-run'",
      "roles run, discover trust the same environment 'aws-bench-run'",
    ]);
  });
});

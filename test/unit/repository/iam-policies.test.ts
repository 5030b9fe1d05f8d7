/**
 * The IAM policies in docs/iam, held to what docs/AWS_SETUP.md promises: valid documents within IAM's size quota,
 * no `*` action, writes never on `*` (except the few AWS grants only there, named below with the reason), tag
 * conditions on everything a batch creates or deletes, no role created or given permissions without the
 * bootstrap's permissions boundary (and no boundary ever removed), and results that no policy can delete (the roles'
 * trust policies, in docs/iam/trust, are held to the workflows by trust-policies.test.ts). Above all, the policies cover the code: every AWS SDK call under
 * src/ is found by reading the source, mapped to its IAM action and must be allowed by one of the policies, so a
 * new SDK call without a policy change fails here instead of with AccessDenied in someone's account.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { batchComponentName, iamPath } from "../../../stacks/batch-naming.js";
import { batchBoundaryArn, batchBoundaryNamePrefix } from "../../../stacks/bootstrap-config.js";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..", "..");
const iamDir = join(root, "docs", "iam");

interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, string | string[]>>;
}

interface PolicyDocument {
  Version: string;
  Statement: Statement[];
}

const list = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

function readPolicies(): Record<string, PolicyDocument> {
  const files = readdirSync(iamDir).filter((file) => file.endsWith(".json"));
  return Object.fromEntries(
    files.map((file) => [file, JSON.parse(readFileSync(join(iamDir, file), "utf8")) as PolicyDocument]),
  );
}

/** IAM's wildcard match, case-insensitive as action names are. */
function wildcardMatches(pattern: string, value: string, caseSensitive = false): boolean {
  const source = `^${pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".")}$`;
  return new RegExp(source, caseSensitive ? "" : "i").test(value);
}

/** Whether some Allow statement of the policies names `action` (resources and conditions aside). */
function allows(policies: readonly PolicyDocument[], action: string): boolean {
  return policies.some((policy) =>
    policy.Statement.some(
      (statement) =>
        statement.Effect === "Allow" && list(statement.Action).some((pattern) => wildcardMatches(pattern, action)),
    ),
  );
}

/** Read-only by AWS's naming: Describe, Get, List, BatchGet, BatchCheck — except reads that hand out credentials. */
function isReadOnly(action: string): boolean {
  const name = action.split(":")[1] ?? "";
  return /^(Describe|Get|List|BatchGet|BatchCheck)/.test(name) && !/(Token|Password|Credential|Secret)/.test(name);
}

/**
 * Actions that are not plain reads and that AWS authorizes only on `*` (no resource-level permission), so a
 * policy cannot narrow them by resource. Every entry must be used, and nothing else may be granted on `*`.
 */
const grantedOnlyOnStar: Record<string, string> = {
  "ecr:GetAuthorizationToken":
    "registry login: ECR has no resource type for it; the token it returns only works for the repository actions the same policy allows (the batch's repositories)",
};

/** The policies granting permissions (the trust policies in docs/iam/trust only say who may assume each role). */
const permissionFiles = [
  "run-policy.json",
  "run-roles-images-policy.json",
  "cleanup-policy.json",
  "discover-policy.json",
  "bootstrap-policy.json",
];
const runFiles = ["run-policy.json", "run-roles-images-policy.json"];
/** Placeholders docs/AWS_SETUP.md tells the reader to replace (the trust policies add GITHUB_OWNER, GITHUB_REPO). */
const placeholders = ["RESULTS_BUCKET", "STATE_BUCKET", "ACCOUNT_ID"];

/** Whether a statement requires `aws-bench:managed-by = aws-bench` on the resource (or in the request, for creates). */
function requiresManagedBy(statement: Statement, kind: "Resource" | "Request"): boolean {
  return Object.entries(statement.Condition?.["StringEquals"] ?? {}).some(
    ([key, value]) => new RegExp(`^(ec2|aws):${kind}Tag/aws-bench:managed-by$`).test(key) && value === "aws-bench",
  );
}

/**
 * Whether a statement requires the tool's tags on the resource it acts on: the batch tag (`Null: false`, or a
 * string match) and managed-by (only the tool writes it: a batch tag copied onto another resource is not enough).
 */
function requiresBatchResourceTag(statement: Statement): boolean {
  return (
    requiresManagedBy(statement, "Resource") &&
    Object.entries(statement.Condition ?? {}).some(([operator, keys]) =>
      Object.entries(keys).some(
        ([key, value]) =>
          /^(ec2|aws):ResourceTag\/aws-bench:batch$/.test(key) &&
          (operator === "Null" ? value === "false" : /^String(Like|Equals)$/.test(operator)),
      ),
    )
  );
}

/** Whether a statement requires both batch tags, and managed-by, in the request that creates a resource. */
function requiresBatchRequestTags(statement: Statement): boolean {
  const nullChecks = statement.Condition?.["Null"] ?? {};
  return (
    nullChecks["aws:RequestTag/aws-bench:batch"] === "false" &&
    nullChecks["aws:RequestTag/aws-bench:expires-at"] === "false" &&
    requiresManagedBy(statement, "Request")
  );
}

/** The EC2 resource type of an ARN pattern (`arn:aws:ec2:*:*:vpc/*` → `vpc`), `*` for `*`. */
function ec2ResourceType(arn: string): string | undefined {
  if (arn === "*") return "*";
  return /^arn:aws:ec2:[^:]*:[^:]*:([a-z-]+)\//.exec(arn)?.[1];
}

/** What each EC2 create action makes: creating one needs the batch tags in the request. */
const createdByAction: Record<string, string[]> = {
  "ec2:RunInstances": ["instance", "volume"],
  "ec2:CreateVpc": ["vpc"],
  "ec2:CreateSubnet": ["subnet"],
  "ec2:CreateRouteTable": ["route-table"],
  "ec2:CreateInternetGateway": ["internet-gateway"],
  "ec2:CreateSecurityGroup": ["security-group"],
  "ec2:CreateVolume": ["volume"],
};
/** EC2 verbs that change or remove an existing resource: only batch-tagged ones. */
const changesExisting =
  /^ec2:(Terminate|Delete|Modify|Detach|Disassociate|Attach|Associate|Replace|Authorize|Revoke|Stop|Reboot|GetConsoleOutput|CreateRoute$)/;
/** IAM resources a policy may write: the batch's roles and instance profiles (under the stack's IAM path) and the spot service-linked role. */
const batchIamResources = [
  "arn:aws:iam::*:role/aws-bench/*",
  "arn:aws:iam::*:instance-profile/aws-bench/*",
  "arn:aws:iam::*:role/aws-service-role/spot.amazonaws.com/AWSServiceRoleForEC2Spot",
];

/** The boundary policies bootstrap creates (one per region), as the bootstrap policy names them. */
const boundaryPolicies = `arn:aws:iam::*:policy${iamPath}${batchBoundaryNamePrefix}*`;
/** The only value a run policy's `iam:PermissionsBoundary` condition may have: those policies, in your account. */
const requiredBoundary = `arn:aws:iam::ACCOUNT_ID:policy${iamPath}${batchBoundaryNamePrefix}*`;

/** What a permission policy does that docs/AWS_SETUP.md says it never does. */
function policyViolations(file: string, policy: PolicyDocument): string[] {
  const problems: string[] = [];
  const size = JSON.stringify(policy).length;
  if (size > 6144) problems.push(`${file}: ${size} characters without white space; a managed policy holds 6,144`);
  if (policy.Version !== "2012-10-17") problems.push(`${file}: Version must be 2012-10-17`);
  const sids = policy.Statement.map((statement) => statement.Sid);
  if (sids.some((sid) => !sid) || new Set(sids).size !== sids.length)
    problems.push(`${file}: every statement needs its own Sid`);
  for (const statement of policy.Statement) {
    const where = `${file} ${statement.Sid ?? "?"}`;
    if (statement.NotAction || statement.NotResource)
      problems.push(`${where}: NotAction/NotResource grant everything else`);
    if (statement.Effect !== "Allow") continue;
    const actions = list(statement.Action);
    const resources = list(statement.Resource);
    if (actions.length === 0 || resources.length === 0) problems.push(`${where}: no Action or no Resource`);
    for (const action of actions) {
      if (action === "*" || /^[\w-]+:\*$/.test(action)) problems.push(`${where}: ${action} grants a whole service`);
      else if (action.includes("*") && !/^[\w-]+:(Describe|Get|List)\*$/.test(action))
        problems.push(`${where}: wildcard ${action} can match writes`);
      if (resources.includes("*") && !isReadOnly(action) && !(action in grantedOnlyOnStar))
        problems.push(`${where}: ${action} on Resource "*"`);
    }
    for (const action of actions) {
      const created = createdByAction[action];
      if (
        created &&
        resources.some((arn) => created.includes(ec2ResourceType(arn) ?? "")) &&
        !requiresBatchRequestTags(statement)
      ) {
        problems.push(
          `${where}: ${action} may create a resource without the aws-bench:batch, aws-bench:expires-at and aws-bench:managed-by tags`,
        );
      }
      if (
        changesExisting.test(action) &&
        resources.some((arn) => ec2ResourceType(arn) !== "security-group-rule") &&
        !requiresBatchResourceTag(statement)
      ) {
        problems.push(`${where}: ${action} may change resources that are not tagged aws-bench:batch and managed-by`);
      }
      if (
        action.startsWith("iam:") &&
        !isReadOnly(action) &&
        resources.some(
          (arn) => !batchIamResources.includes(arn) && !(file === "bootstrap-policy.json" && arn === boundaryPolicies),
        )
      ) {
        problems.push(`${where}: ${action} on IAM resources other than the batch's roles and instance profiles`);
      }
      if (
        action === "iam:PassRole" &&
        statement.Condition?.["StringEquals"]?.["iam:PassedToService"] !== "ec2.amazonaws.com"
      ) {
        problems.push(`${where}: iam:PassRole must be limited to ec2.amazonaws.com`);
      }
      if (
        /^s3:Delete/i.test(action) &&
        resources.some((arn) => arn.startsWith("arn:aws:s3:::RESULTS_BUCKET") || arn === "*")
      ) {
        problems.push(`${where}: ${action} on the results bucket (destroying a batch must never delete data)`);
      }
    }
  }
  return problems;
}

/**
 * Role actions that give a role permissions (or set its boundary): IAM evaluates `iam:PermissionsBoundary` on each,
 * so an Allow must require the bootstrap's boundary there.
 */
const grantsToRoles = ["iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:PutRolePermissionsBoundary"];
/** Role actions no policy may allow: one removes the boundary, the other rewrites who may assume the role. */
const neverOnRoles = ["iam:DeleteRolePermissionsBoundary", "iam:UpdateAssumeRolePolicy"];
/** Roles a statement's resources could reach: a batch role, and any other role of the account. */
const sampleRoles = [
  "arn:aws:iam::123456789012:role/aws-bench/batch-role-0a1b2c3",
  "arn:aws:iam::123456789012:role/Admin",
];

/**
 * Whether a statement's conditions require the role's boundary to be the bootstrap's: an ARN or string comparison
 * (not IfExists, which passes when the key is absent, nor a Null check, which accepts any boundary) of
 * `iam:PermissionsBoundary` against nothing but the required ARN pattern.
 */
function requiresTheBoundary(statement: Statement): boolean {
  return Object.entries(statement.Condition ?? {}).some(([operator, keys]) =>
    Object.entries(keys).some(([key, value]) => {
      if (key.toLowerCase() !== "iam:permissionsboundary") return false;
      const values = list(value);
      if (values.length === 0) return false;
      if (/^(ArnLike|ArnEquals|StringLike)$/.test(operator)) return values.every((v) => v === requiredBoundary);
      // StringEquals compares literally: only exact ARNs of the boundary qualify.
      if (operator === "StringEquals")
        return values.every((v) => !v.includes("*") && wildcardMatches(requiredBoundary, v, true));
      return false;
    }),
  );
}

/**
 * Every Allow statement that could create a role or change its permissions without the boundary, or remove or
 * replace the boundary, or rewrite a role's trust: evaluated per statement, from its actions (wildcards included),
 * resources and conditions.
 */
function roleChangesWithoutBoundary(file: string, policy: PolicyDocument): string[] {
  const problems: string[] = [];
  for (const statement of policy.Statement) {
    if (statement.Effect !== "Allow") continue;
    const reachesRoles = list(statement.Resource).some((resource) =>
      sampleRoles.some((role) => wildcardMatches(resource, role, true)),
    );
    if (!reachesRoles) continue;
    const where = `${file} ${statement.Sid ?? "?"}`;
    const actions = list(statement.Action);
    const matched = (candidates: readonly string[]) =>
      candidates.filter((action) => actions.some((pattern) => wildcardMatches(pattern, action)));
    for (const action of matched(neverOnRoles)) problems.push(`${where}: allows ${action}`);
    if (!requiresTheBoundary(statement))
      for (const action of matched(grantsToRoles)) problems.push(`${where}: ${action} without the boundary condition`);
  }
  return problems;
}

// --- Reading the code: which AWS SDK operations does it call? ---------------------------------------------------

/** IAM service prefix of each SDK client package. A package missing here fails the test with its name. */
const servicePrefix: Record<string, string> = {
  "@aws-sdk/client-ec2": "ec2",
  "@aws-sdk/client-ecr": "ecr",
  "@aws-sdk/client-iam": "iam",
  "@aws-sdk/client-pricing": "pricing",
  "@aws-sdk/client-s3": "s3",
  "@aws-sdk/client-service-quotas": "servicequotas",
  "@aws-sdk/client-ssm": "ssm",
  "@aws-sdk/client-sts": "sts",
  "@aws-sdk/lib-storage": "s3",
};

/** Operations whose IAM action has another name (S3 mostly; the Service Authorization Reference lists them). */
const actionsForOperation: Record<string, string[]> = {
  "s3:HeadObject": ["s3:GetObject"],
  "s3:HeadBucket": ["s3:ListBucket"],
  "s3:ListObjects": ["s3:ListBucket"],
  "s3:ListObjectsV2": ["s3:ListBucket"],
  "s3:ListObjectVersions": ["s3:ListBucketVersions"],
  "s3:ListBuckets": ["s3:ListAllMyBuckets"],
  "s3:DeleteObjects": ["s3:DeleteObject"],
  "s3:CopyObject": ["s3:GetObject", "s3:PutObject"],
  "s3:CreateMultipartUpload": ["s3:PutObject"],
  "s3:UploadPart": ["s3:PutObject"],
  "s3:CompleteMultipartUpload": ["s3:PutObject"],
  "s3:Upload": ["s3:PutObject"],
  "s3:PutBucketEncryption": ["s3:PutEncryptionConfiguration"],
  "s3:GetBucketEncryption": ["s3:GetEncryptionConfiguration"],
  "s3:PutPublicAccessBlock": ["s3:PutBucketPublicAccessBlock"],
  "s3:GetPublicAccessBlock": ["s3:GetBucketPublicAccessBlock"],
  "s3:PutBucketLifecycleConfiguration": ["s3:PutLifecycleConfiguration"],
  "s3:GetBucketLifecycleConfiguration": ["s3:GetLifecycleConfiguration"],
};

/** SDK waiters: the operation each one polls. */
const waiterOperations: Record<string, string> = {
  "ec2:InstanceExists": "DescribeInstances",
  "ec2:InstanceRunning": "DescribeInstances",
  "ec2:InstanceStopped": "DescribeInstances",
  "ec2:InstanceTerminated": "DescribeInstances",
  "ec2:InstanceStatusOk": "DescribeInstanceStatus",
  "s3:ObjectExists": "HeadObject",
  "s3:ObjectNotExists": "HeadObject",
  "s3:BucketExists": "HeadBucket",
  "s3:BucketNotExists": "HeadBucket",
};

/** One SDK call site and the IAM actions it needs. */
interface SdkCall {
  file: string;
  call: string;
  actions: string[];
}

function iamActions(module: string, operation: string): string[] | undefined {
  const prefix = servicePrefix[module];
  if (!prefix) return undefined;
  const action = `${prefix}:${operation}`;
  return actionsForOperation[action] ?? [action];
}

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

/**
 * The SDK operations a source file calls: `new XxxCommand(`, `paginateXxx(`, `waitUntilXxx(` and lib-storage's
 * `new Upload(`, each traced to the `@aws-sdk/*` module it was imported from — static or dynamic imports, named,
 * namespace, `Promise.all([import(…), …])`, and namespaces passed around as `name: typeof Sdk`. A call that looks
 * like an SDK call but cannot be traced is returned in `unresolved`, so the check cannot silently miss it.
 */
function sdkCallsIn(file: string, text: string): { calls: SdkCall[]; unresolved: string[] } {
  const source = stripComments(text);
  const named = new Map<string, string>(); // identifier → @aws-sdk module (or another module: then not ours)
  const namespaces = new Map<string, string>();
  const typeNamespaces = new Map<string, string>();
  const namesFrom = (clause: string, module: string, separator: RegExp) => {
    for (const part of clause.split(",")) {
      const item = part.trim().replace(/^type\s+/, "");
      if (!item || part.trim().startsWith("type ")) continue;
      const [imported, local] = item.split(separator).map((word) => word.trim());
      named.set(local || (imported as string), module);
    }
  };
  for (const match of source.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s*from\s*["']([^"']+)["']/g)) {
    if (!match[1]) namesFrom(match[2] as string, match[3] as string, /\s+as\s+/);
  }
  for (const match of source.matchAll(/import\s+(type\s+)?\*\s+as\s+(\w+)\s+from\s*["']([^"']+)["']/g)) {
    (match[1] ? typeNamespaces : namespaces).set(match[2] as string, match[3] as string);
  }
  for (const match of source.matchAll(/(?:const|let)\s+\{([^}]*)\}\s*=\s*await\s+import\(\s*["']([^"']+)["']\s*\)/g)) {
    namesFrom(match[1] as string, match[2] as string, /\s*:\s*/);
  }
  for (const match of source.matchAll(/(?:const|let)\s+(\w+)\s*=\s*await\s+import\(\s*["']([^"']+)["']\s*\)/g))
    namespaces.set(match[1] as string, match[2] as string);
  for (const match of source.matchAll(
    /(?:const|let)\s+\[([^\]]*)\]\s*=\s*await\s+Promise\.all\(\s*\[([^\]]*)\]\s*\)/g,
  )) {
    const locals = (match[1] as string).split(",").map((word) => word.trim());
    const modules = [...(match[2] as string).matchAll(/import\(\s*["']([^"']+)["']\s*\)/g)].map(
      (found) => found[1] as string,
    );
    locals.forEach((local, index) => {
      if (/^\w+$/.test(local) && modules[index]) namespaces.set(local, modules[index]);
    });
  }
  for (const match of source.matchAll(/\b(\w+)\s*:\s*typeof\s+(\w+)\b/g)) {
    const module = typeNamespaces.get(match[2] as string);
    if (module) namespaces.set(match[1] as string, module);
  }

  const calls: SdkCall[] = [];
  const unresolved: string[] = [];
  const trace = (namespace: string | undefined, name: string, operation: string | undefined, kind: string) => {
    const module = namespace === undefined ? named.get(name) : namespaces.get(namespace);
    const call = `${namespace ? `${namespace}.` : ""}${name}`;
    if (module === undefined) {
      const declaredHere = new RegExp(`\\b(class|function)\\s+${name}\\b`).test(source);
      if (!declaredHere) unresolved.push(`${file}: ${call} (${kind}) is not traced to an @aws-sdk import`);
      return;
    }
    if (!module.startsWith("@aws-sdk/")) return;
    const actions = operation === undefined ? undefined : iamActions(module, operation);
    if (!actions) unresolved.push(`${file}: ${call} from ${module} has no IAM action mapping (add it to this test)`);
    else calls.push({ file, call, actions });
  };
  for (const match of source.matchAll(/\bnew\s+(?:(\w+)\.)?(\w+)Command\s*\(/g))
    trace(match[1], `${match[2]}Command`, match[2], "command");
  for (const match of source.matchAll(/(?<!function\s+)\b(?:(\w+)\.)?paginate([A-Z]\w*)\s*\(/g))
    trace(match[1], `paginate${match[2]}`, match[2], "paginator");
  for (const match of source.matchAll(/(?<!function\s+)\b(?:(\w+)\.)?waitUntil([A-Z]\w*)\s*\(/g)) {
    const module = match[1] === undefined ? named.get(`waitUntil${match[2]}`) : namespaces.get(match[1]);
    const prefix = module ? servicePrefix[module] : undefined;
    trace(match[1], `waitUntil${match[2]}`, prefix ? waiterOperations[`${prefix}:${match[2]}`] : undefined, "waiter");
  }
  for (const match of source.matchAll(/\bnew\s+(?:(\w+)\.)?Upload\s*\(/g))
    trace(match[1], "Upload", "Upload", "upload");
  return { calls, unresolved };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(entry.name) && !/\.(test|d)\.ts$/.test(entry.name) ? [path] : [];
  });
}

function projectSdkCalls(): { calls: SdkCall[]; unresolved: string[] } {
  const results = sourceFiles(join(root, "src")).map((path) =>
    sdkCallsIn(relative(root, path), readFileSync(path, "utf8")),
  );
  return {
    calls: results.flatMap((result) => result.calls),
    unresolved: results.flatMap((result) => result.unresolved),
  };
}

// --- What code outside src/ and code being written needs ---------------------------------------------------------

/**
 * What the Pulumi program (stacks/) makes the AWS provider call during preview, up and destroy, which no SDK scan
 * can see: the resources of `BenchmarkBatch` (awsx VPC with public subnets, security group, role, policy, instance
 * profile, ECR repository, images, instances) and its data sources (SSM AMI parameter, offerings, zones, ECR login).
 */
const stackProgramActions = [
  "ec2:DescribeInstanceTypeOfferings",
  "ec2:DescribeAvailabilityZones",
  "ec2:DescribeVpcAttribute",
  "ec2:DescribeInstanceAttribute",
  "ec2:DescribeInstanceCreditSpecifications",
  "ec2:DescribeVolumes",
  "ec2:DescribeTags",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeImages",
  "ec2:CreateVpc",
  "ec2:ModifyVpcAttribute",
  "ec2:DeleteVpc",
  "ec2:CreateSubnet",
  "ec2:ModifySubnetAttribute",
  "ec2:DeleteSubnet",
  "ec2:CreateInternetGateway",
  "ec2:AttachInternetGateway",
  "ec2:DetachInternetGateway",
  "ec2:DeleteInternetGateway",
  "ec2:CreateRouteTable",
  "ec2:AssociateRouteTable",
  "ec2:DisassociateRouteTable",
  "ec2:CreateRoute",
  "ec2:DeleteRoute",
  "ec2:DeleteRouteTable",
  "ec2:CreateSecurityGroup",
  "ec2:AuthorizeSecurityGroupEgress",
  "ec2:AuthorizeSecurityGroupIngress",
  "ec2:RevokeSecurityGroupEgress",
  "ec2:DeleteSecurityGroup",
  "ec2:RunInstances",
  "ec2:CreateTags",
  "ec2:TerminateInstances",
  "iam:CreateRole",
  "iam:TagRole",
  "iam:GetRole",
  "iam:PutRolePolicy",
  "iam:GetRolePolicy",
  "iam:DeleteRolePolicy",
  "iam:AttachRolePolicy",
  "iam:DetachRolePolicy",
  "iam:ListRolePolicies",
  "iam:ListAttachedRolePolicies",
  "iam:ListInstanceProfilesForRole",
  "iam:DeleteRole",
  "iam:CreateInstanceProfile",
  "iam:TagInstanceProfile",
  "iam:GetInstanceProfile",
  "iam:AddRoleToInstanceProfile",
  "iam:RemoveRoleFromInstanceProfile",
  "iam:DeleteInstanceProfile",
  "iam:PassRole",
  "ecr:CreateRepository",
  "ecr:DescribeRepositories",
  "ecr:ListTagsForResource",
  "ecr:DeleteRepository",
  "ecr:GetAuthorizationToken",
  "ecr:BatchCheckLayerAvailability",
  "ecr:InitiateLayerUpload",
  "ecr:UploadLayerPart",
  "ecr:CompleteLayerUpload",
  "ecr:PutImage",
  "ecr:BatchGetImage",
  "ecr:GetDownloadUrlForLayer",
  "ssm:GetParameter",
  "sts:GetCallerIdentity",
  "s3:GetObject",
  "s3:PutObject",
  "s3:DeleteObject",
  "s3:ListBucket",
];

/** The batch lifecycle outside Pulumi (batch records, quotas, prices, collection, console output): the run policies. */
const lifecycleActions = [
  "iam:GetPolicy",
  "servicequotas:GetServiceQuota",
  "servicequotas:GetAWSDefaultServiceQuota",
  "pricing:GetProducts",
  "ec2:DescribeSpotPriceHistory",
  "ec2:DescribeInstances",
  "ec2:DescribeVpcs",
  "ec2:DescribeInternetGateways",
  "ec2:GetConsoleOutput",
  "sts:GetCallerIdentity",
  "s3:GetObject",
  "s3:ListBucket",
  "s3:PutObject",
  "s3:GetBucketLocation",
  "s3:GetEncryptionConfiguration",
];

/** `aws-bench cleanup`: find tagged leftovers, delete them in dependency order, destroy expired stacks. */
const sweepActions = [
  "ec2:DescribeInstances",
  "ec2:DescribeVolumes",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeSecurityGroups",
  "ec2:DescribeSubnets",
  "ec2:DescribeRouteTables",
  "ec2:DescribeInternetGateways",
  "ec2:DescribeVpcs",
  "ec2:TerminateInstances",
  "ec2:DeleteVolume",
  "ec2:DeleteNetworkInterface",
  "ec2:DeleteSecurityGroup",
  "ec2:DisassociateRouteTable",
  "ec2:DeleteRoute",
  "ec2:DeleteRouteTable",
  "ec2:DeleteSubnet",
  "ec2:DetachInternetGateway",
  "ec2:DeleteInternetGateway",
  "ec2:DeleteVpc",
  "iam:ListRoles",
  "iam:ListRoleTags",
  "iam:ListInstanceProfiles",
  "iam:ListInstanceProfileTags",
  "iam:ListInstanceProfilesForRole",
  "iam:RemoveRoleFromInstanceProfile",
  "iam:DeleteInstanceProfile",
  "iam:ListRolePolicies",
  "iam:DeleteRolePolicy",
  "iam:ListAttachedRolePolicies",
  "iam:DetachRolePolicy",
  "iam:DeleteRole",
  "ecr:DescribeRepositories",
  "ecr:ListTagsForResource",
  "ecr:DeleteRepository",
  "s3:GetObject",
  "s3:PutObject",
  "s3:DeleteObject",
  "s3:ListBucket",
  "sts:GetCallerIdentity",
];

const discoverActions = ["ec2:DescribeInstanceTypes", "ec2:DescribeInstanceTypeOfferings", "ec2:DescribeRegions"];

/**
 * `aws-bench bootstrap`: the long-lived results bucket (versioned, encrypted, public access blocked, owner-enforced,
 * TLS-only, with a lifecycle; the Pulumi provider reads every bucket setting back), the image cache repository and
 * the batch roles' permissions boundary (a new policy version when its document changes), in their own stack on
 * the backend.
 */
const bootstrapActions = [
  "s3:CreateBucket",
  "s3:ListBucket",
  "s3:GetBucketAcl",
  "s3:GetBucketCors",
  "s3:GetBucketWebsite",
  "s3:GetAccelerateConfiguration",
  "s3:GetBucketRequestPayment",
  "s3:GetBucketLogging",
  "s3:GetReplicationConfiguration",
  "s3:GetBucketObjectLockConfiguration",
  "s3:PutBucketTagging",
  "s3:PutBucketVersioning",
  "s3:PutEncryptionConfiguration",
  "s3:PutBucketPublicAccessBlock",
  "s3:PutBucketOwnershipControls",
  "s3:PutBucketPolicy",
  "s3:PutLifecycleConfiguration",
  "s3:GetObject",
  "s3:PutObject",
  "ecr:CreateRepository",
  "ecr:DescribeRepositories",
  "ecr:ListTagsForResource",
  "ecr:PutLifecyclePolicy",
  "ecr:GetLifecyclePolicy",
  "iam:CreatePolicy",
  "iam:TagPolicy",
  "iam:GetPolicy",
  "iam:GetPolicyVersion",
  "iam:ListPolicyVersions",
  "iam:CreatePolicyVersion",
  "iam:DeletePolicyVersion",
  "sts:GetCallerIdentity",
];

const policies = readPolicies();
const pick = (files: readonly string[]) => files.map((file) => policies[file] as PolicyDocument);
const missing = (files: readonly string[], actions: readonly string[]) =>
  actions.filter((action) => !allows(pick(files), action));

describe("docs/iam policies", () => {
  it("are the run, roles-and-images, cleanup, discover and bootstrap policies", () => {
    expect(Object.keys(policies).sort()).toEqual([...permissionFiles].sort());
  });

  it.each(permissionFiles)(
    "%s: no wildcard actions, no writes on *, tag conditions, batch-only IAM, results never deleted",
    (file) => {
      expect(policyViolations(file, policies[file] as PolicyDocument)).toEqual([]);
    },
  );

  it.each(permissionFiles)(
    "%s: no role is created or given permissions without the boundary, and none loses it",
    (file) => {
      expect(roleChangesWithoutBoundary(file, policies[file] as PolicyDocument)).toEqual([]);
    },
  );

  it("the boundary the run policies require is the one bootstrap creates, and only bootstrap may write it", () => {
    const created = batchBoundaryArn({ partition: "aws", accountId: "123456789012", region: "eu-west-1" });
    expect(wildcardMatches(requiredBoundary.replace("ACCOUNT_ID", "123456789012"), created, true)).toBe(true);
    const writers = pick(permissionFiles).flatMap((policy, index) =>
      policy.Statement.filter(
        (statement) =>
          statement.Effect === "Allow" &&
          list(statement.Resource).some((arn) => wildcardMatches(arn, created, true)) &&
          list(statement.Action).some((action) => /^iam:/i.test(action) && !isReadOnly(action)),
      ).map((statement) => `${permissionFiles[index] ?? "?"} ${statement.Sid ?? "?"}`),
    );
    expect(writers).toEqual(["bootstrap-policy.json BatchRoleBoundaryPolicy"]);
    // No other managed policy can be written: no new version, default version or deletion of any other policy.
    const otherPolicy = "arn:aws:iam::123456789012:policy/AdministratorAccessCopy";
    const reachOther = pick(permissionFiles).flatMap((policy) =>
      policy.Statement.filter((statement) =>
        list(statement.Resource).some((arn) => wildcardMatches(arn, otherPolicy, true)),
      ).flatMap((statement) => list(statement.Action).filter((action) => /^iam:/i.test(action) && !isReadOnly(action))),
    );
    expect(reachOther).toEqual([]);
  });

  it("grants on * only what AWS grants nowhere else, and uses every such exception", () => {
    const onStar = pick(permissionFiles).flatMap((policy) =>
      policy.Statement.filter((statement) => list(statement.Resource).includes("*")).flatMap((statement) =>
        list(statement.Action),
      ),
    );
    expect(onStar.filter((action) => !isReadOnly(action)).sort()).toEqual(Object.keys(grantedOnlyOnStar).sort());
  });

  it("discover is read-only", () => {
    const actions = (policies["discover-policy.json"] as PolicyDocument).Statement.flatMap((statement) =>
      list(statement.Action),
    );
    expect(actions.filter((action) => !isReadOnly(action))).toEqual([]);
  });

  it("cleanup only describes and deletes (and writes the Pulumi state of the stacks it destroys)", () => {
    const writes = (policies["cleanup-policy.json"] as PolicyDocument).Statement.flatMap((statement) =>
      list(statement.Action)
        .filter(
          (action) => !isReadOnly(action) && !/^[\w-]+:(Delete|Terminate|Detach|Disassociate|Remove)/.test(action),
        )
        .map((action) => `${action} on ${list(statement.Resource).join(" ")}`),
    );
    expect(writes).toEqual(["s3:PutObject on arn:aws:s3:::STATE_BUCKET/*"]);
  });

  it("names the roles, instance profiles and repository the way the stack does", () => {
    const stack = readFileSync(join(root, "stacks", "benchmark-batch.ts"), "utf8");
    const component = batchComponentName;
    const repository = /new aws\.ecr\.Repository\(\s*`\$\{name\}-([\w-]+)`/.exec(stack)?.[1];
    expect([iamPath, component, repository]).toEqual([expect.any(String), expect.any(String), expect.any(String)]);
    const iamArns = pick(permissionFiles)
      .flatMap((policy) => policy.Statement.flatMap((statement) => list(statement.Resource)))
      .filter((arn) => /^arn:aws:iam::\*:(role|instance-profile)\//.test(arn));
    const expectedIam = [`arn:aws:iam::*:role${iamPath}*`, `arn:aws:iam::*:instance-profile${iamPath}*`];
    expect(iamArns.filter((arn) => !arn.includes("/aws-service-role/") && !expectedIam.includes(arn))).toEqual([]);
    expect(iamArns).toEqual(expect.arrayContaining(expectedIam));
    // Pulumi auto-names the repository <logical name>-<7 hex>: the policies follow that name.
    const batchRepository = `arn:aws:ecr:*:*:repository/${component}-${repository}-*`;
    // Other repositories only to read (the digests of --images tags).
    const repositories = pick(permissionFiles)
      .flatMap((policy) => policy.Statement)
      .filter((statement) => !list(statement.Action).every(isReadOnly))
      .flatMap((statement) => list(statement.Resource))
      .filter((arn) => arn.startsWith("arn:aws:ecr:"));
    expect(repositories).toContain(batchRepository);
    expect(
      repositories.filter((arn) => arn !== batchRepository && arn !== "arn:aws:ecr:*:*:repository/aws-bench-cache"),
    ).toEqual([]);
  });

  it("uses only placeholders docs/AWS_SETUP.md explains", () => {
    const setup = readFileSync(join(root, "docs", "AWS_SETUP.md"), "utf8");
    const used = new Set(
      Object.values(policies).flatMap((policy) =>
        [...JSON.stringify(policy).matchAll(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g)].map((match) => match[0]),
      ),
    );
    expect([...used].sort()).toEqual([...placeholders].sort());
    for (const placeholder of placeholders) expect(setup).toContain(placeholder);
  });
});

describe("the policies cover what the code calls", () => {
  const { calls, unresolved } = projectSdkCalls();

  it("every SDK call under src/ is traced to its module (nothing slips past the check)", () => {
    expect(unresolved).toEqual([]);
    // The scan does find the calls the project has had from the start.
    for (const action of discoverActions) expect(calls.flatMap((call) => call.actions)).toContain(action);
  });

  it("every SDK call under src/ is allowed by one of the policies", () => {
    const uncovered = calls.flatMap((call) =>
      call.actions
        .filter((action) => !allows(pick(permissionFiles), action))
        .map((action) => `${call.file}: ${call.call} needs ${action}`),
    );
    expect(uncovered).toEqual([]);
  });

  it("the run policies allow what the Pulumi program and the batch lifecycle call", () => {
    expect(missing(runFiles, stackProgramActions)).toEqual([]);
    expect(missing(runFiles, lifecycleActions)).toEqual([]);
  });

  it("the cleanup policy allows the sweep and the destruction of expired stacks", () => {
    expect(missing(["cleanup-policy.json"], sweepActions)).toEqual([]);
  });

  it("the bootstrap policy allows creating the results bucket and the image cache", () => {
    expect(missing(["bootstrap-policy.json"], bootstrapActions)).toEqual([]);
  });

  it("the discover policy allows discovery", () => {
    expect(missing(["discover-policy.json"], discoverActions)).toEqual([]);
  });
});

describe("the policy checks catch what they are for", () => {
  const statement = (overrides: Partial<Statement>): PolicyDocument => ({
    Version: "2012-10-17",
    Statement: [{ Sid: "Test", Effect: "Allow", Action: ["ec2:DescribeVpcs"], Resource: "*", ...overrides }],
  });

  it("writes on *, whole services and write-matching wildcards", () => {
    expect(policyViolations("p", statement({ Action: ["ec2:DeleteVpc"] }))).toContainEqual(
      expect.stringContaining('ec2:DeleteVpc on Resource "*"'),
    );
    expect(policyViolations("p", statement({ Action: "*" }))).toContain("p Test: * grants a whole service");
    expect(policyViolations("p", statement({ Action: ["s3:*"] }))).toContain("p Test: s3:* grants a whole service");
    expect(policyViolations("p", statement({ Action: ["ec2:Delete*"], Resource: "arn:aws:ec2:*:*:vpc/*" }))).toContain(
      "p Test: wildcard ec2:Delete* can match writes",
    );
  });

  it("creating untagged resources and deleting untagged ones", () => {
    expect(
      policyViolations("p", statement({ Action: ["ec2:RunInstances"], Resource: "arn:aws:ec2:*:*:instance/*" })),
    ).toContainEqual(expect.stringContaining("may create a resource without"));
    expect(
      policyViolations("p", statement({ Action: ["ec2:TerminateInstances"], Resource: "arn:aws:ec2:*:*:instance/*" })),
    ).toContainEqual(expect.stringContaining("not tagged aws-bench:batch"));
    // The batch tag alone is not enough: anyone may copy it onto a production resource.
    expect(
      policyViolations(
        "p",
        statement({
          Action: ["ec2:DeleteVpc"],
          Resource: "arn:aws:ec2:*:*:vpc/*",
          Condition: { Null: { "ec2:ResourceTag/aws-bench:batch": "false" } },
        }),
      ),
    ).toContainEqual(expect.stringContaining("not tagged aws-bench:batch"));
    expect(
      policyViolations(
        "p",
        statement({
          Action: ["ec2:CreateVpc"],
          Resource: "arn:aws:ec2:*:*:vpc/*",
          Condition: {
            Null: { "aws:RequestTag/aws-bench:batch": "false", "aws:RequestTag/aws-bench:expires-at": "false" },
          },
        }),
      ),
    ).toContainEqual(expect.stringContaining("may create a resource without"));
  });

  it("IAM beyond the batch's roles, PassRole to any service, deleting results", () => {
    expect(
      policyViolations("p", statement({ Action: ["iam:DeleteRole"], Resource: "arn:aws:iam::*:role/*" })),
    ).toContainEqual(expect.stringContaining("other than the batch's roles"));
    expect(
      policyViolations("p", statement({ Action: ["iam:PassRole"], Resource: "arn:aws:iam::*:role/aws-bench/*" })),
    ).toContain("p Test: iam:PassRole must be limited to ec2.amazonaws.com");
    expect(
      policyViolations(
        "p",
        statement({ Action: ["s3:DeleteObject"], Resource: "arn:aws:s3:::RESULTS_BUCKET/batches/*" }),
      ),
    ).toContainEqual(expect.stringContaining("destroying a batch must never delete data"));
  });

  describe("a role created or changed without the boundary", () => {
    /** Every statement of the run policies that IAM checks against the boundary: the ones the mutations break. */
    const guarded = runFiles.flatMap((file) =>
      (policies[file] as PolicyDocument).Statement.map((statement, index) => ({ file, index, statement })).filter(
        ({ statement }) =>
          statement.Effect === "Allow" &&
          list(statement.Action).some((action) => grantsToRoles.some((g) => wildcardMatches(action, g))),
      ),
    );

    it("the run policies guard creating a role, its inline and managed policies and its boundary", () => {
      const actions = guarded.flatMap(({ statement }) => list(statement.Action)).sort();
      expect(actions).toEqual(expect.arrayContaining([...grantsToRoles].sort()));
    });

    const withCondition = (
      file: string,
      index: number,
      change: (condition: Record<string, Record<string, string | string[]>>) => void,
    ): PolicyDocument => {
      const copy = structuredClone(policies[file]) as PolicyDocument;
      const statement = copy.Statement[index] as Statement;
      statement.Condition ??= {};
      change(statement.Condition);
      for (const [operator, keys] of Object.entries(statement.Condition))
        if (Object.keys(keys).length === 0) delete statement.Condition[operator];
      return copy;
    };

    it.each(guarded.map(({ file, index, statement }) => [`${file} ${statement.Sid ?? "?"}`, file, index] as const))(
      "is caught when %s loses its boundary condition",
      (where, file, index) => {
        const mutated = withCondition(file, index, (condition) => {
          for (const keys of Object.values(condition)) delete keys["iam:PermissionsBoundary"];
        });
        expect(roleChangesWithoutBoundary(file, mutated)).toEqual(
          list((mutated.Statement[index] as Statement).Action)
            .filter((action) => grantsToRoles.includes(action))
            .map((action) => `${where}: ${action} without the boundary condition`),
        );
      },
    );

    it.each(guarded.map(({ file, index, statement }) => [`${file} ${statement.Sid ?? "?"}`, file, index] as const))(
      "is caught when %s accepts another boundary, any boundary, or none",
      (_where, file, index) => {
        const variants: Array<(condition: Record<string, Record<string, string | string[]>>) => void> = [
          (condition) => {
            for (const keys of Object.values(condition))
              if (keys["iam:PermissionsBoundary"]) keys["iam:PermissionsBoundary"] = "arn:aws:iam::*:policy/*";
          },
          (condition) => {
            for (const keys of Object.values(condition)) delete keys["iam:PermissionsBoundary"];
            condition["Null"] = { ...condition["Null"], "iam:PermissionsBoundary": "false" };
          },
          (condition) => {
            const value = condition["ArnLike"]?.["iam:PermissionsBoundary"];
            for (const keys of Object.values(condition)) delete keys["iam:PermissionsBoundary"];
            condition["ArnLikeIfExists"] = { "iam:PermissionsBoundary": value ?? requiredBoundary };
          },
        ];
        for (const variant of variants)
          expect(roleChangesWithoutBoundary(file, withCondition(file, index, variant))).not.toEqual([]);
      },
    );

    it("is caught when a statement allows removing the boundary or rewriting the trust, even by wildcard", () => {
      const policy = (Action: string[], Resource = "arn:aws:iam::*:role/aws-bench/*"): PolicyDocument => ({
        Version: "2012-10-17",
        Statement: [{ Sid: "Test", Effect: "Allow", Action, Resource }],
      });
      expect(roleChangesWithoutBoundary("p", policy(["iam:DeleteRolePermissionsBoundary"]))).toEqual([
        "p Test: allows iam:DeleteRolePermissionsBoundary",
      ]);
      expect(roleChangesWithoutBoundary("p", policy(["iam:UpdateAssumeRolePolicy"]))).toEqual([
        "p Test: allows iam:UpdateAssumeRolePolicy",
      ]);
      expect(roleChangesWithoutBoundary("p", policy(["iam:Put*"], "*"))).toEqual([
        "p Test: iam:PutRolePolicy without the boundary condition",
        "p Test: iam:PutRolePermissionsBoundary without the boundary condition",
      ]);
      // Statements that reach no role are not this check's concern.
      expect(roleChangesWithoutBoundary("p", policy(["iam:CreateRole"], "arn:aws:iam::*:user/*"))).toEqual([]);
    });
  });

  it("traces SDK calls through every import style and maps them to IAM actions", () => {
    const source = `
      import { HeadObjectCommand } from "@aws-sdk/client-s3";
      import type * as Iam from "@aws-sdk/client-iam";
      import { helperCommand } from "./local.js";
      // new CommentedOutCommand() is not a call
      async function f(iam: typeof Iam) {
        const { DescribeVpcsCommand, paginateDescribeSubnets } = await import("@aws-sdk/client-ec2");
        const [quotas] = await Promise.all([import("@aws-sdk/client-service-quotas")]);
        const sts = await import("@aws-sdk/client-sts");
        new HeadObjectCommand({}); new DescribeVpcsCommand({}); paginateDescribeSubnets({}, {});
        new quotas.GetServiceQuotaCommand({}); new sts.GetCallerIdentityCommand({}); iam.paginateListRoles({}, {});
        new helperCommand(); new MysteryCommand();
      }`;
    const { calls, unresolved } = sdkCallsIn("x.ts", source);
    expect(calls.flatMap((call) => call.actions).sort()).toEqual(
      [
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcs",
        "iam:ListRoles",
        "s3:GetObject",
        "servicequotas:GetServiceQuota",
        "sts:GetCallerIdentity",
      ].sort(),
    );
    expect(unresolved).toEqual(["x.ts: MysteryCommand (command) is not traced to an @aws-sdk import"]);
    expect(allows(pick(permissionFiles), "ec2:DescribeVpcs")).toBe(true);
    expect(allows(pick(permissionFiles), "ec2:DeleteKeyPair")).toBe(false);
  });
});

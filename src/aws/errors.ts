/**
 * AWS SDK failures → `BenchError`s that say what happened and what to do. The SDK has already retried
 * throttling and transient errors (see `maxAttempts`) by the time an error reaches here.
 */
import { BenchError } from "../errors.js";
import { maxAttempts, type AwsSettings } from "./clients.js";

/** What was being done when the error happened, for the message. */
export interface AwsCallContext extends AwsSettings {
  /** The API action, e.g. `ec2:DescribeInstanceTypes`. */
  action: string;
}

const throttlingCodes = new Set([
  "Throttling",
  "ThrottlingException",
  "RequestLimitExceeded",
  "TooManyRequestsException",
  "RequestThrottled",
  "SlowDown",
]);
const expiredCodes = new Set(["ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"]);
const invalidCodes = new Set([
  "AuthFailure",
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "SignatureDoesNotMatch",
  "InvalidAccessKeyId",
]);
const deniedCodes = new Set(["UnauthorizedOperation", "AccessDenied", "AccessDeniedException"]);
const networkCodes = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/** Regions AWS ships disabled until the account opts in (an error there often means "not enabled"). */
const optInRegions = new Set([
  "af-south-1",
  "ap-east-1",
  "ap-east-2",
  "ap-south-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "ap-southeast-6",
  "ap-southeast-7",
  "ca-west-1",
  "eu-central-2",
  "eu-south-1",
  "eu-south-2",
  "il-central-1",
  "me-central-1",
  "me-south-1",
  "mx-central-1",
]);

/** Translates an SDK error; a `BenchError` passes through unchanged. */
export function awsErrorToBenchError(error: unknown, context: AwsCallContext): BenchError {
  if (error instanceof BenchError) return error;
  const err = (error ?? {}) as {
    name?: string;
    message?: string;
    code?: string;
    Code?: string;
    $metadata?: { httpStatusCode?: number; attempts?: number; totalRetryDelay?: number };
  };
  const name = err.name ?? "";
  const code = err.Code ?? err.code ?? name;
  const message = err.message ?? String(error);
  const where = context.region ? ` in ${context.region}` : "";
  const profile = context.profile ? ` --profile ${context.profile}` : "";
  const profileText = context.profile ? `profile '${context.profile}'` : "the default credential chain";

  if (/region is missing/i.test(message)) {
    return new BenchError("RegionMissing", "No AWS region was given and none is configured.", {
      fix: "Pass --region (e.g. --region us-east-1) or set AWS_REGION.",
      cause: error,
    });
  }
  if (name === "CredentialsProviderError" || /could not load credentials/i.test(message)) {
    return new BenchError("CredentialsMissing", `No AWS credentials found for ${profileText}: ${firstLine(message)}`, {
      fix: `Run 'aws configure${profile}' or 'aws sso login${profile}', or set AWS_PROFILE; see docs/AWS_SETUP.md.`,
      cause: error,
    });
  }
  if (
    expiredCodes.has(code) ||
    name === "TokenProviderError" ||
    /(token|session).*(expired|has expired)/i.test(message)
  ) {
    return new BenchError("CredentialsExpired", `The AWS credentials of ${profileText} have expired.`, {
      fix: `Log in again: 'aws sso login${profile}' (or refresh your temporary credentials).`,
      cause: error,
    });
  }
  if (
    code === "OptInRequired" ||
    (invalidCodes.has(code) && context.region !== undefined && optInRegions.has(context.region))
  ) {
    return new BenchError(
      "RegionNotEnabled",
      `Region ${context.region ?? "(unknown)"} is not enabled for this account (${code}).`,
      {
        fix: "Enable it in the AWS console (Account → AWS Regions), or choose another region with --region.",
        cause: error,
      },
    );
  }
  if (invalidCodes.has(code)) {
    return new BenchError("CredentialsInvalid", `AWS rejected the credentials of ${profileText}${where} (${code}).`, {
      fix: `Check the access key or log in again with 'aws sso login${profile}'; 'aws sts get-caller-identity${profile}' shows which identity is used.`,
      cause: error,
    });
  }
  if (deniedCodes.has(code)) {
    return new BenchError("AccessDenied", `Not allowed to call ${context.action}${where} (${code}).`, {
      fix: `Grant ${context.action} to this identity; docs/AWS_SETUP.md has the least-privilege policy per command.`,
      cause: error,
    });
  }
  if (throttlingCodes.has(code) || err.$metadata?.httpStatusCode === 429) {
    return new BenchError("Throttled", `AWS kept throttling ${context.action}${where} after ${maxAttempts} attempts.`, {
      fix: "Wait a minute and run again; use fewer concurrent runs in the same account.",
      cause: error,
    });
  }
  const endpoint = endpointText(context);
  // The handler names refused and reset connections TimeoutError too; only its own limits carry "N ms".
  if (name === "TimeoutError" && /\d+ ms/.test(message)) {
    return new BenchError(
      "EndpointUnreachable",
      `${capitalized(endpoint)} did not answer ${context.action}: ${waitedText(err.$metadata, message)}.`,
      {
        fix: "Check the network (proxy, VPN, firewall), the region name, and AWS_ENDPOINT_URL if you set one; then run again.",
        cause: error,
      },
    );
  }
  if (networkCodes.has(code) || name === "TimeoutError" || /getaddrinfo|ECONNREFUSED|socket hang up/i.test(message)) {
    return new BenchError(
      "EndpointUnreachable",
      `Cannot reach ${endpoint} for ${context.action}: ${firstLine(message)}${attemptsText(err.$metadata)}`,
      {
        fix: "Check the network, the region name, and AWS_ENDPOINT_URL if you set one.",
        cause: error,
      },
    );
  }
  const status = err.$metadata?.httpStatusCode;
  // An answer the SDK could not read as an AWS error (an HTML page from a proxy or load balancer, say): the HTTP
  // status is what tells the user something.
  const unreadable =
    code === "" ||
    code === "Unknown" ||
    code === "UnknownError" ||
    /deserializ|parse|unexpected token|char '<'/i.test(message);
  if (status !== undefined && status >= 500 && unreadable) {
    return new BenchError(
      "EndpointUnreachable",
      `${capitalized(endpoint)} answered ${context.action} with HTTP ${status} and no AWS error${attemptsText(err.$metadata)}: a proxy, gateway or the service is failing.`,
      {
        fix: "Wait and run again; if it persists, check any proxy and AWS_ENDPOINT_URL, and the AWS Health Dashboard.",
        cause: error,
      },
    );
  }
  return new BenchError(
    "AwsError",
    `${context.action}${where} failed${status !== undefined ? ` with HTTP ${status}` : ""}: ${code ? `${code}: ` : ""}${firstLine(message)}`,
    {
      fix: "Run again with --debug for the SDK's details.",
      cause: error,
    },
  );
}

/** Environment variables naming the endpoint of a service, most specific first (the SDK's own names). */
const endpointVariables: Record<string, string> = {
  ec2: "AWS_ENDPOINT_URL_EC2",
  s3: "AWS_ENDPOINT_URL_S3",
  iam: "AWS_ENDPOINT_URL_IAM",
  sts: "AWS_ENDPOINT_URL_STS",
  ecr: "AWS_ENDPOINT_URL_ECR",
  servicequotas: "AWS_ENDPOINT_URL_SERVICE_QUOTAS",
  pricing: "AWS_ENDPOINT_URL_PRICING",
};

/** "the AWS endpoint of ec2 in eu-west-2", or the URL the environment points the SDK at. */
function endpointText(context: AwsCallContext): string {
  const service = context.action.split(":")[0] ?? "";
  const variable = endpointVariables[service];
  const specific = variable === undefined ? undefined : process.env[variable];
  const url = specific || process.env["AWS_ENDPOINT_URL"];
  const where = context.region ? ` in ${context.region}` : "";
  if (url) return `the endpoint ${url} (${specific ? variable : "AWS_ENDPOINT_URL"})${where}`;
  return `the AWS endpoint of ${service || "the service"}${where}`;
}

/** How long the SDK waited on a call that timed out: attempts × the bound of one attempt, plus the backoff. */
function waitedText(metadata: { attempts?: number; totalRetryDelay?: number } | undefined, message: string): string {
  const attempts = metadata?.attempts ?? 1;
  const limit = /(\d+) ms/.exec(message);
  if (limit === null) return `timed out after ${attempts} attempt${attempts === 1 ? "" : "s"}`;
  const perAttempt = Number(limit[1]);
  const total = attempts * perAttempt + (metadata?.totalRetryDelay ?? 0);
  return `no answer within ${seconds(perAttempt)} on each of ${attempts} attempt${attempts === 1 ? "" : "s"} (about ${seconds(total)} waited in all)`;
}

function attemptsText(metadata: { attempts?: number } | undefined): string {
  const attempts = metadata?.attempts;
  return attempts === undefined || attempts <= 1 ? "" : ` (${attempts} attempts)`;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}

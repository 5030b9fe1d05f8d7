/**
 * AWS SDK clients are built here and nowhere else, so one place decides profile, region, retries and endpoint.
 * The SDK itself honours the standard chain: `AWS_PROFILE`, `AWS_REGION`, shared config and credentials files,
 * SSO, instance roles, and `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_EC2` for any AWS-compatible endpoint.
 * SDK modules are imported on demand: `--help` and offline commands never load them.
 */
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { ECRClient } from "@aws-sdk/client-ecr";
import type { IAMClient } from "@aws-sdk/client-iam";
import type { PricingClient } from "@aws-sdk/client-pricing";
import type { S3Client } from "@aws-sdk/client-s3";
import type { ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import type { STSClient } from "@aws-sdk/client-sts";
import { BenchError } from "../errors.js";

/** What the user said about AWS on the command line. */
export interface AwsSettings {
  /** `--profile`; the chain's default when absent. */
  profile?: string | undefined;
  /** `--region`; the chain's default when absent. */
  region?: string | undefined;
}

/** Retries before a throttled or failing call becomes an error (the SDK backs off between attempts). */
export const maxAttempts = 8;

/**
 * Bounds of one HTTP attempt, in milliseconds. `connectMs` bounds opening the connection; `controlPlaneMs` bounds
 * a whole attempt of a control-plane call (EC2, IAM, STS, ECR, Service Quotas, Pricing: they answer in seconds);
 * `dataMs` bounds an S3 attempt (objects up and down). The same value is the idle limit of a socket, so a response
 * that stalls half way fails too. Mutable so a test can shorten them.
 */
export const requestTimeouts = { connectMs: 5_000, controlPlaneMs: 20_000, dataMs: 60_000 };

/** The SDK's longest backoff before retry `n` of a non-throttling failure is 50 ms × 2^n; summed over every retry. */
const longestBackoffMs = 50 * (2 ** (maxAttempts - 1) - 1);

/**
 * The longest a call can take against an endpoint that accepts connections and never answers: every attempt
 * times out after `attemptMs`, plus the SDK's longest backoff between attempts. With the defaults: control plane
 * 8 × 20 s + 6.35 s ≈ 2 min 46 s; S3 8 × 60 s + 6.35 s ≈ 8 min 6 s.
 */
export function worstCaseCallMs(attemptMs: number): number {
  return maxAttempts * attemptMs + longestBackoffMs;
}

/** What an AWS region name looks like (`us-east-1`, `us-gov-west-1`, `eu-central-2`). */
export const regionPattern = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** Throws `InvalidArgument` unless `region` looks like an AWS region name. */
export function assertRegionName(region: string): void {
  if (!regionPattern.test(region)) {
    throw new BenchError("InvalidArgument", `'${region}' is not an AWS region name.`, {
      fix: "Use a region code such as us-east-1 or eu-west-2.",
    });
  }
}

/** An EC2 client for `region` (or the settings' region, or the chain's). */
export async function createEc2Client(settings: AwsSettings, region = settings.region): Promise<EC2Client> {
  const { EC2Client } = await import("@aws-sdk/client-ec2");
  return new EC2Client(clientConfig(settings, region));
}

/** The settings every client shares: region (when known), profile, retries, and bounds on every attempt. */
function clientConfig(
  settings: AwsSettings,
  region: string | undefined,
  attemptMs: number = requestTimeouts.controlPlaneMs,
): {
  region?: string;
  profile?: string;
  maxAttempts: number;
  retryMode: string;
  requestHandler: {
    connectionTimeout: number;
    requestTimeout: number;
    socketTimeout: number;
    throwOnRequestTimeout: true;
  };
} {
  if (region !== undefined) assertRegionName(region);
  return {
    ...(region === undefined ? {} : { region }),
    ...(settings.profile === undefined ? {} : { profile: settings.profile }),
    maxAttempts,
    retryMode: "adaptive",
    // A hung endpoint must not stall a command (or a batch's teardown): without throwOnRequestTimeout the handler
    // only logs when requestTimeout passes and waits on. Each attempt now fails, and the retries are bounded too.
    requestHandler: {
      connectionTimeout: requestTimeouts.connectMs,
      requestTimeout: attemptMs,
      socketTimeout: attemptMs,
      throwOnRequestTimeout: true,
    },
  };
}

/** How an S3 client addresses its buckets, beyond region and profile. */
export interface S3Addressing {
  /** A custom endpoint (an S3-compatible service, or a VPC endpoint); otherwise the SDK's (and its env vars'). */
  endpoint?: string | undefined;
  /** Path-style requests (`ENDPOINT/BUCKET/KEY`); default: when an endpoint is set here or in the environment. */
  forcePathStyle?: boolean | undefined;
}

/**
 * Whether an S3 client uses path-style requests: as told, else whenever a custom endpoint is in effect (given, or
 * `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL` in the environment). Virtual-hosted requests put the bucket in the
 * host name, which an endpoint such as `http://localhost:9000` or `https://s3.internal` cannot resolve.
 */
export function usePathStyle(addressing: S3Addressing, env: Record<string, string | undefined> = process.env): boolean {
  if (addressing.forcePathStyle !== undefined) return addressing.forcePathStyle;
  return Boolean(addressing.endpoint || env["AWS_ENDPOINT_URL_S3"] || env["AWS_ENDPOINT_URL"]);
}

/** An S3 client for `region` (buckets live in one region; use the bucket's). */
export async function createS3Client(
  settings: AwsSettings,
  region = settings.region,
  addressing: S3Addressing = {},
): Promise<S3Client> {
  const { S3Client } = await import("@aws-sdk/client-s3");
  return new S3Client({
    ...clientConfig(settings, region, requestTimeouts.dataMs),
    // A bucket in another region than asked answers with a redirect: follow it (the state bucket's region is often
    // not the batch's).
    followRegionRedirects: true,
    forcePathStyle: usePathStyle(addressing),
    ...(addressing.endpoint ? { endpoint: addressing.endpoint } : {}),
  });
}

/** A Service Quotas client for `region` (quotas are per region). */
export async function createServiceQuotasClient(
  settings: AwsSettings,
  region = settings.region,
): Promise<ServiceQuotasClient> {
  const { ServiceQuotasClient } = await import("@aws-sdk/client-service-quotas");
  return new ServiceQuotasClient(clientConfig(settings, region));
}

/** Regions where the Price List API answers (it describes every region from each of them). */
export const priceListApiRegions = ["us-east-1", "eu-central-1", "ap-south-1"] as const;

/** A Price List API client; `region` must be one of {@link priceListApiRegions}. */
export async function createPricingClient(
  settings: AwsSettings,
  region: string = priceListApiRegions[0],
): Promise<PricingClient> {
  const { PricingClient } = await import("@aws-sdk/client-pricing");
  return new PricingClient(clientConfig(settings, region));
}

/** An IAM client (IAM is global; the region only picks the endpoint's partition). */
export async function createIamClient(settings: AwsSettings, region = settings.region): Promise<IAMClient> {
  const { IAMClient } = await import("@aws-sdk/client-iam");
  return new IAMClient(clientConfig(settings, region));
}

/** An ECR client for `region`. */
export async function createEcrClient(settings: AwsSettings, region = settings.region): Promise<ECRClient> {
  const { ECRClient } = await import("@aws-sdk/client-ecr");
  return new ECRClient(clientConfig(settings, region));
}

/** An STS client (who am I: the account and identity for tags and messages). */
export async function createStsClient(settings: AwsSettings, region = settings.region): Promise<STSClient> {
  const { STSClient } = await import("@aws-sdk/client-sts");
  return new STSClient(clientConfig(settings, region));
}

/** The region a client resolved (from the flag or the chain); throws `RegionMissing` when there is none. */
export async function resolvedRegion(
  client: { config: { region: () => Promise<string> } },
  settings: AwsSettings,
): Promise<string> {
  let region: string | undefined;
  try {
    region = await client.config.region();
  } catch {
    region = undefined;
  }
  if (!region) {
    throw new BenchError("RegionMissing", "No AWS region was given and none is configured.", {
      fix: `Pass --region (e.g. --region us-east-1), set AWS_REGION, or set a region in ${settings.profile ? `profile '${settings.profile}'` : "your AWS config"}.`,
    });
  }
  assertRegionName(region);
  return region;
}

/** A region and where it came from (`--region`, `AWS_REGION`, or a profile of the shared config files). */
export interface ResolvedRegion {
  /** The region code, checked by {@link assertRegionName}. */
  region: string;
  /** Where it was found, for a message such as `region: eu-west-2 (from profile 'default' in ~/.aws/config)`. */
  source: string;
}

/**
 * The region a command works in: `--region`, then `AWS_REGION`, then the region of the profile (`--profile`,
 * `AWS_PROFILE` or `default`) in the shared config and credentials files, read with the SDK's own region
 * selectors, as a client's `config.region()` does (the instance-metadata last resort is left out: a command on
 * a workstation must not wait for it). `env` is the process's environment (the CLI passes its own). Throws
 * `RegionMissing` when none is found and `InvalidArgument` when the region found is not a region name.
 */
export async function resolveRegion(
  settings: AwsSettings,
  env: Record<string, string | undefined> = process.env,
): Promise<ResolvedRegion> {
  const found = await findRegion(settings, env);
  if (found === undefined) {
    throw new BenchError("RegionMissing", "No AWS region was given and none is configured.", {
      fix: `Pass --region (e.g. --region us-east-1), set AWS_REGION, or set a region in ${settings.profile ? `profile '${settings.profile}'` : "your AWS config"} (aws configure set region us-east-1${settings.profile ? ` --profile ${settings.profile}` : ""}).`,
    });
  }
  assertRegionName(found.region);
  return found;
}

async function findRegion(
  settings: AwsSettings,
  env: Record<string, string | undefined>,
): Promise<ResolvedRegion | undefined> {
  if (settings.region) return { region: settings.region, source: "--region" };
  const fromEnv = env["AWS_REGION"];
  if (fromEnv) return { region: fromEnv, source: "AWS_REGION" };
  const { loadConfig, getProfileName, NODE_REGION_CONFIG_OPTIONS, NODE_REGION_CONFIG_FILE_OPTIONS } =
    await import("@smithy/core/config");
  const profile = getProfileName({ profile: settings.profile || env["AWS_PROFILE"] || undefined });
  const configFile = env["AWS_CONFIG_FILE"] || undefined;
  const read = loadConfig<string | undefined>(
    {
      // AWS_REGION was looked at above, in the environment the caller gave.
      environmentVariableSelector: () => undefined,
      configFileSelector: NODE_REGION_CONFIG_OPTIONS.configFileSelector,
      default: () => undefined,
    },
    {
      ...NODE_REGION_CONFIG_FILE_OPTIONS,
      profile,
      ...(configFile ? { configFilepath: configFile } : {}),
      ...(env["AWS_SHARED_CREDENTIALS_FILE"] ? { filepath: env["AWS_SHARED_CREDENTIALS_FILE"] } : {}),
      ignoreCache: true,
    },
  );
  let region: string | undefined;
  try {
    region = await read();
  } catch {
    region = undefined;
  }
  if (!region) return undefined;
  return { region, source: `profile '${profile}' in ${configFile ?? "~/.aws/config"}` };
}

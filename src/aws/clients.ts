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

const regionPattern = /^[a-z]{2}(-[a-z]+)+-\d+$/;

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

/** The settings every client shares: region (when known), profile, retries. */
function clientConfig(
  settings: AwsSettings,
  region: string | undefined,
): {
  region?: string;
  profile?: string;
  maxAttempts: number;
  retryMode: string;
  requestHandler: { connectionTimeout: number; requestTimeout: number };
} {
  if (region !== undefined) assertRegionName(region);
  return {
    ...(region === undefined ? {} : { region }),
    ...(settings.profile === undefined ? {} : { profile: settings.profile }),
    maxAttempts,
    retryMode: "adaptive",
    // A hung connection must not stall a batch past its deadlines (and its teardown): each attempt is bounded.
    requestHandler: { connectionTimeout: requestTimeouts.connectMs, requestTimeout: requestTimeouts.requestMs },
  };
}

/** Bounds of one HTTP attempt (retries come on top, see `maxAttempts`). */
export const requestTimeouts = { connectMs: 10_000, requestMs: 120_000 };

/** An S3 client for `region` (buckets live in one region; use the bucket's). */
export async function createS3Client(settings: AwsSettings, region = settings.region): Promise<S3Client> {
  const { S3Client } = await import("@aws-sdk/client-s3");
  // A bucket in another region than asked answers with a redirect: follow it (the state bucket's region is often not the batch's).
  return new S3Client({ ...clientConfig(settings, region), followRegionRedirects: true });
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

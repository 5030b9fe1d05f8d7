/**
 * AWS SDK clients are built here and nowhere else, so one place decides profile, region, retries and endpoint.
 * The SDK itself honours the standard chain: `AWS_PROFILE`, `AWS_REGION`, shared config and credentials files,
 * SSO, instance roles, and `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_EC2` for any AWS-compatible endpoint.
 * SDK modules are imported on demand: `--help` and offline commands never load them.
 */
import type { EC2Client } from "@aws-sdk/client-ec2";
import { CliError } from "../cli/errors.js";

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
    throw new CliError("InvalidArgument", `'${region}' is not an AWS region name.`, { fix: "Use a region code such as us-east-1 or eu-west-2." });
  }
}

/** An EC2 client for `region` (or the settings' region, or the chain's). */
export async function createEc2Client(settings: AwsSettings, region = settings.region): Promise<EC2Client> {
  if (region !== undefined) assertRegionName(region);
  const { EC2Client } = await import("@aws-sdk/client-ec2");
  return new EC2Client({
    ...(region === undefined ? {} : { region }),
    ...(settings.profile === undefined ? {} : { profile: settings.profile }),
    maxAttempts,
    retryMode: "adaptive",
  });
}

/** The region a client resolved (from the flag or the chain); throws `RegionMissing` when there is none. */
export async function resolvedRegion(client: { config: { region: () => Promise<string> } }, settings: AwsSettings): Promise<string> {
  let region: string | undefined;
  try {
    region = await client.config.region();
  } catch {
    region = undefined;
  }
  if (!region) {
    throw new CliError("RegionMissing", "No AWS region was given and none is configured.", {
      fix: `Pass --region (e.g. --region us-east-1), set AWS_REGION, or set a region in ${settings.profile ? `profile '${settings.profile}'` : "your AWS config"}.`,
    });
  }
  assertRegionName(region);
  return region;
}

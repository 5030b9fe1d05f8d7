/**
 * Private details that must never be published in a result: AWS account ids, EC2 instance ids, private IPv4
 * addresses (and EC2's internal host names built from them). Checked on every benchmark result written or
 * validated, on every string value, with the JSON path of each finding.
 */

const instanceId = /\bi-(?:[0-9a-f]{8}|[0-9a-f]{17})\b/;
const privateIpv4 = /\b(?:10\.\d{1,3}|172\.(?:1[6-9]|2\d|3[01])|192\.168)\.\d{1,3}\.\d{1,3}\b/;
const internalHostName = /\bip-(?:10|172|192)-\d{1,3}-\d{1,3}-\d{1,3}\b/;

const patterns: ReadonlyArray<{ what: string; pattern: RegExp }> = [
  { what: "an EC2 instance id", pattern: instanceId },
  { what: "an AWS account id", pattern: /(?<![0-9a-fA-F.])\d{12}(?![0-9a-fA-F.])/ },
  { what: "a private IPv4 address", pattern: privateIpv4 },
  { what: "an EC2 internal host name", pattern: internalHostName },
  { what: "an ARN with an account id", pattern: /arn:aws[\w-]*:[\w-]*:[\w-]*:\d{12}:/ },
];

/** Each private detail found in `document` as `JSON path: what`. */
export function findPrivateDetails(document: unknown, path = ""): string[] {
  if (typeof document === "string") {
    return patterns.filter(({ pattern }) => pattern.test(document)).map(({ what }) => `${path || "/"}: contains ${what}`);
  }
  if (Array.isArray(document)) return document.flatMap((item, index) => findPrivateDetails(item, `${path}/${index}`));
  if (document !== null && typeof document === "object") {
    return Object.entries(document).flatMap(([key, value]) => [
      ...patterns.filter(({ pattern }) => pattern.test(key)).map(({ what }) => `${path}/${key}: key contains ${what}`),
      ...findPrivateDetails(value, `${path}/${key}`),
    ]);
  }
  return [];
}

/** Patterns replaced in raw outputs before they are checksummed and published. */
const rawOutputPatterns: readonly RegExp[] = [
  /^(Hostname: ').*(')$/gm, // HPCC's header names the host, which on EC2 encodes its private IP
  new RegExp(`${internalHostName.source}(?:\\.[\\w.-]+)?`, "g"), // with its domain (ip-10-0-1-2.ec2.internal)
  new RegExp(privateIpv4.source, "g"),
  new RegExp(instanceId.source, "g"),
];

/**
 * `text` with host names, private IPs and instance ids replaced by `<redacted>`, and how many were replaced.
 * Account-id-like numbers are left alone: raw outputs legitimately print 12-digit counts.
 */
export function redactRawOutput(text: string): { text: string; replaced: number } {
  let replaced = 0;
  let result = text;
  for (const pattern of rawOutputPatterns) {
    result = result.replace(pattern, (match: string, open?: string, close?: string) => {
      replaced++;
      return typeof open === "string" && typeof close === "string" && match.startsWith("Hostname") ? `${open}<redacted>${close}` : "<redacted>";
    });
  }
  return { text: result, replaced };
}

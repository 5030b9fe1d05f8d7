/**
 * Private details that must never be published: AWS account ids, EC2 instance ids, private IPv4 addresses (and
 * EC2's internal host names built from them), ARNs naming an account, and AWS credentials (access key ids, and
 * secret keys or session tokens assigned to their usual names). One list of detectors serves both checks:
 * every string of a result document (with the JSON path of each finding), and raw outputs (redacted by the
 * runner before checksumming, refused by the collector when anything is left).
 */

const instanceId = /\bi-(?:[0-9a-f]{8}|[0-9a-f]{17})\b/;
const privateIpv4 = /\b(?:10\.\d{1,3}|172\.(?:1[6-9]|2\d|3[01])|192\.168)\.\d{1,3}\.\d{1,3}\b/;
const internalHostName = /\bip-(?:10|172|192)-\d{1,3}-\d{1,3}-\d{1,3}\b/;

/** One kind of private detail, and where it is looked for. */
interface Detector {
  /** What it is, for messages ("contains an EC2 instance id"). */
  what: string;
  /** Finds it (no flags but `i`; each use adds what it needs). */
  pattern: RegExp;
  /** Looked for in result documents. */
  inDocuments: boolean;
  /**
   * Looked for in raw outputs. Raw outputs redact the whole match, except the named group `keep` (left in front)
   * and `close` (left behind), so a redacted line still says what was there.
   */
  inRawOutputs: boolean;
}

const detectors: readonly Detector[] = [
  // HPCC's header names the host, which on EC2 encodes its private IP: any name there is redacted.
  {
    what: "a host name",
    pattern: /^(?<keep>Hostname: ').*(?<close>')$/m,
    inDocuments: false,
    inRawOutputs: true,
  },
  {
    what: "an EC2 internal host name",
    // With its domain in raw outputs (ip-10-0-1-2.ec2.internal), so no half-redacted name is left.
    pattern: new RegExp(`${internalHostName.source}(?:\\.[\\w.-]+)?`),
    inDocuments: true,
    inRawOutputs: true,
  },
  { what: "a private IPv4 address", pattern: privateIpv4, inDocuments: true, inRawOutputs: true },
  { what: "an EC2 instance id", pattern: instanceId, inDocuments: true, inRawOutputs: true },
  // Raw outputs legitimately print 12-digit counts, so a bare account id is looked for in documents only.
  {
    what: "an AWS account id",
    pattern: /(?<![0-9a-fA-F.])\d{12}(?![0-9a-fA-F.])/,
    inDocuments: true,
    inRawOutputs: false,
  },
  { what: "an ARN with an account id", pattern: /arn:aws[\w-]*:[\w-]*:[\w-]*:\d{12}:/, inDocuments: true, inRawOutputs: true },
  { what: "an AWS access key id", pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/, inDocuments: true, inRawOutputs: true },
  // A bare 40-character base64 string could be any digest, so a secret key is only recognised by the name it is
  // assigned to (aws_secret_access_key = …, AWS_SECRET_ACCESS_KEY=…, "SecretAccessKey": "…").
  {
    what: "an AWS secret access key",
    pattern: /(?<keep>(?:aws_?)?secret_?access_?key["']?\s*[:=]\s*["']?)[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/i,
    inDocuments: true,
    inRawOutputs: true,
  },
  {
    what: "an AWS session token",
    pattern: /(?<keep>(?:aws_?)?session_?token["']?\s*[:=]\s*["']?)[A-Za-z0-9/+=]{40,}/i,
    inDocuments: true,
    inRawOutputs: true,
  },
];

const documentDetectors = detectors.filter((d) => d.inDocuments);
const rawOutputDetectors = detectors
  .filter((d) => d.inRawOutputs)
  .map((d) => ({ ...d, global: new RegExp(d.pattern.source, `${d.pattern.flags.replace("g", "")}g`) }));

/**
 * One pass that every string holding any detail matches (the detectors' patterns as alternatives, one regular
 * expression per set of flags): nearly every string in a result holds none, and is then looked at once, not once
 * per detector.
 */
const anyDocumentDetail = [...new Set(documentDetectors.map((d) => d.pattern.flags.replace("g", "")))].map(
  (flags) =>
    new RegExp(
      documentDetectors
        .filter((d) => d.pattern.flags.replace("g", "") === flags)
        .map((d) => `(?:${d.pattern.source.replaceAll("(?<keep>", "(?:")})`)
        .join("|"),
      flags,
    ),
);

function mayHoldDetail(text: string): boolean {
  for (const pattern of anyDocumentDetail) if (pattern.test(text)) return true;
  return false;
}

/**
 * Whether `key` can start a detail that only `key=value` holds. Such a match must cross the `=` between them, and
 * only the credential detectors match `=` (their assignment `[:=]`, a session token's characters), with their name
 * (`…key`, `…token`) in front of it, so in the key. Any other match lies within the key or within the value, where
 * each alone is looked at anyway.
 */
const assignmentName = /key|token/i;

/** Each private detail found in `document` as `JSON path: what`. */
export function findPrivateDetails(document: unknown, path = ""): string[] {
  const walk: Walk = { found: [], keys: [], root: path };
  visit(walk, document);
  return walk.found;
}

/** A walk through a document: what it found, and the keys leading to where it is (joined only for a finding). */
interface Walk {
  found: string[];
  keys: string[];
  root: string;
}

function pathOf(walk: Walk): string {
  let path = walk.root;
  for (const key of walk.keys) path += `/${key}`;
  return path;
}

function report(walk: Walk, text: string, label: string): void {
  for (const { pattern, what } of documentDetectors) if (pattern.test(text)) walk.found.push(`${label}${what}`);
}

function visit(walk: Walk, value: unknown): void {
  if (typeof value === "string") {
    if (mayHoldDetail(value)) report(walk, value, `${pathOf(walk) || "/"}: contains `);
    return;
  }
  if (value === null || typeof value !== "object") return;
  const { keys } = walk;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      keys.push(String(index));
      visit(walk, value[index]);
      keys.pop();
    }
    return;
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const item = (value as Record<string, unknown>)[key];
    keys.push(key);
    if (mayHoldDetail(key)) report(walk, key, `${pathOf(walk)}: key contains `);
    visit(walk, item);
    // A free-form map ({"SecretAccessKey": "…"}) splits an assignment into a key and a value; neither alone
    // looks like a secret, so the pair is looked at as the assignment it is.
    if (typeof item === "string" && assignmentName.test(key)) {
      const pair = `${key}=${item}`;
      if (mayHoldDetail(pair))
        for (const { pattern, what } of documentDetectors)
          if (!pattern.test(key) && !pattern.test(item) && pattern.test(pair))
            walk.found.push(`${pathOf(walk)}: contains ${what}`);
    }
    keys.pop();
  }
}

/** `text` with every match of one raw-output detector redacted, and how many matches changed. */
function redactWith(text: string, global: RegExp): { text: string; replaced: number } {
  let replaced = 0;
  const result = text.replace(global, (match: string, ...rest: unknown[]) => {
    const last = rest.at(-1);
    const groups = typeof last === "object" && last !== null ? (last as Record<string, string | undefined>) : {};
    const redacted = `${groups["keep"] ?? ""}<redacted>${groups["close"] ?? ""}`;
    if (redacted !== match) replaced++;
    return redacted;
  });
  return { text: result, replaced };
}

/**
 * `text` with host names, private IPs, instance ids, ARNs with account ids and credentials replaced by
 * `<redacted>`, and how many were replaced (a match already redacted does not count). Account-id-like numbers are
 * left alone: raw outputs legitimately print 12-digit counts.
 */
export function redactRawOutput(text: string): { text: string; replaced: number } {
  let replaced = 0;
  let result = text;
  for (const { global } of rawOutputDetectors) {
    const step = redactWith(result, global);
    result = step.text;
    replaced += step.replaced;
  }
  return { text: result, replaced };
}

/** What a raw output still holds that {@link redactRawOutput} would remove, one entry per kind; empty when clean. */
export function findRawOutputDetails(text: string): string[] {
  return rawOutputDetectors.filter(({ global }) => redactWith(text, global).replaced > 0).map(({ what }) => what);
}

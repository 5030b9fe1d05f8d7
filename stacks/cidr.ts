/**
 * The one check of the IPv4 network SSH is opened to: `--ssh-cidr`, the batch spec's `ssh.cidr` and the
 * `BenchmarkBatch` argument all accept exactly what {@link sshCidrProblem} accepts, and the schema's pattern is
 * {@link sshCidrPatternSource}, generated here (a test holds the schema to it).
 *
 * The rule: four numbers 0–255 and a prefix 1–32, none with a leading zero (`010.0.0.0/8` is octal to some tools
 * and decimal to others), never `/0`, and the address must be the network's own address. A CIDR with host bits
 * set (`203.0.113.7/24`) is refused, not normalised: a prefix that does not fit its address is usually a typo
 * (`8.8.8.8/1` for `/31`), and normalising would quietly open SSH to half the internet. The fix names both
 * readings, so the user picks the one they meant.
 */

const octet = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
const cidrSyntax = new RegExp(`^(${octet})\\.(${octet})\\.(${octet})\\.(${octet})/(3[0-2]|[12][0-9]|[0-9])$`);

/** Why a CIDR cannot be the SSH network. */
export interface CidrProblem {
  /** What is wrong, to follow the value in a message: `'1.2.3.4/0' would open SSH to the whole internet`. */
  reason: string;
  /** One line saying what to write instead. */
  fix: string;
}

/** Why `cidr` cannot be the network SSH is opened to, or undefined when it can. */
export function sshCidrProblem(cidr: unknown): CidrProblem | undefined {
  const m = typeof cidr === "string" ? cidrSyntax.exec(cidr) : null;
  if (!m) {
    return {
      reason: "is not an IPv4 CIDR (four numbers 0-255 without leading zeros, then /1 to /32)",
      fix: "e.g. 203.0.113.0/24 for a network, or 203.0.113.7/32 for one address",
    };
  }
  const prefix = Number(m[5]);
  if (prefix === 0)
    return { reason: "would open SSH to the whole internet", fix: "Name your own network, e.g. your office's /24." };
  const address = m.slice(1, 5).reduce((sum, part) => sum * 256 + Number(part), 0);
  const network = address - (address % 2 ** (32 - prefix));
  if (network !== address) {
    const dotted = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join(".");
    return {
      reason: `has host bits set beyond its /${prefix} prefix`,
      fix: `Write ${dotted}/${prefix} for that network, or ${m.slice(1, 5).join(".")}/32 for the one address.`,
    };
  }
  return undefined;
}

/**
 * The JSON Schema pattern matching exactly the CIDRs {@link sshCidrProblem} accepts. Per prefix, the octet the
 * prefix ends in must be a multiple of 2^(host bits in it) and every later octet 0; a regular expression can only
 * say that by listing the multiples, hence a generated pattern rather than a hand-written one.
 */
export const sshCidrPatternSource: string = networkPattern();

function networkPattern(): string {
  const branches: string[] = [];
  for (let wholeOctets = 0; wholeOctets < 4; wholeOctets++) {
    const byPrefix: string[] = [];
    for (let bits = 0; bits < 8; bits++) {
      const prefix = wholeOctets * 8 + bits;
      if (prefix === 0) continue;
      const step = 2 ** (8 - bits);
      const multiples = Array.from({ length: 256 / step }, (_, i) => String(i * step));
      byPrefix.push(`${numeralsPattern(multiples)}${"\\.0".repeat(3 - wholeOctets)}/${prefix}`);
    }
    branches.push(`${`${octet}\\.`.repeat(wholeOctets)}(?:${byPrefix.join("|")})`);
  }
  branches.push(`${`${octet}\\.`.repeat(3)}${octet}/32`);
  return `^(?:${branches.join("|")})$`;
}

/** A pattern matching exactly `numerals`: a trie over their digits, sibling digits with equal tails in one class. */
function numeralsPattern(numerals: readonly string[]): string {
  const tails = new Map<string, string[]>();
  let mayEnd = false;
  for (const numeral of numerals) {
    if (numeral === "") mayEnd = true;
    else tails.set(numeral.charAt(0), [...(tails.get(numeral.charAt(0)) ?? []), numeral.slice(1)]);
  }
  const digitsByTail = new Map<string, string[]>();
  for (const [digit, rest] of tails) {
    const tail = numeralsPattern(rest);
    digitsByTail.set(tail, [...(digitsByTail.get(tail) ?? []), digit]);
  }
  const branches = [...digitsByTail].map(
    ([tail, digits]) => (digits.length > 1 ? `[${digits.join("")}]` : digits[0]) + tail,
  );
  if (branches.length === 0) return "";
  if (mayEnd) return `(?:${branches.join("|")})?`;
  return branches.length === 1 ? (branches[0] as string) : `(?:${branches.join("|")})`;
}

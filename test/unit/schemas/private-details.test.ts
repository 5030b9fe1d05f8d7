/**
 * findPrivateDetails walks a document without building a path until it finds something, and looks at a key and its
 * value together only when the key can name a credential. Both shortcuts are checked here against the plain walk:
 * every string, every key and every key=value pair tested against every detector, over documents made from pieces
 * that hold details whole, split across a key and its value, or not at all.
 */
import { describe, expect, it } from "vitest";
import { findPrivateDetails } from "../../../src/schemas/private-details.js";

/** The detectors' verdicts are taken from findPrivateDetails itself on single strings, so only the walk is compared. */
function detailsIn(text: string): string[] {
  return findPrivateDetails(text).map((finding) => finding.slice("/: contains ".length));
}

/** Every string, key and pair, with paths built at every step. */
function plainWalk(document: unknown, path = "", pairs = true): string[] {
  if (typeof document === "string") return detailsIn(document).map((what) => `${path || "/"}: contains ${what}`);
  if (Array.isArray(document)) return document.flatMap((item, index) => plainWalk(item, `${path}/${index}`, pairs));
  if (document === null || typeof document !== "object") return [];
  return Object.entries(document).flatMap(([key, value]) => {
    const inKey = detailsIn(key);
    const inValue = typeof value === "string" ? detailsIn(value) : [];
    const inPair = pairs && typeof value === "string" ? detailsIn(`${key}=${value}`) : [];
    return [
      ...inKey.map((what) => `${path}/${key}: key contains ${what}`),
      ...plainWalk(value, `${path}/${key}`, pairs),
      ...inPair.filter((what) => !inKey.includes(what) && !inValue.includes(what)).map((what) => `${path}/${key}: contains ${what}`),
    ];
  });
}

const pieces = [
  "10.0.3.4",
  "ip-172-31-2-9.ec2.internal",
  "i-0123456789abcdef0",
  "123456789012",
  "arn:aws:iam::123456789012:role/x",
  "AKIAIOSFODNN7EXAMPLE",
  "aws_secret_access_key",
  "SecretAccessKey",
  "session_token",
  "SessionToken",
  "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  "FwoGZXIvYXdzEJr//////////wEaDEXAMPLETOKENVALUE+abc=",
  "=",
  ":",
  " ",
  '"',
  "key",
  "token",
  "triad",
  "MB/s",
  "12",
  "3456789012",
  "value",
];

/** A small deterministic generator (xorshift), so a failure names a document that can be made again. */
function generator(seed: number) {
  let state = seed >>> 0 || 1;
  return (below: number) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % below;
  };
}

function text(next: (below: number) => number): string {
  return Array.from({ length: 1 + next(3) }, () => pieces[next(pieces.length)]).join("");
}

function document(next: (below: number) => number, depth: number): unknown {
  const kind = depth > 2 ? next(2) : next(4);
  if (kind === 0) return text(next);
  if (kind === 1) return next(1000);
  if (kind === 2) return Array.from({ length: next(4) }, () => document(next, depth + 1));
  return Object.fromEntries(Array.from({ length: next(4) }, () => [text(next), document(next, depth + 1)]));
}

describe("findPrivateDetails", () => {
  it("finds what the plain walk finds, in the same order, on 3,000 generated documents", () => {
    const next = generator(20261206);
    let withFindings = 0;
    let pairOnly = 0;
    for (let i = 0; i < 3000; i++) {
      const made = document(next, 0);
      const expected = plainWalk(made);
      expect(findPrivateDetails(made), JSON.stringify(made)).toEqual(expected);
      if (expected.length > 0) withFindings++;
      if (expected.length !== plainWalk(made, "", false).length) pairOnly++;
    }
    // The generated documents reach what is compared: findings, and among them ones a pair alone holds.
    expect(withFindings).toBeGreaterThan(500);
    expect(pairOnly).toBeGreaterThan(5);
  });

  it("finds a secret split across a map's key and value, and names the path", () => {
    expect(findPrivateDetails({ a: [{ SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" }] })).toEqual([
      "/a/0/SecretAccessKey: contains an AWS secret access key",
    ]);
    expect(findPrivateDetails({ session_token: "FwoGZXIvYXdzEJr//////////wEaDEXAMPLETOKENVALUE+abc=" })).toEqual([
      "/session_token: contains an AWS session token",
    ]);
    expect(findPrivateDetails("10.1.2.3", "/x")).toEqual(["/x: contains a private IPv4 address"]);
  });
});

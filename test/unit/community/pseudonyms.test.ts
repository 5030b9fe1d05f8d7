import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { pseudonymsFor } from "../../../src/community/pseudonyms.js";

const secret = randomBytes(32);
const ids = { instanceId: "i-0123456789abcdef0", accountId: "123456789012" };

/** HMAC-SHA256 by openssl, an implementation independent of the module's. */
function opensslHmac(key: Buffer, input: string): string {
  const out = execFileSync(
    "openssl",
    ["dgst", "-sha256", "-mac", "HMAC", "-macopt", `hexkey:${key.toString("hex")}`, "-r"],
    { input },
  );
  return out.toString().split(" ")[0] as string;
}

describe("pseudonymsFor", () => {
  it("is the first 20 hex digits of HMAC-SHA256 over the prefixed id, as openssl computes it", () => {
    const pseudonyms = pseudonymsFor(ids, secret);
    expect(pseudonyms).toEqual({
      instance: opensslHmac(secret, "instance:i-0123456789abcdef0").slice(0, 20),
      account: opensslHmac(secret, "account:123456789012").slice(0, 20),
    });
    expect(pseudonyms.instance).toMatch(/^[0-9a-f]{20}$/);
  });

  it("is stable: two bundles from one instance get one instance pseudonym", () => {
    const first = pseudonymsFor(ids, secret);
    const second = pseudonymsFor({ ...ids }, Buffer.from(secret));
    expect(second).toEqual(first);
    expect(pseudonymsFor({ ...ids, instanceId: "i-0123456789abcdef1" }, secret).instance).not.toBe(first.instance);
  });

  it("separates the domains: one string as instance id and as account id gives different pseudonyms", () => {
    const same = pseudonymsFor({ instanceId: "123456789012", accountId: "123456789012" }, secret);
    expect(same.instance).not.toBe(same.account);
  });

  it("depends on the secret", () => {
    const other = Buffer.from(secret);
    other[0] = (other[0] as number) ^ 1;
    const a = pseudonymsFor(ids, secret);
    const b = pseudonymsFor(ids, other);
    expect(b.instance).not.toBe(a.instance);
    expect(b.account).not.toBe(a.account);
  });

  it("refuses secrets under 32 bytes (strings count as UTF-8 bytes) and empty ids", () => {
    expect(() => pseudonymsFor(ids, randomBytes(31))).toThrow(
      expect.objectContaining({
        code: "InvalidArgument",
        message: expect.stringContaining("holds 31 bytes; at least 32") as unknown,
      }),
    );
    expect(() => pseudonymsFor(ids, "a".repeat(31))).toThrow(expect.objectContaining({ code: "InvalidArgument" }));
    const hexSecret = randomBytes(32).toString("hex");
    expect(pseudonymsFor(ids, hexSecret)).toEqual(pseudonymsFor(ids, Buffer.from(hexSecret, "utf8")));
    expect(() => pseudonymsFor({ ...ids, accountId: "" }, secret)).toThrow(
      expect.objectContaining({ code: "InvalidArgument", message: expect.stringContaining("accountId") as unknown }),
    );
  });
});

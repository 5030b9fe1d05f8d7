/** The bootstrap program's config: what the orchestrator encodes is what the program decodes. */
import { describe, expect, it } from "vitest";
import { decodeBootstrapConfig, encodeBootstrapConfig } from "../../../stacks/bootstrap-config.js";

/** The program's view of encoded config: keys in the project namespace, as pulumi.Config.get reads them. */
function asProgramSees(config: Record<string, string>): (key: string) => string | undefined {
  return (key) => config[`aws-instance-benchmarks:${key}`];
}

describe("bootstrap config", () => {
  it("round-trips the creator and the bucket, and the region goes to the provider", () => {
    const config = encodeBootstrapConfig({ region: "eu-west-1", createdBy: "me@host", resultsBucket: "team-results" });
    expect(config["aws:region"]).toBe("eu-west-1");
    expect(decodeBootstrapConfig(asProgramSees(config))).toEqual({
      createdBy: "me@host",
      resultsBucket: "team-results",
    });
  });

  it("without a bucket name the program generates one, and an unset creator is named", () => {
    const config = encodeBootstrapConfig({ region: "eu-west-1", createdBy: "me@host" });
    expect(Object.keys(config)).not.toContain("aws-instance-benchmarks:resultsBucket");
    expect(decodeBootstrapConfig(asProgramSees(config)).resultsBucket).toBeUndefined();
    expect(decodeBootstrapConfig(() => undefined).createdBy).toBe("aws-bench bootstrap");
  });
});

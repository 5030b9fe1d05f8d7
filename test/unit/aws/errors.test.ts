import { afterEach, describe, expect, it, vi } from "vitest";
import { awsErrorToBenchError } from "../../../src/aws/errors.js";

const context = { action: "ec2:DescribeInstanceTypes", region: "eu-west-2" };

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("awsErrorToBenchError for endpoints", () => {
  it("says how long a timed-out call waited, and where", () => {
    vi.stubEnv("AWS_ENDPOINT_URL", "");
    vi.stubEnv("AWS_ENDPOINT_URL_EC2", "");
    const error = Object.assign(new Error("@smithy/node-http-handler - [ERROR] exceeded the configured 20000 ms"), {
      name: "TimeoutError",
      code: "ETIMEDOUT",
      $metadata: { attempts: 8, totalRetryDelay: 3_000 },
    });
    const mapped = awsErrorToBenchError(error, context);
    expect(mapped.code).toBe("EndpointUnreachable");
    expect(mapped.message).toBe(
      "The AWS endpoint of ec2 in eu-west-2 did not answer ec2:DescribeInstanceTypes: no answer within 20 s on each of 8 attempts (about 163 s waited in all).",
    );
  });

  it("names the endpoint variable the SDK was pointed at", () => {
    vi.stubEnv("AWS_ENDPOINT_URL_EC2", "http://127.0.0.1:9");
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), {
      name: "TimeoutError",
      code: "ECONNREFUSED",
      $metadata: { attempts: 8 },
    });
    const mapped = awsErrorToBenchError(refused, context);
    expect(mapped.code).toBe("EndpointUnreachable");
    expect(mapped.message).toContain(
      "Cannot reach the endpoint http://127.0.0.1:9 (AWS_ENDPOINT_URL_EC2) in eu-west-2",
    );
    expect(mapped.message).toContain("(8 attempts)");
  });

  it("names the HTTP status of an answer that is not an AWS error", () => {
    const html = Object.assign(new Error("Unknown"), { name: "Unknown", $metadata: { httpStatusCode: 503 } });
    expect(awsErrorToBenchError(html, context).message).toContain("HTTP 503");
    const teapot = Object.assign(new Error("Unknown"), { name: "Unknown", $metadata: { httpStatusCode: 418 } });
    expect(awsErrorToBenchError(teapot, context)).toMatchObject({ code: "AwsError" });
    expect(awsErrorToBenchError(teapot, context).message).toContain("HTTP 418");
  });
});

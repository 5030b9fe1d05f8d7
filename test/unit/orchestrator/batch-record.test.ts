/**
 * The batch spec is built in one place from the request and the preflight's findings: every field a user asked
 * for, and everything the account check pinned, arrives in the spec (and so in the stack config) unchanged.
 */
import { describe, expect, it } from "vitest";
import { buildBatchSpec, type BatchRequest, type Preflight } from "../../../src/orchestrator/batch-record.js";

const request: BatchRequest = {
  instanceTypes: ["m7i.large", "c7g.large", "p5.48xlarge"],
  benchmarks: ["stream", "hpl"],
  repeat: 2,
  spot: true,
  quick: true,
  region: "us-east-1",
  resultsBucket: "team-results",
  maxMinutes: 90,
  maxCostUsd: 5,
  images: { "intel-sapphirerapids": "registry.example/aws-bench:intel-sapphirerapids-distro-0123456789ab" },
  imagesSource: "registry.example/aws-bench",
  tags: { project: "hpc" },
  network: { subnetId: "subnet-0123456789abcdef0", securityGroupId: "sg-0123456789abcdef0" },
  ssh: { keyName: "me" },
};

const preflight: Preflight = {
  skipped: { "p5.48xlarge": "Running On-Demand P instances (L-417A185B): needs 192 vCPUs, 0 available" },
  zones: {
    instances: {
      "m7i.large/0": "use1-az4",
      "m7i.large/1": "use1-az4",
      "c7g.large/0": "use1-az4",
      "c7g.large/1": "use1-az4",
      "p5.48xlarge/0": "use1-az4",
      "p5.48xlarge/1": "use1-az4",
    },
    network: ["use1-az4"],
    offerings: { "m7i.large": ["use1-az4"], "c7g.large": ["use1-az4"] },
  },
  network: {
    subnetId: "subnet-0123456789abcdef0",
    vpcId: "vpc-0aaa1111bbbb22220",
    securityGroupId: "sg-0123456789abcdef0",
  },
  imageCache: {
    name: "aws-bench-cache",
    url: "123456789012.dkr.ecr.us-east-1.amazonaws.com/aws-bench-cache",
    arn: "arn:aws:ecr:us-east-1:123456789012:repository/aws-bench-cache",
  },
};

const options = {
  batchId: "20261128t120000z-ab12cd",
  backend: "s3://team-state/pulumi",
  createdBy: "me@host",
  now: new Date("2026-11-28T12:00:00Z"),
  expiresAt: new Date("2026-11-28T15:38:00Z"),
};

describe("buildBatchSpec", () => {
  it("carries every requested and found value, and leaves out the skipped types", () => {
    expect(buildBatchSpec(request, preflight, options)).toEqual({
      batchId: "20261128t120000z-ab12cd",
      instanceTypes: ["m7i.large", "c7g.large"],
      benchmarks: ["stream", "hpl"],
      repeat: 2,
      resultsBucket: "team-results",
      spot: true,
      quick: true,
      maxMinutes: 90,
      expiresAt: "2026-11-28T15:38:00Z",
      createdBy: "me@host",
      backend: "s3://team-state/pulumi",
      zones: {
        instances: {
          "m7i.large/0": "use1-az4",
          "m7i.large/1": "use1-az4",
          "c7g.large/0": "use1-az4",
          "c7g.large/1": "use1-az4",
        },
        network: ["use1-az4"],
      },
      network: preflight.network,
      ssh: { keyName: "me" },
      // Prebuilt images: no image cache is used.
      images: request.images,
      tags: { project: "hpc" },
    });
  });

  it("builds into the image cache when no images are given, and tags with the backend's own tag value", () => {
    const spec = buildBatchSpec({ ...request, images: undefined }, preflight, {
      ...options,
      backendTag: "s3/team-state/pulumi",
    });
    expect(spec.imageCache).toEqual({
      repository: "aws-bench-cache",
      url: preflight.imageCache?.url,
      arn: preflight.imageCache?.arn,
    });
    expect(spec.backend).toBe("s3/team-state/pulumi");
  });

  it("refuses a subnet whose VPC the preflight did not read, and tags AWS would refuse", () => {
    expect(() => buildBatchSpec(request, { ...preflight, network: undefined }, options)).toThrow(
      /VPC of subnet .* is not known/,
    );
    expect(() => buildBatchSpec({ ...request, tags: { "aws:x": "1" } }, preflight, options)).toThrow(/reserved by AWS/);
  });
});

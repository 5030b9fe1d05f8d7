import {
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeVpcsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import {
  GetAWSDefaultServiceQuotaCommand,
  GetServiceQuotaCommand,
  ServiceQuotasClient,
  type GetServiceQuotaCommandInput,
} from "@aws-sdk/client-service-quotas";
import { mockClient } from "aws-sdk-client-mock";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { isolateAws } from "../../helpers/aws-env.js";
import { exec } from "../../../src/cli/main.js";
import { memoryIo } from "../../../src/cli/io.js";
import type { BatchPlan } from "../../../src/orchestrator/plan.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const serviceQuotas = mockClient(ServiceQuotasClient);
const ec2 = mockClient(EC2Client);
const tempDir = useTempDir();

/** An account with 8 standard vCPUs applied, 2 of them used by a running m7i.large, 4 of 5 VPCs and 5 of 5 gateways. */
function serveAccount() {
  const applied: Record<string, number> = { "ec2/L-1216C47A": 8, "vpc/L-F678F1CE": 5, "vpc/L-A4707A72": 5 };
  serviceQuotas.on(GetServiceQuotaCommand).callsFake((input: GetServiceQuotaCommandInput) => {
    const value = applied[`${input.ServiceCode}/${input.QuotaCode}`];
    if (value === undefined) throw Object.assign(new Error("no such quota"), { name: "NoSuchResourceException" });
    return {
      Quota: {
        ServiceCode: input.ServiceCode,
        QuotaCode: input.QuotaCode,
        QuotaName: `quota ${input.QuotaCode}`,
        Value: value,
        Unit: "None",
        Adjustable: true,
        GlobalQuota: false,
      },
    };
  });
  serviceQuotas
    .on(GetAWSDefaultServiceQuotaCommand)
    .rejects(Object.assign(new Error("no such quota"), { name: "NoSuchResourceException" }));
  ec2
    .on(DescribeInstancesCommand)
    .resolves({ Reservations: [{ Instances: [{ InstanceType: "m7i.large", State: { Name: "running" } }] }] });
  ec2
    .on(DescribeVpcsCommand)
    .resolves({ Vpcs: [{ VpcId: "vpc-1" }, { VpcId: "vpc-2" }, { VpcId: "vpc-3" }, { VpcId: "vpc-4" }] });
  ec2
    .on(DescribeInternetGatewaysCommand)
    .resolves({ InternetGateways: ["a", "b", "c", "d", "e"].map((id) => ({ InternetGatewayId: `igw-${id}` })) });
}

async function plan(...argv: string[]) {
  const io = memoryIo({ cwd: tempDir(), env: {} });
  const code = await exec(["plan", ...argv], io);
  return { code, out: io.out(), err: io.err() };
}

beforeEach(() => {
  serviceQuotas.reset();
  ec2.reset();
});
afterEach(() => vi.unstubAllEnvs());

describe("aws-bench plan with credentials", () => {
  it("adds VPC, internet gateway and vCPU headroom to the JSON plan, and keeps the rest as it was", async () => {
    isolateAws(true);
    serveAccount();
    const { code, out } = await plan(
      "--instance-types",
      "m7i.xlarge,c7g.large,c7i.xlarge",
      "--benchmarks",
      "stream",
      "--region",
      "eu-west-1",
      "--json",
    );
    expect(code).toBe(0);
    const result = JSON.parse(out) as BatchPlan;
    expect(result.estimate.vcpusByQuotaCode).toEqual({ "L-1216C47A": 10 });
    expect(result.instances.map((i) => i.quotaCode)).toEqual(["L-1216C47A", "L-1216C47A", "L-1216C47A"]);
    expect(result.quotas).toMatchObject({
      status: "checked",
      region: "eu-west-1",
      network: {
        vpcs: { quotaCode: "L-F678F1CE", limit: 5, inUse: 4, needed: 1, available: 1, status: "fits" },
        internetGateways: {
          quotaCode: "L-A4707A72",
          limit: 5,
          inUse: 5,
          needed: 1,
          available: 0,
          status: "short",
          fix: expect.stringContaining(
            "--service-code vpc --quota-code L-A4707A72 --desired-value 6 --region eu-west-1",
          ) as string,
        },
      },
      vcpus: {
        quotas: [{ quotaCode: "L-1216C47A", limit: 8, inUse: 2, needed: 10, available: 6, status: "short" }],
        fit: ["m7i.xlarge", "c7g.large"],
        skipped: [{ instanceType: "c7i.xlarge", quotaCode: "L-1216C47A", needed: 4, available: 0 }],
      },
    });
    expect(
      serviceQuotas
        .commandCalls(GetServiceQuotaCommand)
        .map((c) => `${c.args[0].input.ServiceCode}/${c.args[0].input.QuotaCode}`)
        .sort(),
    ).toEqual(["ec2/L-1216C47A", "vpc/L-A4707A72", "vpc/L-F678F1CE"]);
    expect(await serviceQuotas.commandCalls(GetServiceQuotaCommand)[0]?.thisValue.config.region()).toBe("eu-west-1");
  });

  it("prints the headroom and what would be skipped, with the credentials of --profile", async () => {
    isolateAws(false);
    const credentialsFile = join(tempDir(), "aws-credentials");
    writeFileSync(credentialsFile, "[research]\naws_access_key_id = AKIDRESEARCH\naws_secret_access_key = secret\n");
    vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", credentialsFile);
    serveAccount();
    const { code, out } = await plan(
      "--instance-types",
      "m7i.xlarge,c7i.2xlarge",
      "--benchmarks",
      "stream",
      "--profile",
      "research",
    );
    expect(code).toBe(0);
    expect(out).toMatch(/^quotas in us-east-1:$/m);
    expect(out).toMatch(/quota L-F678F1CE \(L-F678F1CE\): 4 of 5 in use, batch needs 1 — fits/);
    expect(out).toMatch(
      /quota L-A4707A72 \(L-A4707A72\): 5 of 5 in use, batch needs 1 — short\n {4}fix: aws service-quotas request-service-quota-increase --service-code vpc --quota-code L-A4707A72 --desired-value 6 --region us-east-1 --profile research/,
    );
    expect(out).toMatch(/quota L-1216C47A \(L-1216C47A\): 2 of 8 vCPUs in use, batch needs 12 — short/);
    expect(out).toMatch(/would skip c7i\.2xlarge: needs 8 vCPUs of L-1216C47A, 2 left/);
    const signer = await serviceQuotas.commandCalls(GetServiceQuotaCommand)[0]?.thisValue.config.credentials();
    expect(signer?.accessKeyId).toBe("AKIDRESEARCH");
  });

  it("reports what it could read when a call fails, and names the call, instead of failing the plan", async () => {
    isolateAws(true);
    serveAccount();
    ec2.on(DescribeInstancesCommand).rejects(
      Object.assign(new Error("You are not authorized to perform this operation."), {
        name: "UnauthorizedOperation",
      }),
    );
    const { code, out, err } = await plan("--instance-types", "m7i.large", "--benchmarks", "stream", "--json");
    expect(code).toBe(0);
    const result = JSON.parse(out) as BatchPlan;
    // The network quotas were read; the vCPU quota's use was not.
    expect(result.quotas).toMatchObject({
      status: "checked",
      network: { vpcs: { inUse: expect.any(Number) }, internetGateways: { inUse: expect.any(Number) } },
      vcpus: { unchecked: ["m7i.large"], quotas: [{ status: "unknown", inUse: null }] },
    });
    expect(err).toMatch(
      /Not allowed to call ec2:DescribeInstances in us-east-1 \(UnauthorizedOperation\)\. The vCPUs in use are unknown/,
    );
  });

  it("warns on stderr when Service Quotas is denied, and still plans", async () => {
    isolateAws(true);
    serveAccount();
    serviceQuotas
      .on(GetServiceQuotaCommand)
      .rejects(Object.assign(new Error("denied"), { name: "AccessDeniedException" }));
    const { code, out, err } = await plan("--instance-types", "m7i.large", "--benchmarks", "stream", "--json");
    expect(code).toBe(0);
    const result = JSON.parse(out) as BatchPlan;
    expect(result.quotas).toMatchObject({
      status: "checked",
      vcpus: { unchecked: ["m7i.large"], quotas: [{ status: "unknown", limit: null }] },
      network: { vpcs: { status: "unknown" } },
    });
    expect(err.match(/^warning: Not allowed to call servicequotas:GetServiceQuota/gm)).toHaveLength(3);
  });
});

describe("aws-bench plan without credentials", () => {
  it("says the quotas were not checked and calls nothing", async () => {
    isolateAws(false);
    serveAccount();
    const { code, out } = await plan("--instance-types", "m7i.large,c7g.large", "--benchmarks", "stream", "--json");
    expect(code).toBe(0);
    const result = JSON.parse(out) as BatchPlan;
    expect(result.quotas).toEqual({ status: "not-checked", reason: "not checked (no credentials)" });
    expect(result.instances).toHaveLength(2);
    expect(serviceQuotas.calls()).toHaveLength(0);
    expect(ec2.calls()).toHaveLength(0);
    expect((await plan("--instance-types", "m7i.large", "--benchmarks", "stream")).out).toMatch(
      /^quotas: not checked \(no credentials\)$/m,
    );
  });

  it("never looks for credentials with --offline", async () => {
    isolateAws(true);
    serveAccount();
    const { code, out } = await plan("--instance-types", "m7i.large", "--benchmarks", "stream", "--offline", "--json");
    expect(code).toBe(0);
    expect((JSON.parse(out) as BatchPlan).quotas).toEqual({ status: "not-checked", reason: "not checked (--offline)" });
    expect(serviceQuotas.calls()).toHaveLength(0);
    expect(ec2.calls()).toHaveLength(0);
  });
});

import {
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeVpcsCommand,
  EC2Client,
  type DescribeInstancesCommandInput,
  type Instance,
} from "@aws-sdk/client-ec2";
import {
  GetAWSDefaultServiceQuotaCommand,
  GetServiceQuotaCommand,
  ServiceQuotasClient,
  type GetServiceQuotaCommandInput,
} from "@aws-sdk/client-service-quotas";
import { mockClient } from "aws-sdk-client-mock";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import {
  checkInstanceQuotas,
  checkNetworkQuotas,
  networkNeeds,
  probeCredentials,
  quotaCodeFor,
  vcpuQuotaFor,
  type QuotaClients,
} from "../../../src/aws/quotas.js";
import { hasSharedFixtures } from "../../helpers/prerequisites.js";

const serviceQuotasMock = mockClient(ServiceQuotasClient);
const ec2Mock = mockClient(EC2Client);
const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" };
const clients: QuotaClients = {
  serviceQuotas: new ServiceQuotasClient({ region: "us-east-1", credentials }),
  ec2: new EC2Client({ region: "us-east-1", credentials }),
};

const sharedApiFixtures = join(import.meta.dirname, "..", "..", "..", "..", "shared", "fixtures", "aws-api");
const appliedFixture = join(sharedApiFixtures, "servicequotas-get-service-quota.aws-cli-example.ec2-L-1216C47A.json");
const defaultFixture = join(
  sharedApiFixtures,
  "servicequotas-get-aws-default-service-quota.aws-cli-example.ec2-L-1216C47A.json",
);
const sharedPresent = hasSharedFixtures("quota tests with the AWS CLI's real Service Quotas answers", [
  appliedFixture,
  defaultFixture,
]);

/** Default vCPUs of the types the fake account runs (as the catalogue would give them). */
const catalogue: Record<string, number> = {
  "m7i.large": 2,
  "m7i.xlarge": 4,
  "m7i.2xlarge": 8,
  "c7g.large": 2,
  "c7g.xlarge": 4,
  "c7i.4xlarge": 16,
  "r7i.large": 2,
  "g5.xlarge": 4,
  "g6.xlarge": 4,
};
const vcpusOf = (type: string) => catalogue[type];

interface FakeInstance {
  type: string;
  state: "pending" | "running" | "stopping" | "stopped" | "shutting-down" | "terminated";
  spot?: boolean;
  /** Cores × threads, for types the catalogue does not know. */
  cpu?: [number, number];
}

/**
 * An in-memory account, as Service Quotas and EC2 answer for it:
 * - `applied` holds quota values applied to the account, by `service/code`. A code only in `defaults` has never
 *   been applied: GetServiceQuota throws NoSuchResourceException and GetAWSDefaultServiceQuota answers. A code in
 *   neither throws NoSuchResourceException from both.
 * - DescribeInstances applies the `instance-state-name` filter, then serves `pageSize` instances per page (two per
 *   reservation, as launches group them) with NextToken `n<offset>`; every token received is recorded.
 * - DescribeVpcs and DescribeInternetGateways serve `vpcs` and `internetGateways` in pages of `pageSize` too.
 */
function fakeAccount(account: {
  applied?: Record<string, number>;
  defaults?: Record<string, number>;
  instances?: FakeInstance[];
  vpcs?: number;
  internetGateways?: number;
  pageSize?: number;
}) {
  const pageSize = account.pageSize ?? 1000;
  const instanceTokens: Array<string | undefined> = [];
  const answer = (values: Record<string, number> | undefined, input: GetServiceQuotaCommandInput) => {
    const value = values?.[`${input.ServiceCode}/${input.QuotaCode}`];
    if (value === undefined)
      throw Object.assign(new Error(`The request failed because the specified service quota does not exist.`), {
        name: "NoSuchResourceException",
      });
    return { Quota: quotaShape(input.ServiceCode ?? "", input.QuotaCode ?? "", value) };
  };
  serviceQuotasMock
    .on(GetServiceQuotaCommand)
    .callsFake((input: GetServiceQuotaCommandInput) => answer(account.applied, input));
  serviceQuotasMock
    .on(GetAWSDefaultServiceQuotaCommand)
    .callsFake((input: GetServiceQuotaCommandInput) => answer(account.defaults, input));
  ec2Mock.on(DescribeInstancesCommand).callsFake((input: DescribeInstancesCommandInput) => {
    instanceTokens.push(input.NextToken);
    const states = input.Filters?.find((f) => f.Name === "instance-state-name")?.Values;
    const matching = (account.instances ?? []).filter((i) => !states || states.includes(i.state));
    const offset = input.NextToken === undefined ? 0 : Number(input.NextToken.slice(1));
    const page = matching.slice(offset, offset + Math.min(pageSize, input.MaxResults ?? 1000)).map(toInstance);
    const reservations = Array.from({ length: Math.ceil(page.length / 2) }, (_, i) => ({
      ReservationId: `r-${offset + i}`,
      Instances: page.slice(i * 2, i * 2 + 2),
    }));
    const next = offset + page.length;
    return { Reservations: reservations, ...(next < matching.length ? { NextToken: `n${next}` } : {}) };
  });
  const paged =
    <K extends string>(key: K, total: number, prefix: string) =>
    (input: { NextToken?: string }) => {
      const offset = input.NextToken === undefined ? 0 : Number(input.NextToken.slice(1));
      const items = Array.from({ length: Math.max(0, Math.min(pageSize, total - offset)) }, (_, i) => ({
        [`${prefix}Id`]: `${prefix.toLowerCase()}-${offset + i}`,
      }));
      return { [key]: items, ...(offset + items.length < total ? { NextToken: `n${offset + items.length}` } : {}) };
    };
  ec2Mock.on(DescribeVpcsCommand).callsFake(paged("Vpcs", account.vpcs ?? 1, "Vpc"));
  ec2Mock
    .on(DescribeInternetGatewaysCommand)
    .callsFake(paged("InternetGateways", account.internetGateways ?? 1, "InternetGateway"));
  return { instanceTokens };
}

function toInstance(fake: FakeInstance, index: number): Instance {
  return {
    InstanceId: `i-${String(index).padStart(17, "0")}`,
    InstanceType: fake.type as Instance["InstanceType"],
    State: { Name: fake.state, Code: 16 },
    ...(fake.spot ? { InstanceLifecycle: "spot" as const } : {}),
    ...(fake.cpu ? { CpuOptions: { CoreCount: fake.cpu[0], ThreadsPerCore: fake.cpu[1] } } : {}),
  };
}

/** A GetServiceQuota answer in the shape of the AWS CLI's documented example (../shared/fixtures/aws-api). */
function quotaShape(serviceCode: string, code: string, value: number) {
  return {
    ServiceCode: serviceCode,
    ServiceName: "Amazon Elastic Compute Cloud (Amazon EC2)",
    QuotaArn: `arn:aws:servicequotas:us-east-1:123456789012:${serviceCode}/${code}`,
    QuotaCode: code,
    QuotaName: `quota ${code}`,
    Value: value,
    Unit: "None",
    Adjustable: true,
    GlobalQuota: false,
  };
}

const planned = (type: string, count = 1) =>
  Array.from({ length: count }, () => ({ instanceType: type, vcpus: catalogue[type] ?? 0 }));

beforeEach(() => {
  serviceQuotasMock.reset();
  ec2Mock.reset();
});

describe("vCPU quota codes", () => {
  it("names the on-demand quota of each family", () => {
    expect(
      [
        "m7i",
        "c7g",
        "t3",
        "z1d",
        "hpc7g",
        "g6",
        "vt1",
        "p4d",
        "p5en",
        "x2idn",
        "f2",
        "inf2",
        "dl2q",
        "trn2",
        "u7i-12tb",
      ].map((f) => quotaCodeFor(f, false)),
    ).toEqual([
      "L-1216C47A",
      "L-1216C47A",
      "L-1216C47A",
      "L-1216C47A",
      "L-F7808C92",
      "L-DB2E81BA",
      "L-DB2E81BA",
      "L-417A185B",
      "L-417A185B",
      "L-7295265B",
      "L-74FC7D96",
      "L-1945791B",
      "L-6E869C2A",
      "L-2C3B7624",
      "L-43DA4232",
    ]);
  });

  it("names the spot quota of each family, and says where none is confirmed", () => {
    expect(
      ["m7i", "d3", "g5", "vt1", "p3dn", "p4de", "p5", "p5en", "x8g", "f2", "inf1", "dl2q", "trn1n"].map((f) =>
        quotaCodeFor(f, true),
      ),
    ).toEqual([
      "L-34B43A08",
      "L-34B43A08",
      "L-3819A6DF",
      "L-3819A6DF",
      "L-7212CCBC",
      "L-7212CCBC",
      "L-C4BD4855",
      "L-C4BD4855",
      "L-E3A00192",
      "L-88CF9481",
      "L-B5D1601B",
      "L-85EED4F7",
      "L-6B0D517C",
    ]);
    expect(vcpuQuotaFor("p6-b200", true)).toEqual({
      code: "L-34B43A08",
      name: "All Standard (A, C, D, H, I, M, R, T, Z) Spot Instance Requests",
      confirmed: false,
    });
    expect(vcpuQuotaFor("g6", true).confirmed).toBe(true);
    expect(vcpuQuotaFor("p6-b200", false)).toMatchObject({ code: "L-417A185B", confirmed: true });
  });
});

describe("checkInstanceQuotas", () => {
  it("fits the batch and counts only pending and running instances, by family and lifecycle", async () => {
    fakeAccount({
      applied: { "ec2/L-1216C47A": 64 },
      instances: [
        { type: "m7i.xlarge", state: "running" },
        { type: "m7i.xlarge", state: "running" },
        { type: "r7i.large", state: "pending" },
        { type: "m7i.2xlarge", state: "stopped" },
        { type: "m7i.2xlarge", state: "shutting-down" },
        { type: "c7g.large", state: "running", spot: true },
        { type: "g6.xlarge", state: "running" },
        { type: "m9z.huge", state: "running", cpu: [3, 2] },
      ],
    });
    const check = await checkInstanceQuotas([...planned("m7i.large", 2), ...planned("c7g.large")], clients, {
      spot: false,
      region: "us-east-1",
      vcpusOf,
    });
    expect(check.quotas).toEqual([
      {
        quotaCode: "L-1216C47A",
        quotaName: "quota L-1216C47A",
        limit: 64,
        limitSource: "applied",
        inUse: 4 + 4 + 2 + 6,
        needed: 6,
        available: 48,
        status: "fits",
      },
    ]);
    expect(check.fit).toEqual(["m7i.large", "c7g.large"]);
    expect(check.skipped).toEqual([]);
    expect(check.warnings).toEqual([]);
    expect(serviceQuotasMock.commandCalls(GetServiceQuotaCommand).map((c) => c.args[0].input)).toEqual([
      { ServiceCode: "ec2", QuotaCode: "L-1216C47A" },
    ]);
  });

  it("skips a type that does not fit, in plan order, and says what to request", async () => {
    fakeAccount({ applied: { "ec2/L-1216C47A": 16 }, instances: [{ type: "m7i.2xlarge", state: "running" }] });
    const check = await checkInstanceQuotas(
      [...planned("c7i.4xlarge"), ...planned("m7i.large", 2), ...planned("c7g.xlarge")],
      clients,
      { spot: false, region: "eu-west-1", profile: "research", vcpusOf },
    );
    expect(check.fit).toEqual(["m7i.large", "c7g.xlarge"]);
    const request =
      "aws service-quotas request-service-quota-increase --service-code ec2 --quota-code L-1216C47A --desired-value 32 --region eu-west-1 --profile research";
    expect(check.skipped).toEqual([
      {
        instanceType: "c7i.4xlarge",
        quotaCode: "L-1216C47A",
        quotaName: "quota L-1216C47A",
        needed: 16,
        available: 8,
        fix: expect.stringContaining(request) as string,
      },
    ]);
    expect(check.skipped[0]?.fix).toContain(
      "https://console.aws.amazon.com/servicequotas/home/services/ec2/quotas/L-1216C47A?region=eu-west-1",
    );
    expect(check.quotas[0]).toMatchObject({
      inUse: 8,
      needed: 24,
      available: 8,
      status: "short",
      fix: expect.stringContaining(request) as string,
    });
  });

  it("skips every type that no longer fits once earlier ones took the headroom", async () => {
    fakeAccount({ applied: { "ec2/L-1216C47A": 6 } });
    const check = await checkInstanceQuotas(
      [...planned("m7i.xlarge"), ...planned("c7g.large"), ...planned("r7i.large")],
      clients,
      { spot: false, vcpusOf },
    );
    expect(check.fit).toEqual(["m7i.xlarge", "c7g.large"]);
    expect(check.skipped.map((s) => [s.instanceType, s.needed, s.available])).toEqual([["r7i.large", 2, 0]]);
  });

  it("checks spot batches against the spot quota of each family and counts only spot instances there", async () => {
    fakeAccount({
      applied: { "ec2/L-34B43A08": 8, "ec2/L-3819A6DF": 8 },
      instances: [
        { type: "g5.xlarge", state: "running", spot: true },
        { type: "g5.xlarge", state: "running" },
        { type: "m7i.xlarge", state: "running" },
        { type: "m7i.large", state: "running", spot: true },
      ],
    });
    const check = await checkInstanceQuotas(
      [...planned("g6.xlarge"), ...planned("m7i.xlarge"), ...planned("g5.xlarge")],
      clients,
      { spot: true, vcpusOf },
    );
    expect(serviceQuotasMock.commandCalls(GetServiceQuotaCommand).map((c) => c.args[0].input.QuotaCode)).toEqual([
      "L-3819A6DF",
      "L-34B43A08",
    ]);
    expect(check.quotas.map((q) => [q.quotaCode, q.inUse, q.needed, q.available, q.status])).toEqual([
      ["L-3819A6DF", 4, 8, 4, "short"],
      ["L-34B43A08", 2, 4, 6, "fits"],
    ]);
    expect(check.fit).toEqual(["g6.xlarge", "m7i.xlarge"]);
    expect(check.skipped.map((s) => s.instanceType)).toEqual(["g5.xlarge"]);
  });

  it("uses the quota code the plan gives, and warns where a family's spot quota is unconfirmed", async () => {
    fakeAccount({ applied: { "ec2/L-34B43A08": 1000 } });
    const check = await checkInstanceQuotas([{ instanceType: "p6-b200.48xlarge", vcpus: 192 }], clients, {
      spot: true,
    });
    expect(check.fit).toEqual(["p6-b200.48xlarge"]);
    expect(check.warnings).toEqual([
      expect.stringMatching(
        /^p6-b200\.48xlarge: no public source names the spot quota of its family; checked against L-34B43A08/,
      ) as string,
    ]);
  });

  it("falls back to AWS's default when no value has been applied to the account", async () => {
    fakeAccount({ defaults: { "ec2/L-DB2E81BA": 8 } });
    const check = await checkInstanceQuotas(planned("g6.xlarge"), clients, { spot: false, vcpusOf });
    expect(check.quotas[0]).toMatchObject({
      quotaCode: "L-DB2E81BA",
      limit: 8,
      limitSource: "aws-default",
      status: "fits",
    });
    expect(serviceQuotasMock.commandCalls(GetAWSDefaultServiceQuotaCommand)).toHaveLength(1);
  });

  it("reports a quota Service Quotas does not know as unknown", async () => {
    fakeAccount({});
    const check = await checkInstanceQuotas(planned("g6.xlarge"), clients, {
      spot: false,
      region: "us-east-1",
      vcpusOf,
    });
    expect(check.quotas[0]).toMatchObject({
      quotaCode: "L-DB2E81BA",
      quotaName: "Running On-Demand G and VT instances",
      limit: null,
      status: "unknown",
    });
    expect(check.unchecked).toEqual(["g6.xlarge"]);
    expect(check.warnings[0]).toMatch(
      /Service Quotas knows no quota L-DB2E81BA \(Running On-Demand G and VT instances\) in us-east-1/,
    );
  });

  it("is not stopped by AccessDenied on Service Quotas: the quota is unknown, with a warning", async () => {
    fakeAccount({ instances: [{ type: "m7i.large", state: "running" }] });
    serviceQuotasMock.on(GetServiceQuotaCommand).rejects(
      Object.assign(new Error("User is not authorized to perform servicequotas:GetServiceQuota"), {
        name: "AccessDeniedException",
      }),
    );
    const check = await checkInstanceQuotas(planned("m7i.large"), clients, {
      spot: false,
      region: "us-east-1",
      vcpusOf,
    });
    expect(check.quotas[0]).toEqual({
      quotaCode: "L-1216C47A",
      quotaName: "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances",
      limit: null,
      limitSource: "unknown",
      inUse: 2,
      needed: 2,
      available: null,
      status: "unknown",
    });
    expect(check.fit).toEqual([]);
    expect(check.skipped).toEqual([]);
    expect(check.unchecked).toEqual(["m7i.large"]);
    expect(check.warnings).toEqual([
      expect.stringMatching(
        /Not allowed to call servicequotas:GetServiceQuota in us-east-1 \(AccessDeniedException\).*grant servicequotas:GetServiceQuota/,
      ) as string,
    ]);
    expect(serviceQuotasMock.commandCalls(GetAWSDefaultServiceQuotaCommand)).toHaveLength(0);
  });

  it("keeps what it read when a call fails: that quota is unknown, the warning names the call; bad credentials throw", async () => {
    fakeAccount({ applied: { "ec2/L-1216C47A": 64 } });
    ec2Mock.on(DescribeInstancesCommand).rejects(
      Object.assign(new Error("You are not authorized to perform this operation."), {
        name: "UnauthorizedOperation",
      }),
    );
    const noUsage = await checkInstanceQuotas(planned("m7i.large"), clients, {
      spot: false,
      region: "us-east-1",
      vcpusOf,
    });
    expect(noUsage.quotas).toEqual([
      expect.objectContaining({ quotaCode: "L-1216C47A", limit: 64, inUse: null, available: null, status: "unknown" }),
    ]);
    expect(noUsage.unchecked).toEqual(["m7i.large"]);
    expect(noUsage.warnings).toContainEqual(
      "Not allowed to call ec2:DescribeInstances in us-east-1 (UnauthorizedOperation). The vCPUs in use are unknown, so no vCPU quota is checked.",
    );

    // Service Quotas throttles one quota past every retry: the other quota's headroom still counts.
    fakeAccount({ applied: { "ec2/L-1216C47A": 64, "ec2/L-DB2E81BA": 32 } });
    serviceQuotasMock
      .on(GetServiceQuotaCommand, { ServiceCode: "ec2", QuotaCode: "L-DB2E81BA" })
      .rejects(Object.assign(new Error("Rate exceeded"), { name: "TooManyRequestsException" }));
    const partial = await checkInstanceQuotas([...planned("m7i.large"), ...planned("g6.xlarge")], clients, {
      spot: false,
      region: "us-east-1",
      vcpusOf,
    });
    expect(partial.quotas.map((q) => [q.quotaCode, q.status])).toEqual([
      ["L-1216C47A", "fits"],
      ["L-DB2E81BA", "unknown"],
    ]);
    expect(partial.fit).toEqual(["m7i.large"]);
    expect(partial.unchecked).toEqual(["g6.xlarge"]);
    expect(partial.warnings.join("\n")).toMatch(
      /AWS kept throttling servicequotas:GetServiceQuota in us-east-1 .* The limit of L-DB2E81BA .* is unknown; pass --skip-quota-check/,
    );

    // Expired credentials stop everything: that is thrown.
    fakeAccount({});
    serviceQuotasMock
      .on(GetServiceQuotaCommand)
      .rejects(
        Object.assign(new Error("The security token included in the request is expired"), { name: "ExpiredToken" }),
      );
    await expect(checkInstanceQuotas(planned("m7i.large"), clients, { spot: false, vcpusOf })).rejects.toMatchObject({
      code: "CredentialsExpired",
    });
  });

  it("counts more in use than the limit (a lowered quota) as nothing available, never as negative headroom", async () => {
    fakeAccount({
      applied: { "ec2/L-1216C47A": 4 },
      instances: [{ type: "m7i.2xlarge", state: "running" }],
    });
    const check = await checkInstanceQuotas(planned("m7i.large"), clients, {
      spot: false,
      region: "us-east-1",
      vcpusOf,
    });
    expect(check.quotas[0]).toMatchObject({ limit: 4, inUse: 8, available: 0, status: "short" });
    expect(check.quotas[0]?.fix).toContain("--desired-value 10");
    expect(check.skipped).toEqual([expect.objectContaining({ instanceType: "m7i.large", needed: 2, available: 0 })]);
  });

  it("reads every page of DescribeInstances", async () => {
    const instances: FakeInstance[] = Array.from({ length: 7 }, () => ({ type: "m7i.large", state: "running" }));
    const { instanceTokens } = fakeAccount({
      applied: { "ec2/L-1216C47A": 20 },
      instances: [...instances, { type: "m7i.large", state: "stopped" }],
      pageSize: 3,
    });
    const check = await checkInstanceQuotas(planned("m7i.xlarge"), clients, { spot: false, vcpusOf });
    expect(instanceTokens).toEqual([undefined, "n3", "n6"]);
    expect(check.quotas[0]).toMatchObject({ inUse: 14, available: 6, status: "fits" });
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)[0]?.args[0].input).toMatchObject({
      Filters: [{ Name: "instance-state-name", Values: ["pending", "running"] }],
    });
  });

  it("warns about running instances whose vCPUs it cannot tell", async () => {
    fakeAccount({ applied: { "ec2/L-1216C47A": 20 }, instances: [{ type: "m9z.huge", state: "running" }] });
    const check = await checkInstanceQuotas(planned("m7i.large"), clients, { spot: false, vcpusOf });
    expect(check.warnings).toEqual(["1 running m9z.huge instance(s) not counted: their vCPUs are unknown"]);
  });
});

describe.skipIf(!sharedPresent)("with the AWS CLI's documented Service Quotas answers", () => {
  const applied = () =>
    JSON.parse(readFileSync(appliedFixture, "utf8")) as { Quota: { QuotaName: string; Value: number } };
  const awsDefault = () =>
    JSON.parse(readFileSync(defaultFixture, "utf8")) as { Quota: { QuotaName: string; Value: number } };

  it("reads the applied quota (1,920 vCPUs)", async () => {
    fakeAccount({ instances: [{ type: "c7i.4xlarge", state: "running" }] });
    serviceQuotasMock.on(GetServiceQuotaCommand).resolves(applied());
    const check = await checkInstanceQuotas(planned("c7i.4xlarge", 4), clients, { spot: false, vcpusOf });
    expect(check.quotas[0]).toEqual({
      quotaCode: "L-1216C47A",
      quotaName: "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances",
      limit: 1920,
      limitSource: "applied",
      inUse: 16,
      needed: 64,
      available: 1904,
      status: "fits",
    });
    expect(check.fit).toEqual(["c7i.4xlarge"]);
    expect(serviceQuotasMock.commandCalls(GetAWSDefaultServiceQuotaCommand)).toHaveLength(0);
  });

  it("falls back to GetAWSDefaultServiceQuota (5 vCPUs) on NoSuchResourceException, and skips what does not fit", async () => {
    fakeAccount({});
    serviceQuotasMock.on(GetAWSDefaultServiceQuotaCommand).resolves(awsDefault());
    const check = await checkInstanceQuotas([...planned("m7i.xlarge"), ...planned("c7g.large")], clients, {
      spot: false,
      vcpusOf,
    });
    expect(serviceQuotasMock.commandCalls(GetAWSDefaultServiceQuotaCommand)[0]?.args[0].input).toEqual({
      ServiceCode: "ec2",
      QuotaCode: "L-1216C47A",
    });
    expect(check.quotas[0]).toMatchObject({
      limit: 5,
      limitSource: "aws-default",
      needed: 6,
      available: 5,
      status: "short",
    });
    expect(check.fit).toEqual(["m7i.xlarge"]);
    expect(check.skipped).toMatchObject([{ instanceType: "c7g.large", needed: 2, available: 1 }]);
    expect(check.skipped[0]?.fix).toContain("--quota-code L-1216C47A --desired-value 6");
  });
});

describe("checkNetworkQuotas", () => {
  it("a count that fails leaves that quota unknown with the call and HTTP status named; the other stands", async () => {
    fakeAccount({ applied: { "vpc/L-F678F1CE": 5, "vpc/L-A4707A72": 5 }, vpcs: 2, internetGateways: 4 });
    ec2Mock.on(DescribeVpcsCommand).rejects(
      Object.assign(new Error("We encountered an internal error. Please try again."), {
        name: "InternalError",
        $fault: "server",
        $metadata: { httpStatusCode: 500 },
      }),
    );
    const check = await checkNetworkQuotas(clients, { region: "us-east-1" });
    expect(check.vpcs).toMatchObject({ limit: 5, inUse: null, available: null, status: "unknown" });
    expect(check.internetGateways).toMatchObject({ inUse: 4, available: 1, status: "fits" });
    expect(check.warnings).toEqual([expect.stringMatching(/ec2:DescribeVpcs.*500.*The VPCs in use are unknown\.$/)]);
  });

  it("finds no room for another VPC at the limit, and room for a gateway below it", async () => {
    fakeAccount({ applied: { "vpc/L-F678F1CE": 5, "vpc/L-A4707A72": 5 }, vpcs: 5, internetGateways: 4, pageSize: 2 });
    const check = await checkNetworkQuotas(clients, { region: "us-east-1" });
    expect(check.vpcs).toEqual({
      quotaCode: "L-F678F1CE",
      quotaName: "quota L-F678F1CE",
      limit: 5,
      limitSource: "applied",
      inUse: 5,
      needed: 1,
      available: 0,
      status: "short",
      fix: "aws service-quotas request-service-quota-increase --service-code vpc --quota-code L-F678F1CE --desired-value 6 --region us-east-1, or delete VPCs you no longer use",
    });
    expect(check.internetGateways).toMatchObject({
      quotaCode: "L-A4707A72",
      inUse: 4,
      needed: 1,
      available: 1,
      status: "fits",
    });
    expect(check.internetGateways.fix).toBeUndefined();
    expect(serviceQuotasMock.commandCalls(GetServiceQuotaCommand).map((c) => c.args[0].input.ServiceCode)).toEqual([
      "vpc",
      "vpc",
    ]);
    expect(ec2Mock.commandCalls(DescribeVpcsCommand)).toHaveLength(3);
  });

  it("needs nothing when the batch uses an existing subnet", async () => {
    fakeAccount({ applied: { "vpc/L-F678F1CE": 5, "vpc/L-A4707A72": 5 }, vpcs: 5, internetGateways: 5 });
    const check = await checkNetworkQuotas(clients, { needed: { vpcs: 0, internetGateways: 0 } });
    expect([check.vpcs.status, check.internetGateways.status]).toEqual(["fits", "fits"]);
  });

  it("reports unknown limits when Service Quotas is denied", async () => {
    fakeAccount({ vpcs: 2 });
    serviceQuotasMock
      .on(GetServiceQuotaCommand)
      .rejects(Object.assign(new Error("denied"), { name: "AccessDeniedException" }));
    const check = await checkNetworkQuotas(clients);
    expect(check.vpcs).toMatchObject({ quotaName: "VPCs per Region", limit: null, inUse: 2, status: "unknown" });
    expect(check.warnings).toHaveLength(2);
  });

  it("counts what the plan declares", () => {
    expect(
      networkNeeds([
        { type: "awsx:ec2:Vpc", name: "v", inputs: {} },
        { type: "aws:ec2/instance:Instance", name: "i", inputs: {} },
      ]),
    ).toEqual({ vpcs: 1, internetGateways: 1 });
    expect(networkNeeds([{ type: "aws:ec2/instance:Instance", name: "i", inputs: {} }])).toEqual({
      vpcs: 0,
      internetGateways: 0,
    });
  });
});

describe("probeCredentials", () => {
  it("finds credentials, says when there are none, and gives up on a chain that hangs", async () => {
    expect(await probeCredentials({ config: { credentials: () => Promise.resolve(credentials) } })).toEqual({
      found: true,
    });
    const none = Object.assign(new Error("Could not load credentials from any providers"), {
      name: "CredentialsProviderError",
    });
    expect(await probeCredentials({ config: { credentials: () => Promise.reject(none) } })).toEqual({
      found: false,
      reason: "no credentials",
    });
    const expired = Object.assign(new Error("The SSO session associated with this profile has expired"), {
      name: "TokenProviderError",
    });
    expect(await probeCredentials({ config: { credentials: () => Promise.reject(expired) } })).toEqual({
      found: false,
      reason: expect.stringMatching(/^credentials could not be loaded: .*expired/) as string,
    });
    const started = Date.now();
    expect(await probeCredentials({ config: { credentials: () => new Promise(() => undefined) } }, 50)).toEqual({
      found: false,
      reason: "no credentials found within 0.05 s",
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

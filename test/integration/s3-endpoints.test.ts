/**
 * Custom S3 endpoints against an S3-protocol server on this machine (test/helpers/s3-endpoint.ts), through the real
 * SDK clients: the batch store follows the backend URL's query as Pulumi does (`endpoint`, `s3ForcePathStyle`,
 * `disableSSL`, `region`), so records land beside the state; a host-name endpoint from the environment is addressed
 * path-style; a query setting aws-bench cannot honour is refused before anything is read or written.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createS3Client, usePathStyle } from "../../src/aws/clients.js";
import { getObject } from "../../src/aws/s3-objects.js";
import { backendTag, resolveBackend } from "../../src/orchestrator/backend.js";
import { openBackend } from "../../src/orchestrator/setup.js";
import { isolateAws } from "../helpers/aws-env.js";
import { startS3Endpoint, type S3Endpoint } from "../helpers/s3-endpoint.js";

let endpoint: S3Endpoint;
const host = { cwd: "/w", stderr: { write: () => true } };
const batchId = "20261128t120000z-ab12cd";

beforeEach(async () => {
  isolateAws(true);
  endpoint = await startS3Endpoint();
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await endpoint.close();
});

describe("an S3 backend on a custom endpoint", () => {
  it("keeps the batch records where the URL's query puts Pulumi's state: that endpoint, path style", async () => {
    const port = new URL(endpoint.url).port;
    // A bare host with disableSSL, as Pulumi's s3blob URLs are often written.
    const url = `s3://team-state/pulumi?endpoint=localhost:${port}&disableSSL=true&s3ForcePathStyle=true&region=eu-west-1`;
    const { backend, store } = await openBackend({ backend: url, region: "us-east-1" }, { ...host, env: {} });
    await store.write(batchId, "batch.json", '{"schemaVersion":2}');
    expect(endpoint.requests[0]).toMatchObject({
      method: "PUT",
      host: `localhost:${port}`,
      url: expect.stringMatching(new RegExp(`^/team-state/pulumi/\\.aws-bench/batches/${batchId}/batch\\.json`)),
    });
    expect(await store.read(batchId, "batch.json")).toBe('{"schemaVersion":2}');
    expect(await store.list()).toEqual([batchId]);
    expect(await store.read("20261128t120000z-ffffff", "batch.json")).toBeUndefined();
    // The endpoint's host is part of the backend's identity: the same bucket name elsewhere is another backend.
    expect(backendTag(backend)).toBe(`s3://team-state/pulumi@localhost:${port}`);
  });

  it("uses path style for a custom endpoint even when the URL does not say so, and virtual-hosted when told", () => {
    const access = (query: string) => {
      const backend = resolveBackend(`s3://team-state${query}`, {}, "/w");
      if (backend.kind !== "s3") throw new Error("not s3");
      return backend.access;
    };
    expect(access("?endpoint=minio.internal:9000")).toEqual({ endpoint: "https://minio.internal:9000" });
    expect(usePathStyle(access("?endpoint=minio.internal:9000"), {})).toBe(true);
    expect(usePathStyle(access("?endpoint=https://s3.eu-west-1.amazonaws.com&use_path_style=false"), {})).toBe(false);
    expect(usePathStyle(access(""), {})).toBe(false);
    expect(usePathStyle(access(""), { AWS_ENDPOINT_URL_S3: "http://localhost:4566" })).toBe(true);
    expect(access("?region=eu-west-1&profile=state-admin&awssdk=v2")).toEqual({
      region: "eu-west-1",
      profile: "state-admin",
    });
  });

  it("refuses query settings it cannot honour, naming them, before anything is read", () => {
    for (const [query, message] of [
      ["?endpont=localhost:9000", /the setting 'endpont' is not one aws-bench knows/],
      ["?endpoint=ftp://host", /must be an http\(s\) URL/],
      ["?endpoint=https://user:pw@host", /without credentials/],
      ["?s3ForcePathStyle=yes", /'s3ForcePathStyle=yes' is not true or false/],
      ["?region=moon-1", /'region=moon-1' is not an AWS region name/],
      ["?region=eu-west-1&region=us-east-1", /'region' is given twice/],
    ] as const) {
      expect(() => resolveBackend(`s3://team-state/pulumi${query}`, {}, "/w")).toThrow(message);
    }
    expect(endpoint.requests).toEqual([]);
  });
});

describe("a host-name endpoint from the environment", () => {
  it("reaches the results bucket path style (virtual-hosted would look for results-bucket.localhost)", async () => {
    vi.stubEnv("AWS_ENDPOINT_URL_S3", endpoint.url);
    endpoint.objects.set("results-bucket/batches/x/status.json", Buffer.from('{"state":"success"}'));
    const s3 = await createS3Client({}, "us-east-1");
    try {
      const body = await getObject(s3, "results-bucket", "batches/x/status.json", "us-east-1");
      expect(body?.toString("utf8")).toBe('{"state":"success"}');
    } finally {
      s3.destroy();
    }
    expect(endpoint.requests.map((r) => [r.method, r.host, r.url.split("?")[0]])).toEqual([
      ["GET", new URL(endpoint.url).host, "/results-bucket/batches/x/status.json"],
    ]);
  });
});

describe("long backends", () => {
  it("keep their unique end in the tag: two long file backends never share a tag", () => {
    const long = "/".concat("deep/".repeat(60));
    const tags = ["a", "b"].map((leaf) => {
      const backend = resolveBackend(`file://${long}${leaf}`, {}, "/w");
      if (backend.kind !== "file") throw new Error("not a file backend");
      return backendTag({ ...backend, directory: `/nonexistent-${leaf}` });
    });
    for (const tag of tags) expect([...tag].length).toBeLessThanOrEqual(256);
    expect(tags[0]).not.toBe(tags[1]);
  });
});

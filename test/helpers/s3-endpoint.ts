/**
 * A small S3-protocol endpoint on this machine, for tests of how the real SDK clients address buckets: it keeps
 * objects in memory and answers PutObject, GetObject (404 NoSuchKey when absent) and ListObjectsV2 (with prefix and
 * delimiter) in S3's wire format. It serves path-style requests only (`/BUCKET/KEY`, as S3-compatible services on
 * a host name need); every request is recorded with its Host header, so a test sees how it was addressed.
 */
import http from "node:http";

/** One request as the endpoint received it. */
export interface S3Request {
  method: string;
  /** The Host header. */
  host: string;
  /** Path and query as sent. */
  url: string;
}

/** The running endpoint. */
export interface S3Endpoint {
  /** `http://localhost:PORT`: a host name, so a virtual-hosted request would put the bucket in front of it. */
  url: string;
  /** Objects by `BUCKET/KEY`. */
  objects: Map<string, Buffer>;
  /** Every request, in order. */
  requests: S3Request[];
  close(): Promise<void>;
}

const xmlEscape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function errorXml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error>`;
}

function listXml(bucket: string, keys: string[], prefix: string, delimiter: string): string {
  const contents: string[] = [];
  const prefixes = new Set<string>();
  for (const key of keys.filter((k) => k.startsWith(prefix)).sort()) {
    const rest = key.slice(prefix.length);
    const cut = delimiter ? rest.indexOf(delimiter) : -1;
    if (cut >= 0) prefixes.add(prefix + rest.slice(0, cut + delimiter.length));
    else contents.push(`<Contents><Key>${xmlEscape(key)}</Key><Size>0</Size></Contents>`);
  }
  const common = [...prefixes].map((p) => `<CommonPrefixes><Prefix>${xmlEscape(p)}</Prefix></CommonPrefixes>`);
  return `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${contents.length + common.length}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${contents.join("")}${common.join("")}</ListBucketResult>`;
}

/** Starts the endpoint on every interface of an ephemeral port (so `localhost` reaches it over IPv4 or IPv6). */
export async function startS3Endpoint(): Promise<S3Endpoint> {
  const objects = new Map<string, Buffer>();
  const requests: S3Request[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      requests.push({ method: request.method ?? "", host: request.headers.host ?? "", url: request.url ?? "" });
      const url = new URL(request.url ?? "/", "http://endpoint");
      const [, bucket = "", ...keyParts] = url.pathname.split("/");
      const key = decodeURIComponent(keyParts.join("/"));
      const send = (status: number, body: string | Buffer, type = "application/xml") => {
        response.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) });
        response.end(body);
      };
      if (!bucket) return send(400, errorXml("InvalidRequest", "Only path-style requests are served here."));
      if (request.method === "PUT" && key) {
        objects.set(`${bucket}/${key}`, Buffer.concat(chunks));
        response.writeHead(200, { etag: '"0"' });
        return response.end();
      }
      if (request.method === "GET" && key) {
        const body = objects.get(`${bucket}/${key}`);
        return body
          ? send(200, body, "application/octet-stream")
          : send(404, errorXml("NoSuchKey", "The specified key does not exist."));
      }
      if (request.method === "GET" && url.searchParams.get("list-type") === "2") {
        const keys = [...objects.keys()]
          .filter((k) => k.startsWith(`${bucket}/`))
          .map((k) => k.slice(bucket.length + 1));
        return send(
          200,
          listXml(bucket, keys, url.searchParams.get("prefix") ?? "", url.searchParams.get("delimiter") ?? ""),
        );
      }
      send(501, errorXml("NotImplemented", `${request.method} ${request.url} is not served here.`));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the endpoint has no port");
  return {
    url: `http://localhost:${address.port}`,
    objects,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

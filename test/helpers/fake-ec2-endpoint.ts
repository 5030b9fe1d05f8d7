/**
 * A fake EC2 endpoint on 127.0.0.1 that speaks the real wire protocol (EC2 Query: form-encoded POST in, XML
 * out), so the real SDK and CLI can be pointed at it with AWS_ENDPOINT_URL exactly as at AWS.
 *
 * Behaviour:
 * - DescribeInstanceTypes: the given InstanceTypeInfo objects in pages of MaxResults (default 100), with a
 *   `nextToken` while more remain.
 * - DescribeInstanceTypeOfferings: the given offerings (LocationType availability-zone-id), one page.
 * - DescribeRegions: the given regions.
 * - `failWith[action]`: answer that action with an EC2 error document and HTTP status instead.
 * - Any other action: 400 InvalidAction.
 * Every request's parsed form is recorded in `requests`.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { InstanceTypeInfo } from "@aws-sdk/client-ec2";

export interface FakeEc2Options {
  instanceTypes: InstanceTypeInfo[];
  offerings?: Record<string, string[]>;
  regions?: Array<{ name: string; optInStatus: string }>;
  failWith?: Record<string, { status: number; code: string; message: string }>;
}

export interface FakeEc2 {
  url: string;
  requests: Array<Record<string, string>>;
  close(): Promise<void>;
}

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** EC2's XML for a JSON shape: members in lowerCamelCase, list members as <item>. */
export function toEc2Xml(value: unknown): string {
  if (Array.isArray(value)) return value.map((item) => `<item>${toEc2Xml(item)}</item>`).join("");
  if (value !== null && typeof value === "object") {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([key, v]) => {
        const name = key.charAt(0).toLowerCase() + key.slice(1);
        return `<${name}>${toEc2Xml(v)}</${name}>`;
      })
      .join("");
  }
  return escape(String(value));
}

const envelope = (action: string, body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>fake-1</requestId>${body}</${action}Response>`;

export async function startFakeEc2(options: FakeEc2Options): Promise<FakeEc2> {
  const requests: Array<Record<string, string>> = [];
  const server: Server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    request.on("end", () => {
      const form = Object.fromEntries(new URLSearchParams(body));
      requests.push(form);
      const action = form["Action"] ?? "";
      const send = (status: number, xml: string) => {
        response.writeHead(status, { "content-type": "text/xml;charset=UTF-8" });
        response.end(xml);
      };
      const failure = options.failWith?.[action];
      if (failure) {
        send(
          failure.status,
          `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${failure.code}</Code><Message>${escape(failure.message)}</Message></Error></Errors><RequestID>fake-err</RequestID></Response>`,
        );
        return;
      }
      if (action === "DescribeInstanceTypes") {
        const size = Number(form["MaxResults"] ?? 100);
        const start = Number(form["NextToken"] ?? 0);
        const page = options.instanceTypes.slice(start, start + size);
        const next = start + size < options.instanceTypes.length ? `<nextToken>${start + size}</nextToken>` : "";
        send(200, envelope(action, `<instanceTypeSet>${toEc2Xml(page)}</instanceTypeSet>${next}`));
      } else if (action === "DescribeInstanceTypeOfferings") {
        const items = Object.entries(options.offerings ?? {}).flatMap(([type, zones]) =>
          zones.map((zone) => ({ InstanceType: type, LocationType: form["LocationType"], Location: zone })),
        );
        send(200, envelope(action, `<instanceTypeOfferingSet>${toEc2Xml(items)}</instanceTypeOfferingSet>`));
      } else if (action === "DescribeRegions") {
        const items = (options.regions ?? []).map((r) => ({
          RegionName: r.name,
          RegionEndpoint: `ec2.${r.name}.amazonaws.com`,
          OptInStatus: r.optInStatus,
        }));
        send(200, envelope(action, `<regionInfo>${toEc2Xml(items)}</regionInfo>`));
      } else {
        send(
          400,
          `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>InvalidAction</Code><Message>The action ${escape(action)} is not valid for this web service.</Message></Error></Errors><RequestID>fake-err</RequestID></Response>`,
        );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

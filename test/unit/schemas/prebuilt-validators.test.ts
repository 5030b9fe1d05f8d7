/**
 * The build writes every schema's validator as standalone code (scripts/build-validators.mjs) and commands use it
 * instead of compiling the schemas. Here the prebuilt validators are checked against validators compiled from the
 * schemas now: made from these schemas, and giving the same verdict and the same errors on real documents of the
 * repository and on each of them broken in several ways.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import type { ValidateFunction } from "ajv";
import {
  createSchemaCompiler,
  documentKinds,
  prebuiltName,
  schemasSha256,
  type DocumentKind,
} from "../../../src/schemas/documents.js";
import { minimalResult } from "../../helpers/results.js";

const root = join(import.meta.dirname, "..", "..", "..");
const prebuiltPath = join(root, "dist", "src", "schemas", "prebuilt-validators.js");

const documents: Array<[DocumentKind, unknown]> = [
  ["benchmark-result", minimalResult()],
  ["families", JSON.parse(readFileSync(join(root, "configs", "families.json"), "utf8"))],
  ["architecture-mappings", JSON.parse(readFileSync(join(root, "configs", "architecture-mappings.json"), "utf8"))],
  ["container-tags", JSON.parse(readFileSync(join(root, "configs", "container-tags.json"), "utf8"))],
  ["aws-identity-certificates", JSON.parse(readFileSync(join(root, "configs", "aws-identity-certificates.json"), "utf8"))],
  ["instance-catalog", JSON.parse(readFileSync(join(root, "data", "catalog", "instance-types.json"), "utf8"))],
  ["price-snapshot", JSON.parse(readFileSync(join(root, "data", "pricing", "us-east-1.json"), "utf8"))],
];

/** The document broken in ways each schema refuses: a field gone, a field of the wrong type, an unknown field. */
function broken(document: unknown): unknown[] {
  const object = document as Record<string, unknown>;
  const [first] = Object.keys(object);
  const without = { ...object };
  if (first !== undefined) delete without[first];
  return [
    without,
    { ...object, schemaVersion: "one" },
    { ...object, unexpected: true },
    first === undefined ? {} : { ...object, [first]: [null, { deep: 1 }] },
    [],
    null,
  ];
}

describe("prebuilt validators", () => {
  it("were made by the build from the schemas as they are now", async () => {
    expect(existsSync(prebuiltPath), "run `npm run build` first").toBe(true);
    const prebuilt = (await import(pathToFileURL(prebuiltPath).href)) as Record<string, unknown>;
    expect(prebuilt["schemasSha256"]).toBe(schemasSha256());
    for (const kind of documentKinds) expect(typeof prebuilt[prebuiltName(kind)], kind).toBe("function");
  });

  it("give the verdicts and errors the compiled schemas give, on real documents and broken ones", async () => {
    const prebuilt = (await import(pathToFileURL(prebuiltPath).href)) as Record<string, ValidateFunction>;
    const { ajv, ids } = await createSchemaCompiler();
    let refused = 0;
    for (const [kind, document] of documents) {
      const compiled = ajv.getSchema(ids.get(kind) as string) as ValidateFunction;
      const ready = prebuilt[prebuiltName(kind)] as ValidateFunction;
      expect(ready(document), kind).toBe(true);
      for (const bad of broken(document)) {
        const verdict = compiled(bad);
        expect(ready(bad), `${kind}: ${JSON.stringify(bad).slice(0, 80)}`).toBe(verdict);
        expect(ready.errors ?? null).toEqual(compiled.errors ?? null);
        if (!verdict) refused++;
      }
    }
    expect(refused).toBeGreaterThanOrEqual(documents.length * 5);
  });
});

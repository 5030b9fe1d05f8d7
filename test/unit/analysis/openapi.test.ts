import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { openApiDocument, openApiVersion, schemaId } from "../../../src/analysis/openapi.js";

const schemasDir = join(import.meta.dirname, "..", "..", "..", "schemas");

/** Every schema in schemas/ by its $id. */
function schemasById(): Map<string, Record<string, unknown>> {
  const byId = new Map<string, Record<string, unknown>>();
  for (const name of readdirSync(schemasDir).filter((file) => file.endsWith(".schema.json"))) {
    const schema = JSON.parse(readFileSync(join(schemasDir, name), "utf8")) as Record<string, unknown>;
    byId.set(schema["$id"] as string, schema);
  }
  return byId;
}

/** Every `$ref` value anywhere in `value`. */
function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) refsIn(item, found);
  else if (value !== null && typeof value === "object")
    for (const [key, item] of Object.entries(value)) {
      if (key === "$ref" && typeof item === "string") found.push(item);
      else refsIn(item, found);
    }
  return found;
}

/** RFC 6901: the value at `pointer` (`""` or `/a/b`) in `document`, or undefined. */
function atPointer(document: unknown, pointer: string): unknown {
  if (pointer === "") return document;
  let value = document;
  for (const raw of pointer.slice(1).split("/")) {
    const key = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
    if (value === null || typeof value !== "object" || !(key in value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * The `$ref`s of `document` that do not resolve: internal ones within it, external ones to a schema of schemas/ by
 * its `$id` (with the fragment's pointer inside it), followed into the schemas they reach.
 */
function unresolvedRefs(document: object, schemas: Map<string, Record<string, unknown>>): string[] {
  const unresolved: string[] = [];
  const visited = new Set<string>();
  const follow = (doc: object, base: string | undefined) => {
    for (const ref of refsIn(doc)) {
      const [uri = "", fragment = ""] = ref.split("#");
      const target = uri === "" ? (base === undefined ? doc : schemas.get(base)) : schemas.get(uri);
      if (target === undefined || atPointer(target, fragment) === undefined) {
        unresolved.push(`${base ?? "openapi.json"}: ${ref}`);
        continue;
      }
      if (uri !== "" && !visited.has(uri)) {
        visited.add(uri);
        follow(target, uri);
      }
    }
  };
  follow(document, undefined);
  return unresolved;
}

async function lint(document: object, preload = true): Promise<{ valid: boolean; errors?: unknown }> {
  const validator = new Validator();
  if (preload) for (const [id, schema] of schemasById()) await validator.addSpecRef(schema, id);
  return validator.validate(document as Record<string, unknown>);
}

describe("openApiDocument", () => {
  it("is a valid OpenAPI 3.1 document (the OpenAPI 3.1 schema, schemas/ preloaded by $id)", async () => {
    const document = openApiDocument();
    expect(document.openapi).toBe(openApiVersion);
    const result = await lint(document);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it("fails the lint when the document is broken, so the lint above can fail", async () => {
    const withoutInfo: Partial<ReturnType<typeof openApiDocument>> = openApiDocument();
    delete withoutInfo.info;
    expect((await lint(withoutInfo)).valid).toBe(false);
    const badPath = { ...openApiDocument(), paths: { "index.json": openApiDocument().paths["/index.json"] } };
    expect((await lint(badPath)).valid).toBe(false);
    // The validator follows the external $refs: without schemas/ it cannot resolve them.
    expect((await lint(openApiDocument(), false)).errors).toMatch(/Can't resolve https:\/\/aws-instance-benchmarks/);
  });

  it("resolves every $ref to a schema file in schemas/ by its $id, and every schema those reach", () => {
    const schemas = schemasById();
    const document = openApiDocument();
    expect(unresolvedRefs(document, schemas)).toEqual([]);
    const external = refsIn(document).filter((ref) => !ref.startsWith("#"));
    expect(external.sort()).toEqual(["api-index", "api-ranking", "api-type"].map(schemaId));
    for (const id of external) expect(schemas.has(id)).toBe(true);
    const broken = { ...document, components: { schemas: { ApiIndex: { $ref: schemaId("api-nothing") } } } };
    expect(unresolvedRefs(broken, schemas)).toContain(`openapi.json: ${schemaId("api-nothing")}`);
    expect(unresolvedRefs({ a: { $ref: `${schemaId("api-index")}#/$defs/Nothing` } }, schemas)).toHaveLength(1);
  });

  it("describes every kind of file the API publishes, each with a 200 response and an operationId", () => {
    const { paths } = openApiDocument();
    expect(Object.keys(paths).sort()).toEqual([
      "/CHANGELOG.md",
      "/index.json",
      "/openapi.json",
      "/rankings/{metric}.json",
      "/runs.csv",
      "/types/{type}.json",
    ]);
    const ids = Object.values(paths).map(({ get }) => get["operationId"]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { get } of Object.values(paths)) expect(Object.keys(get["responses"] as object)).toContain("200");
  });

  it("names the data licence", () => {
    expect(openApiDocument().info.license.identifier).toBe("CC-BY-4.0");
  });
});

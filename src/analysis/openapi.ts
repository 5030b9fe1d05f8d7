/**
 * `api/v1/openapi.json`: the static API described as OpenAPI 3.1 — one GET per kind of file, each JSON response
 * pointing at its JSON Schema in `schemas/`.
 *
 * Schemas are referenced by their `$id` (`https://aws-instance-benchmarks.dev/schemas/<name>/v1.json`), not by a
 * path relative to where the API is served: the API is written wherever `analyze --out` points and may be served
 * from anywhere, while a `$id` names the schema whatever the layout, is what the schemas already use to refer to
 * each other, and is how tools that preload `schemas/` (ajv, the OpenAPI validator in the tests) resolve it without
 * a network. docs/API.md maps each `$id` to its file in `schemas/`.
 */
import { dataLicence } from "./database.js";

/** The OpenAPI version the document follows. */
export const openApiVersion = "3.1.0";

/**
 * What index.json names as the "schema" of openapi.json: the OpenAPI 3.1 specification's own schema for documents,
 * so every entry of index.json names the schema its file follows.
 */
export const openApiSchemaId = "https://spec.openapis.org/oas/3.1/schema/2022-10-07";

/** The `$id` of a schema in `schemas/`, by its name (`api-index` for schemas/api-index.schema.json). */
export function schemaId(name: string): string {
  return `https://aws-instance-benchmarks.dev/schemas/${name}/v1.json`;
}

/** The parts of an OpenAPI 3.1 document this module writes (enough to type it, not the whole specification). */
export interface OpenApiDocument {
  openapi: string;
  jsonSchemaDialect: string;
  info: {
    title: string;
    version: string;
    summary: string;
    description: string;
    license: { name: string; identifier: string };
  };
  servers: Array<{ url: string; description: string }>;
  paths: Record<string, { get: Record<string, unknown>; parameters?: unknown[] }>;
  components: { schemas: Record<string, { $ref: string; description: string }> };
}

const json = (ref: string, description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: ref } } },
});
const text = (mediaType: string, description: string) => ({
  description,
  content: { [mediaType]: { schema: { type: "string" } } },
});
const notFound = { description: "No such file: the type or metric is not in this release (see index.json)." };

/** The OpenAPI 3.1 document of the static API v1; the same bytes for every release. */
export function openApiDocument(): OpenApiDocument {
  return {
    openapi: openApiVersion,
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    info: {
      title: "aws-instance-benchmarks static data API",
      version: "v1",
      summary: "Measured STREAM, HPL and CoreMark performance of AWS EC2 instance types, as static files.",
      description:
        "Read-only static files: start at index.json, which names the dataset version, licence and citation and " +
        "lists every file with its SHA-256 and schema. v1 is never changed incompatibly; a breaking change is " +
        "published as v2 beside it, and v1 is kept for two more releases. The data are licensed under CC BY 4.0: " +
        "cite the dataset version (index.json's dataset.citation, or CITATION.cff). Schemas are referenced by " +
        "their $id; each is the file schemas/<name>.schema.json of the repository and the npm package.",
      license: { name: "Creative Commons Attribution 4.0 International (data)", identifier: dataLicence },
    },
    servers: [{ url: ".", description: "The folder this document is served from (the release's api/v1/)." }],
    paths: {
      "/index.json": {
        get: {
          operationId: "getIndex",
          summary: "The table of contents",
          description: "Dataset version, licence and citation; every type, every ranked metric, every file.",
          responses: { "200": json("#/components/schemas/ApiIndex", "The index of this release.") },
        },
      },
      "/types/{type}.json": {
        parameters: [
          {
            name: "type",
            in: "path",
            required: true,
            description: "An instance type (`c7i.large`), or a local host with `local:` written `local_`.",
            schema: { type: "string", pattern: "^[A-Za-z0-9._-]+$" },
          },
        ],
        get: {
          operationId: "getType",
          summary: "One type's facts, price, run cost and summaries",
          responses: {
            "200": json("#/components/schemas/ApiType", "The type's page."),
            "404": notFound,
          },
        },
      },
      "/rankings/{metric}.json": {
        parameters: [
          {
            name: "metric",
            in: "path",
            required: true,
            description:
              "A headline-configuration metric (`stream.triad`), followed by `@<implementation>` when the metric " +
              "has more than one implementation; index.json's metrics list the files.",
            schema: { type: "string", pattern: "^[A-Za-z0-9._@-]+$" },
          },
        ],
        get: {
          operationId: "getRanking",
          summary: "Every type ranked by one metric per instance, with rank intervals",
          responses: {
            "200": json("#/components/schemas/ApiRanking", "The ranking."),
            "404": notFound,
          },
        },
      },
      "/runs.csv": {
        get: {
          operationId: "getRuns",
          summary: "Every instance's value of every headline metric, long format",
          description:
            "RFC 4180 CSV with a header row: type, metric, implementation, configuration, headline, runId, " +
            "startedAt, value, unit, trials, evidence, cpuModel, region, availabilityZoneId, outlier. " +
            "Licensed CC BY 4.0 like every file here.",
          responses: { "200": text("text/csv", "One row per instance × metric.") },
        },
      },
      "/CHANGELOG.md": {
        get: {
          operationId: "getChangelog",
          summary: "Runs added, changed and removed per release, newest first",
          responses: { "200": text("text/markdown", "The changelog.") },
        },
      },
      "/openapi.json": {
        get: {
          operationId: "getOpenApi",
          summary: "This document",
          responses: {
            "200": {
              description: "The OpenAPI 3.1 document of the static API.",
              content: { "application/json": { schema: { type: "object" } } },
            },
          },
        },
      },
    },
    components: {
      schemas: {
        ApiIndex: { $ref: schemaId("api-index"), description: "schemas/api-index.schema.json" },
        ApiType: { $ref: schemaId("api-type"), description: "schemas/api-type.schema.json" },
        ApiRanking: { $ref: schemaId("api-ranking"), description: "schemas/api-ranking.schema.json" },
      },
    },
  };
}

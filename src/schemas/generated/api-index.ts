/* DO NOT EDIT: generated from schemas/api-index.schema.json by `npm run generate:types`. */

/**
 * data/api/v1/index.json: the static API's table of contents: the dataset version, licence and citation, and every file with its SHA-256 and schema. v1 is never changed incompatibly; a breaking change is v2, with v1 kept for two releases.
 */
export interface ApiIndex {
  schemaVersion: 1;
  apiVersion: "v1";
  dataset: Dataset;
  types: {
    type: string;
    file: string;
    evidence: string[];
    runs: number;
  }[];
  metrics: {
    metric: string;
    implementation: string;
    unit: string;
    file: string;
    types: number;
  }[];
  files: {
    path: string;
    sha256: string;
    bytes: number;
    /**
     * The $id of the file's JSON Schema, or `text/csv` / `text/markdown` / the OpenAPI version for files that are not JSON documents.
     */
    schema: string;
  }[];
}
export interface Dataset {
  /**
   * `YYYY.MM.DD+<commit of data/raw>` (or the first 12 hex of inputsSha256 outside git).
   */
  version: string;
  asOf: string;
  /**
   * SHA-256 over the sorted (path, result.json SHA-256) of every run read.
   */
  inputsSha256: string;
  licence: "CC-BY-4.0";
  citation: string;
}

/**
 * The schemas' validators as standalone code: the build writes them over this module's compiled file
 * (scripts/build-validators.mjs, after tsc and after the runner bundle). In the sources there are none, and
 * src/schemas/documents.ts compiles the schemas instead.
 */

/** SHA-256 of the schemas the validators were made from (none here). */
export const schemasSha256: string | undefined = undefined;

/**
 * The package's library entry: what other programs may import. The CLI is `aws-bench`; the Pulumi program is
 * `aws-instance-benchmarks/stacks`.
 */
export { exec, cli, commands } from "./cli/main.js";
export { CliError, ExitCode, isCliError } from "./cli/errors.js";
export type { CliErrorCode } from "./cli/errors.js";
export { memoryIo, processIo } from "./cli/io.js";
export type { CliIo } from "./cli/io.js";
export { discoverInstanceTypes, containerTagList } from "./discovery/discover.js";
export type { DiscoverOptions, DiscoverResult } from "./discovery/discover.js";
export { mapInstanceFamilies, architectureOf } from "./discovery/architecture-mapping.js";
export { loadFamilyTable, familyTableProblems } from "./discovery/family-table.js";
export { normalizeInstanceType } from "./discovery/normalize.js";
export { parseInstanceTypeName, isInstanceTypeName } from "./discovery/instance-type-name.js";
export {
  assertDocument,
  checkDocument,
  readDocument,
  writeDocuments,
  stableJson,
  documentKinds,
} from "./schemas/documents.js";
export type { DocumentKind, DocumentTypes } from "./schemas/documents.js";
export type * from "./schemas/generated/instance-catalog.js";
export type * from "./schemas/generated/families.js";
export type {
  ArchitectureMappings,
  FamilyMapping,
  MicroarchitectureFacts,
  ContainerTagUse,
} from "./schemas/generated/architecture-mappings.js";
export type { ContainerTagList, ContainerTag } from "./schemas/generated/container-tags.js";
export type * from "./schemas/generated/benchmark-result.js";

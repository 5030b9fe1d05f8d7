/**
 * The package's library entry: what other programs may import. It holds no CLI: the command line is `aws-bench`
 * (and, to embed it, `exec` from `aws-instance-benchmarks/cli`); the Pulumi program is
 * `aws-instance-benchmarks/stacks`.
 */
export { BenchError, isBenchError } from "./errors.js";
export type { ErrorCode, BenchErrorOptions } from "./errors.js";
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
export { analyze, writeAnalysis } from "./analysis/analyze.js";
export type { AnalyzeOptions, AnalyzeOutcome } from "./analysis/analyze.js";
export { rankTypes, compareTypes } from "./analysis/rank.js";
export type { RankOptions, RankPer } from "./analysis/rank.js";
export { compare } from "./analysis/two-sample.js";
export type { Comparison, CompareOptions } from "./analysis/two-sample.js";
export type { AnalysisDatabase } from "./schemas/generated/analysis-database.js";
export type { MetricSummary } from "./schemas/generated/metric-summary.js";
export type { ApiRanking } from "./schemas/generated/api-ranking.js";

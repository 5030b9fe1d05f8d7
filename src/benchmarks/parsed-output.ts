/**
 * The names other layers have imported from here: the parsed-run helpers (now in parsed-run.ts) and the
 * built-in benchmark list with its `--benchmarks` parser (now from the registry, registry.ts). New code imports
 * those modules directly; this one stays until the last importer has moved.
 */
export type { ParsedRun } from "./parsed-run.js";
export { numberedLines, unparseable } from "./parsed-run.js";
export type { BenchmarkName } from "./registry.js";
export { benchmarkNames, parseBenchmarkList } from "./registry.js";

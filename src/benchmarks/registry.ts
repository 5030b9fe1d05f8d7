/**
 * The benchmarks the tool knows, in the order they run. Adding one is a folder with its definition
 * (src/benchmarks/<name>/definition.ts) and one line in {@link builtinBenchmarks}; `--benchmarks`, the runner and
 * the batch planner take the list from here. A registry is a value, so a test or another program can run a
 * benchmark of its own through the same runner (`builtinBenchmarks.with(mine)`) without editing this file.
 */
import { BenchError } from "../errors.js";
import { coremarkBenchmark } from "./coremark/definition.js";
import type { BenchmarkDefinition } from "./definition.js";
import { hplBenchmark } from "./hpl/definition.js";
import { streamBenchmark } from "./stream/definition.js";

/** A registered benchmark's name (lower case: `stream`, `hpl`, `coremark`, or one a registry adds). */
export type BenchmarkName = string;

/** Lower case, as results, folders and `--benchmarks` spell it (the custom-benchmark schema's rule too). */
const namePattern = /^[a-z][a-z0-9-]*$/;

/** Results record benchmarks declared in a file as `custom`: no registered benchmark may take that name. */
const reservedNames = new Set(["custom"]);

/** Benchmark definitions by name, checked for what the runner relies on. */
export class BenchmarkRegistry {
  private readonly byName: ReadonlyMap<string, BenchmarkDefinition>;

  /**
   * @param definitions - in the order they run; throws `InvalidArgument` naming the first problem
   */
  constructor(definitions: readonly BenchmarkDefinition[]) {
    const byName = new Map<string, BenchmarkDefinition>();
    for (const definition of definitions) {
      const problem = definitionProblem(definition, byName);
      if (problem)
        throw new BenchError("InvalidArgument", `benchmark '${definition.name}': ${problem}.`, {
          fix: "Correct the benchmark definition (docs/ADDING_A_BENCHMARK.md).",
        });
      byName.set(definition.name, definition);
    }
    this.byName = byName;
  }

  /** Names, in the order they run. */
  get names(): readonly BenchmarkName[] {
    return [...this.byName.keys()];
  }

  /** Definitions, in the order they run. */
  get definitions(): readonly BenchmarkDefinition[] {
    return [...this.byName.values()];
  }

  /** The definition named `name`, if registered. */
  get(name: string): BenchmarkDefinition | undefined {
    return this.byName.get(name);
  }

  /** The definition named `name`; throws `UsageError` listing the registered names. */
  require(name: string): BenchmarkDefinition {
    const definition = this.byName.get(name);
    if (!definition)
      throw new BenchError("UsageError", `unknown benchmark ${name}.`, {
        fix: `Choose from ${this.names.join(", ")}.`,
      });
    return definition;
  }

  /** A registry with these definitions added after the others. */
  with(...definitions: readonly BenchmarkDefinition[]): BenchmarkRegistry {
    return new BenchmarkRegistry([...this.definitions, ...definitions]);
  }

  /** `--benchmarks a,b`: registered names, each once; throws `UsageError` naming the unknown ones. */
  parseList(list: string): BenchmarkName[] {
    const names = list
      .split(",")
      .map((name) => name.trim())
      .filter(Boolean);
    const unknown = names.filter((name) => !this.byName.has(name));
    if (names.length === 0 || unknown.length > 0) {
      throw new BenchError("UsageError", `--benchmarks: unknown ${unknown.join(", ") || "(empty list)"}.`, {
        fix: `Choose from ${this.names.join(", ")}.`,
      });
    }
    return [...new Set(names)];
  }
}

function definitionProblem(
  definition: BenchmarkDefinition,
  registered: ReadonlyMap<string, BenchmarkDefinition>,
): string | undefined {
  const { name, headline, metrics, program } = definition;
  if (!namePattern.test(name)) return `the name must be lower case (${String(namePattern)})`;
  if (reservedNames.has(name)) return "the name is reserved for benchmarks declared in a file";
  if (registered.has(name)) return "registered twice";
  // A suite writes raw/<suite name>/: a benchmark of that name would share the folder.
  const suites = [...registered.values(), definition].flatMap((d) =>
    d.program.kind === "searched" ? (d.program.suites ?? []) : [],
  );
  if (suites.some((suite) => suite.name === name)) return "the name is a program suite's";
  if (program.kind === "searched" && program.executables.length === 0) return "no executable names to search for";
  const declared = new Set(metrics.map((metric) => metric.name));
  if (declared.size !== metrics.length) return "a metric is declared twice";
  const headlineMetrics = [headline.metric, ...Object.values(headline.metricByImplementation ?? {})];
  const undeclared = headlineMetrics.filter((metric) => !declared.has(metric));
  if (undeclared.length > 0) return `the headline metric ${undeclared.join(", ")} is not among its metrics`;
  return undefined;
}

/** The built-in benchmarks, in the order they run: the one place a benchmark is registered. */
export const builtinBenchmarks = new BenchmarkRegistry([streamBenchmark, hplBenchmark, coremarkBenchmark]);

/** The built-in benchmarks' names, in the order they run. */
export const benchmarkNames: readonly BenchmarkName[] = builtinBenchmarks.names;

/** `--benchmarks a,b` against `registry` (the built-in one by default). */
export function parseBenchmarkList(list: string, registry: BenchmarkRegistry = builtinBenchmarks): BenchmarkName[] {
  return registry.parseList(list);
}

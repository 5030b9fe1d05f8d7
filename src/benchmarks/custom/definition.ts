/**
 * Custom benchmarks declared in a file (schemas/custom-benchmark.schema.json): research groups run their own
 * code under the same runner — trials, statistics, raw outputs, checksums — without writing TypeScript. Metrics
 * are extracted from the output by the regular expressions the file gives, with the units it states; a trial is
 * valid when the command exits 0, every metric is found, and the file's validity patterns hold. The runner runs
 * it as a benchmark definition built from the file (customBenchmark).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { BenchError } from "../../errors.js";
import { readDocumentWithChecksum } from "../../schemas/documents.js";
import type { CustomBenchmark } from "../../schemas/generated/custom-benchmark.js";
import type { BenchmarkContext, BenchmarkDefinition, PreparedRun } from "../definition.js";
import type { ParsedRun } from "../parsed-run.js";
import type { PrintedQuantity } from "../printed-number.js";
import { printedQuantity } from "../printed-number.js";

/** A checked definition and the checksum of the file it came from. */
export interface LoadedCustomBenchmark {
  /** The definition. */
  definition: CustomBenchmark;
  /** SHA-256 of the file, recorded with the results. */
  sha256: string;
  /** Where it was read from. */
  path: string;
}

/** Reads and checks a custom-benchmark file; throws `SchemaViolation` or `InvalidArgument` naming the problem. */
export async function loadCustomBenchmark(path: string): Promise<LoadedCustomBenchmark> {
  const { document: definition, sha256 } = await readDocumentWithChecksum("custom-benchmark", path);
  const problems: string[] = [];
  const names = definition.metrics.map((metric) => metric.name);
  if (!names.includes(definition.headline))
    problems.push(`/headline: '${definition.headline}' is not one of the metrics (${names.join(", ")})`);
  if (new Set(names).size !== names.length) problems.push("/metrics: names repeat");
  const patterns = [
    ...definition.metrics.map((metric, index) => [`/metrics/${index}/pattern`, metric.pattern] as const),
    ...(definition.validity?.mustMatch ?? []).map(
      (pattern, index) => [`/validity/mustMatch/${index}`, pattern] as const,
    ),
    ...(definition.validity?.mustNotMatch ?? []).map(
      (pattern, index) => [`/validity/mustNotMatch/${index}`, pattern] as const,
    ),
  ];
  for (const [where, pattern] of patterns) {
    try {
      const groups = new RegExp(`${pattern}|`).exec("")?.length ?? 1;
      if (where.startsWith("/metrics") && groups - 1 !== 1)
        problems.push(`${where}: needs exactly one capture group, has ${groups - 1}`);
    } catch (error) {
      problems.push(`${where}: not a regular expression (${(error as Error).message})`);
    }
  }
  if (problems.length > 0) {
    throw new BenchError("InvalidArgument", `${path}: ${problems.join("; ")}.`, {
      fix: "Correct the custom benchmark file (schemas/custom-benchmark.schema.json).",
    });
  }
  return { definition, sha256, path };
}

/** Replaces {cores}, {vcpus} and {workdir} in an argument or environment value. */
export function substitute(text: string, values: { cores: number; vcpus: number; workdir: string }): string {
  return text.replace(/\{(cores|vcpus|workdir)\}/g, (_, key: "cores" | "vcpus" | "workdir") => String(values[key]));
}

/** One trial's output → a run: the declared metrics with their units, and validity by the declared rules. */
export function parseCustomOutput(definition: CustomBenchmark, text: string, label: string): ParsedRun {
  const metrics: Record<string, PrintedQuantity> = {};
  const problems: string[] = [];
  for (const metric of definition.metrics) {
    const matches = [...text.matchAll(new RegExp(metric.pattern, "gm"))];
    const match = (metric.occurrence ?? "last") === "first" ? matches[0] : matches.at(-1);
    const quantity = match?.[1] === undefined ? undefined : printedQuantity(match[1].trim(), metric.unit);
    if (quantity) metrics[metric.name] = quantity;
    else
      problems.push(
        match
          ? `metric ${metric.name}: '${match[1] ?? ""}' is not a number`
          : `metric ${metric.name} not found (pattern ${metric.pattern})`,
      );
  }
  for (const pattern of definition.validity?.mustMatch ?? [])
    if (!new RegExp(pattern, "m").test(text)) problems.push(`required output /${pattern}/ missing`);
  for (const pattern of definition.validity?.mustNotMatch ?? [])
    if (new RegExp(pattern, "m").test(text)) problems.push(`forbidden output /${pattern}/ present`);
  if (Object.values(metrics).some((quantity) => quantity.value === null))
    problems.push("a metric is not a finite number");
  return {
    benchmark: "custom",
    implementation: `custom-${definition.name}`,
    parameters: {},
    metrics,
    valid: problems.length === 0,
    ...(problems.length ? { invalidReason: `${label}: ${problems.join("; ")}` } : {}),
    notes: [],
    line: 1,
  };
}

/**
 * A custom benchmark file as a benchmark definition: its command (placeholders replaced, a relative program
 * found beside the file) in one `default` configuration with the file's inputs written into its working
 * directory, its patterns as the parser and validity rule, and its declared headline. Results record it as
 * `custom`, with its name and the file's SHA-256.
 */
export function customBenchmark(custom: LoadedCustomBenchmark): BenchmarkDefinition {
  const { definition } = custom;
  return {
    name: definition.name,
    description: definition.description,
    program: { kind: "declared", file: custom.path },
    estimateTrialSeconds: () => definition.timeoutSeconds,
    prepare: (context) => {
      try {
        return prepareCustom(context, custom);
      } catch (error) {
        // Whatever goes wrong here comes from the file (an input name, the command): say so, and run the rest.
        throw new BenchError("InvalidArgument", (error as Error).message, {
          fix: "Check the custom benchmark file and its command.",
          cause: error,
        });
      }
    },
    parse: (text, label) => [parseCustomOutput(definition, text, label)],
    validity:
      "the command exits 0, every declared metric is found as a finite number, and the file's validity patterns hold",
    metrics: definition.metrics.map((metric) => ({
      name: metric.name,
      units: [metric.unit],
      description: `matched by /${metric.pattern}/ (${metric.occurrence ?? "last"} occurrence)`,
    })),
    headline: { configuration: "default", metric: definition.headline },
    recordedAs: { benchmark: "custom", custom: { name: definition.name, definitionSha256: custom.sha256 } },
  };
}

function prepareCustom(context: BenchmarkContext, custom: LoadedCustomBenchmark): PreparedRun {
  const { definition } = custom;
  const work = join(context.outDir, "work", `custom-${definition.name}`);
  mkdirSync(work, { recursive: true });
  for (const [name, content] of Object.entries(definition.inputs ?? {})) {
    writeFileSync(join(work, name), content);
    mkdirSync(join(context.outDir, "inputs", definition.name), { recursive: true });
    writeFileSync(join(context.outDir, "inputs", definition.name, name), content);
  }
  const values = { cores: context.host.cores, vcpus: context.host.logicalCpus, workdir: work };
  const [command, ...args] = definition.command.map((part) => substitute(part, values)) as [string, ...string[]];
  // A relative program (./solver) lives beside the definition file; a bare name is looked up on PATH.
  const program = command.includes("/") && !isAbsolute(command) ? resolve(dirname(custom.path), command) : command;
  const env = Object.fromEntries(
    Object.entries(definition.env ?? {}).map(([key, value]) => [key, substitute(value, values)]),
  );
  context.progress(`${definition.name}: custom benchmark from ${custom.path}`);
  return {
    parameters: { command: definition.command.join(" ") },
    implementation: `custom-${definition.name}`,
    configurations: [
      {
        launch: {
          id: "default",
          description: definition.description,
          env,
          prefix: [],
          placement: {},
          threads: context.host.cores,
        },
        command: { path: program, args, cwd: work },
        timeoutSeconds: definition.timeoutSeconds,
      },
    ],
  };
}

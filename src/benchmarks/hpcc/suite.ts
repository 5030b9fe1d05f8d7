/**
 * HPC Challenge (Debian's `hpcc`: HPL 2.0 and HPCC's own STREAM) as a program suite: one execution per trial
 * measures STREAM (StarSTREAM, every rank at once, and SingleSTREAM, one rank while the others wait) and HPL,
 * recorded under HPCC's own implementation names so its numbers are never mixed with stream.c's or HPL 2.3's.
 * Its input sets HPL's N; HPCC sizes STREAM's arrays from it.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BenchError } from "../../errors.js";
import type { ConfigurationTrials, ProgramSuite, SuiteSection, TrialRun } from "../definition.js";
import { failedTrialRun } from "../definition.js";
import { hplParameters, sizeHplForRun } from "../hpl/sizing.js";
import { mpirunArgs } from "../launch.js";
import { streamConformance, streamRuleElements } from "../stream/sizing.js";
import { hpccInput } from "./launch.js";
import { parseHpccOutput } from "./parse.js";

/**
 * Share of the time budget HPCC's HPL gets. HPCC also runs RandomAccess, DGEMM, FFT and PTRANS, sized from the
 * same N; their time grows as N² and HPL's as N³, so HPL's share grows with N. With Debian's hpcc 1.5.0 on two
 * cores (OpenBLAS, 1×2): 1/15 to 1/20 at N = 4,000 and 10,000; 17 s of 132 s at N = 12,288; 26 s of 243 s at
 * N = 15,360 (the five-minute budget's N with this share). 1/10 keeps the whole run within the budget at the sizes
 * a budget gives, while HPL runs at an N where it gets near its best (at N = 12,288 HPL reached 80 % of the
 * machine's DGEMM rate, at 15,360 86 %).
 */
export const hpccHplShare = 1 / 10;

/** A trial of `benchmark` that measured nothing, and why. */
/** HPCC: STREAM and HPL in one execution per trial. */
export const hpccSuite: ProgramSuite = {
  name: "hpcc",
  executables: ["hpcc"],
  requires: ["mpirun"],
  estimateTrialSeconds: (host, settings) => sizeHplForRun(host, settings, hpccHplShare).predictedSeconds / hpccHplShare,
  async run(context, hpcc, benchmarks): Promise<SuiteSection[]> {
    const { mpirun, asRoot } = context.tools;
    if (!mpirun)
      throw new BenchError("BuildFailed", "hpcc needs mpirun, which is not on PATH", {
        fix: "apt-get install openmpi-bin",
      });
    const blas = context.noteBlas(hpcc);
    const sizing = sizeHplForRun(context.host, context.settings, hpccHplShare, blas);
    writeFileSync(join(context.outDir, "inputs", "hpccinf.txt"), hpccInput(sizing));
    const starStream: ConfigurationTrials = {
      id: "all-cores-spread",
      description: `HPCC StarSTREAM: one MPI rank per core (${sizing.ranks}), bound; bandwidth summed over ranks`,
      placement: { ranks: sizing.ranks, bindTo: "core" },
      trials: [],
    };
    const singleStream: ConfigurationTrials = {
      id: "single-thread",
      description: "HPCC SingleSTREAM: one rank while the others wait",
      placement: { ranks: 1 },
      trials: [],
    };
    const hpl: ConfigurationTrials = {
      id: "all-cores",
      description: `HPCC HPL 2.0: one MPI rank per core (${sizing.p}×${sizing.q}), one BLAS thread each`,
      placement: { ranks: sizing.ranks, threadsPerRank: 1, bindTo: "core" },
      trials: [],
    };
    const timeout = Math.ceil((sizing.predictedSeconds * 4) / hpccHplShare + 300);
    for (let trial = 1; trial <= context.trials && !context.interrupted; trial++) {
      const work = join(context.outDir, "work", `hpcc-trial-${trial}`);
      mkdirSync(work, { recursive: true });
      copyFileSync(join(context.outDir, "inputs", "hpccinf.txt"), join(work, "hpccinf.txt"));
      const raw = join(context.outDir, "raw", "hpcc");
      mkdirSync(raw, { recursive: true });
      const outcome = await context.run({
        command: mpirun,
        args: [...mpirunArgs(sizing.ranks, asRoot), hpcc],
        cwd: work,
        env: { OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" },
        stdoutFile: join(raw, `trial-${trial}.stdout.txt`),
        stderrFile: join(raw, `trial-${trial}.stderr.txt`),
        timeoutSeconds: timeout,
      });
      if (outcome.interrupted) break;
      context.reportTrial("hpcc", benchmarks.join("+"), trial, outcome.seconds);
      let rawFile = join("raw", "hpcc", `trial-${trial}.txt`);
      let failure: string | undefined;
      const wroteOutput = existsSync(join(work, "hpccoutf.txt"));
      if (wroteOutput) copyFileSync(join(work, "hpccoutf.txt"), join(context.outDir, rawFile));
      else rawFile = join("raw", "hpcc", `trial-${trial}.stdout.txt`);
      if (outcome.timedOut) failure = `timed out after ${timeout} s`;
      else if (outcome.exitCode !== 0)
        failure = `hpcc exited with code ${String(outcome.exitCode)} (see raw/hpcc/trial-${trial}.stderr.txt)`;
      else if (!wroteOutput) failure = "hpcc wrote no hpccoutf.txt";
      const {
        star,
        single,
        hpl: hplRun,
      } = hpccTrialRuns(
        failure === undefined ? readFileSync(join(context.outDir, rawFile), "utf8") : undefined,
        rawFile,
        failure,
        sizing.ranks,
      );
      const startedAt = new Date(Date.now() - outcome.seconds * 1000).toISOString();
      const durationSeconds = Math.round(outcome.seconds * 1000) / 1000;
      starStream.trials.push({ run: star, rawFile, startedAt, durationSeconds });
      singleStream.trials.push({
        run: single,
        rawFile,
        startedAt,
        durationSeconds,
      });
      hpl.trials.push({
        run: hplRun,
        rawFile,
        startedAt,
        durationSeconds,
      });
    }
    const sections: SuiteSection[] = [];
    // HPCC sizes each rank's STREAM arrays from HPL's N (about N²/(3·ranks)); the parsed output says exactly.
    const printedSize = starStream.trials
      .map((trial) => trial.run.parameters["arraySize"])
      .find((size) => typeof size === "number");
    const streamArray = typeof printedSize === "number" ? printedSize : Math.floor(sizing.n ** 2 / (3 * sizing.ranks));
    if (benchmarks.includes("stream")) {
      const rule = streamRuleElements(context.host);
      // Below the array rule HPCC's STREAM is labelled non-conforming: its numbers stay in the result, never as a
      // headline (each rank's arrays then share the caches, so the bandwidth can exceed what memory delivers).
      const conformance = streamConformance(context.host, streamArray, "HPCC's STREAM arrays (per rank)");
      if (!conformance.conforming)
        context.progress(
          `stream: HPCC sizes STREAM from HPL's N: ${streamArray} elements per array and rank, below STREAM's rule of ${rule}: labelled non-conforming, no headline`,
        );
      sections.push({
        benchmark: "stream",
        parameters: {
          program: "hpcc",
          arraySize: streamArray,
          arraySizeLimitedBy: "hpcc-hpl-n",
          streamRuleElements: rule,
        },
        configurations: [starStream],
        conformance,
      });
      // SingleSTREAM is its own implementation: reported in its own section, never mixed with StarSTREAM.
      sections.push({
        benchmark: "stream",
        parameters: { program: "hpcc", arraySize: streamArray },
        configurations: [singleStream],
        supplementaryHeadline: "single-thread",
        conformance,
      });
    }
    if (benchmarks.includes("hpl"))
      sections.push({
        benchmark: "hpl",
        parameters: { program: "hpcc", ...hplParameters(sizing) },
        configurations: [hpl],
      });
    return sections;
  },
};

/** The trial runs one HPCC execution gives: StarSTREAM (with its bandwidth summed over ranks), SingleSTREAM, HPL. */
export interface HpccTrialRuns {
  /** StarSTREAM: one rank per core; `triadAllRanks` is the per-rank average times the ranks. */
  star: TrialRun;
  /** SingleSTREAM: one rank while the others wait. */
  single: TrialRun;
  /** HPL 2.0 (its first result line). */
  hpl: TrialRun;
}

/**
 * Reads one HPCC execution's output (`text`, undefined when the execution `failure` left none) into its trial runs,
 * each invalid with the reason when its section is missing or broken. Pure, so the review's re-derivation
 * (src/community/rederive.ts) reads a raw file exactly as the run did; `ranks` counts StarSTREAM's ranks when the
 * output does not say.
 */
export function hpccTrialRuns(
  text: string | undefined,
  label: string,
  failure: string | undefined,
  ranks: number,
): HpccTrialRuns {
  let runs: TrialRun[] = [];
  let sectionFailures: Record<string, string> = {};
  let why = failure ?? (text === undefined ? "no output" : undefined);
  if (why === undefined && text !== undefined) {
    try {
      // One broken section (a truncated HPL, say) must not void the valid STREAM sections of the same execution.
      const parsed = parseHpccOutput(text, { label, perSection: true });
      runs = parsed.runs;
      sectionFailures = parsed.sectionFailures ?? {};
    } catch (error) {
      why = (error as Error).message;
    }
  }
  const pick = (section: string, benchmark: string, implementation: string) =>
    runs.find((run) => run.section === section) ??
    failedTrialRun(
      benchmark,
      implementation,
      why ?? sectionFailures[section] ?? `no ${section} section in HPCC's output`,
    );
  const star = pick("StarSTREAM", "stream", "hpcc-starstream");
  const starRanks = Number(star.parameters["processes"] ?? ranks);
  const average = star.metrics["triadRankAverage"];
  if (average?.value != null) {
    star.metrics["triadAllRanks"] = {
      value: Math.round(average.value * starRanks * 1e6) / 1e6,
      unit: "GB/s",
      printed: `${average.printed} × ${starRanks} ranks`,
    };
  }
  const hpl =
    runs.find((run) => run.section === "HPL") ??
    failedTrialRun("hpl", "hpcc-hpl-2.0", why ?? sectionFailures["HPL"] ?? "no HPL result");
  return { star, single: pick("SingleSTREAM", "stream", "hpcc-singlestream"), hpl };
}

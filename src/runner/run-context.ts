/**
 * What the runner offers each benchmark while it prepares and runs (the `BenchmarkContext` of
 * src/benchmarks/definition.ts): the host, settings and tools; builds with `cc` logged under `build/`; the BLAS
 * the MPI programs load; commands in their own process groups; and progress lines with the time left against
 * the run's estimate.
 */
import { execFileSync } from "node:child_process";
import { realpathSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type {
  BenchmarkContext,
  CommandOutcome,
  CommandSpec,
  HostTools,
  RunSettings,
} from "../benchmarks/definition.js";
import type { HostProbe } from "../benchmarks/host.js";
import { BenchError } from "../errors.js";
import type { ProcessGroupSet } from "./processes.js";

/** What a {@link LocalRunContext} is made from. */
export interface LocalRunContextOptions {
  /** The host. */
  host: HostProbe;
  /** The run's settings. */
  settings: RunSettings;
  /** mpirun, numactl, root. */
  tools: HostTools;
  /** Trials per configuration. */
  trials: number;
  /** The run directory. */
  outDir: string;
  /** Working directory (build logs are named relative to it). */
  cwd: string;
  /** Running commands, stopped together on Ctrl-C. */
  processes: ProcessGroupSet;
  /** Progress lines. */
  progress: (line: string) => void;
  /** When the run started (ms since epoch), for the time left. */
  startedAt: number;
  /** Where programs built from verified sources are kept between runs (undefined: not kept). */
  buildCacheDir?: string | undefined;
}

/** A local run's context. */
export class LocalRunContext implements BenchmarkContext {
  readonly host: HostProbe;
  readonly settings: RunSettings;
  readonly tools: HostTools;
  readonly trials: number;
  readonly outDir: string;
  /** Predicted seconds of the whole run (set once the programs are chosen). */
  estimatedSeconds = 0;
  /** The BLAS the MPI programs load, when known. */
  blas: string | undefined;
  /** Where programs built from verified sources are kept between runs. */
  readonly buildCacheDir: string | undefined;
  private readonly cwd: string;
  private readonly processes: ProcessGroupSet;
  private readonly writeProgress: (line: string) => void;
  private readonly startedAt: number;

  /**
   * @param options - host, settings, tools, trials, directories, processes and progress
   */
  constructor(options: LocalRunContextOptions) {
    this.host = options.host;
    this.settings = options.settings;
    this.tools = options.tools;
    this.trials = options.trials;
    this.outDir = options.outDir;
    this.cwd = options.cwd;
    this.processes = options.processes;
    this.writeProgress = options.progress;
    this.startedAt = options.startedAt;
    this.buildCacheDir = options.buildCacheDir;
  }

  /** True once the run was interrupted. */
  get interrupted(): boolean {
    return this.processes.interrupted;
  }

  /** Writes a progress line. */
  progress(line: string): void {
    this.writeProgress(line);
  }

  /** Compiles with `cc`, logging to build/<name>.log; a failure is a BenchError naming the log. */
  compile(name: string, args: readonly string[]): void {
    const log = join(this.outDir, "build", `${name}.log`);
    writeFileSync(log, `cc ${args.join(" ")}\n`);
    try {
      const output = execFileSync("cc", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      writeFileSync(log, `cc ${args.join(" ")}\n${output}`);
    } catch (error) {
      if (this.processes.interrupted)
        throw new BenchError("BuildFailed", `compiling ${name} was interrupted`, { fix: "Run again." });
      const failed = error as { stderr?: string; message: string };
      writeFileSync(log, `cc ${args.join(" ")}\n${failed.stderr ?? failed.message}`);
      throw new BenchError("BuildFailed", `compiling ${name} failed (log: ${relative(this.cwd, log)})`, {
        fix: "Install a C compiler with OpenMP (apt-get install gcc), or pass a prebuilt program with --program.",
      });
    }
  }

  /**
   * Records which BLAS `program` loads, and warns loudly about the reference BLAS (an order of magnitude
   * slower); returns the BLAS known for the run's MPI programs.
   */
  noteBlas(program: string): string | undefined {
    const blas = linkedBlas(program);
    if (!blas) return this.blas;
    this.blas = blas;
    if (/reference/.test(blas)) {
      this.progress(
        `hpl: ${program} loads the reference BLAS (${blas}): HPL will run far below this CPU's capability. Install OpenBLAS (apt-get install libopenblas0-pthread) so libblas.so.3 points to it.`,
      );
    }
    return blas;
  }

  /** Runs one command in its own process group. */
  run(spec: CommandSpec): Promise<CommandOutcome> {
    return this.processes.run(spec);
  }

  /** `[benchmark] configuration trial i/n: seconds (elapsed, about … left)`. */
  reportTrial(label: string, configuration: string, trial: number, seconds: number): void {
    const elapsed = (Date.now() - this.startedAt) / 1000;
    const left = Math.max(0, this.estimatedSeconds - elapsed);
    this.progress(
      `[${label}] ${configuration} trial ${trial}/${this.trials}: ${seconds.toFixed(1)} s (elapsed ${duration(elapsed)}, about ${duration(left)} left)`,
    );
  }
}

/** `1m05s`, `42s`. */
export function duration(seconds: number): string {
  const whole = Math.round(seconds);
  return whole >= 60 ? `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, "0")}s` : `${whole}s`;
}

/** The BLAS a dynamically linked program loads, from `ldd`: `OpenBLAS (…path)`, `reference BLAS (…path)`, … */
export function linkedBlas(program: string): string | undefined {
  let output: string;
  try {
    output = execFileSync("ldd", [program], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return undefined;
  }
  const line = output.split("\n").find((l) => /lib(open)?blas|libblis|libmkl|libarmpl/.test(l));
  const path = /=>\s*(\S+)/.exec(line ?? "")?.[1];
  if (!path) return undefined;
  let real = path;
  try {
    real = realpathSync(path);
  } catch {
    // keep the linked path
  }
  const kind = /openblas/i.test(real)
    ? "OpenBLAS"
    : /blis/i.test(real)
      ? "BLIS"
      : /mkl/i.test(real)
        ? "oneMKL"
        : /armpl/i.test(real)
          ? "Arm PL"
          : /atlas/i.test(real)
            ? "ATLAS"
            : "reference BLAS";
  return `${kind} (${real})`;
}

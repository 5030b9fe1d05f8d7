/**
 * The process boundary, made explicit so `exec()` can be tested without touching the real process:
 * data goes to `stdout`, progress and errors to `stderr`.
 */

/** Anything with a `write(text)` method, like a Node stream. */
export interface TextSink {
  /** Writes text as is (no newline added). */
  write(text: string): unknown;
}

/** What a command may touch of the outside world. */
export interface CliIo {
  /** Data: listings, results, JSON. */
  stdout: TextSink;
  /** Progress, warnings and errors. */
  stderr: TextSink;
  /** Environment variables. */
  env: NodeJS.ProcessEnv;
  /** Working directory that relative paths resolve against. */
  cwd: string;
  /** Whether stdin and stderr are interactive terminals (prompts, fancy progress). */
  interactive: boolean;
}

/** The real process as a {@link CliIo}. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY) && !process.env["CI"],
  };
}

/** An in-memory {@link CliIo} for tests and embedding; read what was written from `out()` and `err()`. */
export function memoryIo(overrides: Partial<Omit<CliIo, "stdout" | "stderr">> = {}): CliIo & {
  out(): string;
  err(): string;
} {
  let out = "";
  let err = "";
  return {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    env: overrides.env ?? {},
    cwd: overrides.cwd ?? process.cwd(),
    interactive: overrides.interactive ?? false,
    out: () => out,
    err: () => err,
  };
}

/**
 * `aws-bench parse`: one raw output file → a `parsed-output` document. The program is named by the user (the
 * same text can be ambiguous, and a wrong guess would be silent); the file's SHA-256 ties the numbers to the
 * bytes they came from.
 */
import { basename } from "node:path";
import { sha256Hex } from "../checksums.js";
import { readRegularFile } from "../input-files.js";
import { BenchError } from "../errors.js";
import type { ParsedOutput } from "../schemas/generated/parsed-output.js";
import { parseCoremarkOutput } from "./coremark/parse.js";
import { parseHpccOutput } from "./hpcc/parse.js";
import { parseHplOutput } from "./hpl/parse.js";
import { parseMembwOutput } from "./membw/parse.js";
import { parseStreamOutput } from "./stream/parse.js";

/** Programs whose output `parse` reads. */
export const parsablePrograms = ["stream", "hpl", "hpcc", "coremark", "membw"] as const;

/** One of {@link parsablePrograms}. */
export type ParsableProgram = (typeof parsablePrograms)[number];

/** Parses `text` as the output of `program`; `label` names it in errors. */
export function parseProgramOutput(
  program: ParsableProgram,
  text: string,
  label: string,
): Pick<ParsedOutput, "runs" | "summary"> {
  switch (program) {
    case "stream":
      return { runs: parseStreamOutput(text, { label }) };
    case "hpl":
      return { runs: parseHplOutput(text, { label }) };
    case "hpcc":
      return parseHpccOutput(text, { label });
    case "coremark":
      return { runs: parseCoremarkOutput(text, { label }) };
    case "membw":
      // Its runs name their benchmark `membw`, which the parsed-output schema lists.
      return { runs: parseMembwOutput(text, label) as ParsedOutput["runs"] };
  }
}

/** Reads and parses a raw output file; throws `InputUnreadable` or `OutputUnparseable` naming it. */
export function parseOutputFile(program: ParsableProgram, path: string): ParsedOutput {
  let bytes: Buffer;
  try {
    bytes = readRegularFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BenchError(
      "InputUnreadable",
      `Cannot read ${path}: ${code === "ENOENT" ? "it does not exist" : code === "EISDIR" ? "it is a directory" : (error as Error).message}.`,
      {
        fix: "Pass the path of a file holding the program's output.",
        cause: error,
      },
    );
  }
  if (bytes.includes(0)) {
    throw new BenchError("OutputUnparseable", `${path}: is binary, not a program's text output.`, {
      fix: "Pass the text the program printed.",
    });
  }
  const parsed = parseProgramOutput(program, bytes.toString("utf8"), path);
  return {
    schemaVersion: 1,
    program,
    file: { name: basename(path), sha256: sha256Hex(bytes), bytes: bytes.length },
    ...parsed,
  };
}

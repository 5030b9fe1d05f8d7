import { describe, expect, it } from "vitest";
import { parseStreamOutput } from "../../../src/benchmarks/stream/parse.js";
import { output } from "../../helpers/fixtures.js";

const parse = (path: string) => parseStreamOutput(output(path), { label: path });

describe("STREAM parser", () => {
  it("reads an OpenMP build exactly as printed", () => {
    const [run, ...rest] = parse("shared/stream-omp-10M-ntimes10-t2.txt");
    expect(rest).toEqual([]);
    expect(run).toMatchObject({
      benchmark: "stream",
      implementation: "stream.c-openmp",
      valid: true,
      parameters: {
        version: "5.10",
        elementBytes: 8,
        arraySize: 10_000_000,
        offset: 0,
        ntimes: 10,
        threads: 2,
        threadsRequested: 2,
        validationEpsilon: "1.000000e-13",
      },
    });
    expect(run?.metrics["copy"]).toEqual({ value: 15958.5, unit: "MB/s", printed: "15958.5" });
    expect(run?.metrics["triad"]).toEqual({ value: 30022.8, unit: "MB/s", printed: "30022.8" });
    expect(run?.metrics["triadMaxTime"]).toEqual({ value: 0.174436, unit: "s", printed: "0.174436" });
    expect(run?.notes).toEqual([]);
  });

  it("tells a serial build by the missing thread lines", () => {
    const [run] = parse("shared/stream-serial-10M-ntimes10.txt");
    expect(run?.implementation).toBe("stream.c-serial");
    expect(run?.parameters["threads"]).toBeUndefined();
    expect(run?.metrics["add"]?.printed).toBe("26548.3");
  });

  it("separates float builds and ignores the -DVERBOSE block", () => {
    const [run] = parse("formats/stream-float-verbose.txt");
    expect(run).toMatchObject({
      implementation: "stream.c-openmp-fp32",
      valid: true,
      parameters: { elementBytes: 4, ntimes: 20, threads: 4, validationEpsilon: "1.000000e-06" },
    });
    expect(run?.metrics["triad"]?.value).toBe(45100.9);
  });

  it("notes the -DN warning block and records the offset", () => {
    const [run] = parse("formats/stream-n-warning-offset.txt");
    expect(run?.valid).toBe(true);
    expect(run?.parameters).toMatchObject({ arraySize: 10_000_000, offset: 64 });
    expect(run?.notes[0]).toMatch(/built with -DN.*reverted to its default 10000000/);
  });

  it("calls a tiny-array run with inf bandwidth invalid and keeps what was printed", () => {
    const [run] = parse("formats/stream-tiny-array.txt");
    expect(run?.valid).toBe(false);
    expect(run?.invalidReason).toMatch(/non-finite values printed for copy \(inf\), add \(inf\)/);
    expect(run?.metrics["copy"]).toEqual({ value: null, unit: "MB/s", printed: "inf" });
    expect(run?.parameters["clockGranularityMicroseconds"]).toBe(0);
    expect(run?.notes.some((note) => /0 clock ticks/.test(note))).toBe(true);
  });

  it("calls a run that failed validation invalid, with STREAM's own words", () => {
    const [run] = parse("formats/stream-failed-validation.txt");
    expect(run?.valid).toBe(false);
    expect(run?.invalidReason).toMatch(/^validation failed: Failed Validation on array a\[\].*3 errors were found/);
  });

  it("reads HPCC's GB/s table and its older 'Each test is run' wording", () => {
    const text = output("shared/hpcc-1x1-np1-N4000-NB192.txt");
    const section = text.slice(
      text.indexOf("Begin of SingleSTREAM section."),
      text.indexOf("End of SingleSTREAM section."),
    );
    const [run] = parseStreamOutput(section, { label: "hpcc", implementation: "hpcc-singlestream" });
    expect(run?.metrics["copy"]).toEqual({ value: 24.8382, unit: "GB/s", printed: "24.8382" });
    expect(run?.parameters).toMatchObject({ arraySize: 5333333, ntimes: 10, elementBytes: 8 });
  });

  it("parses every run of a multi-run file and names the truncated one", () => {
    expect(() => parse("formats/stream-two-runs-truncated.txt")).toThrow(
      /\(run starting at line 35\): is truncated: the results table has Copy \(expected Copy, Scale, Add and Triad\)/,
    );
    const twice = output("shared/stream-omp-10M-ntimes10-t2.txt") + output("shared/stream-serial-10M-ntimes10.txt");
    expect(parseStreamOutput(twice, { label: "two" }).map((run) => run.implementation)).toEqual([
      "stream.c-openmp",
      "stream.c-serial",
    ]);
  });

  it.each([
    ["", /x: is empty/],
    ["   \n\n", /x: is empty/],
    ["hello world\n", /x: has no STREAM results table/],
    [
      output("shared/stream-omp-10M-ntimes10-t2.txt").split("Solution Validates")[0] as string,
      /x: is truncated: no validation line/,
    ],
    [
      output("shared/stream-omp-10M-ntimes10-t2.txt").split("Add:")[0] as string,
      /x: is truncated: the results table has Copy, Scale \(expected/,
    ],
  ])("rejects empty, foreign or truncated input (%#)", (text, message) => {
    expect(() => parseStreamOutput(text, { label: "x" })).toThrow(message);
  });

  it("accepts Windows line endings", () => {
    const [run] = parseStreamOutput(output("shared/stream-serial-10M-ntimes10.txt").replace(/\n/g, "\r\n"), {
      label: "crlf",
    });
    expect(run?.metrics["triad"]?.printed).toBe("26400.0");
  });
});

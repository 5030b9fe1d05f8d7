import { describe, expect, it } from "vitest";
import { parseCoremarkOutput } from "../../../src/benchmarks/coremark/parse.js";
import { output } from "../../helpers/fixtures.js";

const parse = (path: string) => parseCoremarkOutput(output(path), { label: path });

describe("CoreMark parser", () => {
  it("reads a single-threaded performance run with its score", () => {
    const [run, ...rest] = parse("shared/coremark-st-run1-performance.txt");
    expect(rest).toEqual([]);
    expect(run).toMatchObject({
      implementation: "coremark",
      valid: true,
      parameters: {
        runType: "performance",
        dataSize: "2K",
        coremarkSize: 666,
        iterations: 400000,
        threads: 1,
        seedCrc: "0xe9f5",
        compilerVersion: "GCC12.2.0",
      },
    });
    expect(run?.metrics["iterationsPerSecond"]).toEqual({
      value: 29010.733972,
      unit: "iterations/s",
      printed: "29010.733972",
    });
    expect(run?.metrics["coremark"]?.printed).toBe("29010.733972");
    expect(run?.metrics["totalTime"]).toEqual({ value: 13.788, unit: "s", printed: "13.788000" });
    expect(run?.notes).toEqual([]);
  });

  it("reads a multi-threaded PThreads run", () => {
    const [run] = parse("shared/coremark-mt2-pthread-run1-performance.txt");
    expect(run).toMatchObject({
      implementation: "coremark-pthread",
      valid: true,
      parameters: { threads: 2, parallelMethod: "PThreads", iterations: 800000, crcFinal1: "0x65c5" },
    });
    expect(run?.metrics["coremark"]?.printed).toBe("30180.706983");
  });

  it("reads a fork-parallel run", () => {
    const [run] = parse("formats/coremark-fork4-performance.txt");
    expect(run).toMatchObject({ implementation: "coremark-fork", valid: true, parameters: { threads: 4 } });
  });

  it("keeps validation, profile and 6K runs valid but says they are not scores", () => {
    for (const [path, runType] of [
      ["shared/coremark-st-run2-validation.txt", "validation"],
      ["formats/coremark-profile.txt", "profile"],
    ] as const) {
      const [run] = parse(path);
      expect(run).toMatchObject({ valid: true, parameters: { runType } });
      expect(run?.metrics["coremark"]).toBeUndefined();
      expect(run?.notes[0]).toMatch(/its speed is not a CoreMark score/);
    }
    const [sixK] = parse("formats/coremark-6k-performance.txt");
    expect(sixK).toMatchObject({
      valid: true,
      parameters: { runType: "performance", dataSize: "6K", coremarkSize: 2000 },
    });
  });

  it("calls a run shorter than 10 s invalid even when 'Correct operation validated' is printed", () => {
    const [run] = parse("formats/coremark-short-unknown-seeds.txt");
    expect(output("formats/coremark-short-unknown-seeds.txt")).toContain("Correct operation validated");
    expect(run?.valid).toBe(false);
    expect(run?.invalidReason).toMatch(/ERROR! Must execute for at least 10 secs/);
    const [known] = parse("formats/coremark-short-known-seeds.txt");
    expect(known?.valid).toBe(false);
    expect(known?.metrics["totalTime"]?.printed).toBe("5.102000");
  });

  it("calls non-standard seeds invalid", () => {
    const [run] = parse("formats/coremark-unknown-seeds.txt");
    expect(run).toMatchObject({ valid: false, parameters: { runType: "unknown-seeds" } });
    expect(run?.invalidReason).toMatch(/cannot validate results for these seed values/);
  });

  it("calls a CRC mismatch invalid", () => {
    const [run] = parse("formats/coremark-crc-error.txt");
    expect(run?.valid).toBe(false);
    expect(run?.invalidReason).toMatch(/\[0\]ERROR! list crc 0x1234 - should be 0xe3c1/);
  });

  it("splits consecutive runs, including runs without a run-type line", () => {
    const text = [
      output("shared/coremark-st-run1-performance.txt"),
      output("shared/coremark-st-run2-validation.txt"),
      output("formats/coremark-unknown-seeds.txt"),
      output("formats/coremark-unknown-seeds.txt"),
    ].join("");
    const runs = parseCoremarkOutput(text, { label: "all" });
    expect(runs.map((run) => [run.parameters["runType"], run.valid])).toEqual([
      ["performance", true],
      ["validation", true],
      ["unknown-seeds", false],
      ["unknown-seeds", false],
    ]);
  });

  it("takes a run of exactly 10 s as long enough", () => {
    const text = output("shared/coremark-st-run1-performance.txt").replace(
      "Total time (secs): 13.788000",
      "Total time (secs): 10.000000",
    );
    const [run] = parseCoremarkOutput(text, { label: "x" });
    expect([run?.valid, run?.invalidReason]).toEqual([true, undefined]);
  });

  it("catches a short run even without CoreMark's error line", () => {
    const text = output("shared/coremark-st-run1-performance.txt").replace(
      "Total time (secs): 13.788000",
      "Total time (secs): 8.500000",
    );
    const [run] = parseCoremarkOutput(text, { label: "x" });
    expect(run?.valid).toBe(false);
    expect(run?.invalidReason).toMatch(/ran 8\.500000 s; CoreMark requires at least 10 s/);
  });

  it.each([
    ["", /x: is empty/],
    ["random text\n", /x: is not CoreMark output/],
    [
      output("shared/coremark-st-run1-performance.txt").split("seedcrc")[0] as string,
      /x: is truncated: none of CoreMark's closing lines/,
    ],
    [
      "2K performance run parameters for coremark.\nCoreMark Size    : 666\n",
      /x: is truncated: no 'Total time \(secs\)'/,
    ],
  ])("rejects empty, foreign or truncated input (%#)", (text, message) => {
    expect(() => parseCoremarkOutput(text, { label: "x" })).toThrow(message);
  });
});

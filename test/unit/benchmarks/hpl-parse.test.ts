import { describe, expect, it } from "vitest";
import { decodeVariant, parseHplOutput } from "../../../src/benchmarks/hpl/parse.js";
import { output } from "../../helpers/fixtures.js";

const parse = (path: string) => parseHplOutput(output(path), { label: path });

describe("HPL parser", () => {
  it("reads every result line of HPL 2.3 with its residual check", () => {
    const runs = parse("shared/hpl-1x1-np1-N2000-6000-NB128-192.txt");
    expect(
      runs.map((run) => [
        run.parameters["n"],
        run.parameters["nb"],
        run.metrics["gflops"]?.printed,
        run.metrics["time"]?.printed,
      ]),
    ).toEqual([
      [2000, 128, "3.9144e+01", "0.14"],
      [2000, 192, "4.0977e+01", "0.13"],
      [4000, 128, "4.0416e+01", "1.06"],
      [4000, 192, "4.5331e+01", "0.94"],
      [6000, 128, "4.5485e+01", "3.17"],
      [6000, 192, "4.7648e+01", "3.02"],
    ]);
    expect(runs.every((run) => run.valid && run.implementation === "hpl-2.3")).toBe(true);
    expect(runs[0]).toMatchObject({
      parameters: {
        variant: "WR11C2R4",
        p: 1,
        q: 1,
        processes: 1,
        threshold: "16.0",
        eps: "1.110223e-16",
        broadcast: "1ringM",
        rfact: "Crout",
        pfact: "Right",
      },
      metrics: {
        gflops: { value: 39.144, unit: "GFLOPS", printed: "3.9144e+01" },
        scaledResidual: { value: 0.00330338351, unit: "1", printed: "3.30338351e-03" },
      },
      line: 47,
    });
    expect(runs[0]?.notes).toEqual([]);
  });

  it("calls FAILED residual checks invalid, whatever the Gflops", () => {
    const runs = parse("shared/hpl-1x1-np1-threshold1e-6-FAILED.txt");
    expect(runs).toHaveLength(2);
    for (const run of runs) {
      expect(run.valid).toBe(false);
      expect(run.invalidReason).toMatch(
        /^residual check FAILED: \|\|Ax-b\|\|_oo\/\(eps\*.*= 3\.\d+e-03 \(threshold 0\.0\)$/,
      );
    }
    expect(runs[1]?.metrics["gflops"]?.printed).toBe("4.0913e+01");
  });

  it("calls runs whose check was skipped (threshold not positive) invalid", () => {
    const runs = parse("formats/hpl23-negative-threshold.txt");
    expect(runs.map((run) => run.metrics["gflops"]?.printed)).toEqual(["2.2712e+01", "2.3018e+01"]);
    for (const run of runs) {
      expect(run.valid).toBe(false);
      expect(run.invalidReason).toMatch(
        /residual check not performed \(HPL reports 2 tests completed without checking/,
      );
      expect(run.metrics["scaledResidual"]).toBeUndefined();
    }
  });

  it("reads many result lines across grids and variants", () => {
    const runs = parse("formats/hpl23-grids.txt");
    expect(runs).toHaveLength(24);
    expect(new Set(runs.map((run) => `${String(run.parameters["p"])}x${String(run.parameters["q"])}`))).toEqual(
      new Set(["1x4", "2x2"]),
    );
    expect(new Set(runs.map((run) => run.parameters["variant"])).size).toBeGreaterThan(3);
    expect(runs.every((run) => run.valid && run.parameters["processes"] === 4)).toBe(true);
    const last = runs.at(-1);
    expect(last?.metrics["gflops"]?.printed).toBe("2.2475e+02");
  });

  it("decodes HPL's T/V variant code", () => {
    expect(decodeVariant("WR11C2R4")).toEqual({
      processOrder: "row-major",
      depth: 1,
      broadcast: "1ringM",
      rfact: "Crout",
      ndiv: 2,
      pfact: "Right",
      nbmin: 4,
    });
    expect(decodeVariant("WC03L2L8")).toMatchObject({
      processOrder: "column-major",
      depth: 0,
      broadcast: "2ringM",
      rfact: "Left",
      pfact: "Left",
      nbmin: 8,
    });
    expect(decodeVariant("WX")).toEqual({});
  });

  it.each([
    ["", /x: is empty/],
    ["STREAM version $Revision: 5.10 $\n", /x: is not HPL output/],
    [
      output("shared/hpl-1x1-np1-N2000-6000-NB128-192.txt").split("T/V                N")[0] as string,
      /x: has no result lines/,
    ],
  ])("rejects empty, foreign or result-less input (%#)", (text, message) => {
    expect(() => parseHplOutput(text, { label: "x" })).toThrow(message);
  });

  it("rejects output cut off before HPL's summary", () => {
    expect(() => parse("formats/hpl23-truncated.txt")).toThrow(
      /is truncated: no 'Finished … tests' summary after the result on line 47/,
    );
    const cut = output("shared/hpl-1x1-np1-N2000-6000-NB128-192.txt").split("Finished")[0] as string;
    expect(() => parseHplOutput(cut, { label: "cut" })).toThrow(/cut: is truncated/);
  });

  it("notes when HPL's own counts disagree with the residual lines", () => {
    const text = output("shared/hpl-1x1-np1-N2000-6000-NB128-192.txt").replace(
      "6 tests completed and passed",
      "5 tests completed and passed",
    );
    const runs = parseHplOutput(text, { label: "x" });
    expect(runs[0]?.notes[0]).toMatch(/counts 5 passed tests, but 6 PASSED residual lines/);
  });
});

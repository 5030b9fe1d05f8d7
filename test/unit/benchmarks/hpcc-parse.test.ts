import { describe, expect, it } from "vitest";
import { parseHpccOutput } from "../../../src/benchmarks/hpcc/parse.js";
import { output } from "../../helpers/fixtures.js";

const parse = (path: string) => parseHpccOutput(output(path), { label: path });

describe("HPCC parser", () => {
  it("reads HPL 2.0, StarSTREAM and SingleSTREAM sections and the summary of one rank", () => {
    const { runs, summary } = parse("shared/hpcc-1x1-np1-N4000-NB192.txt");
    expect(runs.map((run) => [run.section, run.implementation, run.valid])).toEqual([
      ["StarSTREAM", "hpcc-starstream", true],
      ["SingleSTREAM", "hpcc-singlestream", true],
      ["HPL", "hpcc-hpl-2.0", true],
    ]);
    const [star, single, hpl] = runs;
    expect(star?.metrics["triad"]).toEqual({ value: 27.9556, unit: "GB/s", printed: "27.9556" });
    expect(star?.metrics["triadRankAverage"]).toEqual({ value: 27.95558, unit: "GB/s", printed: "27.955580" });
    expect(star?.parameters).toMatchObject({ processes: 1, threads: 1, arraySize: 5333333 });
    expect(single?.metrics["scale"]?.printed).toBe("30.0743");
    expect(hpl?.metrics["gflops"]).toEqual({ value: 44.79, unit: "GFLOPS", printed: "4.479e+01" });
    expect(hpl?.metrics["scaledResidual"]?.printed).toBe("0.0028335");
    expect(hpl?.parameters).toMatchObject({ n: 4000, nb: 192, p: 1, q: 1, variant: "WR11C2R4" });
    expect(summary["HPL_Tflops"]).toBe("0.044793");
    expect(summary["StarSTREAM_Triad"]).toBe("27.9556");
    expect(summary["Success"]).toBe("1");
  });

  it("reads a two-rank run over two grids, with SingleSTREAM reported by another rank", () => {
    const { runs, summary } = parse("produced-here/hpcc-2ranks-grids-1x2-2x1-N1000-1500-NB64-128.txt");
    const hpl = runs.filter((run) => run.section === "HPL");
    expect(hpl).toHaveLength(32);
    expect(new Set(hpl.map((run) => `${String(run.parameters["p"])}x${String(run.parameters["q"])}`))).toEqual(
      new Set(["1x2", "2x1"]),
    );
    expect(hpl.every((run) => run.valid && run.parameters["processes"] === 2)).toBe(true);
    const star = runs.find((run) => run.section === "StarSTREAM");
    expect(star?.parameters["processes"]).toBe(2);
    const single = runs.find((run) => run.section === "SingleSTREAM");
    expect(single).toMatchObject({ valid: true, parameters: { selectedRank: 1 } });
    expect(single?.metrics["triad"]).toEqual({ value: 29.861344, unit: "GB/s", printed: "29.861344" });
    expect(summary["CommWorldProcs"]).toBe("2");
  });

  it("calls HPL runs with the residual check disabled invalid", () => {
    const { runs } = parse("produced-here/hpcc-1rank-threshold-negative.txt");
    const hpl = runs.filter((run) => run.section === "HPL");
    expect(hpl).toHaveLength(16);
    expect(hpl.every((run) => !run.valid && /16 tests completed without checking/.test(run.invalidReason ?? ""))).toBe(
      true,
    );
    expect(runs.filter((run) => run.benchmark === "stream").every((run) => run.valid)).toBe(true);
  });

  it("rejects foreign and truncated output", () => {
    expect(() => parseHpccOutput("", { label: "x" })).toThrow(/x: is empty/);
    expect(() => parseHpccOutput("hello\n", { label: "x" })).toThrow(/x: is not HPCC output/);
    const text = output("shared/hpcc-1x1-np1-N4000-NB192.txt");
    expect(() => parseHpccOutput(text.slice(0, text.indexOf("End of HPL section.")), { label: "x" })).toThrow(
      /x: is truncated: section HPL has no 'End of … section.' line/,
    );
    const noHpl = text.slice(0, text.indexOf("Begin of StarSTREAM"));
    expect(() => parseHpccOutput(noHpl, { label: "x" })).toThrow(/x: has neither an HPL nor a STREAM section/);
  });

  it("marks StarSTREAM invalid when a rank reports an error", () => {
    const text = output("shared/hpcc-1x1-np1-N4000-NB192.txt").replace(
      /(Begin of StarSTREAM section\.[\s\S]*?)Node\(s\) with error 0/,
      "$1Node(s) with error 1",
    );
    const star = parseHpccOutput(text, { label: "x" }).runs.find((run) => run.section === "StarSTREAM");
    expect(star?.valid).toBe(false);
    expect(star?.invalidReason).toMatch(/1 MPI rank\(s\) reported a STREAM validation error/);
  });
});

describe("HPCC parser, section by section", () => {
  it("keeps the good sections and reports the broken one when asked to", () => {
    const text = output("shared/hpcc-1x1-np1-N4000-NB192.txt").replace(
      /Finished {6}1 tests with the following results:[\s\S]*?End of Tests\./,
      "",
    );
    expect(() => parseHpccOutput(text, { label: "x" })).toThrow(/section HPL: is truncated/);
    const { runs, sectionFailures } = parseHpccOutput(text, { label: "x", perSection: true });
    expect(runs.map((run) => run.section)).toEqual(["StarSTREAM", "SingleSTREAM"]);
    expect(sectionFailures?.["HPL"]).toMatch(/section HPL: is truncated: no 'Finished … tests' summary/);
    const cut = output("shared/hpcc-1x1-np1-N4000-NB192.txt");
    const open = parseHpccOutput(cut.slice(0, cut.indexOf("End of HPL section.")), { label: "y", perSection: true });
    expect(open.sectionFailures?.["HPL"]).toMatch(/section HPL has no 'End of … section.' line/);
    expect(open.runs.map((run) => run.section)).toEqual(["StarSTREAM", "SingleSTREAM"]);
  });
});

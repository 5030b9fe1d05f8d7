import { describe, expect, it } from "vitest";
import { readCorpus } from "../../../src/analysis/corpus.js";
import { robustZ } from "../../../src/community/robust-z.js";
import type { PlannedInstance } from "../../helpers/corpus.js";
import { useRunnerCorpus } from "../../helpers/corpus.js";

/** Two trials per instance; the headline is their median (the planned mean of two). */
function instances(type: string, batch: string, triads: ReadonlyArray<readonly [number, number]>): PlannedInstance[] {
  return triads.map((triad, index) => ({ type, batch, repeat: index + 1, triad: [...triad] }));
}

// Runs made by the real runner on a fake EC2 (test/helpers/corpus.ts): what the review compares a contribution with.
const corpus = useRunnerCorpus([
  ...instances("m7i.large", "b1", [
    [30000.1, 30100.1],
    [30200.1, 30300.1],
    [29800.1, 29900.1],
    [30400.1, 30500.1],
    [29600.1, 29700.1],
    [30050.1, 30150.1],
  ]),
  // Contributions: one in line with its type, one far above it.
  ...instances("m7i.large", "c1", [
    [30100.1, 30200.1],
    [45000.1, 45100.1],
  ]),
  // c7i: two of the type, four of another size of the family; then the contribution.
  ...instances("c7i.large", "b2", [
    [40000.1, 40100.1],
    [40200.1, 40300.1],
  ]),
  ...instances("c7i.xlarge", "b3", [
    [40100.1, 40200.1],
    [39900.1, 40000.1],
    [40300.1, 40400.1],
    [40050.1, 40150.1],
  ]),
  ...instances("c7i.large", "c2", [[20000.1, 20100.1]]),
  // r7i: one earlier instance only.
  ...instances("r7i.large", "b4", [[35000.1, 35100.1]]),
  ...instances("r7i.large", "c3", [[35000.1, 35100.1]]),
]);

function run(type: string, batch: string, repeat: number) {
  const found = corpus().runs.find(
    (entry) => entry.planned.type === type && entry.planned.batch === batch && entry.planned.repeat === repeat,
  );
  if (!found) throw new Error(`no run ${type} ${batch}-${repeat}`);
  return found.result;
}

function accepted() {
  // The accepted database: every earlier batch (contributions are never their own peers).
  return corpus()
    .runs.filter((entry) => entry.planned.batch.startsWith("b"))
    .map((entry) => entry.result);
}

describe("robust z against the accepted instances", () => {
  it("passes a headline in line with its type's instances, with z stated", () => {
    const findings = robustZ(run("m7i.large", "c1", 1), accepted());
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ step: "robust-z", severity: "pass", section: "stream" });
    expect(findings[0]?.reason).toMatch(/^z = 0\.\d\d among m7i\.large's 6 accepted instances \(30150\.1 MB\/s/);
  });

  it("flags a headline far from its type's instances", () => {
    const findings = robustZ(run("m7i.large", "c1", 2), accepted());
    expect(findings[0]?.severity).toBe("flag");
    expect(findings[0]?.reason).toMatch(
      /far from the other instances, \|z\| > 3\.5: z = \d+\.\d\d among m7i\.large's 6/,
    );
  });

  it("flags it too against the accepted runs as the review reads them from data/raw (analyze's slimmed results)", async () => {
    const read = await readCorpus([{ dir: corpus().root, includeLocal: false }]);
    const slimmed = read.runs.filter((entry) => /\/b\d+-/.test(entry.path)).map((entry) => entry.result);
    expect(slimmed).toHaveLength(accepted().length);
    expect(robustZ(run("m7i.large", "c1", 2), slimmed)[0]?.severity).toBe("flag");
    expect(robustZ(run("m7i.large", "c1", 1), slimmed)[0]?.reason).toMatch(/among m7i\.large's 6 accepted instances/);
  });

  it("compares per physical core with the family when the type has fewer than 5 instances", () => {
    const findings = robustZ(run("c7i.large", "c2", 1), accepted());
    expect(findings[0]?.severity).toBe("flag");
    expect(findings[0]?.reason).toContain("among family c7i's 6 accepted instances, per physical core");
    expect(findings[0]?.reason).toContain("MB/s per core");
  });

  it("notes that it was skipped when neither the type nor the family has 5 instances", () => {
    const findings = robustZ(run("r7i.large", "c3", 1), accepted());
    expect(findings).toEqual([
      {
        step: "robust-z",
        severity: "pass",
        section: "stream",
        reason:
          "skipped: r7i.large has 1 accepted instance(s) and family r7i 1 with the same headline; robust z needs at least 5",
      },
    ]);
  });

  it("never counts the contribution among its own peers", () => {
    const withItself = [...accepted(), run("c7i.large", "c2", 1)];
    expect(robustZ(run("c7i.large", "c2", 1), withItself)[0]?.reason).toContain("family c7i's 6 accepted instances");
  });
});

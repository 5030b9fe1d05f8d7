/** Where a missing prerequisite skips (a developer's machine) and where it fails (CI, or ../shared beside the clone). */
import { describe, expect, it } from "vitest";
import { commandExists, commandsVerdict, sharedFixturesVerdict } from "../../helpers/prerequisites.js";

const laptop = { sharedPresent: false, ci: false };
const github = { sharedPresent: false, ci: true };
const projectMachine = { sharedPresent: true, ci: false };
const ciRun = { sharedPresent: true, ci: true };

describe("test prerequisites", () => {
  it("run whatever the setting when nothing is missing", () => {
    for (const setting of [laptop, github, projectMachine, ciRun]) {
      expect(sharedFixturesVerdict([], setting)).toBe("run");
      expect(commandsVerdict([], setting)).toBe("run");
    }
  });

  it("fixtures missing from ../shared fail wherever ../shared exists, and skip only where it does not", () => {
    const missing = ["../shared/fixtures/aws-api/x.json"];
    expect([laptop, github, projectMachine, ciRun].map((setting) => sharedFixturesVerdict(missing, setting))).toEqual([
      "skip",
      "skip",
      "fail",
      "fail",
    ]);
  });

  it("missing commands fail in CI and beside ../shared, and skip only on a developer's machine", () => {
    expect([laptop, github, projectMachine, ciRun].map((setting) => commandsVerdict(["hpcc"], setting))).toEqual([
      "skip",
      "fail",
      "fail",
      "fail",
    ]);
  });

  it("finds commands on PATH without passing the name through a shell", () => {
    expect(commandExists("sh")).toBe(true);
    expect(commandExists("no-such-command-aws-bench")).toBe(false);
    expect(commandExists("sh; exit 0")).toBe(false);
  });
});

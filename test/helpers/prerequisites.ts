/**
 * Tests that need something from outside the repository — `../shared`'s fixtures, a C compiler, Debian's hpcc,
 * shellcheck, pgrep — may be skipped on a developer's machine that lacks it, and only there. Where the project's CI
 * runs, a missing prerequisite is a failing test, never a silent skip:
 *
 * - `../shared` fixtures: required wherever `../shared` exists beside the clone (as on the project's machines and
 *   in `.ci/run`); a fixture missing from it is a failure. GitHub's runners have no `../shared`, so there they skip.
 * - commands: required wherever `CI=true` (GitHub's runners, `.ci/run`) or `../shared` exists; `.ci/run` and
 *   `.github/workflows/ci.yml` install them.
 *
 * Each helper returns whether the prerequisite is there (for `describe.skipIf(!…)`); when it is missing where it is
 * required, it also registers a failing test that names what is missing and how to install it.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { it } from "vitest";

const root = join(import.meta.dirname, "..", "..");

/** `../shared` beside the repository: the project's fixtures that are not copied into it. */
export const sharedDir = join(root, "..", "shared");

/** Where a prerequisite must be present: whether `../shared` exists, and whether this is CI. */
export interface PrerequisiteSetting {
  sharedPresent: boolean;
  ci: boolean;
}

/** The setting of this process: `../shared` beside the clone, `CI=true` in the environment. */
export function currentSetting(env: NodeJS.ProcessEnv = process.env): PrerequisiteSetting {
  return { sharedPresent: existsSync(sharedDir), ci: env["CI"] === "true" };
}

/** What a missing prerequisite means here: `run` (present), `skip` (a developer's machine) or `fail`. */
export type PrerequisiteVerdict = "run" | "skip" | "fail";

/** The verdict for fixtures from `../shared`: required wherever `../shared` exists. */
export function sharedFixturesVerdict(missing: readonly string[], setting: PrerequisiteSetting): PrerequisiteVerdict {
  if (missing.length === 0) return "run";
  return setting.sharedPresent ? "fail" : "skip";
}

/** The verdict for commands: required in CI and wherever `../shared` exists. */
export function commandsVerdict(missing: readonly string[], setting: PrerequisiteSetting): PrerequisiteVerdict {
  if (missing.length === 0) return "run";
  return setting.ci || setting.sharedPresent ? "fail" : "skip";
}

function settle(verdict: PrerequisiteVerdict, what: string, problem: string): boolean {
  if (verdict === "run") return true;
  if (verdict === "skip") {
    console.warn(`${what} skipped: ${problem}`);
    return false;
  }
  it(`has its prerequisites: ${what}`, () => {
    throw new Error(`${what} cannot run: ${problem}. Here (CI, or ../shared beside the clone) it must not skip.`);
  });
  return false;
}

/**
 * Whether the fixture files under `../shared` that `what` needs are all there.
 *
 * @param what - the tests that need them, as the warning or the failing test names them
 * @param paths - absolute paths of the files
 */
export function hasSharedFixtures(what: string, paths: readonly string[]): boolean {
  const missing = paths.filter((path) => !existsSync(path));
  const shown = missing.map((path) => relative(root, path)).join(", ");
  return settle(sharedFixturesVerdict(missing, currentSetting()), what, `missing ${shown}`);
}

/** Whether a command is on PATH. */
export function commandExists(command: string): boolean {
  return spawnSync("sh", ["-c", 'command -v "$1"', "sh", command], { stdio: "ignore" }).status === 0;
}

/**
 * Whether every command `what` needs is on PATH.
 *
 * @param what - the tests that need them
 * @param commands - command names
 * @param install - how to install them (e.g. `apt-get install hpcc`)
 */
export function hasCommands(what: string, commands: readonly string[], install: string): boolean {
  const missing = commands.filter((command) => !commandExists(command));
  return settle(commandsVerdict(missing, currentSetting()), what, `${missing.join(", ")} not installed (${install})`);
}

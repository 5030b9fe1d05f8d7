/**
 * ProcessGroupSet: a command is over when nothing it started is left. Real processes (sh, sleep), checked by the
 * process ids the scripts record and by a marker unique to each test in their command lines.
 */
import { randomInt } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { ProcessGroupSet, killGraceMs } from "../../../src/runner/processes.js";
import { isAlive, processesMatching } from "../../helpers/processes.js";
import { useTempDir } from "../../helpers/temp-dir.js";

const tempDir = useTempDir();
const markers: string[] = [];

afterEach(() => {
  // Whatever a failing test left behind is killed, so one failure does not leak into the machine.
  for (const marker of markers.splice(0)) for (const { pid } of processesMatching(marker)) process.kill(pid, "SIGKILL");
});

/** A unique sleep duration (the marker) and a script that starts a helper ignoring SIGTERM, holding no pipe. */
function script(body: (marker: string, dir: string) => string[]) {
  const dir = tempDir();
  const marker = `59.${randomInt(100_000, 1_000_000)}`;
  markers.push(marker);
  const path = join(dir, "bench.sh");
  writeFileSync(path, ["#!/bin/sh", ...body(marker, dir), ""].join("\n"), { mode: 0o755 });
  const spec = (timeoutSeconds: number) => ({
    command: path,
    args: [],
    cwd: dir,
    env: {},
    stdoutFile: join(dir, "out.txt"),
    stderrFile: join(dir, "err.txt"),
    timeoutSeconds,
  });
  const pid = (name: string) => Number(readFileSync(join(dir, `${name}.pid`), "utf8"));
  return { dir, marker, spec, pid };
}

const stubbornHelper = (marker: string, dir: string) => [
  `sh -c 'trap "" TERM; touch "$1/ready"; exec sleep ${marker}' sh "${dir}" </dev/null >/dev/null 2>&1 &`,
  `echo $! > "${dir}/stubborn.pid"`,
  `while [ ! -f "${dir}/ready" ]; do sleep 0.01; done`,
];

describe("ProcessGroupSet", () => {
  it("a timeout stops the whole group, a helper that ignores SIGTERM included, before run returns", async () => {
    const { marker, spec, pid } = script((marker, dir) => [
      ...stubbornHelper(marker, dir),
      `sleep ${marker} &`,
      `echo $! > "${dir}/sleep.pid"`,
      "wait",
    ]);
    const outcome = await new ProcessGroupSet().run(spec(0.5));
    expect(outcome).toMatchObject({ timedOut: true, interrupted: false, exitCode: null, signal: "SIGTERM" });
    // The helper outlived SIGTERM and needed the SIGKILL that follows the grace period.
    expect(outcome.seconds).toBeGreaterThanOrEqual(killGraceMs / 1000);
    expect([isAlive(pid("stubborn")), isAlive(pid("sleep"))]).toEqual([false, false]);
    expect(processesMatching(`sleep ${marker}`)).toEqual([]);
  }, 20_000);

  it("a command that exits leaving a process behind in its group: that process is stopped too", async () => {
    const { marker, spec, pid } = script((marker, dir) => [
      `sleep ${marker} </dev/null >/dev/null 2>&1 &`,
      `echo $! > "${dir}/left.pid"`,
      "echo done",
    ]);
    const outcome = await new ProcessGroupSet().run(spec(30));
    expect(outcome).toMatchObject({ exitCode: 0, timedOut: false, interrupted: false });
    expect(outcome.seconds).toBeLessThan(killGraceMs / 1000);
    expect(isAlive(pid("left"))).toBe(false);
    expect(processesMatching(`sleep ${marker}`)).toEqual([]);
  });

  it("Ctrl-C stops the running command; a second Ctrl-C kills what is left at once", async () => {
    const { dir, marker, spec, pid } = script((marker, dir) => [
      ...stubbornHelper(marker, dir),
      `touch "${dir}/started"`,
      "wait",
    ]);
    const processes = new ProcessGroupSet();
    const running = processes.run(spec(30));
    while (!existsSync(join(dir, "started"))) await sleep(10);
    processes.stopAll();
    await sleep(200);
    // The script died of SIGTERM; its helper did not, and the run is still waiting for it.
    expect(isAlive(pid("stubborn"), marker)).toBe(true);
    processes.stopAll(true);
    const outcome = await running;
    expect(outcome.interrupted).toBe(true);
    expect(outcome.seconds).toBeLessThan(killGraceMs / 1000);
    expect(isAlive(pid("stubborn"))).toBe(false);
    // Interrupted: nothing more starts.
    expect(await processes.run(spec(30))).toMatchObject({ interrupted: true, exitCode: null, seconds: 0 });
  });
});

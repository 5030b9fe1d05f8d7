import { readFileSync } from "node:fs";
import { join } from "node:path";

export const fixturesDir = join(import.meta.dirname, "..", "fixtures");

/** Text of a file under test/fixtures/outputs/. */
export function output(path: string): string {
  return readFileSync(join(fixturesDir, "outputs", path), "utf8");
}

export function outputPath(path: string): string {
  return join(fixturesDir, "outputs", path);
}

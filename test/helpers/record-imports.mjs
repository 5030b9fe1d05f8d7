// Node --import hook for tests: prints every module URL the process resolves to stderr as `import: URL`,
// so a test can assert what a command loads (e.g. that --help never loads the AWS SDK).
// The hook runs on the module loader's own thread, whose process.stderr is forwarded to the main thread
// asynchronously: a command that exits at once (under load) lost those lines. Writing to file descriptor 2
// directly is synchronous and process-wide.
import { register } from "node:module";

register(
  "data:text/javascript," +
    encodeURIComponent(`
import { writeSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  writeSync(2, "import: " + result.url + "\\n");
  return result;
}`),
  import.meta.url,
);

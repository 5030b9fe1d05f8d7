// Node --import hook for tests: prints every module URL the process resolves to stderr as `import: URL`,
// so a test can assert what a command loads (e.g. that --help never loads the AWS SDK).
import { register } from "node:module";

register(
  "data:text/javascript," +
    encodeURIComponent(`
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  process.stderr.write("import: " + result.url + "\\n");
  return result;
}`),
  import.meta.url,
);

/**
 * The Pulumi state backend a batch lives on: a local file backend under the user's home by default (no account
 * needed), or an `s3://` backend shared by a team or CI. Each batch's own record (its request, plan and launch
 * outcome) is stored beside the state, so any CI job can rebuild the workspace from the backend alone.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";
import { BenchError } from "../errors.js";

/** A parsed backend URL. */
export type Backend =
  | { kind: "file"; url: string; directory: string }
  | { kind: "s3"; url: string; bucket: string; prefix: string; query: string };

/** `~/.aws-bench`: the tool's own directory (state, work directories). */
export function toolHome(env: NodeJS.ProcessEnv): string {
  // Not AWS_BENCH_*: every such variable is read as a command-line option.
  return join(env["HOME"] ?? homedir(), ".aws-bench");
}

/** The default backend: `file://~/.aws-bench/state`. */
export function defaultBackendUrl(env: NodeJS.ProcessEnv): string {
  return pathToFileURL(join(toolHome(env), "state")).href;
}

/**
 * The backend from `--backend`, else `PULUMI_BACKEND_URL`, else the default. Throws `InvalidArgument` for other
 * schemes (the Pulumi Cloud and azblob/gs backends are not supported by the batch records).
 */
export function resolveBackend(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): Backend {
  // An empty PULUMI_BACKEND_URL (a CI variable left blank) means unset, as it does to Pulumi.
  const url = flag ?? (env["PULUMI_BACKEND_URL"] || defaultBackendUrl(env));
  if (url.startsWith("file://")) {
    // `file://~/x` is Pulumi's spelling of a home-relative directory.
    const raw = url.slice("file://".length);
    let directory: string;
    try {
      directory = raw.startsWith("~/")
        ? join(env["HOME"] ?? homedir(), raw.slice(2))
        : raw.startsWith("/")
          ? fileURLToPath(`file://${raw}`)
          : resolve(cwd, raw);
    } catch (error) {
      throw new BenchError(
        "InvalidArgument",
        `Backend '${url}' is not a valid file URL: ${(error as Error).message}.`,
        {
          fix: "Percent-encode special characters, or pass a plain path: file:///home/me/state.",
        },
      );
    }
    if (existsSync(directory) && !statSync(directory).isDirectory()) {
      throw new BenchError("InvalidArgument", `Backend '${url}' is a file, not a directory.`, {
        fix: "Point --backend (or PULUMI_BACKEND_URL) at a directory, or leave it out for ~/.aws-bench/state.",
      });
    }
    return { kind: "file", url: pathToFileURL(directory).href, directory };
  }
  const s3 = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(\/[^?]*)?(\?.*)?$/.exec(url);
  if (s3) {
    const prefix = (s3[2] ?? "").replace(/^\/+|\/+$/g, "");
    return { kind: "s3", url, bucket: s3[1] as string, prefix, query: s3[3] ?? "" };
  }
  if (url.startsWith("s3://")) {
    throw new BenchError(
      "InvalidArgument",
      `Backend '${url}' does not name an S3 bucket (3–63 lowercase letters, digits, dots and hyphens).`,
      { fix: "Pass --backend s3://BUCKET[/PREFIX]." },
    );
  }
  throw new BenchError("InvalidArgument", `Backend '${url}' is not a file:// or s3:// URL.`, {
    fix: "Pass --backend s3://BUCKET[/PREFIX] (shared) or leave it out for the local file backend under ~/.aws-bench/state.",
  });
}

/** In CI, steps run in separate jobs: a file backend on the job's disk would be lost between them. */
export function requireSharedBackend(backend: Backend, env: NodeJS.ProcessEnv, step: string): void {
  if (backend.kind === "file" && env["CI"] && env["CI"] !== "false") {
    throw new BenchError(
      "BackendNotShared",
      `'${step}' in CI needs a shared state backend; ${backend.url} is on this job's disk and does not survive to the next job.`,
      {
        fix: "Set PULUMI_BACKEND_URL=s3://YOUR-STATE-BUCKET/state (or pass --backend) in every job of the workflow.",
      },
    );
  }
}

/** Characters AWS allows in tag values (IAM is the strictest); others become `_`. */
function tagSafe(text: string): string {
  return text.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, "_");
}

/**
 * The `aws-bench:backend` tag of a backend: what cleanup compares to decide that a batch is its own. An S3
 * backend is its bucket and prefix (no query: `?` is not allowed in tags). A file backend's path is the same on
 * many machines (`/root/.aws-bench/state`), so it carries the backend's own random id, made once and kept in
 * `<dir>/.aws-bench/backend-id`: another machine's batches never look like this backend's.
 */
export function backendTag(backend: Backend): string {
  if (backend.kind === "s3") return tagSafe(`s3://${backend.bucket}${backend.prefix ? `/${backend.prefix}` : ""}`);
  const idFile = join(backend.directory, ".aws-bench", "backend-id");
  const read = (): string | undefined => {
    try {
      return readFileSync(idFile, "utf8").trim() || undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new BenchError("InputUnreadable", `Cannot read ${idFile}: ${(error as Error).message}.`, {
        fix: "Check the permissions of the state directory.",
      });
    }
  };
  let id = read();
  if (id === undefined) {
    try {
      // Owner-only, like everything the tool keeps under ~/.aws-bench (the state beside it is the user's alone).
      mkdirSync(join(backend.directory, ".aws-bench"), { recursive: true, mode: 0o700 });
      writeFileSync(idFile, `${randomBytes(6).toString("hex")}\n`, { flag: "wx", mode: 0o600 });
    } catch (error) {
      // Another process made it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== "EEXIST")
        throw new BenchError("WriteFailed", `Cannot write ${idFile}: ${(error as Error).message}.`, {
          fix: "Check the permissions of the state directory.",
        });
    }
    id = read();
  }
  return tagSafe(`${backend.url}@${id}`);
}

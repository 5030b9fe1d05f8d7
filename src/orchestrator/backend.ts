/**
 * The Pulumi state backend a batch lives on: a local file backend under the user's home by default (no account
 * needed), or an `s3://` backend shared by a team or CI. Each batch's own record (its request, plan and launch
 * outcome) is stored beside the state, so any CI job can rebuild the workspace from the backend alone.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";
import { regionPattern } from "../aws/clients.js";
import { BenchError } from "../errors.js";

/**
 * Where and how an S3 backend's objects are reached, from its URL's query as Pulumi reads it (gocloud.dev's s3blob):
 * the batch records must land beside the state, so the store's client uses the same settings.
 */
export interface S3Access {
  /** `?region=`: the bucket's region. */
  region?: string;
  /** `?endpoint=` as a URL (a bare host gets `https://`, or `http://` with `disableSSL`/`disable_https`). */
  endpoint?: string;
  /** `?s3ForcePathStyle=` / `?use_path_style=`; when absent, path style is used with a custom endpoint. */
  forcePathStyle?: boolean;
  /** `?profile=`: the shared-config profile whose credentials reach the bucket. */
  profile?: string;
}

/** A parsed backend URL. */
export type Backend =
  | { kind: "file"; url: string; directory: string }
  | { kind: "s3"; url: string; bucket: string; prefix: string; query: string; access: S3Access };

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
    const query = s3[3] ?? "";
    return { kind: "s3", url, bucket: s3[1] as string, prefix, query, access: s3Access(url, query) };
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

/** Query settings that change where a backend's objects are, or who reaches them: honoured by the store too. */
const placingSettings = [
  "region",
  "endpoint",
  "s3ForcePathStyle",
  "use_path_style",
  "disableSSL",
  "disable_https",
  "profile",
];
/** Query settings of s3blob that leave the objects where they are (SDK choice, encryption, rate, endpoint variant). */
const neutralSettings = ["awssdk", "dualstack", "fips", "accelerate", "sse_type", "kmskeyid", "rate_limiter_capacity"];

/** The {@link S3Access} an S3 backend URL's query gives; throws `InvalidArgument` for a setting it cannot honour. */
function s3Access(url: string, query: string): S3Access {
  const params = new URLSearchParams(query.replace(/^\?/, ""));
  const bad = (what: string, fix: string) => new BenchError("InvalidArgument", `Backend '${url}': ${what}.`, { fix });
  for (const key of new Set(params.keys())) {
    if (!placingSettings.includes(key) && !neutralSettings.includes(key))
      throw bad(
        `the setting '${key}' is not one aws-bench knows, so it cannot tell whether its batch records would land beside Pulumi's state`,
        `Use only ${[...placingSettings, ...neutralSettings].join(", ")} in the query.`,
      );
    if (params.getAll(key).length > 1) throw bad(`'${key}' is given twice`, `Give '${key}' once.`);
  }
  const flag = (key: string): boolean | undefined => {
    const value = params.get(key);
    if (value === null) return undefined;
    if (value !== "true" && value !== "false")
      throw bad(`'${key}=${value}' is not true or false`, `Write ${key}=true or ${key}=false.`);
    return value === "true";
  };
  const access: S3Access = {};
  const region = params.get("region");
  if (region !== null) {
    if (!regionPattern.test(region))
      throw bad(`'region=${region}' is not an AWS region name`, "Write region=us-east-1 or similar.");
    access.region = region;
  }
  const endpoint = params.get("endpoint");
  if (endpoint !== null) {
    const plain = flag("disableSSL") ?? flag("disable_https") ?? false;
    const full = /^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `${plain ? "http" : "https"}://${endpoint}`;
    let parsed: URL;
    try {
      parsed = new URL(full);
    } catch {
      throw bad(
        `'endpoint=${endpoint}' is not a host or URL`,
        "Write endpoint=https://HOST[:PORT] (percent-encoded in the URL).",
      );
    }
    if (
      !["http:", "https:"].includes(parsed.protocol) ||
      parsed.username ||
      parsed.password ||
      parsed.search ||
      parsed.hash
    )
      throw bad(
        `'endpoint=${endpoint}' must be an http(s) URL without credentials or query`,
        "Write endpoint=https://HOST[:PORT].",
      );
    access.endpoint = full.replace(/\/+$/, "");
  }
  const pathStyle = flag("s3ForcePathStyle") ?? flag("use_path_style");
  if (pathStyle !== undefined) access.forcePathStyle = pathStyle;
  const profile = params.get("profile");
  if (profile !== null) {
    if (!/^[\w.+@-]{1,128}$/.test(profile))
      throw bad(`'profile=${profile}' is not a profile name`, "Name a profile of ~/.aws/config.");
    access.profile = profile;
  }
  return access;
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

/** Longest tag value AWS allows. */
const maxTagValue = 256;

/**
 * A tag value for `text`: characters AWS does not allow in tag values (IAM is the strictest) become `_`, and a text
 * too long for a tag keeps its beginning and ends in a hash of the whole (`…+<12 hex>`), so two long backends that
 * differ only near their ends (a file backend's id is at its end) still get different tags.
 */
function tagSafe(text: string): string {
  const safe = text.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, "_");
  if ([...safe].length <= maxTagValue) return safe;
  const hash = createHash("sha256").update(text).digest("hex").slice(0, 12);
  return `${[...safe].slice(0, maxTagValue - hash.length - 1).join("")}+${hash}`;
}

/**
 * The `aws-bench:backend` tag of a backend: what cleanup compares to decide that a batch is its own. An S3
 * backend is its bucket and prefix (no query: `?` is not allowed in tags), and its endpoint's host when it has one. A file backend's path is the same on
 * many machines (`/root/.aws-bench/state`), so it carries the backend's own random id, made once and kept in
 * `<dir>/.aws-bench/backend-id`: another machine's batches never look like this backend's.
 */
export function backendTag(backend: Backend): string {
  if (backend.kind === "s3") {
    // Another endpoint is another storage service: the same bucket name there is another backend.
    const host = backend.access.endpoint ? `@${new URL(backend.access.endpoint).host}` : "";
    return tagSafe(`s3://${backend.bucket}${backend.prefix ? `/${backend.prefix}` : ""}${host}`);
  }
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

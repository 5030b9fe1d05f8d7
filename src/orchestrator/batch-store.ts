/**
 * Files of a batch kept beside its Pulumi state: `<backend>/.aws-bench/batches/<batch id>/<name>`. The batch
 * record (request, plan, launch outcome) and any console output saved before destroy live here, so a later CI
 * job, `status` or `cleanup` reads them from the backend alone.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { getObject, listObjects, putObject } from "../aws/s3-objects.js";
import type { Backend } from "./backend.js";

/** Where a batch's own files live. */
export interface BatchStore {
  /** The backend URL, for messages. */
  readonly url: string;
  /** A file of a batch, or undefined when absent. */
  read(batchId: string, name: string): Promise<string | undefined>;
  /** Writes a file of a batch whole (never half-written). */
  write(batchId: string, name: string, body: string): Promise<void>;
  /** Batch ids with any file stored. */
  list(): Promise<string[]>;
}

const storeFolder = ".aws-bench/batches";

/** A store in a file backend's directory; its folders and files are the owner's alone (0700, 0600). */
export function fileBatchStore(directory: string, url: string): BatchStore {
  const root = join(directory, storeFolder);
  return {
    url,
    read(batchId, name) {
      try {
        return Promise.resolve(readFileSync(join(root, batchId, name), "utf8"));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return Promise.resolve(undefined);
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
    write(batchId, name, body) {
      const dir = join(root, batchId);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const temporary = join(dir, `.${name}.${process.pid}.tmp`);
      writeFileSync(temporary, body, { mode: 0o600 });
      renameSync(temporary, join(dir, name));
      return Promise.resolve();
    },
    list() {
      try {
        return Promise.resolve(
          readdirSync(root, { withFileTypes: true })
            .filter((entry) => entry.isDirectory())
            .map((entry) => entry.name)
            .sort(),
        );
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return Promise.resolve([]);
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
  };
}

/** A store in an S3 backend's bucket, under its prefix. */
export function s3BatchStore(s3: S3Client, bucket: string, prefix: string, url: string, region?: string): BatchStore {
  const root = prefix ? `${prefix}/${storeFolder}` : storeFolder;
  return {
    url,
    read: async (batchId, name) =>
      (await getObject(s3, bucket, `${root}/${batchId}/${name}`, region))?.toString("utf8"),
    write: (batchId, name, body) => putObject(s3, bucket, `${root}/${batchId}/${name}`, body, region),
    list: async () =>
      (await listObjects(s3, bucket, `${root}/`, { delimiter: "/", region })).prefixes
        .map((p) => p.slice(root.length + 1).replace(/\/$/, ""))
        .sort(),
  };
}

/** The store of a backend; `s3` is only needed (and only built) for an S3 backend. */
export function batchStoreFor(backend: Backend, s3?: S3Client, region?: string): BatchStore {
  if (backend.kind === "file") return fileBatchStore(backend.directory, backend.url);
  if (!s3) throw new Error("an S3 backend needs an S3 client");
  return s3BatchStore(s3, backend.bucket, backend.prefix, backend.url, region);
}

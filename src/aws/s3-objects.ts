/**
 * The S3 object calls the tool makes — read one object (absent is not an error), list keys or common prefixes
 * under a prefix over every page, write one object — with SDK errors turned into `BenchError`s naming the action.
 * Used by the results bucket and by the batch records stored on an S3 state backend.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { awsErrorToBenchError } from "./errors.js";

/** The object's bytes, or undefined when there is no such key. */
export async function getObject(
  s3: S3Client,
  bucket: string,
  key: string,
  region?: string,
): Promise<Buffer | undefined> {
  const { GetObjectCommand } = await import("@aws-sdk/client-s3");
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await (response.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
  } catch (error) {
    if ((error as { name?: string }).name === "NoSuchKey") return undefined;
    throw awsErrorToBenchError(error, { action: "s3:GetObject", region });
  }
}

/** Every key under `prefix` and, with a delimiter, the common prefixes ("folders") below it. */
export async function listObjects(
  s3: S3Client,
  bucket: string,
  prefix: string,
  options: { delimiter?: string; region?: string } = {},
): Promise<{ keys: string[]; prefixes: string[] }> {
  const { ListObjectsV2Command } = await import("@aws-sdk/client-s3");
  const keys: string[] = [];
  const prefixes: string[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix,
          ...(options.delimiter ? { Delimiter: options.delimiter } : {}),
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      for (const common of page.CommonPrefixes ?? []) if (common.Prefix) prefixes.push(common.Prefix);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } catch (error) {
    throw awsErrorToBenchError(error, { action: "s3:ListBucket", region: options.region });
  }
  return { keys, prefixes };
}

/** Writes one object whole (S3 never shows a half-written object). */
export async function putObject(
  s3: S3Client,
  bucket: string,
  key: string,
  body: string,
  region?: string,
): Promise<void> {
  const { PutObjectCommand } = await import("@aws-sdk/client-s3");
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: key.endsWith(".json") ? "application/json" : "text/plain",
      }),
    );
  } catch (error) {
    throw awsErrorToBenchError(error, { action: "s3:PutObject", region });
  }
}

/* DO NOT EDIT: generated from schemas/batch-record.schema.json by `npm run generate:types`. */

import type { BatchSpec } from "./batch-spec.js";

/**
 * <backend>/.aws-bench/batches/<id>/batch.json: one batch's request, plan and launch outcome, stored beside its Pulumi state by `aws-bench run`/`preview` so every later step (up, collect, destroy, status, cleanup) can rebuild its workspace from the backend alone. Private to the backend: never published. Version 2 (version 1 kept the stack config as flat strings; aws-bench reads it and rewrites it as version 2).
 */
export interface BatchRecord {
  schemaVersion: 2;
  batchId: string;
  stackName: string;
  region: string;
  /**
   * The state backend URL (file:// or s3://).
   */
  backend: string;
  createdAt: string;
  createdBy: string;
  /**
   * When cleanup may destroy the batch: the longest instance life plus an hour.
   */
  expiresAt: string;
  request: {
    /**
     * @minItems 1
     */
    instanceTypes: string[];
    /**
     * Benchmark names as the runner's registry knows them.
     *
     * @minItems 1
     */
    benchmarks: string[];
    repeat: number;
    spot: boolean;
    quick: boolean;
    resultsBucket: string;
    maxMinutes?: number;
    maxCostUsd?: number;
    /**
     * Registry/namespace of prebuilt images (--images).
     */
    images?: string;
  };
  spec: BatchSpec;
  /**
   * For a capacity retry in the next zone: the zone IDs offering each type (read at planning) and the instances (`type/repeat`) already moved once.
   */
  zoneRetry?: {
    offerings: {
      [k: string]: string[];
    };
    retried: string[];
  };
  instances: {
    instanceType: string;
    repeat: number;
    /**
     * Key prefix in the results bucket: batches/<id>/<type>/<repeat>.
     */
    resultsPrefix: string;
    expectedMinutes: number;
    /**
     * Boot plus the shutdown timer: no status after this means the instance is gone.
     */
    maximumMinutes: number;
    usdPerHour?: number;
    /**
     * Why it was not launched (quota, capacity…), with the fix.
     */
    skipped?: string;
    /**
     * The digest of the image the instance was launched to pull (its aws-bench:image-digest tag in the stack's state, recorded after up); collect publishes only a result naming this digest.
     */
    imageDigest?: string;
  }[];
  estimate?: {
    costUsdExpected?: number | null;
    costUsdMaximum?: number | null;
    instanceMinutesExpected?: number;
  };
  launch?: {
    startedAt: string;
    finishedAt?: string;
    failed?: {
      instanceType: string;
      repeat: number;
      /**
       * AWS error code, e.g. InsufficientInstanceCapacity.
       */
      code?: string;
      reason: string;
    }[];
  };
  destroyedAt?: string;
}

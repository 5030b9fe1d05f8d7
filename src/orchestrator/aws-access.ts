/**
 * The AWS calls of the batch lifecycle beyond Pulumi, as small interfaces: reading the results bucket, and
 * watching instances (state, and console output saved before destroy when an instance dies without a status).
 * The S3 and EC2 implementations are here; tests give in-memory fakes or `aws-sdk-client-mock`.
 */
import type { EC2Client, Filter, Instance } from "@aws-sdk/client-ec2";
import type { S3Client } from "@aws-sdk/client-s3";
import { awsErrorToBenchError } from "../aws/errors.js";
import { getObject, listObjects } from "../aws/s3-objects.js";
import {
  backendTagKey,
  batchTagKey,
  instanceTagKey,
  managedByTagKey,
  managedByTagValue,
  parseInstanceTag,
  type InstanceKey,
} from "../../stacks/batch-naming.js";

/** Read access to the results bucket. */
export interface ResultsBucket {
  /** The bucket's name. */
  readonly bucket: string;
  /** The object's bytes, or undefined when it does not exist (yet). */
  get(key: string): Promise<Buffer | undefined>;
  /** Every key under `prefix`. */
  list(prefix: string): Promise<string[]>;
}

/** An instance's state as EC2 reports it. */
export interface InstanceState {
  /** pending, running, shutting-down, terminated, stopping, stopped. */
  state: string;
  /** Why it changed state (e.g. `Client.InstanceInitiatedShutdown`, `Server.SpotInstanceTermination`). */
  reason?: string;
  /** The zone it runs in. */
  zone?: string;
  /** When it was launched (ISO). */
  launchTime?: string;
}

/** An EC2 instance of a batch, found by its tags: its state, and which planned instance it is. */
export interface BatchInstance extends InstanceState {
  /** Instance id. */
  id: string;
  /** The planned instance its instance tag names (absent when the tag is missing or unreadable). */
  planned?: InstanceKey;
}

/** What the lifecycle asks EC2 about its instances. */
export interface InstanceWatch {
  /** States of the instances, by id (an id EC2 no longer knows is absent). */
  states(ids: string[]): Promise<Record<string, InstanceState>>;
  /** The instance's latest console output, decoded, or undefined when there is none. */
  consoleOutput(id: string): Promise<string | undefined>;
  /**
   * The instances the tool launched for `batchId` on this backend (managed-by, batch and backend tags, whether or
   * not Pulumi knows them), each with the planned instance its instance tag names; terminated ones too, while EC2
   * still lists them (about an hour).
   */
  ofBatch(batchId: string, backendTag: string): Promise<BatchInstance[]>;
  /** Terminates instances. */
  terminate(ids: string[]): Promise<void>;
}

/** What EC2's description of an instance says of its state. */
function stateOf(instance: Instance): InstanceState {
  return {
    state: instance.State?.Name ?? "unknown",
    ...(instance.StateReason?.Message ? { reason: instance.StateReason.Message } : {}),
    ...(instance.Placement?.AvailabilityZone ? { zone: instance.Placement.AvailabilityZone } : {}),
    ...(instance.LaunchTime ? { launchTime: new Date(instance.LaunchTime).toISOString() } : {}),
  };
}

/** The results bucket through S3. */
export function s3ResultsBucket(s3: S3Client, bucket: string, region: string): ResultsBucket {
  return {
    bucket,
    get: (key) => getObject(s3, bucket, key, region),
    list: async (prefix) => (await listObjects(s3, bucket, prefix, { region })).keys,
  };
}

/** Instance states and console output through EC2. */
export function ec2InstanceWatch(ec2: EC2Client, region: string): InstanceWatch {
  async function describe(filters: Filter[]): Promise<Instance[]> {
    const { DescribeInstancesCommand } = await import("@aws-sdk/client-ec2");
    const found: Instance[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await ec2.send(
          new DescribeInstancesCommand({ Filters: filters, ...(token ? { NextToken: token } : {}) }),
        );
        found.push(...(page.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []));
        token = page.NextToken;
      } while (token);
    } catch (error) {
      throw awsErrorToBenchError(error, { action: "ec2:DescribeInstances", region });
    }
    return found;
  }
  return {
    async states(ids) {
      if (ids.length === 0) return {};
      const states: Record<string, InstanceState> = {};
      // A filter takes at most 200 values.
      for (let start = 0; start < ids.length; start += 200) {
        for (const instance of await describe([{ Name: "instance-id", Values: ids.slice(start, start + 200) }]))
          if (instance.InstanceId) states[instance.InstanceId] = stateOf(instance);
      }
      return states;
    },
    async ofBatch(batchId, backendTag) {
      // All three tags: a batch id is unique only within one backend, another backend's batch is not ours, and a
      // batch tag copied onto someone else's instance is not enough.
      const instances = await describe([
        { Name: `tag:${managedByTagKey}`, Values: [managedByTagValue] },
        { Name: `tag:${batchTagKey}`, Values: [batchId] },
        { Name: `tag:${backendTagKey}`, Values: [backendTag] },
      ]);
      const found: BatchInstance[] = [];
      for (const instance of instances) {
        if (!instance.InstanceId) continue;
        const planned = parseInstanceTag(instance.Tags?.find((tag) => tag.Key === instanceTagKey)?.Value);
        found.push({ id: instance.InstanceId, ...stateOf(instance), ...(planned ? { planned } : {}) });
      }
      return found;
    },
    async terminate(ids) {
      if (ids.length === 0) return;
      const { TerminateInstancesCommand } = await import("@aws-sdk/client-ec2");
      try {
        await ec2.send(new TerminateInstancesCommand({ InstanceIds: ids }));
      } catch (error) {
        throw awsErrorToBenchError(error, { action: "ec2:TerminateInstances", region });
      }
    },
    async consoleOutput(id) {
      const { GetConsoleOutputCommand } = await import("@aws-sdk/client-ec2");
      // `Latest` works only on Nitro instances; older types answer an error for it, and the buffered output without.
      for (const latest of [true, false]) {
        try {
          const response = await ec2.send(
            new GetConsoleOutputCommand({ InstanceId: id, ...(latest ? { Latest: true } : {}) }),
          );
          return response.Output ? Buffer.from(response.Output, "base64").toString("utf8") : undefined;
        } catch (error) {
          const name = String((error as { name?: string }).name);
          // A terminated instance's console may be gone: that is "no output", not a failure of the batch.
          if (/InvalidInstanceID|IncorrectInstanceState/.test(name)) return undefined;
          if (latest && /Unsupported|InvalidParameter/.test(name)) continue;
          throw awsErrorToBenchError(error, { action: "ec2:GetConsoleOutput", region });
        }
      }
      return undefined;
    },
  };
}

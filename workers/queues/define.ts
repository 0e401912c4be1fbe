import type { JobsOptions } from "bullmq";
import type { z } from "zod";

export type JobSchemas = Record<string, z.ZodType>;

/** A queue's name, its job-name → payload-schema map, and its default job options. */
export interface QueueDef<Jobs extends JobSchemas> {
  name: string;
  jobs: Jobs;
  defaults: JobsOptions;
  concurrency: number;
}

export type JobName<Q> = Q extends QueueDef<infer J> ? Extract<keyof J, string> : never;
export type JobPayload<Q, N extends string> =
  Q extends QueueDef<infer J> ? (N extends keyof J ? z.output<J[N]> : never) : never;

/** Exponential backoff from 1 s; BullMQ adds jitter. Completed jobs kept 1 day, failed 1 week. */
const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: "exponential", delay: 1_000, jitter: 0.5 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

export function defineQueue<Jobs extends JobSchemas>(
  name: string,
  jobs: Jobs,
  opts: { defaults?: JobsOptions; concurrency?: number } = {},
): QueueDef<Jobs> {
  return {
    name,
    jobs,
    defaults: { ...DEFAULT_JOB_OPTIONS, ...opts.defaults },
    concurrency: opts.concurrency ?? 4,
  };
}

import { z } from "zod";
import { defineQueue } from "./define";

/**
 * Deliveries to partner nodes: one job per outbox row, its id the job id, so a re-queue never
 * doubles it. The job that finds the partner free sends its whole backlog in batches; the
 * others find their row delivered. Jobs are removed once done, so the sweep (and a replay)
 * can queue a row again under the same id while it is still pending.
 */
export const federationQueue = defineQueue(
  "federation",
  {
    "federation.deliver": z.strictObject({
      outboxId: z.string().min(1).max(40),
      partner: z.string().min(1).max(16),
    }),
    "federation.sweep": z.strictObject({}),
    "federation.heartbeat": z.strictObject({}),
    "federation.pull": z.strictObject({}),
  },
  {
    defaults: {
      attempts: 12,
      backoff: { type: "exponential", delay: 1_000, jitter: 0.5 },
      removeOnComplete: true,
      removeOnFail: true,
    },
    concurrency: 8,
  },
);

import { z } from "zod";
import { defineQueue } from "./define";

/**
 * Webhook deliveries (one job per delivery, the delivery id as job id) and the sweep that
 * re-queues deliveries whose after-commit enqueue was lost. Twelve attempts with exponential
 * backoff from 1 s (doubling, less up to half for jitter) span 17 to 34 minutes before a
 * delivery is marked failed.
 */
export const webhooksQueue = defineQueue(
  "webhooks",
  {
    "webhook.deliver": z.strictObject({ deliveryId: z.string().min(1).max(40) }),
    "webhooks.sweep": z.strictObject({}),
  },
  {
    defaults: {
      attempts: 12,
      backoff: { type: "exponential", delay: 1_000, jitter: 0.5 },
    },
    concurrency: 8,
  },
);

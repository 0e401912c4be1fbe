import { UnrecoverableError } from "bullmq";
import { deliverWebhook, pendingDeliveries } from "../../core/webhooks/deliver";
import { webhooksQueue } from "../queues/webhooks";
import type { Processors } from "./types";

/** A delivery younger than this may still be on its way from the after-commit enqueue. */
const SWEEP_GRACE_MS = 30_000;

export const webhooksProcessors: Processors<typeof webhooksQueue> = {
  "webhook.deliver": async ({ deliveryId }, { ctx, logger }, job) => {
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const outcome = await deliverWebhook(ctx, { deliveryId, finalAttempt });
    switch (outcome.kind) {
      case "retry":
        // Thrown so BullMQ backs off and tries again.
        throw new Error(outcome.reason);
      case "rejected":
        logger.warn({ deliveryId, reason: outcome.reason }, "webhook delivery rejected");
        throw new UnrecoverableError(outcome.reason);
      default:
        return outcome;
    }
  },
  "webhooks.sweep": async (_payload, { ctx, logger, queues }) => {
    const ids = await pendingDeliveries(ctx, { olderThanMs: SWEEP_GRACE_MS, limit: 1000 });
    for (const deliveryId of ids) {
      await queues.enqueue(webhooksQueue, "webhook.deliver", { deliveryId }, { jobId: deliveryId });
    }
    if (ids.length > 0) logger.info({ requeued: ids.length }, "pending webhook deliveries queued");
    return { requeued: ids.length };
  },
};

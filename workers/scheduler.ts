import type { BackgroundJob, JobScheduler } from "../core/jobs";
import type { Queues } from "./queues";
import { marketplaceQueue } from "./queues/marketplace";
import { webhooksQueue } from "./queues/webhooks";

/** The domain's after-commit jobs, put on BullMQ queues. */
export function queueScheduler(queues: Queues): JobScheduler {
  return {
    async schedule(job: BackgroundJob): Promise<void> {
      switch (job.kind) {
        case "load.close": {
          const delay = Math.max(0, job.at.getTime() - Date.now());
          // One job per load and closing time: a re-scheduled closing gets its own job.
          const jobId = `close:${job.loadId}:${job.at.getTime()}`;
          await queues.enqueue(
            marketplaceQueue,
            "load.close",
            { loadId: job.loadId },
            {
              delay,
              jobId,
            },
          );
          return;
        }
        case "webhook.deliver": {
          await queues.enqueue(
            webhooksQueue,
            "webhook.deliver",
            { deliveryId: job.deliveryId },
            { jobId: job.deliveryId },
          );
          return;
        }
      }
    },
  };
}

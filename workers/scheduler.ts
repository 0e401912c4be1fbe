import type { BackgroundJob, JobScheduler } from "../core/jobs";
import { timeBox } from "../core/time-box";
import type { Queues } from "./queues";
import { federationQueue } from "./queues/federation";
import { marketplaceQueue } from "./queues/marketplace";
import { reportsQueue } from "./queues/reports";
import { webhooksQueue } from "./queues/webhooks";

/**
 * How long a request waits for its after-commit enqueue. Its rows are committed already, so a
 * queue that is down or slow must not hold the answer: past this the enqueue goes on (or
 * fails) on its own, and the periodic sweeps pick up whatever did not reach the queue.
 */
const ENQUEUE_WAIT_MS = 250;

function enqueue(queues: Queues, job: BackgroundJob): Promise<unknown> {
  switch (job.kind) {
    case "load.close": {
      const delay = Math.max(0, job.at.getTime() - Date.now());
      // One job per load and closing time: a re-scheduled closing gets its own job.
      const jobId = `close:${job.loadId}:${job.at.getTime()}`;
      return queues.enqueue(
        marketplaceQueue,
        "load.close",
        { loadId: job.loadId },
        { delay, jobId },
      );
    }
    case "webhook.deliver":
      return queues.enqueue(
        webhooksQueue,
        "webhook.deliver",
        { deliveryId: job.deliveryId },
        { jobId: job.deliveryId },
      );
    case "federation.deliver":
      return queues.enqueue(
        federationQueue,
        "federation.deliver",
        { outboxId: job.outboxId, partner: job.partner },
        { jobId: job.outboxId },
      );
    case "reports.refresh":
      return queues.enqueue(reportsQueue, "reports.refresh", {}, { jobId: "reports-refresh" });
  }
}

/** The domain's after-commit jobs, put on BullMQ queues. */
export function queueScheduler(
  queues: Queues,
  opts: { onLost?: (job: BackgroundJob, err: unknown) => void } = {},
): JobScheduler {
  return {
    async schedule(job: BackgroundJob): Promise<void> {
      const queued = enqueue(queues, job).catch((err: unknown) => {
        opts.onLost?.(job, err);
      });
      await timeBox(queued, ENQUEUE_WAIT_MS, undefined);
    },
  };
}

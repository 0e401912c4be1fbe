import { UnrecoverableError } from "bullmq";
import { ZodError } from "zod";
import { DomainError } from "../core/errors";
import { timeBox } from "../core/time-box";
import { federationProcessors } from "./processors/federation";
import { housekeepingProcessors } from "./processors/housekeeping";
import { marketplaceProcessors } from "./processors/marketplace";
import { reportsProcessors } from "./processors/reports";
import type { Processors, WorkerDeps } from "./processors/types";
import { webhooksProcessors } from "./processors/webhooks";
import type { JobSchemas, QueueDef } from "./queues/define";

/** How long a stop waits for each worker to finish its jobs and close. */
const WORKER_CLOSE_GRACE_MS = 10_000;

import { federationQueue } from "./queues/federation";
import { housekeepingQueue } from "./queues/housekeeping";
import { marketplaceQueue } from "./queues/marketplace";
import { reportsQueue } from "./queues/reports";
import { webhooksQueue } from "./queues/webhooks";
import type { JobWorker } from "./runtime";

/** Bad payloads and refusals by the domain will fail the same way again: do not retry them. */
function permanent(err: unknown): boolean {
  if (err instanceof ZodError) return true;
  return err instanceof DomainError && err.kind !== "conflict";
}

export function startWorker<Q extends QueueDef<JobSchemas>>(
  def: Q,
  processors: Processors<Q>,
  deps: WorkerDeps,
): JobWorker {
  const table = processors as Record<string, Processors<Q>[keyof Processors<Q>]>;
  const worker = deps.queues.runtime.worker(
    def.name,
    async (job) => {
      const schema = def.jobs[job.name];
      const handler = table[job.name];
      if (!schema || !handler) throw new UnrecoverableError(`unknown job ${def.name}/${job.name}`);
      try {
        const payload = schema.parse(job.data);
        return await (handler as (p: unknown, d: WorkerDeps, j: typeof job) => Promise<unknown>)(
          payload,
          deps,
          job,
        );
      } catch (err) {
        if (permanent(err)) {
          throw new UnrecoverableError(err instanceof Error ? err.message : String(err));
        }
        throw err;
      }
    },
    { concurrency: def.concurrency },
  );
  worker.on("error", (err) => deps.logger.error({ err, queue: def.name }, "worker error"));
  worker.on("failed", (job, err) =>
    deps.logger.warn(
      {
        queue: def.name,
        job: job?.name,
        jobId: job?.id,
        attempts: job?.attemptsMade,
        err: err.message,
      },
      "job failed",
    ),
  );
  return worker;
}

export interface RunningWorkers {
  stop(): Promise<void>;
}

export interface SweepIntervals {
  /** Closes loads whose closing job did not run (lost in a queue outage): 15 s. */
  loadsMs?: number;
  /** Re-queues webhook deliveries still pending: 30 s. */
  webhooksMs?: number;
  /** Re-queues outbox rows still pending for a partner: 15 s. */
  federationMs?: number;
  /** Signed heartbeats to every active partner: 30 s (`CARAVAN_FEDERATION_HEARTBEAT_SECONDS`). */
  federationHeartbeatMs?: number;
  /** Pulls each partner's catch-up feed, closing any gap deliveries left: 5 min. */
  federationPullMs?: number;
  /** Recomputes dirty report facts and cells: 1 s. */
  reportsMs?: number;
}

/** Starts every queue's worker and the node's periodic jobs. */
export async function startWorkers(
  deps: WorkerDeps,
  opts: { sweeps?: SweepIntervals } = {},
): Promise<RunningWorkers> {
  const workers = [
    startWorker(housekeepingQueue, housekeepingProcessors, deps),
    startWorker(marketplaceQueue, marketplaceProcessors, deps),
    startWorker(webhooksQueue, webhooksProcessors, deps),
    startWorker(federationQueue, federationProcessors, deps),
    startWorker(reportsQueue, reportsProcessors, deps),
  ];
  const marketplace = deps.queues.get(marketplaceQueue);
  const schedule = () =>
    Promise.all([
      marketplace.upsertJobScheduler(
        "loads-sweep",
        { every: opts.sweeps?.loadsMs ?? 15_000 },
        { name: "loads.sweep", data: {} },
      ),
      marketplace.upsertJobScheduler(
        "waybills-overdue",
        { every: 60_000 },
        { name: "waybills.overdue", data: {} },
      ),
      deps.queues
        .get(webhooksQueue)
        .upsertJobScheduler(
          "webhooks-sweep",
          { every: opts.sweeps?.webhooksMs ?? 30_000 },
          { name: "webhooks.sweep", data: {} },
        ),
      deps.queues
        .get(federationQueue)
        .upsertJobScheduler(
          "federation-sweep",
          { every: opts.sweeps?.federationMs ?? 15_000 },
          { name: "federation.sweep", data: {} },
        ),
      deps.queues
        .get(federationQueue)
        .upsertJobScheduler(
          "federation-heartbeat",
          { every: opts.sweeps?.federationHeartbeatMs ?? 30_000 },
          { name: "federation.heartbeat", data: {} },
        ),
      deps.queues
        .get(federationQueue)
        .upsertJobScheduler(
          "federation-pull",
          { every: opts.sweeps?.federationPullMs ?? 300_000 },
          { name: "federation.pull", data: {} },
        ),
      deps.queues
        .get(reportsQueue)
        .upsertJobScheduler(
          "reports-refresh",
          { every: opts.sweeps?.reportsMs ?? 1_000 },
          { name: "reports.refresh", data: {} },
        ),
      deps.queues
        .get(housekeepingQueue)
        .upsertJobScheduler(
          "audit-verify-hourly",
          { every: 3_600_000 },
          { name: "audit.verify", data: {} },
        ),
      deps.queues
        .get(housekeepingQueue)
        .upsertJobScheduler(
          "idempotency-purge",
          { every: 600_000 },
          { name: "idempotency.purge", data: {} },
        ),
    ]);
  await schedule();
  // A Redis that comes back empty has lost the schedules with the jobs, and the sweeps are what
  // catches up on work queued during the outage: put them back (upserting is idempotent).
  deps.queues.runtime.onReconnect(() => {
    schedule().catch((err) => deps.logger.warn({ err }, "restoring periodic jobs failed"));
  });
  return {
    async stop() {
      // A worker whose connection is wedged (seen after Redis came back empty) would hold the
      // stop forever. After the grace period it is left to the runtime's close, which drops
      // its connections; a job it still held is retried as stalled, as after a crash.
      const closed = await Promise.all(
        workers.map((w) =>
          timeBox(
            w.close().then(() => true),
            WORKER_CLOSE_GRACE_MS,
            false,
          ),
        ),
      );
      const stuck = closed.filter((ok) => !ok).length;
      if (stuck > 0) {
        deps.logger.warn(
          { stuck, graceMs: WORKER_CLOSE_GRACE_MS },
          "workers did not close in time",
        );
      }
    },
  };
}

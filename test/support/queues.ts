import { randomBytes } from "node:crypto";
import pino, { type Logger } from "pino";
import { inject } from "vitest";
import { composeQueueing, composeWorkers } from "../../api/compose";
import { systemClock } from "../../core/context";
import type { JobScheduler } from "../../core/jobs";
import type { Queues } from "../../workers/queues";
import { postgresRuntime, type QueueRuntime, redisRuntime } from "../../workers/runtime";
import type { TestNode } from "./app";

export interface QueueBackendCase {
  name: "postgres" | "redis";
  /** False when the backend is not reachable in this run; use with `describe.skipIf`. */
  available: boolean;
  /** A runtime isolated from every other test: own Redis prefix or own PostgreSQL schema. */
  create(databaseUrl: string): QueueRuntime;
}

/** Queue tests run on both BullMQ backends: `describe.each(queueBackends())`. */
export function queueBackends(): QueueBackendCase[] {
  const redisUrl = inject("redisUrl");
  const tag = () => randomBytes(4).toString("hex");
  return [
    {
      name: "postgres",
      available: true,
      create: (url) => postgresRuntime(url, { schema: `bullmq_${tag()}` }),
    },
    {
      name: "redis",
      available: redisUrl !== null,
      create: () =>
        redisRuntime(redisUrl ?? "redis://127.0.0.1:6379", { prefix: `caravan_t_${tag()}` }),
    },
  ];
}

export interface RunningTestWorkers {
  queues: Queues;
  stop(): Promise<void>;
}

/**
 * The node's workers on one backend, for a test node: pass `jobs` to `createTestNode`, then
 * `start(node)` once the node (and its database) exists.
 */
export function testWorkers(backend: QueueBackendCase): {
  jobs: JobScheduler;
  /** `logger` (silent by default) lets a test read what the workers log. */
  start(node: TestNode, opts?: { logger?: Logger }): Promise<RunningTestWorkers>;
} {
  let scheduler: JobScheduler | undefined;
  return {
    jobs: {
      schedule(job) {
        if (!scheduler) throw new Error("testWorkers: start(node) first");
        return scheduler.schedule(job);
      },
    },
    async start(node, opts = {}) {
      const runtime = backend.create(node.database.url);
      const { queues, jobs } = composeQueueing(runtime);
      scheduler = jobs;
      // The node's parts with the wall clock, as before: jobs wait on the queue's real delays.
      const workers = await composeWorkers(
        { ...node.parts, clock: systemClock, jobs },
        {
          queues,
          logger: opts.logger ?? pino({ level: "silent" }),
          auditCheckpoints: node.auditCheckpoints,
        },
      );
      return {
        queues,
        async stop() {
          await workers.stop();
          await queues.close();
          await runtime.close();
        },
      };
    },
  };
}

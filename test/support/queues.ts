import { randomBytes } from "node:crypto";
import pino, { type Logger } from "pino";
import { inject } from "vitest";
import { systemClock } from "../../core/context";
import type { JobScheduler } from "../../core/jobs";
import { startWorkers } from "../../workers";
import { Queues } from "../../workers/queues";
import { postgresRuntime, type QueueRuntime, redisRuntime } from "../../workers/runtime";
import { queueScheduler } from "../../workers/scheduler";
import { type TestNode, testFeedCursors } from "./app";

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
      const queues = new Queues(runtime);
      scheduler = queueScheduler(queues);
      const workers = await startWorkers({
        ctx: {
          db: node.database.db,
          actor: { kind: "system", name: "worker" },
          clock: systemClock,
          identity: node.identity,
          network: node.network,
          jobs: scheduler,
          nodeCode: "XJ",
          egress: node.egress,
          feedCursors: testFeedCursors,
        },
        logger: opts.logger ?? pino({ level: "silent" }),
        queues,
        auditCheckpoints: node.auditCheckpoints,
      });
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

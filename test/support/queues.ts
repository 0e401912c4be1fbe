import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { postgresRuntime, type QueueRuntime, redisRuntime } from "../../workers/runtime";

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

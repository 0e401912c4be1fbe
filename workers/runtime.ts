import { once } from "node:events";
import {
  createPostgresBackend,
  type Job,
  type JobsOptions,
  Queue,
  type RepeatOptions,
  Worker,
  withBackend,
} from "bullmq";
import { Redis } from "ioredis";
import { timeBox } from "../core/time-box";

/** The few queue operations the node uses, identical on both backends. */
export interface JobQueue<Data> {
  readonly name: string;
  add(name: string, data: Data, opts?: JobsOptions): Promise<{ id?: string }>;
  upsertJobScheduler(
    id: string,
    repeat: Omit<RepeatOptions, "key">,
    template: { name: string; data: Data; opts?: JobsOptions },
  ): Promise<unknown>;
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export interface JobWorker {
  on(event: "error", listener: (err: Error) => void): unknown;
  on(event: "failed", listener: (job: Job | undefined, err: Error) => void): unknown;
  close(force?: boolean): Promise<void>;
  waitUntilReady(): Promise<unknown>;
}

export interface WorkerSettings {
  concurrency?: number;
}

/**
 * Where BullMQ keeps its jobs: Redis when `REDIS_URL` is set, otherwise the PostgreSQL
 * backend in the node's own database. Queue and worker code is the same either way.
 */
export interface QueueRuntime {
  readonly kind: "redis" | "postgres";
  queue<Data>(name: string, defaults?: JobsOptions): JobQueue<Data>;
  worker<Data>(
    name: string,
    process: (job: Job<Data>) => Promise<unknown>,
    settings?: WorkerSettings,
  ): JobWorker;
  ping(): Promise<boolean>;
  /** Calls `listener` each time the backend is reachable again after an outage. */
  onReconnect(listener: () => void): void;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /**
   * Errors of the backend's connections and queues. They are reported, not fatal: a connection
   * that drops is rebuilt, and readiness tells the outage.
   */
  onError?: (err: Error) => void;
}

/** How long a producer's command (an enqueue, a count) may go unanswered before it fails. */
const PRODUCER_COMMAND_TIMEOUT_MS = 1_000;
/** How long closing waits for each queue or worker before its connections are dropped. */
const CLOSE_GRACE_MS = 5_000;

export function redisRuntime(
  url: string,
  opts: RuntimeOptions & { prefix?: string } = {},
): QueueRuntime {
  const onError = opts.onError ?? (() => {});
  // Workers block on Redis and wait through an outage (BullMQ wants no retry limit there).
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  // Producers (after-commit enqueues, readiness, depths) fail fast instead: while Redis is
  // unreachable a command is refused at once rather than held until Redis returns, and one
  // that gets no answer gives up. The rows are in the database; the sweeps queue them later.
  const producer = new Redis(url, {
    enableOfflineQueue: false,
    commandTimeout: PRODUCER_COMMAND_TIMEOUT_MS,
  });
  // Both reconnect on their own; readiness reports the outage.
  connection.on("error", () => {});
  producer.on("error", () => {});
  const reconnected: (() => void)[] = [];
  let wasReady = false;
  producer.on("ready", () => {
    if (wasReady) for (const listener of reconnected) listener();
    wasReady = true;
  });
  const prefix = opts.prefix ?? "caravan";
  const closers: (() => Promise<void>)[] = [];
  return {
    kind: "redis",
    queue<Data>(name: string, defaults?: JobsOptions) {
      const q = new Queue<Data>(name, {
        connection: producer,
        prefix,
        defaultJobOptions: defaults,
      });
      q.on("error", onError);
      closers.push(() => q.close());
      return q as unknown as JobQueue<Data>;
    },
    worker<Data>(name: string, process: (job: Job<Data>) => Promise<unknown>, s?: WorkerSettings) {
      const w = new Worker<Data>(name, process, {
        connection,
        prefix,
        concurrency: s?.concurrency ?? 4,
      });
      closers.push(() => w.close());
      return w as unknown as JobWorker;
    },
    async ping() {
      try {
        // Just started: give the first connection a moment instead of failing at once.
        if (producer.status !== "ready" && !wasReady) {
          await timeBox(once(producer, "ready"), PRODUCER_COMMAND_TIMEOUT_MS, undefined);
        }
        return (await producer.ping()) === "PONG";
      } catch {
        return false;
      }
    },
    onReconnect(listener) {
      reconnected.push(listener);
    },
    async close() {
      // Bounded: dropping the connections below is what settles a worker wedged on them.
      for (const close of closers.splice(0).reverse()) {
        await timeBox(
          close().catch(() => {}),
          CLOSE_GRACE_MS,
          undefined,
        );
      }
      connection.disconnect();
      producer.disconnect();
    },
  };
}

export function postgresRuntime(
  url: string,
  opts: RuntimeOptions & { schema?: string; poolMax?: number } = {},
): QueueRuntime {
  const onError = opts.onError ?? (() => {});
  const pg = withBackend(createPostgresBackend);
  const connection = {
    connectionString: url,
    // Each queue and each worker has a pool of its own (a worker also a LISTEN connection).
    max: opts.poolMax ?? 4,
    schema: opts.schema ?? "bullmq",
    migrate: true,
    // pg emits 'error' on a client whose server connection ends, also on one the backend has
    // checked out of its pool (its schema bootstrap at start-up), which has no listener then:
    // that error would end the process. Every client gets a listener for its whole life.
    onConnect: (client: { on(event: "error", listener: (err: Error) => void): unknown }) => {
      client.on("error", onError);
    },
  };
  const closers: (() => Promise<void>)[] = [];
  const newQueue = <Data>(name: string, defaults?: JobsOptions) => {
    const q = new pg.Queue<Data>(name, { connection, defaultJobOptions: defaults });
    q.on("error", onError);
    return q;
  };
  let probe: ReturnType<typeof newQueue> | undefined;
  const runtime: QueueRuntime = {
    kind: "postgres",
    queue<Data>(name: string, defaults?: JobsOptions) {
      const q = newQueue<Data>(name, defaults);
      closers.push(() => q.close());
      return q as unknown as JobQueue<Data>;
    },
    worker<Data>(name: string, process: (job: Job<Data>) => Promise<unknown>, s?: WorkerSettings) {
      const w = new pg.Worker<Data>(name, process, {
        connection,
        concurrency: s?.concurrency ?? 4,
      });
      closers.push(() => w.close());
      return w as unknown as JobWorker;
    },
    async ping() {
      probe ??= newQueue("readiness-probe");
      const current = probe;
      try {
        await current.getJobCounts("waiting");
        return true;
      } catch {
        // A backend whose start failed stays failed: the next probe starts afresh.
        if (probe === current) probe = undefined;
        await current.close().catch(() => {});
        return false;
      }
    },
    onReconnect() {
      // Schedules and jobs live in the node's own database: nothing to restore.
    },
    async close() {
      for (const close of closers.splice(0).reverse()) await close().catch(() => {});
      await probe?.close().catch(() => {});
    },
  };
  return runtime;
}

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
  close(): Promise<void>;
}

export function redisRuntime(url: string, opts: { prefix?: string } = {}): QueueRuntime {
  const connection = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
  connection.on("error", () => {
    // Reconnects on its own; readiness reports the outage.
  });
  const prefix = opts.prefix ?? "caravan";
  const closers: (() => Promise<void>)[] = [];
  return {
    kind: "redis",
    queue<Data>(name: string, defaults?: JobsOptions) {
      const q = new Queue<Data>(name, { connection, prefix, defaultJobOptions: defaults });
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
        return (await connection.ping()) === "PONG";
      } catch {
        return false;
      }
    },
    async close() {
      for (const close of closers.splice(0).reverse()) await close().catch(() => {});
      connection.disconnect();
    },
  };
}

export function postgresRuntime(url: string, opts: { schema?: string } = {}): QueueRuntime {
  const pg = withBackend(createPostgresBackend);
  const connection = {
    connectionString: url,
    max: 4,
    schema: opts.schema ?? "bullmq",
    migrate: true,
  };
  const closers: (() => Promise<void>)[] = [];
  let probe: JobQueue<unknown> | undefined;
  const runtime: QueueRuntime = {
    kind: "postgres",
    queue<Data>(name: string, defaults?: JobsOptions) {
      const q = new pg.Queue<Data>(name, { connection, defaultJobOptions: defaults });
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
      try {
        probe ??= runtime.queue("readiness-probe");
        await probe.getJobCounts("waiting");
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      for (const close of closers.splice(0).reverse()) await close().catch(() => {});
    },
  };
  return runtime;
}

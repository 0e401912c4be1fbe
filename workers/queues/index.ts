import type { JobsOptions } from "bullmq";
import type { JobQueue, QueueRuntime } from "../runtime";
import type { JobName, JobPayload, JobSchemas, QueueDef } from "./define";
import { federationQueue } from "./federation";
import { housekeepingQueue } from "./housekeeping";
import { marketplaceQueue } from "./marketplace";
import { reportsQueue } from "./reports";
import { webhooksQueue } from "./webhooks";

/** Every queue of the node; workers start one worker per entry. */
const QUEUES: readonly QueueDef<JobSchemas>[] = [
  housekeepingQueue,
  marketplaceQueue,
  webhooksQueue,
  federationQueue,
  reportsQueue,
];

/** Typed producer: payloads are checked against the queue's schema before they are enqueued. */
export class Queues {
  private readonly open = new Map<string, JobQueue<unknown>>();

  constructor(readonly runtime: QueueRuntime) {}

  get<J extends JobSchemas>(def: QueueDef<J>): JobQueue<unknown> {
    let q = this.open.get(def.name);
    if (!q) {
      q = this.runtime.queue<unknown>(def.name, def.defaults);
      this.open.set(def.name, q);
    }
    return q;
  }

  /** Every queue of the node, opened: what the dashboard shows. */
  all(): JobQueue<unknown>[] {
    return QUEUES.map((def) => this.get(def));
  }

  async enqueue<Q extends QueueDef<JobSchemas>, N extends JobName<Q>>(
    def: Q,
    name: N,
    payload: JobPayload<Q, N>,
    opts?: JobsOptions,
  ): Promise<string | undefined> {
    const schema = def.jobs[name];
    if (!schema) throw new Error(`queue ${def.name} has no job ${name}`);
    const data = schema.parse(payload);
    const job = await this.get(def).add(name, data, opts);
    return job.id;
  }

  /** Job counts by queue and state, for `/metrics` and the dashboard. */
  async depths(): Promise<{ queue: string; state: string; count: number }[]> {
    const out: { queue: string; state: string; count: number }[] = [];
    for (const def of QUEUES) {
      const counts = await this.get(def).getJobCounts(
        "waiting",
        "active",
        "delayed",
        "failed",
        "completed",
      );
      for (const [state, count] of Object.entries(counts))
        out.push({ queue: def.name, state, count });
    }
    return out;
  }

  async close(): Promise<void> {
    for (const q of this.open.values()) await q.close().catch(() => {});
    this.open.clear();
  }
}

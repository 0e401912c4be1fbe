import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export type QueueDepths = () => Promise<{ queue: string; state: string; count: number }[]>;

/** One registry per node, so several nodes (or tests) in one process never mix figures. */
export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: "caravan_http_requests_total",
    help: "HTTP requests by route and status",
    labelNames: ["method", "route", "status"] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: "caravan_http_request_duration_seconds",
    help: "HTTP request latency by route",
    labelNames: ["method", "route"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly auditIntact = new Gauge({
    name: "caravan_audit_log_intact",
    help: "1 while the audit chain matches its signed checkpoints and every entry is proven; 0 once tampering is seen",
    registers: [this.registry],
  });
  private queueDepths: QueueDepths | undefined;

  constructor(opts: { processMetrics?: boolean } = {}) {
    if (opts.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: "caravan_" });
    const self = this;
    new Gauge({
      name: "caravan_queue_jobs",
      help: "Jobs per queue and state",
      labelNames: ["queue", "state"] as const,
      registers: [this.registry],
      async collect() {
        if (!self.queueDepths) return;
        this.reset();
        for (const d of await self.queueDepths()) {
          this.set({ queue: d.queue, state: d.state }, d.count);
        }
      },
    });
  }

  watchQueues(depths: QueueDepths): void {
    this.queueDepths = depths;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

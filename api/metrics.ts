import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { timeBox } from "../core/time-box";

export type QueueDepth = { queue: string; state: string; count: number };
export type QueueDepths = () => Promise<QueueDepth[]>;

/** One partner's sync figures, as `GET /v1/partners/{code}/sync` gives them. */
export interface PartnerSyncFigures {
  partner: string;
  reachable: boolean;
  backlog: number;
  oldestUndeliveredSeconds: number | null;
  failures: number;
  deadLetters: number;
  lagSeconds: number;
}
export type PartnersSync = () => Promise<PartnerSyncFigures[]>;

/** The per-partner gauges: metric name, help, and the figure it shows. */
const PARTNER_GAUGES: [string, string, (f: PartnerSyncFigures) => number | null][] = [
  [
    "reachable",
    "1 when the partner answered a heartbeat or batch within two heartbeats",
    (f) => (f.reachable ? 1 : 0),
  ],
  ["backlog", "Outbox rows waiting for the partner", (f) => f.backlog],
  [
    "oldest_undelivered_seconds",
    "Age of the oldest row waiting for the partner; absent when none",
    (f) => f.oldestUndeliveredSeconds,
  ],
  ["failures", "Failed delivery attempts since the last success", (f) => f.failures],
  ["dead_letters", "Messages the partner refused for good", (f) => f.deadLetters],
  ["lag_seconds", "How far the partner is behind: 0 with no backlog", (f) => f.lagSeconds],
];

/** How long a scrape waits for the queue backend's job counts before it answers without them. */
const QUEUE_DEPTHS_WAIT_MS = 1_000;

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
  /** Each route's counter and histogram children, resolved once rather than per request. */
  private readonly routeSeries = new Map<
    string,
    { count: { inc(): void }; time: { observe(v: number): void } }
  >();

  /** Counts a request and records its latency under its method, matched route and status. */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${status} ${route}`;
    let series = this.routeSeries.get(key);
    if (!series) {
      series = {
        count: this.requests.labels(method, route, String(status)),
        time: this.latency.labels(method, route),
      };
      this.routeSeries.set(key, series);
    }
    series.count.inc();
    series.time.observe(seconds);
  }

  readonly auditIntact = new Gauge({
    name: "caravan_audit_log_intact",
    help: "1 while the audit chain matches its signed checkpoints and every entry is proven; 0 once tampering is seen",
    registers: [this.registry],
  });
  private queueDepths: QueueDepths | undefined;
  private partnersSync: PartnersSync | undefined;
  /** This scrape's partner figures; undefined when the database did not answer in time. */
  private partners: PartnerSyncFigures[] | undefined;
  /** This scrape's job counts; undefined when the backend did not answer in time. */
  private depths: QueueDepth[] | undefined;

  constructor(opts: { processMetrics?: boolean } = {}) {
    if (opts.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: "caravan_" });
    const self = this;
    new Gauge({
      name: "caravan_queue_jobs",
      help: "Jobs per queue and state; absent while caravan_queue_up is 0",
      labelNames: ["queue", "state"] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const d of self.depths ?? []) this.set({ queue: d.queue, state: d.state }, d.count);
      },
    });
    new Gauge({
      name: "caravan_queue_up",
      help: "1 when the queue backend answered this scrape's job counts in time, else 0",
      registers: [this.registry],
      collect() {
        this.reset();
        if (self.queueDepths) this.set(self.depths ? 1 : 0);
      },
    });
    this.partnerGauges();
  }

  /** Gauges `caravan_federation_partner_<figure>{partner}`, read once per scrape. */
  private partnerGauges(): void {
    const self = this;
    for (const [name, help, figure] of PARTNER_GAUGES) {
      new Gauge({
        name: `caravan_federation_partner_${name}`,
        help,
        labelNames: ["partner"] as const,
        registers: [this.registry],
        collect() {
          this.reset();
          for (const f of self.partners ?? []) {
            const value = figure(f);
            if (value !== null) this.set({ partner: f.partner }, value);
          }
        },
      });
    }
  }

  watchPartners(figures: PartnersSync): void {
    this.partnersSync = figures;
  }

  watchQueues(depths: QueueDepths): void {
    this.queueDepths = depths;
  }

  async text(): Promise<string> {
    // Read before rendering, and only for so long: a queue outage must not hang the scrape.
    this.depths = this.queueDepths
      ? await timeBox(
          this.queueDepths().catch(() => undefined),
          QUEUE_DEPTHS_WAIT_MS,
          undefined,
        )
      : undefined;
    this.partners = this.partnersSync
      ? await timeBox(
          this.partnersSync().catch(() => undefined),
          QUEUE_DEPTHS_WAIT_MS,
          undefined,
        )
      : undefined;
    return this.registry.metrics();
  }
}

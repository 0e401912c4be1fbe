import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Logger } from "pino";
import type { CheckpointStore } from "../core/audit/checkpoints";
import type { Clock, Ctx, Db } from "../core/context";
import type { EgressPolicy } from "../core/egress";
import type { FederationSetup } from "../core/federation/setup";
import type { FeedCursors } from "../core/feed/cursor";
import type { NodeIdentity } from "../core/identity/node-identity";
import type { JobScheduler } from "../core/jobs";
import type { RateLimiter } from "../core/limits/rate-limiter";
import type { RoutingEngine } from "../routing/engine";
import type { Metrics } from "./metrics";

/** Whether a peer's forwarding headers are believed, by its address. */
export type ProxyTrust = (address: string) => boolean;

export interface AppDeps {
  db: Db;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  nodeCode: string;
  /** The node's keys: audit proofs now, signatures for partners later. */
  identity: NodeIdentity;
  /** Signed audit checkpoints, kept outside the database; verification holds the table to them. */
  auditCheckpoints: CheckpointStore;
  /** Seals feed cursors with the node's secret (`CARAVAN_CURSOR_SECRET`). */
  feedCursors: FeedCursors;
  /** The node's name, kind and federation signing keys. */
  federation: FederationSetup<Ctx>;
  /** Requests per minute per organisation, and per client address without a key. */
  rateLimitPerMinute: number;
  /** Self-registrations per client address per hour. */
  registrationsPerHour: number;
  /** Holds the rate-limit buckets, shared with other processes through the database. */
  limiter: RateLimiter;
  /** Peers whose `X-Forwarded-For`/`-Proto` are believed; none when absent. */
  trustProxy?: ProxyTrust;
  /** Addresses outgoing requests may reach; public ones only when absent. */
  egress?: EgressPolicy;
  bodyLimitBytes: number;
  /** Background jobs (auto-award at closing); absent in plain API tests. */
  jobs?: JobScheduler;
  /** The freight network and its routing engine; every request's `ctx` carries this one. */
  network: RoutingEngine;
  /** Corridors and k for reports; the defaults when absent. */
  reports?: import("../core/reports/options").ReportSetup;
  /** Checks the database and the queue backend for `/ready`. */
  ready: () => Promise<Record<string, boolean>>;
  /** Extra routes mounted by the node (queue dashboard); absent in plain API tests. */
  mount?: (app: import("hono").Hono<AppEnv>) => void;
}

export interface AppEnv {
  Variables: {
    requestId: string;
    ctx: Ctx;
    deps: AppDeps;
  };
}

/** The app every route registers on; declared here so routes need not import the factory. */
export type App = OpenAPIHono<AppEnv>;

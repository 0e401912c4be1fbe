import type { Logger } from "pino";
import type { Clock, Ctx } from "../core/context";
import type { FeedCursors } from "../core/feed/cursor";
import type { JobScheduler } from "../core/jobs";
import type { Db } from "../db/client";
import type { RoutingEngine } from "../routing/engine";
import type { Metrics } from "./metrics";

export interface AppDeps {
  db: Db;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  nodeCode: string;
  /** Seals feed cursors with the node's secret (`CARAVAN_CURSOR_SECRET`). */
  feedCursors: FeedCursors;
  rateLimitPerMinute: number;
  bodyLimitBytes: number;
  /** Background jobs (auto-award at closing); absent in plain API tests. */
  jobs?: JobScheduler;
  /** The freight network and its routing engine; the seeded network when absent. */
  network?: RoutingEngine;
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

import type { Logger } from "pino";
import type { CheckpointStore } from "../core/audit/checkpoints";
import type { Clock, Ctx } from "../core/context";
import type { NodeIdentity } from "../core/identity/node-identity";
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
  /** The node's keys: audit proofs now, signatures for partners later. */
  identity: NodeIdentity;
  /** Signed audit checkpoints, kept outside the database; verification holds the table to them. */
  auditCheckpoints: CheckpointStore;
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

import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import pino, { type Logger } from "pino";
import { startAuditSealer } from "../core/audit/seal";
import type { Config } from "../core/config";
import { type Ctx, systemClock } from "../core/context";
import { ensureAdmin } from "../core/participants/bootstrap";
import { timeBox } from "../core/time-box";
import { type Database, migrateDatabase, openDatabase } from "../db/client";
import { type EmbeddedDatabase, startEmbeddedPostgres } from "../db/embedded";
import { loadSeedEngine } from "../routing/load";
import { type RunningWorkers, type SweepIntervals, startWorkers } from "../workers";
import { Queues } from "../workers/queues";
import { postgresRuntime, type QueueRuntime, redisRuntime } from "../workers/runtime";
import { queueScheduler } from "../workers/scheduler";
import { type App, newApp } from "./app";
import { mountQueueDashboard } from "./dashboard/queues";
import { Metrics } from "./metrics";

/** How long `/ready` waits for each dependency: it answers within two seconds either way. */
const READY_CHECK_MS = 1_500;

/** Waits (up to `ms`) until no other session is connected to this database. */
async function untilOnlyConnection(database: Database, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const [row] = await database.sql<{ others: number }[]>`
      select count(*)::int as others from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid()`.catch(() => [undefined]);
    if (!row || row.others === 0) return; // none left, or the server is already gone
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface RunningNode {
  app: App;
  url: string;
  databaseUrl: string;
  queueBackend: QueueRuntime["kind"];
  /** Printed once when the node generated it on first start. */
  generatedAdminKey?: string;
  logger: Logger;
  stop(): Promise<void>;
}

/**
 * Starts one Caravan node: database (embedded unless DATABASE_URL), migrations, the queue
 * backend (Redis if REDIS_URL, else PostgreSQL), the HTTP API and the workers, in one process.
 */
export async function startNode(
  config: Config,
  opts: { logger?: Logger; sweeps?: SweepIntervals } = {},
): Promise<RunningNode> {
  const logger =
    opts.logger ?? pino({ level: config.LOG_LEVEL, base: { node: config.CARAVAN_NODE_CODE } });
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({
      dataDir: config.CARAVAN_DATA_DIR,
      port: config.CARAVAN_EMBEDDED_PG_PORT,
      log: (m) => logger.debug({ postgres: m.trim() }, "embedded postgres"),
    });
    databaseUrl = embedded.url;
  }
  const database: Database = openDatabase(databaseUrl, { max: config.CARAVAN_DB_POOL });
  await migrateDatabase(database);

  const onQueueError = (err: Error) => logger.warn({ err: err.message }, "queue backend error");
  const runtime = config.REDIS_URL
    ? redisRuntime(config.REDIS_URL, { onError: onQueueError })
    : postgresRuntime(databaseUrl, { onError: onQueueError });
  const queues = new Queues(runtime);
  const metrics = new Metrics({ processMetrics: true });
  metrics.watchQueues(() => queues.depths());

  const jobs = queueScheduler(queues, {
    onLost: (job, err) =>
      logger.warn(
        { job, err: err instanceof Error ? err.message : String(err) },
        "not queued after commit; the sweep will pick it up",
      ),
  });
  const systemCtx = (name: string): Ctx => ({
    db: database.db,
    actor: { kind: "system", name },
    clock: systemClock,
    jobs,
    nodeCode: config.CARAVAN_NODE_CODE,
  });
  const admin = await ensureAdmin(systemCtx("bootstrap"), {
    nodeCode: config.CARAVAN_NODE_CODE,
    adminKey: config.CARAVAN_ADMIN_KEY,
  });

  const app = newApp({
    db: database.db,
    logger,
    metrics,
    clock: systemClock,
    nodeCode: config.CARAVAN_NODE_CODE,
    rateLimitPerMinute: config.CARAVAN_RATE_LIMIT,
    bodyLimitBytes: config.CARAVAN_BODY_LIMIT_BYTES,
    jobs,
    network: loadSeedEngine(),
    ready: async () => {
      // Checked together and each only for so long: a dependency that hangs counts as down.
      const [db, queue] = await Promise.all([
        timeBox(
          database.sql`select 1`.then(
            () => true,
            () => false,
          ),
          READY_CHECK_MS,
          false,
        ),
        timeBox(runtime.ping(), READY_CHECK_MS, false),
      ]);
      return { database: db, queue };
    },
    mount: (a) => mountQueueDashboard(a, queues),
  });

  const sealer = startAuditSealer(database.db, {
    intervalMs: 200,
    onError: (err) => logger.error({ err }, "audit sealing failed"),
  });

  let workers: RunningWorkers | undefined;
  if (config.CARAVAN_WORKERS) {
    workers = await startWorkers(
      { ctx: systemCtx("worker"), logger, queues },
      { sweeps: opts.sweeps },
    );
  }

  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST });
  await new Promise<void>((ok, fail) => {
    server.once("listening", ok);
    server.once("error", fail);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  let stopping: Promise<void> | undefined;
  return {
    app,
    url: `http://${host}:${address.port}`,
    databaseUrl,
    queueBackend: runtime.kind,
    generatedAdminKey: admin.generatedKey,
    logger,
    stop() {
      // Drain HTTP first (no new work), then workers finish their jobs, then connections close.
      stopping ??= (async () => {
        await new Promise<void>((ok) => server.close(() => ok()));
        await workers?.stop();
        await sealer.stop();
        await queues.close();
        await runtime.close();
        // The queue backend's pg clients finish closing just after close() resolves; an
        // embedded server stopped under them would end them with an error.
        if (embedded) await untilOnlyConnection(database, 5_000);
        await database.close();
        await embedded?.stop();
      })();
      return stopping;
    },
  };
}

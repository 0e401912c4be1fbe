import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import pino, { type Logger } from "pino";
import { startAuditSealer } from "../core/audit/seal";
import type { Config } from "../core/config";
import { type Ctx, systemClock } from "../core/context";
import { FeedCursors } from "../core/feed/cursor";
import { ensureAdmin } from "../core/participants/bootstrap";
import { type Database, migrateDatabase, openDatabase } from "../db/client";
import { type EmbeddedDatabase, startEmbeddedPostgres } from "../db/embedded";
import { loadSeedEngine } from "../routing/load";
import { type RunningWorkers, startWorkers } from "../workers";
import { Queues } from "../workers/queues";
import { postgresRuntime, type QueueRuntime, redisRuntime } from "../workers/runtime";
import { queueScheduler } from "../workers/scheduler";
import { type App, newApp } from "./app";
import { mountQueueDashboard } from "./dashboard/queues";
import { Metrics } from "./metrics";

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

/**
 * The secret that seals feed cursors: CARAVAN_CURSOR_SECRET, else one generated on first start
 * and kept beside the data, so cursors outlive restarts. Processes sharing one database on
 * different machines must be given the same CARAVAN_CURSOR_SECRET.
 */
async function cursorSecret(config: Config): Promise<string> {
  if (config.CARAVAN_CURSOR_SECRET) return config.CARAVAN_CURSOR_SECRET;
  const file = join(config.CARAVAN_DATA_DIR, "cursor-secret");
  await mkdir(config.CARAVAN_DATA_DIR, { recursive: true });
  try {
    await writeFile(file, randomBytes(32).toString("base64url"), { flag: "wx", mode: 0o600 });
  } catch (err) {
    // Written before (or just now, by another process starting beside this one): keep it.
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  return (await readFile(file, "utf8")).trim();
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
  opts: { logger?: Logger } = {},
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

  const runtime = config.REDIS_URL ? redisRuntime(config.REDIS_URL) : postgresRuntime(databaseUrl);
  const queues = new Queues(runtime);
  const metrics = new Metrics({ processMetrics: true });
  metrics.watchQueues(() => queues.depths());

  const jobs = queueScheduler(queues);
  const feedCursors = new FeedCursors(await cursorSecret(config));
  const systemCtx = (name: string): Ctx => ({
    db: database.db,
    actor: { kind: "system", name },
    clock: systemClock,
    jobs,
    nodeCode: config.CARAVAN_NODE_CODE,
    feedCursors,
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
    feedCursors,
    rateLimitPerMinute: config.CARAVAN_RATE_LIMIT,
    bodyLimitBytes: config.CARAVAN_BODY_LIMIT_BYTES,
    jobs,
    network: loadSeedEngine(),
    ready: async () => ({
      database: await database.sql`select 1`.then(
        () => true,
        () => false,
      ),
      queue: await runtime.ping(),
    }),
    mount: (a) => mountQueueDashboard(a, queues),
  });

  const sealer = startAuditSealer(database.db, {
    intervalMs: 200,
    onError: (err) => logger.error({ err }, "audit sealing failed"),
  });

  let workers: RunningWorkers | undefined;
  if (config.CARAVAN_WORKERS) {
    workers = await startWorkers({ ctx: systemCtx("worker"), logger, queues });
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

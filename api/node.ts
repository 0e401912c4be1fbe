import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { serve } from "@hono/node-server";
import type { Logger } from "pino";
import { type CheckpointOutcome, startAuditCheckpoints } from "../core/audit/anchor";
import { checkpointFileFor, openCheckpointFile } from "../core/audit/checkpoints";
import { startAuditSealer } from "../core/audit/seal";
import type { Config } from "../core/config";
import { type Ctx, systemClock } from "../core/context";
import { EgressPolicy } from "../core/egress";
import { FeedCursors } from "../core/feed/cursor";
import { loadNodeIdentity, NODE_KEY_FILE } from "../core/identity/load";
import { RateLimiter } from "../core/limits/rate-limiter";
import { ensureAdmin } from "../core/participants/bootstrap";
import { timeBox } from "../core/time-box";
import { type Database, migrateDatabase, openDatabase } from "../db/client";
import { type EmbeddedDatabase, startEmbeddedPostgres } from "../db/embedded";
import { loadSeedEngine } from "../seed/network";
import { type RunningWorkers, type SweepIntervals, startWorkers } from "../workers";
import { Queues } from "../workers/queues";
import { postgresRuntime, type QueueRuntime, redisRuntime } from "../workers/runtime";
import { queueScheduler } from "../workers/scheduler";
import { type App, newApp } from "./app";
import { mountQueueDashboard } from "./dashboard/queues";
import { newLogger } from "./logger";
import { Metrics } from "./metrics";
import { proxyTrust } from "./middleware/client";

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
  opts: { logger?: Logger; sweeps?: SweepIntervals } = {},
): Promise<RunningNode> {
  const logger =
    opts.logger ?? newLogger({ level: config.LOG_LEVEL, base: { node: config.CARAVAN_NODE_CODE } });
  const dataDir = resolve(config.CARAVAN_DATA_DIR);
  const key = await loadNodeIdentity({ nodeKey: config.CARAVAN_NODE_KEY, dataDir });
  const identity = key.identity;
  logger.info(
    {
      kid: identity.kid,
      source: key.source === "file" ? join(dataDir, NODE_KEY_FILE) : key.source,
      generated: key.generated,
    },
    key.generated ? "generated the node key: keep a copy of it" : "node key loaded",
  );
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
  // Beside the data, out of the database's reach: a superuser's edit cannot rewrite these.
  const checkpointFile = await checkpointFileFor(dataDir, database.db);
  const auditCheckpoints = await openCheckpointFile(checkpointFile, identity, {
    onSkipped: (lines) =>
      logger.warn(
        { lines, file: checkpointFile },
        "audit checkpoint lines not signed by this node's key were skipped",
      ),
  });

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
  const egress = new EgressPolicy(config.CARAVAN_EGRESS_ALLOW);
  const feedCursors = new FeedCursors(await cursorSecret(config));
  // One network for the API and the workers alike.
  const network = loadSeedEngine();
  const systemCtx = (name: string): Ctx => ({
    db: database.db,
    actor: { kind: "system", name },
    clock: systemClock,
    identity,
    network,
    jobs,
    nodeCode: config.CARAVAN_NODE_CODE,
    egress,
    feedCursors,
  });
  const admin = await ensureAdmin(systemCtx("bootstrap"), {
    nodeCode: config.CARAVAN_NODE_CODE,
    adminKey: config.CARAVAN_ADMIN_KEY,
  });

  const limiter = new RateLimiter(database.db, {
    onError: (err) => logger.warn({ err }, "rate-limit buckets not synced"),
  });
  const app = newApp({
    db: database.db,
    logger,
    metrics,
    clock: systemClock,
    nodeCode: config.CARAVAN_NODE_CODE,
    identity,
    auditCheckpoints,
    feedCursors,
    rateLimitPerMinute: config.CARAVAN_RATE_LIMIT,
    registrationsPerHour: config.CARAVAN_REGISTRATIONS_PER_HOUR,
    limiter,
    trustProxy: proxyTrust(config.CARAVAN_TRUSTED_PROXIES),
    egress,
    bodyLimitBytes: config.CARAVAN_BODY_LIMIT_BYTES,
    jobs,
    network,
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

  // Tampering, once seen, keeps the gauge at 0 until the operator has looked.
  let refusalSeen = false;
  let chainBroken = false;
  const reportIntegrity = () => metrics.auditIntact.set(refusalSeen || chainBroken ? 0 : 1);
  reportIntegrity();
  const sealer = startAuditSealer(database.db, identity, {
    intervalMs: 200,
    onError: (err) => logger.error({ err }, "audit sealing failed"),
    onRefused: (entry) => {
      refusalSeen = true;
      reportIntegrity();
      logger.error({ auditEntry: entry }, "audit entry refused: not chained");
    },
  });
  const onCheckpoint = (outcome: CheckpointOutcome) => {
    if (!outcome.ok) {
      chainBroken = true;
      reportIntegrity();
      const { firstBadEntry, checkpoint, refused } = outcome.verdict;
      logger.error({ firstBadEntry, checkpoint, refused }, "audit chain is broken: not signed");
      return;
    }
    chainBroken = false;
    reportIntegrity();
    const cp = outcome.checkpoint;
    if (!cp) return;
    const fields = {
      auditCheckpoint: { count: cp.count, head: cp.head, at: cp.at, kid: cp.kid, jws: cp.jws },
    };
    if (outcome.adopted) {
      logger.warn(
        fields,
        "audit checkpoint: no earlier checkpoint, entries without proof were taken as found",
      );
    } else logger.info(fields, "audit checkpoint");
  };
  // The first checkpoint is signed before the node serves anything.
  const checkpoints = startAuditCheckpoints(
    { ctx: systemCtx("audit"), store: auditCheckpoints },
    {
      intervalMs: 60_000,
      onOutcome: onCheckpoint,
      onError: (err) => logger.error({ err }, "audit checkpoint failed"),
    },
  );
  await checkpoints.ready;

  let workers: RunningWorkers | undefined;
  if (config.CARAVAN_WORKERS) {
    workers = await startWorkers(
      { ctx: systemCtx("worker"), logger, queues, auditCheckpoints },
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
        await limiter.stop();
        await workers?.stop();
        await sealer.stop();
        await checkpoints.stop();
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

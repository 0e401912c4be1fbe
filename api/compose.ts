import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Logger } from "pino";
import { type CheckpointOutcome, startAuditCheckpoints } from "../core/audit/anchor";
import {
  type CheckpointStore,
  checkpointFileFor,
  openCheckpointFile,
} from "../core/audit/checkpoints";
import { startAuditSealer } from "../core/audit/seal";
import type { Config } from "../core/config";
import { type Ctx, requireFederation, systemClock } from "../core/context";
import { EgressPolicy } from "../core/egress";
import { allPartnersSync } from "../core/federation/delivery-state";
import { RecentIds } from "../core/federation/recent-ids";
import type { FederationSetup } from "../core/federation/setup";
import { SigningKeyring } from "../core/federation/signing-keys";
import { FeedCursors } from "../core/feed/cursor";
import { loadNodeIdentity, NODE_KEY_FILE } from "../core/identity/load";
import type { NodeIdentity } from "../core/identity/node-identity";
import type { JobScheduler } from "../core/jobs";
import { forgetAllKeys, forgetOrganizationKeys } from "../core/keys/authenticate";
import { RateLimiter } from "../core/limits/rate-limiter";
import { ensureAdmin } from "../core/participants/bootstrap";
import { ensureReportThreshold } from "../core/reports/rebuild";
import { timeBox } from "../core/time-box";
import {
  type Database,
  LOCKS,
  migrateDatabase,
  openDatabase,
  untilOnlyConnection,
  withAdvisoryLock,
} from "../db/client";
import { type EmbeddedDatabase, startEmbeddedPostgres } from "../db/embedded";
import { electLeader } from "../db/leader";
import { listenKeyChanges } from "../db/queries/keys";
import { loadSeedCorridors } from "../seed/corridors";
import { loadSeedEngine } from "../seed/network";
import { type RunningWorkers, type SweepIntervals, startWorkers } from "../workers";
import { Queues } from "../workers/queues";
import { postgresRuntime, type QueueRuntime, redisRuntime } from "../workers/runtime";
import { queueScheduler } from "../workers/scheduler";
import { newApp } from "./app";
import { mountQueueDashboard } from "./dashboard/queues";
import type { App, AppDeps } from "./env";
import { newLogger } from "./logger";
import { Metrics } from "./metrics";
import { proxyTrust } from "./middleware/client";

/**
 * The composition root's shared half: how a node's parts are put together, written once for
 * the server (`startNode`), the test harness and the benchmarks. Each of those chooses the
 * parts (a config's or a test's); this module only joins them.
 */

/** What every `ctx` of one node carries besides its actor: built once, passed everywhere. */
export type NodeParts = Required<
  Pick<Ctx, "db" | "clock" | "identity" | "network" | "nodeCode" | "feedCursors" | "federation">
> &
  Pick<Ctx, "jobs" | "egress" | "reports">;

/** The node's own `ctx` for work no participant asked for (bootstrap, workers, audit). */
export function systemCtxFactory(parts: NodeParts): (name: string) => Ctx {
  return (name) => ({ ...parts, actor: { kind: "system", name } });
}

interface Queueing {
  queues: Queues;
  /** Schedules jobs after commit on `queues`. */
  jobs: JobScheduler;
}

/** The queues of one backend and the scheduler verbs enqueue through. */
export function composeQueueing(runtime: QueueRuntime, opts: { logger?: Logger } = {}): Queueing {
  const queues = new Queues(runtime);
  const { logger } = opts;
  const jobs = queueScheduler(
    queues,
    logger
      ? {
          onLost: (job, err) =>
            logger.warn(
              { job, err: err instanceof Error ? err.message : String(err) },
              "not queued after commit; the sweep will pick it up",
            ),
        }
      : {},
  );
  return { queues, jobs };
}

/** The HTTP app over the node's parts: `ctx` per request is built from the same ones. */
export function composeApp(parts: NodeParts, deps: Omit<AppDeps, keyof NodeParts>): App {
  const metricsCtx = systemCtxFactory(parts)("metrics");
  deps.metrics.watchPartners(() => allPartnersSync(metricsCtx));
  return newApp({ ...deps, ...parts });
}

/** The node's workers on `queues`, each job run in a system `ctx` over the node's parts. */
export function composeWorkers(
  parts: NodeParts,
  opts: {
    queues: Queues;
    logger: Logger;
    auditCheckpoints: CheckpointStore;
    sweeps?: SweepIntervals;
  },
): Promise<RunningWorkers> {
  return startWorkers(
    {
      ctx: systemCtxFactory(parts)("worker"),
      logger: opts.logger,
      queues: opts.queues,
      auditCheckpoints: opts.auditCheckpoints,
    },
    { sweeps: opts.sweeps },
  );
}

/** What the server reports as a start-up failure in a line, not a stack. */
export { EmbeddedStartError } from "../db/embedded";

/** How long `/ready` waits for each dependency: it answers within two seconds either way. */
const READY_CHECK_MS = 1_500;

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

/** The node's key (CARAVAN_NODE_KEY, else the one kept beside the data, else a new one). */
async function composeIdentity(
  config: Config,
  dataDir: string,
  logger: Logger,
): Promise<NodeIdentity> {
  const key = await loadNodeIdentity({ nodeKey: config.CARAVAN_NODE_KEY, dataDir });
  logger.info(
    {
      kid: key.identity.kid,
      source: key.source === "file" ? join(dataDir, NODE_KEY_FILE) : key.source,
      generated: key.generated,
    },
    key.generated ? "generated the node key: keep a copy of it" : "node key loaded",
  );
  return key.identity;
}

/** The node as partners see it (`CARAVAN_NODE_NAME`, `_KIND`, `_KEY_GRACE_HOURS`). */
/** Enough for a few minutes of a busy partner's deliveries, at about 100 bytes each. */
const DELIVERED_IDS_KEPT = 100_000;

function federationSetup(config: Config): FederationSetup<Ctx> {
  return {
    name: config.CARAVAN_NODE_NAME ?? `Caravan node ${config.CARAVAN_NODE_CODE}`,
    kind: config.CARAVAN_NODE_KIND,
    keyGraceHours: config.CARAVAN_NODE_KEY_GRACE_HOURS,
    heartbeatSeconds: config.CARAVAN_FEDERATION_HEARTBEAT_SECONDS,
    keys: new SigningKeyring(),
    delivered: new RecentIds(DELIVERED_IDS_KEPT),
  };
}

/**
 * Reads the signing keys once at start: on first start the node key becomes the first one.
 * A node key replaced since can sign with none of them until an admin rotates.
 */
async function readSigningKeys(ctx: Ctx, logger: Logger): Promise<void> {
  const { keys, signers } = await requireFederation(ctx).keys.live(ctx);
  if (signers.length > 0) return;
  logger.warn(
    { published: keys.map((k) => k.kid), nodeKid: ctx.identity.kid },
    "no published signing key is usable with this node key (was it replaced?): rotate with POST /v1/node/keys/rotate",
  );
}

/** What `/ready` reports: both checked together, each only for so long (a hang counts as down). */
async function readiness(
  database: Database,
  runtime: QueueRuntime,
  replica?: Database,
): Promise<Record<string, boolean>> {
  const answers = (d: Database) =>
    timeBox(
      d.sql`select 1`.then(
        () => true,
        () => false,
      ),
      READY_CHECK_MS,
      false,
    );
  const [db, queue, replicaUp] = await Promise.all([
    answers(database),
    timeBox(runtime.ping(), READY_CHECK_MS, false),
    replica ? answers(replica) : undefined,
  ]);
  return replicaUp === undefined
    ? { database: db, queue }
    : { database: db, queue, replica: replicaUp };
}

/** The node's database: embedded unless DATABASE_URL, migrated before anything uses it. */
async function composeDatabase(
  config: Config,
  logger: Logger,
): Promise<{
  database: Database;
  databaseUrl: string;
  sessionUrl: string;
  /** Where the start-up lock is taken: the pool itself, or a session past a pooler. */
  startupLock: Database;
  embedded?: EmbeddedDatabase;
}> {
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
  const database = openDatabase(databaseUrl, { max: config.CARAVAN_DB_POOL });
  const sessionUrl = config.DATABASE_SESSION_URL ?? databaseUrl;
  const startupLock = sessionUrl === databaseUrl ? database : openDatabase(sessionUrl, { max: 1 });
  await migrateDatabase(database, { lock: startupLock });
  return { database, databaseUrl, sessionUrl, startupLock, embedded };
}

/**
 * Seals the audit log as it grows and signs a checkpoint of it every minute, reporting both on
 * the `audit_intact` gauge; the first checkpoint is signed before this resolves.
 */
async function composeAuditing(
  systemCtx: (name: string) => Ctx,
  opts: { store: CheckpointStore; metrics: Metrics; logger: Logger },
): Promise<{ stop(): Promise<void> }> {
  const { store, metrics, logger } = opts;
  const ctx = systemCtx("audit");
  // Tampering, once seen, keeps the gauge at 0 until the operator has looked.
  let refusalSeen = false;
  let chainBroken = false;
  const reportIntegrity = () => metrics.auditIntact.set(refusalSeen || chainBroken ? 0 : 1);
  reportIntegrity();
  const sealer = startAuditSealer(ctx.db, ctx.identity, {
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
  const checkpoints = startAuditCheckpoints(
    { ctx, store },
    {
      intervalMs: 60_000,
      onOutcome: onCheckpoint,
      onError: (err) => logger.error({ err }, "audit checkpoint failed"),
    },
  );
  await checkpoints.ready;
  return {
    async stop() {
      await sealer.stop();
      await checkpoints.stop();
    },
  };
}

export interface ComposedNode {
  app: App;
  databaseUrl: string;
  queueBackend: QueueRuntime["kind"];
  /** Printed once when the node generated it on first start. */
  generatedAdminKey?: string;
  logger: Logger;
  /** Ends the workers, then the audit timers, then the queue and database connections. */
  stop(): Promise<void>;
}

function openCheckpoints(file: string, identity: NodeIdentity, logger: Logger) {
  return openCheckpointFile(file, identity, {
    onSkipped: (lines) =>
      logger.warn(
        { lines, file },
        "audit checkpoint lines not signed by this node's key were skipped",
      ),
  });
}

/** The checkpoints the app reads: the newest this process has, swapped when it starts to lead. */
function swappableStore(initial: CheckpointStore): CheckpointStore & {
  swap(next: CheckpointStore): void;
} {
  let store = initial;
  return {
    latest: () => store.latest(),
    add: (body) => store.add(body),
    swap(next) {
      store = next;
    },
  };
}

interface LeaderParts {
  /** The lock lives in a session: PostgreSQL's own, or a pooler's in session mode. */
  sessionUrl: string;
  logger: Logger;
  metrics: Metrics;
  queues: Queues;
  checkpointFile: string;
  checkpoints: ReturnType<typeof swappableStore>;
  sweeps?: SweepIntervals;
}

/**
 * What runs once for all the processes on one database, in whichever holds the leader lock:
 * the audit sealer and checkpoints and (CARAVAN_WORKERS) the workers with their schedulers.
 * Resolves once the first election is over, the first checkpoint signed if this one leads.
 */
async function composeLeadership(config: Config, parts: NodeParts, opts: LeaderParts) {
  const { logger, metrics, queues } = opts;
  const systemCtx = systemCtxFactory(parts);
  const leadership = electLeader(opts.sessionUrl, {
    start: async () => {
      // Another process may have led, and checkpointed, since this one read the file.
      const store = await openCheckpoints(opts.checkpointFile, parts.identity, logger);
      opts.checkpoints.swap(store);
      const auditing = await composeAuditing(systemCtx, { store, metrics, logger });
      try {
        const workers = config.CARAVAN_WORKERS
          ? await composeWorkers(parts, {
              queues,
              logger,
              auditCheckpoints: store,
              sweeps: {
                federationHeartbeatMs: config.CARAVAN_FEDERATION_HEARTBEAT_SECONDS * 1000,
                ...opts.sweeps,
              },
            })
          : undefined;
        return {
          async stop() {
            await workers?.stop();
            await auditing.stop();
          },
        };
      } catch (err) {
        await auditing.stop();
        throw err;
      }
    },
    onError: (err) =>
      logger.warn(
        { err: err instanceof Error ? err.message : String(err) },
        "leader election: lock connection failed",
      ),
    onChange: (leading) =>
      logger.info(
        { leading },
        leading
          ? "leading: this process runs the audit sealer, checkpoints, schedulers and workers"
          : "no longer leading",
      ),
  });
  await leadership.settled;
  return leadership;
}

/**
 * Bootstrap steps that write (signing keys, the admin, report rollups), one process at a time:
 * processes starting together would otherwise each make an admin. Returns the admin's outcome.
 */
async function bootstrap(config: Config, parts: NodeParts, logger: Logger) {
  const ctx = systemCtxFactory(parts)("bootstrap");
  await readSigningKeys(ctx, logger);
  const admin = await ensureAdmin(ctx, {
    nodeCode: config.CARAVAN_NODE_CODE,
    adminKey: config.CARAVAN_ADMIN_KEY,
  });
  if (await ensureReportThreshold(ctx)) {
    logger.info({ k: parts.reports?.minParties }, "report rollups rebuilt for a new k");
  }
  return admin;
}

/** The node's storage: its key, its database and the audit checkpoints kept beside the data. */
async function composeStorage(config: Config, logger: Logger) {
  const dataDir = resolve(config.CARAVAN_DATA_DIR);
  const identity = await composeIdentity(config, dataDir, logger);
  const { database, databaseUrl, sessionUrl, startupLock, embedded } = await composeDatabase(
    config,
    logger,
  );
  // Beside the data, out of the database's reach: a superuser's edit cannot rewrite these.
  const checkpointFile = await checkpointFileFor(dataDir, database.db);
  const auditCheckpoints = await openCheckpoints(checkpointFile, identity, logger);
  return {
    identity,
    database,
    databaseUrl,
    sessionUrl,
    startupLock,
    embedded,
    auditCheckpoints,
    checkpointFile,
  };
}

/** The queue backend: Redis if REDIS_URL, else PostgreSQL in the node's own database. */
function composeQueueRuntime(config: Config, databaseUrl: string, logger: Logger): QueueRuntime {
  const onError = (err: Error) => logger.warn({ err: err.message }, "queue backend error");
  return config.REDIS_URL
    ? redisRuntime(config.REDIS_URL, { onError })
    : postgresRuntime(databaseUrl, { onError, poolMax: config.CARAVAN_QUEUE_POOL });
}

/** What every `ctx` of the node carries; one network for the API and the workers alike. */
async function composeParts(
  config: Config,
  opts: { database: Database; identity: NodeIdentity; jobs: JobScheduler; replica?: Database },
): Promise<NodeParts> {
  return {
    db: opts.database.db,
    clock: systemClock,
    identity: opts.identity,
    network: loadSeedEngine(),
    jobs: opts.jobs,
    nodeCode: config.CARAVAN_NODE_CODE,
    egress: new EgressPolicy(config.CARAVAN_EGRESS_ALLOW),
    feedCursors: new FeedCursors(await cursorSecret(config)),
    federation: federationSetup(config),
    reports: {
      corridors: loadSeedCorridors(),
      minParties: config.CARAVAN_REPORT_MIN_PARTIES,
      readDb: opts.replica?.db,
    },
  };
}

/** The HTTP app with the node's limits, readiness checks and queue dashboard. */
function composeNodeApp(
  config: Config,
  parts: NodeParts,
  deps: Pick<AppDeps, "logger" | "metrics" | "auditCheckpoints" | "limiter" | "ready"> & {
    queues: Queues;
  },
): App {
  const { queues, ...rest } = deps;
  return composeApp(parts, {
    ...rest,
    rateLimitPerMinute: config.CARAVAN_RATE_LIMIT,
    registrationsPerHour: config.CARAVAN_REGISTRATIONS_PER_HOUR,
    trustProxy: proxyTrust(config.CARAVAN_TRUSTED_PROXIES),
    bodyLimitBytes: config.CARAVAN_BODY_LIMIT_BYTES,
    mount: (a) => mountQueueDashboard(a, queues.all()),
  });
}

/**
 * One Caravan node from its config, all but listening: database (embedded unless
 * DATABASE_URL) and migrations, the node's key, the queue backend (Redis if REDIS_URL, else
 * PostgreSQL), the audit sealer and checkpoints, the HTTP app and (CARAVAN_WORKERS) the workers.
 */
export async function composeNode(
  config: Config,
  opts: { logger?: Logger; sweeps?: SweepIntervals } = {},
): Promise<ComposedNode> {
  const logger =
    opts.logger ?? newLogger({ level: config.LOG_LEVEL, base: { node: config.CARAVAN_NODE_CODE } });
  const storage = await composeStorage(config, logger);
  const { identity, database, databaseUrl, sessionUrl, embedded } = storage;
  const auditCheckpoints = swappableStore(storage.auditCheckpoints);
  // BullMQ's PostgreSQL workers LISTEN: they need a session.
  const runtime = composeQueueRuntime(config, sessionUrl, logger);
  const { queues, jobs } = composeQueueing(runtime, { logger });
  const metrics = new Metrics({ processMetrics: true });
  metrics.watchQueues(() => queues.depths());

  // Reports read from a replica when there is one; it holds a pool of its own.
  const replica = config.DATABASE_REPLICA_URL
    ? openDatabase(config.DATABASE_REPLICA_URL, { max: config.CARAVAN_DB_POOL })
    : undefined;
  const parts = await composeParts(config, { database, identity, jobs, replica });
  const admin = await withAdvisoryLock(storage.startupLock, LOCKS.startup, () =>
    bootstrap(config, parts, logger),
  ).finally(() => (storage.startupLock === database ? undefined : storage.startupLock.close()));
  // Keys revoked, or organisations suspended, through any process are forgotten in this one.
  const keyChanges = await listenKeyChanges(sessionUrl, {
    change: forgetOrganizationKeys,
    listening: forgetAllKeys,
  });
  const limiter = new RateLimiter(database.db, {
    onError: (err) => logger.warn({ err }, "rate-limit buckets not synced"),
  });
  const app = composeNodeApp(config, parts, {
    logger,
    metrics,
    auditCheckpoints,
    limiter,
    ready: () => readiness(database, runtime, replica),
    queues,
  });

  // The leader signs its first checkpoint before it serves anything.
  const leadership = await composeLeadership(config, parts, {
    sessionUrl,
    logger,
    metrics,
    queues,
    checkpointFile: storage.checkpointFile,
    checkpoints: auditCheckpoints,
    sweeps: opts.sweeps,
  });

  return {
    app,
    databaseUrl,
    queueBackend: runtime.kind,
    generatedAdminKey: admin.generatedKey,
    logger,
    async stop() {
      await limiter.stop();
      await leadership.stop();
      await keyChanges.stop();
      await queues.close();
      await runtime.close();
      // The queue backend's pg clients finish closing just after close() resolves; an
      // embedded server stopped under them would end them with an error.
      if (embedded) await untilOnlyConnection(database, 5_000);
      await replica?.close();
      await database.close();
      await embedded?.stop();
    },
  };
}

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Hono } from "hono";
import pino, { type Logger } from "pino";
import { afterAll } from "vitest";
import { composeApp, type NodeParts, systemCtxFactory } from "../../api/compose";
import type { App, AppEnv } from "../../api/env";
import { Metrics } from "../../api/metrics";
import { proxyTrust } from "../../api/middleware/client";
import { type CheckpointStore, openCheckpointFile } from "../../core/audit/checkpoints";
import { type Clock, systemClock } from "../../core/context";
import { EgressPolicy, parseCidrList } from "../../core/egress";
import { RecentIds } from "../../core/federation/recent-ids";
import { SigningKeyring } from "../../core/federation/signing-keys";
import { FeedCursors } from "../../core/feed/cursor";
import {
  generateNodeKey,
  type NodeIdentity,
  nodeIdentity,
} from "../../core/identity/node-identity";
import type { JobScheduler } from "../../core/jobs";
import { RateLimiter } from "../../core/limits/rate-limiter";
import { ensureAdmin } from "../../core/participants/bootstrap";
import type { RoutingEngine } from "../../routing/engine";
import { loadSeedCorridors } from "../../seed/corridors";
import { loadSeedEngine } from "../../seed/network";
import { createTestDatabase, type TestDatabase } from "./db";

const TEST_ADMIN_KEY = "cvn_test_admin_key_0123456789abcdef";
const TEST_NODE_CODE = "XJ";
/** What test nodes and test workers seal feed cursors with. */
export const testFeedCursors = new FeedCursors("test-feed-cursor-secret-0123456789abcdef");

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface CallOptions {
  key?: string;
  body?: unknown;
  /** The client's socket address as the node sees it; `local` when absent. */
  remoteAddress?: string;
  /** Sent as is, for malformed-JSON cases. */
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface TestNode {
  app: App;
  database: TestDatabase;
  adminKey: string;
  /** What outgoing requests (webhooks) may reach; give it to the node's workers too. */
  egress: EgressPolicy;
  identity: NodeIdentity;
  /** The node's freight network; give it to anything that builds a `ctx` beside the node. */
  network: RoutingEngine;
  /** What every `ctx` of this node carries: workers beside it are composed from the same. */
  parts: NodeParts;
  /** Signed audit checkpoints, in a file of a directory of the test's own. */
  auditCheckpoints: CheckpointStore;
  /** Where that file lives. */
  dataDir: string;
  call<T = any>(method: string, path: string, opts?: CallOptions): Promise<Reply<T>>;
}

/** The real app on a fresh database of its own, with a known admin key. */
export async function createTestNode(
  opts: {
    rateLimitPerMinute?: number;
    registrationsPerHour?: number;
    bodyLimitBytes?: number;
    /** Private ranges webhooks may reach, as `CARAVAN_EGRESS_ALLOW` (e.g. `127.0.0.0/8`). */
    egressAllow?: string;
    /** Proxies whose forwarding headers are believed, as `CARAVAN_TRUSTED_PROXIES`. */
    trustedProxies?: string;
    logger?: Logger;
    /** Extra routes, as the node mounts its queue dashboard. */
    mount?: (app: Hono<AppEnv>) => void;
    /** Another app over the same database, as a second node process would be. */
    database?: TestDatabase;
    clock?: Clock;
    /** Background jobs, for tests that run workers (auto-award at closing). */
    jobs?: JobScheduler;
    /** The freight network; the seeded one when absent. */
    network?: RoutingEngine;
    /** `CARAVAN_NODE_CODE`; `XJ` when absent. */
    nodeCode?: string;
    /** The node key; a new one when absent (give one to act as another process of a node). */
    identity?: NodeIdentity;
    /** `CARAVAN_NODE_KEY_GRACE_HOURS`. */
    keyGraceHours?: number;
    /** How long the signing keyring trusts what it read. */
    keyringRefreshMs?: number;
    /** `CARAVAN_REPORT_MIN_PARTIES`; 3 when absent. */
    reportMinParties?: number;
  } = {},
): Promise<TestNode> {
  const database = opts.database ?? (await createTestDatabase());
  const nodeCode = opts.nodeCode ?? TEST_NODE_CODE;
  const clock = opts.clock ?? systemClock;
  const egress = new EgressPolicy(parseCidrList(opts.egressAllow));
  const limiter = new RateLimiter(database.db);
  const identity = opts.identity ?? (await nodeIdentity(generateNodeKey()));
  const network = opts.network ?? loadSeedEngine();
  const dataDir = await mkdtemp(join(tmpdir(), "caravan-test-"));
  afterAll(() => rm(dataDir, { recursive: true, force: true }));
  const auditCheckpoints = await openCheckpointFile(
    join(dataDir, "audit-checkpoints.jws"),
    identity,
  );
  const parts: NodeParts = {
    db: database.db,
    clock,
    identity,
    network,
    jobs: opts.jobs,
    nodeCode,
    egress,
    feedCursors: testFeedCursors,
    federation: {
      name: `Caravan test node ${nodeCode}`,
      kind: "regional",
      keyGraceHours: opts.keyGraceHours ?? 72,
      keys: new SigningKeyring(opts.keyringRefreshMs),
      delivered: new RecentIds(10_000),
    },
    reports: { corridors: loadSeedCorridors(), minParties: opts.reportMinParties ?? 3 },
  };
  await ensureAdmin(systemCtxFactory(parts)("test"), {
    nodeCode,
    adminKey: TEST_ADMIN_KEY,
  });
  const app = composeApp(parts, {
    logger: opts.logger ?? pino({ level: "silent" }),
    metrics: new Metrics(),
    auditCheckpoints,
    rateLimitPerMinute: opts.rateLimitPerMinute ?? 100_000,
    registrationsPerHour: opts.registrationsPerHour ?? 100_000,
    limiter,
    trustProxy: proxyTrust(parseCidrList(opts.trustedProxies)),
    mount: opts.mount,
    bodyLimitBytes: opts.bodyLimitBytes ?? 256 * 1024,
    ready: async () => ({ database: true, queue: true }),
  });
  afterAll(async () => {
    await limiter.stop();
    await database.close();
  });
  return {
    app,
    database,
    adminKey: TEST_ADMIN_KEY,
    egress,
    identity,
    network,
    parts,
    auditCheckpoints,
    dataDir,
    async call(method, path, o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      if (o.key) headers.authorization = `Bearer ${o.key}`;
      let body: string | undefined;
      if (o.rawBody !== undefined) body = o.rawBody;
      else if (o.body !== undefined) body = JSON.stringify(o.body);
      if (body !== undefined) headers["content-type"] ??= "application/json";
      // What @hono/node-server hands the app: the socket's peer is read from here.
      const env = o.remoteAddress
        ? { incoming: { socket: { remoteAddress: o.remoteAddress } } }
        : undefined;
      const res = await app.request(path, { method, headers, body }, env);
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON (metrics, docs)
      }
      return { status: res.status, body: parsed as never, headers: res.headers };
    },
  };
}

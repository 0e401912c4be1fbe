import pino from "pino";
import { afterAll } from "vitest";
import { type App, newApp } from "../../api/app";
import { Metrics } from "../../api/metrics";
import { type Clock, systemClock } from "../../core/context";
import { FeedCursors } from "../../core/feed/cursor";
import type { JobScheduler } from "../../core/jobs";
import { ensureAdmin } from "../../core/participants/bootstrap";
import { RoutingEngine } from "../../routing/engine";
import { loadSeedNetwork } from "../../routing/load";
import { createTestDatabase, type TestDatabase } from "./db";

export const TEST_ADMIN_KEY = "cvn_test_admin_key_0123456789abcdef";
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
  /** Sent as is, for malformed-JSON cases. */
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface TestNode {
  app: App;
  database: TestDatabase;
  adminKey: string;
  call<T = any>(method: string, path: string, opts?: CallOptions): Promise<Reply<T>>;
}

/** The real app on a fresh database of its own, with a known admin key. */
export async function createTestNode(
  opts: {
    rateLimitPerMinute?: number;
    bodyLimitBytes?: number;
    clock?: Clock;
    /** Background jobs, for tests that run workers (auto-award at closing). */
    jobs?: JobScheduler;
  } = {},
): Promise<TestNode> {
  const database = await createTestDatabase();
  const clock = opts.clock ?? systemClock;
  await ensureAdmin(
    { db: database.db, actor: { kind: "system", name: "test" }, clock },
    { nodeCode: "XJ", adminKey: TEST_ADMIN_KEY },
  );
  const app = newApp({
    db: database.db,
    logger: pino({ level: "silent" }),
    metrics: new Metrics(),
    clock,
    nodeCode: "XJ",
    feedCursors: testFeedCursors,
    rateLimitPerMinute: opts.rateLimitPerMinute ?? 100_000,
    bodyLimitBytes: opts.bodyLimitBytes ?? 256 * 1024,
    jobs: opts.jobs,
    network: new RoutingEngine(loadSeedNetwork()),
    ready: async () => ({ database: true, queue: true }),
  });
  afterAll(() => database.close());
  return {
    app,
    database,
    adminKey: TEST_ADMIN_KEY,
    async call(method, path, o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      if (o.key) headers.authorization = `Bearer ${o.key}`;
      let body: string | undefined;
      if (o.rawBody !== undefined) body = o.rawBody;
      else if (o.body !== undefined) body = JSON.stringify(o.body);
      if (body !== undefined) headers["content-type"] ??= "application/json";
      const res = await app.request(path, { method, headers, body });
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

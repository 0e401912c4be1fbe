import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import pino from "pino";
import postgres from "postgres";
import { describe, expect, it, onTestFinished } from "vitest";
import { type RunningNode, startNode } from "../../api/node";
import { loadConfig } from "../../core/config";
import { loadBody } from "../marketplace/support";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { shipperBody } from "../support/fixtures";
import { ownRedis } from "../support/redis";

// Faults a node must survive against real PostgreSQL and Redis: its database connections
// killed under write load, and Redis gone under write load. Each costs some 5xx answers at
// most; the node stays up, recovers by itself, and loses or doubles nothing it acknowledged.

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const ADMIN_KEY = "cvn_chaos_admin_key_0123456789abcdef";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs a script in a node process of its own (a crash ends it, not the test run). */
async function runScript(
  args: string[],
  database: TestDatabase,
): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, URL: database.url },
  });
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  child.stderr.on("data", (d) => {
    out += d;
  });
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, out };
}

/** A client of its own, named so the kills below spare it. */
function observer(database: TestDatabase) {
  return postgres(database.url, {
    max: 1,
    onnotice: () => {},
    connection: { application_name: "chaos-observer" },
  });
}

/** Ends every session of this test's database except the observer's. */
async function killConnections(sql: postgres.Sql, database: TestDatabase): Promise<number> {
  const rows = await sql<{ killed: boolean }[]>`
    select pg_terminate_backend(pid) as killed from pg_stat_activity
     where datname = ${database.name} and pid <> pg_backend_pid()
       and application_name <> 'chaos-observer'`;
  return rows.length;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms: number) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

interface Answer {
  status: number;
  ms: number;
  body: { id?: string };
}

async function call(
  url: string,
  method: string,
  path: string,
  opts: { key?: string; body?: unknown } = {},
): Promise<Answer> {
  const started = Date.now();
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      "content-type": "application/json",
      ...(opts.key ? { authorization: `Bearer ${opts.key}` } : {}),
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let body = {};
  try {
    body = JSON.parse(text);
  } catch {
    // metrics
  }
  return { status: res.status, ms: Date.now() - started, body };
}

/** A verified shipper's key. */
async function verifiedShipper(url: string): Promise<string> {
  const reg = await call(url, "POST", "/v1/shippers", { body: shipperBody() });
  expect(reg.status, JSON.stringify(reg.body)).toBe(201);
  const { apiKey, organization } = reg.body as { apiKey: string; organization: { id: string } };
  const ok = await call(url, "POST", `/v1/orgs/${organization.id}/verify`, { key: ADMIN_KEY });
  expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  return apiKey;
}

/** `n` clients posting loads until `stop()`; every answer (or failure to answer) is kept. */
function writeLoad(url: string, key: string, n: number, body: () => unknown) {
  const answers: Answer[] = [];
  const refused: string[] = [];
  let running = true;
  const clients = Array.from({ length: n }, async () => {
    while (running) {
      try {
        answers.push(await call(url, "POST", "/v1/loads", { key, body: body() }));
      } catch (err) {
        refused.push(err instanceof Error ? `${err.message} ${String(err.cause ?? "")}` : "?");
        await sleep(50);
      }
    }
  });
  return {
    answers,
    refused,
    async stop() {
      running = false;
      await Promise.all(clients);
    },
  };
}

describe("a dropped database connection", () => {
  it("costs the transaction on it, not the process", async () => {
    // The driver's crash, reproduced on its own: a transaction whose backend is terminated
    // mid-query. Its ROLLBACK went to a socket that was gone, from a setImmediate, and the
    // TypeError ended the process (postgres.js issues 1154 and 1208).
    const database = await createTestDatabase();
    onTestFinished(() => database.close());
    const script = `
      import postgres from "postgres";
      const sql = postgres(process.env.URL, { max: 2, onnotice() {} });
      const killer = postgres(process.env.URL, { max: 1 });
      let pid = null;
      const tx = sql.begin(async (t) => {
        [{ pid }] = await t\`select pg_backend_pid() as pid\`;
        await t\`select pg_sleep(5)\`;
      });
      while (pid === null) await new Promise((r) => setTimeout(r, 20));
      await killer\`select pg_terminate_backend(\${pid})\`;
      console.log("transaction:", await tx.then(() => "committed", (e) => e.code));
      const [{ one }] = await sql\`select 1 as one\`;
      console.log("next query:", one);
      await sql.end();
      await killer.end();
    `;
    const { code, out } = await runScript(["--input-type=module", "-e", script], database);
    expect(out).toContain("transaction: CONNECTION_CLOSED");
    expect(out).toContain("next query: 1");
    expect(code, out).toBe(0);
  });

  it("during the queue backend's start-up is reported, not fatal", async () => {
    // BullMQ's PostgreSQL backend checks a pg client out for its schema bootstrap; pg emits
    // 'error' when that session ends, and with no listener the process ended. Held on the
    // bootstrap's own advisory lock, the session is ended while it waits.
    const database = await createTestDatabase();
    onTestFinished(() => database.close());
    const script = `
      import postgres from "postgres";
      import { postgresRuntime } from "./workers/runtime.ts";
      const url = process.env.URL;
      const schema = "bullmq_boot";
      const holder = postgres(url, { max: 1, onnotice() {} });
      const killer = postgres(url, { max: 1, onnotice() {} });
      const held = holder.begin(async (t) => {
        await t\`select pg_advisory_xact_lock(\${0x42554c4c}, hashtext(\${schema}))\`;
        await new Promise((r) => setTimeout(r, 1500));
      });
      await new Promise((r) => setTimeout(r, 200));
      const runtime = postgresRuntime(url, { schema, onError: (e) => console.log("reported:", e.message) });
      const first = runtime.ping();
      let waiting = [];
      while (waiting.length === 0) {
        await new Promise((r) => setTimeout(r, 50));
        waiting = await killer\`select pid from pg_stat_activity
          where wait_event_type = 'Lock' and datname = current_database()\`;
      }
      await killer\`select pg_terminate_backend(\${waiting[0].pid})\`;
      console.log("first ping:", await first);
      await held;
      console.log("next ping:", await runtime.ping());
      await runtime.close();
      await holder.end();
      await killer.end();
    `;
    const { code, out } = await runScript(
      ["--import", "tsx", "--input-type=module", "-e", script],
      database,
    );
    expect(out).toContain("reported: Connection terminated unexpectedly");
    expect(out).toContain("first ping: false");
    expect(out).toContain("next ping: true");
    expect(code, out).toBe(0);
  });

  it("under write load leaves the node up, and it recovers by itself", async () => {
    // A real node process (a crash would end it), queues on PostgreSQL, so BullMQ's pools lose
    // their connections too; 40 clients write while every session is ended, eight times.
    const database = await createTestDatabase();
    onTestFinished(() => database.close());
    const sql = observer(database);
    const node = spawn(process.execPath, ["--import", "tsx", "api/server.ts"], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        REDIS_URL: "",
        PORT: "0",
        CARAVAN_ADMIN_KEY: ADMIN_KEY,
        CARAVAN_RATE_LIMIT: "1000000",
        LOG_LEVEL: "fatal",
      },
    });
    let output = "";
    node.stdout.on("data", (d) => {
      output += d;
    });
    node.stderr.on("data", (d) => {
      output += d;
    });
    const exited = once(node, "exit");
    try {
      const url = await until(
        "the node to start",
        async () => {
          if (node.exitCode !== null) throw new Error(output);
          return /API\s+(http:\/\/\S+)\/v1/.exec(output)?.[1];
        },
        30_000,
      );
      const key = await verifiedShipper(url);
      const load = writeLoad(url, key, 40, () => loadBody());
      await sleep(500);
      let killed = 0;
      for (let i = 0; i < 8; i++) {
        killed += await killConnections(sql, database);
        await sleep(150);
      }
      expect(killed).toBeGreaterThan(8);
      const after = load.answers.length;
      await sleep(1_500);
      await load.stop();

      expect(node.exitCode, output).toBeNull();
      expect(load.refused, output).toEqual([]);
      // Some writes fail while their connection goes: a 503 to retry, never a 500 or a 4xx.
      const statuses = new Set(load.answers.map((a) => a.status));
      for (const s of statuses) expect(s === 201 || s === 503, `status ${s}`).toBe(true);
      expect(load.answers.slice(after).some((a) => a.status === 201)).toBe(true);
      await until(
        "a write to succeed again",
        async () =>
          (await call(url, "POST", "/v1/loads", { key, body: loadBody() })).status === 201 ||
          undefined,
        10_000,
      );
      expect((await call(url, "GET", "/ready")).status).toBe(200);
      // Every acknowledged write is there.
      const acknowledged = load.answers.filter((a) => a.status === 201).map((a) => a.body.id);
      const [found] = await sql<{ n: number }[]>`
        select count(*)::int as n from loads where id in ${sql(acknowledged as string[])}`;
      expect(found?.n).toBe(acknowledged.length);
    } finally {
      if (node.exitCode === null) node.kill("SIGTERM");
      await exited;
      await sql.end();
    }
  });
});

describe("a Redis outage", () => {
  it("does not hold writes, shows on /ready and /metrics, and loses no closing", async () => {
    const redis = await ownRedis();
    // Hooks cannot be added from inside a test: this one stops its Redis itself.
    onTestFinished(() => redis.dispose());
    const database = await createTestDatabase();
    onTestFinished(() => database.close());
    const sql = observer(database);
    const config = loadConfig({
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      PORT: "0",
      CARAVAN_ADMIN_KEY: ADMIN_KEY,
      CARAVAN_RATE_LIMIT: "1000000",
    });
    const node: RunningNode = await startNode(config, {
      logger: pino({ level: "silent" }),
      sweeps: { loadsMs: 500, webhooksMs: 500 },
    });
    try {
      const key = await verifiedShipper(node.url);
      // Bidding on every load closes at one moment after Redis is back; no bids, so each
      // closes unawarded, by its own job or by the sweep.
      const closesAt = new Date(Date.now() + 9_000).toISOString();
      const body = () => loadBody({ awardRule: "lowest_price", biddingClosesAt: closesAt });
      // Warm (first requests of a node are slow), and with jobs waiting in Redis to be lost.
      const before = await Promise.all(
        Array.from({ length: 20 }, () =>
          call(node.url, "POST", "/v1/loads", { key, body: body() }),
        ),
      );
      expect(new Set(before.map((a) => a.status))).toEqual(new Set([201]));

      await redis.stop();
      const load = writeLoad(node.url, key, 40, body);
      await sleep(1_500);
      const [ready, metrics] = await Promise.all([
        call(node.url, "GET", "/ready"),
        fetch(`${node.url}/metrics`).then(async (r) => ({
          status: r.status,
          text: await r.text(),
        })),
      ]);
      await load.stop();

      expect(load.refused).toEqual([]);
      expect(load.answers.length).toBeGreaterThanOrEqual(40);
      const slowest = Math.max(...load.answers.map((a) => a.ms));
      expect(slowest, "slowest write (ms)").toBeLessThan(2_000);
      expect(new Set(load.answers.map((a) => a.status))).toEqual(new Set([201]));
      expect(ready.status).toBe(503);
      expect(ready.ms).toBeLessThan(2_000);
      expect(ready.body).toEqual({
        status: "unavailable",
        checks: { database: true, queue: false },
      });
      expect(metrics.status).toBe(200);
      expect(metrics.text).toMatch(/^caravan_queue_up 0$/m);
      expect(metrics.text).not.toMatch(/^caravan_queue_jobs\{/m);

      await redis.start();
      await until(
        "/ready to answer 200",
        async () => ((await call(node.url, "GET", "/ready")).status === 200 ? true : undefined),
        10_000,
      );
      expect(await fetch(`${node.url}/metrics`).then((r) => r.text())).toMatch(
        /^caravan_queue_up 1$/m,
      );

      // Every load acknowledged, before and during the outage, closes exactly once.
      const ids = [...before, ...load.answers].map((a) => a.body.id as string);
      const closed = await until(
        "every load to close",
        async () => {
          const rows = await sql<{ id: string; status: string }[]>`
            select id, status from loads where id in ${sql(ids)}`;
          return rows.every((r) => r.status === "unawarded") ? rows : undefined;
        },
        15_000,
      );
      expect(closed.length).toBe(ids.length);
      const [loads] = await sql<{ n: number }[]>`select count(*)::int as n from loads`;
      expect(loads?.n).toBe(ids.length);
      const twice = await sql`
        select entity_id from audit_log where action = 'load.unawarded'
         group by entity_id having count(*) <> 1`;
      expect(twice).toEqual([]);
      const [entries] = await sql<{ n: number }[]>`
        select count(*)::int as n from audit_log where action = 'load.unawarded'`;
      expect(entries?.n).toBe(ids.length);
    } finally {
      // Workers wait for Redis to close cleanly.
      if (!redis.running) {
        await redis.start();
        await until(
          "the node to see Redis again",
          async () => ((await call(node.url, "GET", "/ready")).status === 200 ? true : undefined),
          10_000,
        ).catch(() => {});
      }
      await node.stop();
      await sql.end();
    }
  });
});

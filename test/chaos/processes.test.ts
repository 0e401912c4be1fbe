import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { describe, expect, inject, it, onTestFinished } from "vitest";
import { LOCKS, migrateDatabase, openDatabase } from "../../db/client";
import { createTestDatabase } from "../support/db";
import { shipperBody } from "../support/fixtures";
import { callNode, type NodeProcess, startNodeProcess } from "../support/processes";
import { withDatabase } from "../support/urls";

const ADMIN_KEY = "cvn_admin_processes_test_0123456789";

/** An empty database (no migrations), dropped when the test finishes. */
async function emptyDatabase(): Promise<string> {
  const server = inject("pgServerUrl");
  const name = `caravan_t_${randomBytes(6).toString("hex")}`;
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  onTestFinished(async () => {
    const drop = postgres(server, { max: 1, onnotice: () => {} });
    await drop.unsafe(`drop database if exists "${name}" with (force)`).catch(() => {});
    await drop.end();
  });
  return withDatabase(server, name);
}

const lines = (p: NodeProcess, text: string) =>
  p
    .output()
    .split("\n")
    .filter((l) => l.includes(text)).length;
const leadingLines = (p: NodeProcess) => lines(p, '"leading":true');
/** Whether the process leads now, by what it logged. */
const leads = (p: NodeProcess) => leadingLines(p) - lines(p, '"leading":false') === 1;

async function until(what: string, check: () => boolean | Promise<boolean>, ms: number) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function verifiedShipper(url: string): Promise<{ id: string; key: string }> {
  const res = await callNode(url, "POST", "/v1/shippers", { body: shipperBody() });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const id: string = res.body.organization.id;
  const v = await callNode(url, "POST", `/v1/orgs/${id}/verify`, { key: ADMIN_KEY });
  expect(v.status, JSON.stringify(v.body)).toBe(200);
  return { id, key: res.body.apiKey };
}

describe("processes starting together on a fresh database", () => {
  it("migrate one at a time", async () => {
    const url = await emptyDatabase();
    const dbs = [0, 1, 2].map(() => openDatabase(url, { max: 2 }));
    try {
      await Promise.all(dbs.map((d) => migrateDatabase(d)));
    } finally {
      for (const d of dbs) await d.close();
    }
  });

  it("CARAVAN_PROCESSES=2 starts both, with one admin and one leader", async () => {
    const url = await emptyDatabase();
    const node = await startNodeProcess({
      DATABASE_URL: url,
      // As past a pooler in transaction mode: locks and LISTEN go to the session URL.
      DATABASE_SESSION_URL: `${url}?application_name=caravan-session`,
      CARAVAN_PROCESSES: "2",
      CARAVAN_ADMIN_KEY: ADMIN_KEY,
      CARAVAN_DB_POOL: "4",
    });
    expect(node.output()).toContain("processes  2 (cluster)");
    expect(leadingLines(node), node.output()).toBe(1);
    const shipper = await verifiedShipper(node.url);
    const got = await callNode(node.url, "GET", `/v1/shippers/${shipper.id}`, {
      key: shipper.key,
    });
    expect(got.status).toBe(200);
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const [row] = await sql<{ n: number }[]>`
        select count(*)::int as n from organizations where kind = 'admin'`;
      expect(row?.n).toBe(1);
      const sessions = await sql<{ name: string; n: number }[]>`
        select application_name as name, count(*)::int as n from pg_stat_activity
        where datname = current_database() group by 1`;
      const by = Object.fromEntries(sessions.map((r) => [r.name, r.n]));
      // Each process: its key-change listener, its bid for the lead and its queues.
      expect(by["caravan-session"], JSON.stringify(by)).toBeGreaterThanOrEqual(4);
    } finally {
      await sql.end();
    }
    await node.stop();
    expect(node.child.exitCode, node.output()).toBe(0);
  });

  it("refuses CARAVAN_PROCESSES > 1 on the embedded PostgreSQL, naming the variable", async () => {
    await expect(
      startNodeProcess({ DATABASE_URL: "", CARAVAN_PROCESSES: "2", CARAVAN_DATA_DIR: "" }),
    ).rejects.toThrow(/CARAVAN_PROCESSES: more than one process needs DATABASE_URL/);
  });
});

describe("two node processes on one database", () => {
  it("share the rate limit, forget revoked keys at once, and keep one leader", async () => {
    const database = await createTestDatabase();
    const env = {
      DATABASE_URL: database.url,
      CARAVAN_ADMIN_KEY: ADMIN_KEY,
      CARAVAN_RATE_LIMIT: "100",
      CARAVAN_DB_POOL: "4",
    };
    const a = await startNodeProcess(env);
    const b = await startNodeProcess(env);
    await until("an election", () => leadingLines(a) + leadingLines(b) === 1, 5_000);

    // 200 requests, half through each, against 100 a minute: each alone would pass them all.
    const limited = await verifiedShipper(a.url);
    const path = `/v1/shippers/${limited.id}`;
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        callNode(i % 2 ? a.url : b.url, "GET", path, { key: limited.key }),
      ),
    );
    const ok = answers.filter((r) => r.status === 200).length;
    expect(ok).toBeGreaterThanOrEqual(90);
    expect(ok).toBeLessThanOrEqual(110);
    expect(answers.filter((r) => r.status === 429).length).toBe(200 - ok);

    await revocationHoldsEverywhere(a, b);
    await listenersComeBack(a, b, database.url);
    await lockSessionEnded(a, b, database.url);
    await leaderTakesOver(a, b, database.url);
  });
});

/** A key revoked, or an organisation suspended, through one process, within 100 ms on the other. */
async function revocationHoldsEverywhere(a: NodeProcess, b: NodeProcess) {
  const shipper = await verifiedShipper(a.url);
  const second = await callNode(a.url, "POST", "/v1/api-keys", {
    key: shipper.key,
    body: { name: "second" },
  });
  expect(second.status, JSON.stringify(second.body)).toBe(201);
  const keys = await callNode(a.url, "GET", "/v1/api-keys", { key: shipper.key });
  const first = keys.body.items.find((k: { name: string }) => k.name !== "second");
  const path = `/v1/shippers/${shipper.id}`;
  // b has both keys cached.
  expect((await callNode(b.url, "GET", path, { key: shipper.key })).status).toBe(200);
  expect((await callNode(b.url, "GET", path, { key: second.body.key })).status).toBe(200);

  const revoked = await callNode(a.url, "DELETE", `/v1/api-keys/${first.id}`, {
    key: second.body.key,
  });
  expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
  await new Promise((r) => setTimeout(r, 100));
  expect((await callNode(b.url, "GET", path, { key: shipper.key })).status).toBe(401);

  // A write with no body: 400 while it may write, 403 once suspended.
  expect((await callNode(b.url, "POST", "/v1/api-keys", { key: second.body.key })).status).toBe(
    400,
  );
  const suspended = await callNode(a.url, "POST", `/v1/orgs/${shipper.id}/suspend`, {
    key: ADMIN_KEY,
    body: { reason: "test" },
  });
  expect(suspended.status, JSON.stringify(suspended.body)).toBe(200);
  await new Promise((r) => setTimeout(r, 100));
  expect((await callNode(b.url, "POST", "/v1/api-keys", { key: second.body.key })).status).toBe(
    403,
  );
}

/** The key-change listeners' sessions ended: they listen again, and revocation still holds. */
async function listenersComeBack(a: NodeProcess, b: NodeProcess, url: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const listeners = () => sql<{ pid: number }[]>`
    select pid from pg_stat_activity
    where datname = current_database() and query like 'listen "caravan_keys_changed"%'`;
  try {
    const before = (await listeners()).map((r) => r.pid);
    expect(before).toHaveLength(2);
    await sql`select pg_terminate_backend(pid) from unnest(${before}::int[]) as pid`;
    await until(
      "both to listen again",
      async () => (await listeners()).filter((r) => !before.includes(r.pid)).length === 2,
      5_000,
    );
  } finally {
    await sql.end();
  }
  const shipper = await verifiedShipper(a.url);
  const path = `/v1/shippers/${shipper.id}`;
  expect((await callNode(b.url, "GET", path, { key: shipper.key })).status).toBe(200);
  const suspended = await callNode(a.url, "POST", `/v1/orgs/${shipper.id}/suspend`, {
    key: ADMIN_KEY,
    body: { reason: "test" },
  });
  expect(suspended.status, JSON.stringify(suspended.body)).toBe(200);
  await new Promise((r) => setTimeout(r, 100));
  expect((await callNode(b.url, "POST", "/v1/api-keys", { key: shipper.key })).status).toBe(403);
}

/** The leader's lock session ended under it: it stops leading, and one process leads again. */
async function lockSessionEnded(a: NodeProcess, b: NodeProcess, url: string) {
  const [leader] = leads(a) ? [a, b] : [b, a];
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const ended = await sql`
      select pg_terminate_backend(pid) from pg_locks
      where locktype = 'advisory' and objid = ${LOCKS.leader} and granted`;
    expect(ended.length).toBe(1);
  } finally {
    await sql.end();
  }
  await until("the leader to resign", () => lines(leader, '"leading":false') === 1, 5_000);
  await until("one leader again", () => Number(leads(a)) + Number(leads(b)) === 1, 5_000);
}

/** Only the leader seals; killed, the other process leads and seals what is written next. */
async function leaderTakesOver(a: NodeProcess, b: NodeProcess, url: string) {
  const [leader, follower] = leads(a) ? [a, b] : [b, a];
  leader.child.kill("SIGKILL");
  await leader.exited;
  await until("the other process to lead", () => leads(follower), 5_000);
  await verifiedShipper(follower.url);
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await until(
      "the new leader to seal the audit log",
      async () => {
        const [row] = await sql<{ n: number }[]>`
          select count(*)::int as n from audit_log where hash is null`;
        return row?.n === 0;
      },
      5_000,
    );
  } finally {
    await sql.end();
  }
}

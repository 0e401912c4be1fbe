import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { mountQueueDashboard } from "../../api/dashboard/queues";
import { adminSessions } from "../../db/schema";
import { Queues } from "../../workers/queues";
import { postgresRuntime } from "../../workers/runtime";
import { createTestNode, type TestNode } from "../support/app";
import { createTestDatabase } from "../support/db";
import { registerShipper } from "../support/fixtures";

const database = await createTestDatabase();
const runtime = postgresRuntime(database.url, {
  schema: `bullmq_${randomBytes(4).toString("hex")}`,
});
const queues = new Queues(runtime);
const node = await createTestNode({
  database,
  trustedProxies: "10.0.0.0/8",
  rateLimitPerMinute: 10,
  mount: (app) => mountQueueDashboard(app, queues.all()),
});
// Registered last, so it runs before the database is dropped.
afterAll(async () => {
  await queues.close();
  await runtime.close();
});

async function login(
  n: TestNode,
  key: string,
  opts: { headers?: Record<string, string>; remoteAddress?: string } = {},
) {
  return n.call("GET", `/admin/queues?key=${encodeURIComponent(key)}`, opts);
}

const sessionOf = (setCookie: string) => /caravan_admin_session=([^;]+)/.exec(setCookie)?.[1];

describe("the queue dashboard's session", () => {
  it("exchanges the admin key for a session cookie that is HttpOnly, SameSite=Strict, on /admin", async () => {
    const res = await login(node, node.adminKey);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin/queues");
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^caravan_admin_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\/admin(;|$)/);
    expect(cookie).toMatch(/; Max-Age=28800/);
    // Plain http: a Secure cookie would never come back.
    expect(cookie).not.toMatch(/Secure/);
    expect(cookie).not.toContain(node.adminKey);
    expect(cookie).not.toContain(encodeURIComponent(node.adminKey));

    const board = await node.call("GET", "/admin/queues", {
      headers: { cookie: `caravan_admin_session=${sessionOf(cookie)}` },
    });
    expect(board.status).toBe(200);
    expect(String(board.body)).toMatch(/<html/i);
    // Every queue of the node is on the board, the federation deliveries among them.
    const listed = await node.call("GET", "/admin/queues/api/queues", {
      headers: { cookie: `caravan_admin_session=${sessionOf(cookie)}` },
    });
    expect(listed.status).toBe(200);
    const names = (listed.body as { queues: { name: string }[] }).queues.map((q) => q.name);
    expect(names).toEqual(expect.arrayContaining(queues.all().map((q) => q.name)));
    expect(names).toContain("federation");
  });

  it("marks the cookie Secure when the request came over https through a trusted proxy", async () => {
    const res = await login(node, node.adminKey, {
      remoteAddress: "10.0.0.2",
      headers: { "x-forwarded-proto": "https", "x-forwarded-for": "198.51.100.20" },
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("set-cookie")).toMatch(/; Secure/);
    // The same header from anyone else is not believed.
    const direct = await login(node, node.adminKey, { headers: { "x-forwarded-proto": "https" } });
    expect(direct.headers.get("set-cookie")).not.toMatch(/Secure/);
  });

  it("stores only a hash of the session id, with an expiry eight hours out", async () => {
    const res = await login(node, node.adminKey);
    const id = sessionOf(res.headers.get("set-cookie") ?? "") ?? "";
    const rows = await node.database.db.select().from(adminSessions);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.hash).not.toBe(id);
      expect(JSON.stringify(row)).not.toContain(node.adminKey);
      const hours = (row.expiresAt.getTime() - row.createdAt.getTime()) / 3_600_000;
      expect(hours).toBeCloseTo(8, 1);
    }
  });

  it("refuses an unknown or expired session, and clears a cookie holding a raw key", async () => {
    const forged = await node.call("GET", "/admin/queues", {
      headers: { cookie: "caravan_admin_session=not-a-session" },
      remoteAddress: "192.0.2.70",
    });
    expect(forged.status).toBe(401);
    const res = await login(node, node.adminKey);
    const id = sessionOf(res.headers.get("set-cookie") ?? "");
    await node.database.db.update(adminSessions).set({ expiresAt: new Date(Date.now() - 1000) });
    const expired = await node.call("GET", "/admin/queues", {
      headers: { cookie: `caravan_admin_session=${id}` },
    });
    expect(expired.status).toBe(401);
    const old = await node.call("GET", "/admin/queues", {
      headers: { cookie: `caravan_admin_key=${node.adminKey}` },
    });
    expect(old.status).toBe(401);
    expect(old.headers.get("set-cookie")).toMatch(/caravan_admin_key=;.*Max-Age=0/);
  });

  it("gives a non-admin key no session, and throttles guessed keys per address", async () => {
    const shipper = await registerShipper(node);
    const asShipper = await login(node, shipper.key);
    expect(asShipper.status).toBe(403);
    expect(asShipper.headers.get("set-cookie")).toBeNull();
    const guesser = { remoteAddress: "192.0.2.80" };
    const statuses: number[] = [];
    for (let i = 0; i < 14; i++) {
      statuses.push(
        (await login(node, `cvn_${randomBytes(24).toString("base64url")}`, guesser)).status,
      );
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(4);
  });
});

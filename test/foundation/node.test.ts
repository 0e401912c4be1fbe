import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, describe, expect, inject, it } from "vitest";
import { startNode } from "../../api/node";
import { loadConfig } from "../../core/config";
import { loadBody } from "../marketplace/support";
import { createTestDatabase } from "../support/db";
import { shipperBody } from "../support/fixtures";
import { queueBackends } from "../support/queues";

// The whole node in one process over real HTTP: migrations, admin bootstrap, API, workers,
// and a graceful stop, on each queue backend.
describe.each(queueBackends())("a node with queues on $name", (backend) => {
  it.skipIf(!backend.available)("starts, serves over HTTP and stops cleanly", async () => {
    const database = await createTestDatabase();
    const dataDir = await mkdtemp(join(tmpdir(), "caravan-node-"));
    afterAll(() => rm(dataDir, { recursive: true, force: true }));
    const config = loadConfig({
      DATABASE_URL: database.url,
      CARAVAN_DATA_DIR: dataDir,
      REDIS_URL: backend.name === "redis" ? (inject("redisUrl") ?? "") : "",
      PORT: "0",
      CARAVAN_NODE_CODE: "GS",
    });
    const node = await startNode(config, { logger: pino({ level: "silent" }) });
    let cursor = "";
    let shipperKey = "";
    try {
      expect(node.queueBackend).toBe(backend.name);
      expect(node.generatedAdminKey).toMatch(/^cvn_/);
      const ready = await fetch(`${node.url}/ready`);
      expect(await ready.json()).toEqual({
        status: "ready",
        checks: { database: true, queue: true },
      });
      const reg = await fetch(`${node.url}/v1/shippers`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(shipperBody()),
      });
      expect(reg.status).toBe(201);
      expect(reg.headers.get("x-request-id")).toMatch(/^req_/);
      const traced = await fetch(`${node.url}/nope`, { headers: { "x-request-id": "trace-1" } });
      expect([traced.status, traced.headers.get("x-request-id")]).toEqual([404, "trace-1"]);
      // The queue dashboard: admins only, by bearer key or once by ?key= (then a session).
      expect((await fetch(`${node.url}/admin/queues`)).status).toBe(401);
      const registered = (await reg.json()) as { apiKey: string; organization: { id: string } };
      shipperKey = registered.apiKey;
      const asShipper = await fetch(`${node.url}/admin/queues`, {
        headers: { authorization: `Bearer ${shipperKey}` },
      });
      expect(asShipper.status).toBe(403);
      const login = await fetch(`${node.url}/admin/queues?key=${node.generatedAdminKey}`, {
        redirect: "manual",
      });
      expect(login.status).toBe(303);
      const cookie = login.headers.get("set-cookie") ?? "";
      expect(cookie).toMatch(/HttpOnly/i);
      const board = await fetch(`${node.url}/admin/queues`, {
        headers: { cookie: cookie.split(";")[0] ?? "" },
      });
      expect(board.status).toBe(200);
      expect(await board.text()).toMatch(/<html/i);
      const boardApi = await fetch(`${node.url}/admin/queues/api/queues`, {
        headers: { cookie: cookie.split(";")[0] ?? "" },
      });
      expect(boardApi.status).toBe(200);
      expect(((await boardApi.json()) as { queues: unknown[] }).queues.length).toBeGreaterThan(0);
      const verify = await fetch(`${node.url}/v1/audit/verify`, {
        headers: { authorization: `Bearer ${node.generatedAdminKey}` },
      });
      const verdict = (await verify.json()) as { entries: number };
      expect(verdict).toMatchObject({ ok: true, firstBadEntry: null });
      expect(verdict.entries).toBeGreaterThanOrEqual(2);
      // A forged entry (no proof) is refused by the sealer within moments, and the gauge drops.
      const intact = async () =>
        /^caravan_audit_log_intact (\d)$/m.exec(
          await (await fetch(`${node.url}/metrics`)).text(),
        )?.[1];
      expect(await intact()).toBe("1");
      await database.sql`
        insert into audit_log (at, actor_kind, action, entity_type, entity_id, data)
        values (now(), 'admin', 'organization.verified', 'organization', 'org_x', '{}'::jsonb)`;
      const deadline = Date.now() + 5_000;
      while ((await intact()) !== "0" && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await intact()).toBe("0");
      // A feed cursor, sealed with the secret the node generated beside its data.
      await fetch(`${node.url}/v1/orgs/${registered.organization.id}/verify`, {
        method: "POST",
        headers: { authorization: `Bearer ${node.generatedAdminKey}` },
      });
      const posted = await fetch(`${node.url}/v1/loads`, {
        method: "POST",
        headers: { authorization: `Bearer ${shipperKey}`, "content-type": "application/json" },
        body: JSON.stringify(loadBody()),
      });
      expect(posted.status).toBe(201);
      // Shown once every older transaction of the server has ended: wait for it.
      for (let tries = 0; tries < 200 && !cursor; tries++) {
        const page = await fetch(`${node.url}/v1/feed`, {
          headers: { authorization: `Bearer ${shipperKey}` },
        });
        cursor = ((await page.json()) as { nextCursor: string | null }).nextCursor ?? "";
        if (!cursor) await new Promise((r) => setTimeout(r, 100));
      }
      expect(cursor).toMatch(/^[\w-]{35}$/);
      expect((await stat(join(dataDir, "cursor-secret"))).mode & 0o777).toBe(0o600);
    } finally {
      await node.stop();
    }
    await expect(fetch(`${node.url}/health`)).rejects.toThrow();
    // A second start on the same database keeps the admin and generates no new key.
    const again = await startNode(config, { logger: pino({ level: "silent" }) });
    expect(again.generatedAdminKey).toBeUndefined();
    // ...and the cursors it gave out still work after the restart.
    const resumed = await fetch(`${again.url}/v1/feed?since=${cursor}`, {
      headers: { authorization: `Bearer ${shipperKey}` },
    });
    expect(resumed.status).toBe(200);
    await again.stop();
    await rm(dataDir, { recursive: true, force: true });
  });
});

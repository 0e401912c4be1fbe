import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pendingDeliveries } from "../../core/webhooks/deliver";
import { feedEvents, webhookDeliveries, webhooks } from "../../db/schema";
import type { Queues } from "../../workers/queues";
import { webhooksQueue } from "../../workers/queues/webhooks";
import { createTestNode, type TestNode } from "../support/app";
import { registerCarrier, registerShipper } from "../support/fixtures";
import { queueBackends, testWorkers } from "../support/queues";
import { postLoad } from "./support";

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP endpoint on 127.0.0.1; `answer(n)` picks the status of the n-th request (1-based). */
async function receiver(answer: (n: number) => number) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.statusCode = answer(received.length);
      res.end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${port}/hooks`, received };
}

/** Standard Webhooks verification written out here, independent of the node's own code. */
function signatureOf(secret: string, r: Received): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const signed = `${r.headers["webhook-id"]}.${r.headers["webhook-timestamp"]}.${r.body}`;
  return `v1,${createHmac("sha256", key).update(signed).digest("base64")}`;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function addWebhook(node: TestNode, key: string, url: string) {
  const res = await node.call("POST", "/v1/webhooks", { key, body: { url } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; url: string; secret: string };
}

describe("webhook registration", () => {
  let node: TestNode;
  let mine: { id: string; key: string };
  let other: { id: string; key: string };
  beforeAll(async () => {
    node = await createTestNode();
    mine = await registerShipper(node);
    other = await registerCarrier(node);
  });

  describe("happy path", () => {
    it("creates a webhook with a secret shown once, and lists it without the secret", async () => {
      const res = await node.call("POST", "/v1/webhooks", {
        key: mine.key,
        body: { url: "https://tms.example.com/caravan", description: "TMS" },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.id).toMatch(/^wh_/);
      expect(res.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
      expect(Buffer.from(res.body.secret.slice(6), "base64")).toHaveLength(24);
      const list = await node.call("GET", "/v1/webhooks", { key: mine.key });
      expect(list.status).toBe(200);
      expect(list.body.items).toEqual([
        {
          id: res.body.id,
          url: "https://tms.example.com/caravan",
          description: "TMS",
          createdAt: res.body.createdAt,
        },
      ]);
    });

    it("writes a pending delivery with each feed event, in the event's transaction", async () => {
      const shipper = await registerShipper(node);
      await addWebhook(node, shipper.key, "https://tms.example.com/loads");
      const load = await postLoad(node, shipper.key);
      const [hook] = await node.database.db
        .select({ id: webhooks.id })
        .from(webhooks)
        .where(eq(webhooks.orgId, shipper.id));
      const rows = await node.database.db
        .select()
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.webhookId, hook?.id ?? ""));
      expect(rows).toHaveLength(1);
      expect(rows[0]?.status).toBe("pending");
      // No queue runs in this node: the sweep is what would send it.
      const ctx = {
        db: node.database.db,
        actor: { kind: "system", name: "t" } as const,
        identity: node.identity,
        network: node.network,
      };
      const due = await pendingDeliveries(
        { ...ctx, clock: { now: () => new Date() } },
        { olderThanMs: 0, limit: 1000 },
      );
      expect(due).toContain(rows[0]?.id);
      expect(load.id).toMatch(/^ld_/);
    });

    it("deletes my webhook", async () => {
      const hook = await addWebhook(node, mine.key, "https://tms.example.com/delete-me");
      const del = await node.call("DELETE", `/v1/webhooks/${hook.id}`, { key: mine.key });
      expect(del.status, JSON.stringify(del.body)).toBe(200);
      const list = await node.call("GET", "/v1/webhooks", { key: mine.key });
      expect(list.body.items.map((w: { id: string }) => w.id)).not.toContain(hook.id);
    });
  });

  describe("errors", () => {
    it.each([
      ["ftp://tms.example.com/x"],
      ["javascript:alert(1)"],
      ["not a url"],
      ["/relative/path"],
      [""],
    ])("refuses %j with 400 naming url", async (url) => {
      const res = await node.call("POST", "/v1/webhooks", { key: mine.key, body: { url } });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.code).toBe("BAD_REQUEST");
      expect(res.body.error.details).toContainEqual(expect.objectContaining({ path: "url" }));
    });

    it("refuses the same URL twice for one organisation with 409", async () => {
      await addWebhook(node, mine.key, "https://tms.example.com/twice");
      const res = await node.call("POST", "/v1/webhooks", {
        key: mine.key,
        body: { url: "https://tms.example.com/twice" },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(409);
    });

    it("requires an API key", async () => {
      const res = await node.call("GET", "/v1/webhooks");
      expect(res.status).toBe(401);
    });
  });

  describe("security", () => {
    it("another organisation can neither list nor delete my webhooks (404)", async () => {
      const hook = await addWebhook(node, mine.key, "https://tms.example.com/private");
      const list = await node.call("GET", "/v1/webhooks", { key: other.key });
      expect(list.status).toBe(200);
      expect(list.body.items).toEqual([]);
      const del = await node.call("DELETE", `/v1/webhooks/${hook.id}`, { key: other.key });
      expect(del.status, JSON.stringify(del.body)).toBe(404);
      const still = await node.call("GET", "/v1/webhooks", { key: mine.key });
      expect(still.body.items.map((w: { id: string }) => w.id)).toContain(hook.id);
    });
  });
});

describe.each(queueBackends())("webhook delivery on the $name queue backend", (backend) => {
  describe.skipIf(!backend.available)("signed, retried deliveries", () => {
    const workers = testWorkers(backend);
    const jobs = workers.jobs;
    let stop: (() => Promise<void>) | undefined;
    let node: TestNode;
    let queues: Queues;

    beforeAll(async () => {
      // The receiver listens on loopback, which only an explicit allow-list lets webhooks reach.
      node = await createTestNode({ jobs, egressAllow: "127.0.0.0/8" });
      ({ queues, stop } = await workers.start(node));
    });
    afterAll(async () => stop?.());

    async function deliveryOf(webhookId: string) {
      const [row] = await node.database.db
        .select()
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.webhookId, webhookId));
      return row;
    }

    it("delivers a feed event with a Standard Webhooks signature the receiver can check", async () => {
      const endpoint = await receiver(() => 204);
      const shipper = await registerShipper(node);
      const hook = await addWebhook(node, shipper.key, endpoint.url);
      const load = await postLoad(node, shipper.key);
      const got = await until("the delivery", async () => endpoint.received[0]);
      expect(got.headers["content-type"]).toBe("application/json");
      expect(got.headers["webhook-id"]).toMatch(/^msg_/);
      const ts = Number(got.headers["webhook-timestamp"]);
      expect(Math.abs(ts - Date.now() / 1000)).toBeLessThan(60);
      expect(got.headers["webhook-signature"]).toBe(signatureOf(hook.secret, got));
      const body = JSON.parse(got.body);
      expect(body).toMatchObject({
        type: "load.posted",
        data: { entityType: "load", entityId: load.id, loadId: load.id },
      });
      // The event's cursor is the feed's own: a receiver may resume `GET /v1/feed` from it.
      // (The feed shows an event once every older transaction of the server has ended.)
      const shown = await until("the event in the feed", async () => {
        const feed = await node.call("GET", "/v1/feed", { key: shipper.key });
        return feed.body.items[0];
      });
      expect(body.data.cursor).toBe(shown.cursor);
      const row = await until("delivered status", async () => {
        const r = await deliveryOf(hook.id);
        return r?.status === "delivered" ? r : undefined;
      });
      expect(row).toMatchObject({
        attempts: 1,
        lastResponseStatus: 204,
        id: got.headers["webhook-id"],
      });
      expect(endpoint.received).toHaveLength(1);
    });

    it("retries a receiver that answers 500 twice and delivers on the third attempt", async () => {
      const endpoint = await receiver((n) => (n <= 2 ? 500 : 200));
      const shipper = await registerShipper(node);
      const hook = await addWebhook(node, shipper.key, endpoint.url);
      await postLoad(node, shipper.key);
      const row = await until("delivered after retries", async () => {
        const r = await deliveryOf(hook.id);
        return r?.status === "delivered" ? r : undefined;
      });
      expect(row.attempts).toBe(3);
      expect(endpoint.received).toHaveLength(3);
      // The same message each time: one id, each attempt signed afresh.
      const ids = new Set(endpoint.received.map((r) => r.headers["webhook-id"]));
      expect(ids.size).toBe(1);
      for (const r of endpoint.received) {
        expect(r.headers["webhook-signature"]).toBe(signatureOf(hook.secret, r));
      }
    });

    it("does not retry a receiver that answers 400", async () => {
      const endpoint = await receiver(() => 400);
      const shipper = await registerShipper(node);
      const hook = await addWebhook(node, shipper.key, endpoint.url);
      await postLoad(node, shipper.key);
      const row = await until("failed status", async () => {
        const r = await deliveryOf(hook.id);
        return r?.status === "failed" ? r : undefined;
      });
      // Longer than the first backoff: a retry would have arrived by now.
      await new Promise((r) => setTimeout(r, 2_500));
      expect(endpoint.received).toHaveLength(1);
      expect(row).toMatchObject({ attempts: 1, lastResponseStatus: 400 });
    });

    it("sends a delivery whose enqueue was lost when the sweep runs, and only once", async () => {
      const endpoint = await receiver(() => 200);
      const shipper = await registerShipper(node);
      // An event from before the webhook existed, so no delivery was written for it.
      await postLoad(node, shipper.key);
      const hook = await addWebhook(node, shipper.key, endpoint.url);
      const [event] = await node.database.db
        .select({ seq: feedEvents.seq })
        .from(feedEvents)
        .where(eq(feedEvents.orgId, shipper.id))
        .limit(1);
      expect(event).toBeDefined();
      // A row committed a minute ago whose job never reached the queue (the process died).
      await node.database.db.insert(webhookDeliveries).values({
        id: "msg_lost_0001",
        webhookId: hook.id,
        feedSeq: event?.seq ?? 0,
        createdAt: new Date(Date.now() - 60_000),
      });
      await queues.enqueue(webhooksQueue, "webhooks.sweep", {});
      const got = await until("the swept delivery", async () => endpoint.received[0]);
      expect(got.headers["webhook-id"]).toBe("msg_lost_0001");
      await until("delivered status", async () => {
        const r = await deliveryOf(hook.id);
        return r?.status === "delivered" ? r : undefined;
      });
      await queues.enqueue(webhooksQueue, "webhooks.sweep", {});
      await new Promise((r) => setTimeout(r, 1_000));
      expect(endpoint.received).toHaveLength(1);
    });
  });
});

import { verify } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { systemCtxFactory } from "../../api/compose";
import { deliverToPartner } from "../../core/federation/deliver";
import { importPublicJwk } from "../../core/federation/jwk";
import { loadBody } from "../marketplace/support";
import { createTestNode } from "../support/app";
import { registerCarrier, registerShipper } from "../support/fixtures";
import { partnerBody } from "./support";

interface Answer {
  status: number;
  headers?: Record<string, string>;
  /** Answer this only to batches of more messages than this. */
  whenMoreThan?: number;
}

// A partner that answers what the test scripts, and keeps what it was sent.
const seen: { headers: IncomingHttpHeaders; messages: number; path: string }[] = [];
let script: Answer[] = [];
const server = createServer((req, res) => {
  let body = "";
  req.on("data", (chunk) => {
    body += chunk;
  });
  req.on("end", () => {
    const messages = req.url === "/v1/federation/inbox" ? JSON.parse(body).messages.length : 0;
    seen.push({ headers: req.headers, messages, path: req.url ?? "" });
    const next = script[0];
    const applies = next && (next.whenMoreThan === undefined || messages > next.whenMoreThan);
    const answer = applies ? (script.shift() as Answer) : { status: 200 };
    res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
    res.end("{}");
  });
});
await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const node = await createTestNode({ nodeCode: "XJ", egressAllow: "127.0.0.0/8" });
const ctx = systemCtxFactory(node.parts)("test");
const created = await node.call("POST", "/v1/partners", {
  key: node.adminKey,
  body: await partnerBody({ baseUrl }),
});
expect(created.status, JSON.stringify(created.body)).toBe(201);
const shipper = await registerShipper(node);
const carrier = await registerCarrier(node);

/** Issues `n` waybills to Almaty: two outbox rows (waybill, created event) each. */
async function issue(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const now = Date.now();
    const res = await node.call("POST", "/v1/waybills", {
      key: shipper.key,
      body: {
        carrierId: carrier.id,
        origin: "CN-URC",
        destination: "KZ-ALA",
        cargo: loadBody().cargo,
        price: { amount: 18_000, currency: "CNY" },
        mode: "rail",
        pickupAt: new Date(now).toISOString(),
        deliveryAt: new Date(now + 86_400_000).toISOString(),
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
}

const statuses = async () =>
  Object.fromEntries(
    (
      await node.database.sql<{ status: string; n: number }[]>`
        select status, count(*)::int as n from federation_outbox group by status`
    ).map((r) => [r.status, r.n]),
  );
const sync = async () =>
  (await node.call("GET", "/v1/partners/KZ/sync", { key: node.adminKey })).body;
const deliver = () => deliverToPartner(ctx, { partner: "KZ" });

beforeEach(async () => {
  // Each case starts from an empty outbox and a partner in good standing.
  await deliver();
  await node.call("POST", "/v1/partners/KZ/replay", { key: node.adminKey, body: {} });
  script = [];
  await deliver();
  seen.length = 0;
});

describe("delivery to a partner", () => {
  it("sends a signed batch to the registered address and counts only a 2xx", async () => {
    await issue(2);
    expect(await deliver()).toEqual({ kind: "done", delivered: 4, dead: 0 });
    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request?.path).toBe("/v1/federation/inbox");
    expect(request?.headers["webhook-signature"]).toMatch(/^v1a,[A-Za-z0-9+/=]+$/);
    expect(await sync()).toMatchObject({ reachable: true, backlog: 0, failures: 0 });
  });

  it("signs with every live key during a rotation", async () => {
    const rotated = await node.call("POST", "/v1/node/keys/rotate", { key: node.adminKey });
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(201);
    node.parts.federation.keys.forget();
    await issue(1);
    const batches: { id: string; ts: string; body: string; sig: string }[] = [];
    const capture = (req: import("node:http").IncomingMessage) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () =>
        batches.push({
          id: String(req.headers["webhook-id"]),
          ts: String(req.headers["webhook-timestamp"]),
          sig: String(req.headers["webhook-signature"]),
          body,
        }),
      );
    };
    server.prependListener("request", capture);
    await deliver();
    server.removeListener("request", capture);
    const [batch] = batches;
    const signatures = batch?.sig.split(" ") ?? [];
    expect(signatures).toHaveLength(2);
    const keys = (await node.call("GET", "/.well-known/caravan-node")).body.jwks.keys as {
      x: string;
    }[];
    const signed = Buffer.from(`${batch?.id}.${batch?.ts}.${batch?.body}`);
    for (const sig of signatures) {
      const bytes = Buffer.from(sig.slice(4), "base64");
      expect(keys.some((k) => verify(null, signed, importPublicJwk(k), bytes))).toBe(true);
    }
  });

  it("keeps the backlog through 5xx and network errors, and drains it later", async () => {
    await issue(1);
    script = [{ status: 503 }];
    expect((await deliver()).kind).toBe("retry");
    expect(await statuses()).toMatchObject({ pending: 2 });
    expect(await sync()).toMatchObject({ reachable: false, backlog: 2, failures: 1 });
    expect(await deliver()).toEqual({ kind: "done", delivered: 2, dead: 0 });
  });

  it("waits as long as a 429's Retry-After says", async () => {
    await issue(1);
    script = [{ status: 429, headers: { "retry-after": "3600" } }];
    expect((await deliver()).kind).toBe("retry");
    const sent = seen.length;
    expect((await deliver()).kind).toBe("retry");
    expect(seen).toHaveLength(sent);
    await node.database.sql`update federation_sync set paused_until = now() - interval '1 second'`;
    expect(await deliver()).toEqual({ kind: "done", delivered: 2, dead: 0 });
  });

  it("halves the batch on a 413 until it fits", async () => {
    await issue(2);
    script = [
      { status: 413, whenMoreThan: 1 },
      { status: 413, whenMoreThan: 1 },
    ];
    expect(await deliver()).toEqual({ kind: "done", delivered: 4, dead: 0 });
    expect(seen.map((s) => s.messages)).toEqual([4, 2, 1, 1, 1, 1]);
  });

  it("dead-letters only the message a 400 is about", async () => {
    await issue(1);
    script = [
      { status: 400, whenMoreThan: 1 },
      { status: 400, whenMoreThan: 0 },
    ];
    expect(await deliver()).toEqual({ kind: "done", delivered: 1, dead: 1 });
    const dead = await node.call("GET", "/v1/partners/KZ/dead-letters", { key: node.adminKey });
    expect(dead.body.items).toHaveLength(1);
    expect(dead.body.items[0]).toMatchObject({
      type: "waybill",
      lastError: "partner answered 400",
    });
  });

  it("treats a redirect as a refusal and never follows it", async () => {
    await issue(1);
    script = [{ status: 307, headers: { location: `${baseUrl}/elsewhere` } }];
    expect((await deliver()).kind).toBe("done");
    expect(seen.map((s) => s.path)).not.toContain("/elsewhere");
    expect(await statuses()).toMatchObject({ dead: 2 });
  });

  it("stops on an incompatible protocol version and reports it until a replay", async () => {
    await issue(1);
    script = [{ status: 409 }];
    expect((await deliver()).kind).toBe("stopped");
    expect((await deliver()).kind).toBe("stopped");
    expect(seen).toHaveLength(1);
    expect((await sync()).stoppedReason).toMatch(/protocol version/);
    await node.call("POST", "/v1/partners/KZ/replay", { key: node.adminKey, body: {} });
    expect(await deliver()).toEqual({ kind: "done", delivered: 2, dead: 0 });
  });

  it("writes no outbox row for an event that is refused", async () => {
    await issue(1);
    const before = await statuses();
    const [w] = await node.database.sql<{ number: string }[]>`
      select number from waybills order by created_at desc limit 1`;
    const refused = await node.call("POST", `/v1/waybills/${w?.number}/events`, {
      key: node.adminKey,
      body: { type: "delivered", occurredAt: new Date().toISOString() },
    });
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(await statuses()).toEqual(before);
  });

  it("sends nothing to a suspended partner", async () => {
    await issue(1);
    await node.call("POST", "/v1/partners/KZ/suspend", { key: node.adminKey });
    expect((await deliver()).kind).toBe("stopped");
    expect(seen).toHaveLength(0);
    await node.call("POST", "/v1/partners/KZ/resume", { key: node.adminKey });
    expect((await deliver()).kind).toBe("done");
  });

  it("lets jobs that find a run in progress wait for it instead of failing", async () => {
    await issue(3);
    const rows = await node.database.sql<{ id: string }[]>`
      select id from federation_outbox where status = 'pending' order by seq`;
    expect(rows.length).toBe(6);
    // Six jobs at once, one per row: one sends the batch, the others find their row delivered.
    const runs = await Promise.all(
      rows.map((r) => deliverToPartner(ctx, { partner: "KZ", outboxId: r.id })),
    );
    expect(runs.map((r) => r.kind)).not.toContain("busy");
    expect(runs.reduce((n, r) => n + (r.kind === "done" ? r.delivered : 0), 0)).toBe(6);
    expect(seen).toHaveLength(1);
    expect(await statuses()).toMatchObject({ delivered: expect.any(Number) });
    expect((await statuses()).pending).toBeUndefined();
  });
});

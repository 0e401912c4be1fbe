import { createPrivateKey, sign, verify } from "node:crypto";
import { asc, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { importPublicJwk } from "../../core/federation/jwk";
import { canonicalEvent, headHash } from "../../core/waybills/integrity";
import { fingerprint } from "../../core/waybills/lifecycle";
import { insertWaybill, insertWaybillEvent } from "../../db/queries/waybills";
import { federationSigningKeys, type WaybillEvent, waybillEvents, waybills } from "../../db/schema";
import type { PublicJwk } from "../../db/schema/federation";
import { carrierWithTruck, loadBody } from "../marketplace/support";
import { createTestNode, type TestNode } from "../support/app";
import { createRegulator, registerShipper } from "../support/fixtures";
import { movableClock, partnerBody, partnerKey } from "./support";

const HOUR = 3_600_000;
/**
 * Times from the latest waybill's issue, 4 s apart: tracking events follow the `created` event
 * and may not be dated more than five minutes ahead of the node's clock.
 */
let issuedAt = Date.now();
const t = (m: number) => new Date(issuedAt + m * 4_000).toISOString();

const clock = movableClock();
const node = await createTestNode({ clock, keyGraceHours: 1 });
const shipper = await registerShipper(node);
const carrier = await carrierWithTruck(node);
const regulator = await createRegulator(node);
/** Another node, with its own database, that holds a copy of one of this node's waybills. */
const gs = await createTestNode({ nodeCode: "GS" });
const kz = await partnerKey();
{
  const res = await node.call("POST", "/v1/partners", {
    key: node.adminKey,
    body: await partnerBody({ jwks: { keys: [kz.publicJwk] } }),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

async function issue(on: TestNode = node): Promise<string> {
  issuedAt = clock.now().getTime();
  const res = await on.call("POST", "/v1/waybills", {
    key: shipper.key,
    body: {
      carrierId: carrier.id,
      origin: "CN-URC",
      destination: "KZ-ALA",
      cargo: loadBody().cargo,
      price: { amount: 18_000, currency: "CNY" },
      legs: [{ mode: "road", from: "CN-URC", to: "KZ-ALA" }],
      pickupAt: t(0),
      deliveryAt: t(3000),
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.number;
}

async function track(no: string, type: string, at: string, details?: Record<string, unknown>) {
  const res = await node.call("POST", `/v1/waybills/${no}/events`, {
    key: carrier.key,
    body: { type, occurredAt: at, ...(details ? { details } : {}) },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.event.id as number;
}

const verifyAt = async (no: string, key = node.adminKey, on: TestNode = node) => {
  const res = await on.call("GET", `/v1/waybills/${no}/verify`, { key });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as {
    ok: boolean;
    events: number;
    headHash: string;
    firstBadEvent: { id: number; reason: string; recordedBy: string | null } | null;
  };
};

const eventsOf = (no: string, on: TestNode = node): Promise<WaybillEvent[]> =>
  on.database.db
    .select()
    .from(waybillEvents)
    .where(eq(waybillEvents.waybillNumber, no))
    .orderBy(asc(waybillEvents.id));

/** An event as a partner node would have recorded and signed it, stored here as received. */
async function partnerEvent(
  no: string,
  signer: { privateJwk: Record<string, unknown>; publicJwk: PublicJwk },
  over: { details?: Record<string, unknown>; stored?: Record<string, unknown> } = {},
) {
  const content = {
    type: "at_border" as const,
    occurredAt: new Date(t(60)),
    location: null,
    details: over.details ?? {},
  };
  const fields = { waybillNumber: no, ...content, fingerprint: fingerprint(content) };
  const key = createPrivateKey({ key: signer.privateJwk as never, format: "jwk" });
  const text = canonicalEvent({ ...fields, recordedBy: "KZ" });
  return insertWaybillEvent(node.database.db, {
    ...fields,
    details: over.stored ?? content.details,
    recordedBy: "KZ",
    signatureKid: kz.publicJwk.kid,
    signature: sign(null, Buffer.from(text), key).toString("base64url"),
  });
}

describe("each event is signed by the node that records it", () => {
  it("signs the created event and each tracked one with a key the node publishes", async () => {
    const no = await issue();
    await track(no, "picked_up", t(1), { note: "sealed" });
    const rows = await eventsOf(no);
    expect(rows.map((r) => r.type)).toEqual(["created", "picked_up"]);
    const keys = await node.database.db.select().from(federationSigningKeys);
    for (const row of rows) {
      expect(row.recordedBy).toBe("XJ");
      const jwk = keys.find((k) => k.kid === row.signatureKid)?.publicJwk;
      expect(jwk, `no key ${row.signatureKid}`).toBeDefined();
      const text = Buffer.from(canonicalEvent(row));
      const ok = verify(
        null,
        text,
        importPublicJwk(jwk as PublicJwk),
        Buffer.from(row.signature ?? "", "base64url"),
      );
      expect(ok).toBe(true);
    }
    const v = await verifyAt(no);
    expect(v).toEqual({ ok: true, events: 2, headHash: expect.any(String), firstBadEvent: null });
    expect(v.headHash).toMatch(/^[0-9a-f]{64}$/);
    expect(v.headHash).toBe(headHash(rows));
  });

  it("is readable by whoever reads the waybill, and by no one else", async () => {
    const no = await issue();
    expect((await verifyAt(no, regulator.key)).ok).toBe(true);
    expect((await verifyAt(no, shipper.key)).ok).toBe(true);
    const stranger = await registerShipper(node);
    const res = await node.call("GET", `/v1/waybills/${no}/verify`, { key: stranger.key });
    expect(res.status, JSON.stringify(res.body)).toBe(404);
  });
});

// Details enter the signed form through the fingerprint: editing them leaves the head as it
// was, and the content check names the event.
describe("a tampered event row is named", () => {
  it.each([
    ["its details", sql`details = '{"note":"forged"}'::jsonb`, "content_mismatch", false],
    ["its type", sql`type = 'in_transit'`, "bad_signature", true],
    ["its time", sql`occurred_at = occurred_at + interval '1 minute'`, "bad_signature", true],
    ["its recorder", sql`recorded_by = 'GS'`, "unknown_recorder", true],
    ["its signature", sql`signature = null`, "unsigned", false],
  ])("%s edited in SQL", async (_what, change, reason, headMoves) => {
    const no = await issue();
    const id = await track(no, "picked_up", t(1), { note: "sealed" });
    await track(no, "in_transit", t(2));
    const before = await verifyAt(no);
    await node.database.db.execute(sql`update waybill_events set ${change} where id = ${id}`);
    const after = await verifyAt(no);
    expect(after.ok).toBe(false);
    expect(after.firstBadEvent).toMatchObject({ id, reason });
    expect(after.events).toBe(3);
    expect(after.headHash !== before.headHash).toBe(headMoves);
  });
});

describe("events a partner recorded", () => {
  it("verify against the partner's registered keys", async () => {
    const no = await issue();
    const row = await partnerEvent(no, kz, { details: { officer: "A. Nurlanov" } });
    const v = await verifyAt(no);
    expect(v, JSON.stringify(v)).toMatchObject({ ok: true, events: 2, firstBadEvent: null });
    expect(row.recordedBy).toBe("KZ");
  });

  it("still verify where the agreement withheld their details", async () => {
    const no = await issue();
    await partnerEvent(no, kz, { details: { officer: "A. Nurlanov" }, stored: {} });
    expect((await verifyAt(no)).ok).toBe(true);
  });

  it("fail when signed by a key that is not the partner's", async () => {
    const no = await issue();
    const impostor = await partnerKey();
    const row = await partnerEvent(no, impostor);
    const v = await verifyAt(no);
    expect(v.ok).toBe(false);
    expect(v.firstBadEvent).toMatchObject({
      id: row.id,
      reason: "bad_signature",
      recordedBy: "KZ",
    });
  });

  it("fail once the partner's registered keys no longer include the signing key", async () => {
    const no = await issue();
    await partnerEvent(no, kz);
    expect((await verifyAt(no)).ok).toBe(true);
    const other = await partnerKey();
    const res = await node.call("PATCH", "/v1/partners/KZ", {
      key: node.adminKey,
      body: { jwks: { keys: [other.publicJwk] } },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    try {
      const v = await verifyAt(no);
      expect(v.ok).toBe(false);
      expect(v.firstBadEvent?.reason).toBe("unknown_key");
    } finally {
      await node.call("PATCH", "/v1/partners/KZ", {
        key: node.adminKey,
        body: { jwks: { keys: [kz.publicJwk] } },
      });
    }
  });
});

describe("the head hash depends on the event set alone", () => {
  it("is the same at another node holding the same events received in another order", async () => {
    const no = await issue();
    await track(no, "picked_up", t(1));
    await track(no, "in_transit", t(2), { km: 120 });
    await track(no, "in_transit", t(2), { km: 121 });
    await track(no, "at_border", t(3));
    const here = await verifyAt(no);
    expect(here.ok).toBe(true);

    const wellKnown = await node.call("GET", "/.well-known/caravan-node");
    const registered = await gs.call("POST", "/v1/partners", {
      key: gs.adminKey,
      body: await partnerBody({ code: "XJ", jwks: wellKnown.body.jwks }),
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const gsShipper = await registerShipper(gs);
    const gsCarrier = await carrierWithTruck(gs);
    const [w] = await node.database.db.select().from(waybills).where(eq(waybills.number, no));
    if (!w) throw new Error("waybill missing");
    await insertWaybill(gs.database.db, {
      ...w,
      shipperId: gsShipper.id,
      carrierId: gsCarrier.id,
    });
    const rows = await eventsOf(no);
    for (const { id: _id, recordedAt: _at, ...e } of [...rows].reverse()) {
      await insertWaybillEvent(gs.database.db, {
        ...e,
        recordedBy: e.recordedBy ?? "",
        signatureKid: e.signatureKid ?? "",
        signature: e.signature ?? "",
      });
    }
    const there = await verifyAt(no, gs.adminKey, gs);
    expect(there).toEqual(here);
    expect(headHash([...rows].reverse())).toBe(here.headHash);
  });
});

describe("key rotation between events", () => {
  it("verifies events signed by a key since retired", async () => {
    const no = await issue();
    await track(no, "picked_up", t(1));
    const rotated = await node.call("POST", "/v1/node/keys/rotate", { key: node.adminKey });
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(201);
    await track(no, "in_transit", t(2));
    clock.advance(2 * HOUR);
    await track(no, "at_border", t(3));
    const kids = new Set((await eventsOf(no)).map((r) => r.signatureKid));
    expect(kids.size).toBe(2);
    const wellKnown = await node.call("GET", "/.well-known/caravan-node");
    expect(wellKnown.body.jwks.keys).toHaveLength(1);
    expect(await verifyAt(no)).toMatchObject({ ok: true, events: 4, firstBadEvent: null });
  });
});

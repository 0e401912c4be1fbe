import { describe, expect, it } from "vitest";
import { createTestNode } from "../support/app";
import { createRegulator, qualifications, registerShipper } from "../support/fixtures";
import { type Bidder, bidBody, carrierWithTruck, feedShowing, placeBid, postLoad } from "./support";

const node = await createTestNode();
const shipper = await registerShipper(node);
const otherShipper = await registerShipper(node);
const regulator = await createRegulator(node);
const carriers: Bidder[] = [];
for (let i = 0; i < 3; i++) carriers.push(await carrierWithTruck(node));
const [a, b, c] = carriers as [Bidder, Bidder, Bidder];

describe("bidding", () => {
  it("places, revises (new version) and withdraws a bid; one live bid per carrier", async () => {
    const load = await postLoad(node, shipper.key);
    const bid = await placeBid(node, load.id, a);
    expect(bid.status).toBe("live");
    const dup = await node.call("POST", `/v1/loads/${load.id}/bids`, {
      key: a.key,
      body: bidBody(a.vehicleId),
    });
    expect(dup.status).toBe(409);
    expect(dup.body.error.reason).toBe("BID_EXISTS");

    const revised = await node.call("PUT", `/v1/loads/${load.id}/bids/${bid.id}`, {
      key: a.key,
      body: bidBody(a.vehicleId, { price: { amount: 22_000, currency: "CNY" } }),
    });
    expect(revised.status, JSON.stringify(revised.body)).toBe(200);
    expect(revised.body).toMatchObject({ revision: 2, price: { amount: 22_000 } });

    const gone = await node.call("POST", `/v1/loads/${load.id}/bids/${bid.id}/withdraw`, {
      key: a.key,
    });
    expect(gone.status).toBe(200);
    expect(gone.body.status).toBe("withdrawn");
    await placeBid(node, load.id, a); // a new live bid is allowed again
  });

  const HOUR = 3_600_000;
  const at = (h: number) => new Date(Date.now() + h * HOUR).toISOString();
  it.each([
    ["MODE_NOT_ALLOWED", () => ({ mode: "sea" }), {}],
    ["PICKUP_OUTSIDE_WINDOW", () => ({ pickupAt: at(80) }), {}],
    ["DELIVERY_TOO_LATE", () => ({ deliveryAt: at(300) }), {}],
    ["CURRENCY_MISMATCH", () => ({ price: { amount: 3000, currency: "USD" } }), {}],
    ["VALID_UNTIL_PAST", () => ({ validUntil: at(-1) }), {}],
    ["VEHICLE_NOT_FOUND", () => ({ vehicleIds: [b.vehicleId] }), {}],
    [
      "CAPACITY_INSUFFICIENT",
      () => ({}),
      { cargo: { weightKg: 40_000, volumeM3: 40, packages: 1, hsCode: "520100" } },
    ],
    [
      "DG_PERMIT_MISSING",
      () => ({}),
      {
        cargo: {
          weightKg: 100,
          volumeM3: 1,
          packages: 1,
          hsCode: "271012",
          dangerousGoods: { unNumber: "UN1203", class: "3" },
        },
      },
    ],
  ])("refuses a bid with reason %s", async (reason, over, loadOver) => {
    const load = await postLoad(node, shipper.key, loadOver);
    const res = await node.call("POST", `/v1/loads/${load.id}/bids`, {
      key: a.key,
      body: bidBody(a.vehicleId, over()),
    });
    expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    // A carrier without the permit does not even see a dangerous-goods load.
    if (reason === "DG_PERMIT_MISSING") expect(res.status).toBe(404);
    else expect(res.body.error.reason).toBe(reason);
  });

  it("refuses a carrier whose licence expires before pickup, naming LICENCE_EXPIRED", async () => {
    const expired = await carrierWithTruck(node, {
      body: {
        qualifications: qualifications({
          operatingLicence: { number: "XJ-1", expiresOn: new Date().toISOString().slice(0, 10) },
        }),
      },
    });
    const load = await postLoad(node, shipper.key);
    const res = await node.call("POST", `/v1/loads/${load.id}/bids`, {
      key: expired.key,
      body: bidBody(expired.vehicleId),
    });
    expect(res.status).toBe(422);
    expect(res.body.error.reason).toBe("LICENCE_EXPIRED");
  });

  it("refuses an unverified carrier with CARRIER_NOT_VERIFIED", async () => {
    const pending = await carrierWithTruck(node, { verify: false });
    const load = await postLoad(node, shipper.key);
    const res = await node.call("POST", `/v1/loads/${load.id}/bids`, {
      key: pending.key,
      body: bidBody(pending.vehicleId),
    });
    expect(res.status).toBe(403);
    expect(res.body.error.reason).toBe("CARRIER_NOT_VERIFIED");
  });
});

describe("sealed bids and object-level security", () => {
  it("a carrier sees only its own bids; the shipper sees all", async () => {
    const load = await postLoad(node, shipper.key);
    const ba = await placeBid(node, load.id, a);
    const bb = await placeBid(node, load.id, b);
    const asA = await node.call("GET", `/v1/loads/${load.id}/bids`, { key: a.key });
    expect(asA.body.items.map((x: { id: string }) => x.id)).toEqual([ba.id]);
    const peek = await node.call("GET", `/v1/loads/${load.id}/bids/${bb.id}`, { key: a.key });
    expect(peek.status).toBe(404);
    const asShipper = await node.call("GET", `/v1/loads/${load.id}/bids`, { key: shipper.key });
    expect(asShipper.body.items).toHaveLength(2);
    const asRegulator = await node.call("GET", `/v1/loads/${load.id}/bids`, {
      key: regulator.key,
    });
    expect(asRegulator.body.items[0].price).toBeUndefined();
    const asOther = await node.call("GET", `/v1/loads/${load.id}/bids`, { key: otherShipper.key });
    expect(asOther.status).toBe(404);
  });

  it("a shipper cannot award another's load; a carrier cannot award; a regulator cannot write", async () => {
    const load = await postLoad(node, shipper.key);
    const bid = await placeBid(node, load.id, a);
    const other = await node.call("POST", `/v1/loads/${load.id}/award`, {
      key: otherShipper.key,
      body: { bidId: bid.id },
    });
    expect(other.status).toBe(404);
    const byCarrier = await node.call("POST", `/v1/loads/${load.id}/award`, {
      key: a.key,
      body: { bidId: bid.id },
    });
    expect(byCarrier.status).toBe(404);
    for (const [method, path, body] of [
      ["POST", `/v1/loads/${load.id}/award`, { bidId: bid.id }],
      ["POST", `/v1/loads/${load.id}/cancel`, {}],
      ["POST", `/v1/loads/${load.id}/bids`, bidBody(a.vehicleId)],
      ["POST", "/v1/loads", {}],
    ] as const) {
      const res = await node.call(method, path, { key: regulator.key, body });
      expect(res.status, `${path} ${JSON.stringify(res.body)}`).toBeGreaterThanOrEqual(400);
      expect([400, 403]).toContain(res.status);
    }
    const cancel = await node.call("POST", `/v1/loads/${load.id}/cancel`, {
      key: otherShipper.key,
    });
    expect(cancel.status).toBe(404);
  });
});

describe("award", () => {
  it("answers 201 with the waybill; a second award is 409 CONFLICT; losers and winner are told", async () => {
    const load = await postLoad(node, shipper.key);
    const ba = await placeBid(node, load.id, a);
    const bb = await placeBid(node, load.id, b, { mode: "road" });
    const res = await node.call("POST", `/v1/loads/${load.id}/award`, {
      key: shipper.key,
      body: { bidId: ba.id },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.waybill.number).toMatch(/^XJ-\d{4}-\d{8}-\d$/);
    expect(res.body.waybill.legs).toHaveLength(1);
    const again = await node.call("POST", `/v1/loads/${load.id}/award`, {
      key: shipper.key,
      body: { bidId: bb.id },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("CONFLICT");
    const lost = await feedShowing(node, b.key, "bid.lost", bb.id);
    expect(lost).toContainEqual(expect.objectContaining({ type: "bid.lost", entityId: bb.id }));
    const won = await feedShowing(node, a.key, "bid.won", ba.id);
    expect(won).toContainEqual(expect.objectContaining({ type: "bid.won", entityId: ba.id }));
    const wb = await node.call("GET", `/v1/waybills/${res.body.waybill.number}`, { key: a.key });
    expect(wb.status).toBe(200);
    expect(wb.body.status).toBe("created");
  });

  it("100 concurrent award attempts, round after round: exactly one 201, the rest 409, no 5xx", async () => {
    for (let round = 0; round < 5; round++) {
      const load = await postLoad(node, shipper.key);
      const bids: { id: string }[] = [];
      for (const carrier of carriers) bids.push(await placeBid(node, load.id, carrier));
      const replies = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          node.call("POST", `/v1/loads/${load.id}/award`, {
            key: shipper.key,
            body: { bidId: bids[i % bids.length]?.id },
          }),
        ),
      );
      const statuses = replies.map((r) => r.status);
      expect(
        statuses.filter((s) => s === 201),
        `round ${round}`,
      ).toHaveLength(1);
      expect(
        statuses.filter((s) => s === 409),
        `round ${round}`,
      ).toHaveLength(99);
      const [count] = await node.database.sql`
        select count(*)::int as n from waybills where load_id = ${load.id}`;
      expect(count?.n).toBe(1);
    }
  });

  it("awards before bidding closes by default (earlyAward true)", async () => {
    const load = await postLoad(node, shipper.key);
    const view = await node.call("GET", `/v1/loads/${load.id}`, { key: shipper.key });
    expect(view.body.earlyAward).toBe(true);
    const bid = await placeBid(node, load.id, a);
    const res = await node.call("POST", `/v1/loads/${load.id}/award`, {
      key: shipper.key,
      body: { bidId: bid.id },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  });

  it("with earlyAward false, refuses an award before bidding closes (409 BIDDING_OPEN), takes it after", async () => {
    const closesAt = Date.now() + 2_500;
    const load = await postLoad(node, shipper.key, {
      earlyAward: false,
      biddingClosesAt: new Date(closesAt).toISOString(),
    });
    const view = await node.call("GET", `/v1/loads/${load.id}`, { key: shipper.key });
    expect(view.body.earlyAward).toBe(false);
    const bid = await placeBid(node, load.id, a);
    const award = () =>
      node.call("POST", `/v1/loads/${load.id}/award`, {
        key: shipper.key,
        body: { bidId: bid.id },
      });
    const early = await award();
    expect(early.status, JSON.stringify(early.body)).toBe(409);
    expect(early.body.error).toMatchObject({ code: "CONFLICT", reason: "BIDDING_OPEN" });
    await new Promise((r) => setTimeout(r, closesAt + 500 - Date.now()));
    const late = await award();
    expect(late.status, JSON.stringify(late.body)).toBe(201);
    expect(late.body.waybill.loadId).toBe(load.id);
  });

  it("keeps the audit chain intact", async () => {
    const res = await node.call("GET", "/v1/audit/verify", { key: node.adminKey });
    expect(res.body.ok, JSON.stringify(res.body)).toBe(true);
  });
});

describe("Idempotency-Key", () => {
  it("50 concurrent identical POSTs with one key make one bid; replays get the stored answer", async () => {
    const load = await postLoad(node, shipper.key);
    const body = bidBody(c.vehicleId);
    const replies = await Promise.all(
      Array.from({ length: 50 }, () =>
        node.call("POST", `/v1/loads/${load.id}/bids`, {
          key: c.key,
          body,
          headers: { "idempotency-key": "bid-once-1" },
        }),
      ),
    );
    const statuses = replies.map((r) => r.status);
    expect(
      statuses.every((s) => s === 201 || s === 409),
      JSON.stringify(statuses),
    ).toBe(true);
    const [rows] = await node.database.sql`
      select count(*)::int as n from bids where load_id = ${load.id}`;
    expect(rows?.n).toBe(1);
    const created = replies.find((r) => r.status === 201 && !r.headers.get("idempotent-replayed"));
    const replay = await node.call("POST", `/v1/loads/${load.id}/bids`, {
      key: c.key,
      body,
      headers: { "idempotency-key": "bid-once-1" },
    });
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body.id).toBe(created?.body.id);
    const other = await node.call("POST", `/v1/loads/${load.id}/bids`, {
      key: c.key,
      body: { ...body, price: { amount: 1, currency: "CNY" } },
      headers: { "idempotency-key": "bid-once-1" },
    });
    expect(other.status).toBe(422);
  });

  it("scopes keys per organisation", async () => {
    const load = await postLoad(node, shipper.key);
    for (const carrier of [a, b]) {
      const res = await node.call("POST", `/v1/loads/${load.id}/bids`, {
        key: carrier.key,
        body: bidBody(carrier.vehicleId),
        headers: { "idempotency-key": "shared-key" },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.headers.get("idempotent-replayed")).toBeNull();
    }
  });
});

import { describe, expect, it } from "vitest";
import { createTestNode } from "../support/app";
import { createRegulator, registerShipper } from "../support/fixtures";
import { bidBody, carrierWithTruck, feedShowing, loadBody, placeBid, postLoad } from "./support";

const node = await createTestNode();
const shipper = await registerShipper(node);
const otherShipper = await registerShipper(node);
const carrier = await carrierWithTruck(node);
const regulator = await createRegulator(node);

describe("posting loads", () => {
  it("answers 201 with id and status open, and the shipper sees it with its reserve price", async () => {
    const res = await node.call("POST", "/v1/loads", { key: shipper.key, body: loadBody() });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.id).toMatch(/^ld_/);
    expect(res.body.status).toBe("open");
    expect(res.body.origin).toMatchObject({ hub: "CN-URC", country: "CN" });
    const got = await node.call("GET", `/v1/loads/${res.body.id}`, { key: shipper.key });
    expect(got.status).toBe(200);
    expect(got.body.reservePrice).toEqual({ amount: 30_000, currency: "CNY" });
  });

  it("accepts a free address with coordinates and dangerous goods with a UN number", async () => {
    const res = await node.call("POST", "/v1/loads", {
      key: shipper.key,
      body: loadBody({
        destination: { address: "Khorgos East Gate, bay 4", lat: 44.2, lon: 80.4 },
        cargo: {
          weightKg: 9000,
          volumeM3: 20,
          packages: 10,
          hsCode: "2710124100",
          dangerousGoods: { unNumber: "UN1203", class: "3" },
        },
      }),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  });

  const now = Date.now();
  const iso = (h: number) => new Date(now + h * 3_600_000).toISOString();
  it.each([
    ["pickup after delivery", { deliverBy: iso(60) }, "deliverBy"],
    ["bidding closing after pickup", { biddingClosesAt: iso(49) }, "biddingClosesAt"],
    [
      "unknown HS chapter",
      { cargo: { weightKg: 1, volumeM3: 1, packages: 1, hsCode: "770100" } },
      "cargo.hsCode",
    ],
    [
      "dangerous-goods class without UN number",
      {
        cargo: {
          weightKg: 1,
          volumeM3: 1,
          packages: 1,
          hsCode: "520100",
          dangerousGoods: { class: "3" },
        },
      },
      "cargo.dangerousGoods.unNumber",
    ],
    ["unknown location", { origin: "CN-XXX" }, "origin"],
    ["an unknown award rule", { awardRule: "coin_flip" }, "awardRule"],
  ])("refuses %s with 400 naming the field", async (_name, over, path) => {
    const res = await node.call("POST", "/v1/loads", { key: shipper.key, body: loadBody(over) });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
  });

  it.each([
    ["a carrier", () => carrier.key, 403],
    ["a regulator", () => regulator.key, 403],
  ])("refuses %s", async (_n, key, status) => {
    const res = await node.call("POST", "/v1/loads", { key: key(), body: loadBody() });
    expect(res.status, JSON.stringify(res.body)).toBe(status);
  });

  it("refuses an unverified shipper", async () => {
    const pending = await registerShipper(node, { verify: false });
    const res = await node.call("POST", "/v1/loads", { key: pending.key, body: loadBody() });
    expect(res.status).toBe(403);
    expect(res.body.error.reason).toBe("SHIPPER_NOT_VERIFIED");
  });
});

describe("listing loads", () => {
  it("shows carriers open loads they qualify for, shippers only their own, with cursor pages", async () => {
    const mine = [];
    for (let i = 0; i < 3; i++) mine.push((await postLoad(node, otherShipper.key)).id);
    const airOnly = await postLoad(node, otherShipper.key, { modes: ["air"] });
    const dg = await postLoad(node, otherShipper.key, {
      cargo: {
        weightKg: 100,
        volumeM3: 1,
        packages: 1,
        hsCode: "280100",
        dangerousGoods: { unNumber: "UN1017", class: "2.3" },
      },
    });

    const own = await node.call("GET", "/v1/loads?limit=2", { key: otherShipper.key });
    expect(own.status).toBe(200);
    expect(own.body.items).toHaveLength(2);
    const next = await node.call("GET", `/v1/loads?limit=50&cursor=${own.body.nextCursor}`, {
      key: otherShipper.key,
    });
    const all = [...own.body.items, ...next.body.items].map((l: { id: string }) => l.id);
    expect(all).toEqual(expect.arrayContaining([...mine, airOnly.id, dg.id]));
    expect(all).toHaveLength(5);

    const seen = await node.call("GET", "/v1/loads?limit=200", { key: carrier.key });
    const ids = seen.body.items.map((l: { id: string }) => l.id);
    expect(ids).toEqual(expect.arrayContaining(mine));
    expect(ids).not.toContain(airOnly.id);
    expect(ids).not.toContain(dg.id);
    expect(seen.body.items[0].reservePrice).toBeUndefined();

    const theirs = await node.call("GET", "/v1/loads?limit=200", { key: shipper.key });
    expect(theirs.body.items.map((l: { id: string }) => l.id)).not.toContain(mine[0]);
    const hidden = await node.call("GET", `/v1/loads/${mine[0]}`, { key: shipper.key });
    expect(hidden.status).toBe(404);

    const filtered = await node.call("GET", "/v1/loads?mode=air&origin=CN-URC", {
      key: otherShipper.key,
    });
    expect(filtered.body.items.map((l: { id: string }) => l.id)).toEqual([airOnly.id]);
  });
});

describe("amending and cancelling", () => {
  it("amends before the first bid, refuses after it", async () => {
    const load = await postLoad(node, shipper.key);
    const amended = await node.call("PATCH", `/v1/loads/${load.id}`, {
      key: shipper.key,
      body: { reservePrice: { amount: 28_000, currency: "CNY" } },
    });
    expect(amended.status, JSON.stringify(amended.body)).toBe(200);
    expect(amended.body.reservePrice.amount).toBe(28_000);
    await placeBid(node, load.id, carrier);
    const refused = await node.call("PATCH", `/v1/loads/${load.id}`, {
      key: shipper.key,
      body: { reservePrice: { amount: 20_000, currency: "CNY" } },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.reason).toBe("LOAD_HAS_BIDS");
  });

  it("cancels: bids become void and the bidder hears of it through the feed", async () => {
    const load = await postLoad(node, shipper.key);
    const bid = await placeBid(node, load.id, carrier);
    const res = await node.call("POST", `/v1/loads/${load.id}/cancel`, {
      key: shipper.key,
      body: { reason: "order withdrawn" },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.status).toBe("cancelled");
    const mine = await node.call("GET", `/v1/loads/${load.id}/bids/${bid.id}`, {
      key: carrier.key,
    });
    expect(mine.body.status).toBe("void");
    const feed = await feedShowing(node, carrier.key, "bid.voided", bid.id);
    expect(feed).toContainEqual(expect.objectContaining({ type: "bid.voided", entityId: bid.id }));
    const again = await node.call("POST", `/v1/loads/${load.id}/bids`, {
      key: carrier.key,
      body: bidBody(carrier.vehicleId),
    });
    expect([404, 409]).toContain(again.status);
  });
});

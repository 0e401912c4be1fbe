import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Clock } from "../../core/context";
import { CLOCK_SKEW_ALLOWANCE_MS } from "../../core/waybills/events";
import { replay, type TrackingEvent } from "../../core/waybills/lifecycle";
import { checkWaybillNumber, formatWaybillNumber, mod11_10 } from "../../core/waybills/number";
import { WAYBILL_STATES } from "../../db/schema";
import { createTestNode } from "../support/app";
import { createRegulator, registerShipper } from "../support/fixtures";
import { bidBody, carrierWithTruck, loadBody, placeBid, postLoad } from "./support";

// The app's clock runs an hour behind the database: closing must follow the database.
const skewed: Clock = { now: () => new Date(Date.now() - 3_600_000) };
const node = await createTestNode({ clock: skewed });
const shipper = await registerShipper(node);
const carrier = await carrierWithTruck(node);
const regulator = await createRegulator(node);

describe("bidding closes by the database clock", () => {
  it("refuses a bid after closing even though the app clock says bidding is open", async () => {
    const closesAt = new Date(Date.now() + 1500);
    const load = await postLoad(node, shipper.key, { biddingClosesAt: closesAt.toISOString() });
    await placeBid(node, load.id, carrier);
    await new Promise((r) => setTimeout(r, closesAt.getTime() - Date.now() + 300));
    expect(skewed.now() < closesAt).toBe(true);
    const late = await carrierWithTruck(node);
    const res = await node.call("POST", `/v1/loads/${load.id}/bids`, {
      key: late.key,
      body: bidBody(late.vehicleId),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(409);
    expect(res.body.error.reason).toBe("BIDDING_CLOSED");
  });
});

describe("waybill numbers", () => {
  it("formats NODE-YEAR-SEQUENCE-CHECK with an ISO 7064 MOD 11-10 check digit", () => {
    const n = formatWaybillNumber("XJ", 2026, 12345);
    expect(n).toMatch(/^XJ-2026-00012345-\d$/);
    expect(checkWaybillNumber(n).ok).toBe(true);
    // Known MOD 11-10 value (ISO/IEC 7064 annex example style): 0794 → 5
    expect(mod11_10("0794")).toBe(5);
  });

  it("detects every single-digit typo", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99_999_999 }), fc.nat(12), fc.nat(9), (seq, pos, d) => {
        const n = formatWaybillNumber("XJ", 2026, seq);
        const digits = [...n].map((ch, i) => ({ ch, i })).filter((x) => /[0-9]/.test(x.ch));
        const target = digits[pos % digits.length];
        if (!target || target.ch === String(d)) return;
        const typo = n.slice(0, target.i) + String(d) + n.slice(target.i + 1);
        expect(checkWaybillNumber(typo).ok).toBe(false);
      }),
    );
  });
});

describe("waybill status is a pure function of the event set", () => {
  const types = fc.constantFrom(...WAYBILL_STATES);
  const event = fc.record({
    type: types,
    occurredAt: fc.integer({ min: 0, max: 50 }).map((m) => new Date(Date.UTC(2026, 0, 1, 0, m))),
    location: fc.constant(null),
    details: fc.constantFrom({}, { note: "a" }),
  }) as fc.Arbitrary<TrackingEvent>;

  it("permutations and duplicates give the same status", () => {
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (events, dupes) => {
          const shuffled = [...events].sort(() => 0).reverse();
          const repeated = [
            ...shuffled,
            ...dupes.flatMap((i) =>
              events.length ? [events[i % events.length] as TrackingEvent] : [],
            ),
          ];
          expect(replay(repeated).status).toBe(replay(events).status);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("arbitrary permutations agree", () => {
    fc.assert(
      fc.property(
        fc
          .array(event, { maxLength: 10 })
          .chain((events) =>
            fc.tuple(
              fc.constant(events),
              fc.shuffledSubarray(events, { minLength: events.length }),
            ),
          ),
        ([events, permuted]) => {
          expect(replay(permuted).status).toBe(replay(events).status);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("waybill lifecycle over the API", () => {
  async function awarded() {
    const load = await postLoad(node, shipper.key);
    const bid = await placeBid(node, load.id, carrier);
    const res = await node.call("POST", `/v1/loads/${load.id}/award`, {
      key: shipper.key,
      body: { bidId: bid.id },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    issuedAt = skewed.now().getTime();
    return res.body.waybill.number as string;
  }
  /**
   * Times from the waybill's award by the node's clock, 4 s apart: tracking events follow the
   * `created` event and may not be dated more than five minutes ahead of that clock.
   */
  let issuedAt = Date.now();
  const t = (m: number) => new Date(issuedAt + m * 4_000).toISOString();

  it("tracks a journey, refuses impossible transitions with the allowed ones, takes duplicates once", async () => {
    const no = await awarded();
    const post = (key: string, body: object) =>
      node.call("POST", `/v1/waybills/${no}/events`, { key, body });
    expect(
      (await post(carrier.key, { type: "picked_up", occurredAt: t(1), location: "CN-URC" })).status,
    ).toBe(201);
    const bad = await post(carrier.key, { type: "cleared", occurredAt: t(2) });
    expect(bad.status).toBe(409);
    expect(bad.body.error.message).toContain("allowed: in_transit");
    expect((await post(carrier.key, { type: "in_transit", occurredAt: t(3) })).status).toBe(201);
    expect(
      (await post(carrier.key, { type: "at_border", occurredAt: t(4), location: "CN-KHG" })).status,
    ).toBe(201);
    const dup = await post(carrier.key, {
      type: "at_border",
      occurredAt: t(4),
      location: "CN-KHG",
    });
    expect(dup.status).toBe(200);
    expect(dup.body.duplicate).toBe(true);
    expect((await post(carrier.key, { type: "cleared", occurredAt: t(5) })).status).toBe(201);
    expect((await post(carrier.key, { type: "delivered", occurredAt: t(9) })).status).toBe(201);
    const podByCarrier = await post(carrier.key, { type: "pod_confirmed", occurredAt: t(10) });
    expect(podByCarrier.status).toBe(403);
    expect((await post(regulator.key, { type: "exception", occurredAt: t(10) })).status).toBe(403);
    const pod = await post(shipper.key, { type: "pod_confirmed", occurredAt: t(10) });
    expect(pod.status, JSON.stringify(pod.body)).toBe(201);
    const wb = await node.call("GET", `/v1/waybills/${no}`, { key: shipper.key });
    expect(wb.body.status).toBe("pod_confirmed");
    const events = await node.call("GET", `/v1/waybills/${no}/events`, { key: carrier.key });
    expect(events.body.items.map((e: { type: string }) => e.type)).toEqual([
      "created",
      "picked_up",
      "in_transit",
      "at_border",
      "cleared",
      "delivered",
      "pod_confirmed",
    ]);
    const asRegulator = await node.call("GET", `/v1/waybills/${no}`, { key: regulator.key });
    expect(asRegulator.status).toBe(200);
    expect(asRegulator.body.price).toBeUndefined();
    expect(wb.body.price).toBeDefined();
  });

  it("refuses events dated beyond the clock-skew allowance, naming occurredAt", async () => {
    const no = await awarded();
    const post = (occurredAt: number) =>
      node.call("POST", `/v1/waybills/${no}/events`, {
        key: carrier.key,
        body: { type: "picked_up", occurredAt: new Date(occurredAt).toISOString() },
      });
    const now = skewed.now().getTime();
    const threeDaysAhead = await post(now + 3 * 24 * 3_600_000);
    expect(threeDaysAhead.status, JSON.stringify(threeDaysAhead.body)).toBe(400);
    expect(threeDaysAhead.body.error.details).toEqual([
      { path: "occurredAt", message: expect.stringContaining("future") },
    ]);
    const justBeyond = await post(now + CLOCK_SKEW_ALLOWANCE_MS + 60_000);
    expect(justBeyond.status, JSON.stringify(justBeyond.body)).toBe(400);
    const within = await post(now + CLOCK_SKEW_ALLOWANCE_MS - 60_000);
    expect(within.status, JSON.stringify(within.body)).toBe(201);
    const events = await node.call("GET", `/v1/waybills/${no}/events`, { key: carrier.key });
    expect(events.body.items.map((e: { type: string }) => e.type)).toEqual([
      "created",
      "picked_up",
    ]);
  });

  it("tells a mistyped number (400) from an unknown one (404)", async () => {
    const no = await awarded();
    const check = Number(no.slice(-1));
    const typo = `${no.slice(0, -1)}${(check + 1) % 10}`;
    const mistyped = await node.call("GET", `/v1/waybills/${typo}`, { key: shipper.key });
    expect(mistyped.status).toBe(400);
    expect(mistyped.body.error.message).toContain("check digit");
    const unknown = await node.call(
      "GET",
      `/v1/waybills/${formatWaybillNumber("XJ", 2026, 99_999_999)}`,
      {
        key: shipper.key,
      },
    );
    expect(unknown.status).toBe(404);
    const stranger = await registerShipper(node);
    expect((await node.call("GET", `/v1/waybills/${no}`, { key: stranger.key })).status).toBe(404);
  });

  it("issues a direct waybill with legs, border crossings and transshipments", async () => {
    const res = await node.call("POST", "/v1/waybills", {
      key: shipper.key,
      body: {
        carrierId: carrier.id,
        origin: "CN-URC",
        destination: "KZ-ALA",
        cargo: loadBody().cargo,
        price: { amount: 18_000, currency: "CNY" },
        legs: [
          { mode: "road", from: "CN-URC", to: "CN-KHG" },
          { mode: "rail", from: "CN-KHG", to: "KZ-ALA" },
        ],
        pickupAt: t(0),
        deliveryAt: t(3000),
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.legs).toHaveLength(2);
    expect(res.body.points.map((p: { kind: string }) => p.kind)).toEqual(
      expect.arrayContaining(["transshipment", "border_crossing"]),
    );
  });
});

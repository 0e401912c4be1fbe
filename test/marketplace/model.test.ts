import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createTestNode } from "../support/app";
import { registerShipper } from "../support/fixtures";
import { type Bidder, bidBody, carrierWithTruck, loadBody } from "./support";

const node = await createTestNode();
const shipper = await registerShipper(node);
const carriers: Bidder[] = [];
for (let i = 0; i < 3; i++) carriers.push(await carrierWithTruck(node));

type Op =
  | { op: "post" }
  | { op: "bid"; load: number; carrier: number; price: number }
  | { op: "revise"; load: number; carrier: number; price: number }
  | { op: "withdraw"; load: number; carrier: number }
  | { op: "award"; load: number; carrier: number }
  | { op: "cancel"; load: number };

const idx = fc.nat(3);
const who = fc.nat(2);
const price = fc.integer({ min: 10_000, max: 29_000 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.constant({ op: "post" as const }),
  fc.record({ op: fc.constant("bid" as const), load: idx, carrier: who, price }),
  fc.record({ op: fc.constant("revise" as const), load: idx, carrier: who, price }),
  fc.record({ op: fc.constant("withdraw" as const), load: idx, carrier: who }),
  fc.record({ op: fc.constant("award" as const), load: idx, carrier: who }),
  fc.record({ op: fc.constant("cancel" as const), load: idx }),
);

/** Model: per load, each carrier's latest bid id (live or not, as the server says). */
describe("model-based: post / bid / revise / withdraw / award / cancel", () => {
  it("never awards twice, awards only a live bid of that load, keeps the audit chain", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), async (ops) => {
        const loads: string[] = [];
        const bidsOf = new Map<string, Map<number, string>>();
        for (const o of ops) {
          if (o.op === "post") {
            const r = await node.call("POST", "/v1/loads", { key: shipper.key, body: loadBody() });
            expect(r.status).toBe(201);
            loads.push(r.body.id);
            bidsOf.set(r.body.id, new Map());
            continue;
          }
          const loadId = loads[o.load % Math.max(loads.length, 1)];
          if (!loadId) continue;
          const mine = bidsOf.get(loadId) ?? new Map<number, string>();
          let r: { status: number; body: { id?: string } };
          if (o.op === "cancel") {
            r = await node.call("POST", `/v1/loads/${loadId}/cancel`, { key: shipper.key });
          } else {
            const c = carriers[o.carrier] as Bidder;
            const bidId = mine.get(o.carrier);
            if (o.op === "bid") {
              r = await node.call("POST", `/v1/loads/${loadId}/bids`, {
                key: c.key,
                body: bidBody(c.vehicleId, { price: { amount: o.price, currency: "CNY" } }),
              });
              if (r.status === 201 && r.body.id) mine.set(o.carrier, r.body.id);
            } else if (!bidId) {
              continue;
            } else if (o.op === "revise") {
              r = await node.call("PUT", `/v1/loads/${loadId}/bids/${bidId}`, {
                key: c.key,
                body: bidBody(c.vehicleId, { price: { amount: o.price, currency: "CNY" } }),
              });
            } else if (o.op === "withdraw") {
              r = await node.call("POST", `/v1/loads/${loadId}/bids/${bidId}/withdraw`, {
                key: c.key,
              });
            } else {
              r = await node.call("POST", `/v1/loads/${loadId}/award`, {
                key: shipper.key,
                body: { bidId },
              });
            }
          }
          expect(r.status, JSON.stringify(r.body)).toBeLessThan(500);
        }
        const rows = await node.database.sql<
          { id: string; status: string; awarded_bid_id: string | null; waybills: number }[]
        >`select l.id, l.status, l.awarded_bid_id,
                 (select count(*)::int from waybills w where w.load_id = l.id) as waybills
            from loads l`;
        for (const l of rows) {
          expect(l.waybills).toBeLessThanOrEqual(1);
          expect(l.waybills === 1).toBe(l.status === "awarded");
          if (l.awarded_bid_id) {
            const [bid] = await node.database.sql<{ load_id: string; status: string }[]>`
              select load_id, status from bids where id = ${l.awarded_bid_id}`;
            expect(bid).toEqual({ load_id: l.id, status: "awarded" });
          }
        }
        const [live] = await node.database.sql<{ n: number }[]>`
          select count(*)::int as n from bids b join loads l on l.id = b.load_id
           where b.status = 'live' and l.status <> 'open'`;
        expect(live?.n).toBe(0);
      }),
      { numRuns: 20 },
    );
    const verdict = await node.call("GET", "/v1/audit/verify", { key: node.adminKey });
    expect(verdict.body.ok, JSON.stringify(verdict.body)).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { createTestNode, type Reply } from "../support/app";
import { bidBody, carrierWithTruck, placeBid, postLoad, registerShipper } from "./support";

const node = await createTestNode();
const shipper = await registerShipper(node);
const a = await carrierWithTruck(node);
const b = await carrierWithTruck(node);
const PAIRS = 40;

/** Loads with a bid from each of `a` and `b`, ready to be raced over. */
async function openLoads(n: number) {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const load = await postLoad(node, shipper.key);
      const bidA = await placeBid(node, load.id, a);
      const bidB = await placeBid(node, load.id, b);
      return { loadId: load.id, bidA: bidA.id, bidB: bidB.id };
    }),
  );
}

const award = (loadId: string, body: Record<string, unknown>) =>
  node.call("POST", `/v1/loads/${loadId}/award`, { key: shipper.key, body });

async function stateOf(loadId: string) {
  const [load] = await node.database.sql<{ status: string; awarded_bid_id: string | null }[]>`
    select status, awarded_bid_id from loads where id = ${loadId}`;
  const bids = await node.database.sql<{ id: string; status: string }[]>`
    select id, status from bids where load_id = ${loadId}`;
  const [waybills] = await node.database.sql<{ n: number }[]>`
    select count(*)::int as n from waybills where load_id = ${loadId}`;
  return {
    load,
    bid: Object.fromEntries(bids.map((r) => [r.id, r.status])),
    waybills: waybills?.n,
  };
}

/** Runs both after `i`-dependent jitter, so each side sometimes starts first. */
async function race<A, B>(i: number, first: () => Promise<A>, second: () => Promise<B>) {
  const later = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
  return Promise.all([
    later(i % 2 === 0 ? 0 : i % 5).then(first),
    later(i % 2 === 0 ? i % 5 : 0).then(second),
  ]);
}

const show = (...replies: Reply[]) => JSON.stringify(replies.map((r) => [r.status, r.body]));

describe("an award racing the winning bid's carrier", () => {
  it.each([1, 2, 3])(
    `round %i: ${PAIRS} withdraw/award pairs at once, each 2xx or 409, one side wins`,
    async () => {
      const loads = await openLoads(PAIRS);
      const results = await Promise.all(
        loads.map(async (l, i) => {
          const [awarded, withdrawn] = await race(
            i,
            () => award(l.loadId, { bidId: l.bidA }),
            () =>
              node.call("POST", `/v1/loads/${l.loadId}/bids/${l.bidA}/withdraw`, { key: a.key }),
          );
          return { l, awarded, withdrawn };
        }),
      );
      for (const { l, awarded, withdrawn } of results) {
        const state = await stateOf(l.loadId);
        const msg = `${show(awarded, withdrawn)} ${JSON.stringify(state)}`;
        if (awarded.status === 201) {
          expect(withdrawn.status, msg).toBe(409);
          expect(state, msg).toEqual({
            load: { status: "awarded", awarded_bid_id: l.bidA },
            bid: { [l.bidA]: "awarded", [l.bidB]: "lost" },
            waybills: 1,
          });
        } else {
          expect(awarded.status, msg).toBe(409);
          expect(awarded.body.error.reason, msg).toBe("BID_NOT_LIVE");
          expect(withdrawn.status, msg).toBe(200);
          expect(state, msg).toEqual({
            load: { status: "open", awarded_bid_id: null },
            bid: { [l.bidA]: "withdrawn", [l.bidB]: "live" },
            waybills: 0,
          });
        }
      }
    },
  );

  it(`${PAIRS} revise/award pairs pinned to revision 1: a revised bid is never awarded`, async () => {
    const loads = await openLoads(PAIRS);
    const results = await Promise.all(
      loads.map(async (l, i) => {
        const [awarded, revised] = await race(
          i,
          () => award(l.loadId, { bidId: l.bidA, revision: 1 }),
          () =>
            node.call("PUT", `/v1/loads/${l.loadId}/bids/${l.bidA}`, {
              key: a.key,
              body: bidBody(a.vehicleId, { price: { amount: 29_000, currency: "CNY" } }),
            }),
        );
        return { l, awarded, revised };
      }),
    );
    for (const { l, awarded, revised } of results) {
      const state = await stateOf(l.loadId);
      const msg = `${show(awarded, revised)} ${JSON.stringify(state)}`;
      if (awarded.status === 201) {
        expect(revised.status, msg).toBe(409);
        expect(awarded.body.waybill.price.amount, msg).toBe(25_000);
        expect(state.bid[l.bidA], msg).toBe("awarded");
      } else {
        expect(awarded.status, msg).toBe(409);
        expect(awarded.body.error.reason, msg).toBe("BID_REVISED");
        expect(revised.status, msg).toBe(200);
        expect(state, msg).toEqual({
          load: { status: "open", awarded_bid_id: null },
          bid: { [l.bidA]: "live", [l.bidB]: "live" },
          waybills: 0,
        });
      }
    }
  });
});

describe("award pinned to a bid revision", () => {
  it("awards the revision named; refuses a stale one with 409 BID_REVISED, naming the current", async () => {
    const [l] = await openLoads(1);
    if (!l) throw new Error("no load");
    const revised = await node.call("PUT", `/v1/loads/${l.loadId}/bids/${l.bidA}`, {
      key: a.key,
      body: bidBody(a.vehicleId, { price: { amount: 24_000, currency: "CNY" } }),
    });
    expect(revised.status, show(revised)).toBe(200);
    const stale = await award(l.loadId, { bidId: l.bidA, revision: 1 });
    expect(stale.status, show(stale)).toBe(409);
    expect(stale.body.error).toMatchObject({ code: "CONFLICT", reason: "BID_REVISED" });
    expect(stale.body.error.message).toContain("revision 2");
    expect((await stateOf(l.loadId)).load?.status).toBe("open");
    const ok = await award(l.loadId, { bidId: l.bidA, revision: 2 });
    expect(ok.status, show(ok)).toBe(201);
    expect(ok.body.waybill.price.amount).toBe(24_000);
  });

  it.each([0, -1, 1.5, "1", null])("refuses revision %j with 400 naming the field", async (r) => {
    const [l] = await openLoads(1);
    if (!l) throw new Error("no load");
    const res = await award(l.loadId, { bidId: l.bidA, revision: r });
    expect(res.status, show(res)).toBe(400);
    expect(res.body.error.details[0].path).toBe("revision");
  });
});

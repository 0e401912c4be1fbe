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
  | { op: "award"; load: number; carrier: number; revision: "none" | "current" | "ahead" }
  | { op: "cancel"; load: number };

const idx = fc.nat(3);
const who = fc.nat(2);
const price = fc.integer({ min: 10_000, max: 29_000 });
// Weighted so that a sequence bids, revises and awards on a few loads rather than only posting.
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ op: "post" as const }) },
  {
    weight: 5,
    arbitrary: fc.record({ op: fc.constant("bid" as const), load: idx, carrier: who, price }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant("revise" as const), load: idx, carrier: who, price }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant("withdraw" as const), load: idx, carrier: who }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("award" as const),
      load: idx,
      carrier: who,
      revision: fc.constantFrom("none" as const, "current" as const, "ahead" as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("cancel" as const), load: idx }) },
);

// The model: what the marketplace should hold after each command, written from its rules
// (README, "Marketplace") rather than from the code.
type BidStatus = "live" | "withdrawn" | "awarded" | "lost" | "void";
interface ModelBid {
  id: string;
  carrier: number;
  status: BidStatus;
  revision: number;
  price: number;
}
interface ModelLoad {
  id: string;
  status: "open" | "awarded" | "cancelled";
  awardedBidId: string | null;
  waybill?: string;
  bids: ModelBid[];
}

/** The answer the model predicts: its status, and a body the real one must match. */
interface Outcome {
  status: number;
  body: Record<string, unknown>;
}

/** One command: the request, the predicted answer, and how a success changes the model. */
interface Step {
  method: string;
  path: string;
  key: string;
  body?: unknown;
  expected: Outcome;
  apply?: (body: Record<string, unknown>) => void;
}

const refused = (status: number, code: string, message: string, reason?: string): Outcome => ({
  status,
  body: { error: { code, message, ...(reason ? { reason } : {}) } },
});
const notFound = (entity: string, id: string) =>
  refused(404, "NOT_FOUND", `${entity} ${id} not found`);
const conflict = (message: string, reason: string) => refused(409, "CONFLICT", message, reason);

const bidExists = conflict(
  "the carrier already has a live bid on this load; revise or withdraw it",
  "BID_EXISTS",
);
const price$ = (amount: number) => ({ amount, currency: "CNY" });
const latestOf = (load: ModelLoad, carrier: number) =>
  load.bids.findLast((b) => b.carrier === carrier);

/**
 * A carrier sees an open load it qualifies for (every carrier here does) and any load it has
 * bid on; to any other it does not exist. Bidding needs the load open.
 */
function refusedBidding(load: ModelLoad, carrier: number): Outcome | undefined {
  if (load.status === "open") return undefined;
  return load.bids.some((b) => b.carrier === carrier)
    ? conflict(`bidding is over: the load is ${load.status}`, "LOAD_NOT_OPEN")
    : notFound("load", load.id);
}

/** The live bids of the load end with it: `lost` when another wins, `void` when cancelled. */
function close(load: ModelLoad, status: ModelLoad["status"], liveBidsBecome: BidStatus) {
  load.status = status;
  for (const b of load.bids) if (b.status === "live") b.status = liveBidsBecome;
}

/** One award per load, of a live bid, at the revision the shipper names (if it names one). */
function refusedAward(load: ModelLoad, bid: ModelBid, revision?: number): Outcome | undefined {
  if (load.status === "awarded") {
    return conflict(`the load is already awarded (waybill ${load.waybill})`, "ALREADY_AWARDED");
  }
  if (load.status !== "open") return conflict(`the load is ${load.status}`, "LOAD_NOT_OPEN");
  if (bid.status !== "live") return conflict(`the bid is ${bid.status}`, "BID_NOT_LIVE");
  if (revision !== undefined && revision !== bid.revision) {
    return conflict(
      `the bid was revised: it is at revision ${bid.revision}, not ${revision}`,
      "BID_REVISED",
    );
  }
  return undefined;
}

/** A carrier changes only its own bid (another's does not exist to it), and only while live. */
function refusedChange(bid: ModelBid, carrier: number): Outcome | undefined {
  if (bid.carrier !== carrier) return notFound("bid", bid.id);
  if (bid.status !== "live") return conflict(`the bid is ${bid.status}`, "BID_NOT_LIVE");
  return undefined;
}

function postStep(loads: ModelLoad[]): Step {
  return {
    method: "POST",
    path: "/v1/loads",
    key: shipper.key,
    body: loadBody(),
    expected: {
      status: 201,
      body: { status: "open", shipperId: shipper.id, awardedBidId: null, version: 1 },
    },
    apply: (body) =>
      loads.push({ id: String(body.id), status: "open", awardedBidId: null, bids: [] }),
  };
}

function cancelStep(load: ModelLoad): Step {
  return {
    method: "POST",
    path: `/v1/loads/${load.id}/cancel`,
    key: shipper.key,
    expected:
      load.status === "open"
        ? { status: 200, body: { id: load.id, status: "cancelled", cancelReason: null } }
        : conflict(`cannot cancel: the load is ${load.status}`, "LOAD_NOT_OPEN"),
    apply: () => close(load, "cancelled", "void"),
  };
}

function bidStep(load: ModelLoad, carrier: number, price: number): Step {
  const c = carriers[carrier] as Bidder;
  const live = load.bids.some((b) => b.carrier === carrier && b.status === "live");
  const placed = {
    status: 201,
    body: { loadId: load.id, carrierId: c.id, status: "live", revision: 1, price: price$(price) },
  };
  return {
    method: "POST",
    path: `/v1/loads/${load.id}/bids`,
    key: c.key,
    body: bidBody(c.vehicleId, { price: price$(price) }),
    expected: refusedBidding(load, carrier) ?? (live ? bidExists : placed),
    apply: (body) =>
      load.bids.push({ id: String(body.id), carrier, status: "live", revision: 1, price }),
  };
}

/**
 * The shipper awards the carrier's latest bid, naming no revision, the current one, or one the
 * bid has not reached.
 */
function awardStep(load: ModelLoad, o: Op & { op: "award" }): Step | undefined {
  const bid = latestOf(load, o.carrier);
  if (!bid) return undefined;
  const revision =
    o.revision === "none" ? undefined : bid.revision + (o.revision === "ahead" ? 1 : 0);
  const waybill = {
    status: "created",
    loadId: load.id,
    bidId: bid.id,
    shipperId: shipper.id,
    carrierId: (carriers[o.carrier] as Bidder).id,
    price: price$(bid.price),
  };
  return {
    method: "POST",
    path: `/v1/loads/${load.id}/award`,
    key: shipper.key,
    body: { bidId: bid.id, ...(revision === undefined ? {} : { revision }) },
    expected: refusedAward(load, bid, revision) ?? { status: 201, body: { waybill } },
    apply: (body) => {
      close(load, "awarded", "lost");
      bid.status = "awarded";
      load.awardedBidId = bid.id;
      load.waybill = String((body.waybill as { number: string }).number);
    },
  };
}

/** Revise or withdraw the carrier's latest bid, or, if it has none, another carrier's. */
function changeStep(load: ModelLoad, o: Op & { op: "revise" | "withdraw" }): Step | undefined {
  const bid = latestOf(load, o.carrier) ?? load.bids.at(-1);
  if (!bid) return undefined;
  const c = carriers[o.carrier] as Bidder;
  const refusal = refusedBidding(load, o.carrier) ?? refusedChange(bid, o.carrier);
  const path = `/v1/loads/${load.id}/bids/${bid.id}`;
  if (o.op === "revise") {
    return {
      method: "PUT",
      path,
      key: c.key,
      body: bidBody(c.vehicleId, { price: price$(o.price) }),
      expected: refusal ?? {
        status: 200,
        body: { id: bid.id, status: "live", revision: bid.revision + 1, price: price$(o.price) },
      },
      apply: () => {
        bid.revision += 1;
        bid.price = o.price;
      },
    };
  }
  return {
    method: "POST",
    path: `${path}/withdraw`,
    key: c.key,
    expected: refusal ?? {
      status: 200,
      body: { id: bid.id, status: "withdrawn", revision: bid.revision, price: price$(bid.price) },
    },
    apply: () => {
      bid.status = "withdrawn";
    },
  };
}

/** The command as a request against the model's loads; none when it names nothing yet. */
function step(loads: ModelLoad[], o: Op): Step | undefined {
  if (o.op === "post") return postStep(loads);
  const load = loads[o.load % Math.max(loads.length, 1)];
  if (!load) return undefined;
  switch (o.op) {
    case "cancel":
      return cancelStep(load);
    case "bid":
      return bidStep(load, o.carrier, o.price);
    case "award":
      return awardStep(load, o);
    default:
      return changeStep(load, o);
  }
}

/** The loads and bids as the database holds them, in the model's terms. */
async function stored(ids: string[]) {
  const loadRows = await node.database.sql<
    { id: string; status: string; awarded_bid_id: string | null; waybills: number }[]
  >`select l.id, l.status, l.awarded_bid_id,
           (select count(*)::int from waybills w
             where w.load_id = l.id and w.bid_id = l.awarded_bid_id) as waybills
      from loads l where l.id in ${node.database.sql(ids)} order by l.id`;
  const bidRows = await node.database.sql<
    { id: string; load_id: string; status: string; revision: number; amount: number }[]
  >`select id, load_id, status, revision, amount::float8 as amount
      from bids where load_id in ${node.database.sql(ids)} order by id`;
  return { loads: loadRows, bids: bidRows };
}

function predicted(loads: ModelLoad[]) {
  return {
    loads: loads
      .map((l) => ({
        id: l.id,
        status: l.status,
        awarded_bid_id: l.awardedBidId,
        waybills: l.status === "awarded" ? 1 : 0,
      }))
      .sort((a, b) => a.id.localeCompare(b.id)),
    bids: loads
      .flatMap((l) =>
        l.bids.map((b) => ({
          id: b.id,
          load_id: l.id,
          status: b.status,
          revision: b.revision,
          amount: b.price,
        })),
      )
      .sort((a, b) => a.id.localeCompare(b.id)),
  };
}

describe("model-based: post / bid / revise / withdraw / award / cancel", () => {
  it("answers every command as the model predicts and ends in the state it predicts", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 10, maxLength: 40 }), async (ops) => {
        const loads: ModelLoad[] = [];
        for (const [i, o] of ops.entries()) {
          const s = step(loads, o);
          if (!s) continue;
          const r = await node.call(s.method, s.path, { key: s.key, body: s.body });
          const what = `command ${i} ${JSON.stringify(o)}: ${s.method} ${s.path} answered ${r.status} ${JSON.stringify(r.body)}`;
          expect(r.status, what).toBe(s.expected.status);
          expect(r.body, what).toMatchObject(s.expected.body);
          if (r.status < 300) s.apply?.(r.body);
        }
        if (loads.length > 0) {
          expect(await stored(loads.map((l) => l.id))).toEqual(predicted(loads));
        }
      }),
      { numRuns: 50 },
    );
    const verdict = await node.call("GET", "/v1/audit/verify", { key: node.adminKey });
    expect(verdict.body.ok, JSON.stringify(verdict.body)).toBe(true);
  });
});

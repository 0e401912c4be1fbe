import type { Bid, Load } from "../../db/schema";
import type { Ctx } from "../context";
import { withTransaction } from "../transaction";
import { lockLoadAndOwnBid, requireBiddingCarrier, requireValidUntil } from "./bids";
import { type BidInput, bidTerms, checkBid } from "./eligibility";
import { type BidChange, transitionLoad } from "./transition";
import type { BidView } from "./views";
import { bidView as view } from "./views";

/**
 * `PUT /v1/loads/{id}/bids/{bidId}`: a new version replaces the live bid while bidding is open.
 * The bid keeps its id; `revision` counts versions and the audit log keeps each one.
 */
export async function reviseBid(
  ctx: Ctx,
  input: { loadId: string; bidId: string; bid: BidInput },
): Promise<BidView> {
  const actor = requireBiddingCarrier(ctx);
  return withTransaction(ctx, async (tx) => {
    const {
      load,
      dbNow,
      carrier,
      bid: previous,
    } = await lockLoadAndOwnBid(tx, actor, { ...input, vehicleIds: input.bid.vehicleIds });
    const checked = await checkBid(tx, load, carrier, input.bid);
    requireValidUntil(checked.validUntil, dbNow);
    return changeOwnBid(tx, load, {
      change: { id: previous.id, terms: bidTerms(input.bid, checked) },
      event: "revised",
      audit: (row) => ({ revision: row.revision, previous: view(previous), ...input.bid }),
      feed: (row) => ({ revision: row.revision, price: input.bid.price }),
    });
  });
}

/** `POST /v1/loads/{id}/bids/{bidId}/withdraw`: the carrier takes its bid back while bidding is open. */
export async function withdrawBid(
  ctx: Ctx,
  input: { loadId: string; bidId: string },
): Promise<BidView> {
  const actor = requireBiddingCarrier(ctx);
  return withTransaction(ctx, async (tx) => {
    const { load, bid } = await lockLoadAndOwnBid(tx, actor, input);
    return changeOwnBid(tx, load, {
      change: { id: bid.id, status: "withdrawn" },
      event: "withdrawn",
    });
  });
}

/** A carrier's change of its own bid: the bid, its audit entry and the shipper's feed event. */
async function changeOwnBid(
  tx: Ctx & { tx: object },
  load: Load,
  how: {
    change: BidChange;
    event: "revised" | "withdrawn";
    /** What the audit entry and the shipper's event say beyond the load and bid. */
    audit?: (row: Bid) => Record<string, unknown>;
    feed?: (row: Bid) => Record<string, unknown>;
  },
): Promise<BidView> {
  const type = `bid.${how.event}` as const;
  const bidOf = (bids: Bid[]) => {
    const [row] = bids;
    if (!row) throw new Error("update returned no row");
    return row;
  };
  const done = await transitionLoad(tx, {
    load,
    bids: how.change,
    audit: ({ bids }) => {
      const row = bidOf(bids);
      return {
        action: type,
        entityType: "bid",
        entityId: row.id,
        data: { loadId: load.id, ...how.audit?.(row) },
      };
    },
    feed: ({ bids }) => {
      const row = bidOf(bids);
      return [
        {
          orgId: load.shipperId,
          type,
          entityType: "bid",
          entityId: row.id,
          data: { loadId: load.id, bidId: row.id, ...how.feed?.(row) },
        },
      ];
    },
  });
  return view(bidOf(done?.bids ?? []));
}

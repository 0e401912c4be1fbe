import { insertBid } from "../../db/queries/marketplace";
import { appendAudit } from "../audit/append";
import type { Ctx } from "../context";
import { ConflictError } from "../errors";
import { emitFeed } from "../feed/emit";
import { newId } from "../ids";
import { isUniqueViolation } from "../participants/register";
import { withTransaction } from "../transaction";
import { lockLoadForBidding, requireBiddingCarrier, requireValidUntil } from "./bids";
import { type BidInput, bidTerms, checkBid } from "./eligibility";
import { type BidView, bidView } from "./views";

/** `POST /v1/loads/{id}/bids`: one live bid per carrier per load, refused once bidding closes. */
export async function placeBid(
  ctx: Ctx,
  input: { loadId: string; bid: BidInput },
): Promise<BidView> {
  const actor = requireBiddingCarrier(ctx);
  return withTransaction(ctx, async (tx) => {
    const { load, dbNow, carrier } = await lockLoadForBidding(tx, actor, input.loadId, {
      vehicleIds: input.bid.vehicleIds,
    });
    const checked = await checkBid(tx, load, carrier, input.bid);
    requireValidUntil(checked.validUntil, dbNow);
    const now = tx.clock.now();
    const id = newId("bid");
    // The bid, its audit entry and the shipper's feed event go out together on the
    // transaction's connection (pipelined): one round trip instead of three.
    const [inserted, ...rest] = await Promise.allSettled([
      insertBid(tx.db, {
        id,
        loadId: load.id,
        carrierId: actor.orgId,
        ...bidTerms(input.bid, checked),
        createdAt: now,
        updatedAt: now,
      }),
      appendAudit(tx, {
        action: "bid.placed",
        entityType: "bid",
        entityId: id,
        data: { loadId: load.id, carrierId: actor.orgId, ...input.bid },
      }),
      emitFeed(tx, [
        {
          orgId: load.shipperId,
          type: "bid.received",
          entityType: "bid",
          entityId: id,
          data: { loadId: load.id, bidId: id, carrierId: actor.orgId, price: input.bid.price },
        },
      ]),
    ]);
    if (inserted.status === "rejected") {
      if (isUniqueViolation(inserted.reason)) {
        throw new ConflictError(
          "the carrier already has a live bid on this load; revise or withdraw it",
          [],
          "BID_EXISTS",
        );
      }
      throw inserted.reason;
    }
    for (const r of rest) if (r.status === "rejected") throw r.reason;
    const row = inserted.value;
    return bidView(row);
  });
}

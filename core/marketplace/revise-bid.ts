import { eq, sql } from "drizzle-orm";
import { bids } from "../../db/schema";
import { recordAudit } from "../audit/append";
import { type Ctx, withTransaction } from "../context";
import { emitFeed } from "../feed/emit";
import {
  lockLoadForBidding,
  lockOwnLiveBid,
  requireBiddingCarrier,
  requireValidUntil,
} from "./bids";
import { type BidInput, bidTerms, checkBid } from "./eligibility";
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
    const { load, dbNow, carrier } = await lockLoadForBidding(tx, actor, input.loadId, {
      vehicleIds: input.bid.vehicleIds,
    });
    const previous = await lockOwnLiveBid(tx, actor, load.id, input.bidId);
    const checked = await checkBid(tx, load, carrier, input.bid);
    requireValidUntil(checked.validUntil, dbNow);
    const [row] = await tx.db
      .update(bids)
      .set({
        ...bidTerms(input.bid, checked),
        revision: sql`${bids.revision} + 1`,
        updatedAt: tx.clock.now(),
      })
      .where(eq(bids.id, previous.id))
      .returning();
    if (!row) throw new Error("update returned no row");
    recordAudit(tx, {
      action: "bid.revised",
      entityType: "bid",
      entityId: row.id,
      data: { loadId: load.id, revision: row.revision, previous: view(previous), ...input.bid },
    });
    await emitFeed(tx, [
      {
        orgId: load.shipperId,
        type: "bid.revised",
        entityType: "bid",
        entityId: row.id,
        data: { loadId: load.id, bidId: row.id, revision: row.revision, price: input.bid.price },
      },
    ]);
    return view(row);
  });
}

/** `POST /v1/loads/{id}/bids/{bidId}/withdraw`: the carrier takes its bid back while bidding is open. */
export async function withdrawBid(
  ctx: Ctx,
  input: { loadId: string; bidId: string },
): Promise<BidView> {
  const actor = requireBiddingCarrier(ctx);
  return withTransaction(ctx, async (tx) => {
    const { load } = await lockLoadForBidding(tx, actor, input.loadId);
    const bid = await lockOwnLiveBid(tx, actor, load.id, input.bidId);
    const [row] = await tx.db
      .update(bids)
      .set({ status: "withdrawn", updatedAt: tx.clock.now() })
      .where(eq(bids.id, bid.id))
      .returning();
    if (!row) throw new Error("update returned no row");
    recordAudit(tx, {
      action: "bid.withdrawn",
      entityType: "bid",
      entityId: row.id,
      data: { loadId: load.id },
    });
    await emitFeed(tx, [
      {
        orgId: load.shipperId,
        type: "bid.withdrawn",
        entityType: "bid",
        entityId: row.id,
        data: { loadId: load.id, bidId: row.id },
      },
    ]);
    return view(row);
  });
}

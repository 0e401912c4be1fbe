import { insertBid, insertBidAtOnce } from "../../db/queries/marketplace";
import { appendAudit, auditEntry } from "../audit/append";
import type { Ctx, OrgActor } from "../context";
import { ConflictError } from "../errors";
import { emitFeed } from "../feed/emit";
import { committedResultBody } from "../idempotency";
import { newId } from "../ids";
import { isUniqueViolation } from "../participants/register";
import { withTransaction } from "../transaction";
import { scheduleDeliveries } from "../webhooks/enqueue";
import {
  loadForBidding,
  lockLoadForBidding,
  requireBiddingCarrier,
  requireValidUntil,
} from "./bids";
import { type BidInput, bidTerms, checkBid } from "./eligibility";
import { type BidView, bidView } from "./views";

/** `POST /v1/loads/{id}/bids`: one live bid per carrier per load, refused once bidding closes. */
export async function placeBid(
  ctx: Ctx,
  input: { loadId: string; bid: BidInput },
): Promise<BidView> {
  const actor = requireBiddingCarrier(ctx);
  // On its own, a bid is two round trips: a read, then one statement that writes only while
  // the load is as read and still open. When it is not, the transaction below names why.
  if (!ctx.tx) {
    const placed = await placeAtOnce(ctx, actor, input);
    if (placed) return placed;
  }
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
        data: placedAudit(load.id, actor, input.bid),
      }),
      emitFeed(tx, [
        {
          orgId: load.shipperId,
          type: "bid.received",
          entityType: "bid",
          entityId: id,
          data: received(load.id, id, actor, input.bid),
        },
      ]),
    ]);
    if (inserted.status === "rejected") throw bidExists(inserted.reason);
    for (const r of rest) if (r.status === "rejected") throw r.reason;
    const row = inserted.value;
    return bidView(row);
  });
}

/**
 * The bid checked on the load as last committed (refusals are final: nothing was written),
 * then written in one statement with its audit entry, feed event, webhook deliveries and
 * idempotent result, if the load is still that row and bidding still open. Undefined when not.
 */
async function placeAtOnce(
  ctx: Ctx,
  actor: OrgActor,
  input: { loadId: string; bid: BidInput },
): Promise<BidView | undefined> {
  const { load, dbNow, carrier, seen } = await loadForBidding(ctx, actor, input.loadId, {
    vehicleIds: input.bid.vehicleIds,
    lock: false,
  });
  const checked = await checkBid(ctx, load, carrier, input.bid);
  requireValidUntil(checked.validUntil, dbNow);
  const now = ctx.clock.now();
  const bid = {
    id: newId("bid"),
    loadId: load.id,
    carrierId: actor.orgId,
    ...bidTerms(input.bid, checked),
    createdAt: now,
    updatedAt: now,
  };
  const audit = auditEntry(ctx, {
    action: "bid.placed",
    entityType: "bid",
    entityId: bid.id,
    // As appendAudit: the hashed data equals what jsonb gives back.
    data: JSON.parse(JSON.stringify(placedAudit(load.id, actor, input.bid))),
  });
  const placed = await insertBidAtOnce(ctx.db, {
    bid,
    seen,
    audit,
    feed: {
      orgId: load.shipperId,
      type: "bid.received",
      entityType: "bid",
      data: received(load.id, bid.id, actor, input.bid),
    },
    deliveries: seen.shipperHooks.map((webhookId) => ({ id: newId("msg"), webhookId })),
    idempotency: ctx.idempotency
      ? {
          ...ctx.idempotency,
          body: committedResultBody(bidView({ ...bid, status: "live", revision: 1 })),
        }
      : null,
  }).catch((e: unknown) => {
    throw bidExists(e);
  });
  if (!placed) return undefined;
  await scheduleDeliveries(ctx, placed.deliveryIds);
  return bidView(placed.bid);
}

const placedAudit = (loadId: string, actor: OrgActor, bid: BidInput) => ({
  loadId,
  carrierId: actor.orgId,
  ...bid,
});

const received = (loadId: string, bidId: string, actor: OrgActor, bid: BidInput) => ({
  loadId,
  bidId,
  carrierId: actor.orgId,
  price: bid.price,
});

/** A second live bid of the carrier on the load, as the unique index refuses it. */
function bidExists(e: unknown): unknown {
  if (!isUniqueViolation(e)) return e;
  return new ConflictError(
    "the carrier already has a live bid on this load; revise or withdraw it",
    [],
    "BID_EXISTS",
  );
}

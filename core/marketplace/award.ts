import { and, eq, sql } from "drizzle-orm";
import { type Bid, bids, loads, waybills } from "../../db/schema";
import { recordAudit } from "../audit/append";
import { type Ctx, requireOrgActor, withTransaction } from "../context";
import { ConflictError, ForbiddenError, NotFoundError } from "../errors";
import { emitFeed } from "../feed/emit";
import { insertWaybill, planLegs } from "../waybills/create";
import { type WaybillView, waybillView } from "../waybills/view";

/**
 * Awards `bidId` on `loadId`, exactly once whatever the concurrency: one conditional UPDATE
 * moves the load out of `open` (racing attempts block on the row, then find it no longer
 * open), and the unique index on `waybills.load_id` backs it up. The waybill, the bid
 * outcomes, the audit entry and every bidder's feed event commit in the same transaction.
 */
export async function awardInTx(
  tx: Ctx & { tx: object },
  input: { loadId: string; bidId: string; shipperId?: string; auto?: string },
): Promise<WaybillView> {
  const [load] = await tx.db
    .update(loads)
    .set({
      status: "awarded",
      awardedBidId: input.bidId,
      closedAt: sql`now()`,
      updatedAt: tx.clock.now(),
      version: sql`${loads.version} + 1`,
    })
    .where(
      and(
        eq(loads.id, input.loadId),
        eq(loads.status, "open"),
        input.shipperId ? eq(loads.shipperId, input.shipperId) : undefined,
        sql`exists (select 1 from ${bids} where ${bids.id} = ${input.bidId}
          and ${bids.loadId} = ${input.loadId} and ${bids.status} = 'live'
          and ${bids.validUntil} > now())`,
      ),
    )
    .returning();
  if (!load) throw await whyNotAwarded(tx, input);

  const outcomes = await tx.db
    .update(bids)
    .set({
      status: sql`case when ${bids.id} = ${input.bidId} then 'awarded' else 'lost' end`,
      updatedAt: tx.clock.now(),
    })
    .where(and(eq(bids.loadId, load.id), eq(bids.status, "live")))
    .returning();
  const winner = outcomes.find((b) => b.id === input.bidId);
  if (!winner) throw new Error("awarded bid vanished inside the transaction");

  const { waybill, legs } = await insertWaybill(tx, {
    loadId: load.id,
    bidId: winner.id,
    shipperId: load.shipperId,
    carrierId: winner.carrierId,
    origin: load.origin,
    destination: load.destination,
    cargo: load.cargo,
    price: { amount: winner.amount, currency: winner.currency },
    legs: planLegs(
      winner.carrierId,
      winner.pickupAt,
      winner.deliveryAt,
      winner.legs ?? [{ mode: winner.mode, from: load.origin, to: load.destination }],
    ),
  });
  recordAudit(tx, {
    action: "load.awarded",
    entityType: "load",
    entityId: load.id,
    data: {
      bidId: winner.id,
      carrierId: winner.carrierId,
      waybill: waybill.number,
      rule: input.auto ?? "manual",
      lost: outcomes.filter((b) => b.id !== winner.id).map((b) => b.id),
    },
  });
  await emitFeed(tx, [
    {
      orgId: load.shipperId,
      type: "load.awarded",
      entityType: "load",
      entityId: load.id,
      data: { loadId: load.id, bidId: winner.id, waybill: waybill.number },
    },
    ...outcomes.map((b: Bid) => ({
      orgId: b.carrierId,
      type: b.id === winner.id ? ("bid.won" as const) : ("bid.lost" as const),
      entityType: "bid",
      entityId: b.id,
      data: {
        loadId: load.id,
        bidId: b.id,
        ...(b.id === winner.id ? { waybill: waybill.number } : {}),
      },
    })),
  ]);
  return waybillView(waybill, legs, "sensitive");
}

/** Names the reason a conditional award matched nothing: 404 for what the actor cannot see. */
async function whyNotAwarded(
  tx: Ctx,
  input: { loadId: string; bidId: string; shipperId?: string },
): Promise<Error> {
  const [load] = await tx.db
    .select({ status: loads.status, shipperId: loads.shipperId })
    .from(loads)
    .where(eq(loads.id, input.loadId));
  if (!load || (input.shipperId && load.shipperId !== input.shipperId)) {
    return NotFoundError.of("load", input.loadId);
  }
  if (load.status !== "open") {
    const [w] = await tx.db
      .select({ number: waybills.number })
      .from(waybills)
      .where(eq(waybills.loadId, input.loadId));
    return new ConflictError(
      load.status === "awarded"
        ? `the load is already awarded${w ? ` (waybill ${w.number})` : ""}`
        : `the load is ${load.status}`,
      [],
      load.status === "awarded" ? "ALREADY_AWARDED" : "LOAD_NOT_OPEN",
    );
  }
  const [bid] = await tx.db
    .select({ status: bids.status, expired: sql<boolean>`${bids.validUntil} <= now()` })
    .from(bids)
    .where(and(eq(bids.id, input.bidId), eq(bids.loadId, input.loadId)));
  if (!bid) return NotFoundError.of("bid", input.bidId);
  if (bid.status !== "live") {
    return new ConflictError(`the bid is ${bid.status}`, [], "BID_NOT_LIVE");
  }
  if (bid.expired) return new ConflictError("the bid's validity has expired", [], "BID_EXPIRED");
  return new ConflictError("the load changed while awarding; try again", [], "CONFLICT");
}

/** `POST /v1/loads/{id}/award`: the load's shipper (or an admin) picks the winning bid. */
export async function awardLoad(
  ctx: Ctx,
  input: { loadId: string; bidId: string },
): Promise<{ waybill: WaybillView }> {
  const actor = requireOrgActor(ctx);
  if (actor.kind !== "shipper" && actor.kind !== "admin") {
    if (actor.kind === "carrier") throw NotFoundError.of("load", input.loadId);
    throw new ForbiddenError("only the load's shipper awards it");
  }
  return withTransaction(ctx, async (tx) => ({
    waybill: await awardInTx(tx, {
      ...input,
      shipperId: actor.kind === "admin" ? undefined : actor.orgId,
    }),
  }));
}

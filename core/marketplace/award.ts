import { and, eq, sql } from "drizzle-orm";
import { bids, type Load, loads, waybills } from "../../db/schema";
import { type Ctx, requireOrgActor } from "../context";
import { ConflictError, ForbiddenError, NotFoundError } from "../errors";
import { withTransaction } from "../transaction";
import { issueWaybill, planLegs } from "../waybills/create";
import { type WaybillView, waybillView } from "../waybills/view";
import { quotedFigures, quotedPoints, quotedRouteFor, quotedTotals } from "./quoted-route";
import { bidderEvents, shipperEvent, type Transitioned, transitionLoad } from "./transition";

interface AwardInput {
  loadId: string;
  bidId: string;
  revision?: number;
  shipperId?: string;
  auto?: string;
}

/**
 * Awards `bidId` on `loadId`, exactly once whatever the concurrency. The load is locked first
 * (the order every bid verb follows: load, then bid), so racing awards queue on it and find it
 * no longer open; bids placed, revised or withdrawn before the lock was granted are seen by the
 * statements after it, which is why the bid is read only once the load is held. The unique
 * index on `waybills.load_id` backs it up. The waybill, the bid outcomes, the audit entry and
 * every bidder's feed event commit in the same transaction.
 */
export async function awardInTx(tx: Ctx & { tx: object }, input: AwardInput): Promise<WaybillView> {
  const load = await lockOpenLoad(tx, input);
  await requireAwardableBid(tx, input);
  const done = await transitionLoad(tx, {
    load,
    to: { set: { status: "awarded", awardedBidId: input.bidId }, closed: true, bumpVersion: true },
    bids: { live: { winner: input.bidId } },
    effect: (settled) => issueWinnersWaybill(tx, settled, input.bidId),
    audit: ({ load, bids, effect }) => ({
      action: "load.awarded",
      entityType: "load",
      entityId: load.id,
      data: {
        bidId: input.bidId,
        carrierId: effect.carrierId,
        waybill: effect.waybill.number,
        rule: input.auto ?? "manual",
        lost: bids.filter((b) => b.id !== input.bidId).map((b) => b.id),
      },
    }),
    feed: ({ load, bids, effect }) => [
      shipperEvent(load, "load.awarded", {
        loadId: load.id,
        bidId: input.bidId,
        waybill: effect.waybill.number,
      }),
      ...bidderEvents(load.id, bids, (b) =>
        b.id === input.bidId
          ? { type: "bid.won", data: { waybill: effect.waybill.number } }
          : { type: "bid.lost" },
      ),
    ],
  });
  if (!done) throw new Error("the locked load vanished inside the transaction");
  return waybillView(done.effect.waybill, done.effect.legs, "sensitive", tx.nodeCode);
}

/**
 * Locks the load (the shipper's own, when a shipper awards) and requires it open; a shipper's
 * award before bidding closes (by the database clock) needs the load's `earlyAward`.
 */
async function lockOpenLoad(tx: Ctx, input: AwardInput): Promise<Load> {
  const [row] = await tx.db
    .select({ load: loads, biddingOpen: sql<boolean>`${loads.biddingClosesAt} > now()` })
    .from(loads)
    .where(
      and(
        eq(loads.id, input.loadId),
        input.shipperId ? eq(loads.shipperId, input.shipperId) : undefined,
      ),
    )
    .for("no key update");
  if (!row) throw NotFoundError.of("load", input.loadId);
  const locked = row.load;
  if (locked.status !== "open") throw await loadNotOpen(tx, input.loadId, locked.status);
  if (!input.auto && !locked.earlyAward && row.biddingOpen) {
    throw new ConflictError(
      `the load takes no award before bidding closes at ${locked.biddingClosesAt.toISOString()}`,
      [],
      "BIDDING_OPEN",
    );
  }
  return locked;
}

/** The bid to award: on this load, live, still valid, at the revision the shipper saw. */
async function requireAwardableBid(tx: Ctx, input: AwardInput): Promise<void> {
  // A statement of its own after the lock: in READ COMMITTED it sees every bid change that
  // committed while we waited (a subquery inside the locking UPDATE would not).
  const [bid] = await tx.db
    .select({
      status: bids.status,
      revision: bids.revision,
      expired: sql<boolean>`${bids.validUntil} <= now()`,
    })
    .from(bids)
    .where(and(eq(bids.id, input.bidId), eq(bids.loadId, input.loadId)))
    .for("update");
  if (!bid) throw NotFoundError.of("bid", input.bidId);
  if (bid.status !== "live") {
    throw new ConflictError(`the bid is ${bid.status}`, [], "BID_NOT_LIVE");
  }
  if (bid.expired) throw new ConflictError("the bid's validity has expired", [], "BID_EXPIRED");
  if (input.revision !== undefined && bid.revision !== input.revision) {
    throw new ConflictError(
      `the bid was revised: it is at revision ${bid.revision}, not ${input.revision}`,
      [{ path: "revision", message: `the bid is at revision ${bid.revision}` }],
      "BID_REVISED",
    );
  }
}

/** The winning bid's waybill: its price, carrier and legs, on the awarded load. */
async function issueWinnersWaybill(tx: Ctx & { tx: object }, done: Transitioned, bidId: string) {
  const { load } = done;
  const winner = done.bids.find((b) => b.id === bidId);
  if (!winner) throw new Error("awarded bid vanished inside the transaction");
  const legs = planLegs(
    winner.carrierId,
    winner.pickupAt,
    winner.deliveryAt,
    winner.legs ?? [{ mode: winner.mode, from: load.origin, to: load.destination }],
  );
  // A bid citing a quote carries the quote's route: its legs (already the bid's), each leg's
  // figures, the route's totals, crossings and transshipments.
  const quoted = winner.quoteId
    ? await quotedRouteFor(tx, load, winner.carrierId, winner.quoteId)
    : undefined;
  const figures = quoted ? quotedFigures(quoted) : [];
  const issued = await issueWaybill(tx, {
    loadId: load.id,
    bidId: winner.id,
    shipperId: load.shipperId,
    carrierId: winner.carrierId,
    origin: load.origin,
    destination: load.destination,
    cargo: load.cargo,
    price: { amount: winner.amount, currency: winner.currency },
    legs: legs.map((l, i) => ({ ...l, ...(figures[i] ? { figures: figures[i] } : {}) })),
    ...(quoted
      ? { quoted: { route: quotedTotals(quoted), points: quotedPoints(tx.network, quoted) } }
      : {}),
  });
  return { ...issued, carrierId: winner.carrierId };
}

/** The 409 for a load that is no longer open, naming its waybill if it was awarded. */
async function loadNotOpen(tx: Ctx, loadId: string, status: string): Promise<ConflictError> {
  if (status !== "awarded") {
    return new ConflictError(`the load is ${status}`, [], "LOAD_NOT_OPEN");
  }
  const [w] = await tx.db
    .select({ number: waybills.number })
    .from(waybills)
    .where(eq(waybills.loadId, loadId));
  return new ConflictError(
    `the load is already awarded${w ? ` (waybill ${w.number})` : ""}`,
    [],
    "ALREADY_AWARDED",
  );
}

/** `POST /v1/loads/{id}/award`: the load's shipper (or an admin) picks the winning bid. */
export async function awardLoad(
  ctx: Ctx,
  input: { loadId: string; bidId: string; revision?: number },
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

import { and, eq } from "drizzle-orm";
import { carrierAndLoadForBidding } from "../../db/queries/marketplace";
import { type Bid, bids, type Load } from "../../db/schema";
import { type Ctx, type OrgActor, requireOrgActor } from "../context";
import { ConflictError, ForbiddenError, NotFoundError, UnprocessableError } from "../errors";
import { type CarrierProfile, carrierSeesLoad } from "./visibility";

/** The acting carrier, refused before anything else if it may not bid at all. */
export function requireBiddingCarrier(ctx: Ctx): OrgActor {
  const actor = requireOrgActor(ctx);
  if (actor.kind !== "carrier") throw new ForbiddenError("only carriers bid");
  if (actor.orgStatus !== "verified") {
    throw new ForbiddenError("the carrier is not verified", [], "CARRIER_NOT_VERIFIED");
  }
  return actor;
}

/**
 * The bidding carrier and the load it bids on, locked FOR SHARE, with bidding open by the
 * database clock. Many bids share the lock at once; award, cancel and amend (which take a
 * stronger lock) wait for them, so no bid slips in after a load closes.
 */
export function lockLoadForBidding(
  ctx: Ctx,
  actor: OrgActor,
  loadId: string,
  opts: { vehicleIds?: readonly string[] } = {},
) {
  return loadForBidding(ctx, actor, loadId, { ...opts, lock: true });
}

/**
 * As `lockLoadForBidding`, locked or not: unlocked, a write made on what was read must check
 * that the load is still as read (`seen.rowVersion`) and bidding still open.
 */
export async function loadForBidding(
  ctx: Ctx,
  actor: OrgActor,
  loadId: string,
  opts: { vehicleIds?: readonly string[]; lock: boolean },
) {
  const found = await carrierAndLoadForBidding(ctx.db, actor.orgId, loadId, opts.vehicleIds ?? [], {
    lock: opts.lock,
  });
  if (!found) throw NotFoundError.of("carrier", actor.orgId);
  const { dbNow } = found;
  const carrier: CarrierProfile = {
    ...found.carrier,
    ...(opts.vehicleIds ? { fleet: found.fleet } : {}),
  };
  if (!found.load || !(await carrierSeesLoad(ctx, carrier, found.load.load))) {
    throw NotFoundError.of("load", loadId);
  }
  const { load, ...seen } = found.load;
  requireBiddingOpen(load, dbNow);
  return { load, dbNow, carrier, seen };
}

function requireBiddingOpen(load: Load, dbNow: Date): void {
  if (load.status !== "open") {
    throw new ConflictError(`bidding is over: the load is ${load.status}`, [], "LOAD_NOT_OPEN");
  }
  if (dbNow >= load.biddingClosesAt) {
    throw new ConflictError(
      `bidding closed at ${load.biddingClosesAt.toISOString()}`,
      [],
      "BIDDING_CLOSED",
    );
  }
}

export function requireValidUntil(validUntil: Date, dbNow: Date): void {
  if (validUntil <= dbNow) {
    throw new UnprocessableError(
      "validUntil has already passed",
      [{ path: "validUntil", message: "must be in the future" }],
      "VALID_UNTIL_PAST",
    );
  }
}

/** The carrier's own live bid on the load, locked for a revision or withdrawal. */
export async function lockOwnLiveBid(
  ctx: Ctx,
  actor: OrgActor,
  loadId: string,
  bidId: string,
): Promise<Bid> {
  const [bid] = await ctx.db
    .select()
    .from(bids)
    .where(and(eq(bids.id, bidId), eq(bids.loadId, loadId), eq(bids.carrierId, actor.orgId)))
    .for("update");
  if (!bid) throw NotFoundError.of("bid", bidId);
  if (bid.status !== "live") {
    throw new ConflictError(`the bid is ${bid.status}`, [], "BID_NOT_LIVE");
  }
  return bid;
}

import { carrierAndLoadForBidding, lockCarrierBid } from "../../db/queries/marketplace";
import type { Load } from "../../db/schema";
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

/**
 * The load locked for bidding (as `lockLoadForBidding`) and the carrier's own live bid on it
 * locked for a revision or withdrawal, asked for together: pipelined on the transaction's
 * connection, one round trip. The load's refusals come before the bid's.
 */
export async function lockLoadAndOwnBid(
  ctx: Ctx,
  actor: OrgActor,
  input: { loadId: string; bidId: string; vehicleIds?: readonly string[] },
) {
  const [locked, own] = await Promise.allSettled([
    lockLoadForBidding(
      ctx,
      actor,
      input.loadId,
      input.vehicleIds ? { vehicleIds: input.vehicleIds } : {},
    ),
    lockCarrierBid(ctx.db, { id: input.bidId, loadId: input.loadId, carrierId: actor.orgId }),
  ]);
  if (locked.status === "rejected") throw locked.reason;
  if (own.status === "rejected") throw own.reason;
  const bid = own.value;
  if (!bid) throw NotFoundError.of("bid", input.bidId);
  if (bid.status !== "live") {
    throw new ConflictError(`the bid is ${bid.status}`, [], "BID_NOT_LIVE");
  }
  return { ...locked.value, bid };
}

import { and, eq, sql } from "drizzle-orm";
import { rawClient, tableStatements } from "../../db/raw";
import { type Bid, bids, type Load, loads } from "../../db/schema";
import { type Ctx, type OrgActor, requireOrgActor } from "../context";
import { ConflictError, ForbiddenError, NotFoundError, UnprocessableError } from "../errors";
import { carrierProfile, carrierSeesLoad } from "./visibility";

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
 * Locks a load the carrier may see FOR SHARE and checks that bidding is open by the database
 * clock. Many bids share the lock at once; award, cancel and amend (which take a stronger
 * lock) wait for them, so no bid slips in after a load closes.
 */
const loadRows = tableStatements(loads);
const LOAD_FOR_BIDDING = `select ${loadRows.columns},
  (extract(epoch from now()) * 1000)::float8 as db_now_ms
  from loads where id = $1 for share`;

export async function lockLoadForBidding(
  ctx: Ctx,
  actor: OrgActor,
  loadId: string,
  opts: { vehicleIds?: readonly string[] } = {},
) {
  const carrier = await carrierProfile(ctx, actor.orgId, opts);
  if (!carrier) throw NotFoundError.of("carrier", actor.orgId);
  const [row] = await rawClient(ctx.db).unsafe(LOAD_FOR_BIDDING, [loadId], { prepare: true });
  const load = row ? loadRows.map(row) : undefined;
  if (!row || !load || !(await carrierSeesLoad(ctx, carrier, load))) {
    throw NotFoundError.of("load", loadId);
  }
  const dbNow = new Date(Number(row.db_now_ms));
  requireBiddingOpen(load, dbNow);
  return { load, dbNow, carrier };
}

export function requireBiddingOpen(load: Load, dbNow: Date): void {
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

import { and, eq } from "drizzle-orm";
import { sqlOf } from "../../db/client";
import { tableStatements } from "../../db/queries/statements";
import { type Bid, bids, type Load, loads, type Mode } from "../../db/schema";
import { type Ctx, type OrgActor, requireOrgActor } from "../context";
import { ConflictError, ForbiddenError, NotFoundError, UnprocessableError } from "../errors";
import { type CarrierProfile, carrierSeesLoad, type FleetUnit } from "./visibility";

/** The acting carrier, refused before anything else if it may not bid at all. */
export function requireBiddingCarrier(ctx: Ctx): OrgActor {
  const actor = requireOrgActor(ctx);
  if (actor.kind !== "carrier") throw new ForbiddenError("only carriers bid");
  if (actor.orgStatus !== "verified") {
    throw new ForbiddenError("the carrier is not verified", [], "CARRIER_NOT_VERIFIED");
  }
  return actor;
}

const loadRows = tableStatements(loads);
// The carrier (with the named vehicles) and the load locked FOR SHARE, in one statement.
const CARRIER_AND_LOAD = `with l as (select * from loads where id = $2 for share)
  select c.id as c_id, c.status as c_status, c.modes as c_modes,
    c.qualifications as c_qualifications,
    (select coalesce(json_agg(json_build_object('id', v.id, 'carrierId', v.carrier_id,
      'mode', v.mode, 'capacityKg', v.capacity_kg, 'capacityM3', v.capacity_m3)), '[]'::json)
     from vehicles v where v.id = any($3::text[])) as c_fleet,
    l.*, (extract(epoch from now()) * 1000)::float8 as db_now_ms
  from organizations c left join l on true
  where c.id = $1 and c.kind = 'carrier'`;

/**
 * The bidding carrier and the load it bids on, locked FOR SHARE, with bidding open by the
 * database clock. Many bids share the lock at once; award, cancel and amend (which take a
 * stronger lock) wait for them, so no bid slips in after a load closes.
 */
export async function lockLoadForBidding(
  ctx: Ctx,
  actor: OrgActor,
  loadId: string,
  opts: { vehicleIds?: readonly string[] } = {},
) {
  const [row] = await sqlOf(ctx.db).unsafe(
    CARRIER_AND_LOAD,
    [actor.orgId, loadId, [...(opts.vehicleIds ?? [])]],
    { prepare: true },
  );
  if (!row) throw NotFoundError.of("carrier", actor.orgId);
  const carrier: CarrierProfile = {
    id: String(row.c_id),
    status: row.c_status as CarrierProfile["status"],
    modes: row.c_modes as Mode[],
    qualifications: row.c_qualifications as CarrierProfile["qualifications"],
    ...(opts.vehicleIds ? { fleet: row.c_fleet as FleetUnit[] } : {}),
  };
  const load = row.id === null || row.id === undefined ? undefined : loadRows.map(row);
  if (!load || !(await carrierSeesLoad(ctx, carrier, load))) {
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

import { and, eq, type SQL, sql } from "drizzle-orm";
import { type Db, type Sql, sqlOf } from "../client";
import {
  type Bid,
  type BidStatus,
  bids,
  type Load,
  type LoadStatus,
  loads,
  type Mode,
  type Organization,
} from "../schema";
import { type CopyText, copyText } from "./copy";
import { tableStatements } from "./statements";

/**
 * The one way into `loads` and `bids`: every insert and update of either table is a function
 * here. The bid path's statements are fixed text, prepared once per connection.
 */

const loadRows = tableStatements(loads);
const bidRows = tableStatements(bids);

export type NewLoad = Omit<typeof loads.$inferInsert, "status" | "version">;
export type NewBid = Omit<typeof bids.$inferInsert, "status" | "revision">;
/** The columns a bid's carrier sets when placing it and may replace when revising it. */
export type BidTerms = Pick<
  NewBid,
  | "amount"
  | "currency"
  | "mode"
  | "legs"
  | "quoteId"
  | "vehicleIds"
  | "pickupAt"
  | "deliveryAt"
  | "validUntil"
  | "co2eKg"
>;

/** A carrier's standing: what decides which loads it sees and may bid on. */
export interface CarrierStanding {
  id: string;
  status: Organization["status"];
  modes: Mode[];
  qualifications: Organization["qualifications"];
}

export interface FleetUnit {
  id: string;
  carrierId: string;
  mode: Mode;
  capacityKg: number;
  capacityM3: number;
}

export async function insertLoad(db: Db, values: NewLoad): Promise<Load> {
  const [row] = await db.insert(loads).values(values).returning();
  if (!row) throw new Error("insert returned no row");
  return row;
}

/** What a change of a load sets beside `updatedAt`; `closed` stamps `closed_at` by the db clock. */
export interface LoadChange {
  set: Partial<
    Pick<
      typeof loads.$inferInsert,
      Exclude<keyof NewLoad, "id" | "shipperId" | "createdAt" | "updatedAt">
    >
  > & { status?: LoadStatus };
  updatedAt: Date;
  closed?: boolean;
  /** Owners see `version`; every change they can observe bumps it. */
  bumpVersion?: boolean;
  /** Only while the load is still open: undefined when it no longer is. */
  whileOpen?: boolean;
}

export async function updateLoad(
  db: Db,
  id: string,
  change: LoadChange,
): Promise<Load | undefined> {
  const [row] = await db
    .update(loads)
    .set({
      ...change.set,
      ...(change.closed ? { closedAt: sql`now()` } : {}),
      updatedAt: change.updatedAt,
      ...(change.bumpVersion ? { version: sql`${loads.version} + 1` } : {}),
    })
    .where(and(eq(loads.id, id), change.whileOpen ? eq(loads.status, "open") : undefined))
    .returning();
  return row;
}

/** Inserts a live bid; a second live bid of the carrier on the load fails on a unique index. */
export function insertBid(db: Db, values: NewBid): Promise<Bid> {
  return bidRows.insert(db, values);
}

/** How the live bids of a load end when it closes: all alike, or one winner and the rest lost. */
export type LiveBidsOutcome = "void" | "lost" | { winner: string };

/** Settles every live bid of a load; returns the settled bids. */
export function settleLiveBids(
  db: Db,
  loadId: string,
  outcome: LiveBidsOutcome,
  updatedAt: Date,
): Promise<Bid[]> {
  const status: SQL | BidStatus =
    typeof outcome === "string"
      ? outcome
      : sql`case when ${bids.id} = ${outcome.winner} then 'awarded' else 'lost' end`;
  return db
    .update(bids)
    .set({ status, updatedAt })
    .where(and(eq(bids.loadId, loadId), eq(bids.status, "live")))
    .returning();
}

/** A new revision of a bid: its terms replaced, `revision` counted up. */
export async function reviseBidTerms(
  db: Db,
  id: string,
  terms: BidTerms,
  updatedAt: Date,
): Promise<Bid> {
  const [row] = await db
    .update(bids)
    .set({ ...terms, revision: sql`${bids.revision} + 1`, updatedAt })
    .where(eq(bids.id, id))
    .returning();
  if (!row) throw new Error("update returned no row");
  return row;
}

export async function setBidStatus(
  db: Db,
  id: string,
  status: BidStatus,
  updatedAt: Date,
): Promise<Bid> {
  const [row] = await db.update(bids).set({ status, updatedAt }).where(eq(bids.id, id)).returning();
  if (!row) throw new Error("update returned no row");
  return row;
}

const standing = (row: Record<string, unknown>, prefix: string): CarrierStanding => ({
  id: String(row[`${prefix}id`]),
  status: row[`${prefix}status`] as CarrierStanding["status"],
  modes: row[`${prefix}modes`] as Mode[],
  qualifications: row[`${prefix}qualifications`] as CarrierStanding["qualifications"],
});

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
 * A bidding carrier's standing and named vehicles, with the load locked FOR SHARE and the
 * database clock, in one round trip. Undefined when there is no such carrier.
 */
export async function carrierAndLoadForBidding(
  db: Db,
  carrierId: string,
  loadId: string,
  vehicleIds: readonly string[],
): Promise<
  { carrier: CarrierStanding; fleet: FleetUnit[]; load: Load | undefined; dbNow: Date } | undefined
> {
  const [row] = await sqlOf(db).unsafe(CARRIER_AND_LOAD, [carrierId, loadId, [...vehicleIds]], {
    prepare: true,
  });
  if (!row) return undefined;
  return {
    carrier: standing(row, "c_"),
    fleet: row.c_fleet as FleetUnit[],
    load: row.id === null || row.id === undefined ? undefined : loadRows.map(row),
    dbNow: new Date(Number(row.db_now_ms)),
  };
}

const STANDING = `select id, status, modes, qualifications from organizations
  where id = $1 and kind = 'carrier'`;

export async function carrierStanding(
  db: Db,
  carrierId: string,
): Promise<CarrierStanding | undefined> {
  const [row] = await sqlOf(db).unsafe(STANDING, [carrierId], { prepare: true });
  return row ? standing(row, "") : undefined;
}

export async function carrierHasBid(db: Db, loadId: string, carrierId: string): Promise<boolean> {
  const [row] = await sqlOf(db).unsafe(
    "select 1 from bids where load_id = $1 and carrier_id = $2 limit 1",
    [loadId, carrierId],
    { prepare: true },
  );
  return row !== undefined;
}

/** What a bid or a waybill takes from a carrier's own route quote: its ends, weight, first route. */
export interface QuoteSummary {
  from: string | null;
  to: string | null;
  weightKg: number | null;
  /** The quote's first route as stored (`routing/describe.ts` Route). */
  route: unknown;
  factorTable: string | null;
}

/** A carrier's own route quote, if it has that quote. */
export async function quoteSummary(
  db: Db,
  quoteId: string,
  orgId: string,
): Promise<QuoteSummary | undefined> {
  const [quote] = await sqlOf(db).unsafe(
    `select request->>'from' as "from", request->>'to' as "to",
            (request->'cargo'->>'weightKg')::float8 as weight_kg,
            (result->'routes'->0)::text as route,
            result->'emissionFactors'->>'version' as factor_table
       from route_quotes where id = $1 and org_id = $2`,
    [quoteId, orgId],
    { prepare: true },
  );
  if (!quote) return undefined;
  return {
    from: quote.from as string | null,
    to: quote.to as string | null,
    weightKg: quote.weight_kg === null ? null : Number(quote.weight_kg),
    route: quote.route === null ? null : JSON.parse(String(quote.route)),
    factorTable: quote.factor_table as string | null,
  };
}

const LOAD_COPY_COLUMNS = [
  "id",
  "shipper_id",
  "status",
  "origin",
  "destination",
  "origin_hub",
  "destination_hub",
  "cargo",
  "weight_kg",
  "volume_m3",
  "dg_class",
  "pickup_from",
  "pickup_to",
  "deliver_by",
  "modes",
  "reserve_amount",
  "reserve_currency",
  "bidding_closes_at",
  "award_rule",
  "awarded_bid_id",
  "closed_at",
  "cancel_reason",
  "created_at",
  "updated_at",
  "version",
] as const;

/** Bulk-loads loads (sample data), rows in LOAD_COPY_COLUMNS order. */
export function copyLoads(client: Sql, text: CopyText): Promise<void> {
  return copyText(client, "loads", LOAD_COPY_COLUMNS, text);
}

const BID_COPY_COLUMNS = [
  "id",
  "load_id",
  "carrier_id",
  "status",
  "revision",
  "amount",
  "currency",
  "mode",
  "legs",
  "quote_id",
  "vehicle_ids",
  "pickup_at",
  "delivery_at",
  "valid_until",
  "co2e_kg",
  "created_at",
  "updated_at",
] as const;

/** Bulk-loads bids (sample data), rows in BID_COPY_COLUMNS order. */
export function copyBids(client: Sql, text: CopyText): Promise<void> {
  return copyText(client, "bids", BID_COPY_COLUMNS, text);
}

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
import { composedAuditParams, composedAuditSql, type NewAuditEntry } from "./audit";
import { type CopyText, copyText } from "./copy";
import { feedInsertSql, type NewFeedEvent } from "./feed";
import { committedResultSql } from "./idempotency";
import { tableStatements } from "./statements";
import { deliveriesInsertSql } from "./webhooks";

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

const CARRIER_BID = `select ${bidRows.columns} from bids
  where id = $1 and load_id = $2 and carrier_id = $3 for update`;

/** A carrier's bid on a load, locked FOR UPDATE for the rest of the caller's transaction. */
export async function lockCarrierBid(
  db: Db,
  params: { id: string; loadId: string; carrierId: string },
): Promise<Bid | undefined> {
  const [row] = await sqlOf(db).unsafe(CARRIER_BID, [params.id, params.loadId, params.carrierId], {
    prepare: true,
  });
  return row ? bidRows.map(row) : undefined;
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

// The carrier (with the named vehicles) and the load, locked FOR SHARE or as last committed,
// in one statement; with the load's row version (xmin, new with every update of the row) and
// its shipper's active webhooks, for a write that is to find the load unchanged.
const carrierAndLoadText = (lock: boolean) => `with l as (
    select *, xmin::text as l_row_version from loads where id = $2${lock ? " for share" : ""}
  )
  select c.id as c_id, c.status as c_status, c.modes as c_modes,
    c.qualifications as c_qualifications,
    (select coalesce(json_agg(json_build_object('id', v.id, 'carrierId', v.carrier_id,
      'mode', v.mode, 'capacityKg', v.capacity_kg, 'capacityM3', v.capacity_m3)), '[]'::json)
     from vehicles v where v.id = any($3::text[])) as c_fleet,
    (select coalesce(json_agg(w.id), '[]'::json) from webhooks w
     where w.org_id = l.shipper_id and w.disabled_at is null) as l_hooks,
    l.*, (extract(epoch from now()) * 1000)::float8 as db_now_ms
  from organizations c left join l on true
  where c.id = $1 and c.kind = 'carrier'`;
const CARRIER_AND_LOCKED_LOAD = carrierAndLoadText(true);
const CARRIER_AND_LOAD = carrierAndLoadText(false);

/** A load as a bidding carrier read it: its row, and what a write after the read checks. */
export interface LoadForBidding {
  load: Load;
  /** The row's version when read: `insertBidAtOnce` writes only while it is unchanged. */
  rowVersion: string;
  /** The shipper's active webhooks when read. */
  shipperHooks: string[];
}

/**
 * A bidding carrier's standing and named vehicles, with the load (locked FOR SHARE when
 * `lock`, for the rest of the caller's transaction) and the database clock, in one round
 * trip. Undefined when there is no such carrier.
 */
export async function carrierAndLoadForBidding(
  db: Db,
  carrierId: string,
  loadId: string,
  vehicleIds: readonly string[],
  opts: { lock: boolean } = { lock: true },
): Promise<
  | {
      carrier: CarrierStanding;
      fleet: FleetUnit[];
      load: LoadForBidding | undefined;
      dbNow: Date;
    }
  | undefined
> {
  const [row] = await sqlOf(db).unsafe(
    opts.lock ? CARRIER_AND_LOCKED_LOAD : CARRIER_AND_LOAD,
    [carrierId, loadId, [...vehicleIds]],
    { prepare: true },
  );
  if (!row) return undefined;
  return {
    carrier: standing(row, "c_"),
    fleet: row.c_fleet as FleetUnit[],
    load:
      row.id === null || row.id === undefined
        ? undefined
        : {
            load: loadRows.map(row),
            rowVersion: String(row.l_row_version),
            shipperHooks: row.l_hooks as string[],
          },
    dbNow: new Date(Number(row.db_now_ms)),
  };
}

// A bid with its audit entry, the shipper's feed event, its webhook deliveries and the
// request's idempotent result, in one statement, written only while the load is still the row
// that was read (same xmin), open, and bidding open by the database clock. It takes the load
// FOR SHARE like the transactional path, so award, cancel and amend wait for it.
const PLACE_BID = `
  with l as (
    select id from loads
    where id = $2 and xmin = $16::xid and status = 'open' and bidding_closes_at > now()
    for share
  ), b as (
    insert into bids (id, load_id, carrier_id, amount, currency, mode, legs, quote_id,
      vehicle_ids, pickup_at, delivery_at, valid_until, co2e_kg, created_at, updated_at)
    select $1, l.id, $3, $4::numeric, $5, $6, $7::jsonb, $8, $9::text[], $10::timestamptz,
      $11::timestamptz, $12::timestamptz, $13::float8, $14::timestamptz, $15::timestamptz
    from l
    returning id
  ), a as (
    ${composedAuditSql("b", 17)}
  ), f as (
    ${feedInsertSql("b", {
      orgId: "$25",
      type: "$26",
      entityType: "$27",
      entityId: "b.id",
      data: "$28",
      createdAt: "$29",
    })}
  ), d as (
    ${deliveriesInsertSql(
      `f cross join unnest($30::text[], $31::text[]) as h(id, webhook_id)
      join webhooks w on w.id = h.webhook_id and w.disabled_at is null`,
      { id: "h.id", webhookId: "h.webhook_id", feedSeq: "f.seq", createdAt: "$29" },
    )}
  ), k as (
    ${committedResultSql({
      orgId: "$32",
      key: "$33",
      body: "$34",
      when: "exists (select 1 from b)",
    })}
  )
  select b.id, (select coalesce(json_agg(d.id), '[]'::json) from d) as delivery_ids from b`;

/**
 * Places a bid in one statement (one round trip, its own transaction): see PLACE_BID.
 * Undefined when the load changed since `seen` was read, closed, or bidding closed: the
 * caller then takes the transactional path, which names the reason. A second live bid of the
 * carrier on the load fails on the unique index, as `insertBid` does.
 */
export async function insertBidAtOnce(
  db: Db,
  params: {
    bid: NewBid & { createdAt: Date; updatedAt: Date };
    seen: Pick<LoadForBidding, "rowVersion">;
    audit: Omit<NewAuditEntry, "entityId">;
    feed: Omit<NewFeedEvent, "entityId" | "createdAt">;
    /** Delivery ids for the shipper's webhooks, as read with the load; inactive ones are skipped. */
    deliveries: { id: string; webhookId: string }[];
    idempotency: { orgId: string; key: string; body: unknown } | null;
  },
): Promise<{ bid: Bid; deliveryIds: string[] } | undefined> {
  const { bid: b, audit: a, feed: f } = params;
  const [row] = await sqlOf(db).unsafe(
    PLACE_BID,
    [
      b.id,
      b.loadId,
      b.carrierId,
      String(b.amount),
      b.currency,
      b.mode,
      b.legs ? JSON.stringify(b.legs) : null,
      b.quoteId ?? null,
      [...b.vehicleIds],
      b.pickupAt.toISOString(),
      b.deliveryAt.toISOString(),
      b.validUntil.toISOString(),
      b.co2eKg,
      b.createdAt.toISOString(),
      b.updatedAt.toISOString(),
      params.seen.rowVersion,
      ...composedAuditParams(a),
      f.orgId,
      f.type,
      f.entityType,
      JSON.stringify(f.data),
      b.createdAt.toISOString(),
      params.deliveries.map((d) => d.id),
      params.deliveries.map((d) => d.webhookId),
      params.idempotency?.orgId ?? null,
      params.idempotency?.key ?? null,
      params.idempotency ? JSON.stringify(params.idempotency.body) : null,
    ] as never[],
    { prepare: true },
  );
  if (!row) return undefined;
  // The row as inserted: the values given and the table's defaults for a new bid.
  const bid: Bid = {
    ...b,
    legs: b.legs ?? null,
    quoteId: b.quoteId ?? null,
    status: "live",
    revision: 1,
  };
  return { bid, deliveryIds: row.delivery_ids as string[] };
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

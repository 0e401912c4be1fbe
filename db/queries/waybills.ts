import { and, eq, getTableColumns, isNull, type SQL, sql } from "drizzle-orm";
import { type Db, type Sql, sqlOf } from "../client";
import {
  type CarrierRegistration,
  type Waybill,
  type WaybillEvent,
  type WaybillLeg,
  type WaybillState,
  waybillEvents,
  waybillLegs,
  waybills,
} from "../schema";
import { type CopyText, copyText } from "./copy";
import { tableStatements } from "./statements";

/**
 * The one way into `waybills`, `waybill_legs`, `waybill_events` and the waybill number
 * sequence: every write of them is a function here.
 */

export type NewWaybill = Omit<typeof waybills.$inferInsert, "version">;
/** A waybill this node issues: its carriers' registrations are read where it is inserted. */
type IssuedWaybill = Omit<NewWaybill, "carrierRegistration" | "homeNode">;
export type NewWaybillLeg = Omit<typeof waybillLegs.$inferInsert, "waybillNumber" | "seq">;
type IssuedLeg = Omit<NewWaybillLeg, "carrierRegistration">;
/** Every event enters signed by the node that recorded it (core/waybills/integrity.ts). */
export type NewWaybillEvent = Omit<
  typeof waybillEvents.$inferInsert,
  "id" | "recordedBy" | "signatureKid" | "signature"
> & {
  recordedBy: string;
  signatureKid: string;
  signature: string;
};

/** The next number of the node's waybill sequence, with the year (UTC) it is drawn in. */
export async function drawWaybillNumber(db: Db): Promise<{ seq: number; year: number }> {
  const [next] = await db.execute<{ seq: string; year: number }>(
    sql`select nextval('waybill_number_seq')::text as seq,
               extract(year from now() at time zone 'UTC')::int as year`,
  );
  if (!next) throw new Error("sequence returned no row");
  return { seq: Number(next.seq), year: Number(next.year) };
}

/**
 * The registration of organisation `orgId` as a waybill carries it, read inside the insert
 * (no round trip of its own); null for an organisation without one or not held here.
 */
function registrationOf(orgId: string): SQL<CarrierRegistration | null> {
  return sql`(select jsonb_build_object('country', o.country,
                       'number', coalesce(o.credit_code, o.registration_number))
                from organizations o
               where o.id = ${orgId}
                 and coalesce(o.credit_code, o.registration_number) is not null)`;
}

export async function insertWaybill(db: Db, values: IssuedWaybill): Promise<Waybill> {
  const [row] = await db
    .insert(waybills)
    .values({ ...values, carrierRegistration: registrationOf(values.carrierId) })
    .returning();
  if (!row) throw new Error("insert returned no row");
  return row;
}

/** A waybill's legs, numbered from 1 in the order given. */
export function insertWaybillLegs(
  db: Db,
  number: string,
  legs: readonly IssuedLeg[],
): Promise<WaybillLeg[]> {
  return db
    .insert(waybillLegs)
    .values(
      legs.map((l, i) => ({
        ...l,
        waybillNumber: number,
        seq: i + 1,
        carrierRegistration: registrationOf(l.carrierId),
      })),
    )
    .returning();
}

export async function insertWaybillEvent(db: Db, values: NewWaybillEvent): Promise<WaybillEvent> {
  const [row] = await db.insert(waybillEvents).values(values).returning();
  if (!row) throw new Error("insert returned no row");
  return row;
}

export async function setWaybillStatus(
  db: Db,
  number: string,
  status: WaybillState,
  updatedAt: Date,
): Promise<void> {
  await db
    .update(waybills)
    .set({ status, updatedAt, version: sql`${waybills.version} + 1` })
    .where(eq(waybills.number, number));
}

/** Several waybills' new statuses in one statement, each bumping its version once. */
export async function setWaybillStatuses(
  db: Db,
  changes: readonly { number: string; status: WaybillState }[],
  updatedAt: Date,
): Promise<void> {
  if (changes.length === 0) return;
  await sqlOf(db).unsafe(
    SET_STATUSES,
    [changes.map((c) => c.number), changes.map((c) => c.status), updatedAt.toISOString()],
    { prepare: true },
  );
}

const SET_STATUSES = `
  update waybills w set status = c.status, updated_at = $3::timestamptz, version = w.version + 1
  from unnest($1::text[], $2::text[]) as c(number, status)
  where w.number = c.number`;

const WAYBILLS = tableStatements(waybills);
const LEGS = tableStatements(waybillLegs);
const LOCK_WAYBILLS = `select ${WAYBILLS.columns} from waybills
  where number = any($1::text[]) order by number for update`;
const LEGS_OF = `select ${LEGS.columns} from waybill_legs
  where waybill_number = any($1::text[]) order by waybill_number, seq`;
// Epoch milliseconds: a plain number, whatever parser the client has for timestamps.
const LATEST_OF = `select waybill_number,
    (extract(epoch from max(occurred_at)) * 1000)::float8 as at_ms
  from waybill_events where waybill_number = any($1::text[]) group by waybill_number`;

export interface LockedWaybills {
  waybills: Waybill[];
  legs: WaybillLeg[];
  /** The latest occurrence among each waybill's events; a waybill with none is absent. */
  latest: Map<string, Date>;
}

/**
 * Locks these waybills to the end of the caller's transaction, in number order (two callers
 * cannot deadlock), and reads their legs and latest event: three statements sent together,
 * the reads in line behind the lock, so they see what it guards.
 */
export async function lockWaybills(db: Db, numbers: readonly string[]): Promise<LockedWaybills> {
  if (numbers.length === 0) return { waybills: [], legs: [], latest: new Map() };
  const client = sqlOf(db);
  const params = [[...numbers]] as never[];
  // `execute` sends each now, in this order (awaiting alone would not fix the order).
  const queries = [LOCK_WAYBILLS, LEGS_OF, LATEST_OF].map((text) =>
    client.unsafe(text, params, { prepare: true }).execute(),
  );
  const [locked = [], legs = [], latest = []] = await Promise.all(queries);
  return {
    waybills: locked.map((r) => WAYBILLS.map(r)),
    legs: legs.map((r) => LEGS.map(r)),
    latest: new Map(latest.map((r) => [String(r.waybill_number), new Date(Number(r.at_ms))])),
  };
}

/** Every event of these waybills. */
export function selectEventsOf(db: Db, numbers: readonly string[]): Promise<WaybillEvent[]> {
  return db
    .select()
    .from(waybillEvents)
    .where(sql`${waybillEvents.waybillNumber} = any(${sql.param([...numbers])}::text[])`);
}

/** Marks a leg as raised overdue, once: a leg already marked keeps its first time. */
export async function markLegOverdueRaised(db: Db, number: string, seq: number): Promise<void> {
  await db
    .update(waybillLegs)
    .set({ overdueRaisedAt: sql`now()` })
    .where(
      and(
        eq(waybillLegs.waybillNumber, number),
        eq(waybillLegs.seq, seq),
        isNull(waybillLegs.overdueRaisedAt),
      ),
    );
}

/**
 * A partner's waybill as received: inserted, or its fields replaced when it was received
 * before. Only a replica is ever replaced (never a waybill this node issued).
 */
export async function upsertReplicaWaybill(
  db: Db,
  values: NewWaybill & { homeNode: string },
): Promise<{ waybill: Waybill; inserted: boolean } | undefined> {
  const { number: _number, createdAt: _createdAt, ...rest } = values;
  const [row] = await db
    .insert(waybills)
    .values(values)
    .onConflictDoUpdate({
      target: waybills.number,
      set: { ...rest, version: sql`${waybills.version} + 1` },
      // Only a replica of the same home node is replaced: never this node's own waybill.
      setWhere: sql`${waybills.homeNode} = excluded.home_node`,
    })
    // A row version never updated (xmax 0) is the one this statement inserted.
    .returning({ ...getTableColumns(waybills), inserted: sql<boolean>`(xmax = 0)` });
  if (!row) return undefined;
  const { inserted, ...waybill } = row;
  return { waybill, inserted };
}

/** A replica's legs, replaced by those received; returns them as now held. */
export async function replaceReplicaLegs(
  db: Db,
  number: string,
  legs: readonly (NewWaybillLeg & { seq: number })[],
): Promise<WaybillLeg[]> {
  await db.delete(waybillLegs).where(eq(waybillLegs.waybillNumber, number));
  if (legs.length === 0) return [];
  return db
    .insert(waybillLegs)
    .values(legs.map((l) => ({ ...l, waybillNumber: number })))
    .returning();
}

/** A partner's event as received: its recorder's signature, when shared, kept unchanged. */
export type ReceivedWaybillEvent = Omit<typeof waybillEvents.$inferInsert, "id">;

const EVENTS = tableStatements(waybillEvents);
const RECEIVED_COLUMNS = [
  ["waybill_number", "text"],
  ["type", "text"],
  ["occurred_at", "timestamptz"],
  ["location", "jsonb"],
  ["details", "jsonb"],
  ["fingerprint", "text"],
  ["reported_by", "text"],
  ["recorded_at", "timestamptz"],
  ["recorded_by", "text"],
  ["signature_kid", "text"],
  ["signature", "text"],
] as const;
// Parallel text arrays, inserted in the order given (ids follow it), whatever their number.
const INSERT_RECEIVED = `
  insert into waybill_events (${RECEIVED_COLUMNS.map(([c]) => c).join(", ")})
  select ${RECEIVED_COLUMNS.map(([c, type]) => `e.${c}::${type}`).join(", ")}
  from unnest(${RECEIVED_COLUMNS.map((_, i) => `$${i + 1}::text[]`).join(", ")})
    with ordinality as e(${RECEIVED_COLUMNS.map(([c]) => c).join(", ")}, ord)
  order by e.ord
  on conflict do nothing
  returning ${EVENTS.columns}`;

const receivedColumns = (e: ReceivedWaybillEvent): (string | null)[] => [
  e.waybillNumber,
  e.type,
  e.occurredAt.toISOString(),
  e.location ? JSON.stringify(e.location) : null,
  JSON.stringify(e.details ?? {}),
  e.fingerprint,
  e.reportedBy ?? null,
  (e.recordedAt ?? new Date()).toISOString(),
  e.recordedBy ?? null,
  e.signatureKid ?? null,
  e.signature ?? null,
];

/**
 * Events received from partners, in one statement: returns those inserted, leaving out any
 * the waybill holds already (by fingerprint).
 */
export async function insertReceivedEvents(
  db: Db,
  events: readonly ReceivedWaybillEvent[],
): Promise<WaybillEvent[]> {
  if (events.length === 0) return [];
  const rows = events.map(receivedColumns);
  const params = RECEIVED_COLUMNS.map((_, i) => rows.map((r) => r[i] ?? null));
  const inserted = await sqlOf(db).unsafe(INSERT_RECEIVED, params as never[], { prepare: true });
  return inserted.map((r) => EVENTS.map(r));
}

const WAYBILL_COPY_COLUMNS = [
  "number",
  "load_id",
  "bid_id",
  "shipper_id",
  "carrier_id",
  "origin",
  "destination",
  "cargo",
  "price_amount",
  "price_currency",
  "points",
  "status",
  "home_node",
  "created_at",
  "updated_at",
  "version",
] as const;

/** Bulk-loads waybills (sample data), rows in WAYBILL_COPY_COLUMNS order. */
export function copyWaybills(client: Sql, text: CopyText): Promise<void> {
  return copyText(client, "waybills", WAYBILL_COPY_COLUMNS, text);
}

const WAYBILL_LEG_COPY_COLUMNS = [
  "waybill_number",
  "seq",
  "mode",
  "carrier_id",
  "from",
  "to",
  "planned_departure",
  "planned_arrival",
  "overdue_raised_at",
] as const;

/** Bulk-loads waybill legs (sample data), rows in WAYBILL_LEG_COPY_COLUMNS order. */
export function copyWaybillLegs(client: Sql, text: CopyText): Promise<void> {
  return copyText(
    client,
    "waybill_legs",
    WAYBILL_LEG_COPY_COLUMNS.map((c) => `"${c}"`),
    text,
  );
}

const WAYBILL_EVENT_COPY_COLUMNS = [
  "waybill_number",
  "type",
  "occurred_at",
  "location",
  "details",
  "fingerprint",
  "reported_by",
  "recorded_at",
  "recorded_by",
  "signature_kid",
  "signature",
] as const;

/** Bulk-loads waybill events (sample data), rows in WAYBILL_EVENT_COPY_COLUMNS order. */
export function copyWaybillEvents(client: Sql, text: CopyText): Promise<void> {
  return copyText(client, "waybill_events", WAYBILL_EVENT_COPY_COLUMNS, text);
}

/**
 * Reserves `count` numbers of the waybill sequence in one statement and returns the first:
 * seeded waybills take them, and the node's next waybill follows them.
 */
export async function reserveWaybillNumbers(client: Sql, count: number): Promise<number> {
  const [row] = await client<{ first: string }[]>`
    select (setval('waybill_number_seq', nextval('waybill_number_seq') + ${count} - 1) - ${count} + 1)::text as first`;
  if (!row) throw new Error("sequence returned no row");
  return Number(row.first);
}

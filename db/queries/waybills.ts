import { and, eq, getTableColumns, isNull, sql } from "drizzle-orm";
import type { Db, Sql } from "../client";
import {
  type Waybill,
  type WaybillEvent,
  type WaybillLeg,
  type WaybillState,
  waybillEvents,
  waybillLegs,
  waybills,
} from "../schema";
import { type CopyText, copyText } from "./copy";

/**
 * The one way into `waybills`, `waybill_legs`, `waybill_events` and the waybill number
 * sequence: every write of them is a function here.
 */

export type NewWaybill = Omit<typeof waybills.$inferInsert, "version">;
export type NewWaybillLeg = Omit<typeof waybillLegs.$inferInsert, "waybillNumber" | "seq">;
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

export async function insertWaybill(db: Db, values: NewWaybill): Promise<Waybill> {
  const [row] = await db.insert(waybills).values(values).returning();
  if (!row) throw new Error("insert returned no row");
  return row;
}

/** A waybill's legs, numbered from 1 in the order given. */
export function insertWaybillLegs(
  db: Db,
  number: string,
  legs: readonly NewWaybillLeg[],
): Promise<WaybillLeg[]> {
  return db
    .insert(waybillLegs)
    .values(legs.map((l, i) => ({ ...l, waybillNumber: number, seq: i + 1 })))
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

/** A replica's legs, replaced by those received. */
export async function replaceReplicaLegs(
  db: Db,
  number: string,
  legs: readonly (NewWaybillLeg & { seq: number })[],
): Promise<void> {
  await db.delete(waybillLegs).where(eq(waybillLegs.waybillNumber, number));
  if (legs.length === 0) return;
  await db.insert(waybillLegs).values(legs.map((l) => ({ ...l, waybillNumber: number })));
}

/** An event received from a partner; undefined when the waybill holds it already. */
/** A partner's event as received: its recorder's signature, when shared, kept unchanged. */
export type ReceivedWaybillEvent = Omit<typeof waybillEvents.$inferInsert, "id">;

export async function insertReceivedEvent(
  db: Db,
  values: ReceivedWaybillEvent,
): Promise<WaybillEvent | undefined> {
  const [row] = await db.insert(waybillEvents).values(values).onConflictDoNothing().returning();
  return row;
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

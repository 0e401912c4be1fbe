import { and, eq, getTableColumns, isNull, type SQL, sql } from "drizzle-orm";
import type { Db } from "../client";
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

import { relations, sql } from "drizzle-orm";
import {
  bigint,
  check,
  index,
  integer,
  jsonb,
  numeric,
  pgSequence,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import type { FieldClassification } from "./classification";
import { timestamps, tsz, version } from "./columns";
import { bids, type Cargo, loads, type Place } from "./marketplace";
import type { Mode } from "./participants";

export const WAYBILL_STATES = [
  "created",
  "picked_up",
  "in_transit",
  "at_border",
  "cleared",
  "transshipped",
  "delivered",
  "pod_confirmed",
  "exception",
  "cancelled",
] as const;
export type WaybillState = (typeof WAYBILL_STATES)[number];

/** Where a journey changes hands or jurisdiction: a border, or a gauge/mode change. */
export interface HandoverPoint {
  kind: "border_crossing" | "transshipment";
  afterLeg: number;
  place: Place;
  note?: string;
  /** The network's crossing (`X-…`), when the point comes from a routing quote. */
  crossing?: string;
}

/** A leg's figures as the routing quote it came from gave them (cost in the quote's currency). */
export interface LegFigures {
  linkId: string;
  distanceKm: number;
  durationHours: number;
  waitHours: number;
  cost: number;
  currency: string;
  co2eKg: number;
  vehicles: number;
  vehicleUnit: string;
  crossing?: string;
  gauge?: number;
}

/** The routing quote a waybill follows, and that route's totals. */
export interface WaybillRoute {
  quoteId: string;
  /** The route's index among the quote's routes. */
  route: number;
  distanceKm: number;
  durationHours: number;
  cost: number;
  currency: string;
  co2eKg: number;
  /** The emission factor table the CO2e figures come from. */
  factorTable: string;
}

const inList = (column: string, values: readonly string[]) =>
  sql.raw(`${column} in (${values.map((v) => `'${v}'`).join(", ")})`);

/**
 * A carrier's registration in its country: the unified social credit code of a Chinese
 * organisation, the BIN (or another country's number) otherwise. It names the same company
 * at every node, where organisation ids do not.
 */
export interface CarrierRegistration {
  country: string;
  number: string;
}

/** Feeds the sequence part of waybill numbers; never reused, gaps are harmless. */
export const waybillNumberSeq = pgSequence("waybill_number_seq", { startWith: 1, cache: 1 });

export const waybills = pgTable(
  "waybills",
  {
    number: text().primaryKey(),
    /** Unique: the second of two racing awards for one load cannot create a waybill. */
    loadId: text().references(() => loads.id),
    bidId: text().references(() => bids.id),
    // A replica names its home node's organisations, which this node does not hold: the
    // parties are checked by the verbs that issue a waybill, not by a foreign key.
    shipperId: text().notNull(),
    carrierId: text().notNull(),
    /** The carrier's registration as at issue; on a replica, as its home node shared it. */
    carrierRegistration: jsonb().$type<CarrierRegistration>(),
    origin: jsonb().$type<Place>().notNull(),
    destination: jsonb().$type<Place>().notNull(),
    /** Null only on a replica whose agreement stops below the field's class. */
    cargo: jsonb().$type<Cargo>(),
    priceAmount: numeric({ precision: 16, scale: 2, mode: "number" }),
    priceCurrency: text(),
    points: jsonb().$type<HandoverPoint[]>().notNull().default([]),
    /** The routing quote the waybill follows (an award of a bid citing one); null otherwise. */
    route: jsonb().$type<WaybillRoute>(),
    /** Derived from the event set on every append; kept for filtering and lists. */
    status: text().$type<WaybillState>().notNull().default("created"),
    /** The node that issued it: null for this node's own, a partner's code on a replica. */
    homeNode: text(),
    ...timestamps,
    ...version,
  },
  (t) => [
    check("waybills_status_check", inList("status", WAYBILL_STATES)),
    uniqueIndex("waybills_load_key").on(t.loadId),
    index("waybills_shipper_idx").on(t.shipperId, t.number),
    index("waybills_carrier_idx").on(t.carrierId, t.number),
  ],
);

export type Waybill = typeof waybills.$inferSelect;

export const waybillClasses: FieldClassification<Waybill> = {
  number: "public",
  loadId: "internal",
  bidId: "internal",
  shipperId: "public",
  carrierId: "public",
  carrierRegistration: "internal",
  origin: "public",
  destination: "public",
  cargo: "internal",
  priceAmount: "sensitive",
  priceCurrency: "sensitive",
  points: "public",
  route: "internal",
  status: "public",
  homeNode: "public",
  createdAt: "public",
  updatedAt: "internal",
  version: "internal",
};

export const waybillLegs = pgTable(
  "waybill_legs",
  {
    waybillNumber: text()
      .notNull()
      .references(() => waybills.number),
    seq: integer().notNull(),
    mode: text().$type<Mode>().notNull(),
    carrierId: text().notNull(),
    /** The leg carrier's registration as at issue; on a replica, as its home node shared it. */
    carrierRegistration: jsonb().$type<CarrierRegistration>(),
    from: jsonb().$type<Place>().notNull(),
    to: jsonb().$type<Place>().notNull(),
    plannedDeparture: tsz("planned_departure").notNull(),
    plannedArrival: tsz("planned_arrival").notNull(),
    /** From the routing quote the waybill follows; null when it follows none. */
    figures: jsonb().$type<LegFigures>(),
    /** Set when the overdue check raised an exception for this leg, so it is raised once. */
    overdueRaisedAt: tsz("overdue_raised_at"),
  },
  (t) => [
    primaryKey({ columns: [t.waybillNumber, t.seq] }),
    index("waybill_legs_due_idx").on(t.plannedArrival).where(sql`overdue_raised_at is null`),
    index("waybill_legs_carrier_idx").on(t.carrierId),
  ],
);

export type WaybillLeg = typeof waybillLegs.$inferSelect;

export const waybillLegClasses: FieldClassification<WaybillLeg> = {
  waybillNumber: "public",
  seq: "public",
  mode: "public",
  carrierId: "public",
  carrierRegistration: "internal",
  from: "public",
  to: "public",
  plannedDeparture: "public",
  plannedArrival: "public",
  figures: "internal",
  overdueRaisedAt: "internal",
};

export const waybillEvents = pgTable(
  "waybill_events",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    waybillNumber: text()
      .notNull()
      .references(() => waybills.number),
    type: text().$type<WaybillState>().notNull(),
    occurredAt: tsz("occurred_at").notNull(),
    location: jsonb().$type<Place>(),
    details: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    /** Canonical hash of type, time, location and details: the same event sent twice is one. */
    fingerprint: text().notNull(),
    reportedBy: text(),
    recordedAt: tsz("recorded_at").notNull().defaultNow(),
    /** The node that recorded the event (its code); it signs the event's canonical form. */
    recordedBy: text(),
    /** Which of that node's keys signed, and the Ed25519 signature (base64url). */
    signatureKid: text(),
    signature: text(),
  },
  (t) => [
    check("waybill_events_type_check", inList("type", WAYBILL_STATES)),
    uniqueIndex("waybill_events_fingerprint_key").on(t.waybillNumber, t.fingerprint),
    index("waybill_events_waybill_idx").on(t.waybillNumber, t.occurredAt),
  ],
);

export type WaybillEvent = typeof waybillEvents.$inferSelect;

export const waybillEventClasses: FieldClassification<WaybillEvent> = {
  id: "public",
  waybillNumber: "public",
  type: "public",
  occurredAt: "public",
  location: "public",
  details: "sensitive",
  fingerprint: "internal",
  reportedBy: "internal",
  recordedAt: "public",
  recordedBy: "internal",
  signatureKid: "internal",
  signature: "internal",
};

export const waybillsRelations = relations(waybills, ({ many, one }) => ({
  legs: many(waybillLegs),
  events: many(waybillEvents),
  load: one(loads, { fields: [waybills.loadId], references: [loads.id] }),
}));

export const waybillLegsRelations = relations(waybillLegs, ({ one }) => ({
  waybill: one(waybills, { fields: [waybillLegs.waybillNumber], references: [waybills.number] }),
}));

export const waybillEventsRelations = relations(waybillEvents, ({ one }) => ({
  waybill: one(waybills, { fields: [waybillEvents.waybillNumber], references: [waybills.number] }),
}));

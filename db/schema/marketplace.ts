import { relations, sql } from "drizzle-orm";
import {
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import type { FieldClassification } from "./classification";
import { timestamps, tsz, version } from "./columns";
import { type Mode, organizations } from "./participants";

export const LOAD_STATUSES = ["open", "awarded", "unawarded", "cancelled"] as const;
export type LoadStatus = (typeof LOAD_STATUSES)[number];
export const AWARD_RULES = ["manual", "lowest_price", "best_value"] as const;
export type AwardRule = (typeof AWARD_RULES)[number];
/** `live` is the one bid that counts; the others are history kept for the shipper and audit. */
export const BID_STATUSES = ["live", "withdrawn", "void", "awarded", "lost"] as const;
export type BidStatus = (typeof BID_STATUSES)[number];

/** A place: a hub of the routing network (with its coordinates), or a free address. */
export interface Place {
  hub?: string;
  address?: string;
  country?: string;
  lat: number;
  lon: number;
}

export interface Cargo {
  weightKg: number;
  volumeM3: number;
  packages: number;
  hsCode: string;
  description?: string;
  dangerousGoods?: { unNumber: string; class: string };
}

export interface Money {
  amount: number;
  currency: string;
}

export interface BidLeg {
  mode: Mode;
  from: Place;
  to: Place;
  departAt?: string;
  arriveAt?: string;
}

const inList = (column: string, values: readonly string[]) =>
  sql.raw(`${column} in (${values.map((v) => `'${v}'`).join(", ")})`);

const money = (name: string) => numeric(name, { precision: 16, scale: 2, mode: "number" });

export const loads = pgTable(
  "loads",
  {
    id: text().primaryKey(),
    shipperId: text()
      .notNull()
      .references(() => organizations.id),
    status: text().$type<LoadStatus>().notNull().default("open"),
    origin: jsonb().$type<Place>().notNull(),
    destination: jsonb().$type<Place>().notNull(),
    /** Hub codes copied out of the places so lists can filter on an index. */
    originHub: text(),
    destinationHub: text(),
    cargo: jsonb().$type<Cargo>().notNull(),
    weightKg: doublePrecision().notNull(),
    volumeM3: doublePrecision("volume_m3").notNull(),
    dgClass: text(),
    pickupFrom: tsz("pickup_from").notNull(),
    pickupTo: tsz("pickup_to").notNull(),
    deliverBy: tsz("deliver_by").notNull(),
    modes: text().array().$type<Mode[]>().notNull(),
    reserveAmount: money("reserve_amount"),
    reserveCurrency: text(),
    biddingClosesAt: tsz("bidding_closes_at").notNull(),
    awardRule: text().$type<AwardRule>().notNull(),
    /** Whether the shipper may award before `biddingClosesAt`; false keeps sealed bids sealed. */
    earlyAward: boolean().notNull().default(true),
    awardedBidId: text(),
    closedAt: tsz("closed_at"),
    cancelReason: text(),
    ...timestamps,
    ...version,
  },
  (t) => [
    check("loads_status_check", inList("status", LOAD_STATUSES)),
    check("loads_award_rule_check", inList("award_rule", AWARD_RULES)),
    check("loads_window_check", sql`pickup_from <= pickup_to and pickup_to <= deliver_by`),
    check("loads_closing_check", sql`bidding_closes_at <= pickup_from`),
    check("loads_awarded_check", sql`(status = 'awarded') = (awarded_bid_id is not null)`),
    index("loads_shipper_idx").on(t.shipperId, t.id),
    index("loads_status_idx").on(t.status, t.id),
    index("loads_open_closing_idx").on(t.biddingClosesAt).where(sql`status = 'open'`),
  ],
);

export type Load = typeof loads.$inferSelect;

export const loadClasses: FieldClassification<Load> = {
  id: "public",
  shipperId: "internal",
  status: "public",
  origin: "public",
  destination: "public",
  originHub: "public",
  destinationHub: "public",
  cargo: "internal",
  weightKg: "public",
  volumeM3: "public",
  dgClass: "public",
  pickupFrom: "public",
  pickupTo: "public",
  deliverBy: "public",
  modes: "public",
  reserveAmount: "sensitive",
  reserveCurrency: "sensitive",
  biddingClosesAt: "public",
  awardRule: "public",
  earlyAward: "public",
  awardedBidId: "internal",
  closedAt: "public",
  cancelReason: "internal",
  createdAt: "public",
  updatedAt: "internal",
  version: "internal",
};

export const bids = pgTable(
  "bids",
  {
    id: text().primaryKey(),
    loadId: text()
      .notNull()
      .references(() => loads.id),
    carrierId: text()
      .notNull()
      .references(() => organizations.id),
    status: text().$type<BidStatus>().notNull().default("live"),
    /** Bumped by each revision; the bid keeps its id, the audit log keeps every version. */
    revision: integer().notNull().default(1),
    amount: money("amount").notNull(),
    currency: text().notNull(),
    mode: text().$type<Mode>().notNull(),
    legs: jsonb().$type<BidLeg[]>(),
    quoteId: text(),
    vehicleIds: text().array().notNull(),
    pickupAt: tsz("pickup_at").notNull(),
    deliveryAt: tsz("delivery_at").notNull(),
    validUntil: tsz("valid_until").notNull(),
    /** Estimated tonne-km emissions for best-value ranking, kg CO2e. */
    co2eKg: doublePrecision().notNull(),
    ...timestamps,
  },
  (t) => [
    check("bids_status_check", inList("status", BID_STATUSES)),
    check("bids_times_check", sql`pickup_at < delivery_at`),
    check("bids_amount_check", sql`amount > 0`),
    // One live bid per carrier per load, whatever the concurrency.
    uniqueIndex("bids_one_live_key").on(t.loadId, t.carrierId).where(sql`status = 'live'`),
    index("bids_load_idx").on(t.loadId, t.id),
    index("bids_carrier_idx").on(t.carrierId, t.id),
  ],
);

export type Bid = typeof bids.$inferSelect;

export const bidClasses: FieldClassification<Bid> = {
  id: "public",
  loadId: "public",
  carrierId: "internal",
  status: "internal",
  revision: "internal",
  amount: "sensitive",
  currency: "sensitive",
  mode: "internal",
  legs: "internal",
  quoteId: "internal",
  vehicleIds: "internal",
  pickupAt: "internal",
  deliveryAt: "internal",
  validUntil: "internal",
  co2eKg: "internal",
  createdAt: "internal",
  updatedAt: "internal",
};

export const loadsRelations = relations(loads, ({ one, many }) => ({
  shipper: one(organizations, { fields: [loads.shipperId], references: [organizations.id] }),
  bids: many(bids),
}));

export const bidsRelations = relations(bids, ({ one }) => ({
  load: one(loads, { fields: [bids.loadId], references: [loads.id] }),
  carrier: one(organizations, { fields: [bids.carrierId], references: [organizations.id] }),
}));

import { sql } from "drizzle-orm";
import { bigint, customType, index, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import type { FieldClassification } from "./classification";
import { timestamps, tsz } from "./columns";
import { organizations } from "./participants";

/** PostgreSQL `xid8`, read as a decimal string (it is 64-bit). */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => "xid8" });

/**
 * Each organisation's event stream, written in the transaction that makes the change (an
 * outbox). Readers order by (txid, seq) and only see transactions older than every one still
 * running, so a late-committing writer can never slip in behind a reader's cursor.
 */
export const feedEvents = pgTable(
  "feed_events",
  {
    seq: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    txid: xid8().notNull().default(sql`pg_current_xact_id()`),
    orgId: text()
      .notNull()
      .references(() => organizations.id),
    type: text().notNull(),
    entityType: text().notNull(),
    entityId: text().notNull(),
    data: jsonb().$type<Record<string, unknown>>().notNull(),
    createdAt: tsz("created_at").notNull().defaultNow(),
  },
  (t) => [index("feed_events_org_idx").on(t.orgId, t.txid, t.seq)],
);

export type FeedEvent = typeof feedEvents.$inferSelect;

export const feedEventClasses: FieldClassification<FeedEvent> = {
  seq: "internal",
  txid: "internal",
  orgId: "internal",
  type: "internal",
  entityType: "internal",
  entityId: "internal",
  data: "sensitive",
  createdAt: "internal",
};

/** Where an organisation wants its feed pushed; deliveries are signed with `secret`. */
export const webhooks = pgTable(
  "webhooks",
  {
    id: text().primaryKey(),
    orgId: text()
      .notNull()
      .references(() => organizations.id),
    url: text().notNull(),
    /** `whsec_` + base64 key, as Standard Webhooks define it. */
    secret: text().notNull(),
    /** Feed position already handed to the delivery queue, as `txid:seq`. */
    cursor: text(),
    disabledAt: tsz("disabled_at"),
    ...timestamps,
  },
  (t) => [uniqueIndex("webhooks_org_url_key").on(t.orgId, t.url)],
);

export type Webhook = typeof webhooks.$inferSelect;

export const webhookClasses: FieldClassification<Webhook> = {
  id: "internal",
  orgId: "internal",
  url: "internal",
  secret: "sensitive",
  cursor: "internal",
  disabledAt: "internal",
  createdAt: "internal",
  updatedAt: "internal",
};

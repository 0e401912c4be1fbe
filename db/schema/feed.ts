import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";
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
    description: text(),
    /** `whsec_` + base64 key, as Standard Webhooks define it. */
    secret: text().notNull(),
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
  description: "internal",
  secret: "sensitive",
  disabledAt: "internal",
  createdAt: "internal",
  updatedAt: "internal",
};

export const WEBHOOK_DELIVERY_STATES = ["pending", "delivered", "failed"] as const;
export type WebhookDeliveryState = (typeof WEBHOOK_DELIVERY_STATES)[number];

/**
 * One feed event for one webhook, written with the event (same transaction), so a delivery
 * can be neither lost nor sent twice once it is `delivered`. Its id is the `webhook-id`
 * header, the same on every retry.
 */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: text().primaryKey(),
    webhookId: text()
      .notNull()
      .references(() => webhooks.id, { onDelete: "cascade" }),
    feedSeq: bigint({ mode: "number" })
      .notNull()
      .references(() => feedEvents.seq),
    status: text().$type<WebhookDeliveryState>().notNull().default("pending"),
    attempts: integer().notNull().default(0),
    lastAttemptAt: tsz("last_attempt_at"),
    lastResponseStatus: integer(),
    lastError: text(),
    deliveredAt: tsz("delivered_at"),
    createdAt: tsz("created_at").notNull().defaultNow(),
  },
  (t) => [
    check(
      "webhook_deliveries_status_check",
      sql.raw(`status in (${WEBHOOK_DELIVERY_STATES.map((v) => `'${v}'`).join(", ")})`),
    ),
    uniqueIndex("webhook_deliveries_event_key").on(t.webhookId, t.feedSeq),
    index("webhook_deliveries_pending_idx").on(t.createdAt).where(sql`status = 'pending'`),
  ],
);

export type WebhookDelivery = typeof webhookDeliveries.$inferSelect;

export const webhookDeliveryClasses: FieldClassification<WebhookDelivery> = {
  id: "internal",
  webhookId: "internal",
  feedSeq: "internal",
  status: "internal",
  attempts: "internal",
  lastAttemptAt: "internal",
  lastResponseStatus: "internal",
  lastError: "internal",
  deliveredAt: "internal",
  createdAt: "internal",
};

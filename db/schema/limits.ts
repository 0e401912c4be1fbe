import { doublePrecision, index, pgTable, text } from "drizzle-orm/pg-core";
import type { FieldClassification } from "./classification";
import { tsz } from "./columns";
import { apiKeys } from "./participants";

/**
 * One token bucket per limited subject (`org:…`, `addr:…`, `reg:…`), shared by every node
 * process on this database. `tokens` is the balance at `updated_at`; it refills at
 * `per_second` up to `capacity`, and may dip below zero when processes overspend between
 * reconciliations, so the debt is repaid before more is granted.
 */
export const rateLimitBuckets = pgTable("rate_limit_buckets", {
  bucket: text().primaryKey(),
  tokens: doublePrecision().notNull(),
  capacity: doublePrecision().notNull(),
  perSecond: doublePrecision().notNull(),
  updatedAt: tsz("updated_at").notNull().defaultNow(),
});

export type RateLimitBucket = typeof rateLimitBuckets.$inferSelect;

export const rateLimitBucketClasses: FieldClassification<RateLimitBucket> = {
  // Holds client addresses.
  bucket: "sensitive",
  tokens: "internal",
  capacity: "internal",
  perSecond: "internal",
  updatedAt: "internal",
};

/**
 * Signed-in sessions of the queue dashboard. Only the SHA-256 of the session id is stored;
 * a session ends at `expires_at` or when the admin key it was opened with is revoked.
 */
export const adminSessions = pgTable(
  "admin_sessions",
  {
    hash: text().primaryKey(),
    keyId: text()
      .notNull()
      .references(() => apiKeys.id),
    createdAt: tsz("created_at").notNull().defaultNow(),
    expiresAt: tsz("expires_at").notNull(),
  },
  (t) => [index("admin_sessions_expires_at_idx").on(t.expiresAt)],
);

export type AdminSession = typeof adminSessions.$inferSelect;

export const adminSessionClasses: FieldClassification<AdminSession> = {
  hash: "sensitive",
  keyId: "internal",
  createdAt: "internal",
  expiresAt: "internal",
};

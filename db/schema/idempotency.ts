import { bigint, index, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import type { FieldClassification } from "./classification";
import { tsz } from "./columns";
import { organizations } from "./participants";

/**
 * `in_flight` while the first request runs; `committed` once its write has committed (the
 * result is stored in that same transaction); `done` when the response has been stored.
 */
export const IDEMPOTENCY_STATES = ["in_flight", "committed", "done"] as const;

/**
 * One row per organisation and `Idempotency-Key`: the first request claims it, the response
 * is kept so a retry gets the same answer, for 24 hours. Secrets in a response (new API keys,
 * webhook secrets) are never kept: a replay answers without them.
 */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    orgId: text()
      .notNull()
      .references(() => organizations.id),
    key: text().notNull(),
    requestHash: text().notNull(),
    state: text().$type<(typeof IDEMPOTENCY_STATES)[number]>().notNull(),
    responseStatus: bigint({ mode: "number" }),
    responseBody: jsonb().$type<unknown>(),
    createdAt: tsz("created_at").notNull().defaultNow(),
    completedAt: tsz("completed_at"),
  },
  (t) => [
    uniqueIndex("idempotency_keys_org_key").on(t.orgId, t.key),
    // The housekeeping purge of expired keys.
    index("idempotency_keys_created_at_idx").on(t.createdAt),
  ],
);

export type IdempotencyKey = typeof idempotencyKeys.$inferSelect;

export const idempotencyKeyClasses: FieldClassification<IdempotencyKey> = {
  orgId: "internal",
  key: "internal",
  requestHash: "internal",
  state: "internal",
  responseStatus: "internal",
  responseBody: "sensitive",
  createdAt: "internal",
  completedAt: "internal",
};

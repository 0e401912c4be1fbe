import { bigint, index, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import type { FieldClassification } from "./classification";
import { tsz } from "./columns";

/**
 * Append-only, hash-chained trail of every change. `seq` is assigned under a lock as
 * previous + 1, so the chain has no gaps and never forks; a trigger refuses UPDATE/DELETE.
 */
export const auditLog = pgTable(
  "audit_log",
  {
    seq: bigint("seq", { mode: "number" }).primaryKey(),
    at: tsz("at").notNull(),
    actorOrgId: text("actor_org_id"),
    actorKind: text("actor_kind").notNull(),
    action: text("action").notNull(),
    entityType: text("entity_type").notNull(),
    entityId: text("entity_id").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull(),
    requestId: text("request_id"),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [index("audit_log_entity_idx").on(t.entityType, t.entityId)],
);

export type AuditEntry = typeof auditLog.$inferSelect;

export const auditLogClasses: FieldClassification<AuditEntry> = {
  seq: "internal",
  at: "internal",
  actorOrgId: "internal",
  actorKind: "internal",
  action: "internal",
  entityType: "internal",
  entityId: "internal",
  data: "sensitive",
  requestId: "internal",
  prevHash: "internal",
  hash: "internal",
};

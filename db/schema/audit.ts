import { sql } from "drizzle-orm";
import { bigint, index, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import type { FieldClassification } from "./classification";
import { tsz } from "./columns";

/**
 * Append-only, hash-chained trail of every change. A change inserts its entry in its own
 * transaction (no lock); the sealer then gives committed entries their place in the chain
 * (`seq` = previous + 1, `prevHash`, `hash`) one batch at a time under a lock, so the chain
 * has no gaps and never forks. A trigger refuses any other UPDATE, and every DELETE. Only
 * entries carrying the node's proof are chained, and signed checkpoints kept outside the
 * database anchor the chain against a superuser's edits.
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    seq: bigint("seq", { mode: "number" }).unique("audit_log_seq_key"),
    at: tsz("at").notNull(),
    actorOrgId: text("actor_org_id"),
    actorKind: text("actor_kind").notNull(),
    action: text("action").notNull(),
    entityType: text("entity_type").notNull(),
    entityId: text("entity_id").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull(),
    requestId: text("request_id"),
    /** The node's HMAC of the content, made as it wrote the entry (core/audit/proof.ts). */
    proof: text("proof"),
    prevHash: text("prev_hash"),
    hash: text("hash"),
  },
  (t) => [
    index("audit_log_entity_idx").on(t.entityType, t.entityId),
    index("audit_log_unsealed_idx").on(t.id).where(sql`${t.hash} is null`),
  ],
);

export type AuditEntry = typeof auditLog.$inferSelect;

export const auditLogClasses: FieldClassification<AuditEntry> = {
  id: "internal",
  seq: "internal",
  at: "internal",
  actorOrgId: "internal",
  actorKind: "internal",
  action: "internal",
  entityType: "internal",
  entityId: "internal",
  data: "sensitive",
  requestId: "internal",
  proof: "internal",
  prevHash: "internal",
  hash: "internal",
};

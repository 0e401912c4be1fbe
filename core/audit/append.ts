import { createHash } from "node:crypto";
import { type AuditContent, insertAuditEntries, type NewAuditEntry } from "../../db/queries/audit";
import type { Ctx, PendingAudit, TxState } from "../context";
import { auditProof, contentJson } from "./proof";

export const GENESIS_HASH = "0".repeat(64);

export interface ChainedFields extends AuditContent {
  seq: number;
}

export function entryHash(
  prevHash: string,
  entry: ChainedFields,
  json = contentJson(entry),
): string {
  // canonicalJson({ seq, ...content }) without encoding the content again: keys are sorted
  // and "seq" sorts after every content field, so it closes the object.
  return createHash("sha256")
    .update(prevHash)
    .update("\n")
    .update(`${json.slice(0, -1)},"seq":${JSON.stringify(entry.seq)}}`)
    .digest("hex");
}

/**
 * Records a change; it joins the hash chain when the surrounding transaction commits. Every
 * entry carries the node's proof (`auditProof`): the sealer chains nothing without one.
 */
export function recordAudit(ctx: Ctx, entry: PendingAudit): void {
  if (!ctx.tx) throw new Error("recordAudit must run inside withTransaction");
  // A JSON round trip now makes the hashed data equal to what jsonb gives back later.
  ctx.tx.audit.push({ ...entry, data: JSON.parse(JSON.stringify(entry.data)) });
}

/** Who, when and in which request: the columns every audit entry of this context shares. */
export function auditContext(ctx: Ctx): {
  at: Date;
  actorOrgId: string | null;
  actorKind: string;
  requestId: string | null;
} {
  return {
    at: new Date(ctx.clock.now().getTime()),
    actorOrgId: "orgId" in ctx.actor ? ctx.actor.orgId : null,
    actorKind: ctx.actor.kind === "system" ? `system:${ctx.actor.name}` : ctx.actor.kind,
    requestId: ctx.requestId ?? null,
  };
}

/** An entry of this context, with the node's proof of its content. */
export function auditEntry(
  ctx: Ctx,
  entry: PendingAudit,
  shared = auditContext(ctx),
): NewAuditEntry {
  const content = {
    ...shared,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    data: entry.data,
  };
  return { ...content, proof: auditProof(ctx.identity, content) };
}

/**
 * Inserts an entry at once, in the caller's transaction, for callers that send it together
 * with their own statements (pipelined) instead of at commit. The sealer chains it the same way.
 */
export async function appendAudit(ctx: Ctx, entry: PendingAudit): Promise<void> {
  const data = JSON.parse(JSON.stringify(entry.data)) as Record<string, unknown>;
  await insertAuditEntries(ctx.db, [auditEntry(ctx, { ...entry, data })]);
}

/**
 * Inserts the entries recorded in a transaction, as its last statement before COMMIT. They go
 * in unchained, without a lock: concurrent changes never wait on each other here; the sealer
 * gives each committed entry its place in the chain moments later.
 */
export async function flushRecordedAudit(ctx: Ctx & { tx: TxState }): Promise<void> {
  const pending = ctx.tx.audit.splice(0);
  const shared = auditContext(ctx);
  await insertAuditEntries(
    ctx.db,
    pending.map((p) => auditEntry(ctx, p, shared)),
  );
}

import { createHash } from "node:crypto";
import { desc, sql } from "drizzle-orm";
import { auditLog } from "../../db/schema";
import { canonicalJson } from "../canonical";
import { type Ctx, onBeforeCommit } from "../context";

export interface PendingAudit {
  action: string;
  entityType: string;
  entityId: string;
  data: Record<string, unknown>;
}

export const GENESIS_HASH = "0".repeat(64);
/** Advisory lock id serialising chain appends ("CARA" in ASCII). */
const AUDIT_LOCK = 0x43415241;

export interface ChainedFields {
  seq: number;
  at: Date;
  actorOrgId: string | null;
  actorKind: string;
  action: string;
  entityType: string;
  entityId: string;
  data: Record<string, unknown>;
  requestId: string | null;
}

export function entryHash(prevHash: string, entry: ChainedFields): string {
  return createHash("sha256")
    .update(prevHash)
    .update("\n")
    .update(
      canonicalJson({
        seq: entry.seq,
        at: entry.at,
        actorOrgId: entry.actorOrgId,
        actorKind: entry.actorKind,
        action: entry.action,
        entityType: entry.entityType,
        entityId: entry.entityId,
        data: entry.data,
        requestId: entry.requestId,
      }),
    )
    .digest("hex");
}

/** Records a change; it joins the hash chain when the surrounding transaction commits. */
export function recordAudit(ctx: Ctx, entry: PendingAudit): void {
  if (!ctx.tx) throw new Error("recordAudit must run inside withTransaction");
  // A JSON round trip now makes the hashed data equal to what jsonb gives back later.
  ctx.tx.audit.push({ ...entry, data: JSON.parse(JSON.stringify(entry.data)) });
}

onBeforeCommit(async (ctx) => {
  const pending = ctx.tx.audit.splice(0);
  await ctx.db.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK})`);
  const [head] = await ctx.db
    .select({ seq: auditLog.seq, hash: auditLog.hash })
    .from(auditLog)
    .orderBy(desc(auditLog.seq))
    .limit(1);
  let seq = head?.seq ?? 0;
  let prevHash = head?.hash ?? GENESIS_HASH;
  const at = new Date(ctx.clock.now().getTime());
  const actorOrgId = "orgId" in ctx.actor ? ctx.actor.orgId : null;
  const actorKind = ctx.actor.kind === "system" ? `system:${ctx.actor.name}` : ctx.actor.kind;
  const rows = pending.map((p) => {
    seq += 1;
    const fields: ChainedFields = {
      seq,
      at,
      actorOrgId,
      actorKind,
      action: p.action,
      entityType: p.entityType,
      entityId: p.entityId,
      data: p.data,
      requestId: ctx.requestId ?? null,
    };
    const hash = entryHash(prevHash, fields);
    const row = { ...fields, prevHash, hash };
    prevHash = hash;
    return row;
  });
  await ctx.db.insert(auditLog).values(rows);
});

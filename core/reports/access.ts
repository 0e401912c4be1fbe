import { and, desc, eq, lt } from "drizzle-orm";
import { auditLog } from "../../db/schema";
import { appendAudit } from "../audit/append";
import type { Ctx } from "../context";
import { ForbiddenError } from "../errors";

/** What a regulator read: the route, the record named in it, and the filters it used. */
export interface AccessRead {
  route: string;
  entityType: string;
  entityId: string;
  filters: Record<string, string>;
}

const ACCESS_READ = "access.read";

/**
 * Records a regulator's read in the audit trail (eFTI: platforms keep a record of what each
 * authority read), through the one writer of `audit_log`; it joins the hash chain like every
 * change. Reads by anyone else are not recorded.
 */
export async function recordAccess(ctx: Ctx, read: AccessRead): Promise<void> {
  if (ctx.actor.kind !== "regulator") return;
  await appendAudit(ctx, {
    action: ACCESS_READ,
    entityType: read.entityType,
    entityId: read.entityId,
    data: { route: read.route, filters: read.filters },
  });
}

/**
 * Records a partner node's read of this node's report parts (`GET /v1/federation/reports/…`):
 * the partner, not an organisation here, is who read; its own regulator's read is recorded at
 * the partner.
 */
export async function recordPartnerAccess(
  ctx: Ctx,
  partner: string,
  read: AccessRead,
): Promise<void> {
  await appendAudit(ctx, {
    action: ACCESS_READ,
    entityType: read.entityType,
    entityId: read.entityId,
    data: { route: read.route, filters: read.filters, partner },
  });
}

export interface AccessLogEntry {
  id: number;
  at: string;
  actorOrgId: string | null;
  /** The partner node that read, for reads over the federation protocol. */
  partner: string | null;
  route: string;
  entityType: string;
  entityId: string;
  filters: Record<string, string>;
  requestId: string | null;
}

/** `GET /v1/access-log`: regulators' reads, newest first (admins only). */
export async function listAccessLog(
  ctx: Ctx,
  input: { cursor?: string; limit: number; actorOrgId?: string },
): Promise<{ items: AccessLogEntry[]; nextCursor: string | null }> {
  if (ctx.actor.kind !== "admin" && ctx.actor.kind !== "system") {
    throw new ForbiddenError("only admins may list the access log");
  }
  const rows = await ctx.db
    .select()
    .from(auditLog)
    .where(
      and(
        eq(auditLog.action, ACCESS_READ),
        input.actorOrgId ? eq(auditLog.actorOrgId, input.actorOrgId) : undefined,
        input.cursor ? lt(auditLog.id, Number(input.cursor)) : undefined,
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      actorOrgId: r.actorOrgId,
      partner: typeof r.data.partner === "string" ? r.data.partner : null,
      route: String(r.data.route ?? ""),
      entityType: r.entityType,
      entityId: r.entityId,
      filters: (r.data.filters ?? {}) as Record<string, string>,
      requestId: r.requestId,
    })),
    nextCursor: rows.length > input.limit && last ? String(last.id) : null,
  };
}

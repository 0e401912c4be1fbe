import { and, asc, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { feedEvents } from "../../db/schema";
import { type Ctx, requireOrgActor } from "../context";
import { ValidationError } from "../errors";

/** A feed position: the writer's transaction id and the row's sequence, as `<txid>.<seq>`. */
export interface FeedCursor {
  txid: string;
  seq: number;
}

const CURSOR = /^([0-9]{1,20})\.([0-9]{1,18})$/;

export function parseFeedCursor(s: string, path = "since"): FeedCursor {
  const m = CURSOR.exec(s);
  if (!m?.[1] || !m[2])
    throw ValidationError.field(path, "malformed cursor; expected <txid>.<seq>");
  return { txid: m[1], seq: Number(m[2]) };
}

export const formatFeedCursor = (c: FeedCursor) => `${c.txid}.${c.seq}`;

export interface FeedEntry {
  cursor: string;
  type: string;
  entityType: string;
  entityId: string;
  data: Record<string, unknown>;
  createdAt: string;
}

/**
 * Events of one organisation after `since`, oldest first. Only rows of transactions older than
 * every transaction still running are returned; together with the (txid, seq) order this means
 * a cursor never skips an event that commits later.
 */
export async function readOrgFeed(
  db: Db,
  input: { orgId: string; since?: FeedCursor; limit: number },
): Promise<{ items: FeedEntry[]; nextCursor: string | null }> {
  const filters: SQL[] = [
    eq(feedEvents.orgId, input.orgId),
    sql`${feedEvents.txid} < pg_snapshot_xmin(pg_current_snapshot())`,
  ];
  if (input.since) {
    filters.push(
      sql`(${feedEvents.txid}, ${feedEvents.seq}) > (${input.since.txid}::xid8, ${input.since.seq})`,
    );
  }
  const rows = await db
    .select({
      seq: feedEvents.seq,
      txid: feedEvents.txid,
      type: feedEvents.type,
      entityType: feedEvents.entityType,
      entityId: feedEvents.entityId,
      data: feedEvents.data,
      createdAt: feedEvents.createdAt,
    })
    .from(feedEvents)
    .where(and(...filters))
    .orderBy(asc(feedEvents.txid), asc(feedEvents.seq))
    .limit(input.limit);
  const items = rows.map((r) => ({
    cursor: formatFeedCursor({ txid: r.txid, seq: r.seq }),
    type: r.type,
    entityType: r.entityType,
    entityId: r.entityId,
    data: r.data,
    createdAt: r.createdAt.toISOString(),
  }));
  const last = items.at(-1);
  return {
    items,
    nextCursor: last ? last.cursor : input.since ? formatFeedCursor(input.since) : null,
  };
}

/** `GET /v1/feed`: the acting organisation's own stream, never another's. */
export async function readFeed(
  ctx: Ctx,
  input: { since?: string; limit: number },
): Promise<{ items: FeedEntry[]; nextCursor: string | null }> {
  const actor = requireOrgActor(ctx);
  const since = input.since ? parseFeedCursor(input.since) : undefined;
  return readOrgFeed(ctx.db, { orgId: actor.orgId, since, limit: input.limit });
}

import { and, asc, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { FEED_EVENT_COLUMNS } from "../../db/queries/feed";
import { feedEvents } from "../../db/schema";
import { type Ctx, requireFeedCursors, requireOrgActor } from "../context";
import type { FeedCursors, FeedPosition } from "./cursor";

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
 * a cursor never skips an event that commits later. Positions leave sealed by `cursors`.
 */
async function readOrgFeed(
  db: Db,
  cursors: FeedCursors,
  input: { orgId: string; since?: FeedPosition; limit: number },
): Promise<{ items: FeedEntry[]; nextCursor: string | null }> {
  const seal = (p: FeedPosition) => cursors.seal(input.orgId, p);
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
    .select(FEED_EVENT_COLUMNS)
    .from(feedEvents)
    .where(and(...filters))
    .orderBy(asc(feedEvents.txid), asc(feedEvents.seq))
    .limit(input.limit);
  const items = rows.map((r) => ({
    cursor: seal({ txid: r.txid, seq: r.seq }),
    type: r.type,
    entityType: r.entityType,
    entityId: r.entityId,
    data: r.data,
    createdAt: r.createdAt.toISOString(),
  }));
  const last = items.at(-1);
  return {
    items,
    nextCursor: last ? last.cursor : input.since ? seal(input.since) : null,
  };
}

/** `GET /v1/feed`: the acting organisation's own stream, never another's. */
export async function readFeed(
  ctx: Ctx,
  input: { since?: string; limit: number },
): Promise<{ items: FeedEntry[]; nextCursor: string | null }> {
  const actor = requireOrgActor(ctx);
  const cursors = requireFeedCursors(ctx);
  const since = input.since ? cursors.open(actor.orgId, input.since) : undefined;
  return readOrgFeed(ctx.db, cursors, { orgId: actor.orgId, since, limit: input.limit });
}

import { sqlOf } from "../../db/client";
import { feedEvents } from "../../db/schema";
import type { Ctx } from "../context";
import { activeWebhooks, queueWebhookDeliveries } from "../webhooks/enqueue";

export const FEED_EVENT_TYPES = [
  "load.posted",
  "load.amended",
  "load.cancelled",
  "load.awarded",
  "load.unawarded",
  "bid.received",
  "bid.revised",
  "bid.withdrawn",
  "bid.won",
  "bid.lost",
  "bid.voided",
  "waybill.created",
  "waybill.status_changed",
] as const;
export type FeedEventType = (typeof FEED_EVENT_TYPES)[number];

export interface FeedItem {
  orgId: string;
  type: FeedEventType;
  entityType: string;
  entityId: string;
  data: Record<string, unknown>;
}

/**
 * Writes events to their organisations' feeds in the caller's transaction (the outbox), so a
 * change and its notification commit or roll back together; the same goes for the webhook
 * deliveries of each event.
 */
export async function emitFeed(
  ctx: Ctx & { tx: { afterCommit: (() => unknown)[] } },
  items: FeedItem[],
): Promise<void> {
  if (items.length === 0) return;
  const createdAt = ctx.clock.now();
  const written: { seq: number; orgId: string }[] = [];
  // Asked for at once, so it travels with the first insert instead of after the last.
  const hooks = activeWebhooks(
    ctx,
    items.map((i) => i.orgId),
  );
  hooks.catch(() => {}); // awaited below; if an insert fails first, its error is the one raised
  if (items.length === 1 && items[0]) {
    // The common case, on the hot path: one event, fixed SQL text.
    const [row] = await sqlOf(ctx.db).unsafe(
      `insert into feed_events (org_id, type, entity_type, entity_id, data, created_at)
       values ($1, $2, $3, $4, $5, $6) returning seq, org_id`,
      [
        items[0].orgId,
        items[0].type,
        items[0].entityType,
        items[0].entityId,
        JSON.stringify(items[0].data),
        createdAt.toISOString(),
      ],
      { prepare: true },
    );
    if (row) written.push({ seq: Number(row.seq), orgId: String(row.org_id) });
  }
  // Chunks keep the statement under PostgreSQL's bind-parameter limit for large fan-outs.
  for (let i = 0; items.length > 1 && i < items.length; i += 1000) {
    const rows = await ctx.db
      .insert(feedEvents)
      .values(items.slice(i, i + 1000).map((item) => ({ ...item, createdAt })))
      .returning({ seq: feedEvents.seq, orgId: feedEvents.orgId });
    written.push(...rows);
  }
  // Webhook deliveries join the same transaction: an event and its deliveries commit together.
  await queueWebhookDeliveries(ctx, written, await hooks);
}

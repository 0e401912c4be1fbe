import { insertFeedEvents } from "../../db/queries/feed";
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
  // Asked for at once, so it travels with the first insert instead of after the last.
  const hooks = activeWebhooks(
    ctx,
    items.map((i) => i.orgId),
  );
  hooks.catch(() => {}); // awaited below; if an insert fails first, its error is the one raised
  const written = await insertFeedEvents(
    ctx.db,
    items.map((item) => ({ ...item, createdAt })),
  );
  // Webhook deliveries join the same transaction: an event and its deliveries commit together.
  await queueWebhookDeliveries(ctx, written, await hooks);
}

import { activeWebhooksOf, insertWebhookDeliveries } from "../../db/queries/webhooks";
import type { Ctx } from "../context";
import { newId } from "../ids";

/** The active webhooks of these organisations. */
export function activeWebhooks(
  ctx: Ctx,
  orgIds: string[],
): Promise<{ id: string; orgId: string }[]> {
  return activeWebhooksOf(ctx.db, orgIds);
}

/**
 * Adds one delivery row per new feed event and active webhook of its organisation, in the
 * event's own transaction; after commit each is queued with its id as the job id. Should the
 * process die in between, the sweep finds the row still `pending` and queues it then.
 */
export async function queueWebhookDeliveries(
  ctx: Ctx & { tx: { afterCommit: (() => unknown)[] } },
  events: { seq: number; orgId: string }[],
  /** Already looked up by the caller (sent together with its own statements). */
  known?: { id: string; orgId: string }[],
): Promise<void> {
  if (events.length === 0) return;
  const hooks =
    known ??
    (await activeWebhooks(
      ctx,
      events.map((e) => e.orgId),
    ));
  if (hooks.length === 0) return;
  const now = ctx.clock.now();
  const rows = events.flatMap((e) =>
    hooks
      .filter((h) => h.orgId === e.orgId)
      .map((h) => ({ id: newId("msg"), webhookId: h.id, feedSeq: e.seq, createdAt: now })),
  );
  await insertWebhookDeliveries(ctx.db, rows);
  if (!ctx.jobs) return;
  ctx.tx.afterCommit.push(() =>
    scheduleDeliveries(
      ctx,
      rows.map((r) => r.id),
    ),
  );
}

/** Queues committed deliveries, each with its id as the job id. */
export async function scheduleDeliveries(ctx: Ctx, deliveryIds: readonly string[]): Promise<void> {
  const jobs = ctx.jobs;
  if (!jobs || deliveryIds.length === 0) return;
  await Promise.all(
    deliveryIds.map((id) => jobs.schedule({ kind: "webhook.deliver", deliveryId: id })),
  ).catch(() => {
    // The sweep queues whatever is still pending; a queue outage must not fail the request.
  });
}

import { and, asc, eq, lt, sql } from "drizzle-orm";
import { feedEvents, webhookDeliveries, webhooks } from "../../db/schema";
import { type Ctx, requireFeedCursors } from "../context";
import { EgressDeniedError, egressRequest, PUBLIC_ONLY } from "../egress";
import { signWebhook } from "./signature";

export type DeliveryOutcome =
  | { kind: "delivered"; status: number }
  | { kind: "skipped"; reason: string }
  /** Worth another try: network error, timeout, 5xx, 429. */
  | { kind: "retry"; reason: string }
  /** The receiver refused it (another 4xx, a redirect): trying again would not help. */
  | { kind: "rejected"; reason: string };

const TIMEOUT_MS = 10_000;

function classify(status: number): "delivered" | "retry" | "rejected" {
  if (status >= 200 && status < 300) return "delivered";
  if (status >= 500 || status === 429) return "retry";
  return "rejected";
}

/**
 * Sends one delivery, signed per Standard Webhooks, and records the attempt. `finalAttempt`
 * says the queue will not try again, so a retryable failure is recorded as `failed`.
 */
export async function deliverWebhook(
  ctx: Ctx,
  input: { deliveryId: string; finalAttempt: boolean },
): Promise<DeliveryOutcome> {
  const [row] = await ctx.db
    .select({
      status: webhookDeliveries.status,
      orgId: webhooks.orgId,
      url: webhooks.url,
      secret: webhooks.secret,
      disabledAt: webhooks.disabledAt,
      seq: feedEvents.seq,
      txid: feedEvents.txid,
      type: feedEvents.type,
      entityType: feedEvents.entityType,
      entityId: feedEvents.entityId,
      data: feedEvents.data,
      createdAt: feedEvents.createdAt,
    })
    .from(webhookDeliveries)
    .innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
    .innerJoin(feedEvents, eq(feedEvents.seq, webhookDeliveries.feedSeq))
    .where(eq(webhookDeliveries.id, input.deliveryId));
  // Deleted webhooks take their deliveries with them; delivered ones are never sent again.
  if (!row) return { kind: "skipped", reason: "no such delivery" };
  if (row.status !== "pending") return { kind: "skipped", reason: `already ${row.status}` };
  if (row.disabledAt) return { kind: "skipped", reason: "webhook disabled" };

  const body = JSON.stringify({
    type: row.type,
    timestamp: row.createdAt.toISOString(),
    data: {
      entityType: row.entityType,
      entityId: row.entityId,
      cursor: requireFeedCursors(ctx).seal(row.orgId, { txid: row.txid, seq: row.seq }),
      ...row.data,
    },
  });
  const timestamp = Math.floor(ctx.clock.now().getTime() / 1000);
  let status: number | null = null;
  let outcome: DeliveryOutcome;
  try {
    // Redirects are never followed; the address connected to is checked, not only the name.
    const res = await egressRequest(ctx.egress ?? PUBLIC_ONLY, row.url, {
      method: "POST",
      timeoutMs: TIMEOUT_MS,
      headers: {
        "content-type": "application/json",
        "user-agent": "caravan-webhooks/1",
        "webhook-id": input.deliveryId,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": signWebhook({
          secret: row.secret,
          id: input.deliveryId,
          timestamp,
          body,
        }),
      },
      body,
    });
    status = res.status;
    const kind = classify(res.status);
    outcome =
      kind === "delivered"
        ? { kind, status: res.status }
        : { kind, reason: `receiver answered ${res.status}` };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    outcome =
      err instanceof EgressDeniedError ? { kind: "rejected", reason } : { kind: "retry", reason };
  }

  const final =
    outcome.kind === "delivered"
      ? "delivered"
      : outcome.kind === "rejected" || input.finalAttempt
        ? "failed"
        : "pending";
  await ctx.db
    .update(webhookDeliveries)
    .set({
      status: final,
      attempts: sql`${webhookDeliveries.attempts} + 1`,
      lastAttemptAt: ctx.clock.now(),
      lastResponseStatus: status,
      lastError: outcome.kind === "delivered" ? null : outcome.reason.slice(0, 500),
      deliveredAt: final === "delivered" ? ctx.clock.now() : null,
    })
    .where(
      and(eq(webhookDeliveries.id, input.deliveryId), eq(webhookDeliveries.status, "pending")),
    );
  return outcome;
}

/**
 * Deliveries still pending a while after they were written: their after-commit enqueue was
 * lost (a crash, a queue outage). Re-queued under their own id, so a job still waiting or
 * backing off is not doubled.
 */
export async function pendingDeliveries(
  ctx: Ctx,
  input: { olderThanMs: number; limit: number },
): Promise<string[]> {
  const rows = await ctx.db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.status, "pending"),
        lt(
          webhookDeliveries.createdAt,
          sql`now() - make_interval(secs => ${input.olderThanMs / 1000})`,
        ),
      ),
    )
    .orderBy(asc(webhookDeliveries.createdAt))
    .limit(input.limit);
  return rows.map((r) => r.id);
}

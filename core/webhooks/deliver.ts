import {
  type DeliveryToSend as Delivery,
  deliveryToSend,
  recordDeliveryAttempt,
  stalePendingDeliveries,
} from "../../db/queries/webhooks";
import type { WebhookDeliveryState } from "../../db/schema";
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

/** Why a delivery is not to be sent, or null to send it. */
function skipReason(row: Delivery): string | null {
  if (row.status !== "pending") return `already ${row.status}`;
  if (row.disabledAt) return "webhook disabled";
  return null;
}

/** The event as the receiver gets it, with a cursor to resume the feed from. */
function deliveryBody(ctx: Ctx, row: Delivery): string {
  return JSON.stringify({
    type: row.type,
    timestamp: row.createdAt.toISOString(),
    data: {
      entityType: row.entityType,
      entityId: row.entityId,
      cursor: requireFeedCursors(ctx).seal(row.orgId, { txid: row.txid, seq: row.seq }),
      ...row.data,
    },
  });
}

/** Posts the signed body once; network and egress failures become outcomes, not errors. */
async function send(
  ctx: Ctx,
  row: Delivery,
  deliveryId: string,
  body: string,
): Promise<{ outcome: DeliveryOutcome; status: number | null }> {
  const timestamp = Math.floor(ctx.clock.now().getTime() / 1000);
  try {
    // Redirects are never followed; the address connected to is checked, not only the name.
    const res = await egressRequest(ctx.egress ?? PUBLIC_ONLY, row.url, {
      method: "POST",
      timeoutMs: TIMEOUT_MS,
      headers: {
        "content-type": "application/json",
        "user-agent": "caravan-webhooks/1",
        "webhook-id": deliveryId,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": signWebhook({ secret: row.secret, id: deliveryId, timestamp, body }),
      },
      body,
    });
    const kind = classify(res.status);
    const outcome: DeliveryOutcome =
      kind === "delivered"
        ? { kind, status: res.status }
        : { kind, reason: `receiver answered ${res.status}` };
    return { outcome, status: res.status };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const outcome: DeliveryOutcome =
      err instanceof EgressDeniedError ? { kind: "rejected", reason } : { kind: "retry", reason };
    return { outcome, status: null };
  }
}

/** The state an attempt leaves a delivery in; a retryable failure on the last try is final. */
function stateAfter(outcome: DeliveryOutcome, finalAttempt: boolean): WebhookDeliveryState {
  if (outcome.kind === "delivered") return "delivered";
  return outcome.kind === "rejected" || finalAttempt ? "failed" : "pending";
}

/**
 * Sends one delivery, signed per Standard Webhooks, and records the attempt. `finalAttempt`
 * says the queue will not try again, so a retryable failure is recorded as `failed`.
 */
export async function deliverWebhook(
  ctx: Ctx,
  input: { deliveryId: string; finalAttempt: boolean },
): Promise<DeliveryOutcome> {
  const row = await deliveryToSend(ctx.db, input.deliveryId);
  // Deleted webhooks take their deliveries with them; delivered ones are never sent again.
  if (!row) return { kind: "skipped", reason: "no such delivery" };
  const skipped = skipReason(row);
  if (skipped) return { kind: "skipped", reason: skipped };
  const { outcome, status } = await send(ctx, row, input.deliveryId, deliveryBody(ctx, row));
  await recordDeliveryAttempt(ctx.db, {
    id: input.deliveryId,
    status: stateAfter(outcome, input.finalAttempt),
    at: ctx.clock.now(),
    responseStatus: status,
    error: outcome.kind === "delivered" ? null : outcome.reason.slice(0, 500),
  });
  return outcome;
}

/**
 * Deliveries still pending a while after they were written: their after-commit enqueue was
 * lost (a crash, a queue outage). Re-queued under their own id, so a job still waiting or
 * backing off is not doubled.
 */
export function pendingDeliveries(
  ctx: Ctx,
  input: { olderThanMs: number; limit: number },
): Promise<string[]> {
  return stalePendingDeliveries(ctx.db, input);
}

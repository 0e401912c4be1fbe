import { transaction } from "../../db/client";
import {
  recordOutboxAttempt,
  saveSyncState,
  selectOutboxRow,
  selectPartner,
  selectPendingOutbox,
  selectSyncState,
  stalePendingOutbox,
  tryLockPartnerDelivery,
  waitLockPartnerDelivery,
} from "../../db/queries/federation";
import type { FederationOutboxRow, FederationPartner } from "../../db/schema/federation";
import type { Ctx } from "../context";
import { requireFederation } from "../context";
import { EgressDeniedError, egressRequest, PUBLIC_ONLY } from "../egress";
import { newId } from "../ids";
import { PROTOCOL_VERSION } from "./vocabulary";

/** Messages per batch at most; a 413 halves it. */
const BATCH_SIZE = 100;
const TIMEOUT_MS = 10_000;
/**
 * How long a job waits for another's run to end before it is retried. The run most likely
 * carries the job's own row, so waiting briefly usually ends the job without a retry.
 */
const LOCK_WAIT_MS = 2_000;
/** Batches one job sends before it lets the next job of the queue run. */
const MAX_BATCHES_PER_RUN = 50;

export type DeliveryRun =
  /** Nothing (more) pending: the backlog is delivered or dead. */
  | { kind: "done"; delivered: number; dead: number }
  /** Another process is delivering to this partner. */
  | { kind: "busy" }
  /** Worth another try later: network error, timeout, 5xx, 429. */
  | { kind: "retry"; reason: string }
  /** Delivery to this partner is stopped (suspended, or an incompatible protocol version). */
  | { kind: "stopped"; reason: string };

export type Attempt =
  | { kind: "delivered" }
  | { kind: "retry"; reason: string; retryAfterMs?: number }
  | { kind: "split"; reason: string }
  | { kind: "dead"; reason: string }
  | { kind: "protocol"; reason: string };

/** A Standard Webhooks `Retry-After` in seconds or as an HTTP date, in ms from now. */
function retryAfterMs(value: string | string[] | undefined, now: Date): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/** How a status answers a batch: only a 2xx delivers; a 400 or 413 is narrowed down first. */
function attemptOf(status: number, retryAfter: number | undefined, size: number): Attempt {
  const reason = `partner answered ${status}`;
  if (status >= 200 && status < 300) return { kind: "delivered" };
  if (status === 429) return { kind: "retry", reason, retryAfterMs: retryAfter };
  if (status >= 500) return { kind: "retry", reason };
  if (status === 409) return { kind: "protocol", reason: `${reason}: protocol version refused` };
  // A too-large or malformed batch is halved until the message at fault is alone.
  if ((status === 413 || status === 400) && size > 1) return { kind: "split", reason };
  return { kind: "dead", reason };
}

/** One outbox row as a message on the wire, named by this node's code and the row id. */
export function wireMessage(
  from: string,
  r: Pick<FederationOutboxRow, "id" | "type" | "waybillNumber" | "homeNode" | "origin" | "record">,
) {
  return {
    id: `${from}:${r.id}`,
    type: r.type,
    waybill: r.waybillNumber,
    homeNode: r.homeNode,
    origin: r.origin,
    record: r.record,
  };
}

/** The batch as WIRE.md writes it. */
function batchBody(from: string, to: string, rows: readonly FederationOutboxRow[]): string {
  return JSON.stringify({
    protocolVersion: PROTOCOL_VERSION,
    from,
    to,
    messages: rows.map((r) => wireMessage(from, r)),
  });
}

/** `v1a,<base64 Ed25519 signature>` per live signing key, space-separated. */
export async function signatureHeader(ctx: Ctx, signed: string): Promise<string> {
  const { signers } = await requireFederation(ctx).keys.live(ctx);
  const data = Buffer.from(signed);
  return signers
    .flatMap((k) => (k.sign ? [`v1a,${k.sign(data).toString("base64")}`] : []))
    .join(" ");
}

/**
 * Posts one signed batch to the partner's inbox, at its registered address only. An empty
 * batch is a heartbeat.
 */
export async function sendBatch(
  ctx: Ctx,
  partner: FederationPartner,
  rows: readonly FederationOutboxRow[],
): Promise<Attempt> {
  const from = ctx.nodeCode ?? "";
  const body = batchBody(from, partner.code, rows);
  const id = newId("fb");
  const timestamp = Math.floor(ctx.clock.now().getTime() / 1000);
  try {
    // Redirects are never followed; the address connected to is checked, not only the name.
    const res = await egressRequest(
      ctx.egress ?? PUBLIC_ONLY,
      `${partner.baseUrl}/v1/federation/inbox`,
      {
        method: "POST",
        timeoutMs: TIMEOUT_MS,
        headers: {
          "content-type": "application/json",
          "user-agent": "caravan-federation/1",
          "webhook-id": id,
          "webhook-timestamp": String(timestamp),
          "webhook-signature": await signatureHeader(ctx, `${id}.${timestamp}.${body}`),
        },
        body,
      },
    );
    return attemptOf(
      res.status,
      retryAfterMs(res.headers["retry-after"], ctx.clock.now()),
      rows.length,
    );
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return err instanceof EgressDeniedError ? { kind: "dead", reason } : { kind: "retry", reason };
  }
}

/** Why nothing may be sent to the partner now, or null. */
export async function holdReason(
  ctx: Ctx,
  partner: FederationPartner | undefined,
): Promise<DeliveryRun | null> {
  if (!partner) return { kind: "stopped", reason: "no such partner" };
  if (partner.status !== "active") return { kind: "stopped", reason: `partner ${partner.status}` };
  const sync = await selectSyncState(ctx.db, partner.code);
  if (sync?.stoppedReason) return { kind: "stopped", reason: sync.stoppedReason };
  if (sync?.pausedUntil && sync.pausedUntil > ctx.clock.now()) {
    return {
      kind: "retry",
      reason: `partner asked to wait until ${sync.pausedUntil.toISOString()}`,
    };
  }
  return null;
}

/** Records what one attempt did to its rows and to the partner's sync state. */
async function recordAttempt(
  ctx: Ctx,
  partner: string,
  rows: readonly FederationOutboxRow[],
  attempt: Attempt,
): Promise<void> {
  const at = ctx.clock.now();
  const ids = rows.map((r) => r.id);
  if (attempt.kind === "delivered") {
    await recordOutboxAttempt(ctx.db, ids, { status: "delivered", error: null, at });
    ctx.federation?.delivered?.addAll(ids);
    await saveSyncState(ctx.db, partner, {
      lastDeliveredAt: at,
      lastReachedAt: at,
      failed: false,
      pausedUntil: null,
    });
    return;
  }
  const error = attempt.reason.slice(0, 500);
  const status = attempt.kind === "dead" ? "dead" : "pending";
  await recordOutboxAttempt(ctx.db, ids, { status, error, at });
  await saveSyncState(ctx.db, partner, {
    lastFailureAt: at,
    lastError: error,
    failed: true,
    ...(attempt.kind === "protocol" ? { stoppedReason: attempt.reason } : {}),
    ...(attempt.kind === "retry" && attempt.retryAfterMs !== undefined
      ? { pausedUntil: new Date(at.getTime() + attempt.retryAfterMs) }
      : {}),
  });
}

/** Sends the backlog batch after batch while the lock is held; stops at the first failure. */
async function drain(ctx: Ctx, partner: FederationPartner): Promise<DeliveryRun> {
  let size = BATCH_SIZE;
  let delivered = 0;
  let dead = 0;
  for (let batches = 0; batches < MAX_BATCHES_PER_RUN; batches++) {
    const rows = await selectPendingOutbox(ctx.db, partner.code, size);
    if (rows.length === 0) return { kind: "done", delivered, dead };
    const attempt = await sendBatch(ctx, partner, rows);
    if (attempt.kind === "split") {
      size = Math.max(1, Math.floor(rows.length / 2));
      continue;
    }
    await recordAttempt(ctx, partner.code, rows, attempt);
    if (attempt.kind === "protocol") return { kind: "stopped", reason: attempt.reason };
    if (attempt.kind === "retry") return { kind: "retry", reason: attempt.reason };
    // A size the partner took is kept for the run; once the message at fault is out, try whole.
    if (attempt.kind === "delivered") delivered += rows.length;
    else {
      dead += rows.length;
      size = BATCH_SIZE;
    }
  }
  return { kind: "retry", reason: "more to send: continued by the next job" };
}

/**
 * Delivers a partner's pending outbox rows in batches, one process at a time per partner
 * (an advisory lock held for the run). `outboxId` names the row the job was queued for: when
 * it is no longer pending there is nothing for this job to do.
 */
export async function deliverToPartner(
  ctx: Ctx,
  input: { partner: string; outboxId?: string },
): Promise<DeliveryRun> {
  const nothing: DeliveryRun = { kind: "done", delivered: 0, dead: 0 };
  if (input.outboxId && !(await stillPending(ctx, input.outboxId))) return nothing;
  const partner = await selectPartner(ctx.db, input.partner);
  const held = await holdReason(ctx, partner);
  if (held || !partner) return held ?? { kind: "stopped", reason: "no such partner" };
  return transaction(ctx.db, async (lockTx) => {
    if (!(await tryLockPartnerDelivery(lockTx, partner.code))) {
      if (!(await waitLockPartnerDelivery(lockTx, partner.code, LOCK_WAIT_MS))) {
        return { kind: "busy" };
      }
      // The run just ended has most likely sent this job's row.
      if (input.outboxId && !(await stillPending(ctx, input.outboxId))) return nothing;
    }
    // The rows are written outside the lock's transaction, so progress shows at once.
    return drain(ctx, partner);
  });
}

async function stillPending(ctx: Ctx, outboxId: string): Promise<boolean> {
  if (ctx.federation?.delivered?.has(outboxId)) return false;
  const row = await selectOutboxRow(ctx.db, outboxId);
  return row?.status === "pending";
}

/**
 * Pending rows a while after they were written: their after-commit enqueue was lost, or their
 * job gave up while the partner was down. Re-queued under their own id.
 */
export function pendingOutbox(
  ctx: Ctx,
  input: { olderThanMs: number; limit: number },
): Promise<{ id: string; partner: string }[]> {
  return stalePendingOutbox(ctx.db, input);
}

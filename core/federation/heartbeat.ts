import { saveSyncState, selectActivePartners } from "../../db/queries/federation";
import type { FederationPartner } from "../../db/schema/federation";
import type { Ctx } from "../context";
import { deliverToPartner, holdReason, sendBatch } from "./deliver";

/** Heartbeats every 30 s unless `CARAVAN_FEDERATION_HEARTBEAT_SECONDS` says otherwise. */
const DEFAULT_HEARTBEAT_SECONDS = 30;

export function heartbeatSeconds(ctx: Ctx): number {
  return ctx.federation?.heartbeatSeconds ?? DEFAULT_HEARTBEAT_SECONDS;
}

export type HeartbeatOutcome = { partner: string; reached: boolean; reason?: string };

/** One heartbeat: an empty signed batch; the answer says whether the partner is reachable. */
async function beat(ctx: Ctx, partner: FederationPartner): Promise<HeartbeatOutcome> {
  const held = await holdReason(ctx, partner);
  // A stopped partner is not pinged; one that asked to wait still is (it answers quickly).
  if (held?.kind === "stopped")
    return { partner: partner.code, reached: false, reason: held.reason };
  const attempt = await sendBatch(ctx, partner, []);
  const at = ctx.clock.now();
  if (attempt.kind === "delivered") {
    await saveSyncState(ctx.db, partner.code, { lastReachedAt: at });
    // A partner back from an outage gets its backlog now, not when each job's back-off ends
    // (up to half an hour after a long one). Nothing pending costs one query.
    await deliverToPartner(ctx, { partner: partner.code });
    return { partner: partner.code, reached: true };
  }
  const error = attempt.reason.slice(0, 500);
  await saveSyncState(ctx.db, partner.code, {
    lastFailureAt: at,
    lastError: error,
    ...(attempt.kind === "protocol" ? { stoppedReason: attempt.reason } : {}),
  });
  return { partner: partner.code, reached: false, reason: error };
}

/**
 * Sends every active partner a heartbeat, all at once: a partner that does not answer holds
 * up none of the others.
 */
export async function sendHeartbeats(ctx: Ctx): Promise<HeartbeatOutcome[]> {
  const partners = await selectActivePartners(ctx.db);
  return Promise.all(partners.map((p) => beat(ctx, p)));
}

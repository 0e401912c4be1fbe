import {
  outboxFigures,
  type PartnerSyncFigures,
  revivePartnerDeadLetters,
  saveSyncState,
  selectAllSyncFigures,
  selectDeadLetters,
  selectPartner,
  selectSyncState,
} from "../../db/queries/federation";
import type { RecordType } from "../../db/schema/federation";
import { recordAudit } from "../audit/append";
import type { Ctx } from "../context";
import { NotFoundError } from "../errors";
import { withTransaction } from "../transaction";
import { requireFederationAdmin, requirePartnerReader } from "./access";
import { heartbeatSeconds } from "./heartbeat";
import { queueDeliveries } from "./outbox";

async function requirePartner(ctx: Ctx, code: string): Promise<void> {
  if (!(await selectPartner(ctx.db, code))) throw NotFoundError.of("partner", code);
}

export interface DeadLetterView {
  id: string;
  waybill: string;
  type: RecordType;
  createdAt: string;
  attempts: number;
  lastError: string | null;
}

/** `GET /v1/partners/{code}/dead-letters`: what the partner refused for good, oldest first. */
export async function listDeadLetters(
  ctx: Ctx,
  input: { code: string; limit: number },
): Promise<{ items: DeadLetterView[] }> {
  requirePartnerReader(ctx);
  await requirePartner(ctx, input.code);
  const rows = await selectDeadLetters(ctx.db, input.code, input.limit);
  return {
    items: rows.map((r) => ({
      id: r.id,
      waybill: r.waybillNumber,
      type: r.type,
      createdAt: r.createdAt.toISOString(),
      attempts: r.attempts,
      lastError: r.lastError,
    })),
  };
}

/**
 * `POST /v1/partners/{code}/replay`: after a fix, the partner's dead letters (all, or those
 * named) are pending again and queued; a delivery stopped on the protocol version resumes.
 */
export async function replayDeadLetters(
  ctx: Ctx,
  input: { code: string; ids?: string[] },
): Promise<{ replayed: number }> {
  requireFederationAdmin(ctx, "replay dead letters");
  return withTransaction(ctx, async (tx) => {
    await requirePartner(tx, input.code);
    const ids = await revivePartnerDeadLetters(tx.db, input.code, input.ids);
    await saveSyncState(tx.db, input.code, { stoppedReason: null, pausedUntil: null });
    recordAudit(tx, {
      action: "partner.dead_letters_replayed",
      entityType: "partner",
      entityId: input.code,
      data: { ids },
    });
    queueDeliveries(
      tx,
      ids.map((id) => ({ id, partner: input.code })),
    );
    return { replayed: ids.length };
  });
}

export interface SyncView {
  /** Whether the partner answered a heartbeat or a batch with a 2xx within two heartbeats. */
  reachable: boolean;
  /** When the partner's last signed heartbeat reached this node, or null. */
  lastHeartbeatAt: string | null;
  backlog: number;
  oldestUndeliveredSeconds: number | null;
  lastDeliveredAt: string | null;
  /** Failed attempts since the last success. */
  failures: number;
  deadLetters: number;
  /** How far the partner is behind: the age of the oldest undelivered row, 0 when none. */
  lagSeconds: number;
  /** Why delivery is stopped (the partner refused the protocol version), or null. */
  stoppedReason: string | null;
}

/** The sync figures from a partner's sync row and outbox counts, as seen at `now`. */
function syncView(
  figures: Omit<PartnerSyncFigures, "partner">,
  now: Date,
  heartbeatS: number,
): SyncView {
  const { sync } = figures;
  const oldest = figures.oldestPendingAt
    ? Math.max(0, Math.round((now.getTime() - figures.oldestPendingAt.getTime()) / 1000))
    : null;
  const delivered = sync?.lastDeliveredAt ?? null;
  const answered = latest(sync?.lastReachedAt ?? null, delivered);
  const failed = sync?.lastFailureAt ?? null;
  // A 2xx answer counts for two heartbeat intervals, unless an attempt failed after it.
  const recent = answered !== null && now.getTime() - answered.getTime() <= 2 * heartbeatS * 1000;
  return {
    reachable: recent && answered !== null && (failed === null || answered >= failed),
    lastHeartbeatAt: sync?.lastHeartbeatAt?.toISOString() ?? null,
    backlog: figures.pending,
    oldestUndeliveredSeconds: oldest,
    lastDeliveredAt: delivered?.toISOString() ?? null,
    failures: sync?.failures ?? 0,
    deadLetters: figures.dead,
    lagSeconds: oldest ?? 0,
    stoppedReason: sync?.stoppedReason ?? null,
  };
}

function latest(a: Date | null, b: Date | null): Date | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}

/** `GET /v1/partners/{code}/sync`: how delivery to the partner is going. */
export async function partnerSync(ctx: Ctx, input: { code: string }): Promise<SyncView> {
  requirePartnerReader(ctx);
  await requirePartner(ctx, input.code);
  const [sync, figures] = await Promise.all([
    selectSyncState(ctx.db, input.code),
    outboxFigures(ctx.db, input.code),
  ]);
  return syncView({ sync: sync ?? null, ...figures }, ctx.clock.now(), heartbeatSeconds(ctx));
}

/** Every partner's sync figures in one query: what `/metrics` reports per partner. */
export async function allPartnersSync(ctx: Ctx): Promise<(SyncView & { partner: string })[]> {
  const rows = await selectAllSyncFigures(ctx.db);
  const now = ctx.clock.now();
  const heartbeatS = heartbeatSeconds(ctx);
  return rows.map(({ partner, ...figures }) => ({
    partner,
    ...syncView(figures, now, heartbeatS),
  }));
}

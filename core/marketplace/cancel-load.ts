import { and, eq, sql } from "drizzle-orm";
import { bids, loads } from "../../db/schema";
import { recordAudit } from "../audit/append";
import { type Ctx, withTransaction } from "../context";
import { emitFeed } from "../feed/emit";
import { lockOwnLoad, requireOpen } from "./own-load";
import { type LoadView, loadView } from "./views";

/** `POST /v1/loads/{id}/cancel`: the load closes, its live bids become void, bidders hear of it. */
export async function cancelLoad(
  ctx: Ctx,
  input: { id: string; reason?: string },
): Promise<LoadView> {
  return withTransaction(ctx, async (tx) => {
    const { load } = await lockOwnLoad(tx, input.id);
    requireOpen(load, "cancel");
    const now = tx.clock.now();
    const [row] = await tx.db
      .update(loads)
      .set({
        status: "cancelled",
        cancelReason: input.reason ?? null,
        closedAt: sql`now()`,
        updatedAt: now,
        version: sql`${loads.version} + 1`,
      })
      .where(eq(loads.id, load.id))
      .returning();
    if (!row) throw new Error("update returned no row");
    const voided = await tx.db
      .update(bids)
      .set({ status: "void", updatedAt: now })
      .where(and(eq(bids.loadId, load.id), eq(bids.status, "live")))
      .returning({ id: bids.id, carrierId: bids.carrierId });
    recordAudit(tx, {
      action: "load.cancelled",
      entityType: "load",
      entityId: row.id,
      data: { reason: input.reason ?? null, voidedBids: voided.map((b) => b.id) },
    });
    await emitFeed(tx, [
      {
        orgId: row.shipperId,
        type: "load.cancelled",
        entityType: "load",
        entityId: row.id,
        data: { loadId: row.id, voidedBids: voided.length },
      },
      ...voided.map((b) => ({
        orgId: b.carrierId,
        type: "bid.voided" as const,
        entityType: "bid",
        entityId: b.id,
        data: { loadId: row.id, bidId: b.id, reason: "load cancelled" },
      })),
    ]);
    return loadView(row, tx.actor);
  });
}

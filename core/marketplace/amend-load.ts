import { eq, sql } from "drizzle-orm";
import { bids, loads } from "../../db/schema";
import { recordAudit } from "../audit/append";
import { type Ctx, withTransaction } from "../context";
import { ConflictError } from "../errors";
import { emitFeed } from "../feed/emit";
import { lockOwnLoad, requireOpen } from "./own-load";
import { type LoadInput, loadValues, scheduleClosing } from "./post-load";
import { type LoadView, loadView } from "./views";

/**
 * `PATCH /v1/loads/{id}`: the shipper replaces fields of an open load that has had no bid.
 * Bidders lock the load row (FOR SHARE) while they bid, so "no bid yet" cannot change
 * between this check and the update.
 */
export async function amendLoad(
  ctx: Ctx,
  input: { id: string; changes: Partial<LoadInput> },
): Promise<LoadView> {
  return withTransaction(ctx, async (tx) => {
    const { load } = await lockOwnLoad(tx, input.id);
    requireOpen(load, "amend");
    const [bid] = await tx.db
      .select({ id: bids.id })
      .from(bids)
      .where(eq(bids.loadId, load.id))
      .limit(1);
    if (bid) {
      throw new ConflictError(
        "cannot amend a load that has bids; cancel it and post a new one",
        [],
        "LOAD_HAS_BIDS",
      );
    }
    const current: LoadInput = {
      origin: load.origin.hub ?? {
        address: load.origin.address ?? "",
        lat: load.origin.lat,
        lon: load.origin.lon,
      },
      destination: load.destination.hub ?? {
        address: load.destination.address ?? "",
        lat: load.destination.lat,
        lon: load.destination.lon,
      },
      cargo: load.cargo,
      pickupWindow: { from: load.pickupFrom.toISOString(), to: load.pickupTo.toISOString() },
      deliverBy: load.deliverBy.toISOString(),
      modes: load.modes,
      reservePrice:
        load.reserveAmount !== null && load.reserveCurrency !== null
          ? { amount: load.reserveAmount, currency: load.reserveCurrency }
          : undefined,
      biddingClosesAt: load.biddingClosesAt.toISOString(),
      awardRule: load.awardRule,
    };
    const values = loadValues(tx, { ...current, ...input.changes });
    const [row] = await tx.db
      .update(loads)
      .set({ ...values, updatedAt: tx.clock.now(), version: sql`${loads.version} + 1` })
      .where(eq(loads.id, load.id))
      .returning();
    if (!row) throw new Error("update returned no row");
    recordAudit(tx, {
      action: "load.amended",
      entityType: "load",
      entityId: row.id,
      data: { changes: input.changes, version: row.version },
    });
    await emitFeed(tx, [
      {
        orgId: row.shipperId,
        type: "load.amended",
        entityType: "load",
        entityId: row.id,
        data: { loadId: row.id, version: row.version },
      },
    ]);
    if (row.biddingClosesAt.getTime() !== load.biddingClosesAt.getTime()) scheduleClosing(tx, row);
    return loadView(row, tx.actor);
  });
}

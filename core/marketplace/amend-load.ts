import { eq } from "drizzle-orm";
import { bids, type Load } from "../../db/schema";
import type { Ctx } from "../context";
import { ConflictError } from "../errors";
import { withTransaction } from "../transaction";
import { lockOwnLoad, requireOpen } from "./own-load";
import { type LoadInput, loadValues, scheduleClosing } from "./post-load";
import { shipperEvent, transitionLoad } from "./transition";
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
    await requireNoBids(tx, load.id);
    const values = loadValues(tx, { ...loadInputOf(load), ...input.changes });
    const done = await transitionLoad(tx, {
      load,
      to: { set: values, bumpVersion: true },
      bids: { none: true },
      audit: ({ load }) => ({
        action: "load.amended",
        entityType: "load",
        entityId: load.id,
        data: { changes: input.changes, version: load.version },
      }),
      feed: ({ load }) => [
        shipperEvent(load, "load.amended", { loadId: load.id, version: load.version }),
      ],
    });
    if (!done) throw new Error("update returned no row");
    const row = done.load;
    if (row.biddingClosesAt.getTime() !== load.biddingClosesAt.getTime()) scheduleClosing(tx, row);
    return loadView(row, tx.actor);
  });
}

async function requireNoBids(ctx: Ctx, loadId: string): Promise<void> {
  const [bid] = await ctx.db
    .select({ id: bids.id })
    .from(bids)
    .where(eq(bids.loadId, loadId))
    .limit(1);
  if (bid) {
    throw new ConflictError(
      "cannot amend a load that has bids; cancel it and post a new one",
      [],
      "LOAD_HAS_BIDS",
    );
  }
}

/** The load as the body that would post it, for the changes to be laid over. */
function loadInputOf(load: Load): LoadInput {
  const placeOf = (p: Load["origin"]) =>
    p.hub ?? { address: p.address ?? "", lat: p.lat, lon: p.lon };
  return {
    origin: placeOf(load.origin),
    destination: placeOf(load.destination),
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
    earlyAward: load.earlyAward,
  };
}

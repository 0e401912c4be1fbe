import type { Ctx } from "../context";
import { withTransaction } from "../transaction";
import { lockOwnLoad, requireOpen } from "./own-load";
import { bidderEvents, shipperEvent, transitionLoad } from "./transition";
import { type LoadView, loadView } from "./views";

/** `POST /v1/loads/{id}/cancel`: the load closes, its live bids become void, bidders hear of it. */
export async function cancelLoad(
  ctx: Ctx,
  input: { id: string; reason?: string },
): Promise<LoadView> {
  return withTransaction(ctx, async (tx) => {
    const { load } = await lockOwnLoad(tx, input.id);
    requireOpen(load, "cancel");
    const reason = input.reason ?? null;
    const done = await transitionLoad(tx, {
      load,
      to: {
        set: { status: "cancelled", cancelReason: reason },
        closed: true,
        bumpVersion: true,
      },
      bids: { live: "void" },
      audit: ({ load, bids }) => ({
        action: "load.cancelled",
        entityType: "load",
        entityId: load.id,
        data: { reason, voidedBids: bids.map((b) => b.id) },
      }),
      feed: ({ load, bids }) => [
        shipperEvent(load, "load.cancelled", { loadId: load.id, voidedBids: bids.length }),
        ...bidderEvents(load.id, bids, () => ({
          type: "bid.voided",
          data: { reason: "load cancelled" },
        })),
      ],
    });
    if (!done) throw new Error("update returned no row");
    return loadView(done.load, tx.actor);
  });
}

import {
  type BidTerms,
  type LiveBidsOutcome,
  type LoadChange,
  reviseBidTerms,
  setBidStatus,
  settleLiveBids,
  updateLoad,
} from "../../db/queries/marketplace";
import type { Bid, BidStatus, Load } from "../../db/schema";
import { recordAudit } from "../audit/append";
import type { Ctx, PendingAudit } from "../context";
import { emitFeed, type FeedItem } from "../feed/emit";

/** What happens to the load's bids: none, every live one, or the one a carrier changes. */
export type BidChange =
  | { none: true }
  | { live: LiveBidsOutcome }
  | { id: string; terms: BidTerms }
  | { id: string; status: BidStatus };

export interface Transitioned {
  /** The load after the change (as locked, when it did not change). */
  load: Load;
  /** The bids that changed. */
  bids: Bid[];
}

export interface LoadTransition<T> {
  /** The load, locked by the caller. */
  load: Load;
  /** The load's new columns; absent when only its bids change. */
  to?: Omit<LoadChange, "updatedAt">;
  bids: BidChange;
  /** Further writes that belong to the change (the award's waybill), before it is announced. */
  effect?: (done: Transitioned) => Promise<T>;
  audit: (done: Transitioned & { effect: T }) => PendingAudit;
  feed: (done: Transitioned & { effect: T }) => FeedItem[];
}

/**
 * Every change of an open load and its bids ends the same way: the load row, its bids, one
 * audit entry and the feed events of everyone concerned, in the caller's transaction.
 * Undefined when `to.whileOpen` found the load no longer open.
 */
export async function transitionLoad<T = undefined>(
  tx: Ctx & { tx: object },
  change: LoadTransition<T>,
): Promise<(Transitioned & { effect: T }) | undefined> {
  const now = tx.clock.now();
  const load = change.to
    ? await updateLoad(tx.db, change.load.id, { ...change.to, updatedAt: now })
    : change.load;
  if (!load) return undefined;
  const bids = await changeBids(tx, load.id, change.bids, now);
  const effect = change.effect ? await change.effect({ load, bids }) : (undefined as T);
  const done = { load, bids, effect };
  recordAudit(tx, change.audit(done));
  await emitFeed(tx, change.feed(done));
  return done;
}

async function changeBids(ctx: Ctx, loadId: string, change: BidChange, now: Date): Promise<Bid[]> {
  if ("none" in change) return [];
  if ("live" in change) return settleLiveBids(ctx.db, loadId, change.live, now);
  if ("terms" in change) return [await reviseBidTerms(ctx.db, change.id, change.terms, now)];
  return [await setBidStatus(ctx.db, change.id, change.status, now)];
}

/** One feed event for each changed bid's carrier. */
export function bidderEvents(
  loadId: string,
  bids: readonly Bid[],
  event: (bid: Bid) => { type: FeedItem["type"]; data?: Record<string, unknown> },
): FeedItem[] {
  return bids.map((b) => {
    const { type, data } = event(b);
    return {
      orgId: b.carrierId,
      type,
      entityType: "bid",
      entityId: b.id,
      data: { loadId, bidId: b.id, ...data },
    };
  });
}

/** The feed event of the load's shipper. */
export function shipperEvent(
  load: Load,
  type: FeedItem["type"],
  data: Record<string, unknown>,
): FeedItem {
  return { orgId: load.shipperId, type, entityType: "load", entityId: load.id, data };
}

import { and, asc, eq, gt } from "drizzle-orm";
import { type BidStatus, bids } from "../../db/schema";
import { type Ctx, requireOrgActor } from "../context";
import { NotFoundError } from "../errors";
import { toPage } from "../pagination";
import { findVisibleLoad } from "./read-loads";
import { type BidView, bidView } from "./views";

/**
 * Bidding is sealed: a carrier sees only its own bids; the load's shipper and admins see all;
 * regulators see all without prices. Anyone else finds no load.
 */
async function bidScope(ctx: Ctx, loadId: string) {
  const actor = requireOrgActor(ctx);
  const load = await findVisibleLoad(ctx, loadId);
  const own = actor.kind === "carrier" ? eq(bids.carrierId, actor.orgId) : undefined;
  const redactPrice = actor.kind === "regulator";
  return { load, own, redactPrice };
}

function shown(view: BidView, redactPrice: boolean): BidView {
  return redactPrice ? { ...view, price: undefined } : view;
}

export async function listBids(
  ctx: Ctx,
  input: { loadId: string; status?: BidStatus; cursor?: string; limit: number },
): Promise<{ items: BidView[]; nextCursor: string | null }> {
  const { load, own, redactPrice } = await bidScope(ctx, input.loadId);
  const rows = await ctx.db
    .select()
    .from(bids)
    .where(
      and(
        eq(bids.loadId, load.id),
        own,
        input.status ? eq(bids.status, input.status) : undefined,
        input.cursor ? gt(bids.id, input.cursor) : undefined,
      ),
    )
    .orderBy(asc(bids.id))
    .limit(input.limit + 1);
  return toPage(
    rows,
    input.limit,
    (r) => r.id,
    (r) => shown(bidView(r), redactPrice),
  );
}

export async function getBid(ctx: Ctx, input: { loadId: string; bidId: string }): Promise<BidView> {
  const { load, own, redactPrice } = await bidScope(ctx, input.loadId);
  const [row] = await ctx.db
    .select()
    .from(bids)
    .where(and(eq(bids.id, input.bidId), eq(bids.loadId, load.id), own));
  if (!row) throw NotFoundError.of("bid", input.bidId);
  return shown(bidView(row), redactPrice);
}

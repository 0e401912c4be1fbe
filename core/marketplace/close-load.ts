import { and, eq, lte, ne, sql } from "drizzle-orm";
import {
  type Bid,
  bids,
  type Load,
  loads,
  waybillEvents,
  waybillLegs,
  waybills,
} from "../../db/schema";
import type { Ctx } from "../context";
import { withTransaction } from "../transaction";
import { awardInTx } from "./award";
import { bidderEvents, shipperEvent, transitionLoad } from "./transition";

/**
 * The published best-value weighting. Each criterion is scaled to 0..1 across the competing
 * bids (0 = best) and the lowest weighted sum wins; ties go to the earlier bid.
 */
const BEST_VALUE_WEIGHTS = { price: 0.5, transitTime: 0.2, co2e: 0.15, onTime: 0.15 };

/** Share of a carrier's finished waybills delivered by the last leg's planned arrival. */
async function onTimeRecords(ctx: Ctx, carrierIds: string[]): Promise<Map<string, number>> {
  if (carrierIds.length === 0) return new Map();
  const rows = await ctx.db.execute<{ carrier_id: string; on_time: number | null }>(sql`
    select w.carrier_id,
           avg(case when d.occurred_at <= l.planned_arrival then 1.0 else 0.0 end)::float8 as on_time
      from ${waybills} w
      join lateral (select max(${waybillLegs.plannedArrival}) as planned_arrival from ${waybillLegs}
                     where ${waybillLegs.waybillNumber} = w.number) l on true
      join lateral (select min(${waybillEvents.occurredAt}) as occurred_at from ${waybillEvents}
                     where ${waybillEvents.waybillNumber} = w.number
                       and ${waybillEvents.type} = 'delivered') d on d.occurred_at is not null
     where w.carrier_id in ${carrierIds}
     group by w.carrier_id`);
  return new Map(rows.map((r) => [r.carrier_id, r.on_time ?? 0.5]));
}

const scale = (v: number, min: number, max: number) => (max > min ? (v - min) / (max - min) : 0);

/**
 * Picks the winner by the load's rule. Prices are compared in one currency: the reserve
 * price's, else the currency most bids use.
 */
async function pickWinner(ctx: Ctx, load: Load, live: Bid[]): Promise<Bid | undefined> {
  const counts = new Map<string, number>();
  for (const b of live) counts.set(b.currency, (counts.get(b.currency) ?? 0) + 1);
  const currency =
    load.reserveCurrency ??
    [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
  const eligible = live
    .filter((b) => b.currency === currency)
    .filter((b) => load.reserveAmount === null || b.amount <= load.reserveAmount)
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  if (eligible.length === 0) return undefined;
  if (load.awardRule === "lowest_price") {
    return eligible.reduce((best, b) => (b.amount < best.amount ? b : best));
  }
  const onTime = await onTimeRecords(ctx, [...new Set(eligible.map((b) => b.carrierId))]);
  const price = eligible.map((b) => b.amount);
  const hours = eligible.map((b) => (b.deliveryAt.getTime() - b.pickupAt.getTime()) / 3.6e6);
  const co2 = eligible.map((b) => b.co2eKg);
  const w = BEST_VALUE_WEIGHTS;
  let best: { bid: Bid; score: number } | undefined;
  eligible.forEach((bid, i) => {
    const score =
      w.price * scale(price[i] ?? 0, Math.min(...price), Math.max(...price)) +
      w.transitTime * scale(hours[i] ?? 0, Math.min(...hours), Math.max(...hours)) +
      w.co2e * scale(co2[i] ?? 0, Math.min(...co2), Math.max(...co2)) +
      w.onTime * (1 - (onTime.get(bid.carrierId) ?? 0.5));
    if (!best || score < best.score) best = { bid, score };
  });
  return best?.bid;
}

export type CloseOutcome =
  | { outcome: "awarded"; waybill: string; bidId: string }
  | { outcome: "unawarded" }
  | { outcome: "skipped"; why: "not_open" | "not_closed_yet" | "manual_rule" };

/**
 * Runs when bidding closes (a delayed job at `biddingClosesAt`, and a periodic sweep as the
 * backstop): applies the load's rule, or marks it `unawarded` when no bid is eligible.
 * Safe to run twice or concurrently with a manual award: the award is a conditional update.
 */
export async function closeLoad(ctx: Ctx, input: { loadId: string }): Promise<CloseOutcome> {
  return withTransaction(ctx, async (tx) => {
    const [row] = await tx.db
      .select({ load: loads, closed: sql<boolean>`${loads.biddingClosesAt} <= now()` })
      .from(loads)
      .where(eq(loads.id, input.loadId))
      .for("no key update");
    if (row?.load.status !== "open") return { outcome: "skipped", why: "not_open" };
    if (!row.closed) return { outcome: "skipped", why: "not_closed_yet" };
    const load = row.load;
    if (load.awardRule === "manual") return { outcome: "skipped", why: "manual_rule" };
    const live = await tx.db
      .select()
      .from(bids)
      .where(
        and(eq(bids.loadId, load.id), eq(bids.status, "live"), sql`${bids.validUntil} > now()`),
      );
    const winner = await pickWinner(tx, load, live);
    if (winner) {
      const waybill = await awardInTx(tx, {
        loadId: load.id,
        bidId: winner.id,
        auto: load.awardRule,
      });
      return { outcome: "awarded", waybill: waybill.number, bidId: winner.id };
    }
    return markUnawarded(tx, load, live.length);
  });
}

/** No eligible bid: the load closes unawarded and every live bid is lost. */
async function markUnawarded(
  tx: Ctx & { tx: object },
  load: Load,
  liveBids: number,
): Promise<CloseOutcome> {
  const done = await transitionLoad(tx, {
    load,
    to: { set: { status: "unawarded" }, closed: true, whileOpen: true },
    bids: { live: "lost" },
    audit: () => ({
      action: "load.unawarded",
      entityType: "load",
      entityId: load.id,
      data: { rule: load.awardRule, liveBids },
    }),
    feed: ({ bids }) => [
      shipperEvent(load, "load.unawarded", { loadId: load.id, rule: load.awardRule }),
      ...bidderEvents(load.id, bids, () => ({ type: "bid.lost" })),
    ],
  });
  return done ? { outcome: "unawarded" } : { outcome: "skipped", why: "not_open" };
}

/** Open loads with an automatic rule whose bidding has closed: the sweep's work list. */
export async function dueLoads(ctx: Ctx, limit = 100): Promise<string[]> {
  const rows = await ctx.db
    .select({ id: loads.id })
    .from(loads)
    .where(
      and(
        eq(loads.status, "open"),
        ne(loads.awardRule, "manual"),
        lte(loads.biddingClosesAt, sql`now()`),
      ),
    )
    .limit(limit);
  return rows.map((r) => r.id);
}

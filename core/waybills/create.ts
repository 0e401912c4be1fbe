import {
  drawWaybillNumber,
  insertWaybill,
  insertWaybillEvent,
  insertWaybillLegs,
} from "../../db/queries/waybills";
import type {
  Cargo,
  HandoverPoint,
  LegFigures,
  Mode,
  Place,
  Waybill,
  WaybillLeg,
  WaybillRoute,
} from "../../db/schema";
import type { RoutingEngine } from "../../routing/engine";
import { recordAudit } from "../audit/append";
import type { Ctx, TxState } from "../context";
import { shareWithPartners } from "../federation/outbox";
import { emitFeed, type FeedItem } from "../feed/emit";
import { placeLabel } from "../marketplace/places";
import { markForReports } from "../reports/setup";
import { signEvent } from "./integrity";
import { fingerprint } from "./lifecycle";
import { formatWaybillNumber } from "./number";

export interface LegDraft {
  mode: Mode;
  carrierId: string;
  from: Place;
  to: Place;
  plannedDeparture: Date;
  plannedArrival: Date;
  /** The leg's figures from the routing quote the waybill follows. */
  figures?: LegFigures;
}

export interface WaybillDraft {
  loadId?: string;
  bidId?: string;
  shipperId: string;
  carrierId: string;
  origin: Place;
  destination: Place;
  cargo: Cargo;
  price: { amount: number; currency: string };
  legs: LegDraft[];
  /** The routing quote followed: its totals, and its crossings and transshipments as points. */
  quoted?: { route: WaybillRoute; points: HandoverPoint[] };
}

/** Planned legs from a route plan; missing times are spread evenly between pickup and delivery. */
export function planLegs(
  carrierId: string,
  pickupAt: Date,
  deliveryAt: Date,
  legs: {
    mode: Mode;
    from: Place;
    to: Place;
    departAt?: string;
    arriveAt?: string;
    /** The leg's own carrier, when it is not `carrierId`. */
    carrierId?: string;
  }[],
): LegDraft[] {
  const span = deliveryAt.getTime() - pickupAt.getTime();
  return legs.map((l, i) => ({
    mode: l.mode,
    carrierId: l.carrierId ?? carrierId,
    from: l.from,
    to: l.to,
    plannedDeparture: l.departAt
      ? new Date(l.departAt)
      : new Date(pickupAt.getTime() + (span * i) / legs.length),
    plannedArrival: l.arriveAt
      ? new Date(l.arriveAt)
      : new Date(pickupAt.getTime() + (span * (i + 1)) / legs.length),
  }));
}

/**
 * Explicit handover points: a border crossing wherever a leg changes country, and a
 * transshipment wherever consecutive legs change mode or rail gauge.
 */
function handoverPoints(network: RoutingEngine, legs: LegDraft[]): HandoverPoint[] {
  const gauges = (p: Place) => (p.hub ? (network.hub(p.hub)?.railGauges ?? []) : []);
  const points: HandoverPoint[] = [];
  legs.forEach((leg, i) => {
    if (leg.from.country && leg.to.country && leg.from.country !== leg.to.country) {
      points.push({
        kind: "border_crossing",
        afterLeg: i,
        place: leg.to,
        note: `${leg.from.country} → ${leg.to.country}`,
      });
    }
    const next = legs[i + 1];
    if (!next) return;
    if (next.mode !== leg.mode) {
      points.push({
        kind: "transshipment",
        afterLeg: i,
        place: leg.to,
        note: `${leg.mode} → ${next.mode} at ${placeLabel(leg.to)}`,
      });
    } else if (leg.mode === "rail") {
      const a = gauges(leg.from);
      const b = gauges(next.to);
      if (a.length > 0 && b.length > 0 && !a.some((g) => b.includes(g))) {
        points.push({
          kind: "transshipment",
          afterLeg: i,
          place: leg.to,
          note: `gauge change ${a.join("/")} → ${b.join("/")} mm`,
        });
      }
    }
  });
  return points;
}

/**
 * Issues a waybill inside the caller's transaction: number from the node's sequence, legs,
 * the `created` event, audit entry and feed events for shipper and carriers.
 */
export async function issueWaybill(
  ctx: Ctx & { tx: TxState },
  draft: WaybillDraft,
): Promise<{ waybill: Waybill; legs: WaybillLeg[] }> {
  const next = await drawWaybillNumber(ctx.db);
  const number = formatWaybillNumber(ctx.nodeCode ?? "XJ", next.year, next.seq);
  const now = ctx.clock.now();
  const waybill = await insertWaybill(ctx.db, {
    number,
    loadId: draft.loadId ?? null,
    bidId: draft.bidId ?? null,
    shipperId: draft.shipperId,
    carrierId: draft.carrierId,
    origin: draft.origin,
    destination: draft.destination,
    cargo: draft.cargo,
    priceAmount: draft.price.amount,
    priceCurrency: draft.price.currency,
    points: draft.quoted?.points ?? handoverPoints(ctx.network, draft.legs),
    route: draft.quoted?.route ?? null,
    status: "created",
    createdAt: now,
    updatedAt: now,
  });
  // Sent together: the report mark costs no round trip of its own.
  const [legs] = await Promise.all([
    insertWaybillLegs(ctx.db, number, draft.legs),
    markForReports(ctx, [number]),
  ]);
  const created = {
    type: "created" as const,
    occurredAt: now,
    location: draft.origin,
    details: {},
  };
  const signed = { waybillNumber: number, ...created, fingerprint: fingerprint(created) };
  const createdRow = await insertWaybillEvent(ctx.db, {
    ...signed,
    reportedBy: "orgId" in ctx.actor ? ctx.actor.orgId : null,
    ...(await signEvent(ctx, signed)),
  });
  recordAudit(ctx, {
    action: "waybill.created",
    entityType: "waybill",
    entityId: number,
    data: { ...draft, legs: draft.legs },
  });
  await emitFeed(
    ctx,
    partyEvents(waybill, legs, "waybill.created", {
      number,
      loadId: draft.loadId ?? null,
      status: "created",
    }),
  );
  await shareWithPartners(ctx, {
    waybill,
    legs,
    items: [{ type: "waybill" }, { type: "event", event: createdRow }],
    origin: ctx.nodeCode ?? "XJ",
  });
  return { waybill, legs };
}

/** One feed event for each party of a waybill: its shipper, its carrier and every leg's. */
export function partyEvents(
  waybill: Pick<Waybill, "number" | "shipperId" | "carrierId">,
  legs: readonly { carrierId: string }[],
  type: FeedItem["type"],
  data: Record<string, unknown>,
): FeedItem[] {
  const parties = new Set([waybill.shipperId, waybill.carrierId, ...legs.map((l) => l.carrierId)]);
  return [...parties].map((orgId) => ({
    orgId,
    type,
    entityType: "waybill",
    entityId: waybill.number,
    data,
  }));
}

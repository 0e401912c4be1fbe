import { type QuoteSummary, quoteSummary } from "../../db/queries/marketplace";
import type { BidLeg, HandoverPoint, LegFigures, Load, WaybillRoute } from "../../db/schema";
import type { Route } from "../../routing/describe";
import type { RoutingEngine } from "../../routing/engine";
import type { Ctx } from "../context";
import { UnprocessableError } from "../errors";
import { placeLabel, resolvePlace } from "./places";

/**
 * A bid citing a routing quote follows the quote's first route: its legs (hub to hub), its
 * crossings and transshipments, and its figures. The bid's CO2e is the route's, so the bid
 * and the quote it cites agree; the waybill awarded from it carries the same legs and points.
 */
export interface QuotedRoute {
  quoteId: string;
  summary: QuoteSummary;
  route: Route;
}

function refuse(reason: string, message: string, path: string): UnprocessableError {
  return new UnprocessableError(message, [{ path, message }], reason);
}

/** The carrier's own quote for the load's hubs and weight, refused by reason otherwise. */
export async function quotedRouteFor(
  ctx: Ctx,
  load: Load,
  carrierId: string,
  quoteId: string,
): Promise<QuotedRoute> {
  const summary = await quoteSummary(ctx.db, quoteId, carrierId);
  if (!summary) {
    throw refuse("QUOTE_NOT_FOUND", `no route quote ${quoteId} of this carrier`, "quoteId");
  }
  const wrongFrom = load.originHub !== null && summary.from !== load.originHub;
  const wrongTo = load.destinationHub !== null && summary.to !== load.destinationHub;
  if (wrongFrom || wrongTo) {
    throw refuse(
      "QUOTE_MISMATCH",
      `quote ${quoteId} is for ${summary.from} → ${summary.to}, the load for ${load.originHub ?? "an address"} → ${load.destinationHub ?? "an address"}`,
      "quoteId",
    );
  }
  // The quote's cost and CO2e are for the weight it was asked for: another weight is another
  // shipment, and its figures would not be the load's.
  if (summary.weightKg !== load.weightKg) {
    throw refuse(
      "QUOTE_MISMATCH",
      `quote ${quoteId} is for ${summary.weightKg} kg, the load is ${load.weightKg} kg`,
      "quoteId",
    );
  }
  const route = summary.route as Route | null;
  if (!route || !Array.isArray(route.legs) || route.legs.length === 0) {
    throw refuse("QUOTE_NOT_FOUND", `route quote ${quoteId} holds no route`, "quoteId");
  }
  return { quoteId, summary, route };
}

/** The route's legs as a bid's, their times moved from the quote's departure to `pickupAt`. */
export function quotedLegs(network: RoutingEngine, q: QuotedRoute, pickupAt: Date): BidLeg[] {
  const first = q.route.legs[0];
  const shift = first ? pickupAt.getTime() - Date.parse(first.departAt) : 0;
  const at = (iso: string) => new Date(Date.parse(iso) + shift).toISOString();
  return q.route.legs.map((l, i) => ({
    mode: l.mode,
    from: resolvePlace(network, `quoteId.legs.${i}.from`, l.from),
    to: resolvePlace(network, `quoteId.legs.${i}.to`, l.to),
    departAt: at(l.departAt),
    arriveAt: at(l.arriveAt),
  }));
}

/** Each leg's figures, as the quote gave them. */
export function quotedFigures(q: QuotedRoute): LegFigures[] {
  return q.route.legs.map((l) => ({
    linkId: l.linkId,
    distanceKm: l.distanceKm,
    durationHours: l.durationHours,
    waitHours: l.waitHours,
    cost: l.cost,
    currency: q.route.totals.currency,
    co2eKg: l.co2eKg,
    vehicles: l.vehicles,
    vehicleUnit: l.vehicleUnit,
    ...(l.crossing ? { crossing: l.crossing } : {}),
    ...(l.gauge ? { gauge: l.gauge } : {}),
  }));
}

/** The route's totals as the waybill keeps them. */
export function quotedTotals(q: QuotedRoute): WaybillRoute {
  const t = q.route.totals;
  return {
    quoteId: q.quoteId,
    route: 0,
    distanceKm: t.distanceKm,
    durationHours: t.durationHours,
    cost: t.cost,
    currency: t.currency,
    co2eKg: t.co2eKg,
    factorTable: q.summary.factorTable ?? q.route.emissions.factorTable,
  };
}

/**
 * The route's handover points: a border crossing after the leg that crosses it (named by the
 * network's crossing), and a transshipment at each hub where the quote changes mode or gauge.
 * Terminal handling at the two ends hands nothing over and is left out.
 */
export function quotedPoints(network: RoutingEngine, q: QuotedRoute): HandoverPoint[] {
  const legs = q.route.legs;
  const country = (hub: string) => network.hub(hub)?.country ?? "?";
  const points: HandoverPoint[] = [];
  let from = 0;
  for (const stop of q.route.stops) {
    if (stop.type === "crossing") {
      const i = legs.findIndex((l, k) => k >= from && l.crossing === stop.crossing);
      const leg = legs[i];
      if (!leg) continue;
      points.push({
        kind: "border_crossing",
        afterLeg: i,
        place: resolvePlace(network, "quoteId", leg.to),
        note: `${country(stop.from)} → ${country(stop.to)} at ${stop.name}`,
        crossing: stop.crossing,
      });
      from = i;
    } else if (stop.type === "gauge-change" || stop.type === "mode-change") {
      const i = legs.findIndex((l, k) => k >= from && l.to === stop.hub && legs[k + 1]);
      const leg = legs[i];
      if (!leg) continue;
      const place = resolvePlace(network, "quoteId", leg.to);
      points.push({
        kind: "transshipment",
        afterLeg: i,
        place,
        note:
          stop.type === "gauge-change"
            ? `gauge change ${stop.fromGauge} → ${stop.toGauge} mm at ${placeLabel(place)}`
            : `${stop.fromMode} → ${stop.toMode} at ${placeLabel(place)}`,
      });
      from = i + 1;
    }
  }
  return points;
}

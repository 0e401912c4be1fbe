import {
  type Waybill,
  type WaybillEvent,
  type WaybillLeg,
  waybillClasses,
  waybillEventClasses,
  waybillLegClasses,
} from "../../db/schema";
import { type Classification, redact } from "../../db/schema/classification";

export interface WaybillView {
  number: string;
  status: Waybill["status"];
  loadId?: string | null;
  bidId?: string | null;
  shipperId: string;
  carrierId: string;
  origin: Waybill["origin"];
  destination: Waybill["destination"];
  cargo?: NonNullable<Waybill["cargo"]>;
  price?: { amount: number; currency: string };
  legs: {
    seq: number;
    mode: WaybillLeg["mode"];
    carrierId: string;
    from: WaybillLeg["from"];
    to: WaybillLeg["to"];
    plannedDeparture: string;
    plannedArrival: string;
    /** From the routing quote the waybill follows. */
    figures?: NonNullable<WaybillLeg["figures"]>;
  }[];
  points: Waybill["points"];
  /** The routing quote the waybill follows and the route's totals. */
  route?: NonNullable<Waybill["route"]>;
  /** The node that issued it: this node's code for its own, a partner's on a replica. */
  homeNode: string | null;
  createdAt: string;
}

/**
 * Regulators get the `internal` ceiling: no price; partners would get `public`. A replica
 * holds only what its agreement shared: a field it lacks is absent, as if redacted.
 */
export function waybillView(
  w: Waybill,
  legs: WaybillLeg[],
  ceiling: Classification,
  ownCode: string | null = null,
): WaybillView {
  const r = redact(w, waybillClasses, ceiling);
  return {
    number: w.number,
    status: w.status,
    loadId: r.loadId,
    bidId: r.bidId,
    shipperId: w.shipperId,
    carrierId: w.carrierId,
    origin: w.origin,
    destination: w.destination,
    cargo: r.cargo ?? undefined,
    price:
      r.priceAmount != null && r.priceCurrency != null
        ? { amount: r.priceAmount, currency: r.priceCurrency }
        : undefined,
    legs: [...legs]
      .sort((a, b) => a.seq - b.seq)
      .map((l) => ({
        seq: l.seq,
        mode: l.mode,
        carrierId: l.carrierId,
        from: l.from,
        to: l.to,
        plannedDeparture: l.plannedDeparture.toISOString(),
        plannedArrival: l.plannedArrival.toISOString(),
        figures: redact(l, waybillLegClasses, ceiling).figures ?? undefined,
      })),
    points: w.points,
    route: r.route ?? undefined,
    homeNode: w.homeNode ?? ownCode,
    createdAt: w.createdAt.toISOString(),
  };
}

export interface WaybillEventView {
  id: number;
  type: WaybillEvent["type"];
  occurredAt: string;
  location: WaybillEvent["location"];
  details?: Record<string, unknown>;
  recordedAt: string;
}

export function waybillEventView(e: WaybillEvent, ceiling: Classification): WaybillEventView {
  const r = redact(e, waybillEventClasses, ceiling);
  return {
    id: e.id,
    type: e.type,
    occurredAt: e.occurredAt.toISOString(),
    location: e.location,
    details: r.details,
    recordedAt: e.recordedAt.toISOString(),
  };
}

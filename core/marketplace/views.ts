import type { Bid, Load } from "../../db/schema";
import type { Actor } from "../context";

export interface LoadView {
  id: string;
  status: Load["status"];
  shipperId?: string;
  origin: Load["origin"];
  destination: Load["destination"];
  cargo?: Load["cargo"];
  weightKg: number;
  volumeM3: number;
  pickupWindow: { from: string; to: string };
  deliverBy: string;
  modes: Load["modes"];
  reservePrice?: { amount: number; currency: string } | null;
  biddingClosesAt: string;
  awardRule: Load["awardRule"];
  earlyAward: boolean;
  awardedBidId?: string | null;
  cancelReason?: string | null;
  createdAt: string;
  version?: number;
}

/** Owner and admins see everything; carriers and regulators do not see the reserve price. */
export function loadView(load: Load, actor: Actor): LoadView {
  const owner =
    actor.kind === "admin" ||
    actor.kind === "system" ||
    ("orgId" in actor && actor.orgId === load.shipperId);
  const reservePrice =
    load.reserveAmount !== null && load.reserveCurrency !== null
      ? { amount: load.reserveAmount, currency: load.reserveCurrency }
      : null;
  return {
    id: load.id,
    status: load.status,
    shipperId: load.shipperId,
    origin: load.origin,
    destination: load.destination,
    cargo: load.cargo,
    weightKg: load.weightKg,
    volumeM3: load.volumeM3,
    pickupWindow: { from: load.pickupFrom.toISOString(), to: load.pickupTo.toISOString() },
    deliverBy: load.deliverBy.toISOString(),
    modes: load.modes,
    ...(owner ? { reservePrice, cancelReason: load.cancelReason, version: load.version } : {}),
    biddingClosesAt: load.biddingClosesAt.toISOString(),
    awardRule: load.awardRule,
    earlyAward: load.earlyAward,
    awardedBidId: owner || actor.kind === "regulator" ? load.awardedBidId : undefined,
    createdAt: load.createdAt.toISOString(),
  };
}

export interface BidView {
  id: string;
  loadId: string;
  carrierId: string;
  status: Bid["status"];
  revision: number;
  /** Absent for regulators: prices are commercial secrets. */
  price?: { amount: number; currency: string };
  mode: Bid["mode"];
  legs: Bid["legs"];
  quoteId: string | null;
  vehicleIds: string[];
  pickupAt: string;
  deliveryAt: string;
  validUntil: string;
  co2eKg: number;
  createdAt: string;
  updatedAt: string;
}

export function bidView(bid: Bid): BidView {
  return {
    id: bid.id,
    loadId: bid.loadId,
    carrierId: bid.carrierId,
    status: bid.status,
    revision: bid.revision,
    price: { amount: bid.amount, currency: bid.currency },
    mode: bid.mode,
    legs: bid.legs,
    quoteId: bid.quoteId,
    vehicleIds: bid.vehicleIds,
    pickupAt: bid.pickupAt.toISOString(),
    deliveryAt: bid.deliveryAt.toISOString(),
    validUntil: bid.validUntil.toISOString(),
    co2eKg: bid.co2eKg,
    createdAt: bid.createdAt.toISOString(),
    updatedAt: bid.updatedAt.toISOString(),
  };
}

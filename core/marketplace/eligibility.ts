import type { BidLeg, Load, Mode, Place } from "../../db/schema";
import type { RoutingEngine } from "../../routing/engine";
import type { Ctx } from "../context";
import { ForbiddenError, UnprocessableError } from "../errors";
import { distanceKm, type PlaceInput, placeLabel, resolveEnds } from "./places";
import { quotedLegs, quotedRouteFor } from "./quoted-route";
import { type CarrierProfile, permittedClasses } from "./visibility";

export interface BidInput {
  price: { amount: number; currency: string };
  mode?: Mode;
  legs?: { mode: Mode; from: PlaceInput; to: PlaceInput; departAt?: string; arriveAt?: string }[];
  vehicleIds: string[];
  pickupAt: string;
  deliveryAt: string;
  validUntil: string;
  quoteId?: string;
}

/**
 * A bid's CO2e estimate, for ranking by best value: the great-circle distance with a detour
 * factor per mode, times the network's versioned well-to-wheel factor for a typical unit of
 * that mode (`seed/network/emission-factors.json`).
 */
const TYPICAL_FACTOR: Record<Mode, string> = {
  road: "road-hgv",
  rail: "rail-average",
  sea: "sea-container-short",
  air: "air-freighter-long-haul",
};
const DETOUR: Record<Mode, number> = { road: 1.25, rail: 1.2, sea: 1.4, air: 1.05 };

/** Grams CO2e per tonne-km of a typical unit of `mode`, from the network's factor table. */
function factorOf(network: RoutingEngine, mode: Mode): number {
  const factor = network.data.emissionFactors.factors[TYPICAL_FACTOR[mode]];
  if (!factor) throw new Error(`emission factor ${TYPICAL_FACTOR[mode]} is missing`);
  return factor.value;
}

function refuse(reason: string, message: string, path?: string): UnprocessableError {
  return new UnprocessableError(message, path ? [{ path, message }] : [], reason);
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * A bid citing a quote follows its route: legs the bid gives too must be the route's, and a
 * `mode` it gives must be one of the route's.
 */
function requireQuotedPlan(
  quoted: BidLeg[],
  given: BidLeg[] | null,
  mode: Mode | undefined,
  quoteId: string,
): void {
  const key = (l: BidLeg) => `${l.mode} ${placeLabel(l.from)} ${placeLabel(l.to)}`;
  if (given && given.map(key).join("|") !== quoted.map(key).join("|")) {
    throw refuse(
      "QUOTE_MISMATCH",
      `the legs are not those of quote ${quoteId}: ${quoted.map(key).join(", ")}`,
      "legs",
    );
  }
  if (mode && !quoted.some((l) => l.mode === mode)) {
    throw refuse("QUOTE_MISMATCH", `quote ${quoteId} has no ${mode} leg`, "mode");
  }
}

export interface CheckedBid {
  mode: Mode;
  legs: BidLeg[] | null;
  co2eKg: number;
  pickupAt: Date;
  deliveryAt: Date;
  validUntil: Date;
}

/**
 * Everything that makes a bid acceptable apart from the clock: each refusal names its reason
 * (`MODE_NOT_ALLOWED`, `LICENCE_EXPIRED`, `CAPACITY_INSUFFICIENT`, …). The checks run in a
 * fixed order, so a bid wrong in several ways is always refused for the same one.
 */
export async function checkBid(
  ctx: Ctx,
  load: Load,
  carrier: CarrierProfile,
  input: BidInput,
): Promise<CheckedBid> {
  if (carrier.status !== "verified") {
    throw new ForbiddenError("the carrier is not verified", [], "CARRIER_NOT_VERIFIED");
  }
  // A cited quote is read first: its route gives the bid's legs, modes and CO2e.
  const quoted = input.quoteId
    ? await quotedRouteFor(ctx, load, carrier.id, input.quoteId)
    : undefined;
  const given: BidLeg[] | null = input.legs
    ? input.legs.map((l, i) => ({
        mode: l.mode,
        ...resolveEnds(ctx.network, `legs.${i}`, l),
        ...(l.departAt ? { departAt: l.departAt } : {}),
        ...(l.arriveAt ? { arriveAt: l.arriveAt } : {}),
      }))
    : null;
  let legs = given;
  if (quoted) {
    legs = quotedLegs(ctx.network, quoted, new Date(input.pickupAt));
    requireQuotedPlan(legs, given, input.mode, quoted.quoteId);
  }
  const modes = checkModes(load, carrier, legs, legs ? undefined : input.mode);
  const times = checkTimes(load, input);
  checkQualifications(load, carrier.qualifications, day(times.pickupAt));
  if (load.reserveCurrency && input.price.currency !== load.reserveCurrency) {
    throw refuse(
      "CURRENCY_MISMATCH",
      `bid in the reserve price's currency, ${load.reserveCurrency}`,
      "price.currency",
    );
  }
  checkFleet(load, carrier, modes.all, input.vehicleIds);
  const stretches = legs ?? [{ mode: modes.primary, from: load.origin, to: load.destination }];
  // Cited, the quote's CO2e (its links' distances and factors, its vehicles and hub handling);
  // otherwise an estimate from the great circle.
  const co2eKg = quoted ? quoted.route.totals.co2eKg : co2eOf(ctx.network, load, stretches);
  return { mode: modes.primary, legs, co2eKg, ...times };
}

/** The bid's modes (its one mode, or each leg's): allowed by the load, operated by the carrier. */
function checkModes(
  load: Load,
  carrier: CarrierProfile,
  legs: BidLeg[] | null,
  mode: Mode | undefined,
): { primary: Mode; all: Mode[] } {
  const all: Mode[] = legs ? legs.map((l) => l.mode) : mode ? [mode] : [];
  const [primary] = all;
  if (!primary) throw refuse("MODE_REQUIRED", "give a mode or legs", "mode");
  for (const [i, m] of all.entries()) {
    const path = legs ? `legs.${i}.mode` : "mode";
    if (!load.modes.includes(m)) {
      throw refuse("MODE_NOT_ALLOWED", `the load allows ${load.modes.join(", ")}, not ${m}`, path);
    }
    if (!carrier.modes.includes(m)) {
      throw refuse("MODE_NOT_OPERATED", `the carrier does not operate ${m}`, path);
    }
  }
  return { primary, all };
}

/** Pickup in the load's window, delivery after pickup and by the load's deadline. */
function checkTimes(
  load: Load,
  input: BidInput,
): Pick<CheckedBid, "pickupAt" | "deliveryAt" | "validUntil"> {
  const pickupAt = new Date(input.pickupAt);
  const deliveryAt = new Date(input.deliveryAt);
  if (pickupAt < load.pickupFrom || pickupAt > load.pickupTo) {
    throw refuse(
      "PICKUP_OUTSIDE_WINDOW",
      "pickupAt must fall in the load's pickup window",
      "pickupAt",
    );
  }
  if (deliveryAt <= pickupAt) {
    throw refuse("DELIVERY_BEFORE_PICKUP", "deliveryAt must be after pickupAt", "deliveryAt");
  }
  if (deliveryAt > load.deliverBy) {
    throw refuse("DELIVERY_TOO_LATE", "deliveryAt is after the load's deliverBy", "deliveryAt");
  }
  return { pickupAt, deliveryAt, validUntil: new Date(input.validUntil) };
}

/** Licence, insurance and any dangerous-goods permit, each valid on the pickup day. */
function checkQualifications(
  load: Load,
  q: CarrierProfile["qualifications"],
  pickupDay: string,
): void {
  if (!q.operatingLicence || q.operatingLicence.expiresOn < pickupDay) {
    throw refuse("LICENCE_EXPIRED", "the operating licence is not valid at pickup");
  }
  if (!q.insurance || q.insurance.expiresOn < pickupDay) {
    throw refuse("INSURANCE_EXPIRED", "the insurance is not valid at pickup");
  }
  if (!load.dgClass) return;
  if (!q.dangerousGoods) {
    throw refuse("DG_PERMIT_MISSING", `the load is dangerous goods class ${load.dgClass}`);
  }
  if (!permittedClasses(q, pickupDay).includes(load.dgClass)) {
    throw refuse(
      "DG_CLASS_NOT_COVERED",
      `the dangerous-goods permit does not cover class ${load.dgClass} at pickup`,
    );
  }
}

/** The named vehicles are the carrier's, of the bid's modes, and carry the load per mode. */
function checkFleet(
  load: Load,
  carrier: CarrierProfile,
  modes: readonly Mode[],
  vehicleIds: readonly string[],
): void {
  // lockLoadForBidding reads the named vehicles with the carrier's profile.
  const fleet = carrier.fleet;
  if (!fleet) throw new Error("checkBid needs the carrier's fleet (lockLoadForBidding vehicleIds)");
  for (const [i, id] of vehicleIds.entries()) {
    const v = fleet.find((f) => f.id === id);
    if (!v || v.carrierId !== carrier.id) {
      throw refuse(
        "VEHICLE_NOT_FOUND",
        `no vehicle ${id} in the carrier's fleet`,
        `vehicleIds.${i}`,
      );
    }
    if (!modes.includes(v.mode)) {
      throw refuse("VEHICLE_MODE_MISMATCH", `vehicle ${id} is ${v.mode}`, `vehicleIds.${i}`);
    }
  }
  for (const m of new Set(modes)) {
    const units = fleet.filter((v) => v.mode === m);
    const kg = units.reduce((s, v) => s + v.capacityKg, 0);
    const m3 = units.reduce((s, v) => s + v.capacityM3, 0);
    if (kg < load.weightKg || m3 < load.volumeM3) {
      throw refuse(
        "CAPACITY_INSUFFICIENT",
        `${m} vehicles carry ${kg} kg / ${m3} m³; the load is ${load.weightKg} kg / ${load.volumeM3} m³`,
        "vehicleIds",
      );
    }
  }
}

/** Estimated kg CO2e of carrying the load over the stretches, to one decimal. */
function co2eOf(
  network: RoutingEngine,
  load: Load,
  stretches: readonly { mode: Mode; from: Place; to: Place }[],
): number {
  const tonnes = load.weightKg / 1000;
  const kg = stretches.reduce(
    (s, l) =>
      s + (distanceKm(l.from, l.to) * DETOUR[l.mode] * tonnes * factorOf(network, l.mode)) / 1000,
    0,
  );
  return Math.round(kg * 10) / 10;
}

/** The columns a bid takes from its input once checked, alike on placing and revising. */
export function bidTerms(input: BidInput, checked: CheckedBid) {
  return {
    amount: input.price.amount,
    currency: input.price.currency,
    mode: checked.mode,
    legs: checked.legs,
    quoteId: input.quoteId ?? null,
    vehicleIds: input.vehicleIds,
    pickupAt: checked.pickupAt,
    deliveryAt: checked.deliveryAt,
    validUntil: checked.validUntil,
    co2eKg: checked.co2eKg,
  };
}

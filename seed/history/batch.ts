import { createHash } from "node:crypto";
import { formatWaybillNumber } from "../../core/waybills/number";
import type { Cargo } from "../../db/schema";
import { cargo } from "./cargo";
import { seededId } from "./ids";
import { type JourneyEvent, journey } from "./journey";
import type { WeightedLane } from "./lanes";
import type { Parties, SeedOrganization } from "./parties";
import type { Places } from "./places";
import { type Random, WeightedTable } from "./random";
import { openOn, REFERENCE_TONNES, type RouteOption } from "./routes";
import { iso, jsonField, type TextSink, textArray } from "./text";

const HOUR = 3_600_000;

/** Rows of one batch, as COPY text per table. */
export interface BatchText {
  loads: TextSink;
  bids: TextSink;
  waybills: TextSink;
  legs: TextSink;
  events: TextSink;
  rows: number;
}

export interface World {
  rng: Random;
  places: Places;
  lanes: WeightedTable<WeightedLane>;
  parties: Parties;
  byMode: { road: SeedOrganization[]; rail: SeedOrganization[]; any: SeedOrganization[] };
  nodeCode: string;
  until: number;
}

export function makeWorld(base: Omit<World, "lanes" | "byMode">, lanes: WeightedLane[]): World {
  const carriers = base.parties.carriers;
  return {
    ...base,
    lanes: new WeightedTable(
      lanes,
      lanes.map((l) => l.weight),
    ),
    byMode: {
      road: carriers.filter((c) => c.modes.includes("road")),
      rail: carriers.filter((c) => c.modes.includes("rail")),
      any: carriers,
    },
  };
}

/** A lane and route open on `at` (Khunjerab traffic moves elsewhere in winter). */
function chooseRoute(w: World, at: number): { option: RouteOption; eastbound: boolean } {
  for (;;) {
    const { lane } = w.lanes.pick(w.rng);
    for (let tries = 0; tries < 4; tries++) {
      const option = lane.options.pick(w.rng);
      if (openOn(option, at)) return { option, eastbound: lane.to.startsWith("CN-") };
    }
  }
}

function carrierFor(w: World, mode: string): SeedOrganization {
  const list = mode === "road" ? w.byMode.road : mode === "rail" ? w.byMode.rail : w.byMode.any;
  return w.rng.pick(list.length > 0 ? list : w.byMode.any);
}

function fingerprintOf(w: World, e: JourneyEvent, at: string, details: string): string {
  const location = e.hub ? w.places.of(e.hub).canonical : "null";
  const text = `{"details":${details},"location":${location},"occurredAt":"${at}","type":"${e.type}"}`;
  return createHash("sha256").update(text).digest("hex").slice(0, 32);
}

function eventLines(
  w: World,
  sink: TextSink,
  number: string,
  events: JourneyEvent[],
  reporters: string[],
  shipper: string,
): void {
  for (const e of events) {
    const at = iso(Math.floor(e.at));
    const details = e.details;
    const location = e.hub ? w.places.of(e.hub).json : "\\N";
    const reporter = e.leg < 0 ? shipper : (reporters[e.leg] ?? shipper);
    const recorded = iso(Math.floor(e.at) + 30_000 + (e.at % 600_000));
    sink.line(
      `${number}\t${e.type}\t${at}\t${location}\t${jsonField(details)}\t${fingerprintOf(w, e, at, details)}\t${reporter}\t${recorded}\t\\N\t\\N\t\\N\n`,
    );
  }
}

const pointsCache = new WeakMap<RouteOption, string>();

function pointsJson(w: World, option: RouteOption): string {
  let json = pointsCache.get(option);
  if (json === undefined) {
    json = jsonField(JSON.stringify(w.places.points(option.legs)));
    pointsCache.set(option, json);
  }
  return json;
}

interface Deal {
  loadId: string;
  bidId: string;
  shipper: SeedOrganization;
  carrier: SeedOrganization;
  amount: number;
  currency: string;
  pickupFrom: number;
  deliverBy: number;
}

/** The load a waybill was awarded from, with its bids: the winner and the losers. */
/** How a load ends: awarded (a waybill follows), closed without award, or withdrawn. */
type Fate = "awarded" | "unawarded" | "cancelled";

const BID_STATUS: Record<Fate, [winner: string, others: string]> = {
  awarded: ["awarded", "lost"],
  unawarded: ["lost", "lost"],
  cancelled: ["void", "void"],
};

function market(
  w: World,
  option: RouteOption,
  created: number,
  goods: Cargo,
  out: BatchText,
  fate: Fate = "awarded",
): Deal {
  const weightKg = goods.weightKg;
  const cargoJson = jsonField(JSON.stringify(goods));
  const { rng } = w;
  const first = option.legs[0];
  const last = option.legs[option.legs.length - 1];
  if (!first || !last) throw new Error("route without legs");
  const shipper = rng.pick(w.parties.shippers);
  const posted = created - (24 + rng.next() * 48) * HOUR;
  const pickupFrom = created + (12 + rng.next() * 24) * HOUR;
  const pickupTo = pickupFrom + 24 * HOUR;
  const deliverBy = pickupTo + (option.durationHours * 1.2 + 24) * HOUR;
  const loadId = seededId(rng, "ld", posted);
  const usd =
    option.costUsd * (weightKg / 1000 / REFERENCE_TONNES) ** 0.85 * (1.08 + rng.next() * 0.3);
  const currency = shipper.country === "CN" ? "CNY" : "USD";
  const price = Math.round(usd * (currency === "CNY" ? 7.1 : 1) * 100) / 100;
  const bidders = fate === "cancelled" ? rng.int(2) : 1 + rng.int(4);
  const [wins, loses] = BID_STATUS[fate];
  let winner = "";
  let winnerCarrier = carrierFor(w, first.mode);
  for (let b = 0; b < bidders; b++) {
    const carrier = b === 0 ? winnerCarrier : carrierFor(w, first.mode);
    const id = seededId(rng, "bid", posted + (1 + b + rng.next()) * HOUR);
    const amount = b === 0 ? price : Math.round(price * (1.02 + rng.next() * 0.3) * 100) / 100;
    const fleet = w.parties.fleet.get(carrier.id);
    const units = (first.mode === "rail" ? fleet?.rail : fleet?.road) ?? [];
    const vehicles = units.length > 0 ? [rng.pick(units)] : [];
    const bidAt = iso(posted + (1 + b) * HOUR);
    out.bids.line(
      `${id}\t${loadId}\t${carrier.id}\t${b === 0 ? wins : loses}\t1\t${amount.toFixed(2)}\t${currency}\t${first.mode}\t\\N\t\\N\t${textArray(vehicles)}\t${iso(pickupFrom)}\t${iso(pickupFrom + option.durationHours * HOUR)}\t${iso(created + 72 * HOUR)}\t${((option.co2eKg * weightKg) / 1000 / REFERENCE_TONNES).toFixed(1)}\t${bidAt}\t${iso(created)}\n`,
    );
    if (b === 0) winner = id;
    if (b === 0) winnerCarrier = carrier;
  }
  const modes = textArray(option.modes);
  out.loads.line(
    `${loadId}\t${shipper.id}\t${fate}\t${w.places.of(first.from).json}\t${w.places.of(last.to).json}\t${first.from}\t${last.to}\t${cargoJson}\t${weightKg}\t${goods.volumeM3}\t\\N\t${iso(pickupFrom)}\t${iso(pickupTo)}\t${iso(deliverBy)}\t${modes}\t\\N\t\\N\t${iso(created)}\tlowest_price\t${fate === "awarded" ? winner : "\\N"}\t${iso(created)}\t${fate === "cancelled" ? "shipper withdrew the load" : "\\N"}\t${iso(posted)}\t${iso(created)}\t2\n`,
  );
  return {
    loadId,
    bidId: winner,
    shipper,
    carrier: winnerCarrier,
    amount: price,
    currency,
    pickupFrom,
    deliverBy,
  };
}

/** One awarded load, its bids, the waybill, its legs and its events, appended to `out`. */
export function waybill(w: World, seq: number, created: number, out: BatchText): void {
  const { rng } = w;
  const { option, eastbound } = chooseRoute(w, created + 24 * HOUR);
  const first = option.legs[0];
  const last = option.legs[option.legs.length - 1];
  if (!first || !last) return;
  const goods = cargo(rng, eastbound, first.mode === "rail");
  const cargoJson = jsonField(JSON.stringify(goods));
  const deal = market(w, option, created, goods, out);
  // Some loads find no taker or are withdrawn: about one in twelve posted is never awarded.
  if (rng.chance(0.085)) {
    const fate = rng.chance(0.7) ? "unawarded" : "cancelled";
    market(
      w,
      option,
      created - rng.int(240) * HOUR,
      cargo(rng, eastbound, first.mode === "rail"),
      out,
      fate,
    );
  }
  const number = formatWaybillNumber(w.nodeCode, new Date(created).getUTCFullYear(), seq);
  const pickup = deal.pickupFrom + rng.next() * 18 * HOUR;
  const reporters: string[] = [];
  option.legs.forEach((leg, i) => {
    const carrier = deal.carrier.modes.includes(leg.mode) ? deal.carrier : carrierFor(w, leg.mode);
    reporters.push(carrier.id);
    out.legs.line(
      `${number}\t${i + 1}\t${leg.mode}\t${carrier.id}\t${w.places.of(leg.from).json}\t${w.places.of(leg.to).json}\t${iso(deal.pickupFrom + leg.depart * HOUR)}\t${iso(deal.pickupFrom + leg.arrive * HOUR)}\t\\N\n`,
    );
  });
  const events = journey(rng, { option, created, pickup, until: w.until });
  eventLines(w, out.events, number, events, reporters, deal.shipper.id);
  const lastEvent = events[events.length - 1];
  const status = lastEvent?.type ?? "created";
  const updated = iso(Math.floor(lastEvent?.at ?? created));
  out.waybills.line(
    `${number}\t${deal.loadId}\t${deal.bidId}\t${deal.shipper.id}\t${deal.carrier.id}\t${w.places.of(first.from).json}\t${w.places.of(last.to).json}\t${cargoJson}\t${deal.amount.toFixed(2)}\t${deal.currency}\t${pointsJson(w, option)}\t${status}\t\\N\t${iso(created)}\t${updated}\t${events.length}\n`,
  );
  out.rows += 3 + option.legs.length + events.length;
}

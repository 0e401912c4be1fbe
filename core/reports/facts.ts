import type { FactEvent, FactLeg, FactWaybill } from "../../db/queries/reports";
import type { Mode } from "../../routing/types";
import { currentLegAt } from "../waybills/events";
import type { ReportGeography } from "./geography";

/**
 * CNY per unit of each currency, fixed so that facts are reproducible (a report is about
 * volumes and rates over time, not exchange-rate noise). Approx. 2025 averages; a price in a
 * currency missing here gets no value (its tonne-km is left out of rates too).
 */
export const CNY_RATES: Readonly<Record<string, number>> = {
  CNY: 1,
  USD: 7.2,
  EUR: 7.8,
  RUB: 0.085,
  KZT: 0.014,
  KGS: 0.083,
  UZS: 0.00057,
  PKR: 0.026,
};

export interface Fact {
  number: string;
  shipperId: string;
  carrierId: string;
  day: string;
  oArea: string;
  dArea: string;
  mode: string;
  hsChapter: string;
  corridor: string;
  tonnes: number;
  distanceKm: number;
  tonneKm: number;
  valueCny: number | null;
  co2eKg: number;
  status: string;
  deliveredAt: Date | null;
  plannedAt: Date | null;
  onTime: boolean | null;
  transitHours: number | null;
  borderDwellHours: number;
  exceptions: number;
}

export interface FactLink {
  number: string;
  linkId: string;
  mode: string;
  corridor: string;
  day: string;
  shipperId: string;
  carrierId: string;
  tonnes: number;
  tonneKm: number;
  valueCny: number | null;
  co2eKg: number;
}

export interface Crossing {
  number: string;
  seq: number;
  port: string;
  mode: string;
  day: string;
  shipperId: string;
  carrierId: string;
  atBorderAt: Date;
  clearedAt: Date | null;
  dwellHours: number | null;
  gaugeChange: boolean;
}

export interface WaybillFacts {
  fact: Fact;
  links: FactLink[];
  crossings: Crossing[];
}

const HOUR = 3_600_000;
const dayOf = (d: Date) => d.toISOString().slice(0, 10);
const firstOf = (events: readonly FactEvent[], type: string) =>
  events.find((e) => e.type === type)?.occurredAt ?? null;

interface LegFigures {
  mode: Mode;
  km: number;
  tonneKm: number;
  co2eKg: number;
  links: { id: string; tonneKm: number; co2eKg: number }[];
}

function legFigures(geo: ReportGeography, legs: readonly FactLeg[], tonnes: number): LegFigures[] {
  return legs.map((leg) => {
    const route = geo.legRoute(leg.from, leg.to, leg.mode);
    const links = route.links.map((l) => ({
      id: l.id,
      tonneKm: tonnes * l.km,
      co2eKg: (tonnes * l.km * l.factor) / 1000,
    }));
    const co2eKg =
      links.length > 0
        ? links.reduce((s, l) => s + l.co2eKg, 0)
        : (tonnes * route.km * route.factor) / 1000;
    return { mode: leg.mode, km: route.km, tonneKm: tonnes * route.km, co2eKg, links };
  });
}

function mainMode(figures: readonly LegFigures[], fallback: Mode): Mode {
  const byMode = new Map<Mode, number>();
  for (const f of figures) byMode.set(f.mode, (byMode.get(f.mode) ?? 0) + f.tonneKm);
  let best: Mode = fallback;
  let most = -1;
  for (const [mode, tkm] of byMode) if (tkm > most) [best, most] = [mode, tkm];
  return best;
}

/**
 * A waybill's report facts: null for a replica (its home node reports it) and for a cancelled
 * waybill (nothing moved).
 */
export function waybillFacts(
  geo: ReportGeography,
  w: FactWaybill,
  legsIn: readonly FactLeg[],
  eventsIn: readonly FactEvent[],
): WaybillFacts | null {
  if (w.homeNode !== null || w.status === "cancelled") return null;
  const legs = [...legsIn].sort((a, b) => a.seq - b.seq);
  const events = [...eventsIn].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  const tonnes = (w.cargo?.weightKg ?? 0) / 1000;
  const figures = legFigures(geo, legs, tonnes);
  const mode = mainMode(figures, legs[0]?.mode ?? "road");
  const corridor = geo.corridorOf(figures.flatMap((f) => f.links.map((l) => l.id)));
  const pickup = firstOf(events, "picked_up");
  const day = dayOf(pickup ?? w.createdAt);
  const tonneKm = figures.reduce((s, f) => s + f.tonneKm, 0);
  const rate = w.priceCurrency ? CNY_RATES[w.priceCurrency] : undefined;
  const valueCny = w.priceAmount !== null && rate !== undefined ? w.priceAmount * rate : null;
  const deliveredAt = firstOf(events, "delivered");
  const plannedAt = legs.at(-1)?.plannedArrival ?? null;
  const start = pickup ?? w.createdAt;
  const crossings = borderCrossings(geo, w, legs, events, day);
  const fact: Fact = {
    number: w.number,
    shipperId: w.shipperId,
    carrierId: w.carrierId,
    day,
    oArea: geo.areaOf(w.origin),
    dArea: geo.areaOf(w.destination),
    mode,
    hsChapter: (w.cargo?.hsCode ?? "00").slice(0, 2),
    corridor,
    tonnes,
    distanceKm: figures.reduce((s, f) => s + f.km, 0),
    tonneKm,
    valueCny,
    co2eKg: figures.reduce((s, f) => s + f.co2eKg, 0),
    status: w.status,
    deliveredAt,
    plannedAt,
    onTime: deliveredAt && plannedAt ? deliveredAt.getTime() <= plannedAt.getTime() : null,
    transitHours: deliveredAt ? (deliveredAt.getTime() - start.getTime()) / HOUR : null,
    borderDwellHours: crossings.reduce((s, c) => s + (c.dwellHours ?? 0), 0),
    exceptions: events.filter((e) => e.type === "exception").length,
  };
  return { fact, links: factLinks(fact, figures), crossings };
}

/** Each link's share of the waybill, summed when a link is travelled twice. */
function factLinks(fact: Fact, figures: readonly LegFigures[]): FactLink[] {
  const byKey = new Map<string, FactLink>();
  for (const f of figures) {
    for (const l of f.links) {
      const key = `${l.id}|${f.mode}`;
      const row = byKey.get(key) ?? {
        number: fact.number,
        linkId: l.id,
        mode: f.mode,
        corridor: fact.corridor,
        day: fact.day,
        shipperId: fact.shipperId,
        carrierId: fact.carrierId,
        tonnes: fact.tonnes,
        tonneKm: 0,
        valueCny: fact.valueCny === null ? null : 0,
        co2eKg: 0,
      };
      row.tonneKm += l.tonneKm;
      row.co2eKg += l.co2eKg;
      if (row.valueCny !== null && fact.valueCny !== null && fact.tonneKm > 0) {
        row.valueCny += (fact.valueCny * l.tonneKm) / fact.tonneKm;
      }
      byKey.set(key, row);
    }
  }
  return [...byKey.values()];
}

/**
 * Each `at_border` event and the first `cleared` after it: the port is where the event was
 * recorded (its hub, or the nearest border port), the mode the leg's in progress then. A gauge
 * transshipment is a rail crossing whose waybill changes gauge at the port or across from it.
 */
function borderCrossings(
  geo: ReportGeography,
  w: FactWaybill,
  legs: readonly FactLeg[],
  events: readonly FactEvent[],
  _day: string,
): Crossing[] {
  const transshipments = events.filter((e) => e.type === "transshipped").map((e) => e.occurredAt);
  const gaugeAt = new Set(
    w.points
      .filter((p) => p.kind === "transshipment" && p.note?.startsWith("gauge"))
      .map((p) => p.place.hub)
      .filter((h): h is string => h !== undefined),
  );
  const out: Crossing[] = [];
  events.forEach((e, i) => {
    if (e.type !== "at_border") return;
    const cleared = events.slice(i + 1).find((c) => c.type === "cleared")?.occurredAt ?? null;
    const place = e.location ?? legs.at(0)?.to ?? w.origin;
    const port = geo.portOf(place);
    const mode = currentLegAt(legs, transshipments, e.occurredAt)?.mode ?? "road";
    const across = geo.network.data.links
      .filter((l) => l.crossing && (l.from === port || l.to === port))
      .flatMap((l) => [l.from, l.to]);
    out.push({
      number: w.number,
      seq: out.length + 1,
      port,
      mode,
      day: dayOf(e.occurredAt),
      shipperId: w.shipperId,
      carrierId: w.carrierId,
      atBorderAt: e.occurredAt,
      clearedAt: cleared,
      dwellHours: cleared ? (cleared.getTime() - e.occurredAt.getTime()) / HOUR : null,
      gaugeChange: mode === "rail" && [port, ...across].some((h) => gaugeAt.has(h)),
    });
  });
  return out;
}

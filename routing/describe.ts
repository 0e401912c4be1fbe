import { fromHours, nextOpen } from "./calendar";
import { CLASS_MODE, CLASS_RAIL_1435, CLASS_START, type CompiledIndex } from "./compile";
import { type SearchQuery, simulate } from "./search";
import { MODES, type Mode } from "./types";

/** Rounding used for every figure of a result, so identical input gives identical bytes. */
export const round = (x: number, digits: number) => {
  const f = 10 ** digits;
  const r = Math.round(x * f) / f;
  return r === 0 ? 0 : r;
};
const money = (x: number) => round(x, 2);
const hrs = (x: number) => round(x, 2);
const kg = (x: number) => round(x, 1);
const km = (x: number) => round(x, 1);
const iso = (h: number) => fromHours(h).toISOString();

export interface Leg {
  mode: Mode;
  from: string;
  to: string;
  linkId: string;
  distanceKm: number;
  /** Travel plus the crossing's typical dwell; waits for an opening are in waitHours. */
  durationHours: number;
  waitHours: number;
  departAt: string;
  arriveAt: string;
  cost: number;
  co2eKg: number;
  gauge?: number;
  crossing?: string;
}

export type Stop =
  | { type: "origin"; hub: string; departAt: string }
  | { type: "destination"; hub: string; arriveAt: string }
  | {
      type: "crossing";
      crossing: string;
      name: string;
      from: string;
      to: string;
      dwellHours: { typical: number; badDay: number };
      waitHours: number;
    }
  | {
      type: "gauge-change" | "mode-change";
      hub: string;
      fromMode: Mode;
      toMode: Mode;
      fromGauge?: number;
      toGauge?: number;
      hours: number;
      cost: number;
      co2eKg: number;
    };

export interface Route {
  labels: string[];
  legs: Leg[];
  stops: Stop[];
  totals: {
    cost: number;
    currency: "USD";
    durationHours: number;
    co2eKg: number;
    distanceKm: number;
    modeChanges: number;
    waitHours: number;
    /** Duration if every crossing on the way has a bad day (planning margin). */
    badDayDurationHours: number;
  };
  emissions: {
    factorTable: string;
    standard: string;
    basis: string;
    legsKg: number;
    hubsKg: number;
  };
}

const gaugeOf = (cls: number) => (cls === CLASS_RAIL_1435 ? 1435 : 1520);

/** Describes a route given by its edges: legs, stops, totals. The totals repeat the search's sums. */
export function describe(ix: CompiledIndex, q: SearchQuery, edges: number[]): Route {
  const sim = simulate(ix, q, edges);
  if (!sim) throw new Error("route is not feasible");
  const legs: Leg[] = [];
  const stops: Stop[] = [
    { type: "origin", hub: ix.codes[q.source] ?? "", departAt: iso(q.depart) },
  ];
  let t = q.depart;
  let a = CLASS_START;
  let hubsKg = 0;
  let legsKg = 0;
  let waitTotal = 0;
  let badDayExtra = 0;
  for (const e of edges) {
    const v = ix.tail[e] ?? 0;
    const b = ix.cls[e] ?? 0;
    const hub = ix.codes[v] ?? "";
    if (a !== CLASS_START && a !== b) {
      const gauge = CLASS_MODE[a] === "rail" && CLASS_MODE[b] === "rail";
      const table = gauge ? ix.gaugeChange : ix.modeChange;
      const o = v * 4;
      const hours = table[o] ?? 0;
      const cost = (table[o + 1] ?? 0) + (table[o + 2] ?? 0) * q.tonnes;
      const co2 = (table[o + 3] ?? 0) * q.tonnes;
      hubsKg += co2;
      t += hours;
      stops.push({
        type: gauge ? "gauge-change" : "mode-change",
        hub,
        fromMode: CLASS_MODE[a] ?? "road",
        toMode: CLASS_MODE[b] ?? "road",
        ...(gauge ? { fromGauge: gaugeOf(a), toGauge: gaugeOf(b) } : {}),
        hours: hrs(hours),
        cost: money(cost),
        co2eKg: kg(co2),
      });
    }
    const cal = ix.calendar[e] ?? -1;
    const calendar = cal >= 0 ? ix.calendars[cal] : undefined;
    const dep = calendar ? nextOpen(calendar, t) : t;
    const wait = dep - t;
    waitTotal += wait;
    const mode = MODES[ix.mode[e] ?? 0] ?? "road";
    const cost =
      (ix.fixedUsd[e] ?? 0) + (ix.usdPerTonne[e] ?? 0) * (q.charge[ix.mode[e] ?? 0] ?? 0);
    const co2 = (ix.co2ePerTonne[e] ?? 0) * q.tonnes;
    legsKg += co2;
    const arrive = dep + (ix.hours[e] ?? 0);
    const x = ix.crossing[e] ?? -1;
    const crossing = x >= 0 ? ix.crossings[x] : undefined;
    if (crossing) {
      badDayExtra += crossing.dwellHours.badDay - crossing.dwellHours.typical;
      stops.push({
        type: "crossing",
        crossing: crossing.id,
        name: crossing.name,
        from: hub,
        to: ix.codes[ix.head[e] ?? 0] ?? "",
        dwellHours: crossing.dwellHours,
        waitHours: hrs(wait),
      });
    }
    legs.push({
      mode,
      from: hub,
      to: ix.codes[ix.head[e] ?? 0] ?? "",
      linkId: ix.linkIds[ix.link[e] ?? 0] ?? "",
      distanceKm: km(ix.distKm[e] ?? 0),
      durationHours: hrs(ix.hours[e] ?? 0),
      waitHours: hrs(wait),
      departAt: iso(dep),
      arriveAt: iso(arrive),
      cost: money(cost),
      co2eKg: kg(co2),
      ...(mode === "rail" ? { gauge: gaugeOf(b) } : {}),
      ...(crossing ? { crossing: crossing.id } : {}),
    });
    t = arrive;
    a = b;
  }
  stops.push({ type: "destination", hub: ix.codes[q.target] ?? "", arriveAt: iso(sim.arrive) });
  const f = ix.emissionFactors;
  return {
    labels: [],
    legs,
    stops,
    totals: {
      cost: money(sim.cost),
      currency: "USD",
      durationHours: hrs(sim.arrive - q.depart),
      co2eKg: kg(sim.co2e),
      distanceKm: km(sim.distanceKm),
      modeChanges: sim.modeChanges,
      waitHours: hrs(waitTotal),
      badDayDurationHours: hrs(sim.arrive - q.depart + badDayExtra),
    },
    emissions: {
      factorTable: f.version,
      standard: f.standard,
      basis: f.basis,
      legsKg: kg(legsKg),
      hubsKg: kg(hubsKg),
    },
  };
}

import { fromHours, nextOpen } from "./calendar";
import {
  CLASS_MODE,
  CLASS_MODE_INDEX,
  CLASS_RAIL_1435,
  CLASS_START,
  type CompiledIndex,
  isGaugeChange,
} from "./compile";
import { changeCo2e, changeUsd, handlingRow, legCo2e, legUsd, vehiclesOn } from "./leg-cost";
import { type SearchQuery, type Simulated, simulate } from "./search";
import { MODES, type Mode } from "./types";

/** Rounding used for every figure of a result, so identical input gives identical bytes. */
const round = (x: number, digits: number) => {
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
  /** Cost and CO2e of all its vehicles together. */
  cost: number;
  co2eKg: number;
  /** How many vehicles (trucks, containers, aircraft loads) carry the consignment. */
  vehicles: number;
  /** What one vehicle is, e.g. "truck", "40 ft container", "aircraft load". */
  vehicleUnit: string;
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
      /** What this crossing's bad day assumes. */
      badDayBasis?: string;
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
    }
  | {
      /** Loading at the origin terminal or unloading at the destination terminal. */
      type: "terminal-handling";
      hub: string;
      mode: Mode;
      /** Vehicles handled (each pays the hub's fixed charge). */
      vehicles: number;
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
  /** What badDayDurationHours assumes: every crossing's bad day at once, and what each stands for. */
  badDay: { assumes: string; crossings: { crossing: string; extraHours: number; basis: string }[] };
  emissions: {
    factorTable: string;
    standard: string;
    basis: string;
    legsKg: number;
    hubsKg: number;
  };
}

const gaugeOf = (cls: number) => (cls === CLASS_RAIL_1435 ? 1435 : 1520);

/** Running figures of a description, summed leg by leg. */
interface Walk {
  /** Clock at the current hub, hours since the epoch. */
  t: number;
  hubsKg: number;
  legsKg: number;
  waitHours: number;
  /** Extra hours if every crossing passed so far has a bad day. */
  badDayExtra: number;
  badDays: Route["badDay"]["crossings"];
}

/** Describes a route given by its edges: legs, stops, totals. The totals repeat the search's sums. */
export function describe(ix: CompiledIndex, q: SearchQuery, edges: number[]): Route {
  const sim = simulate(ix, q, edges);
  if (!sim) throw new Error("route is not feasible");
  const legs: Leg[] = [];
  const stops: Stop[] = [
    { type: "origin", hub: ix.codes[q.source] ?? "", departAt: iso(q.depart) },
  ];
  const walk: Walk = {
    t: q.depart,
    hubsKg: 0,
    legsKg: 0,
    waitHours: 0,
    badDayExtra: 0,
    badDays: [],
  };
  let a = CLASS_START;
  for (const e of edges) {
    const b = ix.cls[e] ?? 0;
    if (a === CLASS_START) pushTerminal(ix, q, walk, e, q.source, stops);
    else if (a !== b) stops.push(hubChangeStop(ix, q, walk, e, a));
    legs.push(describeLeg(ix, q, walk, e, stops));
    a = b;
  }
  const last = edges[edges.length - 1];
  if (last !== undefined) pushTerminal(ix, q, walk, last, q.target, stops);
  stops.push({ type: "destination", hub: ix.codes[q.target] ?? "", arriveAt: iso(sim.arrive) });
  return { labels: [], legs, stops, ...summary(ix, q, sim, walk) };
}

/**
 * Loading onto edge `e` at the origin, or unloading from it at the destination (`hub`), where
 * its mode handles at terminals; moves the clock.
 */
function pushTerminal(
  ix: CompiledIndex,
  q: SearchQuery,
  walk: Walk,
  e: number,
  hub: number,
  stops: Stop[],
): void {
  const md = ix.mode[e] ?? 0;
  if (ix.terminal[md] !== 1) return;
  const o = handlingRow(ix, hub, md, md);
  const hours = ix.modeChange[o] ?? 0;
  const units = q.units[md] ?? 1;
  const co2 = changeCo2e(ix.modeChange, o, q.tonnes);
  walk.hubsKg += co2;
  walk.t += hours;
  stops.push({
    type: "terminal-handling",
    hub: ix.codes[hub] ?? "",
    mode: MODES[md] ?? "road",
    vehicles: units,
    hours: hrs(hours),
    cost: money(changeUsd(ix.modeChange, o, q.tonnes, units)),
    co2eKg: kg(co2),
  });
}

/** The change at edge `e`'s tail from arrival class `a` to `e`'s class; moves the clock. */
function hubChangeStop(ix: CompiledIndex, q: SearchQuery, walk: Walk, e: number, a: number): Stop {
  const v = ix.tail[e] ?? 0;
  const b = ix.cls[e] ?? 0;
  const gauge = isGaugeChange(a, b);
  const table = gauge ? ix.gaugeChange : ix.modeChange;
  const o = gauge ? v * 4 : handlingRow(ix, v, CLASS_MODE_INDEX[a] ?? 0, ix.mode[e] ?? 0);
  const hours = table[o] ?? 0;
  const co2 = changeCo2e(table, o, q.tonnes);
  walk.hubsKg += co2;
  walk.t += hours;
  return {
    type: gauge ? "gauge-change" : "mode-change",
    hub: ix.codes[v] ?? "",
    fromMode: CLASS_MODE[a] ?? "road",
    toMode: CLASS_MODE[b] ?? "road",
    ...(gauge ? { fromGauge: gaugeOf(a), toGauge: gaugeOf(b) } : {}),
    hours: hrs(hours),
    cost: money(changeUsd(table, o, q.tonnes, q.units[ix.mode[e] ?? 0] ?? 1)),
    co2eKg: kg(co2),
  };
}

/** Edge `e` as a leg, after waiting for its opening; adds its crossing's stop to `stops`. */
function describeLeg(ix: CompiledIndex, q: SearchQuery, walk: Walk, e: number, stops: Stop[]): Leg {
  const hub = ix.codes[ix.tail[e] ?? 0] ?? "";
  const to = ix.codes[ix.head[e] ?? 0] ?? "";
  const cal = ix.calendar[e] ?? -1;
  const calendar = cal >= 0 ? ix.calendars[cal] : undefined;
  const dep = calendar ? nextOpen(calendar, walk.t) : walk.t;
  const wait = dep - walk.t;
  walk.waitHours += wait;
  const mode = MODES[ix.mode[e] ?? 0] ?? "road";
  const co2 = legCo2e(ix, e, q.tonnes);
  walk.legsKg += co2;
  const arrive = dep + (ix.hours[e] ?? 0);
  walk.t = arrive;
  const x = ix.crossing[e] ?? -1;
  const crossing = x >= 0 ? ix.crossings[x] : undefined;
  if (crossing) {
    const extra = crossing.dwellHours.badDay - crossing.dwellHours.typical;
    walk.badDayExtra += extra;
    const basis = crossing.badDayBasis ?? "not stated in the data";
    walk.badDays.push({ crossing: crossing.id, extraHours: hrs(extra), basis });
    stops.push({
      type: "crossing",
      crossing: crossing.id,
      name: crossing.name,
      from: hub,
      to,
      dwellHours: crossing.dwellHours,
      badDayBasis: basis,
      waitHours: hrs(wait),
    });
  }
  return {
    mode,
    from: hub,
    to,
    linkId: ix.linkIds[ix.link[e] ?? 0] ?? "",
    distanceKm: km(ix.distKm[e] ?? 0),
    durationHours: hrs(ix.hours[e] ?? 0),
    waitHours: hrs(wait),
    departAt: iso(dep),
    arriveAt: iso(arrive),
    cost: money(legUsd(ix, e, q)),
    co2eKg: kg(co2),
    vehicles: vehiclesOn(ix, e, q),
    vehicleUnit: ix.unitNames[ix.mode[e] ?? 0] ?? "",
    ...(mode === "rail" ? { gauge: gaugeOf(ix.cls[e] ?? 0) } : {}),
    ...(crossing ? { crossing: crossing.id } : {}),
  };
}

/** The sentence that says what a route's bad-day duration is: a compound margin, not a forecast. */
function badDayAssumes(crossings: number): string {
  if (crossings === 0)
    return "no border or ferry crossing on this route: the bad day equals the typical duration";
  return (
    "every crossing on the route has its reported bad day at once (see crossings: the extra " +
    "hours over the typical dwell and the published crisis each stands for); links, hub " +
    "changes and opening hours keep their typical figures. A compound planning margin, not a forecast"
  );
}

function summary(
  ix: CompiledIndex,
  q: SearchQuery,
  sim: Simulated,
  walk: Walk,
): Pick<Route, "totals" | "emissions" | "badDay"> {
  const f = ix.emissionFactors;
  return {
    totals: {
      cost: money(sim.cost),
      currency: "USD",
      durationHours: hrs(sim.arrive - q.depart),
      co2eKg: kg(sim.co2e),
      distanceKm: km(sim.distanceKm),
      modeChanges: sim.modeChanges,
      waitHours: hrs(walk.waitHours),
      badDayDurationHours: hrs(sim.arrive - q.depart + walk.badDayExtra),
    },
    badDay: { assumes: badDayAssumes(walk.badDays.length), crossings: walk.badDays },
    emissions: {
      factorTable: f.version,
      standard: f.standard,
      basis: f.basis,
      legsKg: kg(walk.legsKg),
      hubsKg: kg(walk.hubsKg),
    },
  };
}

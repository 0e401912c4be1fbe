import type { Route } from "../../routing/describe";
import type { RoutingEngine } from "../../routing/engine";
import type { CrossingRecord, Mode } from "../../routing/types";
import { WeightedTable } from "./random";

/** One waybill leg of a route: consecutive links of one mode and gauge, ending at a border. */
export interface RouteLeg {
  mode: Mode;
  from: string;
  to: string;
  /** Hours after the route's departure. */
  depart: number;
  arrive: number;
  distanceKm: number;
  gauge?: number;
  /** A transshipment at `from` before this leg: its kind and hours. */
  change?: { kind: "gauge" | "mode"; hours: number; note: string };
  /** The border crossing this leg ends with. */
  crossing?: CrossingRecord;
  /** The hub on the near side of that crossing, where the cargo waits at the border. */
  borderHub?: string;
}

export interface RouteOption {
  legs: RouteLeg[];
  durationHours: number;
  /** Figures for 20 t, scaled to the cargo by the caller. */
  costUsd: number;
  co2eKg: number;
  distanceKm: number;
  modes: Mode[];
  /** Seasonal closures of the crossings on the way, as MM-DD ranges. */
  closures: { from: string; to: string }[];
}

export interface Lane {
  from: string;
  to: string;
  options: WeightedTable<RouteOption>;
}

const REFERENCE_DEPARTURE = "2026-07-15T06:00:00Z";
export const REFERENCE_TONNES = 20;

/** Engine legs (one per network link) folded into waybill legs. */
function foldLegs(engine: RoutingEngine, route: Route): RouteLeg[] {
  const start = Date.parse(route.legs[0]?.departAt ?? REFERENCE_DEPARTURE);
  const hours = (iso: string) => (Date.parse(iso) - start) / 3_600_000;
  const changes = route.stops.filter((s) => s.type === "gauge-change" || s.type === "mode-change");
  const crossings = new Map(engine.data.crossings.map((c) => [c.id, c]));
  const out: RouteLeg[] = [];
  let last: RouteLeg | undefined;
  for (const l of route.legs) {
    const shift = last && (last.mode !== l.mode || last.gauge !== l.gauge);
    if (!last || shift || last.crossing) {
      const stop = shift ? changes.shift() : undefined;
      last = {
        mode: l.mode,
        from: l.from,
        to: l.to,
        depart: hours(l.departAt),
        arrive: hours(l.arriveAt),
        distanceKm: l.distanceKm,
        ...(l.gauge ? { gauge: l.gauge } : {}),
      };
      if (stop && (stop.type === "gauge-change" || stop.type === "mode-change")) {
        const gauge = stop.type === "gauge-change";
        last.change = {
          kind: gauge ? "gauge" : "mode",
          hours: stop.hours,
          note: gauge
            ? `gauge change ${stop.fromGauge} → ${stop.toGauge} mm`
            : `${stop.fromMode} → ${stop.toMode}`,
        };
      }
      out.push(last);
    } else {
      last.to = l.to;
      last.arrive = hours(l.arriveAt);
      last.distanceKm += l.distanceKm;
    }
    if (l.crossing) {
      last.crossing = crossings.get(l.crossing);
      last.borderHub = l.from;
    }
  }
  return out;
}

function option(engine: RoutingEngine, route: Route): RouteOption {
  const legs = foldLegs(engine, route);
  return {
    legs,
    durationHours: route.totals.durationHours,
    costUsd: route.totals.cost,
    co2eKg: route.totals.co2eKg,
    distanceKm: route.totals.distanceKm,
    modes: [...new Set(legs.map((l) => l.mode))],
    closures: legs.flatMap((l) => l.crossing?.calendar.seasonalClosures ?? []),
  };
}

/** How likely a shipper is to choose an option: cheaper is likelier, air is rare. */
function preference(o: RouteOption): number {
  const air = o.modes.includes("air") ? 0.03 : 1;
  const roadOnly = o.modes.length === 1 && o.modes[0] === "road" ? 1.6 : 1;
  return (air * roadOnly) / o.costUsd ** 1.2;
}

/** The route options of one lane: cheapest with alternatives, and a road-only one. */
function laneOptions(engine: RoutingEngine, from: string, to: string): RouteOption[] {
  const base = {
    from,
    to,
    cargo: { weightKg: REFERENCE_TONNES * 1000 },
    departAt: REFERENCE_DEPARTURE,
  };
  const found: Route[] = [];
  const all = engine.query({ ...base, optimise: "cost", alternatives: 3 });
  if (all.ok) found.push(...all.routes);
  const road = engine.query({ ...base, optimise: "time", modes: ["road"] });
  if (road.ok) found.push(...road.routes);
  // Khunjerab and any other seasonal pass: ask again in winter so the lane keeps a way through.
  if (
    found.some((r) => r.stops.some((s) => s.type === "crossing" && isSeasonal(engine, s.crossing)))
  ) {
    const winter = engine.query({
      ...base,
      departAt: "2026-01-15T06:00:00Z",
      optimise: "cost",
      alternatives: 2,
    });
    if (winter.ok) found.push(...winter.routes);
  }
  const seen = new Set<string>();
  return found
    .filter((r) => {
      const key = r.legs.map((l) => l.linkId).join(",");
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((r) => option(engine, r));
}

function isSeasonal(engine: RoutingEngine, crossing: string): boolean {
  const c = engine.data.crossings.find((x) => x.id === crossing);
  return (c?.calendar.seasonalClosures?.length ?? 0) > 0;
}

export function lane(engine: RoutingEngine, from: string, to: string): Lane | undefined {
  const options = laneOptions(engine, from, to);
  if (options.length === 0) return undefined;
  return { from, to, options: new WeightedTable(options, options.map(preference)) };
}

/** Whether a route may be taken on `at`: none of its crossings is in a seasonal closure. */
export function openOn(o: RouteOption, at: number): boolean {
  if (o.closures.length === 0) return true;
  const mmdd = new Date(at).toISOString().slice(5, 10);
  return o.closures.every((c) =>
    c.from <= c.to ? mmdd < c.from || mmdd >= c.to : mmdd < c.from && mmdd >= c.to,
  );
}

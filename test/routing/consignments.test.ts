import { describe, expect, it } from "vitest";
import type { Leg, Route, Stop } from "../../routing/describe";
import { type RouteRequest, type RouteResult, RoutingEngine } from "../../routing/engine";
import { MODES, type Mode } from "../../routing/types";
import { seedNetwork } from "./support";

/*
 * Consignments larger than one vehicle, terminal handling at the ends of rail, sea and air
 * routes, and refused rail-air transfers. Expected figures are worked out from the seeded
 * records (links, emission factors, handling), so they follow the data when it is refined.
 */

const engine = new RoutingEngine(seedNetwork);
const JULY = "2026-07-06T08:00:00Z";

const ask = (over: Partial<RouteRequest>): RouteResult =>
  engine.query({
    from: "CN-URC",
    to: "KZ-ALA",
    cargo: { weightKg: 18_000 },
    departAt: JULY,
    optimise: "cost",
    ...over,
  });

function first(r: RouteResult): Route {
  if (!r.ok) throw new Error(`expected a route, got ${JSON.stringify(r.noRoute)}`);
  const route = r.routes[0];
  if (!route) throw new Error("no route");
  return route;
}

const linkOf = (l: Leg) => {
  const link = seedNetwork.links.find((x) => x.id === l.linkId);
  if (!link) throw new Error(`unknown link ${l.linkId}`);
  return link;
};
const factorOf = (l: Leg) => seedNetwork.emissionFactors.factors[linkOf(l).emissionFactor]?.value;
const handlingOf = (code: string, mode: Mode) => {
  const hub = seedNetwork.hubs.find((h) => h.code === code);
  const h =
    seedNetwork.handling.byMode?.[mode] ??
    seedNetwork.handling.byHub[code] ??
    seedNetwork.handling.byKind[hub?.kind ?? ""];
  if (!h) throw new Error(`no handling at ${code}`);
  return h;
};
const terminals = (r: Route) =>
  r.stops.filter((s): s is Extract<Stop, { type: "terminal-handling" }> => {
    return s.type === "terminal-handling";
  });
const show = (r: Route) => JSON.stringify(r, null, 1);

describe("a consignment larger than one vehicle goes as several", () => {
  it("40 t by road goes as two trucks, paying both trucks' fixed charges and CO2e for 40 t", () => {
    const r = first(ask({ modes: ["road"], cargo: { weightKg: 40_000 } }));
    expect(r.legs.length, show(r)).toBeGreaterThan(0);
    for (const leg of r.legs) {
      const link = linkOf(leg);
      expect(leg.vehicles, leg.linkId).toBe(2);
      expect(leg.vehicleUnit).toBe("truck");
      // Fixed charge per truck; the rate per tonne-km on all 40 t.
      const cost = 2 * link.cost.fixedUsd + link.cost.usdPerTonneKm * link.distanceKm * 40;
      expect(leg.cost, leg.linkId).toBeCloseTo(cost, 2);
      expect(leg.co2eKg, leg.linkId).toBeCloseTo(
        ((factorOf(leg) ?? 0) * link.distanceKm * 40) / 1000,
        1,
      );
    }
    // Door to door by road: no terminal handling, so the legs are the whole cost.
    expect(terminals(r)).toEqual([]);
    const legCost = r.legs.reduce((s, l) => s + l.cost, 0);
    expect(r.totals.cost).toBeCloseTo(legCost, 1);
    // One truck's 20 t pays one fixed charge per leg.
    const single = first(ask({ modes: ["road"], cargo: { weightKg: 20_000 } }));
    expect(single.legs.every((l) => l.vehicles === 1)).toBe(true);
  });

  it("a link's per-vehicle limit means more trucks on it (45 t: 2 on 25 t roads, 3 on 20 t)", () => {
    const r = first(
      ask({ from: "CN-KHG", to: "PK-ISB", modes: ["road"], cargo: { weightKg: 45_000 } }),
    );
    for (const leg of r.legs) {
      const limit = linkOf(leg).maxWeightKg ?? Number.POSITIVE_INFINITY;
      const payload = Math.min(limit, seedNetwork.handling.vehicles.road.payloadKg);
      expect(leg.vehicles, leg.linkId).toBe(Math.ceil(45_000 / payload));
    }
    expect(r.legs.some((l) => l.vehicles === 3)).toBe(true);
  });

  it("40 t by air is two aircraft loads, not one", () => {
    const r = first(ask({ modes: ["air"], cargo: { weightKg: 40_000 } }));
    for (const leg of r.legs) {
      expect(leg.mode).toBe("air");
      expect(leg.vehicles).toBe(2);
      expect(leg.vehicleUnit).toBe("aircraft load");
      const link = linkOf(leg);
      const cost = 2 * link.cost.fixedUsd + link.cost.usdPerTonneKm * link.distanceKm * 40;
      expect(leg.cost).toBeCloseTo(cost, 2);
    }
  });

  it("rail counts 40 ft containers by weight or by volume, whichever needs more", () => {
    const one = first(ask({ modes: ["rail"], cargo: { weightKg: 18_000, volumeM3: 60 } }));
    expect(one.legs.every((l) => l.vehicles === 1 && l.vehicleUnit === "40 ft container")).toBe(
      true,
    );
    const bulky = first(ask({ modes: ["rail"], cargo: { weightKg: 10_000, volumeM3: 100 } }));
    expect(bulky.legs.every((l) => l.vehicles === 2)).toBe(true);
    const heavy = first(ask({ modes: ["rail"], cargo: { weightKg: 60_000 } }));
    expect(heavy.legs.every((l) => l.vehicles === 3)).toBe(true);
  });

  it("a train's weight limit still caps the consignment (it is per train, not per wagon)", () => {
    const res = ask({ modes: ["rail"], cargo: { weightKg: 2_000_000 } });
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.noRoute.reason).toBe("WEIGHT");
  });

  it("the Pareto set prices every route for all its vehicles", () => {
    const res = ask({ optimise: "pareto", cargo: { weightKg: 40_000 } });
    if (!res.ok) throw new Error("no route");
    for (const r of res.routes) {
      for (const leg of r.legs) {
        const unit = seedNetwork.handling.vehicles[leg.mode].payloadKg;
        const limit = linkOf(leg).maxWeightKg ?? Number.POSITIVE_INFINITY;
        const perVehicle =
          seedNetwork.handling.vehicles[leg.mode].linkLimit === "vehicle"
            ? Math.min(unit, limit)
            : unit;
        expect(leg.vehicles, leg.linkId).toBe(Math.ceil(40_000 / perVehicle));
      }
      const legs = r.legs.reduce((s, l) => s + l.cost, 0);
      const hubs = r.stops.reduce((s, x) => s + ("cost" in x ? x.cost : 0), 0);
      expect(legs + hubs).toBeCloseTo(r.totals.cost, 0);
    }
  });
});

describe("rail, sea and air routes pay handling at their origin and destination terminals", () => {
  it("a pure rail route loads at its origin terminal and unloads at its destination", () => {
    const r = first(ask({ modes: ["rail"], cargo: { weightKg: 18_000, volumeM3: 60 } }));
    const [load, unload] = terminals(r);
    expect(load).toMatchObject({ hub: "CN-URC", mode: "rail", vehicles: 1 });
    expect(unload).toMatchObject({ hub: "KZ-ALA", mode: "rail", vehicles: 1 });
    for (const stop of [load, unload]) {
      const h = handlingOf(stop?.hub ?? "", "rail");
      expect(stop?.hours).toBe(h.hours);
      expect(stop?.cost).toBeCloseTo(h.fixedUsd + h.usdPerTonne * 18, 2);
      expect(stop?.co2eKg).toBeCloseTo(h.co2eKgPerTonne * 18, 1);
    }
    // First stop after the origin, last before the destination; counted in every total.
    expect(r.stops[1]).toBe(load);
    expect(r.stops[r.stops.length - 2]).toBe(unload);
    const legs = r.legs.reduce((s, l) => s + l.cost, 0);
    const hubs = r.stops.reduce((s, x) => s + ("cost" in x ? x.cost : 0), 0);
    expect(legs + hubs).toBeCloseTo(r.totals.cost, 1);
    expect(r.emissions.hubsKg).toBeGreaterThanOrEqual((load?.co2eKg ?? 0) + (unload?.co2eKg ?? 0));
    const departs = Date.parse(r.legs[0]?.departAt ?? "");
    expect(departs - Date.parse(JULY)).toBe((load?.hours ?? 0) * 3_600_000);
  });

  it("a pure air route pays the air terminal's per-kg handling at both ends, per aircraft load", () => {
    const r = first(ask({ modes: ["air"], cargo: { weightKg: 40_000 } }));
    const ends = terminals(r);
    expect(ends.map((s) => [s.hub, s.mode, s.vehicles])).toEqual([
      ["CN-URC", "air", 2],
      ["KZ-ALA", "air", 2],
    ]);
    for (const s of ends) {
      const h = handlingOf(s.hub, "air");
      expect(h).toBe(seedNetwork.handling.byMode?.air);
      expect(s.cost).toBeCloseTo(2 * h.fixedUsd + h.usdPerTonne * 40, 2);
    }
  });
});

describe("rail and air are combined only when the caller asks for air", () => {
  const railAir = (r: Route) =>
    r.stops.some(
      (s) =>
        s.type === "mode-change" &&
        [s.fromMode, s.toMode].includes("rail") &&
        [s.fromMode, s.toMode].includes("air"),
    );
  const mixes = (r: Route) =>
    r.legs.some((l) => l.mode === "rail") && r.legs.some((l) => l.mode === "air");

  it("not by default, in the Pareto set or any single objective: no transfer, no truck between", () => {
    for (const to of ["CN-XIY", "PK-ISB", "RU-MOW"]) {
      for (const optimise of ["pareto", "cost", "time", "co2e"] as const) {
        const res = ask({ from: "CN-JGH", to, optimise, alternatives: 1 });
        if (!res.ok) throw new Error(`no route to ${to} for ${optimise}`);
        for (const r of res.routes) expect(mixes(r), show(r)).toBe(false);
      }
    }
  });

  it("but when modes lists air, the same request may change between rail and air", () => {
    const res = ask({ to: "CN-XIY", optimise: "pareto", modes: [...MODES] });
    if (!res.ok) throw new Error("no route");
    expect(res.routes.some(railAir)).toBe(true);
  });
});

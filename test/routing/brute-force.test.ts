import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RoutingEngine } from "../../routing/engine";
import { labelSearch } from "../../routing/labels";
import { simulate } from "../../routing/search";
import { MODES } from "../../routing/types";
import { validateNetwork } from "../../routing/validate";
import { enumerateRoutes, key, paretoKeys, type RandomGraphSpec, smallNetwork } from "./support";

const specArb: fc.Arbitrary<RandomGraphSpec> = fc.integer({ min: 2, max: 12 }).chain((hubs) =>
  fc.record({
    hubs: fc.constant(hubs),
    links: fc.array(
      fc
        .record({
          from: fc.integer({ min: 0, max: hubs - 1 }),
          to: fc.integer({ min: 0, max: hubs - 1 }),
          mode: fc.constantFrom(...MODES),
          km: fc.integer({ min: 50, max: 500 }),
          speed: fc.integer({ min: 10, max: 25 }),
          fixed: fc.integer({ min: 30, max: 300 }),
          rate: fc.double({ min: 0.01, max: 0.5, noNaN: true }),
          gauge: fc.constantFrom(0 as const, 1 as const),
          bidirectional: fc.boolean(),
        })
        .filter((l) => l.from !== l.to),
      { minLength: 1, maxLength: Math.min(18, hubs * 2) },
    ),
    weekdayCrossings: fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
  }),
);

const departArb = fc
  .integer({ min: 0, max: 24 * 14 - 1 })
  .map((h) => new Date(Date.UTC(2026, 6, 6) + h * 3_600_000).toISOString());

function setUp(spec: RandomGraphSpec, depart: string, extra: Record<string, unknown> = {}) {
  const data = validateNetwork(smallNetwork(spec));
  const engine = new RoutingEngine(data);
  const ix = engine.index;
  const from = data.hubs[0]?.code ?? "";
  const to = data.hubs[spec.hubs - 1]?.code ?? "";
  // Every mode asked for, so no hub change is refused: with rail-air changes refused, a route
  // may truck out and back to make the change, and optima need no longer be simple paths.
  const q = engine.prepare(ix, {
    from,
    to,
    cargo: { weightKg: 10_000 },
    departAt: depart,
    optimise: "cost",
    modes: [...MODES],
    ...extra,
  });
  return { engine, ix, q, from, to, all: enumerateRoutes(ix, q) };
}

describe("against brute-force enumeration of all simple paths (≤ 12 hubs)", () => {
  it.each(["cost", "time", "co2e"] as const)("single objective %s: same optimum", (objective) => {
    fc.assert(
      fc.property(specArb, departArb, (spec, depart) => {
        const { engine, ix, q, all } = setUp(spec, depart);
        const edges = engine.search.shortest(q, objective);
        if (all.length === 0) {
          expect(edges).toBeNull();
          return;
        }
        expect(edges).not.toBeNull();
        const got = simulate(ix, q, edges ?? []);
        const value = (v: { cost: number; hours: number; co2e: number }) =>
          objective === "cost" ? v.cost : objective === "time" ? v.hours : v.co2e;
        const best = Math.min(...all.map(value));
        const mine = got
          ? value({ cost: got.cost, hours: got.arrive - q.depart, co2e: got.co2e })
          : Number.NaN;
        expect(mine).toBeCloseTo(best, 6);
      }),
      { numRuns: 150 },
    );
  });

  it("pareto: the same non-dominated set", () => {
    let withRoutes = 0;
    let multi = 0;
    fc.assert(
      fc.property(specArb, departArb, (spec, depart) => {
        const { engine, ix, q, all } = setUp(spec, depart);
        if (all.length > 0) withRoutes++;
        if (paretoKeys(all).length > 1) multi++;
        const res = labelSearch(ix, q, { searcher: engine.search });
        expect(res.complete).toBe(true);
        expect(res.labels.map(key).sort()).toEqual(paretoKeys(all));
      }),
      { numRuns: 150 },
    );
    // The property must not pass vacuously on disconnected graphs.
    expect(withRoutes).toBeGreaterThan(40);
    expect(multi).toBeGreaterThan(10);
  });

  it("by default rail and air stay apart: the optima and Pareto set of routes using not both", () => {
    const both = (1 << MODES.indexOf("rail")) | (1 << MODES.indexOf("air"));
    fc.assert(
      fc.property(specArb, departArb, (spec, depart) => {
        const { engine, ix, q, all } = setUp(spec, depart, { modes: undefined });
        const apart = all.filter((v) => (v.modes & both) !== both);
        const res = engine.query({
          from: ix.codes[q.source] ?? "",
          to: ix.codes[q.target] ?? "",
          cargo: { weightKg: 10_000 },
          departAt: depart,
          optimise: "pareto",
          limit: 20,
        });
        if (apart.length === 0) {
          expect(res.ok).toBe(false);
          return;
        }
        if (!res.ok) throw new Error(JSON.stringify(res.noRoute));
        expect(res.paretoSize).toBe(paretoKeys(apart).length);
        const cheapest = engine.query({
          from: ix.codes[q.source] ?? "",
          to: ix.codes[q.target] ?? "",
          cargo: { weightKg: 10_000 },
          departAt: depart,
          optimise: "cost",
        });
        if (!cheapest.ok) throw new Error(JSON.stringify(cheapest.noRoute));
        const best = Math.min(...apart.map((v) => v.cost));
        expect(cheapest.routes[0]?.totals.cost).toBeCloseTo(Math.round(best * 100) / 100, 2);
      }),
      { numRuns: 100 },
    );
  });

  it("pareto under a transit-time limit: the non-dominated routes within it", () => {
    fc.assert(
      fc.property(specArb, departArb, fc.integer({ min: 5, max: 200 }), (spec, depart, max) => {
        const { engine, ix, q, all } = setUp(spec, depart, { maxTransitHours: max });
        const res = labelSearch(ix, q, { searcher: engine.search });
        expect(res.labels.map(key).sort()).toEqual(paretoKeys(all.filter((v) => v.hours <= max)));
      }),
      { numRuns: 100 },
    );
  });

  it("a transit-time limit: the cheapest route within it", () => {
    fc.assert(
      fc.property(specArb, departArb, fc.integer({ min: 5, max: 200 }), (spec, depart, max) => {
        const { engine, from, to, all } = setUp(spec, depart);
        const within = all.filter((v) => v.hours <= max);
        const res = engine.query({
          from,
          to,
          cargo: { weightKg: 10_000 },
          departAt: depart,
          optimise: "cost",
          modes: [...MODES],
          maxTransitHours: max,
        });
        if (within.length === 0) {
          expect(res.ok).toBe(false);
          return;
        }
        expect(res.ok).toBe(true);
        if (!res.ok) return;
        const best = Math.min(...within.map((v) => v.cost));
        expect(res.routes[0]?.totals.cost).toBeCloseTo(Math.round(best * 100) / 100, 2);
      }),
      { numRuns: 100 },
    );
  });
});

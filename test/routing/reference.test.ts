import { singleSource } from "graphology-shortest-path/dijkstra";
import { describe, expect, it } from "vitest";
import { RoutingEngine } from "../../routing/engine";
import { simulate } from "../../routing/search";
import type { NetworkData } from "../../routing/types";
import { validateNetwork } from "../../routing/validate";
import { prng, syntheticNetwork } from "../../seed/synthetic-network";
import { expandedGraphology, goalKey, pathWeight, startEdges } from "./expanded";
import { seedNetwork } from "./support";

const DEPART = "2026-07-06T08:00:00Z";

/**
 * For every destination from each origin: the engine's optimum against graphology's Dijkstra
 * on the state graph (same weights, hub changes folded in).
 */
function compare(data: NetworkData, origins: string[], objective: "cost" | "co2e", max = 200) {
  const engine = new RoutingEngine(data);
  const ix = engine.index;
  let compared = 0;
  for (const from of origins) {
    const base = {
      cargo: { weightKg: 15_000, volumeM3: 40 },
      departAt: DEPART,
      optimise: objective,
    };
    const q0 = engine.prepare(ix, { ...base, from, to: from });
    const g = expandedGraphology(ix, q0, objective);
    g.mergeNode("S");
    for (const e of startEdges(ix, q0, objective)) {
      g.mergeNode(String(e.to));
      g.addDirectedEdge("S", String(e.to), { weight: e.weight });
    }
    const paths = singleSource(g, "S", "weight");
    const targets = data.hubs.map((h) => h.code).filter((c) => c !== from);
    for (const to of targets.slice(0, max)) {
      const q = engine.prepare(ix, { ...base, from, to });
      const goal = goalKey(ix, q);
      const path = paths[goal];
      const edges = engine.search.shortest(q, objective);
      if (!path) {
        expect(edges, `${from}→${to}`).toBeNull();
        continue;
      }
      const s = edges ? simulate(ix, q, edges) : null;
      const mine = s ? (objective === "cost" ? s.cost : s.co2e) : Number.NaN;
      expect(mine, `${from}→${to}`).toBeCloseTo(pathWeight(g, path), 6);
      compared++;
    }
  }
  return compared;
}

describe("single-objective optima equal graphology-shortest-path Dijkstra on the same weights", () => {
  it.each(["cost", "co2e"] as const)("on the real network (%s), all pairs", (objective) => {
    const origins = seedNetwork.hubs.map((h) => h.code);
    expect(compare(seedNetwork, origins, objective)).toBeGreaterThan(3000);
  });

  it("on a large synthetic network (10,000 hubs, 40,000 links)", () => {
    const data = validateNetwork(
      syntheticNetwork({
        hubs: 10_000,
        links: 40_000,
        seed: 7,
        emissionFactors: seedNetwork.emissionFactors,
        handling: { ...seedNetwork.handling, byHub: {} },
      }),
    );
    const rand = prng(11);
    const origins = [0, 1, 2].map(
      () => data.hubs[Math.floor(rand() * data.hubs.length)]?.code ?? "",
    );
    expect(compare(data, origins, "cost", 60)).toBeGreaterThan(100);
  });
});

import { DirectedGraph } from "graphology";
import {
  CLASS_COUNT,
  CLASS_MODE,
  CLASS_MODE_INDEX,
  CLASS_START,
  type CompiledIndex,
  isGaugeChange,
} from "../../routing/compile";
import { changeCo2e, changeUsd, handlingRow } from "../../routing/leg-cost";
import { legWeight, type SearchQuery } from "../../routing/search";
import { MODES } from "../../routing/types";

/**
 * The search space written out as a plain weighted graph — one node per (hub, arrival class)
 * state, one edge per possible departure with the hub change folded into its weight — so that
 * general-purpose shortest-path libraries can be run on exactly the same weights as the engine.
 * Static: waits for opening hours are not modelled (they do not change cost or CO2e). Terminal
 * handling is folded into the edges out of the start and into each hub's "arrived" node, so one
 * graph serves every target.
 */
export interface ExpandedEdge {
  from: number;
  to: number;
  weight: number;
}

/**
 * Edges of the state graph for `objective`; hub `v`'s "arrived" node is `n * CLASS_COUNT + v`. Start
 * states are left out (add the origin's with `startEdges`).
 */
export function expandedEdges(
  ix: CompiledIndex,
  q: SearchQuery,
  objective: "cost" | "co2e",
): ExpandedEdge[] {
  const present = new Uint8Array(ix.n * CLASS_COUNT);
  for (let e = 0; e < ix.m; e++) {
    if (q.allowed[e] === 1) present[(ix.head[e] ?? 0) * CLASS_COUNT + (ix.cls[e] ?? 0)] = 1;
  }
  const out: ExpandedEdge[] = [];
  const best = new Map<number, number>();
  for (let st = 0; st < ix.n * CLASS_COUNT; st++) {
    if (present[st] === 0) continue;
    const v = (st / CLASS_COUNT) | 0;
    const a = st - v * CLASS_COUNT;
    best.clear();
    for (let e = ix.offsets[v] ?? 0; e < (ix.offsets[v + 1] ?? 0); e++) {
      if (q.allowed[e] === 0) continue;
      const b = ix.cls[e] ?? 0;
      let w = 0;
      if (a !== CLASS_START && a !== b) {
        if (q.noChange[a * CLASS_COUNT + b] === 1) continue;
        const gauge = isGaugeChange(a, b);
        const table = gauge ? ix.gaugeChange : ix.modeChange;
        const md = ix.mode[e] ?? 0;
        const o = gauge ? v * 4 : handlingRow(ix, v, CLASS_MODE_INDEX[a] ?? 0, md);
        if (Number.isNaN(table[o] ?? 0)) continue;
        w += handling(q, table, o, md, objective);
      }
      w += legWeight(ix, q, e, objective);
      const to = (ix.head[e] ?? 0) * CLASS_COUNT + b;
      const prev = best.get(to);
      if (prev === undefined || w < prev) best.set(to, w);
    }
    for (const [to, weight] of [...best].sort((x, y) => x[0] - y[0])) {
      out.push({ from: st, to, weight });
    }
  }
  for (let st = 0; st < ix.n * CLASS_COUNT; st++) {
    const v = (st / CLASS_COUNT) | 0;
    const a = st - v * CLASS_COUNT;
    if (present[st] === 1 && a !== CLASS_START) {
      const md = MODES.indexOf(CLASS_MODE[a] ?? "road");
      const o = handlingRow(ix, v, md, md);
      const weight = ix.terminal[md] === 1 ? handling(q, ix.modeChange, o, md, objective) : 0;
      out.push({ from: st, to: ix.n * CLASS_COUNT + v, weight });
    }
  }
  return out;
}

/** The handling at row `o` of the cargo onto or off mode `md`, for the objective. */
function handling(
  q: SearchQuery,
  table: Float64Array,
  o: number,
  md: number,
  objective: "cost" | "co2e",
): number {
  return objective === "cost"
    ? changeUsd(table, o, q.tonnes, q.units[md] ?? 1)
    : changeCo2e(table, o, q.tonnes);
}

/** Edges leaving the query's origin (its terminal's loading, no hub change); add them under `start` per query. */
export function startEdges(
  ix: CompiledIndex,
  q: SearchQuery,
  objective: "cost" | "co2e",
): ExpandedEdge[] {
  const best = new Map<number, number>();
  for (let e = ix.offsets[q.source] ?? 0; e < (ix.offsets[q.source + 1] ?? 0); e++) {
    if (q.allowed[e] === 0) continue;
    const md = ix.mode[e] ?? 0;
    const o = handlingRow(ix, q.source, md, md);
    const load = ix.terminal[md] === 1 ? handling(q, ix.modeChange, o, md, objective) : 0;
    const w = load + legWeight(ix, q, e, objective);
    const to = (ix.head[e] ?? 0) * CLASS_COUNT + (ix.cls[e] ?? 0);
    const prev = best.get(to);
    if (prev === undefined || w < prev) best.set(to, w);
  }
  return [...best].sort((x, y) => x[0] - y[0]).map(([to, weight]) => ({ from: -1, to, weight }));
}

/** The state graph as a graphology graph with a `weight` attribute; node keys are numbers. */
export function expandedGraphology(
  ix: CompiledIndex,
  q: SearchQuery,
  objective: "cost" | "co2e",
): DirectedGraph<Record<string, never>, { weight: number }> {
  const g = new DirectedGraph<Record<string, never>, { weight: number }>();
  for (const { from, to, weight } of expandedEdges(ix, q, objective)) {
    g.mergeNode(String(from));
    g.mergeNode(String(to));
    g.addDirectedEdge(String(from), String(to), { weight });
  }
  return g;
}

/** Key of the node a query's target hub is reached at, in the expanded graph. */
export const goalKey = (ix: CompiledIndex, q: SearchQuery) => String(ix.n * CLASS_COUNT + q.target);

/** Weight of a path of node keys, taking the lightest edge between consecutive nodes. */
export function pathWeight(
  g: DirectedGraph<Record<string, never>, { weight: number }>,
  path: string[],
): number {
  let total = 0;
  for (let i = 1; i < path.length; i++) {
    const edge = g.edge(path[i - 1], path[i]);
    total += edge === undefined ? Number.NaN : g.getEdgeAttribute(edge, "weight");
  }
  return total;
}

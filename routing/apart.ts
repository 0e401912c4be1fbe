import { CLASS_START, type CompiledIndex } from "./compile";
import { type LabelResult, labelSearch, type ParetoLabel } from "./labels";
import {
  newStep,
  type Objective,
  reachable,
  type Searcher,
  type SearchQuery,
  step,
} from "./search";
import { MODES } from "./types";

/*
 * Keeping rail and air apart. Unless the caller lists air in `modes`, a route may carry the
 * cargo by rail or by air but not both: no carrier takes a container off a train and flies
 * it, directly or after a truck out and back. Whether a route has used rail is history the
 * (hub, arrival class) states do not hold, so the searches first run without the rule (hub
 * changes between rail and air are refused already); only if an answer mixes the two do they
 * run again, once without rail edges and once without air edges, and keep the better. The
 * first run relaxes the rule, so an answer that keeps it is optimal under it.
 */

const RAIL = MODES.indexOf("rail");
const AIR = MODES.indexOf("air");

/** Whether a route (its edges) uses both rail and air. */
function mixesRailAndAir(ix: CompiledIndex, edges: readonly number[]): boolean {
  let rail = false;
  let air = false;
  for (const e of edges) {
    const md = ix.mode[e];
    if (md === RAIL) rail = true;
    else if (md === AIR) air = true;
  }
  return rail && air;
}

/** The query with every edge of mode index `md` refused; shares `blocked` with `q`. */
function without(ix: CompiledIndex, q: SearchQuery, md: number): SearchQuery {
  const allowed = Uint8Array.from(q.allowed);
  for (let e = 0; e < ix.m; e++) if (ix.mode[e] === md) allowed[e] = 0;
  return { ...q, allowed };
}

/** `searcher.shortest` under the query's rail-air rule. */
export function shortestApart(
  searcher: Searcher,
  q: SearchQuery,
  objective: Objective,
  penalty?: Float64Array,
): number[] | null {
  const ix = searcher.ix;
  const best = searcher.shortest(q, objective, penalty);
  if (!q.railAirApart || best === null || !mixesRailAndAir(ix, best)) return best;
  const noRail = without(ix, q, RAIL);
  const noAir = without(ix, q, AIR);
  const a = searcher.shortest(noRail, objective, penalty);
  const b = searcher.shortest(noAir, objective, penalty);
  if (a === null || b === null) return a ?? b;
  return objectiveOf(ix, noAir, b, objective, penalty) <
    objectiveOf(ix, noRail, a, objective, penalty)
    ? b
    : a;
}

/** A route's objective as the search sums it, each step's increment times its penalty. */
function objectiveOf(
  ix: CompiledIndex,
  q: SearchQuery,
  edges: number[],
  objective: Objective,
  penalty?: Float64Array,
): number {
  const s = newStep();
  let v = q.source;
  let a = CLASS_START;
  let t = q.depart;
  let total = 0;
  for (const e of edges) {
    if (!step(ix, q, v, a, t, e, s)) return Number.POSITIVE_INFINITY;
    const inc = objective === "cost" ? s.cost : objective === "time" ? s.arrive - t : s.co2e;
    total += inc * (penalty ? (penalty[e] ?? 1) : 1);
    t = s.arrive;
    v = ix.head[e] ?? 0;
    a = ix.cls[e] ?? 0;
  }
  return total;
}

/** `labelSearch` under the query's rail-air rule: the non-dominated union of both halves. */
export function labelsApart(
  ix: CompiledIndex,
  q: SearchQuery,
  opts: Parameters<typeof labelSearch>[2],
): LabelResult {
  const res = labelSearch(ix, q, opts);
  if (!q.railAirApart || !res.labels.some((l) => mixesRailAndAir(ix, l.edges))) return res;
  const a = labelSearch(ix, without(ix, q, RAIL), opts);
  const b = labelSearch(ix, without(ix, q, AIR), opts);
  return {
    labels: nonDominated([...a.labels, ...b.labels], Number.isFinite(q.maxModeChanges)),
    complete: a.complete && b.complete,
    settled: res.settled + a.settled + b.settled,
  };
}

/**
 * Labels no other label weakly dominates, the first of equals kept (as the label setting
 * keeps one route per criteria vector). A road-only route found by both halves counts once.
 */
function nonDominated(labels: ParetoLabel[], countChanges: boolean): ParetoLabel[] {
  const weakly = (x: ParetoLabel, y: ParetoLabel) =>
    x.cost <= y.cost &&
    x.hours <= y.hours &&
    x.co2e <= y.co2e &&
    (!countChanges || x.modeChanges <= y.modeChanges);
  return labels.filter((l, i) =>
    labels.every((o, j) => j === i || !weakly(o, l) || (weakly(l, o) && i < j)),
  );
}

/** `reachable` under the query's rail-air rule. */
export function reachableApart(ix: CompiledIndex, q: SearchQuery): boolean {
  if (!reachable(ix, q)) return false;
  if (!q.railAirApart) return true;
  return reachable(ix, without(ix, q, RAIL)) || reachable(ix, without(ix, q, AIR));
}

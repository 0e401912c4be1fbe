import { CLASS_START, type CompiledIndex, K } from "./compile";
import { PairHeap } from "./heap";
import { newStep, type Objective, Searcher, type SearchQuery, simulate, step } from "./search";

/** One non-dominated route to the target, by its edges and criteria. */
export interface ParetoLabel {
  edges: number[];
  cost: number;
  hours: number;
  co2e: number;
  modeChanges: number;
}

export interface LabelResult {
  labels: ParetoLabel[];
  /** False if the label budget ran out before the search finished. */
  complete: boolean;
  settled: number;
}

/**
 * Multi-criteria label setting (Martins' algorithm) over (hub, arrival class) states. Labels
 * leave the queue in lexicographic order of their criteria, so a label not dominated when it
 * leaves is Pareto-optimal for its state. Criteria are cost, hours and CO2e; with
 * `maxModeChanges` set, the number of mode changes is a fourth. Labels are pruned when their
 * criteria plus static lower bounds to the target are dominated by a route already found.
 *
 * `only`: keep a single objective plus hours (and mode changes): an exact constrained search
 * for one objective under `maxTransitHours` / `maxModeChanges`.
 */
export function labelSearch(
  ix: CompiledIndex,
  q: SearchQuery,
  opts: { only?: Objective; maxLabels?: number; searcher?: Searcher } = {},
): LabelResult {
  const searcher = opts.searcher ?? new Searcher(ix);
  const useCost = opts.only === undefined || opts.only === "cost";
  const useCo2 = opts.only === undefined || opts.only === "co2e";
  const useMc = Number.isFinite(q.maxModeChanges);
  // Upper corner of the region worth bounding: the worst value, per criterion, among the
  // single-objective optima. A hub farther than that (per criterion) from the target only leads
  // to routes that one of those optima — or a route dominating it, which the search finds —
  // dominates, so bounding it by the corner is enough. Not used with a mode-change limit,
  // which the single-objective searches do not honour.
  const corner = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
  if (!useMc) {
    const found = (["cost", "time", "co2e"] as const).map((o) => {
      const edges = searcher.shortest(q, o);
      return edges ? simulate(ix, q, edges) : null;
    });
    // Earliest arrival is exact even under a transit limit, so no fastest route means none at
    // all; the others may miss under a limit, and any feasible routes make a valid corner.
    if (found[1] === null) return { labels: [], complete: true, settled: 0 };
    const routes = found.filter((f) => f !== null);
    const slack = (x: number) => x * (1 + 1e-9) + 1e-9;
    corner[0] = slack(Math.max(...routes.map((f) => f.cost)));
    corner[1] = slack(Math.max(...routes.map((f) => f.arrive - q.depart)));
    corner[2] = slack(Math.max(...routes.map((f) => f.co2e)));
  }
  const lbCost = useCost ? searcher.lowerBounds(q, 0, corner[0]) : null;
  const lbTime = searcher.lowerBounds(q, 1, corner[1]);
  const lbCo2 = useCo2 ? searcher.lowerBounds(q, 2, corner[2]) : null;
  const maxLabels = opts.maxLabels ?? 2_000_000;
  const limit = q.maxTransitHours;

  let cap = 1024;
  let lc = new Float64Array(cap);
  let lt = new Float64Array(cap);
  let le = new Float64Array(cap);
  let lm = new Int32Array(cap);
  let ls = new Int32Array(cap);
  let lp = new Int32Array(cap);
  let ledge = new Int32Array(cap);
  let count = 0;
  const add = (c: number, t: number, e: number, mc: number, st: number, p: number, ed: number) => {
    if (count === cap) {
      cap *= 2;
      const grow = <T extends Float64Array | Int32Array>(a: T, b: T) => {
        b.set(a);
        return b;
      };
      lc = grow(lc, new Float64Array(cap));
      lt = grow(lt, new Float64Array(cap));
      le = grow(le, new Float64Array(cap));
      lm = grow(lm, new Int32Array(cap));
      ls = grow(ls, new Int32Array(cap));
      lp = grow(lp, new Int32Array(cap));
      ledge = grow(ledge, new Int32Array(cap));
    }
    lc[count] = useCost ? c : 0;
    lt[count] = t;
    le[count] = useCo2 ? e : 0;
    lm[count] = useMc ? mc : 0;
    ls[count] = st;
    lp[count] = p;
    ledge[count] = ed;
    return count++;
  };
  // Real totals are kept apart from the criteria so that a single-objective search still
  // reports every figure.
  const totals: number[][] = [];

  const dominates = (a: number, c: number, t: number, e: number, mc: number) =>
    (lc[a] ?? 0) <= c && (lt[a] ?? 0) <= t && (le[a] ?? 0) <= e && (lm[a] ?? 0) <= mc;

  const permanent = new Map<number, number[]>();
  const target: number[] = [];
  const dominatedAt = (st: number, c: number, t: number, e: number, mc: number) => {
    const list = permanent.get(st);
    if (list) for (const x of list) if (dominates(x, c, t, e, mc)) return true;
    return false;
  };
  const dominatedByTarget = (v: number, c: number, t: number, e: number, mc: number) => {
    const bc = useCost ? c + (lbCost?.[v] ?? 0) : 0;
    const bt = t + (lbTime[v] ?? 0);
    const be = useCo2 ? e + (lbCo2?.[v] ?? 0) : 0;
    for (const x of target) if (dominates(x, bc, bt, be, mc)) return true;
    return false;
  };

  // Queue order: the first criterion, then the sum of the normalised rest as a tie-break
  // proxy, then the label number (creation order) — lexicographic enough for correctness,
  // since a dominating label is never later in (k1, k2).
  const heap = new PairHeap();
  const key1 = (l: number) => (useCost ? (lc[l] ?? 0) : useCo2 ? (le[l] ?? 0) : (lt[l] ?? 0));
  const key2 = (l: number) => (lt[l] ?? 0) + (le[l] ?? 0) + (lm[l] ?? 0);
  const root = add(0, 0, 0, 0, q.source * K + CLASS_START, -1, -1);
  totals.push([0, 0, 0, 0]);
  heap.push(root, 0, 0);
  const s = newStep();
  let settled = 0;
  let complete = true;
  if (lbTime[q.source] === Number.POSITIVE_INFINITY) heap.clear();
  while (heap.size > 0) {
    const l = heap.pop();
    const st = ls[l] ?? 0;
    const c = lc[l] ?? 0;
    const t = lt[l] ?? 0;
    const e = le[l] ?? 0;
    const mc = lm[l] ?? 0;
    if (dominatedAt(st, c, t, e, mc)) continue;
    const v = (st / K) | 0;
    if (dominatedByTarget(v, c, t, e, mc)) continue;
    const list = permanent.get(st);
    if (list) list.push(l);
    else permanent.set(st, [l]);
    settled++;
    if (v === q.target) {
      target.push(l);
      continue;
    }
    if (count > maxLabels) {
      complete = false;
      break;
    }
    const a = st - v * K;
    const tot = totals[l] ?? [0, 0, 0, 0];
    const end = ix.offsets[v + 1] ?? 0;
    for (let ed = ix.offsets[v] ?? 0; ed < end; ed++) {
      if (q.allowed[ed] === 0) continue;
      if (!step(ix, q, v, a, q.depart + t, ed, s)) continue;
      const nt = s.arrive - q.depart;
      if (nt > limit) continue;
      const nmc = mc + s.modeChange;
      if (nmc > q.maxModeChanges) continue;
      const w = (ix.head[ed] ?? 0) * K + (ix.cls[ed] ?? 0);
      const realCost = (tot[0] ?? 0) + s.cost;
      const realCo2 = (tot[2] ?? 0) + s.co2e;
      const nc = useCost ? realCost : 0;
      const ne = useCo2 ? realCo2 : 0;
      if (dominatedAt(w, nc, nt, ne, nmc)) continue;
      if (dominatedByTarget(ix.head[ed] ?? 0, nc, nt, ne, nmc)) continue;
      const nl = add(nc, nt, ne, nmc, w, l, ed);
      totals[nl] = [realCost, nt, realCo2, (tot[3] ?? 0) + s.modeChange];
      heap.push(nl, key1(nl), key2(nl));
    }
  }

  const labels = target.map((l) => {
    const edges: number[] = [];
    for (let x = l; (ledge[x] ?? -1) >= 0; x = lp[x] ?? 0) edges.push(ledge[x] ?? 0);
    const tot = totals[l] ?? [0, 0, 0, 0];
    return {
      edges: edges.reverse(),
      cost: tot[0] ?? 0,
      hours: tot[1] ?? 0,
      co2e: tot[2] ?? 0,
      modeChanges: tot[3] ?? 0,
    };
  });
  return { labels, complete, settled };
}

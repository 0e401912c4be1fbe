import { CLASS_COUNT, CLASS_START, type CompiledIndex } from "./compile";
import { PairHeap } from "./heap";
import {
  newStep,
  type Objective,
  Searcher,
  type SearchQuery,
  type Step,
  simulate,
  step,
} from "./search";

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

/** Which criteria the labels compare; hours always count. */
interface Criteria {
  cost: boolean;
  co2e: boolean;
  modeChanges: boolean;
}

/** Static lower bounds to the target per hub, for the criteria in use. */
interface Bounds {
  cost: Float64Array | null;
  time: Float64Array;
  co2e: Float64Array | null;
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
  const use: Criteria = {
    cost: opts.only === undefined || opts.only === "cost",
    co2e: opts.only === undefined || opts.only === "co2e",
    modeChanges: Number.isFinite(q.maxModeChanges),
  };
  const unbounded = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
  // Not bounded with a mode-change limit, which the single-objective searches do not honour.
  const corner = use.modeChanges ? unbounded : optimaCorner(ix, q, searcher);
  if (corner === null) return { labels: [], complete: true, settled: 0 };
  const labels = new LabelStore(use, {
    cost: use.cost ? searcher.lowerBounds(q, "cost", corner[0]) : null,
    time: searcher.lowerBounds(q, "time", corner[1]),
    co2e: use.co2e ? searcher.lowerBounds(q, "co2e", corner[2]) : null,
  });
  return settleLabels(ix, q, labels, opts.maxLabels ?? 2_000_000);
}

/**
 * Upper corner of the region worth bounding: the worst value, per criterion, among the
 * single-objective optima. A hub farther than that (per criterion) from the target only leads
 * to routes that one of those optima — or a route dominating it, which the search finds —
 * dominates, so bounding it by the corner is enough. Null when there is no route at all.
 */
function optimaCorner(ix: CompiledIndex, q: SearchQuery, searcher: Searcher): number[] | null {
  const found = (["cost", "time", "co2e"] as const).map((o) => {
    const edges = searcher.shortest(q, o);
    return edges ? simulate(ix, q, edges) : null;
  });
  // Earliest arrival is exact even under a transit limit, so no fastest route means none at
  // all; the others may miss under a limit, and any feasible routes make a valid corner.
  if (found[1] === null) return null;
  const routes = found.filter((f) => f !== null);
  const slack = (x: number) => x * (1 + 1e-9) + 1e-9;
  return [
    slack(Math.max(...routes.map((f) => f.cost))),
    slack(Math.max(...routes.map((f) => f.arrive - q.depart))),
    slack(Math.max(...routes.map((f) => f.co2e))),
  ];
}

/**
 * Takes labels off the queue in order; each one not dominated at its state or by a route
 * already found becomes permanent and, unless it has reached the target, is extended.
 */
function settleLabels(
  ix: CompiledIndex,
  q: SearchQuery,
  labels: LabelStore,
  maxLabels: number,
): LabelResult {
  const root = labels.add(0, 0, 0, 0, q.source * CLASS_COUNT + CLASS_START, -1, -1);
  labels.totals.push([0, 0, 0, 0]);
  const heap = new PairHeap();
  heap.push(root, 0, 0);
  const s = newStep();
  let settled = 0;
  let complete = true;
  if (labels.bounds.time[q.source] === Number.POSITIVE_INFINITY) heap.clear();
  while (heap.size > 0) {
    const l = heap.pop();
    const st = labels.state[l] ?? 0;
    const c = labels.cost[l] ?? 0;
    const t = labels.hours[l] ?? 0;
    const e = labels.co2e[l] ?? 0;
    const mc = labels.modeChanges[l] ?? 0;
    if (labels.dominatedAt(st, c, t, e, mc)) continue;
    const v = (st / CLASS_COUNT) | 0;
    if (labels.dominatedByTarget(v, c, t, e, mc)) continue;
    labels.makePermanent(st, l);
    settled++;
    if (v === q.target) {
      labels.target.push(l);
      continue;
    }
    if (labels.count > maxLabels) {
      complete = false;
      break;
    }
    extendLabel(ix, q, labels, heap, l, s);
  }
  return { labels: labels.routes(), complete, settled };
}

/** Queues a label for every edge out of label `l`'s state that leads somewhere undominated. */
function extendLabel(
  ix: CompiledIndex,
  q: SearchQuery,
  labels: LabelStore,
  heap: PairHeap,
  l: number,
  s: Step,
): void {
  const st = labels.state[l] ?? 0;
  const t = labels.hours[l] ?? 0;
  const mc = labels.modeChanges[l] ?? 0;
  const v = (st / CLASS_COUNT) | 0;
  const a = st - v * CLASS_COUNT;
  const tot = labels.totals[l] ?? [0, 0, 0, 0];
  const end = ix.offsets[v + 1] ?? 0;
  for (let ed = ix.offsets[v] ?? 0; ed < end; ed++) {
    if (q.allowed[ed] === 0) continue;
    if (!step(ix, q, v, a, q.depart + t, ed, s)) continue;
    const nt = s.arrive - q.depart;
    if (nt > q.maxTransitHours) continue;
    const nmc = mc + s.modeChange;
    if (nmc > q.maxModeChanges) continue;
    const w = (ix.head[ed] ?? 0) * CLASS_COUNT + (ix.cls[ed] ?? 0);
    const realCost = (tot[0] ?? 0) + s.cost;
    const realCo2 = (tot[2] ?? 0) + s.co2e;
    const nc = labels.use.cost ? realCost : 0;
    const ne = labels.use.co2e ? realCo2 : 0;
    if (labels.dominatedAt(w, nc, nt, ne, nmc)) continue;
    if (labels.dominatedByTarget(ix.head[ed] ?? 0, nc, nt, ne, nmc)) continue;
    const nl = labels.add(nc, nt, ne, nmc, w, l, ed);
    labels.totals[nl] = [realCost, nt, realCo2, (tot[3] ?? 0) + s.modeChange];
    heap.push(nl, labels.key1(nl), labels.key2(nl));
  }
}

/**
 * Every label made so far, in growable typed arrays: its criteria (0 for a criterion not in
 * use), its state, its parent label and the edge that led to it.
 */
class LabelStore {
  private cap = 1024;
  count = 0;
  cost = new Float64Array(this.cap);
  hours = new Float64Array(this.cap);
  co2e = new Float64Array(this.cap);
  modeChanges = new Int32Array(this.cap);
  state = new Int32Array(this.cap);
  private parent = new Int32Array(this.cap);
  private edge = new Int32Array(this.cap);
  /**
   * Real totals [cost, hours, CO2e, mode changes], kept apart from the criteria so that a
   * single-objective search still reports every figure.
   */
  readonly totals: number[][] = [];
  /** Permanent labels by state. */
  private readonly permanent = new Map<number, number[]>();
  /** Permanent labels at the target. */
  readonly target: number[] = [];

  constructor(
    readonly use: Criteria,
    readonly bounds: Bounds,
  ) {}

  add(c: number, t: number, e: number, mc: number, st: number, p: number, ed: number): number {
    if (this.count === this.cap) this.grow();
    const i = this.count;
    this.cost[i] = this.use.cost ? c : 0;
    this.hours[i] = t;
    this.co2e[i] = this.use.co2e ? e : 0;
    this.modeChanges[i] = this.use.modeChanges ? mc : 0;
    this.state[i] = st;
    this.parent[i] = p;
    this.edge[i] = ed;
    return this.count++;
  }

  private grow(): void {
    this.cap *= 2;
    const grow = <T extends Float64Array | Int32Array>(a: T, b: T) => {
      b.set(a);
      return b;
    };
    this.cost = grow(this.cost, new Float64Array(this.cap));
    this.hours = grow(this.hours, new Float64Array(this.cap));
    this.co2e = grow(this.co2e, new Float64Array(this.cap));
    this.modeChanges = grow(this.modeChanges, new Int32Array(this.cap));
    this.state = grow(this.state, new Int32Array(this.cap));
    this.parent = grow(this.parent, new Int32Array(this.cap));
    this.edge = grow(this.edge, new Int32Array(this.cap));
  }

  private dominates(a: number, c: number, t: number, e: number, mc: number): boolean {
    return (
      (this.cost[a] ?? 0) <= c &&
      (this.hours[a] ?? 0) <= t &&
      (this.co2e[a] ?? 0) <= e &&
      (this.modeChanges[a] ?? 0) <= mc
    );
  }

  dominatedAt(st: number, c: number, t: number, e: number, mc: number): boolean {
    const list = this.permanent.get(st);
    if (list) for (const x of list) if (this.dominates(x, c, t, e, mc)) return true;
    return false;
  }

  /** Whether a route already found beats these criteria plus the bounds from hub `v`. */
  dominatedByTarget(v: number, c: number, t: number, e: number, mc: number): boolean {
    const bc = this.use.cost ? c + (this.bounds.cost?.[v] ?? 0) : 0;
    const bt = t + (this.bounds.time[v] ?? 0);
    const be = this.use.co2e ? e + (this.bounds.co2e?.[v] ?? 0) : 0;
    for (const x of this.target) if (this.dominates(x, bc, bt, be, mc)) return true;
    return false;
  }

  makePermanent(st: number, l: number): void {
    const list = this.permanent.get(st);
    if (list) list.push(l);
    else this.permanent.set(st, [l]);
  }

  /*
   * Queue order: the first criterion, then the sum of the normalised rest as a tie-break
   * proxy, then the label number (creation order) — lexicographic enough for correctness,
   * since a dominating label is never later in (k1, k2).
   */
  key1(l: number): number {
    if (this.use.cost) return this.cost[l] ?? 0;
    return this.use.co2e ? (this.co2e[l] ?? 0) : (this.hours[l] ?? 0);
  }

  key2(l: number): number {
    return (this.hours[l] ?? 0) + (this.co2e[l] ?? 0) + (this.modeChanges[l] ?? 0);
  }

  /** The routes of the labels at the target, by their edges and real totals. */
  routes(): ParetoLabel[] {
    return this.target.map((l) => {
      const edges: number[] = [];
      for (let x = l; (this.edge[x] ?? -1) >= 0; x = this.parent[x] ?? 0) {
        edges.push(this.edge[x] ?? 0);
      }
      const tot = this.totals[l] ?? [0, 0, 0, 0];
      return {
        edges: edges.reverse(),
        cost: tot[0] ?? 0,
        hours: tot[1] ?? 0,
        co2e: tot[2] ?? 0,
        modeChanges: tot[3] ?? 0,
      };
    });
  }
}

import { type CompiledCalendar, nextOpen } from "./calendar";
import {
  CLASS_COUNT,
  CLASS_MODE_INDEX,
  CLASS_START,
  type CompiledIndex,
  isGaugeChange,
} from "./compile";
import { PairHeap } from "./heap";
import { changeCo2e, changeUsd, handlingRow, type Load, legCo2e, legUsd } from "./leg-cost";

export const OBJECTIVES = ["cost", "time", "co2e"] as const;
export type Objective = (typeof OBJECTIVES)[number];

/** A query compiled against one index: hubs as numbers, constraints as an edge mask. */
export interface SearchQuery extends Load {
  source: number;
  target: number;
  /** Departure, hours since the epoch. */
  depart: number;
  /** 1 where the edge may be used under the query's static constraints. */
  allowed: Uint8Array;
  /** 1 at [a × CLASS_COUNT + b] where a hub change from class a to class b is refused. */
  noChange: Uint8Array;
  /** Whether a route may not use both rail and air (see `apart.ts`). */
  railAirApart: boolean;
  maxTransitHours: number;
  maxModeChanges: number;
  /** Edges refused because of a seasonal closure or an admin closure at the time of entry. */
  blocked: Set<number>;
}

/** Result of one step; reused to avoid allocation in the hot loop. */
export interface Step {
  cost: number;
  arrive: number;
  co2e: number;
  modeChange: number;
}

/**
 * Leaves hub `v` (reached in class `a` at time `t`) along edge `e`: the origin terminal's
 * handling or the hub's mode or gauge change, the wait for the crossing's opening, the link
 * itself, and the destination terminal's handling if `e` ends there. Every search and the
 * route description call this one function, so their sums agree to the last bit.
 */
export function step(
  ix: CompiledIndex,
  q: SearchQuery,
  v: number,
  a: number,
  t: number,
  e: number,
  out: Step,
): boolean {
  const b = ix.cls[e] as number;
  const md = ix.mode[e] as number;
  let cost = 0;
  let co2e = 0;
  let time = t;
  let mc = 0;
  if (a === CLASS_START) {
    if (ix.terminal[md] === 1) {
      const o = handlingRow(ix, v, md, md);
      time += ix.modeChange[o] as number;
      cost += changeUsd(ix.modeChange, o, q.tonnes, q.units[md] as number);
      co2e += changeCo2e(ix.modeChange, o, q.tonnes);
    }
  } else if (a !== b) {
    if (q.noChange[a * CLASS_COUNT + b] === 1) return false;
    const gauge = isGaugeChange(a, b);
    const o = gauge ? v * 4 : handlingRow(ix, v, CLASS_MODE_INDEX[a] as number, md);
    const table = gauge ? ix.gaugeChange : ix.modeChange;
    const hours = table[o] as number;
    if (Number.isNaN(hours)) return false;
    time += hours;
    cost += changeUsd(table, o, q.tonnes, q.units[md] as number);
    co2e += changeCo2e(table, o, q.tonnes);
    if (!gauge) mc = 1;
  }
  const cal = ix.calendar[e] as number;
  if (cal >= 0) {
    time = nextOpen(ix.calendars[cal] as CompiledCalendar, time);
    if (Number.isNaN(time)) {
      q.blocked.add(e);
      return false;
    }
  }
  if (time < (ix.closedUntil[e] as number)) {
    q.blocked.add(e);
    return false;
  }
  cost += legUsd(ix, e, q);
  co2e += legCo2e(ix, e, q.tonnes);
  let arrive = time + (ix.hours[e] as number);
  const h = ix.head[e] as number;
  if (h === q.target && ix.terminal[md] === 1) {
    const o = handlingRow(ix, h, md, md);
    arrive += ix.modeChange[o] as number;
    cost += changeUsd(ix.modeChange, o, q.tonnes, q.units[md] as number);
    co2e += changeCo2e(ix.modeChange, o, q.tonnes);
  }
  out.cost = cost;
  out.arrive = arrive;
  out.co2e = co2e;
  out.modeChange = mc;
  return true;
}

/** Edge `e`'s own weight for an objective, without hub changes or waits (both only add). */
export function legWeight(ix: CompiledIndex, q: SearchQuery, e: number, objective: Objective) {
  return objective === "cost"
    ? legUsd(ix, e, q)
    : objective === "time"
      ? (ix.hours[e] as number)
      : legCo2e(ix, e, q.tonnes);
}

/** One single-objective search's settings, as its edge loop reads them. */
interface Run {
  q: SearchQuery;
  /** Generation: marks which entries of the search buffers belong to this search. */
  g: number;
  byTime: boolean;
  byCost: boolean;
  penalty?: Float64Array;
  bound: (v: number) => number;
}

export const newStep = (): Step => ({ cost: 0, arrive: 0, co2e: 0, modeChange: 0 });

/** Reusable buffers for searches on one index (one query at a time). */
export class Searcher {
  readonly ix: CompiledIndex;
  private gen = 0;
  private readonly seen: Uint32Array;
  private readonly done: Uint32Array;
  private readonly key1: Float64Array;
  private readonly key2: Float64Array;
  private readonly fkey: Float64Array;
  private readonly cost: Float64Array;
  private readonly arrive: Float64Array;
  private readonly co2e: Float64Array;
  private readonly predEdge: Int32Array;
  private readonly predState: Int32Array;
  private readonly heap = new PairHeap();

  constructor(ix: CompiledIndex) {
    this.ix = ix;
    const states = ix.n * CLASS_COUNT;
    this.seen = new Uint32Array(states);
    this.done = new Uint32Array(states);
    this.key1 = new Float64Array(states);
    this.key2 = new Float64Array(states);
    this.fkey = new Float64Array(states);
    this.cost = new Float64Array(states);
    this.arrive = new Float64Array(states);
    this.co2e = new Float64Array(states);
    this.predEdge = new Int32Array(states);
    this.predState = new Int32Array(states);
  }

  /**
   * Time-dependent Dijkstra over (hub, arrival class) states for one objective, ties broken by
   * arrival time. Exact for the objective when waits obey FIFO (weekly opening hours); returns
   * the edges of the best route, or null. `penalty` multiplies each edge's objective increment
   * (used to find diverse alternatives).
   */
  shortest(
    q: SearchQuery,
    objective: Objective,
    penalty?: Float64Array,
    heuristic = true,
  ): number[] | null {
    const g = ++this.gen;
    const { done, key2, fkey, heap } = this;
    const bound = aStarBound(this.ix, q.target, heuristic ? boundRate(this.ix, q, objective) : 0);
    const run: Run = { q, g, byTime: objective === "time", byCost: objective === "cost", bound };
    if (penalty) run.penalty = penalty;
    this.start(q, g, bound(q.source));
    while (heap.size > 0) {
      const k1 = heap.topKey1();
      const k2 = heap.topKey2();
      const st = heap.pop();
      if (done[st] === g || k1 !== fkey[st] || k2 !== key2[st]) continue;
      done[st] = g;
      if (((st / CLASS_COUNT) | 0) === q.target) return this.path(st);
      this.expand(run, st);
    }
    return null;
  }

  /**
   * Relaxes every allowed edge out of settled state `st`. The hot loop: it repeats `step`
   * operation for operation (with the same leg costs), so the sums equal those of `simulate`
   * bit for bit.
   */
  private expand(run: Run, st: number): void {
    const { ix, seen, done, key1, key2, cost, arrive, co2e } = this;
    const { offsets, head, cls, calendar, calendars, closedUntil, modeChange, gaugeChange } = ix;
    const { terminal, mode } = ix;
    const { q, g, byTime, byCost, penalty, bound } = run;
    const { allowed, tonnes, blocked, noChange, units, target } = q;
    const limit = q.depart + q.maxTransitHours;
    const v = (st / CLASS_COUNT) | 0;
    const a = st - v * CLASS_COUNT;
    const t = arrive[st] as number;
    const end = offsets[v + 1] as number;
    for (let e = offsets[v] as number; e < end; e++) {
      if (allowed[e] === 0) continue;
      const b = cls[e] as number;
      const hd = head[e] as number;
      const w = hd * CLASS_COUNT + b;
      if (done[w] === g) continue;
      const md = mode[e] as number;
      let sc = 0;
      let se = 0;
      let time = t;
      if (a === CLASS_START) {
        if (terminal[md] === 1) {
          const o = handlingRow(ix, v, md, md);
          time += modeChange[o] as number;
          sc += changeUsd(modeChange, o, tonnes, units[md] as number);
          se += changeCo2e(modeChange, o, tonnes);
        }
      } else if (a !== b) {
        if (noChange[a * CLASS_COUNT + b] === 1) continue;
        const o = v * 4;
        const table = isGaugeChange(a, b) ? gaugeChange : modeChange;
        const h = table[o] as number;
        if (Number.isNaN(h)) continue;
        time += h;
        sc += changeUsd(table, o, tonnes, units[md] as number);
        se += changeCo2e(table, o, tonnes);
      }
      const c = calendar[e] as number;
      if (c >= 0) {
        time = nextOpen(calendars[c] as CompiledCalendar, time);
        if (Number.isNaN(time)) {
          blocked.add(e);
          continue;
        }
      }
      if (time < (closedUntil[e] as number)) {
        blocked.add(e);
        continue;
      }
      sc += legUsd(ix, e, q);
      se += legCo2e(ix, e, tonnes);
      let na = time + (ix.hours[e] as number);
      if (hd === target && terminal[md] === 1) {
        const o = hd * 4;
        na += modeChange[o] as number;
        sc += changeUsd(modeChange, o, tonnes, units[md] as number);
        se += changeCo2e(modeChange, o, tonnes);
      }
      if (na > limit) continue;
      const nc = (cost[st] as number) + sc;
      const p = penalty ? (penalty[e] as number) : 1;
      const n1 = (key1[st] as number) + (byTime ? na - t : byCost ? sc : se) * p;
      const n2 = byTime ? nc : na;
      if (seen[w] === g) {
        const o1 = key1[w] as number;
        if (n1 > o1 || (n1 === o1 && n2 >= (key2[w] as number))) continue;
      }
      seen[w] = g;
      this.relax(w, st, e, n1, n2, nc, (co2e[st] as number) + se, na, n1 + bound(hd));
    }
  }

  /** Records state `w` as reached from `st` along edge `e` with these keys and totals. */
  private relax(
    w: number,
    st: number,
    e: number,
    n1: number,
    n2: number,
    nc: number,
    ne: number,
    na: number,
    f: number,
  ): void {
    this.key1[w] = n1;
    this.key2[w] = n2;
    this.cost[w] = nc;
    this.co2e[w] = ne;
    this.arrive[w] = na;
    this.predEdge[w] = e;
    this.predState[w] = st;
    this.fkey[w] = f;
    this.heap.push(w, f, n2);
  }

  /** Empties the queue and puts the query's origin in it, as generation `g`. */
  private start(q: SearchQuery, g: number, bound: number): void {
    const st = q.source * CLASS_COUNT + CLASS_START;
    this.heap.clear();
    this.seen[st] = g;
    this.key1[st] = 0;
    this.key2[st] = 0;
    this.cost[st] = 0;
    this.arrive[st] = q.depart;
    this.co2e[st] = 0;
    this.predEdge[st] = -1;
    this.predState[st] = -1;
    this.fkey[st] = bound;
    this.heap.push(st, bound, 0);
  }

  private path(st: number): number[] {
    const edges: number[] = [];
    let x = st;
    while ((this.predEdge[x] ?? -1) >= 0) {
      edges.push(this.predEdge[x] ?? 0);
      x = this.predState[x] ?? 0;
    }
    return edges.reverse();
  }

  /**
   * Static lower bounds to the target for each hub (cost, hours, CO2e), by reverse Dijkstra on
   * the allowed edges, ignoring hub changes and waits (both ≥ 0): admissible for pruning. With
   * a cutoff the search stops there and hubs beyond get the cutoff, still a lower bound.
   */
  lowerBounds(
    q: SearchQuery,
    objective: Objective,
    cutoff = Number.POSITIVE_INFINITY,
  ): Float64Array {
    const ix = this.ix;
    const dist = new Float64Array(ix.n).fill(Number.POSITIVE_INFINITY);
    const heap = new PairHeap();
    dist[q.target] = 0;
    heap.push(q.target, 0, 0);
    while (heap.size > 0) {
      const d = heap.topKey1();
      // Past the cutoff every hub not yet settled is at least `cutoff` away.
      if (d > cutoff) break;
      const v = heap.pop();
      if (d !== dist[v]) continue;
      const end = ix.inOffsets[v + 1] ?? 0;
      for (let i = ix.inOffsets[v] ?? 0; i < end; i++) {
        const e = ix.inEdges[i] ?? 0;
        if (q.allowed[e] === 0) continue;
        const w = legWeight(ix, q, e, objective);
        const u = ix.tail[e] ?? 0;
        const nd = d + w;
        if (nd < (dist[u] ?? 0)) {
          dist[u] = nd;
          heap.push(u, nd, 0);
        }
      }
    }
    if (Number.isFinite(cutoff))
      for (let v = 0; v < ix.n; v++) if ((dist[v] as number) > cutoff) dist[v] = cutoff;
    return dist;
  }
}

/**
 * The least objective per unit of straight-line distance over the query's allowed edges,
 * shaved by 1e-9 against rounding. Since chord distances obey the triangle inequality and hub
 * changes and waits only add, rate × chord(v, target) never overestimates what is left from v,
 * and never drops by more than an edge's weight along it: a consistent A* bound.
 */
export function boundRate(ix: CompiledIndex, q: SearchQuery, objective: Objective): number {
  let rate = Number.POSITIVE_INFINITY;
  const { chord, allowed } = { chord: ix.chord, allowed: q.allowed };
  for (let e = 0; e < ix.m; e++) {
    const c = chord[e] as number;
    if (allowed[e] === 0 || c < 1e-9) continue;
    const r = legWeight(ix, q, e, objective) / c;
    if (r < rate) rate = r;
  }
  return Number.isFinite(rate) ? rate * (1 - 1e-9) : 0;
}

/**
 * The A* bound at hub `v`: `rate` × the straight-line distance from `v` to the target (0 when
 * `rate` is 0, which makes the search a plain Dijkstra).
 */
function aStarBound(ix: CompiledIndex, target: number, rate: number): (v: number) => number {
  const xyz = ix.xyz;
  const tx = xyz[target * 3] as number;
  const ty = xyz[target * 3 + 1] as number;
  const tz = xyz[target * 3 + 2] as number;
  return (v: number) => {
    if (rate === 0) return 0;
    const dx = (xyz[v * 3] as number) - tx;
    const dy = (xyz[v * 3 + 1] as number) - ty;
    const dz = (xyz[v * 3 + 2] as number) - tz;
    return rate * Math.sqrt(dx * dx + dy * dy + dz * dz);
  };
}

/** Whether any sequence of allowed edges (and permitted hub changes) joins source to target. */
export function reachable(ix: CompiledIndex, q: SearchQuery): boolean {
  const seen = new Uint8Array(ix.n * CLASS_COUNT);
  const stack = [q.source * CLASS_COUNT];
  seen[q.source * CLASS_COUNT] = 1;
  while (stack.length > 0) {
    const st = stack.pop() ?? 0;
    const v = (st / CLASS_COUNT) | 0;
    if (v === q.target) return true;
    const a = st - v * CLASS_COUNT;
    const end = ix.offsets[v + 1] ?? 0;
    for (let e = ix.offsets[v] ?? 0; e < end; e++) {
      if (q.allowed[e] === 0) continue;
      const b = ix.cls[e] ?? 0;
      if (a !== CLASS_START && a !== b) {
        if (q.noChange[a * CLASS_COUNT + b] === 1) continue;
        if (isGaugeChange(a, b) && Number.isNaN(ix.gaugeChange[v * 4] ?? 0)) continue;
      }
      const w = (ix.head[e] ?? 0) * CLASS_COUNT + b;
      if (seen[w] === 0) {
        seen[w] = 1;
        stack.push(w);
      }
    }
  }
  return false;
}

/** Totals of a route given by its edges; null if a step is not possible. */
export interface Simulated {
  cost: number;
  arrive: number;
  co2e: number;
  modeChanges: number;
  distanceKm: number;
}

export function simulate(ix: CompiledIndex, q: SearchQuery, edges: number[]): Simulated | null {
  const s = newStep();
  let v = q.source;
  let a = CLASS_START;
  let t = q.depart;
  let cost = 0;
  let co2e = 0;
  let modeChanges = 0;
  let distanceKm = 0;
  for (const e of edges) {
    if ((ix.tail[e] ?? -1) !== v || !step(ix, q, v, a, t, e, s)) return null;
    cost += s.cost;
    co2e += s.co2e;
    modeChanges += s.modeChange;
    distanceKm += ix.distKm[e] ?? 0;
    t = s.arrive;
    v = ix.head[e] ?? 0;
    a = ix.cls[e] ?? 0;
  }
  return { cost, arrive: t, co2e, modeChanges, distanceKm };
}

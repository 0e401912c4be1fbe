import { type CompiledCalendar, nextOpen } from "./calendar";
import { CLASS_RAIL_1435, CLASS_RAIL_1520, CLASS_START, type CompiledIndex, K } from "./compile";
import { PairHeap } from "./heap";

export const OBJECTIVES = ["cost", "time", "co2e"] as const;
export type Objective = (typeof OBJECTIVES)[number];

/** A query compiled against one index: hubs as numbers, constraints as an edge mask. */
export interface SearchQuery {
  source: number;
  target: number;
  /** Departure, hours since the epoch. */
  depart: number;
  /** Actual tonnes (emissions, handling). */
  tonnes: number;
  /** Chargeable tonnes per mode index (volumetric weight). */
  charge: Float64Array;
  /** 1 where the edge may be used under the query's static constraints. */
  allowed: Uint8Array;
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

const isRail = (c: number) => c === CLASS_RAIL_1435 || c === CLASS_RAIL_1520;

/**
 * Leaves hub `v` (reached in class `a` at time `t`) along edge `e`: the hub's mode or gauge
 * change, the wait for the crossing's opening, then the link itself. Every search and the
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
  const b = ix.cls[e] ?? 0;
  let cost = 0;
  let co2e = 0;
  let time = t;
  let mc = 0;
  if (a !== CLASS_START && a !== b) {
    const o = v * 4;
    const table = isRail(a) && isRail(b) ? ix.gaugeChange : ix.modeChange;
    const hours = table[o] ?? 0;
    if (Number.isNaN(hours)) return false;
    time += hours;
    cost += (table[o + 1] ?? 0) + (table[o + 2] ?? 0) * q.tonnes;
    co2e += (table[o + 3] ?? 0) * q.tonnes;
    if (table === ix.modeChange) mc = 1;
  }
  const cal = ix.calendar[e] ?? -1;
  if (cal >= 0) {
    const calendar = ix.calendars[cal];
    if (calendar) time = nextOpen(calendar, time);
    if (Number.isNaN(time)) {
      q.blocked.add(e);
      return false;
    }
  }
  if (time < (ix.closedUntil[e] ?? 0)) {
    q.blocked.add(e);
    return false;
  }
  cost += (ix.fixedUsd[e] ?? 0) + (ix.usdPerTonne[e] ?? 0) * (q.charge[ix.mode[e] ?? 0] ?? 0);
  co2e += (ix.co2ePerTonne[e] ?? 0) * q.tonnes;
  out.cost = cost;
  out.arrive = time + (ix.hours[e] ?? 0);
  out.co2e = co2e;
  out.modeChange = mc;
  return true;
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
    const states = ix.n * K;
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
    const ix = this.ix;
    const g = ++this.gen;
    const { seen, done, key1, key2, fkey, cost, arrive, co2e, predEdge, predState, heap } = this;
    // A*: a lower bound from the straight-line distance to the target (see `boundRate`).
    const rate = heuristic ? boundRate(ix, q, objective) : 0;
    const xyz = ix.xyz;
    const tx = xyz[q.target * 3] as number;
    const ty = xyz[q.target * 3 + 1] as number;
    const tz = xyz[q.target * 3 + 2] as number;
    const bound = (v: number) => {
      if (rate === 0) return 0;
      const dx = (xyz[v * 3] as number) - tx;
      const dy = (xyz[v * 3 + 1] as number) - ty;
      const dz = (xyz[v * 3 + 2] as number) - tz;
      return rate * Math.sqrt(dx * dx + dy * dy + dz * dz);
    };
    // Locals for the hot loop; the arithmetic repeats `step` operation for operation, so the
    // sums equal those of `simulate` bit for bit.
    const { offsets, head, cls, mode, calendar, calendars, closedUntil, modeChange, gaugeChange } =
      ix;
    const { fixedUsd, usdPerTonne, co2ePerTonne, hours } = ix;
    const { allowed, charge, tonnes, blocked } = q;
    const byTime = objective === "time";
    const byCost = objective === "cost";
    const start = q.source * K + CLASS_START;
    heap.clear();
    seen[start] = g;
    key1[start] = 0;
    key2[start] = 0;
    cost[start] = 0;
    arrive[start] = q.depart;
    co2e[start] = 0;
    predEdge[start] = -1;
    predState[start] = -1;
    fkey[start] = bound(q.source);
    heap.push(start, fkey[start] as number, 0);
    const limit = q.depart + q.maxTransitHours;
    while (heap.size > 0) {
      const k1 = heap.topKey1();
      const k2 = heap.topKey2();
      const st = heap.pop();
      if (done[st] === g || k1 !== fkey[st] || k2 !== key2[st]) continue;
      done[st] = g;
      const v = (st / K) | 0;
      if (v === q.target) return this.path(st);
      const a = st - v * K;
      const t = arrive[st] as number;
      const baseCost = cost[st] as number;
      const baseCo2 = co2e[st] as number;
      const end = offsets[v + 1] as number;
      for (let e = offsets[v] as number; e < end; e++) {
        if (allowed[e] === 0) continue;
        const b = cls[e] as number;
        const w = (head[e] as number) * K + b;
        if (done[w] === g) continue;
        let sc = 0;
        let se = 0;
        let time = t;
        if (a !== CLASS_START && a !== b) {
          const o = v * 4;
          const table = isRail(a) && isRail(b) ? gaugeChange : modeChange;
          const h = table[o] as number;
          if (Number.isNaN(h)) continue;
          time += h;
          sc += (table[o + 1] as number) + (table[o + 2] as number) * tonnes;
          se += (table[o + 3] as number) * tonnes;
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
        sc +=
          (fixedUsd[e] as number) +
          (usdPerTonne[e] as number) * (charge[mode[e] as number] as number);
        se += (co2ePerTonne[e] as number) * tonnes;
        const na = time + (hours[e] as number);
        if (na > limit) continue;
        const nc = baseCost + sc;
        const ne = baseCo2 + se;
        const p = penalty ? (penalty[e] as number) : 1;
        let n1: number;
        let n2: number;
        if (byTime) {
          n1 = (key1[st] as number) + (na - t) * p;
          n2 = nc;
        } else {
          n1 = (key1[st] as number) + (byCost ? sc : se) * p;
          n2 = na;
        }
        if (seen[w] === g) {
          const o1 = key1[w] as number;
          if (n1 > o1 || (n1 === o1 && n2 >= (key2[w] as number))) continue;
        }
        seen[w] = g;
        key1[w] = n1;
        key2[w] = n2;
        cost[w] = nc;
        co2e[w] = ne;
        arrive[w] = na;
        predEdge[w] = e;
        predState[w] = st;
        const f = n1 + bound(head[e] as number);
        fkey[w] = f;
        heap.push(w, f, n2);
      }
    }
    return null;
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
    criterion: 0 | 1 | 2,
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
        const w =
          criterion === 0
            ? (ix.fixedUsd[e] ?? 0) + (ix.usdPerTonne[e] ?? 0) * (q.charge[ix.mode[e] ?? 0] ?? 0)
            : criterion === 1
              ? (ix.hours[e] ?? 0)
              : (ix.co2ePerTonne[e] ?? 0) * q.tonnes;
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
    const w =
      objective === "cost"
        ? (ix.fixedUsd[e] as number) +
          (ix.usdPerTonne[e] as number) * (q.charge[ix.mode[e] as number] as number)
        : objective === "time"
          ? (ix.hours[e] as number)
          : (ix.co2ePerTonne[e] as number) * q.tonnes;
    const r = w / c;
    if (r < rate) rate = r;
  }
  return Number.isFinite(rate) ? rate * (1 - 1e-9) : 0;
}

/** Whether any sequence of allowed edges (and permitted hub changes) joins source to target. */
export function reachable(ix: CompiledIndex, q: SearchQuery): boolean {
  const seen = new Uint8Array(ix.n * K);
  const stack = [q.source * K];
  seen[q.source * K] = 1;
  while (stack.length > 0) {
    const st = stack.pop() ?? 0;
    const v = (st / K) | 0;
    if (v === q.target) return true;
    const a = st - v * K;
    const end = ix.offsets[v + 1] ?? 0;
    for (let e = ix.offsets[v] ?? 0; e < end; e++) {
      if (q.allowed[e] === 0) continue;
      const b = ix.cls[e] ?? 0;
      if (a !== CLASS_START && a !== b && isRail(a) && isRail(b)) {
        if (Number.isNaN(ix.gaugeChange[v * 4] ?? 0)) continue;
      }
      const w = (ix.head[e] ?? 0) * K + b;
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

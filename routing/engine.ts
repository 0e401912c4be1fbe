import { labelsApart, reachableApart, shortestApart } from "./apart";
import { toHours } from "./calendar";
import { CLASS_COUNT, CLASS_MODE, type CompiledIndex, compileIndex, indexBytes } from "./compile";
import { describe, type Route } from "./describe";
import { buildGraph, type NetworkGraph } from "./graph";
import { unitsFor } from "./leg-cost";
import { type Objective, reachable, Searcher, type SearchQuery, simulate } from "./search";
import { DG_CLASSES, type HubRecord, MODES, type Mode, type NetworkData } from "./types";

export type Optimise = Objective | "pareto";

export interface RouteRequest {
  from: string;
  to: string;
  cargo: {
    weightKg: number;
    volumeM3?: number;
    dangerousGoods?: { class: string; unNumber?: string } | null;
  };
  departAt: string | Date;
  optimise: Optimise;
  modes?: Mode[];
  avoidCountries?: string[];
  avoidCrossings?: string[];
  maxTransitHours?: number;
  maxModeChanges?: number;
  /** Number of diverse routes wanted for a single objective (default 1). */
  alternatives?: number;
  /** Cap on the Pareto routes returned (default 6; the labelled ones are always kept). */
  limit?: number;
}

export const NO_ROUTE_REASONS = [
  "SAME_HUB",
  "UNREACHABLE",
  "MODES",
  "DANGEROUS_GOODS",
  "WEIGHT",
  "AVOIDED_COUNTRY",
  "AVOIDED_CROSSING",
  "LINK_CLOSED",
  "CLOSURE",
  "MAX_TRANSIT_HOURS",
  "MAX_MODE_CHANGES",
  "CONSTRAINTS",
] as const;
export type NoRouteReason = (typeof NO_ROUTE_REASONS)[number];

export interface NoRoute {
  reason: NoRouteReason;
  message: string;
  /** Crossings, links or countries that caused it, where known. */
  blockedBy: string[];
}

export type RouteResult =
  | {
      ok: true;
      optimise: Optimise;
      routes: Route[];
      /** Pareto only: size of the complete non-dominated set before the cap. */
      paretoSize?: number;
      complete: boolean;
      emissionFactors: { version: string; standard: string; basis: string };
    }
  | { ok: false; noRoute: NoRoute };

/** A request field the engine refuses; the API answers 400 naming `field`. */
export class RouteRequestError extends Error {
  constructor(
    readonly field: string,
    /** What is wrong with the field, without its name. */
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = "RouteRequestError";
  }
}

export interface LinkStatusOverride {
  linkId: string;
  status: "open" | "closed";
  /** For a closure: reopens at this time; null = until further notice. */
  until?: Date | null;
}

/** Pareto routes per response unless `limit` says otherwise. */
const DEFAULT_PARETO_LIMIT = 6;
/** Routes may share at most this fraction of the shorter one's distance. */
const MAX_SHARED_DISTANCE = 0.6;

export type Constraint = "modes" | "dg" | "weight" | "countries" | "crossings" | "closed";
const ALL_CONSTRAINTS: readonly Constraint[] = [
  "modes",
  "dg",
  "weight",
  "countries",
  "crossings",
  "closed",
];

const MODE_COUNT = MODES.length;

/**
 * The routing engine: holds the editable graph and its compiled index, recompiling the index
 * when the graph changes and patching it when link statuses change. Pure: no I/O.
 *
 * Time: a search carries the clock from `departAt`. Hub changes take their hours, a crossing
 * with opening hours is waited for (the wait counts), and a link may not be entered during a
 * seasonal closure or an admin closure — cargo does not wait months for a pass to reopen.
 * Waits for opening hours keep "arrive earlier, leave no later" (FIFO), so the single-objective
 * Dijkstra and the label setting are exact; a hard closure is judged at the moment the route
 * reaches it. With `maxTransitHours` or `maxModeChanges`, a single objective is solved by the
 * label setting with time (and mode changes) as extra criteria, which keeps it exact.
 */
export class RoutingEngine {
  readonly data: NetworkData;
  readonly graph: NetworkGraph;
  private readonly hubsByCode: ReadonlyMap<string, HubRecord>;
  private compiled: CompiledIndex | undefined;
  private searcher: Searcher | undefined;
  private overrides = new Map<string, LinkStatusOverride>();
  /** Milliseconds the last index build took. */
  lastBuildMs = 0;

  constructor(data: NetworkData) {
    this.data = data;
    this.graph = buildGraph(data);
    this.hubsByCode = new Map(data.hubs.map((h) => [h.code, h]));
    const dirty = () => {
      this.compiled = undefined;
      this.searcher = undefined;
    };
    for (const ev of [
      "nodeAdded",
      "edgeAdded",
      "nodeDropped",
      "edgeDropped",
      "cleared",
      "edgesCleared",
      "nodeAttributesUpdated",
      "edgeAttributesUpdated",
    ] as const) {
      this.graph.on(ev, dirty);
    }
  }

  /** The compiled index, rebuilt if the graph changed since the last query. */
  get index(): CompiledIndex {
    if (!this.compiled) {
      const t0 = performance.now();
      const ix = compileIndex(
        this.graph,
        this.data.crossings,
        this.data.emissionFactors,
        this.data.handling,
      );
      this.applyStatuses(ix);
      this.lastBuildMs = performance.now() - t0;
      this.compiled = ix;
      this.searcher = new Searcher(ix);
    }
    return this.compiled;
  }

  indexBytes(): number {
    return indexBytes(this.index);
  }

  /** Reusable search buffers bound to the current index. */
  get search(): Searcher {
    const ix = this.index;
    if (!this.searcher) this.searcher = new Searcher(ix);
    return this.searcher;
  }

  /** Replaces all status overrides; patches the index in place (no rebuild). */
  setLinkStatuses(overrides: LinkStatusOverride[]): void {
    this.overrides = new Map(overrides.map((o) => [o.linkId, o]));
    if (this.compiled) this.applyStatuses(this.compiled);
  }

  private applyStatuses(ix: CompiledIndex): void {
    const base = new Map(this.data.links.map((l) => [l.id, l.status ?? "open"]));
    for (let e = 0; e < ix.m; e++) {
      const id = ix.linkIds[ix.link[e] ?? 0] ?? "";
      const o = this.overrides.get(id);
      const status = o?.status ?? base.get(id) ?? "open";
      ix.closedUntil[e] =
        status === "open"
          ? Number.NEGATIVE_INFINITY
          : o?.until
            ? toHours(o.until)
            : Number.POSITIVE_INFINITY;
    }
  }

  /** A link's status at `now`, for listings. */
  linkStatus(linkId: string, now: Date): { status: "open" | "closed"; closedUntil: string | null } {
    const o = this.overrides.get(linkId);
    const base = this.data.links.find((l) => l.id === linkId)?.status ?? "open";
    const status = o?.status ?? base;
    if (status === "open") return { status: "open", closedUntil: null };
    if (o?.until && o.until.getTime() <= now.getTime())
      return { status: "open", closedUntil: null };
    return { status: "closed", closedUntil: o?.until ? o.until.toISOString() : null };
  }

  /** A hub by its code (`CN-URC`), as the network data describes it. */
  hub(code: string): HubRecord | undefined {
    return this.hubsByCode.get(code);
  }

  hasLink(linkId: string): boolean {
    return this.data.links.some((l) => l.id === linkId);
  }

  /** Answers a routing request: routes, or a typed "no route" with its reason. */
  query(req: RouteRequest): RouteResult {
    const ix = this.index;
    const q = this.prepare(ix, req, new Set(ALL_CONSTRAINTS));
    if (q.source === q.target) {
      return noRoute("SAME_HUB", "origin and destination are the same hub", []);
    }
    const f = ix.emissionFactors;
    const cite = { version: f.version, standard: f.standard, basis: f.basis };
    const optimise = req.optimise;
    const constrained = Number.isFinite(q.maxTransitHours) || Number.isFinite(q.maxModeChanges);

    if (optimise === "pareto") {
      const res = labelsApart(ix, q, { searcher: this.search });
      if (res.labels.length === 0) return this.diagnose(req, q);
      const routes = rankPareto(
        res.labels.map((l) => describe(ix, q, l.edges)),
        Math.max(1, req.limit ?? DEFAULT_PARETO_LIMIT),
      );
      return {
        ok: true,
        optimise,
        routes,
        paretoSize: res.labels.length,
        complete: res.complete,
        emissionFactors: cite,
      };
    }

    let best: number[] | null;
    if (constrained) {
      const res = labelsApart(ix, q, { only: optimise, searcher: this.search });
      best = pickBest(res.labels, optimise)?.edges ?? null;
    } else {
      best = shortestApart(this.search, q, optimise);
    }
    if (!best) return this.diagnose(req, q);
    const routes = [best];
    const k = Math.max(1, req.alternatives ?? 1);
    if (k > 1) routes.push(...this.alternatives(q, optimise, best, k));
    const described = routes.map((edges, i) => {
      const r = describe(ix, q, edges);
      r.labels = i === 0 ? [LABEL_OF[optimise]] : ["alternative"];
      return r;
    });
    return { ok: true, optimise, routes: described, complete: true, emissionFactors: cite };
  }

  /**
   * Diverse alternatives by iterative penalties: after each search the edges of the routes
   * found get dearer (×2 per use), and a new route is kept only if it shares at most 60% of
   * the shorter route's distance with every route kept so far. Returned in objective order.
   */
  private alternatives(q: SearchQuery, objective: Objective, best: number[], k: number) {
    const ix = this.index;
    const penalty = new Float64Array(ix.m).fill(1);
    const kept: number[][] = [best];
    const linkSet = (edges: number[]) => new Set(edges.map((e) => ix.link[e] ?? 0));
    const dist = (edges: number[]) => edges.reduce((s, e) => s + (ix.distKm[e] ?? 0), 0);
    const punish = (edges: number[]) => {
      const links = linkSet(edges);
      for (let e = 0; e < ix.m; e++)
        if (links.has(ix.link[e] ?? 0)) penalty[e] = (penalty[e] ?? 1) * 2;
    };
    punish(best);
    const seen = new Set([best.join(",")]);
    for (let iter = 0; iter < 8 * k && kept.length < k; iter++) {
      const edges = shortestApart(this.search, q, objective, penalty);
      if (!edges) break;
      punish(edges);
      const key = edges.join(",");
      if (seen.has(key)) continue;
      seen.add(key);
      const sim = simulate(ix, q, edges);
      if (!sim || sim.modeChanges > q.maxModeChanges) continue;
      const mine = linkSet(edges);
      const d = dist(edges);
      const diverse = kept.every((other) => {
        let shared = 0;
        const theirs = linkSet(other);
        const counted = new Set<number>();
        for (const e of edges) {
          const l = ix.link[e] ?? 0;
          if (theirs.has(l) && !counted.has(l)) {
            counted.add(l);
            shared += ix.distKm[e] ?? 0;
          }
        }
        return shared <= MAX_SHARED_DISTANCE * Math.min(d, dist(other)) + 1e-9 && mine.size > 0;
      });
      if (diverse) kept.push(edges);
    }
    const value = (edges: number[]) => {
      const s = simulate(ix, q, edges);
      if (!s) return Number.POSITIVE_INFINITY;
      return objective === "cost" ? s.cost : objective === "time" ? s.arrive : s.co2e;
    };
    return kept
      .slice(1)
      .map((edges) => ({ edges, v: value(edges), key: edges.join(",") }))
      .sort((a, b) => a.v - b.v || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map((x) => x.edges);
  }

  /** Compiles a request against the index with the chosen constraints switched on. */
  prepare(
    ix: CompiledIndex,
    req: RouteRequest,
    use: Set<Constraint> = new Set(ALL_CONSTRAINTS),
  ): SearchQuery {
    const source = ix.nodeOf.get(req.from);
    if (source === undefined) throw new RouteRequestError("from", `unknown hub ${req.from}`);
    const target = ix.nodeOf.get(req.to);
    if (target === undefined) throw new RouteRequestError("to", `unknown hub ${req.to}`);
    const depart = toHours(new Date(req.departAt));
    if (!Number.isFinite(depart)) throw new RouteRequestError("departAt", "not a valid time");
    const cargo = cargoTerms(ix, req);
    const avoid = avoidances(ix, req);
    return {
      source,
      target,
      depart,
      tonnes: cargo.tonnes,
      charge: cargo.charge,
      volUnits: cargo.volUnits,
      units: cargo.units,
      allowed: allowedEdges(ix, cargo, avoid, use),
      noChange: refusedChanges(req, use),
      railAirApart: use.has("modes") && !req.modes?.includes("air"),
      maxTransitHours: req.maxTransitHours ?? Number.POSITIVE_INFINITY,
      maxModeChanges: req.maxModeChanges ?? Number.POSITIVE_INFINITY,
      blocked: new Set(),
    };
  }

  /** Explains an empty answer: which constraint, closure or limit leaves no route. */
  private diagnose(req: RouteRequest, failed: SearchQuery): RouteResult {
    const ix = this.index;
    const none = this.prepare(ix, req, new Set());
    if (!reachable(ix, none)) {
      return noRoute("UNREACHABLE", `no link path joins ${req.from} to ${req.to}`, []);
    }
    if (!reachableApart(ix, failed)) {
      // Constraints the requester chose pointedly are named before broad ones (modes).
      const priority: Constraint[] = ["countries", "crossings", "closed", "dg", "weight", "modes"];
      const culprit = priority.find((c) => {
        const use = new Set(ALL_CONSTRAINTS.filter((x) => x !== c));
        return reachableApart(ix, this.prepare(ix, req, use));
      });
      return constraintNoRoute(ix, req, culprit);
    }
    // Statically reachable: time made it impossible (closures, transit or mode-change limits).
    if (failed.blocked.size > 0) {
      const retry = this.prepare(ix, req, new Set(ALL_CONSTRAINTS));
      retry.maxTransitHours = Number.POSITIVE_INFINITY;
      retry.maxModeChanges = Number.POSITIVE_INFINITY;
      if (shortestApart(this.search, retry, "time") === null) return closureNoRoute(ix, failed);
    }
    return this.limitNoRoute(req, failed);
  }

  /** A route exists without the limits: says which limit leaves none. */
  private limitNoRoute(req: RouteRequest, failed: SearchQuery): RouteResult {
    const ix = this.index;
    const relaxed = this.prepare(ix, req, new Set(ALL_CONSTRAINTS));
    relaxed.maxTransitHours = Number.POSITIVE_INFINITY;
    const fastest = Number.isFinite(failed.maxModeChanges)
      ? labelsApart(ix, relaxed, { only: "time", searcher: this.search }).labels
      : [];
    if (Number.isFinite(failed.maxTransitHours)) {
      const noLimit = {
        ...relaxed,
        maxModeChanges: failed.maxModeChanges,
        blocked: new Set<number>(),
      };
      const best = Number.isFinite(failed.maxModeChanges)
        ? pickBest(fastest, "time")?.edges
        : shortestApart(this.search, noLimit, "time");
      if (best) {
        const s = simulate(ix, noLimit, best);
        const h = s ? Math.round((s.arrive - noLimit.depart) * 10) / 10 : Number.NaN;
        return noRoute(
          "MAX_TRANSIT_HOURS",
          `every route takes longer than ${req.maxTransitHours} h (fastest: ${h} h)`,
          [],
        );
      }
    }
    return noRoute(
      "MAX_MODE_CHANGES",
      `every route needs more than ${req.maxModeChanges} mode changes`,
      [],
    );
  }
}

/** A request's cargo as the search weighs it. */
interface CargoTerms {
  weightKg: number;
  tonnes: number;
  /** Chargeable tonnes per mode index (volumetric weight). */
  charge: Float64Array;
  /** Per mode index: units (trucks, containers, aircraft loads) the volume alone needs. */
  volUnits: Float64Array;
  /** Per mode index: units needed at the mode's own payload. */
  units: Float64Array;
  /** The dangerous-goods class as a bit of the links' forbidden masks; 0 for none. */
  dgBit: number;
}

function cargoTerms(ix: CompiledIndex, req: RouteRequest): CargoTerms {
  const w = req.cargo.weightKg;
  if (!(w > 0)) throw new RouteRequestError("cargo.weightKg", "must be > 0");
  const tonnes = w / 1000;
  const volume = req.cargo.volumeM3 ?? 0;
  const charge = new Float64Array(MODE_COUNT);
  const volUnits = new Float64Array(MODE_COUNT);
  const units = new Float64Array(MODE_COUNT);
  for (let i = 0; i < MODE_COUNT; i++) {
    charge[i] = Math.max(tonnes, (volume * (ix.volumetric[i] ?? 0)) / 1000);
    volUnits[i] = volume > 0 ? unitsFor(volume, ix.unitVolume[i] ?? 1) : 0;
    units[i] = Math.max(unitsFor(tonnes, ix.modeUnitTonnes[i] ?? 1), volUnits[i] ?? 0);
  }
  const dg = req.cargo.dangerousGoods?.class;
  let dgBit = 0;
  if (dg !== undefined) {
    const i = (DG_CLASSES as readonly string[]).indexOf(dg);
    if (i < 0) throw new RouteRequestError("cargo.dangerousGoods.class", `unknown class ${dg}`);
    dgBit = 1 << i;
  }
  return { weightKg: w, tonnes, charge, volUnits, units, dgBit };
}

/** What the request refuses, as flags by mode, country and crossing index. */
interface Avoidances {
  modeOk: Uint8Array;
  countries: Uint8Array;
  anyCountry: boolean;
  crossings: Uint8Array;
}

function avoidances(ix: CompiledIndex, req: RouteRequest): Avoidances {
  const modeOk = new Uint8Array(MODE_COUNT);
  for (const m of req.modes ?? MODES) modeOk[MODES.indexOf(m)] = 1;
  const countries = new Uint8Array(ix.countries.length);
  let anyCountry = false;
  for (const c of req.avoidCountries ?? []) {
    const i = ix.countryOf.get(c);
    if (i !== undefined) {
      countries[i] = 1;
      anyCountry = true;
    }
  }
  const crossings = new Uint8Array(ix.crossings.length);
  for (const x of req.avoidCrossings ?? []) {
    const i = ix.crossings.findIndex((c) => c.id === x);
    if (i < 0) throw new RouteRequestError("avoidCrossings", `unknown crossing ${x}`);
    crossings[i] = 1;
  }
  return { modeOk, countries, anyCountry, crossings };
}

/** 1 for each edge that the constraints in `use` let the cargo take. */
function allowedEdges(
  ix: CompiledIndex,
  cargo: CargoTerms,
  avoid: Avoidances,
  use: Set<Constraint>,
): Uint8Array {
  const useModes = use.has("modes");
  const useDg = use.has("dg") && cargo.dgBit !== 0;
  const useWeight = use.has("weight");
  const useCountries = use.has("countries") && avoid.anyCountry;
  const useCrossings = use.has("crossings") && avoid.crossings.includes(1);
  const useClosed = use.has("closed");
  const allowed = new Uint8Array(ix.m);
  const { mode, dgForbidden, maxWeightKg, countryOffsets, edgeCountries, crossing, closedUntil } =
    ix;
  const consistLimit = ix.consistLimit;
  const { modeOk, countries: avoidC, crossings: avoidX } = avoid;
  for (let e = 0; e < ix.m; e++) {
    if (useModes && modeOk[mode[e] as number] === 0) continue;
    if (useDg && ((dgForbidden[e] as number) & cargo.dgBit) !== 0) continue;
    // A train's or ship's limit caps the consignment; a vehicle's only adds vehicles.
    if (
      useWeight &&
      consistLimit[mode[e] as number] === 1 &&
      cargo.weightKg > (maxWeightKg[e] as number)
    )
      continue;
    if (useCountries) {
      let hit = false;
      const end = countryOffsets[e + 1] as number;
      for (let i = countryOffsets[e] as number; i < end; i++) {
        if (avoidC[edgeCountries[i] as number] === 1) hit = true;
      }
      if (hit) continue;
    }
    if (useCrossings && (crossing[e] as number) >= 0 && avoidX[crossing[e] as number] === 1) {
      continue;
    }
    if (useClosed && closedUntil[e] === Number.POSITIVE_INFINITY) continue;
    allowed[e] = 1;
  }
  return allowed;
}

/**
 * Hub changes the request refuses: between rail and air, in either direction, unless `modes`
 * names air. No carrier offers to strip a container off a train onto an aircraft; a caller who
 * lists air asks for it knowingly. Counted as part of the "modes" constraint.
 */
function refusedChanges(req: RouteRequest, use: Set<Constraint>): Uint8Array {
  const refused = new Uint8Array(CLASS_COUNT * CLASS_COUNT);
  if (!use.has("modes") || req.modes?.includes("air")) return refused;
  for (let a = 0; a < CLASS_COUNT; a++) {
    for (let b = 0; b < CLASS_COUNT; b++) {
      const pair = [CLASS_MODE[a], CLASS_MODE[b]];
      if (pair.includes("rail") && pair.includes("air")) refused[a * CLASS_COUNT + b] = 1;
    }
  }
  return refused;
}

/** No route under the constraints, though one without them: names the `culprit`'s refusal. */
function constraintNoRoute(
  ix: CompiledIndex,
  req: RouteRequest,
  culprit: Constraint | undefined,
): RouteResult {
  switch (culprit) {
    case "countries": {
      const list = [...(req.avoidCountries ?? [])].sort();
      return noRoute(
        "AVOIDED_COUNTRY",
        `every route crosses an avoided country (${list.join(", ")})`,
        list,
      );
    }
    case "crossings": {
      const list = [...(req.avoidCrossings ?? [])].sort();
      return noRoute("AVOIDED_CROSSING", `every route uses an avoided crossing`, list);
    }
    case "modes":
      if (req.modes === undefined) {
        return noRoute("MODES", "every route mixes rail and air; list air in modes to allow it", [
          "rail",
          "air",
        ]);
      }
      return noRoute("MODES", `no route uses only ${req.modes.join(", ")}`, [...req.modes].sort());
    case "dg": {
      const cls = req.cargo.dangerousGoods?.class ?? "";
      return noRoute(
        "DANGEROUS_GOODS",
        `dangerous goods of class ${cls} are refused on every route`,
        [cls],
      );
    }
    case "weight":
      return noRoute(
        "WEIGHT",
        `${req.cargo.weightKg} kg exceeds a weight limit on every route`,
        [],
      );
    case "closed": {
      const closed = [
        ...new Set(
          [...Array(ix.m).keys()]
            .filter((e) => ix.closedUntil[e] === Number.POSITIVE_INFINITY)
            .map((e) => ix.linkIds[ix.link[e] ?? 0] ?? ""),
        ),
      ].sort();
      return noRoute("LINK_CLOSED", "every route uses a closed link", closed);
    }
    default:
      return noRoute("CONSTRAINTS", "the constraints together leave no route", []);
  }
}

/** Every route meets a closure at the time it would pass: names the crossings and links. */
function closureNoRoute(ix: CompiledIndex, failed: SearchQuery): RouteResult {
  const names = new Set<string>();
  const reasons = new Set<string>();
  for (const e of failed.blocked) {
    const x = ix.crossing[e] ?? -1;
    const crossing = x >= 0 ? ix.crossings[x] : undefined;
    if (crossing) {
      names.add(crossing.id);
      for (const c of crossing.calendar.seasonalClosures ?? []) {
        reasons.add(`${crossing.name}: ${c.reason} (${c.from} to ${c.to})`);
      }
    } else {
      names.add(ix.linkIds[ix.link[e] ?? 0] ?? "");
    }
    if ((ix.closedUntil[e] ?? 0) > failed.depart) {
      reasons.add(`link ${ix.linkIds[ix.link[e] ?? 0]} closed until further notice`);
    }
  }
  return noRoute(
    "CLOSURE",
    `every route is closed at the time it would pass: ${[...reasons].sort().join("; ")}`,
    [...names].sort(),
  );
}

const LABEL_OF: Record<Objective, string> = { cost: "cheapest", time: "fastest", co2e: "greenest" };

function noRoute(reason: NoRouteReason, message: string, blockedBy: string[]): RouteResult {
  return { ok: false, noRoute: { reason, message, blockedBy } };
}

function pickBest<T extends { cost: number; hours: number; co2e: number; edges: number[] }>(
  labels: T[],
  objective: Objective,
): T | undefined {
  const key = (l: T) =>
    objective === "cost"
      ? [l.cost, l.hours, l.co2e]
      : objective === "time"
        ? [l.hours, l.cost, l.co2e]
        : [l.co2e, l.hours, l.cost];
  return [...labels].sort(
    (a, b) => compareVec(key(a), key(b)) || compareEdges(a.edges, b.edges),
  )[0];
}

const compareVec = (a: number[], b: number[]) => {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
};
const compareEdges = (a: number[], b: number[]) => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
};

/**
 * Orders and caps a Pareto set. Each route's score is the sum over cost, time and CO2e of its
 * position between the set's best (0) and worst (1) value. The cheapest, fastest and greenest
 * (ties by the other criteria) and the balanced route (lowest score) are always kept and
 * labelled; the rest fill up to `limit` by ascending score. Output is by ascending score, ties
 * by cost, time, CO2e, then legs.
 */
function rankPareto(routes: Route[], limit: number): Route[] {
  const vec = (r: Route) => [r.totals.cost, r.totals.durationHours, r.totals.co2eKg];
  const mins = [0, 1, 2].map((i) => Math.min(...routes.map((r) => vec(r)[i] ?? 0)));
  const maxs = [0, 1, 2].map((i) => Math.max(...routes.map((r) => vec(r)[i] ?? 0)));
  const score = (r: Route) =>
    vec(r).reduce((s, x, i) => {
      const span = (maxs[i] ?? 0) - (mins[i] ?? 0);
      return s + (span > 0 ? (x - (mins[i] ?? 0)) / span : 0);
    }, 0);
  const legKey = (r: Route) => r.legs.map((l) => l.linkId).join(",");
  const scored = routes.map((r) => ({ r, s: score(r), v: vec(r), k: legKey(r) }));
  const order = (a: (typeof scored)[number], b: (typeof scored)[number]) =>
    a.s - b.s || compareVec(a.v, b.v) || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0);
  const by = (i: number) =>
    [...scored].sort((a, b) => {
      const ka = [a.v[i] ?? 0, ...a.v.filter((_, j) => j !== i)];
      const kb = [b.v[i] ?? 0, ...b.v.filter((_, j) => j !== i)];
      return compareVec(ka, kb) || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0);
    })[0];
  const sorted = [...scored].sort(order);
  const labelled: [string, (typeof scored)[number] | undefined][] = [
    ["cheapest", by(0)],
    ["fastest", by(1)],
    ["greenest", by(2)],
    ["balanced", sorted[0]],
  ];
  for (const x of scored) x.r.labels = [];
  const keep = new Set<(typeof scored)[number]>();
  for (const [label, x] of labelled) {
    if (!x) continue;
    x.r.labels.push(label);
    keep.add(x);
  }
  for (const x of sorted) {
    if (keep.size >= limit) break;
    keep.add(x);
  }
  for (const x of keep) if (x.r.labels.length === 0) x.r.labels.push("trade-off");
  return sorted.filter((x) => keep.has(x)).map((x) => x.r);
}

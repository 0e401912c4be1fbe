import { type CompiledCalendar, compileCalendar } from "./calendar";
import type { NetworkGraph } from "./graph";
import {
  type CrossingRecord,
  DG_CLASSES,
  type EmissionFactorTable,
  type HandlingTable,
  type LinkAttrs,
  MODES,
  type Mode,
} from "./types";

/**
 * Search states are (hub, how the cargo arrived): the arrival class decides what a hub charges
 * to continue (a mode change, a gauge change, or nothing).
 */
export const CLASS_START = 0;
const CLASS_ROAD = 1;
export const CLASS_RAIL_1435 = 2;
const CLASS_RAIL_1520 = 3;
const CLASS_SEA = 4;
const CLASS_AIR = 5;
/** How many arrival classes there are: search states are hub × CLASS_COUNT + class. */
export const CLASS_COUNT = 6;
export const CLASS_MODE: readonly (Mode | null)[] = [null, "road", "rail", "rail", "sea", "air"];
/** Index into MODES of each arrival class's mode (0 for the start, which never changes mode). */
export const CLASS_MODE_INDEX = Int8Array.from(CLASS_MODE, (m) => (m ? MODES.indexOf(m) : 0));

/** A forbidden entry "1" covers divisions 1.1–1.6; "2.1" covers only itself. */
function dgMask(forbidden: readonly string[]): number {
  let mask = 0;
  DG_CLASSES.forEach((c, i) => {
    if (forbidden.some((f) => c === f || c.startsWith(`${f}.`))) mask |= 1 << i;
  });
  return mask;
}

const isRail = (c: number) => c === CLASS_RAIL_1435 || c === CLASS_RAIL_1520;

/** Whether continuing by class `b` after arriving by class `a` changes gauge rather than mode. */
export const isGaugeChange = (a: number, b: number) => isRail(a) && isRail(b);

export function classOf(mode: Mode, gauge: number | undefined): number {
  switch (mode) {
    case "road":
      return CLASS_ROAD;
    case "rail":
      return gauge === 1520 ? CLASS_RAIL_1520 : CLASS_RAIL_1435;
    case "sea":
      return CLASS_SEA;
    case "air":
      return CLASS_AIR;
  }
}

/** Compact, array-based (CSR) form of the graph that queries run on. */
export interface CompiledIndex {
  n: number;
  m: number;
  codes: string[];
  nodeOf: Map<string, number>;
  countries: string[];
  countryOf: Map<string, number>;
  nodeCountry: Int32Array;
  /** Hubs as points on the unit sphere (x, y, z), for the A* bound. */
  xyz: Float64Array;
  /** Per edge: straight-line (chord) distance between its ends, in Earth radii. */
  chord: Float64Array;
  /**
   * Per hub: handling (mode change, terminal) [hours, fixedUsd, usdPerTonne, co2eKgPerTonne];
   * then one row per mode with its own handling (`modeRow`).
   */
  modeChange: Float64Array;
  /** Per mode index: offset of its own handling row in `modeChange`, or −1 (the hub's). */
  modeRow: Int32Array;
  /** Per hub: gauge change, same layout; hours NaN where the hub has no transshipment. */
  gaugeChange: Float64Array;
  /** CSR: out-edges of hub v are offsets[v] … offsets[v + 1] − 1. */
  offsets: Int32Array;
  /** Reverse CSR: edges into hub v are inEdges[inOffsets[v] … inOffsets[v + 1] − 1]. */
  inOffsets: Int32Array;
  inEdges: Int32Array;
  head: Int32Array;
  tail: Int32Array;
  edgeKeys: string[];
  linkIds: string[];
  /** Per edge: index into linkIds (both directions of a link share it). */
  link: Int32Array;
  cls: Uint8Array;
  mode: Uint8Array;
  distKm: Float64Array;
  /** Travel time plus the crossing's typical dwell. */
  hours: Float64Array;
  dwell: Float64Array;
  fixedUsd: Float64Array;
  /** usdPerTonneKm × distanceKm: multiply by chargeable tonnes. */
  usdPerTonne: Float64Array;
  /** Emission factor × distance: kg CO2e per tonne carried. */
  co2ePerTonne: Float64Array;
  maxWeightKg: Float64Array;
  dgForbidden: Int32Array;
  calendar: Int32Array;
  calendars: CompiledCalendar[];
  crossing: Int32Array;
  crossings: CrossingRecord[];
  countryOffsets: Int32Array;
  edgeCountries: Int32Array;
  /** Admin status: a link is closed until this time (hours); −∞ open, +∞ closed. */
  closedUntil: Float64Array;
  emissionFactors: EmissionFactorTable;
  volumetric: Float64Array;
  /**
   * Per edge: tonnes one unit (truck, container, aircraft load) carries on it — the mode's
   * payload, or less where the link limits each vehicle to less.
   */
  unitTonnes: Float64Array;
  /** Per mode index: the payload of one unit, in tonnes. */
  modeUnitTonnes: Float64Array;
  /** Per mode index: the volume of one unit, m³. */
  unitVolume: Float64Array;
  /** Per mode index: what one unit is called ("truck", "40 ft container", …). */
  unitNames: string[];
  /** Per mode index: 1 where a link's maxWeightKg limits the whole consignment (train, ship). */
  consistLimit: Uint8Array;
  /** Per mode index: 1 where the route's first and last legs pay terminal handling. */
  terminal: Uint8Array;
}

const modeIndex = (m: Mode) => MODES.indexOf(m);
const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function compileIndex(
  graph: NetworkGraph,
  crossingList: CrossingRecord[],
  emissionFactors: EmissionFactorTable,
  handling: HandlingTable,
): CompiledIndex {
  const codes = graph.nodes().sort();
  const n = codes.length;
  const nodeOf = new Map(codes.map((c, i) => [c, i]));
  const countries = countriesOf(graph);
  const countryOf = new Map(countries.map((c, i) => [c, i]));
  const crossings = [...crossingList].sort(byId);
  const hubs = compileHubs(graph, codes, countryOf, handling);
  const edges = compileEdges(graph, codes, {
    nodeOf,
    countryOf,
    crossings,
    crossingOf: new Map(crossings.map((c, i) => [c.id, i])),
    emissionFactors,
    linkOf: new Map(),
    dgMasks: new Map(),
  });
  const m = edges.head.length;
  const { inOffsets, inEdges } = reverseEdges(n, edges.head);
  const chord = new Float64Array(m);
  for (let i = 0; i < m; i++) chord[i] = chordOf(hubs.xyz, edges.tail[i] ?? 0, edges.head[i] ?? 0);
  return {
    n,
    m,
    codes,
    nodeOf,
    countries,
    countryOf,
    nodeCountry: hubs.nodeCountry,
    xyz: hubs.xyz,
    chord,
    modeChange: hubs.modeChange,
    modeRow: hubs.modeRow,
    gaugeChange: hubs.gaugeChange,
    offsets: edges.offsets,
    inOffsets,
    inEdges,
    head: edges.head,
    tail: edges.tail,
    edgeKeys: edges.edgeKeys,
    linkIds: edges.linkIds,
    link: edges.link,
    cls: edges.cls,
    mode: edges.mode,
    distKm: edges.distKm,
    hours: edges.hours,
    dwell: edges.dwell,
    fixedUsd: edges.fixedUsd,
    usdPerTonne: edges.usdPerTonne,
    co2ePerTonne: edges.co2ePerTonne,
    maxWeightKg: edges.maxWeightKg,
    dgForbidden: edges.dgForbidden,
    calendar: edges.calendar,
    calendars: crossings.map((c) => compileCalendar(c.calendar)),
    crossing: edges.crossing,
    crossings,
    countryOffsets: edges.countryOffsets,
    edgeCountries: Int32Array.from(edges.edgeCountries),
    closedUntil: new Float64Array(m).fill(Number.NEGATIVE_INFINITY),
    emissionFactors,
    volumetric: Float64Array.from(MODES.map((md) => handling.volumetricKgPerM3[md])),
    ...compileVehicles(handling, edges.mode, edges.maxWeightKg),
  };
}

type VehicleArrays = Pick<
  CompiledIndex,
  "unitTonnes" | "modeUnitTonnes" | "unitVolume" | "unitNames" | "consistLimit" | "terminal"
>;

/** Each mode's unit, and each edge's payload per unit (a per-vehicle link limit lowers it). */
function compileVehicles(
  handling: HandlingTable,
  mode: Uint8Array,
  maxWeightKg: Float64Array,
): VehicleArrays {
  const v = MODES.map((md) => handling.vehicles[md]);
  const modeUnitTonnes = Float64Array.from(v, (x) => x.payloadKg / 1000);
  const consistLimit = Uint8Array.from(v, (x) => (x.linkLimit === "consist" ? 1 : 0));
  const unitTonnes = new Float64Array(mode.length);
  for (let e = 0; e < mode.length; e++) {
    const md = mode[e] as number;
    const own = modeUnitTonnes[md] as number;
    const limit = (maxWeightKg[e] as number) / 1000;
    unitTonnes[e] = consistLimit[md] === 1 ? own : Math.min(own, limit);
  }
  return {
    unitTonnes,
    modeUnitTonnes,
    unitVolume: Float64Array.from(v, (x) => x.volumeM3),
    unitNames: v.map((x) => x.unit),
    consistLimit,
    terminal: Uint8Array.from(MODES, (md) => (handling.terminalHandling[md] ? 1 : 0)),
  };
}

/** Every country a hub lies in or a link touches, sorted. */
function countriesOf(graph: NetworkGraph): string[] {
  const countrySet = new Set<string>();
  graph.forEachNode((_, a) => {
    countrySet.add(a.country);
  });
  graph.forEachEdge((_, a) => {
    for (const c of a.countries) countrySet.add(c);
  });
  return [...countrySet].sort();
}

type HubArrays = Pick<
  CompiledIndex,
  "nodeCountry" | "xyz" | "modeChange" | "modeRow" | "gaugeChange"
>;

function compileHubs(
  graph: NetworkGraph,
  codes: string[],
  countryOf: Map<string, number>,
  handling: HandlingTable,
): HubArrays {
  const n = codes.length;
  const nodeCountry = new Int32Array(n);
  const xyz = new Float64Array(n * 3);
  const modeChange = new Float64Array((n + MODES.length) * 4);
  const modeRow = new Int32Array(MODES.length).fill(-1);
  MODES.forEach((md, i) => {
    const h = handling.byMode?.[md];
    if (!h) return;
    modeRow[i] = (n + i) * 4;
    modeChange.set([h.hours, h.fixedUsd, h.usdPerTonne, h.co2eKgPerTonne], (n + i) * 4);
  });
  const gaugeChange = new Float64Array(n * 4);
  for (let v = 0; v < n; v++) {
    const hub = graph.getNodeAttributes(codes[v] ?? "");
    nodeCountry[v] = countryOf.get(hub.country) ?? -1;
    const lat = (hub.lat * Math.PI) / 180;
    const lon = (hub.lon * Math.PI) / 180;
    xyz.set([Math.cos(lat) * Math.cos(lon), Math.cos(lat) * Math.sin(lon), Math.sin(lat)], v * 3);
    const h = hub.handling;
    modeChange.set([h.hours, h.fixedUsd, h.usdPerTonne, h.co2eKgPerTonne], v * 4);
    const t = hub.transshipment;
    gaugeChange.set(
      t ? [t.hours, t.fixedUsd, t.usdPerTonne, t.co2eKgPerTonne] : [Number.NaN, 0, 0, 0],
      v * 4,
    );
  }
  return { nodeCountry, xyz, modeChange, modeRow, gaugeChange };
}

/** What the edge pass looks up, and the tables it fills as it goes. */
interface EdgeLookups {
  nodeOf: Map<string, number>;
  countryOf: Map<string, number>;
  crossings: CrossingRecord[];
  crossingOf: Map<string, number>;
  emissionFactors: EmissionFactorTable;
  linkOf: Map<string, number>;
  /** Masks by their forbidden list, since most links share one of a few lists. */
  dgMasks: Map<string, number>;
}

type EdgeArrays = Pick<
  CompiledIndex,
  | "offsets"
  | "head"
  | "tail"
  | "edgeKeys"
  | "linkIds"
  | "link"
  | "cls"
  | "mode"
  | "distKm"
  | "hours"
  | "dwell"
  | "fixedUsd"
  | "usdPerTonne"
  | "co2ePerTonne"
  | "maxWeightKg"
  | "dgForbidden"
  | "calendar"
  | "crossing"
  | "countryOffsets"
> & { edgeCountries: number[] };

/** Edges in CSR order: by tail hub, then by edge key. */
function compileEdges(graph: NetworkGraph, codes: string[], lookups: EdgeLookups): EdgeArrays {
  const n = codes.length;
  const m = graph.size;
  const out = newEdgeArrays(n, m);
  let e = 0;
  for (let v = 0; v < n; v++) {
    out.offsets[v] = e;
    for (const [key, a] of sortedOutEdges(graph, codes[v] ?? "")) {
      out.tail[e] = v;
      out.edgeKeys[e] = key;
      writeEdge(out, e, a, lookups);
      e++;
    }
  }
  out.offsets[n] = e;
  out.countryOffsets[m] = out.edgeCountries.length;
  return out;
}

function newEdgeArrays(n: number, m: number): EdgeArrays {
  return {
    offsets: new Int32Array(n + 1),
    head: new Int32Array(m),
    tail: new Int32Array(m),
    edgeKeys: new Array(m),
    linkIds: [],
    link: new Int32Array(m),
    cls: new Uint8Array(m),
    mode: new Uint8Array(m),
    distKm: new Float64Array(m),
    hours: new Float64Array(m),
    dwell: new Float64Array(m),
    fixedUsd: new Float64Array(m),
    usdPerTonne: new Float64Array(m),
    co2ePerTonne: new Float64Array(m),
    maxWeightKg: new Float64Array(m),
    dgForbidden: new Int32Array(m),
    calendar: new Int32Array(m),
    crossing: new Int32Array(m),
    countryOffsets: new Int32Array(m + 1),
    edgeCountries: [],
  };
}

function sortedOutEdges(graph: NetworkGraph, code: string): [string, LinkAttrs][] {
  const out: [string, LinkAttrs][] = [];
  graph.forEachOutEdge(code, (key, attrs) => {
    out.push([key, attrs]);
  });
  return out.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
}

/** Fills edge `e`'s entries from its link's attributes. */
function writeEdge(out: EdgeArrays, e: number, a: LinkAttrs, lookups: EdgeLookups): void {
  let li = lookups.linkOf.get(a.linkId);
  if (li === undefined) {
    li = out.linkIds.length;
    out.linkIds.push(a.linkId);
    lookups.linkOf.set(a.linkId, li);
  }
  const x = a.crossing !== undefined ? (lookups.crossingOf.get(a.crossing) ?? -1) : -1;
  const cross = x >= 0 ? lookups.crossings[x] : undefined;
  const factor = lookups.emissionFactors.factors[a.emissionFactor]?.value ?? 0;
  out.head[e] = lookups.nodeOf.get(a.to) ?? -1;
  out.link[e] = li;
  out.cls[e] = classOf(a.mode, a.gauge);
  out.mode[e] = modeIndex(a.mode);
  out.distKm[e] = a.distanceKm;
  out.dwell[e] = cross?.dwellHours.typical ?? 0;
  out.hours[e] = a.travelHours + (out.dwell[e] ?? 0);
  out.fixedUsd[e] = a.fixedUsd;
  out.usdPerTonne[e] = a.usdPerTonneKm * a.distanceKm;
  out.co2ePerTonne[e] = (factor * a.distanceKm) / 1000;
  out.maxWeightKg[e] = a.maxWeightKg;
  const dgKey = a.forbiddenDangerousGoods.join(",");
  let mask = lookups.dgMasks.get(dgKey);
  if (mask === undefined) {
    mask = dgMask(a.forbiddenDangerousGoods);
    lookups.dgMasks.set(dgKey, mask);
  }
  out.dgForbidden[e] = mask;
  out.calendar[e] = x;
  out.crossing[e] = x;
  out.countryOffsets[e] = out.edgeCountries.length;
  for (const c of a.countries) out.edgeCountries.push(lookups.countryOf.get(c) ?? -1);
}

/** Reverse CSR: edges into hub v are inEdges[inOffsets[v] … inOffsets[v + 1] − 1]. */
function reverseEdges(n: number, head: Int32Array): { inOffsets: Int32Array; inEdges: Int32Array } {
  const m = head.length;
  const inOffsets = new Int32Array(n + 1);
  for (let i = 0; i < m; i++) {
    const h = (head[i] ?? 0) + 1;
    inOffsets[h] = (inOffsets[h] ?? 0) + 1;
  }
  for (let v = 0; v < n; v++) inOffsets[v + 1] = (inOffsets[v + 1] ?? 0) + (inOffsets[v] ?? 0);
  const fill = inOffsets.slice(0, n);
  const inEdges = new Int32Array(m);
  for (let i = 0; i < m; i++) {
    const h = head[i] ?? 0;
    inEdges[fill[h] ?? 0] = i;
    fill[h] = (fill[h] ?? 0) + 1;
  }
  return { inOffsets, inEdges };
}

/** Straight-line distance between hubs u and v through the Earth, in Earth radii. */
export function chordOf(xyz: Float64Array, u: number, v: number): number {
  const dx = (xyz[u * 3] ?? 0) - (xyz[v * 3] ?? 0);
  const dy = (xyz[u * 3 + 1] ?? 0) - (xyz[v * 3 + 1] ?? 0);
  const dz = (xyz[u * 3 + 2] ?? 0) - (xyz[v * 3 + 2] ?? 0);
  return Math.sqrt(dx * dx + dy * dy + dz * dz);
}

/** Rough memory held by the index's typed arrays, in bytes. */
export function indexBytes(ix: CompiledIndex): number {
  let total = 0;
  for (const v of Object.values(ix)) {
    if (ArrayBuffer.isView(v)) total += v.byteLength;
  }
  return total;
}

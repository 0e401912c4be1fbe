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
export const CLASS_ROAD = 1;
export const CLASS_RAIL_1435 = 2;
export const CLASS_RAIL_1520 = 3;
export const CLASS_SEA = 4;
export const CLASS_AIR = 5;
export const K = 6;
export const CLASS_MODE: readonly (Mode | null)[] = [null, "road", "rail", "rail", "sea", "air"];

/** A forbidden entry "1" covers divisions 1.1–1.6; "2.1" covers only itself. */
export function dgMask(forbidden: readonly string[]): number {
  let mask = 0;
  DG_CLASSES.forEach((c, i) => {
    if (forbidden.some((f) => c === f || c.startsWith(`${f}.`))) mask |= 1 << i;
  });
  return mask;
}

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
  /** Per hub: mode change [hours, fixedUsd, usdPerTonne, co2eKgPerTonne]. */
  modeChange: Float64Array;
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
}

const modeIndex = (m: Mode) => MODES.indexOf(m);

export function compileIndex(
  graph: NetworkGraph,
  crossingList: CrossingRecord[],
  emissionFactors: EmissionFactorTable,
  handling: HandlingTable,
): CompiledIndex {
  const codes = graph.nodes().sort();
  const n = codes.length;
  const nodeOf = new Map(codes.map((c, i) => [c, i]));
  const countrySet = new Set<string>();
  graph.forEachNode((_, a) => {
    countrySet.add(a.country);
  });
  graph.forEachEdge((_, a) => {
    for (const c of a.countries) countrySet.add(c);
  });
  const countries = [...countrySet].sort();
  const countryOf = new Map(countries.map((c, i) => [c, i]));
  const crossings = [...crossingList].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const crossingOf = new Map(crossings.map((c, i) => [c.id, i]));
  const calendars = crossings.map((c) => compileCalendar(c.calendar));

  const nodeCountry = new Int32Array(n);
  const xyz = new Float64Array(n * 3);
  const modeChange = new Float64Array(n * 4);
  const gaugeChange = new Float64Array(n * 4);
  const offsets = new Int32Array(n + 1);
  const m = graph.size;
  const head = new Int32Array(m);
  const tail = new Int32Array(m);
  const edgeKeys: string[] = new Array(m);
  const link = new Int32Array(m);
  const linkIds: string[] = [];
  const linkOf = new Map<string, number>();
  const cls = new Uint8Array(m);
  const mode = new Uint8Array(m);
  const distKm = new Float64Array(m);
  const hours = new Float64Array(m);
  const dwell = new Float64Array(m);
  const fixedUsd = new Float64Array(m);
  const usdPerTonne = new Float64Array(m);
  const co2ePerTonne = new Float64Array(m);
  const maxWeightKg = new Float64Array(m);
  const dgForbidden = new Int32Array(m);
  const calendar = new Int32Array(m);
  const crossing = new Int32Array(m);
  const countryOffsets = new Int32Array(m + 1);
  const edgeCountries: number[] = [];

  const dgMasks = new Map<string, number>();
  let e = 0;
  for (let v = 0; v < n; v++) {
    const code = codes[v] ?? "";
    const hub = graph.getNodeAttributes(code);
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
    offsets[v] = e;
    const out: [string, LinkAttrs][] = [];
    graph.forEachOutEdge(code, (key, attrs) => {
      out.push([key, attrs]);
    });
    out.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    for (const [key, a] of out) {
      let li = linkOf.get(a.linkId);
      if (li === undefined) {
        li = linkIds.length;
        linkIds.push(a.linkId);
        linkOf.set(a.linkId, li);
      }
      const x = a.crossing !== undefined ? (crossingOf.get(a.crossing) ?? -1) : -1;
      const cross = x >= 0 ? crossings[x] : undefined;
      const factor = emissionFactors.factors[a.emissionFactor]?.value ?? 0;
      tail[e] = v;
      head[e] = nodeOf.get(a.to) ?? -1;
      edgeKeys[e] = key;
      link[e] = li;
      cls[e] = classOf(a.mode, a.gauge);
      mode[e] = modeIndex(a.mode);
      distKm[e] = a.distanceKm;
      dwell[e] = cross?.dwellHours.typical ?? 0;
      hours[e] = a.travelHours + (dwell[e] ?? 0);
      fixedUsd[e] = a.fixedUsd;
      usdPerTonne[e] = a.usdPerTonneKm * a.distanceKm;
      co2ePerTonne[e] = (factor * a.distanceKm) / 1000;
      maxWeightKg[e] = a.maxWeightKg;
      const dgKey = a.forbiddenDangerousGoods.join(",");
      let mask = dgMasks.get(dgKey);
      if (mask === undefined) {
        mask = dgMask(a.forbiddenDangerousGoods);
        dgMasks.set(dgKey, mask);
      }
      dgForbidden[e] = mask;
      calendar[e] = x;
      crossing[e] = x;
      countryOffsets[e] = edgeCountries.length;
      for (const c of a.countries) edgeCountries.push(countryOf.get(c) ?? -1);
      e++;
    }
  }
  offsets[n] = e;
  countryOffsets[m] = edgeCountries.length;
  const inOffsets = new Int32Array(n + 1);
  for (let i = 0; i < e; i++) {
    const h = (head[i] ?? 0) + 1;
    inOffsets[h] = (inOffsets[h] ?? 0) + 1;
  }
  for (let v = 0; v < n; v++) inOffsets[v + 1] = (inOffsets[v + 1] ?? 0) + (inOffsets[v] ?? 0);
  const fill = inOffsets.slice(0, n);
  const inEdges = new Int32Array(e);
  for (let i = 0; i < e; i++) {
    const h = head[i] ?? 0;
    inEdges[fill[h] ?? 0] = i;
    fill[h] = (fill[h] ?? 0) + 1;
  }
  const chord = new Float64Array(m);
  for (let i = 0; i < m; i++) chord[i] = chordOf(xyz, tail[i] ?? 0, head[i] ?? 0);
  const closedUntil = new Float64Array(m).fill(Number.NEGATIVE_INFINITY);
  const volumetric = Float64Array.from(MODES.map((md) => handling.volumetricKgPerM3[md]));
  return {
    n,
    m,
    codes,
    nodeOf,
    countries,
    countryOf,
    nodeCountry,
    xyz,
    chord,
    modeChange,
    gaugeChange,
    offsets,
    inOffsets,
    inEdges,
    head,
    tail,
    edgeKeys,
    linkIds,
    link,
    cls,
    mode,
    distKm,
    hours,
    dwell,
    fixedUsd,
    usdPerTonne,
    co2ePerTonne,
    maxWeightKg,
    dgForbidden,
    calendar,
    calendars,
    crossing,
    crossings,
    countryOffsets,
    edgeCountries: Int32Array.from(edgeCountries),
    closedUntil,
    emissionFactors,
    volumetric,
  };
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

import type {
  CrossingRecord,
  EmissionFactorTable,
  HandlingTable,
  HubRecord,
  LinkRecord,
  Mode,
  NetworkData,
  TransshipmentRecord,
} from "../routing/types";

/** mulberry32: small, fast, seeded; the same seed always gives the same network. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const code3 = (i: number) =>
  (LETTERS[Math.floor(i / 676) % 26] ?? "A") +
  (LETTERS[Math.floor(i / 26) % 26] ?? "A") +
  (LETTERS[i % 26] ?? "A");

function haversineKm(a: HubRecord, b: HubRecord): number {
  const r = Math.PI / 180;
  const dLat = (b.lat - a.lat) * r;
  const dLon = (b.lon - a.lon) * r;
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * r) * Math.cos(b.lat * r) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

export interface SyntheticOptions {
  hubs: number;
  /** Link records wanted (each bidirectional); the generator stops when it has them. */
  links: number;
  seed: number;
  emissionFactors: EmissionFactorTable;
  handling: HandlingTable;
}

const MODE_FIGURES: Record<
  Mode,
  { speed: number; fixed: number; rate: number; factor: string; maxKg: number }
> = {
  road: { speed: 30, fixed: 40, rate: 0.1, factor: "road-hgv", maxKg: 25_000 },
  rail: { speed: 40, fixed: 0, rate: 0.035, factor: "rail-average", maxKg: 1_500_000 },
  sea: { speed: 25, fixed: 200, rate: 0.02, factor: "sea-container-short", maxKg: 5_000_000 },
  air: { speed: 600, fixed: 300, rate: 0.9, factor: "air-freighter-long-haul", maxKg: 100_000 },
};

type Rand = () => number;

const countryCode = (cx: number, cy: number) =>
  `${LETTERS[(cx + 1) % 26] ?? "A"}${LETTERS[(cy + 14) % 26] ?? "A"}`;

/** One hub at a random place; `perCountry` numbers the hubs of each country. */
function syntheticHub(rand: Rand, perCountry: Map<string, number>): HubRecord {
  const lat = 30 + rand() * 25;
  const lon = 20 + rand() * 100;
  const cc = countryCode(
    Math.min(9, Math.floor((lon - 20) / 10)),
    Math.min(9, Math.floor((lat - 30) / 2.5)),
  );
  const n = perCountry.get(cc) ?? 0;
  perCountry.set(cc, n + 1);
  const rail = rand() < 0.6;
  const sea = rand() < 0.02;
  const air = rand() < 0.01;
  const boundary = Math.abs(lon - 70) < 0.5 && rail;
  const modes: Mode[] = ["road"];
  if (rail) modes.push("rail");
  if (sea) modes.push("sea");
  if (air) modes.push("air");
  const code = `${cc}-${code3(n)}`;
  return {
    code,
    name: `Synthetic ${code}`,
    nameZh: code,
    country: cc,
    lat: Math.round(lat * 1e4) / 1e4,
    lon: Math.round(lon * 1e4) / 1e4,
    kind: sea ? "seaport" : air ? "airport" : "logistics-hub",
    modes,
    ...(rail ? { railGauges: boundary ? [1435, 1520] : lon < 70 ? [1520] : [1435] } : {}),
    approx: true,
  };
}

/** The hubs, and a gauge-break transshipment at each hub that has both gauges. */
function scatterHubs(count: number, rand: Rand) {
  const perCountry = new Map<string, number>();
  const hubs: HubRecord[] = [];
  const transshipments: TransshipmentRecord[] = [];
  for (let i = 0; i < count; i++) {
    const hub = syntheticHub(rand, perCountry);
    hubs.push(hub);
    if (hub.railGauges?.length === 2) {
      transshipments.push({
        hub: hub.code,
        gauges: [1435, 1520],
        method: "container transshipment",
        hours: 4,
        fixedUsd: 250,
        usdPerTonne: 6,
        co2eKgPerTonne: 1.5,
        approx: true,
      });
    }
  }
  return { hubs, transshipments };
}

type Nearest = (i: number, k: number, filter: (j: number) => boolean) => number[];

/** The `k` nearest hubs to hub `i` that pass `filter`, found through grid buckets. */
function nearestIn(hubs: readonly HubRecord[]): Nearest {
  const cell = Math.sqrt((25 * 100) / Math.max(1, hubs.length / 4));
  const cols = Math.ceil(100 / cell) + 1;
  const buckets = new Map<number, number[]>();
  hubs.forEach((h, i) => {
    const b = Math.floor((h.lat - 30) / cell) * cols + Math.floor((h.lon - 20) / cell);
    const list = buckets.get(b);
    if (list) list.push(i);
    else buckets.set(b, [i]);
  });
  return (i, k, filter) => {
    const h = hubs[i] as HubRecord;
    const r0 = Math.floor((h.lat - 30) / cell);
    const c0 = Math.floor((h.lon - 20) / cell);
    const found: [number, number][] = [];
    for (let radius = 1; radius <= 3 && found.length < k; radius++) {
      found.length = 0;
      for (let dr = -radius; dr <= radius; dr++) {
        for (let dc = -radius; dc <= radius; dc++) {
          for (const j of buckets.get((r0 + dr) * cols + (c0 + dc)) ?? []) {
            if (j !== i && filter(j)) found.push([haversineKm(h, hubs[j] as HubRecord), j]);
          }
        }
      }
    }
    return found
      .sort((a, b) => a[0] - b[0] || a[1] - b[1])
      .slice(0, k)
      .map((x) => x[1]);
  };
}

/** The crossing a link between two countries passes, some open on weekdays only. */
function syntheticCrossing(id: string, countries: string[], mode: Mode, rand: Rand) {
  const weekdays = rand() < 0.3;
  return {
    id,
    name: id,
    countries: [countries[0] ?? "", countries[1] ?? ""],
    mode,
    dwellHours: { typical: 2 + Math.floor(rand() * 10), badDay: 24 },
    approx: true,
    calendar: weekdays
      ? { utcOffsetHours: 6, weekly: [{ days: [1, 2, 3, 4, 5], open: "08:00", close: "20:00" }] }
      : { utcOffsetHours: 6, always: true },
  } satisfies CrossingRecord;
}

/** The rail gauge two hubs share (1,520 mm west of 70°E where both have it), if any. */
function sharedGauge(a: HubRecord, b: HubRecord): number | undefined {
  const shared = (a.railGauges ?? []).filter((g) => (b.railGauges ?? []).includes(g));
  return shared.includes(1520) && a.lon < 70 ? 1520 : shared[0];
}

/** Links between hubs, each pair and mode once, with the crossings they pass. */
function linkBuilder(hubs: readonly HubRecord[], rand: Rand) {
  const crossings = new Map<string, CrossingRecord>();
  const links: LinkRecord[] = [];
  const pairs = new Set<string>();
  const crossingOf = (a: HubRecord, b: HubRecord, mode: Mode): string | undefined => {
    if (a.country === b.country || mode === "air" || mode === "sea") return undefined;
    const countries = [a.country, b.country].sort();
    const id = `X-${countries[0]}-${countries[1]}-${mode === "road" ? "R" : "T"}`;
    if (!crossings.has(id)) crossings.set(id, syntheticCrossing(id, countries, mode, rand));
    return id;
  };
  const addLink = (i: number, j: number, mode: Mode) => {
    const a = hubs[i] as HubRecord;
    const b = hubs[j] as HubRecord;
    const key = `${mode}:${Math.min(i, j)}:${Math.max(i, j)}`;
    if (pairs.has(key)) return;
    const gauge = mode === "rail" ? sharedGauge(a, b) : undefined;
    if (mode === "rail" && gauge === undefined) return;
    pairs.add(key);
    const f = MODE_FIGURES[mode];
    // Never shorter than the great circle, as the loader demands; 1.05–1.4 times it.
    const detour = mode === "air" ? 1.05 : 1.1 + rand() * 0.3;
    const exact = Math.round(haversineKm(a, b) * detour * 10) / 10;
    const distanceKm = Math.max(1, exact);
    const crossing = crossingOf(a, b, mode);
    links.push({
      id: `${mode[0]?.toUpperCase()}-${links.length}`,
      from: a.code,
      to: b.code,
      mode,
      bidirectional: true,
      distanceKm,
      speedKmh: f.speed,
      ...(gauge !== undefined ? { gauge } : {}),
      maxWeightKg: f.maxKg,
      forbiddenDangerousGoods: mode === "air" ? ["1", "3", "7"] : [],
      cost: {
        fixedUsd: f.fixed,
        usdPerTonneKm: Math.round(f.rate * (0.8 + rand() * 0.4) * 1e4) / 1e4,
        currency: "USD",
      },
      emissionFactor: f.factor,
      ...(crossing ? { crossing } : {}),
      ...(exact < 1 ? { detourReason: "hubs under 1 km apart: distance floored at 1 km" } : {}),
    });
  };
  return { addLink, links, crossings };
}

/** Neighbour lists are computed once (up to the largest round) and sliced per round. */
const MAX_K = 12;

/** Nearest neighbours, cached per hub and per filter (any hub, rail hubs). */
function cachedNearest(nearest: Nearest): Nearest {
  const caches = new Map<(j: number) => boolean, Map<number, number[]>>();
  return (i, k, filter) => {
    let cache = caches.get(filter);
    if (!cache) {
      cache = new Map();
      caches.set(filter, cache);
    }
    let list = cache.get(i);
    if (!list) {
      list = nearest(i, MAX_K, filter);
      cache.set(i, list);
    }
    return list.slice(0, k);
  };
}

/** A few links from hub `i` to random hubs of `among` (sea and air lanes). */
function randomLinks(
  i: number,
  among: readonly number[],
  tries: number,
  add: (j: number) => void,
  rand: Rand,
) {
  for (let s = 0; s < tries && among.length > 1; s++) {
    const j = among[Math.floor(rand() * among.length)] ?? i;
    if (j !== i) add(j);
  }
}

/**
 * A synthetic multimodal network on the scale of a continent: hubs scattered over a
 * 25°×100° box in 10×10 countries, road between near neighbours, rail among rail hubs (1,520 mm
 * west of 70°E, 1,435 mm east, with gauge-break hubs on the line), a few sea and air links, and
 * a border crossing (some with weekday-only windows) wherever a link leaves a country.
 */
export function syntheticNetwork(o: SyntheticOptions): NetworkData {
  const rand = prng(o.seed);
  const { hubs, transshipments } = scatterHubs(o.hubs, rand);
  const { addLink, links, crossings } = linkBuilder(hubs, rand);
  const near = cachedNearest(nearestIn(hubs));
  const has = (mode: Mode) => (j: number) => (hubs[j]?.modes ?? []).includes(mode);
  const isRail = has("rail");
  const isSea = has("sea");
  const anyHub = () => true;
  const seaHubs = hubs.map((_, i) => i).filter(isSea);
  const airHubs = hubs.map((_, i) => i).filter(has("air"));
  // Rounds of road and rail neighbours until the link budget is met.
  for (let k = 2; links.length < o.links && k <= MAX_K; k++) {
    for (let i = 0; i < hubs.length && links.length < o.links; i++) {
      for (const j of near(i, k, anyHub)) addLink(i, j, "road");
      if (isRail(i)) for (const j of near(i, k, isRail)) addLink(i, j, "rail");
      if (k !== 2) continue;
      if (isSea(i)) randomLinks(i, seaHubs, 3, (j) => addLink(i, j, "sea"), rand);
      if (airHubs.includes(i)) randomLinks(i, airHubs, 4, (j) => addLink(i, j, "air"), rand);
    }
  }
  return {
    hubs,
    links: links.slice(0, o.links),
    crossings: [...crossings.values()],
    transshipments,
    handling: o.handling,
    emissionFactors: o.emissionFactors,
  };
}

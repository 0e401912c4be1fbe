import { CLASS_START, type CompiledIndex } from "../../routing/compile";
import { newStep, type SearchQuery, step } from "../../routing/search";
import type {
  CrossingRecord,
  HubRecord,
  LinkRecord,
  Mode,
  NetworkData,
  TransshipmentRecord,
} from "../../routing/types";
import { loadSeedNetwork } from "../../seed/network";

const seed = loadSeedNetwork();

export interface Vec {
  cost: number;
  hours: number;
  co2e: number;
  modeChanges: number;
  /** Bit i set when the route uses MODES[i]. */
  modes: number;
}

/**
 * Every route along hub-simple paths, evaluated step by step with the engine's own `step`
 * (same mode/gauge changes, waits and closures): the brute-force reference.
 */
export function enumerateRoutes(ix: CompiledIndex, q: SearchQuery): Vec[] {
  const out: Vec[] = [];
  const onPath = new Uint8Array(ix.n);
  const s = newStep();
  const walk = (v: number, a: number, t: number, acc: Vec) => {
    if (v === q.target) {
      out.push({ ...acc, hours: t - q.depart });
      return;
    }
    onPath[v] = 1;
    for (let e = ix.offsets[v] ?? 0; e < (ix.offsets[v + 1] ?? 0); e++) {
      if (q.allowed[e] === 0) continue;
      const w = ix.head[e] ?? 0;
      if (onPath[w] === 1) continue;
      if (!step(ix, q, v, a, t, e, s)) continue;
      const next = {
        cost: acc.cost + s.cost,
        hours: 0,
        co2e: acc.co2e + s.co2e,
        modeChanges: acc.modeChanges + s.modeChange,
        modes: acc.modes | (1 << (ix.mode[e] ?? 0)),
      };
      walk(w, ix.cls[e] ?? 0, s.arrive, next);
    }
    onPath[v] = 0;
  };
  walk(q.source, CLASS_START, q.depart, { cost: 0, hours: 0, co2e: 0, modeChanges: 0, modes: 0 });
  return out;
}

const r6 = (x: number) => Math.round(x * 1e6) / 1e6;
export const key = (v: { cost: number; hours: number; co2e: number }) =>
  `${r6(v.cost)}|${r6(v.hours)}|${r6(v.co2e)}`;

/** Distinct non-dominated vectors, as sorted keys. */
export function paretoKeys(vs: { cost: number; hours: number; co2e: number }[]): string[] {
  const front = vs.filter(
    (a) =>
      !vs.some(
        (b) =>
          b.cost <= a.cost &&
          b.hours <= a.hours &&
          b.co2e <= a.co2e &&
          (b.cost < a.cost || b.hours < a.hours || b.co2e < a.co2e),
      ),
  );
  return [...new Set(front.map(key))].sort();
}

export interface RandomGraphSpec {
  hubs: number;
  links: {
    from: number;
    to: number;
    mode: Mode;
    km: number;
    speed: number;
    fixed: number;
    rate: number;
    gauge: 0 | 1;
    bidirectional: boolean;
  }[];
  weekdayCrossings: boolean[];
}

const CODES = "ABCDEFGHIJKL";

/**
 * A small network from a random spec. Every hub handles every mode and both gauges (with a
 * transshipment), and every link outweighs any hub change in cost, time and CO2e — so a route
 * that visits a hub twice never beats one that does not, and hub-simple enumeration is exact.
 */
export function smallNetwork(spec: RandomGraphSpec): NetworkData {
  const hubs: HubRecord[] = [];
  const transshipments: TransshipmentRecord[] = [];
  for (let i = 0; i < spec.hubs; i++) {
    const country = ["AA", "BB", "CC"][i % 3] ?? "AA";
    const code = `${country}-${CODES[i]}${CODES[i]}${CODES[i]}`;
    hubs.push({
      code,
      name: code,
      nameZh: code,
      country,
      // Close together (≤ 20 km apart), so the 50–500 km links are never shorter than the
      // great circle between their hubs.
      lat: 40 + i * 0.01,
      lon: 70 + i * 0.01,
      kind: "logistics-hub",
      modes: ["road", "rail", "sea", "air"],
      railGauges: [1435, 1520],
    });
    transshipments.push({
      hub: code,
      gauges: [1435, 1520],
      method: "transshipment",
      hours: 1 + (i % 2),
      fixedUsd: 10 + i,
      usdPerTonne: 0.5,
      co2eKgPerTonne: 0.3,
    });
  }
  const crossings: CrossingRecord[] = [];
  const links: LinkRecord[] = spec.links.map((l, i) => {
    const from = hubs[l.from]?.code ?? "";
    const to = hubs[l.to]?.code ?? "";
    let crossing: string | undefined;
    if (from.slice(0, 2) !== to.slice(0, 2)) {
      crossing = `X-${i}`;
      crossings.push({
        id: crossing,
        name: crossing,
        countries: [from.slice(0, 2), to.slice(0, 2)],
        mode: l.mode,
        dwellHours: { typical: 1 + (i % 4), badDay: 10 },
        calendar: spec.weekdayCrossings[i % spec.weekdayCrossings.length]
          ? {
              utcOffsetHours: 6,
              weekly: [{ days: [1, 2, 3, 4, 5], open: "09:00", close: "17:00" }],
            }
          : { utcOffsetHours: 6, always: true },
      });
    }
    return {
      id: `L-${i}`,
      from,
      to,
      mode: l.mode,
      bidirectional: l.bidirectional,
      distanceKm: l.km,
      speedKmh: l.speed,
      ...(l.mode === "rail" ? { gauge: l.gauge ? 1520 : 1435 } : {}),
      maxWeightKg: 1_000_000,
      forbiddenDangerousGoods: l.mode === "air" ? ["3"] : [],
      cost: { fixedUsd: l.fixed, usdPerTonneKm: l.rate, currency: "USD" },
      emissionFactor: {
        road: "road-hgv",
        rail: "rail-electric",
        sea: "sea-ferry",
        air: "air-freighter-long-haul",
      }[l.mode],
      ...(crossing ? { crossing } : {}),
    };
  });
  return {
    hubs,
    links,
    crossings,
    transshipments,
    handling: {
      byKind: {
        "logistics-hub": { hours: 2, fixedUsd: 15, usdPerTonne: 0.5, co2eKgPerTonne: 0.4 },
      },
      byHub: {},
      volumetricKgPerM3: seed.handling.volumetricKgPerM3,
      terminalHandling: seed.handling.terminalHandling,
      vehicles: seed.handling.vehicles,
    },
    emissionFactors: seed.emissionFactors,
  };
}

export { seed as seedNetwork };

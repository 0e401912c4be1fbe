import { describe, expect, it } from "vitest";
import type { Route } from "../../routing/describe";
import { type RouteRequest, type RouteResult, RoutingEngine } from "../../routing/engine";
import { seedNetwork } from "./support";

/**
 * Real cases a forwarder would check a quote against, each pinned to published figures with a
 * modest tolerance. When the engine's answer falls outside, the data is wrong, not the range.
 */
const engine = new RoutingEngine(seedNetwork);
const JULY = "2026-07-06T08:00:00Z";
/** A full 40 ft box: 18 t in about 60 of its 67.7 m³ (20 chargeable tonnes at 333 kg/m³). */
const FORTY_FOOT = { weightKg: 18_000, volumeM3: 60 };
const NM = 1.852;

function best(over: Partial<RouteRequest> & Pick<RouteRequest, "from" | "to">): Route {
  const r: RouteResult = engine.query({
    cargo: FORTY_FOOT,
    departAt: JULY,
    optimise: "cost",
    ...over,
  });
  if (!r.ok) throw new Error(`expected a route, got ${JSON.stringify(r.noRoute)}`);
  const [route] = r.routes;
  if (!route) throw new Error("expected a route");
  return route;
}
const days = (r: Route) => r.totals.durationHours / 24;
const show = (r: Route) => JSON.stringify({ totals: r.totals, legs: r.legs.map((l) => l.linkId) });

/**
 * ERAI (Eurasian Rail Alliance Index) survey of through rates China–Europe, Jan–Mar 2025:
 * USD 5,250–7,300 per FEU by origin (1520 International, "Rail container transportation in the
 * Eurasian space in the first half of 2025", September 2025,
 * https://1520international.com/en/content/2025/sentyabr-2025/konteynernye-zheleznodorozhnye-perevozki-na-evraziyskom-prostranstve-v-pervom-polugodii-2025-goda).
 * With 10% either side.
 */
const RAIL_FEU_USD = [5250 * 0.9, 7300 * 1.1] as const;

describe("Xi'an → Duisburg by rail", () => {
  const r = best({ from: "CN-XIY", to: "DE-DUI", modes: ["rail"] });

  it("is about 9,908 km (duisport, 2023, via Railmarket: 'the China-Europe Railway Express line is 9,908 km long'), ±5%", () => {
    // https://railmarket.com/news/freight-rail/2099-only-10-days-takes-now-rail-connection-between-chinese-xian-and-the-port-of-duisburg
    expect(r.totals.distanceKm, show(r)).toBeGreaterThanOrEqual(9908 * 0.95);
    expect(r.totals.distanceKm, show(r)).toBeLessThanOrEqual(9908 * 1.05);
  });

  it("takes 10 (timetabled) to 16 days (duisport, same source: '12–16 days shortened to 10')", () => {
    expect(days(r), show(r)).toBeGreaterThanOrEqual(9.8);
    expect(days(r), show(r)).toBeLessThanOrEqual(16);
  });

  it("costs a 40 ft box what ERAI's early-2025 through rates say", () => {
    expect(r.totals.cost, show(r)).toBeGreaterThanOrEqual(RAIL_FEU_USD[0]);
    expect(r.totals.cost, show(r)).toBeLessThanOrEqual(RAIL_FEU_USD[1]);
  });

  it("changes gauge twice, at Dostyk and at Małaszewicze", () => {
    const hubs = r.stops.flatMap((s) => (s.type === "gauge-change" ? [s.hub] : []));
    expect(hubs).toEqual(["KZ-DOS", "PL-MAL"]);
  });
});

describe("Urumqi → Almaty by rail, via Khorgos and via Alashankou", () => {
  const khorgos = best({ from: "CN-URC", to: "KZ-ALA", modes: ["rail"] });
  const alashankou = best({
    from: "CN-URC",
    to: "KZ-ALA",
    modes: ["rail"],
    avoidCrossings: ["X-KHR-AKL"],
  });
  const kazakhKm = (r: Route) =>
    r.legs.filter((l) => l.from.startsWith("KZ-")).reduce((s, l) => s + l.distanceKm, 0);

  it("via Khorgos: at least the published sections, at most 10% over", () => {
    // Second Ürümqi–Jinghe railway 381.5 km and Jinghe–Yining–Khorgos 286 km (Wikipedia);
    // Zhetygen–Altynkol 293 km (UIC eNews 327, 2013-01-08,
    // https://www.uic.org/com/enews/nr/327/article/kazakhstan-a-movement-of-trains-on); Zhetygen
    // lies about 50 km (great circle) from Almaty.
    const published = 381.5 + 286 + 293 + 50;
    expect(
      khorgos.legs.some((l) => l.crossing === "X-KHR-AKL"),
      show(khorgos),
    ).toBe(true);
    expect(khorgos.totals.distanceKm, show(khorgos)).toBeGreaterThanOrEqual(published);
    expect(khorgos.totals.distanceKm, show(khorgos)).toBeLessThanOrEqual(published * 1.1);
  });

  it("via Alashankou: the Northern Xinjiang railway (460 km, Wikipedia) then the Turksib", () => {
    expect(
      alashankou.legs.some((l) => l.crossing === "X-AKS-DOS"),
      show(alashankou),
    ).toBe(true);
    const chinese = alashankou.legs
      .filter((l) => l.to.startsWith("CN-"))
      .reduce((s, l) => s + l.distanceKm, 0);
    expect(chinese).toBeGreaterThanOrEqual(460);
    expect(chinese).toBeLessThanOrEqual(460 * 1.05);
  });

  it("in Kazakhstan, Altynkol is about 500 km shorter than Dostyk (Damu Logistics / DLG, 2009)", () => {
    // "With the new line the distance from Aktau and Almaty to China will become 500 kilometers
    // shorter": https://dlg.kz/en/news-damu-logistic/shortening-distances.html
    const saved = kazakhKm(alashankou) - kazakhKm(khorgos);
    expect(saved).toBeGreaterThanOrEqual(400);
    expect(saved).toBeLessThanOrEqual(650);
    expect(khorgos.totals.cost).toBeLessThan(alashankou.totals.cost);
  });
});

describe("Lianyungang → Rotterdam: by sea against the train", () => {
  const sea = best({ from: "CN-LYG", to: "NL-RTM", modes: ["sea"] });
  const train = best({ from: "CN-LYG", to: "NL-RTM", modes: ["rail"] });

  it("the sea lane is Shanghai–Rotterdam's ~10,600 nm via Suez plus the run up the coast", () => {
    // Rodrigue, Port Economics, Management and Policy, "Routing options between Shanghai,
    // Rotterdam and New York": via Suez about 10,600 nm; 27 days at 16 kn without calls, about
    // 35 days with 5–10 calls.
    // https://porteconomicsmanagement.org/pemp/contents/part1/interoceanic-passages/routing-options-shanghai-rotterdam
    expect(sea.legs.map((l) => l.linkId)).toEqual(["S-LYG-RTM"]);
    expect(sea.totals.distanceKm / NM).toBeGreaterThanOrEqual(10_600);
    expect(sea.totals.distanceKm / NM).toBeLessThanOrEqual(11_300);
    expect(days(sea)).toBeGreaterThanOrEqual(30);
    expect(days(sea)).toBeLessThanOrEqual(40);
  });

  it("a box by sea costs what Drewry's WCI Shanghai–Rotterdam said in 2025, ±10%", () => {
    // USD 2,046 on 2025-05-08 (https://www.mhwmag.com/nuts-bolts/may-2025-world-container-index/)
    // to USD 3,468 on 2025-07-03
    // (https://www.trasportoeuropa.it/english/container-freight-rates-from-china-decline-at-the-end-of-june-2025).
    expect(sea.totals.cost, show(sea)).toBeGreaterThanOrEqual(2046 * 0.9);
    expect(sea.totals.cost, show(sea)).toBeLessThanOrEqual(3468 * 1.1);
  });

  it("the train runs the New Eurasian Land Bridge, 10,900 km (People's Railway Daily, 2024), ±5%", () => {
    // https://cigarate.com/english/news/202412/t20241216_139877.html ; Chinese media also give
    // 10,800 km (china.org.cn, 2019) and 11,870 km (Wikipedia, "New Eurasian Land Bridge").
    expect(train.totals.distanceKm, show(train)).toBeGreaterThanOrEqual(10_900 * 0.95);
    expect(train.totals.distanceKm, show(train)).toBeLessThanOrEqual(10_900 * 1.05);
    // 12–18 days by train against 30–40 by sea (Freyt World, 2025-03-24,
    // https://freytworld.com/?p=3346).
    expect(days(train), show(train)).toBeGreaterThanOrEqual(12);
    expect(days(train), show(train)).toBeLessThanOrEqual(18);
    // ERAI's through rates are for the usual China–Europe runs (Xi'an–Duisburg, 9,908 km, above);
    // this one is about 11% longer and starts and ends at seaports, whose terminal handling it
    // pays: the range is scaled by distance.
    const longer = train.totals.distanceKm / 9_908;
    expect(train.totals.cost, show(train)).toBeGreaterThanOrEqual(RAIL_FEU_USD[0]);
    expect(train.totals.cost, show(train)).toBeLessThanOrEqual(RAIL_FEU_USD[1] * longer);
  });

  it("the ship emits at the deep-sea container factor, not the short-sea one", () => {
    // GLEC Framework v3.1 (2024), Table 13, 'Panama Trade - Container ship (dry)', 80.4 g CO2e per
    // TEU-km (Climatiq, https://www.climatiq.io/data/emission-factor/8d7f5f32-16b2-474a-98cf-21ca3d708acb),
    // at 10 t a TEU: 8 g/t-km (approx.; the Asia-North Europe row itself could not be read).
    const f = seedNetwork.emissionFactors;
    expect(f.factors["sea-container-deep"]?.value).toBe(8);
    expect(f.version).toBe("caravan-ef-2026.2");
    for (const id of [
      "S-SHA-RTM",
      "S-SHA-HAM",
      "S-LYG-RTM",
      "S-LYG-HAM",
      "S-KHI-RTM",
      "S-GWD-RTM",
    ]) {
      expect(seedNetwork.links.find((l) => l.id === id)?.emissionFactor, id).toBe(
        "sea-container-deep",
      );
    }
    // 18 t x 20,242 km x 8 g = 2,914.8 kg on the sea leg, half what the short-sea factor gave
    // (5,829.7 kg); the route adds the terminal handling at both ports.
    expect(sea.legs[0]?.co2eKg, show(sea)).toBeCloseTo(18 * 20_242 * 0.008, 0);
    expect(sea.totals.co2eKg).toBeGreaterThan(sea.legs[0]?.co2eKg ?? 0);
  });

  it("the forwarder's trade-off: the train at least twice as fast, the ship at least twice as cheap", () => {
    expect(days(sea) / days(train)).toBeGreaterThanOrEqual(2);
    expect(train.totals.cost / sea.totals.cost).toBeGreaterThanOrEqual(2);
    const res = engine.query({
      from: "CN-LYG",
      to: "NL-RTM",
      cargo: FORTY_FOOT,
      departAt: JULY,
      optimise: "pareto",
      modes: ["rail", "sea"],
    });
    if (!res.ok) throw new Error(JSON.stringify(res.noRoute));
    const firsts = res.routes.map((r) => r.legs[0]?.mode);
    expect(firsts).toContain("sea");
    expect(firsts).toContain("rail");
  });
});

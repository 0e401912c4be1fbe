import { describe, expect, it } from "vitest";
import type { Route } from "../../routing/describe";
import { type RouteRequest, type RouteResult, RoutingEngine } from "../../routing/engine";
import type { LinkRecord, NetworkData } from "../../routing/types";
import { NetworkError, validateNetwork } from "../../routing/validate";
import { seedNetwork } from "./support";

const engine = new RoutingEngine(seedNetwork);
const JULY = "2026-07-06T08:00:00Z";
const JANUARY = "2027-01-12T08:00:00Z";

const ask = (over: Partial<RouteRequest>): RouteResult =>
  engine.query({
    from: "CN-URC",
    to: "DE-DUI",
    cargo: { weightKg: 18_000, volumeM3: 60 },
    departAt: JULY,
    optimise: "cost",
    ...over,
  });

function routes(r: RouteResult): Route[] {
  if (!r.ok) throw new Error(`expected routes, got ${JSON.stringify(r.noRoute)}`);
  return r.routes;
}
const hubsOf = (r: Route) => [r.legs[0]?.from, ...r.legs.map((l) => l.to)];
const clone = (): NetworkData => structuredClone(seedNetwork);

describe("the seeded network loads and validates", () => {
  it("has at least the hubs the network facts list, with Chinese division codes", () => {
    const codes = new Set(seedNetwork.hubs.map((h) => h.code));
    for (const c of ["CN-URC", "CN-KHG", "CN-KHJ", "KZ-DOS", "KZ-AKL", "KZ-AKU", "PK-GWD"]) {
      expect(codes.has(c), c).toBe(true);
    }
    const urc = seedNetwork.hubs.find((h) => h.code === "CN-URC");
    expect(urc?.divisionCode).toBe("650100");
  });

  it.each([
    [
      "unknown hub",
      (d: NetworkData) => {
        if (d.links[0]) d.links[0].to = "CN-XXX";
      },
      /link R-LHW-WUW: unknown hub CN-XXX/,
    ],
    [
      "negative distance",
      (d: NetworkData) => {
        if (d.links[1]) d.links[1].distanceKm = -5;
      },
      /link R-WUW-JYG: distanceKm must be > 0/,
    ],
    [
      "rail link between gauges without a transshipment point",
      (d: NetworkData) => {
        const l = d.links.find((x) => x.id === "R-AKS-DOS");
        if (l) l.to = "KZ-AKG";
      },
      /link R-AKS-DOS: rail link of gauge 1435 ends at KZ-AKG \(gauge 1520\) without a transshipment point/,
    ],
    [
      "two gauges but no transshipment",
      (d: NetworkData) => {
        d.transshipments = d.transshipments.filter((t) => t.hub !== "KZ-DOS");
      },
      /hub KZ-DOS: has gauges 1435 and 1520 but no transshipment/,
    ],
    [
      "unknown emission factor",
      (d: NetworkData) => {
        if (d.links[2]) d.links[2].emissionFactor = "rail-steam";
      },
      /unknown emission factor rail-steam/,
    ],
  ])("refuses %s, naming the record", (_name, spoil, message) => {
    const d = clone();
    spoil(d);
    expect(() => validateNetwork(d)).toThrow(NetworkError);
    expect(() => validateNetwork(d)).toThrow(message);
  });
});

describe("hand-computed cases on the real network", () => {
  it("Urumqi → Almaty by rail changes gauge at Alashankou/Dostyk or Khorgos/Altynkol", () => {
    const [r] = routes(ask({ to: "KZ-ALA", modes: ["rail"] }));
    const gauge = r?.stops.find((s) => s.type === "gauge-change");
    expect(gauge && "hub" in gauge ? gauge.hub : undefined).toMatch(/^KZ-(DOS|AKL)$/);
    expect(r?.legs.every((l) => l.mode === "rail")).toBe(true);
    expect(r?.legs.map((l) => l.gauge)).toContain(1435);
    expect(r?.legs.map((l) => l.gauge)).toContain(1520);
  });

  it("avoiding Russia, Belarus and Suez (EG), Duisburg is reached by the Middle Corridor", () => {
    for (const optimise of ["cost", "time", "co2e"] as const) {
      // Without EG, the deep-sea lanes from Lianyungang or Karachi via Suez are an answer too.
      const res = ask({
        avoidCountries: ["RU", "BY", "EG"],
        optimise,
        modes: ["rail", "road", "sea"],
      });
      const [r] = routes(res);
      const hubs = hubsOf(r as Route);
      expect(hubs).toContain("KZ-AKU");
      expect(hubs).toContain("AZ-ALT");
      expect(hubs.some((h) => h?.startsWith("GE-"))).toBe(true);
      expect(r?.legs.some((l) => l.mode === "sea")).toBe(true);
      expect(hubs.some((h) => h?.startsWith("RU-") || h?.startsWith("BY-"))).toBe(false);
    }
  });

  it("transit countries count: avoiding Bulgaria leaves the Istanbul line for the Black Sea", () => {
    const [r] = routes(
      ask({
        avoidCountries: ["RU", "BY", "BG", "EG"],
        modes: ["rail", "road", "sea"],
        optimise: "time",
      }),
    );
    const links = r?.legs.map((l) => l.linkId) ?? [];
    // Poti or Batumi to Constanța, whichever is sooner: both ferries wait at X-BLACK-SEA.
    expect(r?.legs.some((l) => l.crossing === "X-BLACK-SEA")).toBe(true);
    expect(links.some((id) => id.endsWith("IST-BUD"))).toBe(false);
  });

  it("with the Caspian, Black Sea and Suez also avoided, the answer is a clear no route", () => {
    const res = ask({ avoidCountries: ["RU", "BY", "AZ", "EG"], modes: ["rail", "road", "sea"] });
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.noRoute.reason).toBe("AVOIDED_COUNTRY");
    expect(res.noRoute.message).toMatch(
      /every route crosses an avoided country \(AZ, BY, EG, RU\)/,
    );
  });

  it("a January truck from Kashgar to Islamabad cannot use Khunjerab; a July one does", () => {
    const winter = ask({ from: "CN-KHG", to: "PK-ISB", modes: ["road"], departAt: JANUARY });
    expect(winter.ok).toBe(false);
    if (!winter.ok) {
      expect(winter.noRoute.reason).toBe("CLOSURE");
      expect(winter.noRoute.blockedBy).toEqual(["X-KHJ"]);
      expect(winter.noRoute.message).toMatch(/Khunjerab/);
    }
    const summer = routes(ask({ from: "CN-KHG", to: "PK-ISB", modes: ["road"] }));
    expect(summer[0]?.stops.some((s) => s.type === "crossing" && s.crossing === "X-KHJ")).toBe(
      true,
    );
    // With every mode allowed, January freight goes round the pass.
    const any = routes(ask({ from: "CN-KHG", to: "PK-ISB", departAt: JANUARY, optimise: "time" }));
    expect(any[0]?.legs.some((l) => l.crossing === "X-KHJ")).toBe(false);
  });

  it("a departure just before the closure still crosses, one in it does not", () => {
    const late = routes(
      ask({ from: "CN-KHG", to: "PK-ISB", modes: ["road"], departAt: "2026-11-20T00:00:00Z" }),
    );
    expect(late[0]?.legs.some((l) => l.crossing === "X-KHJ")).toBe(true);
    expect(
      ask({ from: "CN-KHG", to: "PK-ISB", modes: ["road"], departAt: "2026-11-30T20:00:00Z" }).ok,
    ).toBe(false);
  });

  it("waiting for a weekday crossing counts as transit time", () => {
    // Irkeshtam is shut at weekends: a Friday-night arrival waits until Monday.
    const friday = routes(
      ask({ from: "CN-KHG", to: "KG-OSS", modes: ["road"], departAt: "2026-07-10T18:00:00Z" }),
    );
    const monday = routes(
      ask({ from: "CN-KHG", to: "KG-OSS", modes: ["road"], departAt: "2026-07-06T08:00:00Z" }),
    );
    expect(friday[0]?.totals.waitHours).toBeGreaterThan(24);
    expect(monday[0]?.totals.waitHours).toBe(0);
    expect(friday[0]?.totals.durationHours).toBeGreaterThan(monday[0]?.totals.durationHours ?? 0);
  });

  it.each([["1.1"], ["3"], ["7"]])("dangerous goods of class %s never fly", (cls) => {
    for (const optimise of ["cost", "time", "co2e", "pareto"] as const) {
      const res = ask({
        from: "CN-XIY",
        to: "DE-DUI",
        optimise,
        cargo: { weightKg: 5000, dangerousGoods: { class: cls } },
      });
      for (const r of res.ok ? res.routes : []) {
        expect(r.legs.some((l) => l.mode === "air")).toBe(false);
      }
    }
    // Without the dangerous goods the fastest route does fly.
    const plain = routes(ask({ from: "CN-XIY", optimise: "time", cargo: { weightKg: 5000 } }));
    expect(plain[0]?.legs.some((l) => l.mode === "air")).toBe(true);
  });

  it("a truck's weight limit adds trucks: 30 t goes by road as two", () => {
    const [r] = routes(ask({ to: "KZ-ALA", cargo: { weightKg: 30_000 }, modes: ["road"] }));
    expect(r?.legs.length).toBeGreaterThan(0);
    expect(r?.legs.every((l) => l.mode === "road" && l.vehicles === 2)).toBe(true);
  });

  it("a maximum number of mode changes is respected", () => {
    const res = ask({ from: "CN-XIY", optimise: "time", maxModeChanges: 0 });
    for (const r of routes(res)) expect(r.totals.modeChanges).toBe(0);
  });

  it("a transit limit nothing meets is a typed no route", () => {
    const res = ask({ maxTransitHours: 10 });
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.noRoute.reason).toBe("MAX_TRANSIT_HOURS");
  });
});

describe("results", () => {
  it("Pareto routes are non-dominated, labelled, and capped by the documented rule", () => {
    const res = ask({ from: "CN-XIY", optimise: "pareto", limit: 4 });
    if (!res.ok) throw new Error("no route");
    expect(res.routes.length).toBeLessThanOrEqual(4);
    expect(res.paretoSize).toBeGreaterThanOrEqual(res.routes.length);
    const labels = res.routes.flatMap((r) => r.labels);
    for (const l of ["cheapest", "fastest", "greenest", "balanced"]) expect(labels).toContain(l);
    for (const r of res.routes) expect(r.labels.length).toBeGreaterThan(0);
    for (const a of res.routes) {
      for (const b of res.routes) {
        if (a === b) continue;
        const dominated =
          b.totals.cost <= a.totals.cost &&
          b.totals.durationHours <= a.totals.durationHours &&
          b.totals.co2eKg <= a.totals.co2eKg;
        expect(dominated).toBe(false);
      }
    }
  });

  it("alternatives are diverse: no two share more than 60% of their distance", () => {
    const rs = routes(ask({ alternatives: 3 }));
    expect(rs.length).toBeGreaterThanOrEqual(2);
    for (let i = 0; i < rs.length; i++) {
      for (let j = i + 1; j < rs.length; j++) {
        const a = rs[i] as Route;
        const b = rs[j] as Route;
        const ids = new Set(b.legs.map((l) => l.linkId));
        const shared = a.legs
          .filter((l) => ids.has(l.linkId))
          .reduce((s, l) => s + l.distanceKm, 0);
        expect(shared).toBeLessThanOrEqual(
          0.6 * Math.min(a.totals.distanceKm, b.totals.distanceKm) + 0.5,
        );
      }
    }
  });

  it("legs, stops and totals add up, and cite the emission factor table", () => {
    const [r] = routes(ask({}));
    if (!r) throw new Error("no route");
    const legCost = r.legs.reduce((s, l) => s + l.cost, 0);
    const hubCost = r.stops.reduce((s, x) => s + ("cost" in x ? x.cost : 0), 0);
    expect(legCost + hubCost).toBeCloseTo(r.totals.cost, 0);
    expect(r.emissions.legsKg + r.emissions.hubsKg).toBeCloseTo(r.totals.co2eKg, 0);
    expect(r.emissions.factorTable).toBe(seedNetwork.emissionFactors.version);
    expect(r.emissions.basis).toBe("well-to-wheel");
    expect(r.totals.currency).toBe("USD");
  });

  it("identical input gives byte-identical output, also from a fresh engine", () => {
    const req: RouteRequest = {
      from: "CN-XIY",
      to: "DE-DUI",
      cargo: { weightKg: 12_000, volumeM3: 50 },
      departAt: JULY,
      optimise: "pareto",
    };
    const a = JSON.stringify(engine.query(req));
    const b = JSON.stringify(engine.query(req));
    const c = JSON.stringify(new RoutingEngine(seedNetwork).query(req));
    expect(b).toBe(a);
    expect(c).toBe(a);
    const alt = { ...req, optimise: "time" as const, alternatives: 3 };
    expect(JSON.stringify(engine.query(alt))).toBe(JSON.stringify(engine.query(alt)));
  });

  it("a link closure changes the answer at once and reopening restores it", () => {
    const local = new RoutingEngine(seedNetwork);
    const q = { from: "CN-URC", to: "KZ-ALA", modes: ["rail" as const], cargo: { weightKg: 1000 } };
    const before = routes(local.query({ ...q, departAt: JULY, optimise: "cost" }));
    const used = before[0]?.legs.find((l) => l.crossing)?.linkId ?? "";
    local.setLinkStatuses([{ linkId: used, status: "closed", until: null }]);
    const during = routes(local.query({ ...q, departAt: JULY, optimise: "cost" }));
    expect(during[0]?.legs.some((l) => l.linkId === used)).toBe(false);
    local.setLinkStatuses([]);
    const after = routes(local.query({ ...q, departAt: JULY, optimise: "cost" }));
    expect(JSON.stringify(after)).toBe(JSON.stringify(before));
  });

  it("editing the graph rebuilds the index for the next query", () => {
    const local = new RoutingEngine(seedNetwork);
    const first = local.index;
    local.graph.setEdgeAttribute("R-AKS-DOS", "distanceKm", 13);
    expect(local.index).not.toBe(first);
  });
});

describe("forwarder's cases pinned to published reports", () => {
  // Khunjerab is open 1 April to 30 November and closed 1 December to 31 March (The Nation,
  // 2024-11-29, https://www.nation.com.pk/29-Nov-2024/khunjerab-border-closes-for-winter-set-to-reopen-in-april-2025).
  const gwadar = (departAt: string, modes?: RouteRequest["modes"]) =>
    ask({ from: "CN-KHG", to: "PK-GWD", departAt, optimise: "time", ...(modes ? { modes } : {}) });

  it.each([
    ["April", "2026-04-14T08:00:00Z"],
    ["July", JULY],
  ])("Kashgar → Gwadar by road in %s crosses Khunjerab", (_month, departAt) => {
    const [r] = routes(gwadar(departAt, ["road"]));
    expect(r?.legs.some((l) => l.crossing === "X-KHJ")).toBe(true);
    expect(hubsOf(r as Route)).toContain("PK-SST");
  });

  it("Kashgar → Gwadar in January: no road route (the pass is shut), other modes go round it", () => {
    const road = gwadar(JANUARY, ["road"]);
    expect(road.ok).toBe(false);
    if (!road.ok) {
      expect(road.noRoute.reason).toBe("CLOSURE");
      expect(road.noRoute.blockedBy).toEqual(["X-KHJ"]);
    }
    const [any] = routes(gwadar(JANUARY));
    expect(any?.legs.some((l) => l.crossing === "X-KHJ")).toBe(false);
  });

  it("the Middle Corridor avoiding RU and BY: typical 2-5 weeks, a bad day past 50 days", () => {
    // Typical: 14-18 days projected (network facts), 31-37 days China → Constanța/Duisburg in TITR
    // guidance (navisgroup.com.ua, 2025-08-27). Bad day: trips of up to 50 days or more before 2023
    // (Caspian Policy Center, 2024-01-22, https://caspianpolicy.org/research/economy/the-middle-corridor-is-opening).
    // EG too: with the deep-sea lanes via Suez, the cheapest box avoiding RU and BY goes by sea.
    const [r] = routes(ask({ avoidCountries: ["RU", "BY", "EG"], modes: ["rail", "road", "sea"] }));
    const days = (r?.totals.durationHours ?? 0) / 24;
    const badDays = (r?.totals.badDayDurationHours ?? 0) / 24;
    expect(days).toBeGreaterThanOrEqual(14);
    expect(days).toBeLessThanOrEqual(37);
    expect(badDays).toBeGreaterThanOrEqual(50);
    expect(badDays).toBeLessThanOrEqual(70);
    // The Caspian and Black Sea ferries now count as crossings, and the route says what its bad day assumes.
    const crossed = r?.badDay.crossings.map((c) => c.crossing) ?? [];
    expect(crossed).toEqual(expect.arrayContaining(["X-CASPIAN", "X-BLACK-SEA"]));
    expect(r?.badDay.assumes).toMatch(
      /every crossing on the route has its reported bad day at once/,
    );
    const extra = r?.badDay.crossings.reduce((s, c) => s + c.extraHours, 0) ?? 0;
    expect(r?.totals.badDayDurationHours).toBeCloseTo((r?.totals.durationHours ?? 0) + extra, 1);
  });

  it("a Caspian leg waits for its ferry: the X-CASPIAN dwell is in the leg's duration", () => {
    // Two days' typical wait for a vessel; a bad day of two weeks as reported at Aktau and Kuryk.
    const [r] = routes(ask({ from: "KZ-AKU", to: "AZ-ALT", modes: ["sea"] }));
    const leg = r?.legs.find((l) => l.linkId === "S-AKU-ALT");
    expect(leg?.crossing).toBe("X-CASPIAN");
    expect(leg?.durationHours).toBe(24 + 48);
    const stop = r?.stops.find((s) => s.type === "crossing");
    expect(stop && "badDayBasis" in stop ? stop.badDayBasis : "").toMatch(/two weeks/);
  });

  it.each([
    ["S-AKU-ALT", "X-CASPIAN"],
    ["S-KUR-ALT", "X-CASPIAN"],
    ["S-PTI-CND", "X-BLACK-SEA"],
    ["S-BUS-CND", "X-BLACK-SEA"],
  ])("ferry %s waits at %s, sails for its sailing time only, at the ferry factor", (id, x) => {
    // durationSource is kept in the data for readers; the engine does not type it.
    const link = seedNetwork.links.find((l) => l.id === id) as
      | (LinkRecord & { durationSource?: string })
      | undefined;
    expect(link?.crossing).toBe(x);
    expect(link?.emissionFactor).toBe("sea-ferry");
    expect(link?.durationSource).toMatch(/sailing time only/);
    // At about 10 knots (18 km/h) or faster: a wait of days would not fit in these hours.
    expect(link?.durationHours ?? 0).toBeLessThanOrEqual((link?.distanceKm ?? 0) / 18);
  });

  it("the ferry factor is GLEC v3.0's ro-pax default, and the table's version was bumped", () => {
    // GLEC Framework v3.0 (2023), Table 14, 'Ferry-RoPax 10000-19999 gt - MDO', WTW 124.8 g/t-km.
    const f = seedNetwork.emissionFactors;
    expect(f.factors["sea-ferry"]?.value).toBe(124.8);
    // 2026.1 brought the ferry factor; 2026.2 added the deep-sea container factor.
    expect(f.version).toBe("caravan-ef-2026.2");
    const [r] = routes(ask({ from: "KZ-AKU", to: "AZ-ALT", modes: ["sea"] }));
    // 18 t x 470 km x 124.8 g = 1,055.8 kg on the leg.
    expect(r?.legs[0]?.co2eKg).toBeCloseTo(18 * 470 * 0.1248, 0);
  });
});

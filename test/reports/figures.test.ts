import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { CNY_RATES } from "../../core/reports/facts";
import { type Bidder, carrierWithTruck } from "../marketplace/support";
import { createTestNode, type TestNode } from "../support/app";
import { createRegulator, type Registered, registerShipper } from "../support/fixtures";
import { refreshReportsOf, type Shipment, ship } from "./support";

/**
 * Each report's figures worked out by hand from a small journey set: three road waybills
 * Urumqi → Almaty across Khorgos on 10 March 2030 (dwell 3, 5 and 30 hours; transit 50, 70 and
 * 100 hours, planned 96; one exception), three rail waybills on the same day, and a road cell of
 * two shippers that every figure leaves out.
 *
 * Percentiles come from fixed buckets (DWELL_EDGES, TRANSIT_EDGES in db/schema/reports.ts): the
 * q-quantile's rank q·n falls in one bucket, and the answer is interpolated linearly inside it,
 * so it always lies in the bucket that holds the true order statistic.
 */

const T0 = Date.UTC(2030, 2, 10, 6);
const h = (hours: number) => new Date(T0 + hours * 3_600_000);
const DAY = "2030-03-10";

let node: TestNode;
let regulator: Registered;
const shippers: Registered[] = [];
const carriers: Bidder[] = [];

const ROAD = [
  { weightKg: 10_000, dwell: 3, transit: 50, exception: false },
  { weightKg: 12_000, dwell: 5, transit: 70, exception: false },
  { weightKg: 14_000, dwell: 30, transit: 100, exception: true },
];
const RAIL_KG = [20_000, 22_000, 24_000];

beforeAll(async () => {
  node = await createTestNode();
  regulator = await createRegulator(node);
  for (let i = 0; i < 3; i++) {
    shippers.push(await registerShipper(node));
    carriers.push(await carrierWithTruck(node));
  }
  const base = (i: number): Shipment => ({
    shipper: shippers[i] as Registered,
    carrier: carriers[i] as Bidder,
    from: "CN-URC",
    to: "KZ-ALA",
    mode: "road",
    weightKg: 0,
    hsCode: "520100",
    priceCny: 20_000,
    pickupAt: h(0),
  });
  for (const [i, r] of ROAD.entries()) {
    await ship(node, {
      ...base(i),
      weightKg: r.weightKg,
      events: [
        { type: "in_transit", at: h(1) },
        { type: "at_border", at: h(10), location: "CN-KHR" },
        { type: "cleared", at: h(10 + r.dwell) },
        ...(r.exception ? [{ type: "exception", at: h(10 + r.dwell + 1) }] : []),
        { type: "delivered", at: h(r.transit) },
      ],
    });
  }
  for (const [i, weightKg] of RAIL_KG.entries()) {
    await ship(node, { ...base(i), mode: "rail", weightKg });
  }
  // Rail by Alashankou on 11 March: the gauge changes across the border, at Dostyk.
  for (const [i, weightKg] of RAIL_KG.entries()) {
    const at = (hours: number) => h(24 + hours);
    await ship(node, {
      ...base(i),
      mode: "rail",
      via: ["CN-AKS", "KZ-DOS"],
      weightKg,
      pickupAt: at(0),
      events: [
        { type: "in_transit", at: at(1) },
        { type: "at_border", at: at(20), location: "CN-AKS" },
        { type: "cleared", at: at(20 + 7 * (i + 1)) },
      ],
    });
  }
  // Two shippers Lanzhou → Xining: held back from every figure.
  for (const i of [0, 1]) {
    await ship(node, { ...base(i), from: "CN-LHW", to: "CN-XNN", weightKg: 99_000 });
  }
  await refreshReportsOf(node);
}, 120_000);

const report = async (name: string, extra: Record<string, string> = {}) => {
  const q = new URLSearchParams({ from: DAY, to: DAY, granularity: "day", lang: "en", ...extra });
  const res = await node.call("GET", `/v1/reports/${name}?${q}`, { key: regulator.key });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { rows: Record<string, unknown>[]; totals: Record<string, unknown> };
};

/** The links the Urumqi road and rail waybills were put on, with the network's distances and factors. */
async function pathOf(mode: string) {
  const rows = await node.database.db.execute(
    sql`select distinct link_id from report_fact_links where mode = ${mode}
      and number in (select number from report_facts where o_area = '650100' and day = ${DAY})`,
  );
  const data = node.network.data;
  const links = rows.map((r) => {
    const link = data.links.find((l) => l.id === String(r.link_id));
    if (!link) throw new Error(`no link ${String(r.link_id)}`);
    const factor = data.emissionFactors.factors[link.emissionFactor]?.value;
    if (factor === undefined) throw new Error(`no factor ${link.emissionFactor}`);
    return { km: link.distanceKm, factor };
  });
  expect(links.length).toBeGreaterThan(0);
  return {
    km: links.reduce((s, l) => s + l.km, 0),
    gPerTonne: links.reduce((s, l) => s + l.km * l.factor, 0),
  };
}

const tonnes = (kgs: number[]) => kgs.reduce((s, kg) => s + kg, 0) / 1000;
const roadTonnes = tonnes(ROAD.map((r) => r.weightKg));
const railTonnes = tonnes(RAIL_KG);

describe("border-ports", () => {
  it("counts crossings at Khorgos, dwell p50/p90 within their buckets, no gauge change by road", async () => {
    const body = await report("border-ports");
    const khr = body.rows.filter((r) => r.port === "CN-KHR");
    expect(khr).toHaveLength(1);
    // Dwell 3, 5, 30 h fall in [2,4), [4,6), [24,36). p50: rank 1.5 is in [4,6), half-way
    // through its one crossing: 4 + 0.5·2 = 5. p90: rank 2.7 in [24,36): 24 + 0.7·12 = 32.4.
    expect(khr[0]).toMatchObject({
      mode: "road",
      crossings: 3,
      cleared: 3,
      dwellHoursP50: 5,
      dwellHoursP90: 32.4,
      dwellHoursMean: round((3 + 5 + 30) / 3),
      gaugeTransshipments: 0,
      suppressed: 0,
    });
    expect(khr[0]?.dwellHoursP50).toBeGreaterThanOrEqual(4);
    expect(khr[0]?.dwellHoursP50).toBeLessThan(6);
    expect(khr[0]?.dwellHoursP90).toBeGreaterThanOrEqual(24);
    expect(khr[0]?.dwellHoursP90).toBeLessThan(36);
  });
});

describe("border-ports by rail", () => {
  it("counts each rail crossing at Alashankou whose waybill changes gauge at Dostyk", async () => {
    // Crossed on 12 March, the day of \`at_border\`.
    const body = await report("border-ports", { from: "2030-03-12", to: "2030-03-12" });
    // Dwell 7, 14, 21 h in [6,8), [12,18), [18,24): p50 rank 1.5 → 12 + 0.5·6 = 15.
    expect(body.rows.filter((r) => r.suppressed !== true)).toEqual([
      expect.objectContaining({
        port: "CN-AKS",
        mode: "rail",
        crossings: 3,
        gaugeTransshipments: 3,
        dwellHoursP50: 15,
      }),
    ]);
  });
});

describe("performance", () => {
  it("on-time rate, transit p50/p90 within their buckets, exceptions", async () => {
    const body = await report("performance", { mode: "road", corridor: "cn-eu-khorgos" });
    expect(body.rows).toHaveLength(1);
    // Transit 50, 70, 100 h (pickup to delivery), planned 96: two of three on time.
    // Buckets [48,72) ×2 and [96,120). p50: rank 1.5 in [48,72): 48 + 0.75·24 = 66;
    // p90: rank 2.7 in [96,120): 96 + 0.7·24 = 112.8.
    expect(body.rows[0]).toMatchObject({
      corridor: "cn-eu-khorgos",
      mode: "road",
      waybills: 3,
      delivered: 3,
      onTimeRate: round((2 / 3) * 100),
      transitHoursP50: 66,
      transitHoursP90: 112.8,
      exceptions: 1,
    });
    expect(body.totals).toMatchObject({ waybills: 3, delivered: 3, exceptions: 1 });
  });
});

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

describe("emissions", () => {
  it("t CO2e and g/tkm from the network's ISO 14083 factors on each link of the leg", async () => {
    const body = await report("emissions");
    for (const [mode, t] of [
      ["road", roadTonnes],
      ["rail", railTonnes],
    ] as const) {
      const path = await pathOf(mode);
      const row = body.rows.find((r) => r.mode === mode);
      expect(row, mode).toBeDefined();
      expect(row?.tonnesCo2e).toBeCloseTo((t * path.gPerTonne) / 1e6, 3);
      expect(row?.tonneKm).toBeCloseTo(t * path.km, 2);
      expect(row?.gCo2ePerTonneKm).toBeCloseTo(path.gPerTonne / path.km, 2);
    }
    // The two-shipper cell (99 t Lanzhou → Xining) is in no figure.
    const road = await pathOf("road");
    const rail = await pathOf("rail");
    expect(body.totals.tonneKm).toBeCloseTo(roadTonnes * road.km + railTonnes * rail.km, 2);
  });
});

describe("carec", () => {
  it("time and cost to clear Khorgos, speed with and without border delay, road and rail apart", async () => {
    const body = await report("carec");
    const port = body.rows.find((r) => r.section === "border-crossing" && r.port === "CN-KHR");
    const data = node.network.data;
    const handling =
      data.transshipments.find((x) => x.hub === "CN-KHR") ?? data.handling.byHub["CN-KHR"];
    expect(port).toMatchObject({ crossings: 3, dwellHoursP50: 5, dwellHoursP90: 32.4 });
    expect(port?.costToClearCnyPerTonne).toBe(
      handling ? round((handling.fixedUsd + handling.usdPerTonne) * (CNY_RATES.USD ?? 0), 2) : null,
    );
    const road = await pathOf("road");
    const speed = body.rows.find((r) => r.section === "speed" && r.mode === "road");
    // Distance over transit time, then with the 38 border hours taken out.
    expect(speed).toMatchObject({ delivered: 3 });
    expect(speed?.speedKmh).toBeCloseTo((3 * road.km) / (50 + 70 + 100), 2);
    expect(speed?.speedWithoutDelayKmh).toBeCloseTo((3 * road.km) / (220 - 38), 2);
    const rail = body.rows.find((r) => r.section === "speed" && r.mode === "rail");
    expect(rail).toMatchObject({ delivered: 0, speedKmh: null });
  });
});

describe("modal-split", () => {
  it("shares by tonnes and tonne-km of the published cells, summing to 100", async () => {
    const body = await report("modal-split");
    const road = await pathOf("road");
    const rail = await pathOf("rail");
    const tkm = { road: roadTonnes * road.km, rail: railTonnes * rail.km };
    const rows = body.rows.filter((r) => r.suppressed !== true);
    expect(rows.map((r) => r.mode).sort()).toEqual(["rail", "road"]);
    for (const r of rows) {
      const mode = r.mode as "road" | "rail";
      const t = mode === "road" ? roadTonnes : railTonnes;
      expect(r.shareTonnes).toBeCloseTo((100 * t) / (roadTonnes + railTonnes), 2);
      expect(r.shareTonneKm).toBeCloseTo((100 * tkm[mode]) / (tkm.road + tkm.rail), 2);
    }
    const sum = (f: string) => rows.reduce((s, r) => s + Number(r[f]), 0);
    expect(sum("shareTonnes")).toBeCloseTo(100, 2);
    expect(sum("shareTonneKm")).toBeCloseTo(100, 2);
    expect(body.totals.tonnes).toBeCloseTo(roadTonnes + railTonnes, 3);
  });
});

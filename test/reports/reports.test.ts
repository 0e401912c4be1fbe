import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { systemCtxFactory } from "../../api/compose";
import { refreshAllReports } from "../../core/reports/refresh";
import { markReportDirty } from "../../db/queries/reports";
import { type Bidder, carrierWithTruck, loadBody } from "../marketplace/support";
import { createTestNode, type TestNode } from "../support/app";
import { createRegulator, type Registered, registerShipper } from "../support/fixtures";

const t = (m: number) => new Date(Date.UTC(2030, 0, 1, 0, m)).toISOString();
const today = new Date().toISOString().slice(0, 10);
const cargo = loadBody().cargo;

let node: TestNode;
let regulator: Registered;
let shippers: Registered[];
let carriers: Bidder[];
const refresh = () => refreshAllReports(systemCtxFactory(node.parts)("test"));

async function waybill(s: Registered, c: Bidder, from: string, to: string, amount: number) {
  const res = await node.call("POST", "/v1/waybills", {
    key: s.key,
    body: {
      carrierId: c.id,
      origin: from,
      destination: to,
      cargo,
      price: { amount, currency: "CNY" },
      mode: "road",
      pickupAt: t(0),
      deliveryAt: t(3000),
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.number as string;
}

const report = (name: string, query: string, key = regulator.key) =>
  node.call("GET", `/v1/reports/${name}?from=${today}&to=${today}&granularity=day&${query}`, {
    key,
  });

beforeAll(async () => {
  node = await createTestNode();
  regulator = await createRegulator(node);
  shippers = [
    await registerShipper(node),
    await registerShipper(node),
    await registerShipper(node),
  ];
  carriers = [
    await carrierWithTruck(node),
    await carrierWithTruck(node),
    await carrierWithTruck(node),
  ];
  // Three shippers and three carriers Urumqi → Almaty: a published cell.
  for (const [i, s] of shippers.entries()) {
    await waybill(s, carriers[i] as Bidder, "CN-URC", "KZ-ALA", 10_000 * (i + 1));
  }
  // Two shippers Lanzhou → Xining: fewer than k = 3, suppressed.
  for (const i of [0, 1]) {
    await waybill(shippers[i] as Registered, carriers[i] as Bidder, "CN-LHW", "CN-XNN", 5_000);
  }
  await refresh();
});

describe("flows", () => {
  it("sums published cells and hides the cell of two shippers", async () => {
    const res = await report("flows", "level=prefecture&lang=en");
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const rows = res.body.rows as Record<string, unknown>[];
    const urc = rows.find((r) => r.origin === "650100" && r.destination === "KZ");
    expect(urc).toMatchObject({
      waybills: 3,
      tonnes: (3 * cargo.weightKg) / 1000,
      valueCny: 60_000,
      suppressed: 0,
      originName: "Urumqi",
      destinationName: "Kazakhstan",
    });
    const lhw = rows.find((r) => r.origin === "620100");
    expect(lhw).toEqual({
      period: today,
      origin: "620100",
      originName: "Lanzhou",
      destination: "630100",
      destinationName: "Xining",
      suppressed: true,
    });
    // Totals leave the suppressed cell out: subtracting visible rows from them reveals nothing.
    expect(res.body.totals.waybills).toBe(3);
    expect(res.body.k).toBe(3);
  });

  it("rolls prefectures up to provinces and filters by area at any level", async () => {
    const res = await report("flows", "level=province&origin=650000");
    expect(res.status).toBe(200);
    expect(res.body.rows).toHaveLength(1);
    expect(res.body.rows[0]).toMatchObject({ origin: "650000", destination: "KZ", waybills: 3 });
    expect(res.body.rows[0].originName).toBe("新疆维吾尔自治区");
  });

  it("never names an organisation nor shows a price per record", async () => {
    const res = await report("flows", "level=country");
    const text = JSON.stringify(res.body);
    for (const o of [...shippers, ...carriers]) expect(text).not.toContain(o.id);
    expect(text).not.toContain("priceAmount");
  });

  it("answers CSV", async () => {
    const res = await node.call(
      "GET",
      `/v1/reports/flows?from=${today}&to=${today}&granularity=day&format=csv&lang=en`,
      { key: regulator.key },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    expect(String(res.body)).toContain("period,origin,originName,destination,destinationName");
  });
});

describe.each([
  "corridors",
  "modal-split",
  "border-ports",
  "performance",
  "prices",
  "emissions",
  "carec",
])("%s", (name) => {
  it("answers with rows and totals", async () => {
    const res = await report(name, "");
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.report).toBe(name);
    expect(Array.isArray(res.body.rows)).toBe(true);
  });
});

describe("corridors and prices", () => {
  it("places Urumqi → Almaty by road on the Khorgos corridor, at its rate per tonne-km", async () => {
    const res = await report("corridors", "lang=en");
    const named = res.body.rows.find((r: Record<string, unknown>) => r.kind === "corridor");
    expect(named).toMatchObject({ corridor: "cn-eu-khorgos", waybills: 3 });
    const prices = await report("prices", "corridor=cn-eu-khorgos");
    const row = prices.body.rows[0];
    expect(row.rateCnyPerTonneKm).toBeCloseTo(60_000 / named.tonneKm, 3);
    expect(row.index).toBe(100);
  });
});

describe("access", () => {
  it("refuses shippers and carriers", async () => {
    expect((await report("flows", "", shippers[0]?.key)).status).toBe(403);
    expect((await report("flows", "", carriers[0]?.key)).status).toBe(403);
  });

  it.each([
    ["from=2026-13-01&to=2026-12-01", "from"],
    [`from=${today}&to=${today}&granularity=year`, "granularity"],
    [`from=${today}&to=${today}&origin=Xinjiang`, "origin"],
    [`from=${today}&to=${today}&hsChapter=5`, "hsChapter"],
  ])("answers 400 naming the field for %s", async (query, field) => {
    const res = await node.call("GET", `/v1/reports/flows?${query}`, { key: regulator.key });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.message).toContain(field);
  });

  it.each([
    ["border-ports", "hsChapter=52", "hsChapter"],
    ["border-ports", "corridor=middle-corridor", "corridor"],
    ["corridors", "origin=650000", "origin"],
    ["carec", "destination=KZ", "destination"],
  ])(
    "refuses a filter the %s figures are not kept by (%s), rather than ignore it",
    async (name, q, field) => {
      const res = await node.call("GET", `/v1/reports/${name}?from=${today}&to=${today}&${q}`, {
        key: regulator.key,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.details[0].path).toBe(field);
    },
  );

  it("records every regulator read in the access log, which admins list", async () => {
    await report("emissions", "mode=road");
    const w = await node.call("GET", `/v1/orgs/${shippers[0]?.id}`, { key: regulator.key });
    expect(w.status).toBe(200);
    const log = await node.call("GET", "/v1/access-log?limit=50", { key: node.adminKey });
    expect(log.status, JSON.stringify(log.body)).toBe(200);
    const items = log.body.items as Record<string, unknown>[];
    expect(items.find((i) => i.entityId === "emissions")).toMatchObject({
      actorOrgId: regulator.id,
      entityType: "reports",
      filters: expect.objectContaining({ mode: "road" }),
    });
    expect(items.some((i) => i.entityId === shippers[0]?.id)).toBe(true);
    expect((await node.call("GET", "/v1/access-log", { key: regulator.key })).status).toBe(403);
  });
});

describe("rollups", () => {
  it("equal a full recompute after more writes", async () => {
    await waybill(shippers[2] as Registered, carriers[0] as Bidder, "CN-URC", "KZ-ALA", 7_000);
    await waybill(shippers[2] as Registered, carriers[2] as Bidder, "CN-LHW", "CN-XNN", 3_000);
    await refresh();
    // Link and port cells too: the Lanzhou waybills of before now count on their links.
    const cells = () =>
      Promise.all([
        node.database.db.execute(
          sql`select * from report_cells order by grain, period, o_area, d_area, mode, hs_chapter, corridor`,
        ),
        node.database.db.execute(
          sql`select * from report_link_cells order by grain, period, link_id, mode, corridor`,
        ),
        node.database.db.execute(
          sql`select * from report_port_cells order by grain, period, port, mode`,
        ),
      ]);
    const incremental = await cells();
    expect(incremental[1].length).toBeGreaterThan(0);
    const all = await node.database.db.execute(sql`select number from waybills`);
    await node.database.db.execute(
      sql`truncate report_cells, report_link_cells, report_port_cells`,
    );
    await markReportDirty(
      node.database.db,
      all.map((r) => String(r.number)),
    );
    await refresh();
    expect(await cells()).toEqual(incremental);
    // The Lanzhou cell now has three shippers and three carriers: published.
    const res = await report("flows", "level=prefecture");
    expect(res.body.rows.find((r: Record<string, unknown>) => r.origin === "620100")).toMatchObject(
      {
        waybills: 3,
      },
    );
  });
});

import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { systemCtxFactory } from "../../api/compose";
import { rebuildAllReports } from "../../core/reports/rebuild";
import { markReportDirty } from "../../db/queries/reports";
import { carrierWithTruck } from "../marketplace/support";
import { createTestNode, type TestNode } from "../support/app";
import { registerShipper } from "../support/fixtures";
import { refreshReportsOf, ship } from "./support";

const at = (iso: string) => new Date(iso);

async function allCells(node: TestNode) {
  const db = node.database.db;
  return Promise.all([
    db.execute(
      sql`select * from report_cells order by grain, period, o_area, d_area, mode, hs_chapter, corridor`,
    ),
    db.execute(
      sql`select * from report_link_cells order by grain, period, link_id, mode, corridor`,
    ),
    db.execute(sql`select * from report_port_cells order by grain, period, port, mode`),
  ]);
}

async function allFacts(node: TestNode) {
  const db = node.database.db;
  return Promise.all([
    db.execute(sql`select * from report_facts order by number`),
    db.execute(sql`select * from report_fact_links order by number, link_id, mode`),
    db.execute(sql`select * from report_crossings order by number, seq`),
  ]);
}

/** Cells with sums to 12 significant digits: the two ways add the same facts in other orders. */
function rounded(tables: Record<string, unknown>[][]) {
  const round = (v: unknown) => (typeof v === "number" ? Number(v.toPrecision(12)) : v);
  return tables.map((rows) =>
    rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v)]))),
  );
}

type Rows = Record<string, unknown>[];
const flowKey = (r: Record<string, unknown>) =>
  [r.o_area, r.d_area, r.mode, r.hs_chapter, r.corridor].join("/");
const dayOf = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v));

/** Month flow cells as waybills, tonnes and parties by month and key. */
function monthFlows(cells: Rows) {
  return Object.fromEntries(
    cells
      .filter((c) => c.grain === "month")
      .map((c) => [
        `${dayOf(c.period).slice(0, 7)} ${flowKey(c)}`,
        {
          waybills: c.waybills,
          tonnes: Number(c.tonnes),
          shippers: c.shippers,
          carriers: c.carriers,
        },
      ]),
  );
}

/** The rule month cells keep, straight from the facts: the facts of published day cells. */
function monthFlowsFromFacts(facts: Rows, cells: Rows, k: number) {
  const published = new Set(
    cells
      .filter((c) => c.grain === "day")
      .filter((c) => (c.shippers as string[]).length >= k && (c.carriers as string[]).length >= k)
      .map((c) => `${dayOf(c.period)} ${flowKey(c)}`),
  );
  const out: Record<
    string,
    { waybills: number; tonnes: number; shippers: string[]; carriers: string[] }
  > = {};
  for (const f of facts) {
    if (!published.has(`${dayOf(f.day)} ${flowKey(f)}`)) continue;
    const key = `${dayOf(f.day).slice(0, 7)} ${flowKey(f)}`;
    const m = out[key] ?? { waybills: 0, tonnes: 0, shippers: [], carriers: [] };
    out[key] = m;
    m.waybills += 1;
    m.tonnes += Number(f.tonnes);
    m.shippers = [...new Set([...m.shippers, String(f.shipper_id)])].sort().slice(0, 16);
    m.carriers = [...new Set([...m.carriers, String(f.carrier_id)])].sort().slice(0, 16);
  }
  return out;
}

it("the bulk rebuild gives the facts and cells the incremental refresh gives", async () => {
  const node = await createTestNode();
  const shippers = [];
  for (let i = 0; i < 4; i++) shippers.push(await registerShipper(node));
  const carriers = [];
  for (let i = 0; i < 4; i++) carriers.push(await carrierWithTruck(node));
  // Published and held-back cells, two months, crossings and a delivery, by two modes.
  const plan = [
    ["2030-03-01", "road", "CN-URC", "KZ-ALA", 0],
    ["2030-03-01", "road", "CN-URC", "KZ-ALA", 1],
    ["2030-03-01", "road", "CN-URC", "KZ-ALA", 2],
    ["2030-03-02", "road", "CN-URC", "KZ-ALA", 3],
    ["2030-03-02", "road", "CN-URC", "KZ-ALA", 0],
    ["2030-04-05", "rail", "CN-URC", "KZ-ALA", 1],
    ["2030-04-05", "rail", "CN-URC", "KZ-ALA", 2],
    ["2030-04-05", "rail", "CN-URC", "KZ-ALA", 3],
    ["2030-04-06", "road", "CN-KHR", "KZ-ALA", 0],
  ] as const;
  for (const [day, mode, from, to, who] of plan) {
    await ship(node, {
      shipper: shippers[who]!,
      carrier: carriers[who]!,
      from,
      to,
      mode,
      weightKg: 5_000 + who * 1_000,
      hsCode: "520100",
      priceCny: 8_000 + who * 500,
      pickupAt: at(`${day}T06:00:00Z`),
      events: [
        { type: "in_transit", at: at(`${day}T08:00:00Z`) },
        { type: "at_border", at: at(`${day}T14:00:00Z`), location: "CN-KHR" },
        { type: "cleared", at: at(`${day}T19:00:00Z`) },
        ...(who === 2 ? [{ type: "delivered", at: at(`${day}T23:00:00Z`), location: to }] : []),
      ],
    });
  }
  await refreshReportsOf(node);
  const facts = await allFacts(node);
  const cells = await allCells(node);
  expect(cells[0].length).toBeGreaterThan(0);
  expect(monthFlows(cells[0])).toEqual(monthFlowsFromFacts(facts[0], cells[0], 3));
  expect(cells[2].length).toBeGreaterThan(0);
  await node.database.db.execute(
    sql`truncate report_facts, report_fact_links, report_crossings, report_cells, report_link_cells, report_port_cells`,
  );
  const done = await rebuildAllReports(systemCtxFactory(node.parts)("test"));
  expect(done).toEqual({ waybills: plan.length, facts: plan.length });
  expect(await allFacts(node)).toEqual(facts);
  expect(rounded(await allCells(node))).toEqual(rounded(cells));
});

it("a waybill that publishes its flow cell brings its cell mates' crossings of other days into the port cells", async () => {
  const node = await createTestNode();
  const journey = (crossDay: string) => ({
    from: "CN-URC",
    to: "KZ-ALA",
    mode: "road" as const,
    weightKg: 10_000,
    hsCode: "520100",
    priceCny: 10_000,
    pickupAt: at("2030-03-01T06:00:00Z"),
    events: [
      { type: "in_transit", at: at("2030-03-01T08:00:00Z") },
      { type: "at_border", at: at(`${crossDay}T08:00:00Z`), location: "CN-KHR" },
      { type: "cleared", at: at(`${crossDay}T12:00:00Z`) },
    ],
  });
  // Two shippers cross on 2 March: their flow cell is held back, so they count at no port.
  for (let i = 0; i < 2; i++) {
    const shipper = await registerShipper(node);
    await ship(node, { ...journey("2030-03-02"), shipper, carrier: await carrierWithTruck(node) });
  }
  await refreshReportsOf(node);
  const ports = sql`select crossings from report_port_cells where grain = 'day' and period = '2030-03-02'`;
  expect(await node.database.db.execute(ports)).toEqual([]);
  // A third, crossing on 3 March, publishes the flow cell of 1 March.
  const shipper = await registerShipper(node);
  await ship(node, { ...journey("2030-03-03"), shipper, carrier: await carrierWithTruck(node) });
  await refreshReportsOf(node);
  expect(await node.database.db.execute(ports)).toEqual([{ crossings: 2 }]);
  const incremental = await allCells(node);
  await node.database.db.execute(sql`truncate report_cells, report_link_cells, report_port_cells`);
  const numbers = await node.database.db.execute(sql`select number from waybills`);
  await markReportDirty(
    node.database.db,
    numbers.map((r) => String(r.number)),
  );
  await refreshReportsOf(node);
  expect(await allCells(node)).toEqual(incremental);
});

import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
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

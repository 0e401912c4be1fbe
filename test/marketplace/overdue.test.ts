import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { systemCtxFactory } from "../../api/compose";
import { OVERDUE_LOOKBACK_DAYS, raiseOverdueLegs } from "../../core/waybills/overdue";
import { createTestNode, type TestNode } from "../support/app";
import { directWaybill } from "./support";

/** A waybill under way (picked up) whose one leg fell due `hoursAgo` hours ago. */
async function dueWaybill(node: TestNode, hoursAgo: number): Promise<string> {
  const { number, carrier } = await directWaybill(node, {
    pickupAt: new Date(Date.now() + 3_600_000).toISOString(),
    deliveryAt: new Date(Date.now() + 72 * 3_600_000).toISOString(),
  });
  const picked = await node.call("POST", `/v1/waybills/${number}/events`, {
    key: carrier.key,
    body: { type: "picked_up", occurredAt: new Date().toISOString() },
  });
  expect(picked.status, JSON.stringify(picked.body)).toBe(201);
  // The clock cannot be turned back for the database's now(): the leg's plan is moved instead,
  // and the waybill's events with it, so no event is later than the plan.
  await node.database.db.execute(sql`
    update waybill_events set occurred_at = now() - make_interval(hours => ${hoursAgo + 2})
     where waybill_number = ${number}`);
  await node.database.db.execute(sql`
    update waybill_legs set planned_arrival = now() - make_interval(hours => ${hoursAgo})
     where waybill_number = ${number}`);
  return number;
}

async function exceptionsOf(node: TestNode, number: string) {
  const rows = await node.database.db.execute(sql`
    select details from waybill_events where waybill_number = ${number} and type = 'exception'`);
  return rows.map((r) => r.details as Record<string, unknown>);
}

it("raises a leg fallen due once, and not one fallen due before the look-back", async () => {
  const node = await createTestNode();
  const ctx = systemCtxFactory(node.parts)("test");
  const recent = await dueWaybill(node, 1);
  const old = await dueWaybill(node, OVERDUE_LOOKBACK_DAYS * 24 + 1);
  expect(await raiseOverdueLegs(ctx)).toBe(1);
  expect(await exceptionsOf(node, recent)).toEqual([
    expect.objectContaining({ reason: "overdue", leg: 1 }),
  ]);
  expect(await exceptionsOf(node, old)).toEqual([]);
  // Raised once: the next run finds nothing.
  expect(await raiseOverdueLegs(ctx)).toBe(0);
  expect(await exceptionsOf(node, recent)).toHaveLength(1);
});

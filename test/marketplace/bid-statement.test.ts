import { describe, expect, it } from "vitest";
import { carrierAndLoadForBidding, insertBidAtOnce } from "../../db/queries/marketplace";
import { createTestNode } from "../support/app";
import { registerShipper } from "../support/fixtures";
import { bidBody, carrierWithTruck, postLoad } from "./support";

/*
 * A bid is read, checked, then written in one statement that must find the load as it was
 * read. These pin what that statement refuses (the caller then takes the transactional path)
 * and what it writes beside the bid.
 */
const node = await createTestNode();
const sql = node.database.sql;
const shipper = await registerShipper(node);
const carrier = await carrierWithTruck(node);

/** A bid on `loadId` as the node would write it, after reading the load. */
async function attempt(loadId: string, before?: () => Promise<unknown>) {
  const read = await carrierAndLoadForBidding(
    node.database.db,
    carrier.id,
    loadId,
    [carrier.vehicleId],
    { lock: false },
  );
  if (!read?.load) throw new Error("no load read");
  await before?.();
  const now = new Date();
  const id = `bid_statement_${Math.random().toString(36).slice(2)}`;
  const body = bidBody(carrier.vehicleId);
  return insertBidAtOnce(node.database.db, {
    bid: {
      id,
      loadId,
      carrierId: carrier.id,
      amount: body.price.amount,
      currency: body.price.currency,
      mode: "road",
      legs: null,
      quoteId: null,
      vehicleIds: body.vehicleIds,
      pickupAt: new Date(body.pickupAt),
      deliveryAt: new Date(body.deliveryAt),
      validUntil: new Date(body.validUntil),
      co2eKg: 1,
      createdAt: now,
      updatedAt: now,
    },
    seen: read.load,
    audit: {
      at: now,
      actorOrgId: carrier.id,
      actorKind: "carrier",
      action: "bid.placed",
      entityType: "bid",
      data: {},
      requestId: null,
      proof: "test",
    },
    feed: { orgId: read.load.load.shipperId, type: "bid.received", entityType: "bid", data: {} },
    deliveries: read.load.shipperHooks.map((webhookId, i) => ({
      id: `msg_statement_${i}_${id}`,
      webhookId,
    })),
    idempotency: null,
  });
}

async function writtenFor(loadId: string) {
  const [row] = await sql<{ bids: number; audit: number; feed: number }[]>`
    select (select count(*)::int from bids where load_id = ${loadId}) as bids,
      (select count(*)::int from audit_log a join bids b on b.id = a.entity_id
        where b.load_id = ${loadId}) as audit,
      (select count(*)::int from feed_events
        where entity_id in (select id from bids where load_id = ${loadId})) as feed`;
  return row;
}

describe("the one-statement bid", () => {
  it("writes the bid, its audit entry and the shipper's feed event together", async () => {
    const load = await postLoad(node, shipper.key);
    const placed = await attempt(load.id);
    expect(placed?.bid.loadId).toBe(load.id);
    expect(await writtenFor(load.id)).toEqual({ bids: 1, audit: 1, feed: 1 });
  });

  it.each([
    [
      "the load changed since it was read",
      (id: string) => sql`update loads set updated_at = now() where id = ${id}`,
    ],
    [
      "bidding closed by the database clock",
      (id: string) =>
        sql`update loads set bidding_closes_at = now() - interval '1 second' where id = ${id}`,
    ],
    [
      "the load is no longer open",
      (id: string) => sql`update loads set status = 'cancelled' where id = ${id}`,
    ],
  ])("writes nothing when %s", async (_, change) => {
    const load = await postLoad(node, shipper.key);
    const placed = await attempt(load.id, () => change(load.id));
    expect(placed).toBeUndefined();
    expect(await writtenFor(load.id)).toEqual({ bids: 0, audit: 0, feed: 0 });
  });

  it("queues a delivery for each active webhook of the shipper, none for a disabled one", async () => {
    const owner = await registerShipper(node);
    const hooks: string[] = [];
    for (const url of ["https://tms.example.com/a", "https://tms.example.com/b"]) {
      const res = await node.call("POST", "/v1/webhooks", { key: owner.key, body: { url } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      hooks.push(String(res.body.id));
    }
    const load = await postLoad(node, owner.key);
    // The second is disabled after the read: the statement skips it.
    const placed = await attempt(
      load.id,
      () => sql`update webhooks set disabled_at = now() where id = ${hooks[1] ?? ""}`,
    );
    expect(placed?.deliveryIds).toHaveLength(1);
    const rows = await sql<{ webhook_id: string }[]>`
      select d.webhook_id from webhook_deliveries d join feed_events f on f.seq = d.feed_seq
      where f.entity_id = ${placed?.bid.id ?? ""}`;
    expect(rows.map((r) => r.webhook_id)).toEqual([hooks[0]]);
  });

  it("answers BID_EXISTS through the API for a second live bid, as before", async () => {
    const load = await postLoad(node, shipper.key);
    const send = () =>
      node.call("POST", `/v1/loads/${load.id}/bids`, {
        key: carrier.key,
        body: bidBody(carrier.vehicleId),
      });
    expect((await send()).status).toBe(201);
    const again = await send();
    expect(again.status, JSON.stringify(again.body)).toBe(409);
    expect(JSON.stringify(again.body)).toContain("BID_EXISTS");
  });
});

import { describe, expect, it } from "vitest";
import { forgetAllKeys } from "../../core/keys/authenticate";
import { createTestNode } from "../support/app";
import { createTestDatabase } from "../support/db";
import { registerShipper } from "../support/fixtures";
import { bidBody, carrierWithTruck, postLoad } from "./support";

/*
 * What one bid costs the database, pinned so it cannot grow unnoticed. Statements are counted
 * as postgres.js sends them; statements sent in the same turn of the event loop leave in one
 * write and are answered together, so each turn that sends any is one round trip.
 */
interface Sent {
  text: string;
  trip: number;
}
const sent: Sent[] = [];
let trip = 0;
let tripOpen = false;
// Work beside the request that is not the bid's: the shared rate limiter's periodic sync and
// the once-a-minute key-use stamp.
const BESIDE = /rate_limit_buckets|last_used_at/;

function onStatement(_connection: number, text: string): void {
  if (BESIDE.test(text)) return;
  if (!tripOpen) {
    tripOpen = true;
    trip += 1;
    setImmediate(() => {
      tripOpen = false;
    });
  }
  sent.push({ text: text.replace(/\s+/g, " ").replaceAll('"', "").trim(), trip });
}

// One connection, so every statement is prepared on it by the warm-up bids.
const database = await createTestDatabase({ max: 1, onStatement });
const node = await createTestNode({ database });
const shipper = await registerShipper(node);
const carrier = await carrierWithTruck(node);

async function countedBid(): Promise<{ statements: string[]; trips: number }> {
  const load = await postLoad(node, shipper.key);
  await new Promise((r) => setImmediate(r));
  sent.length = 0;
  const firstTrip = trip + 1;
  const res = await node.call("POST", `/v1/loads/${load.id}/bids`, {
    key: carrier.key,
    body: bidBody(carrier.vehicleId),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const trips = new Set(sent.map((s) => s.trip));
  expect(Math.min(...trips)).toBeGreaterThanOrEqual(firstTrip);
  return { statements: sent.map((s) => s.text), trips: trips.size };
}

async function countedRevision(): Promise<{ statements: string[]; trips: number }> {
  const load = await postLoad(node, shipper.key);
  const placed = await node.call("POST", `/v1/loads/${load.id}/bids`, {
    key: carrier.key,
    body: bidBody(carrier.vehicleId),
  });
  expect(placed.status, JSON.stringify(placed.body)).toBe(201);
  await new Promise((r) => setImmediate(r));
  sent.length = 0;
  const firstTrip = trip + 1;
  const res = await node.call("PUT", `/v1/loads/${load.id}/bids/${placed.body.id}`, {
    key: carrier.key,
    body: bidBody(carrier.vehicleId, { price: { amount: 24_000, currency: "CNY" } }),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const trips = new Set(sent.map((s) => s.trip));
  expect(Math.min(...trips)).toBeGreaterThanOrEqual(firstTrip);
  return { statements: sent.map((s) => s.text), trips: trips.size };
}

describe("the database work of placing a bid", () => {
  it("warms up: statements get prepared on the connection", async () => {
    for (let i = 0; i < 2; i++) await countedBid();
  });

  it("with the key cached: 2 round trips, 2 statements", async () => {
    const { statements, trips } = await countedBid();
    expect(statements.map((s) => s.split(" ").slice(0, 3).join(" "))).toEqual([
      "with l as",
      "with l as",
    ]);
    // The read, then the write: bid, audit entry, feed event, deliveries and idempotent result.
    expect(statements[0]).not.toMatch(/for share/);
    expect(statements[1]).toMatch(
      /insert into bids .* insert into audit_log .* insert into feed_events/,
    );
    expect(trips).toBe(2);
  });

  it("with the key looked up: one more of each", async () => {
    forgetAllKeys();
    const { statements, trips } = await countedBid();
    expect(statements[0]).toMatch(/^select k\.id as key_id/);
    expect(statements).toHaveLength(3);
    expect(trips).toBe(3);
  });
});

describe("the database work of revising a bid", () => {
  it("with the key cached: 6 round trips, the load and the bid locked in one", async () => {
    await countedRevision();
    const { statements, trips } = await countedRevision();
    expect(statements.map((s) => s.split(" ").slice(0, 3).join(" "))).toEqual([
      "begin",
      "with l as",
      "select id, load_id,",
      "update bids set",
      "select id, org_id",
      "insert into feed_events",
      "insert into audit_log",
      "commit",
    ]);
    expect(trips).toBe(6);
  });
});

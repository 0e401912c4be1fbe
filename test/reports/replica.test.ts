import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningNode, startNode } from "../../api/node";
import { loadConfig } from "../../core/config";
import { type Bidder, carrierWithTruck } from "../marketplace/support";
import { createTestNode, type TestNode } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { contact, creditCode, type Registered, registerShipper } from "../support/fixtures";
import { refreshReportsOf, ship } from "./support";

// DATABASE_REPLICA_URL: a node reads report cells from the replica and everything else from
// its own database. The "replica" here is another database holding cells the node's own
// database does not have, so where an answer came from shows in the answer.

const ADMIN_KEY = `cvn_replica_test_${"r".repeat(24)}`;
const DAY = "2030-03-10";
const T0 = Date.UTC(2030, 2, 10, 6);

let source: TestNode;
let primary: TestDatabase;
let node: RunningNode;
let dataDir: string;

beforeAll(async () => {
  source = await createTestNode();
  const shippers: Registered[] = [];
  const carriers: Bidder[] = [];
  for (let i = 0; i < 3; i++) {
    shippers.push(await registerShipper(source));
    carriers.push(await carrierWithTruck(source));
  }
  for (let i = 0; i < 3; i++) {
    await ship(source, {
      shipper: shippers[i] as Registered,
      carrier: carriers[i] as Bidder,
      from: "CN-URC",
      to: "KZ-ALA",
      mode: "road",
      weightKg: 10_000 + i * 1_000,
      hsCode: "520100",
      priceCny: 20_000,
      pickupAt: new Date(T0),
    });
  }
  await refreshReportsOf(source);

  primary = await createTestDatabase();
  dataDir = await mkdtemp(join(tmpdir(), "caravan-replica-"));
  node = await startNode(
    loadConfig({
      DATABASE_URL: primary.url,
      DATABASE_REPLICA_URL: source.database.url,
      CARAVAN_DATA_DIR: dataDir,
      CARAVAN_ADMIN_KEY: ADMIN_KEY,
      REDIS_URL: "",
      PORT: "0",
      HOST: "127.0.0.1",
    }),
    { logger: pino({ level: "silent" }) },
  );
});

afterAll(async () => {
  await node?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function call(path: string, init: { key: string; body?: unknown }) {
  const res = await fetch(`${node.url}${path}`, {
    method: init.body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${init.key}`, "content-type": "application/json" },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe("reports from a read replica", () => {
  it("reads cells from the replica, records the read on the primary, and checks both for /ready", async () => {
    const regulator = await call("/v1/orgs", {
      key: ADMIN_KEY,
      body: {
        kind: "regulator",
        name: "Gansu Transport Department",
        country: "CN",
        creditCode: creditCode(),
        contact: contact(),
      },
    });
    expect(regulator.status, JSON.stringify(regulator.body)).toBe(201);
    const key = regulator.body.apiKey as string;

    const q = new URLSearchParams({ from: DAY, to: DAY, granularity: "day", lang: "en" });
    const flows = await call(`/v1/reports/flows?${q}`, { key });
    expect(flows.status, JSON.stringify(flows.body)).toBe(200);
    const published = (flows.body.rows as Record<string, unknown>[]).filter((r) => !r.suppressed);
    expect(published.length).toBeGreaterThan(0);
    expect(flows.body.totals.waybills).toBe(3);

    // The node's own database has no waybill: the figures came from the replica.
    const [own] = await primary.sql<{ n: number }[]>`select count(*)::int as n from waybills`;
    expect(own?.n).toBe(0);
    // The read is on the primary's record, not the replica's.
    const reads = await primary.sql<{ n: number }[]>`
      select count(*)::int as n from audit_log
       where action = 'access.read' and entity_type like 'reports%'`;
    expect(reads[0]?.n).toBeGreaterThanOrEqual(1);
    const theirs = await source.database.sql<{ n: number }[]>`
      select count(*)::int as n from audit_log where action = 'access.read'`;
    expect(theirs[0]?.n).toBe(0);

    const ready = await fetch(`${node.url}/ready`);
    expect(await ready.json()).toEqual({
      status: "ready",
      checks: { database: true, queue: true, replica: true },
    });
  });

  it("answers 503 naming the cause, not 500, while the replica cannot be reached", async () => {
    const database = await createTestDatabase();
    const dir = await mkdtemp(join(tmpdir(), "caravan-replica-down-"));
    const down = await startNode(
      loadConfig({
        DATABASE_URL: database.url,
        // Nothing listens on port 1.
        DATABASE_REPLICA_URL: "postgres://postgres@127.0.0.1:1/replica",
        CARAVAN_DATA_DIR: dir,
        CARAVAN_ADMIN_KEY: ADMIN_KEY,
        REDIS_URL: "",
        PORT: "0",
        HOST: "127.0.0.1",
      }),
      { logger: pino({ level: "silent" }) },
    );
    try {
      const q = new URLSearchParams({ from: DAY, to: DAY, granularity: "day" });
      const res = await fetch(`${down.url}/v1/reports/flows?${q}`, {
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      });
      const body = (await res.json()) as { error: { code: string } };
      expect([res.status, body.error.code]).toEqual([503, "SERVICE_UNAVAILABLE"]);
      expect(res.headers.get("retry-after")).toBe("1");
      const ready = await fetch(`${down.url}/ready`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { checks: unknown }).checks).toEqual({
        database: true,
        queue: true,
        replica: false,
      });
      // Everything that does not read reports still works on the primary.
      const orgs = await fetch(`${down.url}/v1/orgs`, {
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      });
      expect(orgs.status).toBe(200);
    } finally {
      await down.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

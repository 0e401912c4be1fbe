import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { mayWrite, ORG_STATUSES } from "../../db/schema";
import { nextPlate } from "../marketplace/support";
import { createTestNode } from "../support/app";
import { registerCarrier, vehicleBody } from "../support/fixtures";

const node = await createTestNode();
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Each table, its drizzle name, and the one file under db/queries that writes it. */
const OWNERS: [table: string, drizzle: string | null, file: string][] = [
  ["audit_log", "auditLog", "db/queries/audit.ts"],
  ["feed_events", "feedEvents", "db/queries/feed.ts"],
  ["webhooks", "webhooks", "db/queries/webhooks.ts"],
  ["webhook_deliveries", "webhookDeliveries", "db/queries/webhooks.ts"],
  ["organizations", "organizations", "db/queries/participants.ts"],
  ["vehicles", "vehicles", "db/queries/participants.ts"],
  ["api_keys", "apiKeys", "db/queries/keys.ts"],
  ["idempotency_keys", "idempotencyKeys", "db/queries/idempotency.ts"],
  ["rate_limit_buckets", null, "db/queries/rate-limits.ts"],
  ["admin_sessions", "adminSessions", "db/queries/admin-sessions.ts"],
  ["route_quotes", "routeQuotes", "db/queries/routing.ts"],
  ["network_link_status", "networkLinkStatus", "db/queries/routing.ts"],
  ["waybills", "waybills", "db/queries/waybills.ts"],
  ["waybill_legs", "waybillLegs", "db/queries/waybills.ts"],
  ["waybill_events", "waybillEvents", "db/queries/waybills.ts"],
  ["federation_partners", "federationPartners", "db/queries/federation.ts"],
  ["federation_signing_keys", "federationSigningKeys", "db/queries/federation.ts"],
  ["federation_outbox", "federationOutbox", "db/queries/federation.ts"],
  ["federation_inbox", "federationInbox", "db/queries/federation.ts"],
  ["federation_sync", "federationSync", "db/queries/federation.ts"],
  ["seed_runs", "seedRuns", "db/queries/seed.ts"],
];

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(join(ROOT, dir), { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** The ways a file may write a table: SQL text, drizzle's builders, fixed-text statements. */
function writes(source: string, table: string, drizzle: string | null): boolean {
  const sql = new RegExp(`\\b(insert\\s+into|update|delete\\s+from)\\s+"?${table}"?\\b`, "i");
  if (sql.test(source)) return true;
  if (!drizzle) return false;
  return new RegExp(
    `\\.(insert|update|delete)\\(\\s*${drizzle}\\b|tableStatements\\(\\s*${drizzle}\\b`,
  ).test(source);
}

describe("one way into each table", () => {
  it.each(OWNERS)("%s is written only by %s", async (table, drizzle, owner) => {
    const files = (
      await Promise.all(["core", "api", "workers", "seed", "db/queries"].map(sourceFiles))
    ).flat();
    const writers: string[] = [];
    for (const file of files) {
      if (writes(await readFile(join(ROOT, file), "utf8"), table, drizzle)) writers.push(file);
    }
    expect(writers).toEqual([owner]);
  });

  it("the text of an audit insert exists once", async () => {
    const files = (await Promise.all(["core", "db/queries"].map(sourceFiles))).flat();
    const withText: string[] = [];
    for (const file of files) {
      if (/insert\s+into\s+audit_log/i.test(await readFile(join(ROOT, file), "utf8"))) {
        withText.push(file);
      }
    }
    expect(withText).toEqual(["db/queries/audit.ts"]);
  });
});

// The vehicle statement restates the carrier rules in SQL (one round trip); these hold it to
// the JS ones. An admin's request passes the standing middleware, so only the statement decides.
describe("the vehicle statement's carrier rules", () => {
  it.each(ORG_STATUSES)("a %s carrier's fleet changes as mayWrite says", async (status) => {
    const c = await registerCarrier(node);
    await node.database.sql`update organizations set status = ${status} where id = ${c.id}`;
    const res = await node.call("POST", `/v1/carriers/${c.id}/vehicles`, {
      key: node.adminKey,
      body: vehicleBody({ plate: nextPlate() }),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(mayWrite(status) ? 201 : 403);
  });

  it.each([
    ["CN", 400],
    ["KZ", 201],
  ])("a road vehicle without a Chinese plate, for a %s carrier: %i", async (country, status) => {
    const c = await registerCarrier(node);
    await node.database.sql`update organizations set country = ${country} where id = ${c.id}`;
    const res = await node.call("POST", `/v1/carriers/${c.id}/vehicles`, {
      key: node.adminKey,
      body: vehicleBody({ plate: `KZ ${nextPlate().slice(2)} AB` }),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(status);
  });
});

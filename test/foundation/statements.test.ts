import { asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { newId } from "../../core/ids";
import { sqlOf, transaction } from "../../db/client";
import { insertAuditEntries, type NewAuditEntry } from "../../db/queries/audit";
import { insertFeedEvents } from "../../db/queries/feed";
import { tableStatements } from "../../db/queries/statements";
import { auditLog, feedEvents, organizations, vehicles } from "../../db/schema";
import { createTestDatabase } from "../support/db";

const database = await createTestDatabase();

// The hot paths' fixed-text statements must read and write rows exactly as drizzle does.
describe("fixed-text table statements", () => {
  it("insert and map rows as drizzle's query builder would", async () => {
    const orgs = tableStatements(organizations);
    const now = new Date("2026-11-23T08:00:00.123Z");
    const org = await orgs.insert(database.db, {
      id: newId("org"),
      kind: "carrier",
      status: "verified",
      name: "Raw Carrier",
      country: "KZ",
      registrationNumber: "180440026588",
      modes: ["road", "rail"],
      qualifications: { operatingLicence: { number: "X", expiresOn: "2030-12-31" } } as never,
      createdAt: now,
      updatedAt: now,
    });
    const [viaDrizzle] = await database.db
      .select()
      .from(organizations)
      .where(eq(organizations.id, org.id));
    expect(org).toEqual(viaDrizzle);
    expect(org.createdAt).toEqual(now);

    const v = tableStatements(vehicles);
    const vehicle = await transaction(database.db, (tx) =>
      v.insert(tx, {
        id: newId("veh"),
        carrierId: org.id,
        mode: "rail",
        plate: "CSQU 305438 3",
        capacityKg: 26_000.5,
        capacityM3: 67,
        gauge: 1520,
        createdAt: now,
        updatedAt: now,
      }),
    );
    const [read] = await database.db.select().from(vehicles).where(eq(vehicles.id, vehicle.id));
    expect(vehicle).toEqual(read);
    const [raw] = await sqlOf(database.db).unsafe(`select ${v.columns} from vehicles`);
    expect(v.map(raw ?? {})).toEqual(read);
  });
});

// The audit and feed inserts send parallel text arrays through `unnest`: every value must come
// back as drizzle reads it, nulls, instants and nested JSON included, in the order given.
describe("audit and feed inserts, one row (plain parameters) or many (arrays)", () => {
  it("store audit entries exactly as given", async () => {
    const entries: NewAuditEntry[] = [
      {
        at: new Date("2026-11-23T08:00:00.123Z"),
        actorOrgId: null,
        actorKind: "system:test",
        action: "test.one",
        entityType: "thing",
        entityId: "t_1",
        data: { n: 1.5, s: '新A12345 "quoted"', list: [null, { deep: true }] },
        requestId: null,
        proof: "p1",
      },
      {
        at: new Date("2026-11-23T08:00:01.000Z"),
        actorOrgId: "org_x",
        actorKind: "carrier",
        action: "test.two",
        entityType: "thing",
        entityId: "t_2",
        data: {},
        requestId: "req_1",
        proof: "p2",
      },
    ];
    await transaction(database.db, (tx) => insertAuditEntries(tx, entries));
    await insertAuditEntries(database.db, []);
    // The same entries one at a time take the single-row text; they must store the same.
    for (const e of entries) await insertAuditEntries(database.db, [e]);
    const rows = await database.db.select().from(auditLog).orderBy(asc(auditLog.id));
    expect(rows.map(({ id: _id, seq, prevHash, hash, ...content }) => content)).toEqual([
      ...entries,
      ...entries,
    ]);
  });

  it("store feed events and return their sequence numbers in order", async () => {
    const [org] = await database.db.select({ id: organizations.id }).from(organizations);
    const orgId = org?.id ?? "";
    const createdAt = new Date("2026-11-23T09:00:00.456Z");
    const events = [1, 2, 3].map((i) => ({
      orgId,
      type: "load.posted",
      entityType: "load",
      entityId: `ld_${i}`,
      data: { i },
      createdAt,
    }));
    const written = await transaction(database.db, (tx) => insertFeedEvents(tx, events));
    for (const e of events) written.push(...(await insertFeedEvents(database.db, [e])));
    const rows = await database.db.select().from(feedEvents).orderBy(asc(feedEvents.seq));
    expect(written).toEqual(rows.map((r) => ({ seq: r.seq, orgId })));
    expect(rows.map(({ seq, txid, ...e }) => e)).toEqual([...events, ...events]);
  });
});

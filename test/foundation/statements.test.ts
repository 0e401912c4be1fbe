import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { newId } from "../../core/ids";
import { sqlOf, transaction } from "../../db/client";
import { tableStatements } from "../../db/queries/statements";
import { organizations, vehicles } from "../../db/schema";
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

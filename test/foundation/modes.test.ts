import { describe, expect, it } from "vitest";
import { MODES as SCHEMA_MODES } from "../../db/schema";
import { CLASS_MODE, classOf } from "../../routing/compile";
import { RoutingEngine } from "../../routing/engine";
import { MODES } from "../../routing/types";
import { loadSeedNetwork } from "../../seed/network";
import { createTestDatabase } from "../support/db";

// Routing keeps per-mode figures in arrays indexed by a mode's position in MODES; a second list
// in another order would let a vehicle's mode and a route's mode mean different slots.
describe("one list of transport modes", () => {
  it("the schema's modes are routing's, in routing's order", () => {
    expect(SCHEMA_MODES).toBe(MODES);
  });

  it("the database admits exactly those modes for vehicles", async () => {
    const database = await createTestDatabase();
    const [row] = await database.sql<{ def: string }[]>`
      select pg_get_constraintdef(oid) as def from pg_constraint
      where conname = 'vehicles_mode_check'`;
    const listed = [...(row?.def ?? "").matchAll(/'([a-z]+)'/g)].map((m) => m[1]);
    expect(listed.sort(), row?.def).toEqual([...MODES].sort());
  });

  it("the compiled index keeps each mode's figures at its position in MODES", () => {
    const data = loadSeedNetwork();
    const ix = new RoutingEngine(data).index;
    MODES.forEach((mode, i) => {
      expect(ix.volumetric[i], mode).toBe(data.handling.volumetricKgPerM3[mode]);
      expect(CLASS_MODE[classOf(mode, 1435)], mode).toBe(mode);
    });
    for (let e = 0; e < ix.m; e++) {
      const link = data.links.find((l) => l.id === ix.linkIds[ix.link[e] ?? -1]);
      expect(MODES[ix.mode[e] ?? -1], ix.edgeKeys[e]).toBe(link?.mode);
    }
  });
});

import { getTableColumns, getTableName, is } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import * as schema from "../../db/schema";
import { CLASSIFICATIONS } from "../../db/schema/classification";

// Every stored field has a sensitivity class, declared beside its table: a table without its
// map, or a column missing from it, fails here (the type checks the rest).
const exports = schema as Record<string, unknown>;
const tables = Object.entries(exports).filter(([, v]) => is(v, PgTable)) as [string, PgTable][];
const singular = (name: string) => name.replace(/ies$/, "y").replace(/s$/, "");

describe.each(tables)("table %s", (name, table) => {
  it("classifies every column as public, internal or sensitive", () => {
    const classes = exports[`${singular(name)}Classes`] ?? exports[`${name}Classes`];
    expect(classes, `${getTableName(table)} has no ${singular(name)}Classes`).toBeDefined();
    const map = classes as Record<string, string>;
    for (const column of Object.keys(getTableColumns(table))) {
      expect(CLASSIFICATIONS, `${name}.${column}`).toContain(map[column]);
    }
  });
});

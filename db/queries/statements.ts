import { Column, getTableColumns, getTableName, type Table } from "drizzle-orm";
import { toSnakeCase } from "drizzle-orm/casing";
import { type Db, sqlOf } from "../client";

/**
 * Hot paths send fixed SQL text straight to postgres.js: drizzle's builders spend 80–250 µs
 * assembling the same text on every call, which dominated the bid path's CPU. Text is built
 * once per table; values still go through each column's own driver mapping, and rows come
 * back mapped as drizzle would map them.
 */

type Row<T extends Table> = T["$inferSelect"];

/** The SQL name of a column: as declared, or its key in snake_case when it was left to casing. */
function sqlName(column: Column): string {
  return (column as Column & { keyAsName?: boolean }).keyAsName
    ? toSnakeCase(column.name)
    : column.name;
}

export interface TableStatements<T extends Table> {
  /** `"col_a", "col_b", …` in the table's column order. */
  readonly columns: string;
  readonly name: string;
  /** A raw row (snake_case, driver values) as the typed row drizzle would return. */
  map(row: Record<string, unknown>): Row<T>;
  /** `insert … returning` every column, for the given keys of the table. */
  insert(db: Db, values: Partial<Row<T>>): Promise<Row<T>>;
  /** `insert` without returning. */
  insertOnly(db: Db, values: Partial<Row<T>>): Promise<void>;
}

export function tableStatements<T extends Table>(table: T): TableStatements<T> {
  const entries = Object.entries(getTableColumns(table)).map(
    ([key, column]) => [key, column, sqlName(column)] as const,
  );
  const byKey = new Map(entries.map(([key, column, name]) => [key, { column, name }]));
  const name = getTableName(table);
  const columns = entries.map(([, , n]) => `"${n}"`).join(", ");
  const texts = new Map<string, string>();

  const statement = (keys: string[], returning: boolean): string => {
    const cacheKey = `${returning ? 1 : 0}:${keys.join(",")}`;
    let text = texts.get(cacheKey);
    if (!text) {
      const names = keys.map((k) => `"${byKey.get(k)?.name ?? toSnakeCase(k)}"`).join(", ");
      const params = keys.map((_, i) => `$${i + 1}`).join(", ");
      text = `insert into "${name}" (${names}) values (${params})${returning ? ` returning ${columns}` : ""}`;
      texts.set(cacheKey, text);
    }
    return text;
  };
  const params = (values: Record<string, unknown>, keys: string[]): unknown[] =>
    keys.map((k) => {
      const v = values[k];
      const column = byKey.get(k)?.column;
      return v === null || v === undefined || !column ? null : column.mapToDriverValue(v);
    });
  const keysOf = (values: Record<string, unknown>) =>
    Object.keys(values).filter((k) => values[k] !== undefined && byKey.has(k));

  // Text, json from postgres.js and the like come back as they are: only columns with a
  // conversion of their own (instants, numbers, arrays) call it, once per row.
  const readers = entries.map(([key, column, sql]) => {
    const convert =
      column.mapFromDriverValue === Column.prototype.mapFromDriverValue
        ? undefined
        : (v: unknown) => column.mapFromDriverValue(v);
    return { key, sql, convert };
  });
  const map = (row: Record<string, unknown>): Row<T> => {
    const out: Record<string, unknown> = {};
    for (const { key, sql, convert } of readers) {
      const v = row[sql];
      out[key] = v === null || v === undefined ? null : convert ? convert(v) : v;
    }
    return out as Row<T>;
  };

  return {
    columns,
    name,
    map,
    async insert(db, values) {
      const keys = keysOf(values);
      const [row] = await sqlOf(db).unsafe(statement(keys, true), params(values, keys) as never[], {
        prepare: true,
      });
      if (!row) throw new Error(`insert into ${name} returned no row`);
      return map(row);
    },
    async insertOnly(db, values) {
      const keys = keysOf(values);
      await sqlOf(db).unsafe(statement(keys, false), params(values, keys) as never[], {
        prepare: true,
      });
    },
  };
}

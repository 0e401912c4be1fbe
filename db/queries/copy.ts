import { finished } from "node:stream/promises";
import type { Sql } from "../client";

/** Rows in COPY text format: one string, or chunks of UTF-8 that end on line boundaries. */
export type CopyText = string | readonly Uint8Array[];

/**
 * Streams rows already in COPY text format into `table`: one statement, one transaction, no
 * round trip per row. Bulk loads only (sample data); the node's own writes are row by row.
 */
export async function copyText(
  sql: Sql,
  table: string,
  columns: readonly string[],
  text: CopyText,
): Promise<void> {
  const chunks = typeof text === "string" ? [text] : text;
  if (chunks.every((c) => c.length === 0)) return;
  const stream = await sql.unsafe(`copy ${table} (${columns.join(", ")}) from stdin`).writable();
  for (const chunk of chunks) stream.write(chunk);
  stream.end();
  await finished(stream);
}

const ESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\\\",
  "\t": "\\t",
  "\n": "\\n",
  "\r": "\\r",
};

/** One row in COPY text format: null as `\N`, instants in ISO 8601, booleans as t/f. */
export function copyLine(values: readonly unknown[]): string {
  const fields = values.map((v) => {
    if (v === null || v === undefined) return "\\N";
    if (v instanceof Date) return v.toISOString();
    if (typeof v === "boolean") return v ? "t" : "f";
    return String(v).replace(/[\\\t\n\r]/g, (c) => ESCAPES[c] ?? c);
  });
  return `${fields.join("\t")}\n`;
}

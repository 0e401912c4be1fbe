import { finished } from "node:stream/promises";
import type { Sql } from "../client";

/**
 * Streams rows already in COPY text format into `table`: one statement, one transaction, no
 * round trip per row. Bulk loads only (sample data); the node's own writes are row by row.
 */
export async function copyText(
  sql: Sql,
  table: string,
  columns: readonly string[],
  text: string,
): Promise<void> {
  if (text.length === 0) return;
  const stream = await sql.unsafe(`copy ${table} (${columns.join(", ")}) from stdin`).writable();
  stream.end(text);
  await finished(stream);
}

import type { Row } from "./query";

const cell = (v: Row[string] | undefined) => {
  if (v === null || v === undefined) return "";
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** Rows as CSV: every column any row has, in first-seen order; a suppressed row's figures blank. */
export function toCsv(rows: readonly Row[]): string {
  const columns: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  const lines = [columns.join(","), ...rows.map((r) => columns.map((c) => cell(r[c])).join(","))];
  return `${lines.join("\r\n")}\r\n`;
}

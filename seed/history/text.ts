/** PostgreSQL COPY text format: tab-separated, `\N` for null, backslash escapes. */

const SPECIAL = /[\\\t\n\r]/;

/** A value as a COPY text field. */
export function field(value: string | null): string {
  if (value === null) return "\\N";
  if (!SPECIAL.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r",
  );
}

export const iso = (ms: number) => new Date(ms).toISOString();

/** A text[] literal of simple words (ids): no quoting needed. */
export const textArray = (items: readonly string[]) => `{${items.join(",")}}`;

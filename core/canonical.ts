/** Object keys as JSON strings, quoted once: entries reuse a small set of field names. */
const quotedKeys = new Map<string, string>();
const QUOTED_KEYS_MAX = 10_000;

function quoteKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < QUOTED_KEYS_MAX) quotedKeys.set(key, quoted);
  }
  return quoted;
}

/**
 * Canonical JSON (keys sorted, no insignificant whitespace, Dates as ISO strings) so the
 * same entry always hashes the same, whatever order its fields were built in. Every audit
 * entry is encoded several times (proof, seal, checkpoint), so this builds one string in a
 * loop rather than through intermediate arrays, and quotes each field name once per process.
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      // String() and JSON.stringify agree on every finite number (-0 and exponents included).
      return Number.isFinite(value) ? String(value) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "undefined":
      return "null";
    case "object":
      break;
    default:
      return JSON.stringify(value) ?? "null";
  }
  if (value === null) return "null";
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ",";
      out += canonicalJson(value[i]);
    }
    return `${out}]`;
  }
  if (value instanceof Date) return `"${value.toISOString()}"`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length > 1) keys.sort();
  let out = "{";
  for (const k of keys) {
    const v = record[k];
    if (v === undefined) continue;
    if (out.length > 1) out += ",";
    out += quoteKey(k);
    out += ":";
    out += canonicalJson(v);
  }
  return `${out}}`;
}

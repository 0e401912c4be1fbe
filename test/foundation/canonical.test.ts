import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { entryHash } from "../../core/audit/append";
import { canonicalJson } from "../../core/canonical";

/** The definition canonicalJson implements: sorted keys, undefined dropped, dates as ISO. */
function reference(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(reference).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(",")}}`;
  }
  if (typeof value === "number" && !Number.isFinite(value)) return "null";
  return JSON.stringify(value);
}

const entry = fc.record({
  at: fc.date({ min: new Date("2000-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }),
  actorOrgId: fc.option(fc.string(), { nil: null }),
  actorKind: fc.string(),
  action: fc.string(),
  entityType: fc.string(),
  entityId: fc.string(),
  data: fc.dictionary(fc.string(), fc.jsonValue()),
  requestId: fc.option(fc.string(), { nil: null }),
  seq: fc.integer({ min: 1, max: 2 ** 40 }),
});

describe("canonical encoding of audit entries", () => {
  it("matches its definition on arbitrary JSON and dates", () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.date({ noInvalidDate: true })), (v) => {
        expect(canonicalJson(v)).toBe(reference(v));
      }),
      { numRuns: 2000 },
    );
  });

  it("hashes an entry as the canonical JSON of its content and place in the chain", () => {
    fc.assert(
      fc.property(
        entry,
        fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 64, maxLength: 64 }),
        (e, prev) => {
          const expected = createHash("sha256")
            .update(prev)
            .update("\n")
            .update(reference(e))
            .digest("hex");
          expect(entryHash(prev, e)).toBe(expected);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

import { describe, expect, it } from "vitest";
import { loadBody } from "../marketplace/support";
import { createTestNode } from "../support/app";
import { carrierBody, registerCarrier, registerShipper, shipperBody } from "../support/fixtures";

// Every example the OpenAPI document shows in a request (a body field, a path or query
// parameter) passes the node's own validation: substituted into a request that is otherwise
// valid, the node names no fault at it. Registrations, loads, direct waybills and route quotes
// get a complete body and the key of one who may send it, so the domain's checks (hubs, HS
// codes, UN numbers) run too; elsewhere the request's schema judges it. Date examples are
// judged by the schema alone, since whether a fixed date fits (in the future, after pickup)
// depends on the day the test runs.
const node = await createTestNode();
const shipper = await registerShipper(node);
const carrier = await registerCarrier(node);
type Schema = Record<string, unknown>;
const doc = (await node.call("GET", "/openapi.json")).body as {
  paths: Record<string, Record<string, Schema>>;
  components: { schemas: Record<string, Schema> };
};

function resolve(s: Schema): Schema {
  const ref = s.$ref;
  if (typeof ref !== "string") return s;
  const found = doc.components.schemas[ref.replace("#/components/schemas/", "")];
  if (!found) throw new Error(`no schema ${ref}`);
  return resolve(found);
}

/** Every example under a schema, with the body path it sits at. */
function examples(raw: Schema, path: (string | number)[] = [], depth = 0): Example[] {
  if (depth > 12) return [];
  const s = resolve(raw);
  const date = s.format === "date-time" || s.format === "date";
  const out: Example[] = s.example === undefined ? [] : [{ path, example: s.example, date }];
  const props = (s.properties ?? {}) as Record<string, Schema>;
  for (const [k, v] of Object.entries(props)) out.push(...examples(v, [...path, k], depth + 1));
  if (s.items) out.push(...examples(s.items as Schema, [...path, 0], depth + 1));
  for (const branch of ["anyOf", "oneOf", "allOf"] as const) {
    for (const b of (s[branch] ?? []) as Schema[]) out.push(...examples(b, path, depth + 1));
  }
  return out;
}
interface Example {
  path: (string | number)[];
  example: unknown;
  /** A date, judged by the schema only. */
  date: boolean;
}

function withValueAt(base: unknown, path: (string | number)[], value: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  const copy = (Array.isArray(base) ? [...base] : { ...(base as object) }) as Record<
    string | number,
    unknown
  >;
  const inner = copy[head] ?? (typeof rest[0] === "number" ? [] : {});
  copy[head] = withValueAt(inner, rest, value);
  return copy;
}

const HOUR = 3_600_000;
const inHours = (h: number) => new Date(Date.now() + h * HOUR).toISOString();

/** Complete bodies, and who may send them, so that every check of the node runs. */
const BASES: Record<string, { body: () => unknown; key?: () => string }> = {
  "POST /v1/shippers": { body: () => shipperBody() },
  "POST /v1/carriers": { body: () => carrierBody() },
  "POST /v1/orgs": { body: () => ({ kind: "shipper", ...shipperBody() }) },
  // From Kashgar: the documents' hub example (CN-URC) may then stand at either end.
  "POST /v1/loads": { body: () => loadBody({ origin: "CN-KHG" }), key: () => shipper.key },
  "POST /v1/waybills": {
    body: () => ({
      carrierId: carrier.id,
      origin: "CN-KHG",
      destination: "KZ-ALA",
      cargo: { weightKg: 8_000, volumeM3: 30, packages: 16, hsCode: "520100" },
      price: { amount: 21_000, currency: "CNY" },
      mode: "road",
      pickupAt: inHours(24),
      deliveryAt: inHours(96),
    }),
    key: () => shipper.key,
  },
  "POST /v1/routes/quote": {
    body: () => ({ from: "CN-URC", to: "KZ-ALA", cargo: { weightKg: 12_000 } }),
    key: () => carrier.key,
  },
};

const PLACEHOLDER_ID = "org_01JBW4Q9X0ABCDEFGHJKMNPQRS";

interface Case {
  name: string;
  method: string;
  url: string;
  body?: unknown;
  key: string;
  /** Where a fault of the example would be reported. */
  at: string;
}

const cases: Case[] = [];
for (const [template, ops] of Object.entries(doc.paths)) {
  for (const [m, op] of Object.entries(ops)) {
    if (!["get", "post", "put", "patch", "delete"].includes(m)) continue;
    const method = m.toUpperCase();
    const params = (op.parameters ?? []) as Schema[];
    const exampleOf = (p: Schema) => p.example ?? (p.schema as Schema | undefined)?.example;
    const pathOf = (own?: Schema) =>
      template.replace(/\{(\w+)\}/g, (_, name: string) => {
        const p = params.find((q) => q.name === name && q.in === "path");
        const value = p && (p === own || exampleOf(p) !== undefined) ? exampleOf(p) : undefined;
        return encodeURIComponent(String(value ?? PLACEHOLDER_ID));
      });
    for (const p of params) {
      const example = exampleOf(p);
      if (example === undefined || (p.in !== "path" && p.in !== "query")) continue;
      const query = p.in === "query" ? `?${p.name}=${encodeURIComponent(String(example))}` : "";
      cases.push({
        name: `${method} ${template} ${p.in} ${String(p.name)} = ${JSON.stringify(example)}`,
        method,
        url: pathOf(p) + query,
        body: method === "GET" || method === "DELETE" ? undefined : {},
        key: node.adminKey,
        at: String(p.name),
      });
    }
    const content = (op.requestBody as Schema | undefined)?.content as
      | Record<string, Schema>
      | undefined;
    const schema = content?.["application/json"]?.schema as Schema | undefined;
    if (!schema) continue;
    for (const e of examples(schema)) {
      const base = e.date ? undefined : BASES[`${method} ${template}`];
      cases.push({
        name: `${method} ${template} body ${e.path.join(".") || "(whole)"} = ${JSON.stringify(e.example)}`,
        method,
        url: pathOf(),
        body: withValueAt(base?.body() ?? {}, e.path, e.example),
        key: base?.key?.() ?? node.adminKey,
        at: e.path.join("."),
      });
    }
  }
}

describe("examples in the OpenAPI document", () => {
  it("are found in requests (sanity)", () => {
    expect(cases.length).toBeGreaterThan(20);
    expect(cases.map((c) => c.name)).toEqual(
      expect.arrayContaining([expect.stringContaining("POST /v1/shippers body creditCode")]),
    );
  });

  it.each(cases)("$name passes the node's validation", async ({ method, url, body, key, at }) => {
    const res = await node.call(method, url, { key, body });
    const shown = `${method} ${url} ${JSON.stringify(body)}: ${res.status} ${JSON.stringify(res.body)}`;
    expect(res.status, shown).toBeLessThan(500);
    if (res.status !== 400) return;
    const details = (res.body.error.details ?? []) as { path: string }[];
    const faulted = details.some((d) => d.path === at || d.path.startsWith(`${at}.`));
    expect(faulted ? res.body.error : "no fault at the example", shown).toBe(
      "no fault at the example",
    );
  });
});

import { describe, expect, it } from "vitest";
import { createTestNode } from "../support/app";
import { carrierBody, shipperBody } from "../support/fixtures";

// Every example the OpenAPI document shows in a request (a body field, a path or query
// parameter) passes the node's own validation: substituted into a request that is otherwise
// valid where the body's checks span fields (registrations), the node names no fault at it.
const node = await createTestNode();
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
  const out: Example[] = s.example === undefined ? [] : [{ path, example: s.example }];
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

/** Bodies whose checks span fields (country and credit code), so the examples meet them. */
const BASES: Record<string, () => unknown> = {
  "POST /v1/shippers": () => shipperBody(),
  "POST /v1/carriers": () => carrierBody(),
  "POST /v1/orgs": () => ({ kind: "shipper", ...shipperBody() }),
};

const PLACEHOLDER_ID = "org_01JBW4Q9X0ABCDEFGHJKMNPQRS";

interface Case {
  name: string;
  method: string;
  url: string;
  body?: unknown;
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
        at: String(p.name),
      });
    }
    const content = (op.requestBody as Schema | undefined)?.content as
      | Record<string, Schema>
      | undefined;
    const schema = content?.["application/json"]?.schema as Schema | undefined;
    if (!schema) continue;
    for (const e of examples(schema)) {
      const base = BASES[`${method} ${template}`]?.() ?? {};
      cases.push({
        name: `${method} ${template} body ${e.path.join(".") || "(whole)"} = ${JSON.stringify(e.example)}`,
        method,
        url: pathOf(),
        body: withValueAt(base, e.path, e.example),
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

  it.each(cases)("$name passes the node's validation", async ({ method, url, body, at }) => {
    const res = await node.call(method, url, { key: node.adminKey, body });
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

import fc from "fast-check";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { newApp } from "../../api/app";
import { Metrics } from "../../api/metrics";
import { systemClock } from "../../core/context";
import { RateLimiter } from "../../core/limits/rate-limiter";
import { partnerBody } from "../federation/support";
import {
  bidBody,
  carrierWithTruck,
  loadBody,
  nextPlate,
  placeBid,
  postLoad,
} from "../marketplace/support";
import { createTestNode, type Reply, testFeedCursors } from "../support/app";
import {
  carrierBody,
  contact,
  creditCode,
  qualifications,
  registerCarrier,
  registerShipper,
  shipperBody,
  vehicleBody,
} from "../support/fixtures";

// Every documented write, as shipper, carrier and admin, with real ids in its path so that
// the body is what gets checked: arbitrary JSON, and valid bodies with one hostile value in
// them (a lone UTF-16 surrogate, a date PostgreSQL cannot store, a key holding either).
// Every list filter gets the dates too. The answer is a 4xx envelope, never a 5xx.
const node = await createTestNode();
const shipper = await registerShipper(node);
const carrier = await carrierWithTruck(node);
const pending = await registerCarrier(node, { verify: false });
const load = await postLoad(node, shipper.key);
const bid = await placeBid(node, load.id, carrier);
const HOUR = 3_600_000;
const at = (h: number) => new Date(Date.now() + h * HOUR).toISOString();

const waybillBody = () => ({
  carrierId: carrier.id,
  origin: "CN-URC",
  destination: { address: "Almaty, Rayimbek Ave 221", lat: 43.27, lon: 76.91 },
  cargo: { ...loadBody().cargo, description: "cotton bales" },
  price: { amount: 21_000, currency: "CNY" },
  legs: [
    { mode: "road", from: "CN-URC", to: "CN-KHR", departAt: at(48), arriveAt: at(60) },
    { mode: "road", from: "CN-KHR", to: "KZ-ALA" },
  ],
  pickupAt: at(48),
  deliveryAt: at(120),
});

async function created(res: Promise<Reply>) {
  const r = await res;
  expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
  return r.body;
}
const waybill = await created(
  node.call("POST", "/v1/waybills", { key: shipper.key, body: waybillBody() }),
);
const apiKey = await created(
  node.call("POST", "/v1/api-keys", { key: shipper.key, body: { name: "spare" } }),
);
const webhook = await created(
  node.call("POST", "/v1/webhooks", {
    key: shipper.key,
    body: { url: "https://tms.example.com/hooks" },
  }),
);
const links = await created(node.call("GET", "/v1/network/links", { key: node.adminKey }));
const partner = await created(
  node.call("POST", "/v1/partners", { key: node.adminKey, body: await partnerBody() }),
);
/** Another partner's registration, as plain JSON. */
const spare: Record<string, Json> = JSON.parse(JSON.stringify(await partnerBody({ code: "KG" })));

interface Operation {
  requestBody?: unknown;
  parameters?: { name: string; in: string; schema?: { format?: string } }[];
}
const doc = (await node.call("GET", "/openapi.json")).body as {
  paths: Record<string, Record<string, Operation>>;
};

/** The path with a real id of the right kind in each parameter. */
function concrete(path: string): string {
  const resource = path.split("/")[2] ?? "";
  const ids: Record<string, string> = {
    loads: load.id,
    shippers: shipper.id,
    carriers: carrier.id,
    orgs: pending.id,
    "api-keys": apiKey.id,
    webhooks: webhook.id,
    network: links.items[0].id,
  };
  return path
    .replace("{id}", ids[resource] ?? "{id}")
    .replace("{bidId}", bid.id)
    .replace("{vehicleId}", carrier.vehicleId)
    .replace("{number}", waybill.number)
    .replace("{code}", partner.code)
    .replace("{name}", "flows");
}

const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
  Object.entries(ops).map(([m, op]) => ({ method: m.toUpperCase(), path, op })),
);
const writes = operations.filter((o) => ["POST", "PUT", "PATCH"].includes(o.method));
const keys = [shipper.key, carrier.key, node.adminKey];

it.each(operations.map((o) => [o.path]))("%s resolves to real ids", (path) => {
  expect(concrete(path)).not.toMatch(/[{}]/);
});

describe.each(writes)("$method $path", ({ method, path }) => {
  it("answers arbitrary JSON with a 4xx envelope or a success, never a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), fc.nat(keys.length - 1), async (body, k) => {
        const res = await node.call(method, concrete(path), { key: keys[k], body });
        const shown = `${method} ${path} ${JSON.stringify(body).slice(0, 300)} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
        expect(res.status, shown).toBeLessThan(500);
        if (res.status >= 400) {
          expect(res.body?.error?.code, shown).toMatch(/^[A-Z_]+$/);
          expect(typeof res.body.error.requestId, shown).toBe("string");
        }
      }),
      { numRuns: 250 },
    );
  });
});

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A valid body for each documented write with one, and who sends it. */
const validBodies: Record<string, { key?: string; body: () => Json }> = {
  "POST /v1/shippers": { body: () => shipperBody() },
  "POST /v1/carriers": { body: () => carrierBody() },
  "POST /v1/orgs": {
    key: node.adminKey,
    body: () => ({
      kind: "regulator",
      name: "Qinghai Transport Dept",
      country: "CN",
      creditCode: creditCode(),
      contact: contact(),
    }),
  },
  "POST /v1/orgs/{id}/reject": { key: node.adminKey, body: () => ({ reason: "no licence" }) },
  "POST /v1/orgs/{id}/suspend": { key: node.adminKey, body: () => ({ reason: "unpaid fines" }) },
  "POST /v1/carriers/{id}/qualifications/review": {
    key: node.adminKey,
    body: () => ({ decision: "reject", reason: "permit not on file" }),
  },
  "POST /v1/carriers/{id}/vehicles": {
    key: carrier.key,
    body: () => vehicleBody({ plate: nextPlate() }),
  },
  "PUT /v1/carriers/{id}/qualifications": { key: carrier.key, body: () => qualifications() },
  "POST /v1/api-keys": { key: shipper.key, body: () => ({ name: "tms integration" }) },
  "POST /v1/loads": {
    key: shipper.key,
    body: () => loadBody({ cargo: { ...loadBody().cargo, description: "cotton bales" } }),
  },
  "PATCH /v1/loads/{id}": {
    key: shipper.key,
    body: () => ({ deliverBy: at(250), cargo: { ...loadBody().cargo, description: "linen" } }),
  },
  "POST /v1/loads/{id}/cancel": { key: shipper.key, body: () => ({ reason: "order withdrawn" }) },
  "POST /v1/loads/{id}/award": { key: shipper.key, body: () => ({ bidId: bid.id, revision: 1 }) },
  "POST /v1/loads/{id}/bids": { key: carrier.key, body: () => bidBody(carrier.vehicleId) },
  "PUT /v1/loads/{id}/bids/{bidId}": { key: carrier.key, body: () => bidBody(carrier.vehicleId) },
  "POST /v1/routes/quote": {
    key: shipper.key,
    body: () => ({
      from: "CN-URC",
      to: "DE-DUI",
      cargo: { weightKg: 18_000, volumeM3: 60, dangerousGoods: { class: "3", unNumber: "UN1203" } },
      departAt: at(48),
      avoidCountries: ["RU"],
    }),
  },
  "PATCH /v1/network/links/{id}": {
    key: node.adminKey,
    body: () => ({ status: "closed", until: at(2), reason: "flooding" }),
  },
  "POST /v1/waybills": { key: shipper.key, body: () => waybillBody() as Json },
  "POST /v1/waybills/{number}/events": {
    key: carrier.key,
    body: () => ({
      type: "picked_up",
      occurredAt: at(-1),
      location: { lat: 43.8, lon: 87.6, address: "Urumqi depot 3" },
      details: { seal: "XJ-445", temperatureC: 4, note: "two pallets re-strapped" },
    }),
  },
  "POST /v1/webhooks": {
    key: shipper.key,
    body: () => ({ url: "https://tms.example.com/caravan", description: "our TMS" }),
  },
  "POST /v1/partners": { key: node.adminKey, body: () => spare },
  "POST /v1/partners/{code}/replay": {
    key: node.adminKey,
    body: () => ({ ids: ["fo_01J9Z8Q3W4ABCDEFGHJKMNPQRS"] }),
  },
  "PATCH /v1/partners/{code}": {
    key: node.adminKey,
    body: () => ({
      name: "Caravan Qazaqstan",
      baseUrl: "https://caravan.kz.example/v2",
      jwks: spare.jwks ?? null,
      agreement: { regions: ["65"] },
    }),
  },
};

const withBody = writes.filter((w) => w.op.requestBody !== undefined);
it.each(withBody.map((w) => [`${w.method} ${w.path}`]))("%s has a valid body here", (name) => {
  expect(validBodies[name]).toBeDefined();
});

const LONE = ["\ud800", "\udbff", "\udc00", "\udfff"];
const BAD_INSTANTS = [
  "0000-01-01T00:00:00Z",
  "0000-12-31T23:59:59+05:00",
  "0001-01-01T00:00:00Z",
  "1899-12-31T23:59:59Z",
  "9999-12-31T23:59:59-14:00",
];
const BAD_DAYS = ["0000-01-01", "0001-01-01", "1899-12-31"];
const isInstant = (s: string) => /^\d{4}-\d{2}-\d{2}T/.test(s);
const isDay = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s);

type Path = (string | number)[];
/** Every string in a body and every object that could take another key, with their paths. */
function walk(v: Json, path: Path, out: { strings: Path[]; objects: Path[] }) {
  if (typeof v === "string") out.strings.push(path);
  else if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) walk(x, [...path, i], out);
  } else if (v !== null && typeof v === "object") {
    out.objects.push(path);
    for (const [k, x] of Object.entries(v)) walk(x, [...path, k], out);
  }
  return out;
}
function getAt(v: Json, path: Path): Json {
  return path.reduce<Json>((x, k) => (x as Record<string | number, Json>)[k] as Json, v);
}
function setAt(v: Json, path: Path, value: Json): Json {
  const copy = structuredClone(v);
  const parent = getAt(copy, path.slice(0, -1)) as Record<string | number, Json>;
  parent[path.at(-1) as string | number] = value;
  return copy;
}

/** One hostile value in a valid body, and the field the answer should name. */
function hostile(body: Json) {
  const { strings, objects } = walk(body, [], { strings: [], objects: [] });
  const kinds: fc.Arbitrary<{ body: Json; field: Path }>[] = [
    fc
      .tuple(fc.constantFrom(...strings), fc.constantFrom(...LONE), fc.nat())
      .map(([path, lone, n]) => {
        const s = getAt(body, path) as string;
        const i = n % (s.length + 1);
        return { body: setAt(body, path, s.slice(0, i) + lone + s.slice(i)), field: path };
      }),
    fc
      .tuple(fc.constantFrom(...objects), fc.constantFrom(...LONE), fc.constantFrom("x", 1, null))
      .map(([path, lone, value]) => ({
        body: setAt(body, [...path, `note${lone}`], value),
        field: path,
      })),
  ];
  const instants = strings.filter((p) => isInstant(getAt(body, p) as string));
  const days = strings.filter((p) => isDay(getAt(body, p) as string));
  if (instants.length > 0) {
    kinds.push(
      fc
        .tuple(fc.constantFrom(...instants), fc.constantFrom(...BAD_INSTANTS))
        .map(([path, d]) => ({ body: setAt(body, path, d), field: path })),
    );
  }
  if (days.length > 0) {
    kinds.push(
      fc
        .tuple(fc.constantFrom(...days), fc.constantFrom(...BAD_DAYS))
        .map(([path, d]) => ({ body: setAt(body, path, d), field: path })),
    );
  }
  return fc.oneof(...kinds);
}

async function snapshot() {
  const [row] = await node.database.sql`
    select (select count(*) from organizations)::int as orgs,
           (select count(*) from vehicles)::int as vehicles,
           (select count(*) from api_keys where revoked_at is null)::int as keys,
           (select count(*) from webhooks)::int as webhooks,
           (select count(*) from waybills)::int as waybills,
           (select count(*) from waybill_events)::int as events,
           (select count(*) from bids)::int as bids,
           (select count(*) from audit_log)::int as audit,
           (select count(*) from feed_events)::int as feed,
           (select md5(coalesce(string_agg(l::text, ',' order by id), '')) from loads l) as loads,
           (select md5(coalesce(string_agg(b::text, ',' order by id), '')) from bids b) as bid_rows,
           (select md5(coalesce(string_agg(o::text, ',' order by id), '')) from organizations o) as org_rows`;
  return row;
}

describe.each(withBody)(
  "$method $path, a valid body with one hostile value",
  ({ method, path }) => {
    it("is refused with 400 naming the field, and nothing is written", async () => {
      const valid = validBodies[`${method} ${path}`];
      if (!valid) throw new Error("no valid body");
      const before = await snapshot();
      await fc.assert(
        fc.asyncProperty(hostile(valid.body()), async ({ body, field }) => {
          const res = await node.call(method, concrete(path), { key: valid.key, body });
          const named = field.join(".");
          const shown = `${method} ${path} ${JSON.stringify(body)} → ${res.status} ${JSON.stringify(res.body)}`;
          expect(res.status, shown).toBe(400);
          expect(res.body.error.code, shown).toBe("BAD_REQUEST");
          // A union names the field that holds it (`origin` for `origin.address`).
          expect(
            res.body.error.details.some(
              (d: { path: string }) =>
                named === "" ||
                d.path === named ||
                named.startsWith(`${d.path}.`) ||
                d.path.startsWith(`${named}.`),
            ),
            shown,
          ).toBe(true);
        }),
        { numRuns: 120 },
      );
      expect(await snapshot()).toEqual(before);
    });
  },
);

const listFilters = operations.flatMap(({ method, path, op }) =>
  method === "GET"
    ? (op.parameters ?? [])
        .filter((p) => p.in === "query" && p.schema?.format === "date-time")
        .map((p) => ({ path, name: p.name }))
    : [],
);

it("the date filters are found", () => {
  expect(listFilters.map((f) => `${f.path}?${f.name}`)).toContain("/v1/loads?pickupFrom");
});

describe.each(listFilters)("GET $path?$name=", ({ path, name }) => {
  it.each([...BAD_INSTANTS, "0000-01-01"])("%s is a 400 naming the filter", async (d) => {
    for (const key of keys) {
      const res = await node.call("GET", `${concrete(path)}?${name}=${encodeURIComponent(d)}`, {
        key,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.details[0].path).toBe(`query.${name}`);
    }
  });
});

describe("a value that slips past validation", () => {
  const slipped = [
    ["a year PostgreSQL has not", "select '0000-01-01T00:00:00Z'::timestamptz"],
    ["a lone surrogate in JSON", `select '{"a": "\\ud800"}'::jsonb`],
    ["a number out of range", "select 2147483648::int4"],
  ] as const;
  // The same app factory, with one extra route that sends the value straight to PostgreSQL.
  const limiter = new RateLimiter(node.database.db);
  afterAll(() => limiter.stop());
  const app = newApp({
    db: node.database.db,
    logger: pino({ level: "silent" }),
    metrics: new Metrics(),
    clock: systemClock,
    nodeCode: "XJ",
    identity: node.identity,
    network: node.network,
    auditCheckpoints: node.auditCheckpoints,
    feedCursors: testFeedCursors,
    federation: node.parts.federation,
    rateLimitPerMinute: 1000,
    registrationsPerHour: 1000,
    limiter,
    bodyLimitBytes: 10_000,
    ready: async () => ({}),
  });
  app.get("/v1/test-only/:i", async (c) => {
    await node.database.sql.unsafe(slipped[Number(c.req.param("i"))]?.[1] ?? "select 1");
    return c.text("stored");
  });

  it.each(slipped.map(([name], i) => [name, i]))(
    "%s is a 400 envelope, not a 500",
    async (_, i) => {
      const res = await app.request(`/v1/test-only/${i}`, {
        headers: { authorization: `Bearer ${shipper.key}` },
      });
      const body = (await res.json()) as { error: { code: string } };
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(body.error.code).toBe("BAD_REQUEST");
    },
  );
});

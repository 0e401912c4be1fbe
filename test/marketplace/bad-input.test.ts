import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createTestNode } from "../support/app";
import { registerShipper } from "../support/fixtures";
import { type Bidder, bidBody, carrierWithTruck, loadBody, postLoad } from "./support";

// Generated bad loads and bids: each gets a 4xx envelope naming a field or a reason, and the
// database is left exactly as it was.
const node = await createTestNode();
const shipper = await registerShipper(node);
const bidder: Bidder = await carrierWithTruck(node);
const load = await postLoad(node, shipper.key);
const H = 3_600_000;
const iso = (ms: number) => new Date(Date.now() + ms).toISOString();

type Mutation = { path: string[]; value: unknown };
const at = (path: string, values: fc.Arbitrary<unknown>) =>
  values.map((value) => ({ path: path.split("."), value }) as Mutation);
const wrongType = fc.oneof(
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 2 }),
);
const notPositive = fc.oneof(fc.constantFrom(0, -1, -0.01, "12"), wrongType);

const loadMutations = [
  at("origin", fc.oneof(fc.constantFrom("XX-XXX", "CN-ZZZ", "", "urumqi"), wrongType)),
  at("destination", fc.constantFrom("KZ-QQQ", { lat: 200, lon: 0 }, { lat: 43, lon: 500 })),
  at("cargo.weightKg", notPositive),
  at("cargo.volumeM3", notPositive),
  at("cargo.packages", fc.constantFrom(-1, 1.5, "3")),
  at("cargo.hsCode", fc.constantFrom("12", "abcdef", "12345678901", "")),
  at(
    "cargo.dangerousGoods",
    fc.constantFrom({ class: "3" }, { unNumber: "UN1203" }, { unNumber: "1203", class: "10" }),
  ),
  at("pickupWindow", fc.constant({ from: iso(72 * H), to: iso(48 * H) })),
  at("deliverBy", fc.constant(iso(30 * H))),
  at("biddingClosesAt", fc.constant(iso(60 * H))),
  at("modes", fc.constantFrom([], ["boat"], "road")),
  at(
    "reservePrice",
    fc.constantFrom({ amount: -5, currency: "CNY" }, { amount: 5, currency: "ABC" }),
  ),
  at("awardRule", fc.constantFrom("random", "", 1)),
  at("zz_unknown", fc.constant(1)),
];

const bidMutations = [
  at("price", fc.constantFrom({ amount: 0, currency: "CNY" }, { amount: 10, currency: "QQQ" }, 5)),
  at("mode", fc.constantFrom("boat", "air", "")),
  at("vehicleIds", fc.constantFrom([], ["veh_01M844S8JXKX0ZZQGAVBAHEQG6"], "x", [1])),
  at("pickupAt", fc.constantFrom("soon", iso(10 * H), iso(100 * H))),
  at("deliveryAt", fc.constantFrom(iso(49 * H), iso(1000 * H), "later")),
  at("validUntil", fc.constantFrom(iso(-H), "never")),
  at("quoteId", fc.constantFrom("rq_01M844S8JXKX0ZZQGAVBAHEQG6", "", 3)),
  at("zz_unknown", fc.constant(true)),
];

function apply(body: Record<string, unknown>, mutations: Mutation[]) {
  const copy = structuredClone(body);
  for (const m of mutations) {
    let target = copy as Record<string, unknown>;
    for (const key of m.path.slice(0, -1)) {
      if (typeof target[key] !== "object" || target[key] === null) target[key] = {};
      target = target[key] as Record<string, unknown>;
    }
    target[m.path.at(-1) ?? ""] = m.value;
  }
  return copy;
}

async function snapshot() {
  const [row] = await node.database.sql`
    select (select count(*) from loads)::int as loads, (select count(*) from bids)::int as bids,
           (select count(*) from audit_log)::int as audit,
           (select count(*) from feed_events)::int as feed`;
  return row;
}

describe.each([
  {
    name: "POST /v1/loads",
    path: () => "/v1/loads",
    key: shipper.key,
    valid: () => loadBody(),
    mutations: loadMutations,
  },
  {
    name: "POST /v1/loads/{id}/bids",
    path: () => `/v1/loads/${load.id}/bids`,
    key: bidder.key,
    valid: () => bidBody(bidder.vehicleId),
    mutations: bidMutations,
  },
])("$name", ({ path, key, valid, mutations }) => {
  it("answers every generated bad body with a 4xx envelope and writes nothing", async () => {
    const before = await snapshot();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(...mutations), { minLength: 1, maxLength: 3 }),
        async (ms) => {
          const body = apply(valid(), ms);
          const res = await node.call("POST", path(), { key, body });
          const shown = JSON.stringify({ ms, res: res.body }).slice(0, 1500);
          expect(res.status, shown).toBeGreaterThanOrEqual(400);
          expect(res.status, shown).toBeLessThan(500);
          expect(res.body.error.code, shown).toMatch(/^[A-Z_]+$/);
          const e = res.body.error;
          expect(e.details.length > 0 || typeof e.reason === "string", shown).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
    expect(await snapshot()).toEqual(before);
  });

  it("still accepts the valid body", async () => {
    const res = await node.call("POST", path(), { key, body: valid() });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  });
});

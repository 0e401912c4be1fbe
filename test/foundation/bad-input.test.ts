import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { isCountryCode, isCurrencyCode } from "../../core/validation";
import { CREDIT_CODE_CHARSET } from "../../core/validation/credit-code";
import { createTestNode } from "../support/app";
import {
  carrierBody,
  contact,
  creditCode,
  qualifications,
  type Registered,
  registerCarrier,
  shipperBody,
  vehicleBody,
} from "../support/fixtures";

// Thousands of generated bad bodies against the registry's write endpoints: each must get a
// 4xx with the error envelope naming a field, and none may change the database.
const node = await createTestNode();
let carrier: Registered;

beforeAll(async () => {
  carrier = await registerCarrier(node);
});

type Body = Record<string, unknown>;
/** A change that makes any valid body invalid, with the path the envelope should name. */
type Mutation = { path: string[]; value: unknown } | { path: string[]; delete: true };

const wrongType = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
);
const overlong = (max: number) =>
  fc.integer({ min: max + 1, max: max + 3000 }).map((n) => "x".repeat(n));
const controlText = fc.constantFrom("a\u0000b", "line\u0007bell", "\u001b[31m");
/** Text PostgreSQL cannot store as UTF-8: a UTF-16 surrogate without its pair. */
const loneSurrogate = fc
  .tuple(fc.string({ maxLength: 8 }), fc.constantFrom("\ud800", "\udbff", "\udc00", "\udfff"))
  .map(([s, lone]) => `${s}${lone}${s}`);

const badText = (max: number) =>
  fc.oneof(wrongType, overlong(max), controlText, loneSurrogate, fc.constant(""));
const badCountry = fc.oneof(
  wrongType,
  fc.string({ maxLength: 4 }).filter((s) => !isCountryCode(s)),
);
/** A valid code with one character changed: GB 32100's check character catches every one. */
const badCreditCode = fc.oneof(
  fc
    .tuple(
      fc.integer({ min: 0, max: 17 }),
      fc.constantFrom(...CREDIT_CODE_CHARSET, "I", "O", "Z", "a", "-"),
    )
    .map(([i, ch]) => {
      const code = creditCode();
      const swapped = ch === code[i] ? (ch === "0" ? "1" : "0") : ch;
      return code.slice(0, i) + swapped + code.slice(i + 1);
    }),
  fc.string({ maxLength: 17 }),
  wrongType,
);
const badDate = fc.oneof(
  wrongType,
  fc.constantFrom("2030-13-01", "2030-02-30", "31/12/2030", "soon", "0000-01-01", "1899-12-31"),
);
const badNumber = fc.oneof(
  fc.constantFrom(0, -1, -0.5, 1e13, "100", null, true),
  fc.double({ max: 0, noNaN: true }),
);

const registrationMutations: fc.Arbitrary<Mutation>[] = [
  badText(200).map((value) => ({ path: ["name"], value })),
  badCountry.map((value) => ({ path: ["country"], value })),
  badCreditCode.map((value) => ({ path: ["creditCode"], value })),
  fc.constant({ path: ["name"], delete: true as const }),
  fc.constant({ path: ["contact"], delete: true as const }),
  wrongType.map((value) => ({ path: ["contact"], value })),
  badText(120).map((value) => ({ path: ["contact", "name"], value })),
  fc
    .oneof(wrongType, fc.constantFrom("call me", "+", "12"))
    .map((value) => ({ path: ["contact", "phone"], value })),
  fc
    .oneof(
      wrongType,
      fc.string({ maxLength: 20 }).filter((s) => !s.includes("@")),
    )
    .map((value) => ({
      path: ["contact", "email"],
      value,
    })),
  fc.string({ minLength: 1, maxLength: 8 }).map((k) => ({ path: [`zz_${k}`], value: 1 })),
];

const carrierMutations: fc.Arbitrary<Mutation>[] = [
  ...registrationMutations,
  fc
    .oneof(wrongType, fc.constant([]), fc.constant(["boat"]), fc.constant(["road", "road", "x"]))
    .map((value) => ({ path: ["modes"], value })),
  wrongType.map((value) => ({ path: ["qualifications"], value })),
  badDate.map((value) => ({ path: ["qualifications", "operatingLicence", "expiresOn"], value })),
  badText(64).map((value) => ({ path: ["qualifications", "operatingLicence", "number"], value })),
  badNumber.map((value) => ({ path: ["qualifications", "insurance", "cover", "amount"], value })),
  fc
    .oneof(
      wrongType,
      fc.string({ maxLength: 4 }).filter((s) => !isCurrencyCode(s)),
    )
    .map((value) => ({ path: ["qualifications", "insurance", "cover", "currency"], value })),
  fc.constant({ path: ["qualifications", "insurance"], delete: true as const }),
];

const vehicleMutations: fc.Arbitrary<Mutation>[] = [
  fc
    .oneof(wrongType, fc.constantFrom("boat", "ROAD", ""))
    .map((value) => ({ path: ["mode"], value })),
  fc
    .oneof(wrongType, overlong(20), fc.constantFrom("", "ABC", "新A1234567", "A12345"))
    .map((value) => ({
      path: ["plate"],
      value,
    })),
  badNumber.map((value) => ({ path: ["capacityKg"], value })),
  badNumber.map((value) => ({ path: ["capacityM3"], value })),
  fc.oneof(wrongType, fc.constantFrom(1000, 1435)).map((value) => ({ path: ["gauge"], value })),
  fc.string({ minLength: 1, maxLength: 8 }).map((k) => ({ path: [`zz_${k}`], value: "x" })),
];

function apply(body: Body, mutations: Mutation[]): Body {
  const copy = structuredClone(body);
  for (const m of mutations) {
    let target: Record<string, unknown> = copy;
    for (const key of m.path.slice(0, -1)) {
      const next = target[key];
      if (typeof next !== "object" || next === null || Array.isArray(next)) {
        target[key] = {};
      }
      target = target[key] as Record<string, unknown>;
    }
    const last = m.path.at(-1) ?? "";
    if ("delete" in m) delete target[last];
    else target[last] = m.value;
  }
  return copy;
}

/** Bodies that are not an object at all, or not JSON. */
const notAnObject = fc.oneof(
  fc.constantFrom("null", "[]", "42", '"text"', "{", '{"name":}', "", "\u0000", "{}{}"),
  fc.string({ maxLength: 30 }).filter((s) => {
    try {
      const v = JSON.parse(s);
      return typeof v !== "object" || v === null || Array.isArray(v);
    } catch {
      return true;
    }
  }),
);

async function snapshot() {
  const [row] = await node.database.sql`
    select (select count(*) from organizations)::int as orgs,
           (select count(*) from vehicles)::int as vehicles,
           (select count(*) from api_keys)::int as keys,
           (select count(*) from audit_log)::int as audit,
           (select md5(coalesce(string_agg(o::text, ',' order by id), '')) from organizations o) as orgs_hash`;
  return row;
}

function expectEnvelope(res: { status: number; body: any }, input: unknown) {
  const shown = JSON.stringify({ input, res: res.body }).slice(0, 2000);
  expect(res.status, shown).toBeGreaterThanOrEqual(400);
  expect(res.status, shown).toBeLessThan(500);
  expect(res.body?.error?.code, shown).toMatch(/^[A-Z_]+$/);
  expect(typeof res.body.error.message, shown).toBe("string");
  expect(res.body.error.requestId, shown).toMatch(/\S/);
  expect(Array.isArray(res.body.error.details), shown).toBe(true);
  expect(res.body.error.details.length, shown).toBeGreaterThan(0);
  for (const d of res.body.error.details) {
    expect(typeof d.path, shown).toBe("string");
    expect(typeof d.message, shown).toBe("string");
  }
}

const endpoints = [
  {
    name: "POST /v1/shippers",
    path: () => "/v1/shippers",
    key: () => undefined,
    valid: () => shipperBody(),
    mutations: registrationMutations,
  },
  {
    name: "POST /v1/carriers",
    path: () => "/v1/carriers",
    key: () => undefined,
    valid: () => carrierBody(),
    mutations: carrierMutations,
  },
  {
    name: "POST /v1/orgs",
    path: () => "/v1/orgs",
    key: () => node.adminKey,
    valid: () => ({
      kind: "regulator",
      name: "Qinghai Transport Dept",
      country: "CN",
      creditCode: creditCode(),
      contact: contact(),
    }),
    mutations: [
      ...registrationMutations,
      fc.constantFrom("boss", "", 3).map((value) => ({ path: ["kind"], value })),
    ],
  },
  {
    name: "POST /v1/carriers/{id}/vehicles",
    path: () => `/v1/carriers/${carrier.id}/vehicles`,
    key: () => carrier.key,
    valid: () => vehicleBody(),
    mutations: vehicleMutations,
  },
  {
    name: "PUT /v1/carriers/{id}/qualifications",
    path: () => `/v1/carriers/${carrier.id}/qualifications`,
    key: () => carrier.key,
    valid: () => qualifications(),
    mutations: carrierMutations
      .slice(-6)
      .map((a) => a.map((m) => ({ ...m, path: m.path.slice(1) }) as Mutation)),
  },
];

describe.each(endpoints)("$name", (endpoint) => {
  const method = endpoint.name.split(" ")[0] ?? "POST";

  it("answers every generated bad body with a 4xx envelope and writes nothing", async () => {
    const before = await snapshot();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          {
            weight: 6,
            arbitrary: fc.array(fc.oneof(...endpoint.mutations), { minLength: 1, maxLength: 3 }),
          },
          { weight: 1, arbitrary: notAnObject },
        ),
        async (bad) => {
          const res =
            typeof bad === "string"
              ? await node.call(method, endpoint.path(), { key: endpoint.key(), rawBody: bad })
              : await node.call(method, endpoint.path(), {
                  key: endpoint.key(),
                  body: apply(endpoint.valid(), bad),
                });
          expectEnvelope(res, bad);
        },
      ),
      { numRuns: 500 },
    );
    expect(await snapshot()).toEqual(before);
  });

  it("still accepts the valid body (the mutations are what is wrong)", async () => {
    const res = await node.call(method, endpoint.path(), {
      key: endpoint.key(),
      body: endpoint.valid(),
    });
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  });
});

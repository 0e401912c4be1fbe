import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, federationPartners } from "../../db/schema";
import { createTestNode, type Reply } from "../support/app";
import { createRegulator, registerCarrier, registerShipper } from "../support/fixtures";
import { partnerBody, partnerKey } from "./support";

const node = await createTestNode();
const show = (res: Reply) => `${res.status} ${JSON.stringify(res.body)}`;
const create = async (over: Record<string, unknown> = {}, key = node.adminKey) =>
  node.call("POST", "/v1/partners", { key, body: await partnerBody(over) });

describe("partners: happy path", () => {
  it("an admin registers a partner (201), and reads it back", async () => {
    const body = await partnerBody({ baseUrl: "https://caravan.kz.example/node/" });
    const res = await node.call("POST", "/v1/partners", { key: node.adminKey, body });
    expect(res.status, show(res)).toBe(201);
    expect(res.body).toMatchObject({
      code: "KZ",
      kind: "belt_and_road",
      baseUrl: "https://caravan.kz.example/node",
      jwks: body.jwks,
      agreement: body.agreement,
      status: "active",
      suspendedAt: null,
    });
    const got = await node.call("GET", "/v1/partners/KZ", { key: node.adminKey });
    expect(got.body).toEqual(res.body);
    const list = await node.call("GET", "/v1/partners", { key: node.adminKey });
    expect(list.body.items.map((p: { code: string }) => p.code)).toEqual(["KZ"]);
  });

  it("changes the agreement field by field, the base URL and the keys", async () => {
    const next = await partnerKey();
    const current = (await node.call("GET", "/v1/partners/KZ", { key: node.adminKey })).body;
    const res = await node.call("PATCH", "/v1/partners/KZ", {
      key: node.adminKey,
      body: {
        baseUrl: "https://kz2.example",
        jwks: { keys: [...current.jwks.keys, next.publicJwk] },
        agreement: { regions: ["65", "6201"], maxClassification: "public" },
      },
    });
    expect(res.status, show(res)).toBe(200);
    expect(res.body.baseUrl).toBe("https://kz2.example");
    expect(res.body.jwks.keys).toHaveLength(2);
    expect(res.body.agreement).toEqual({
      countries: ["KZ"],
      regions: ["65", "6201"],
      recordTypes: ["waybill", "event"],
      maxClassification: "public",
    });
  });

  it("suspends and resumes; a second suspension is a 409", async () => {
    const s = await node.call("POST", "/v1/partners/KZ/suspend", { key: node.adminKey });
    expect(s.status, show(s)).toBe(200);
    expect(s.body.status).toBe("suspended");
    expect(s.body.suspendedAt).not.toBeNull();
    const again = await node.call("POST", "/v1/partners/KZ/suspend", { key: node.adminKey });
    expect(again.status, show(again)).toBe(409);
    const r = await node.call("POST", "/v1/partners/KZ/resume", { key: node.adminKey });
    expect(r.status, show(r)).toBe(200);
    expect(r.body).toMatchObject({ status: "active", suspendedAt: null });
  });

  it("audit-logs every change", async () => {
    const rows = await node.database.db
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(eq(auditLog.entityType, "partner"));
    expect(rows.map((r) => r.action).sort()).toEqual(
      ["partner.changed", "partner.registered", "partner.resumed", "partner.suspended"].sort(),
    );
  });

  it("a second registration of a code is a 409; unknown codes are 404s", async () => {
    const dup = await create();
    expect(dup.status, show(dup)).toBe(409);
    expect(dup.body.error.details[0].path).toBe("code");
    for (const [method, path] of [
      ["GET", "/v1/partners/GS"],
      ["PATCH", "/v1/partners/GS"],
      ["POST", "/v1/partners/GS/suspend"],
      ["POST", "/v1/partners/GS/resume"],
    ] as const) {
      const body = method === "PATCH" ? { name: "Gansu" } : undefined;
      const res = await node.call(method, path, { key: node.adminKey, body });
      expect(res.status, `${method} ${path}: ${show(res)}`).toBe(404);
    }
  });
});

const { privateJwk } = await partnerKey();
const good = (await partnerKey()).publicJwk;

describe("partners: hostile and malformed input", () => {
  const agreement = (over: Record<string, unknown>) => ({
    agreement: {
      countries: ["KZ"],
      regions: [],
      recordTypes: ["waybill"],
      maxClassification: "internal",
      ...over,
    },
  });
  it.each([
    ["a private JWK", { code: "UZ", jwks: { keys: [privateJwk] } }, "jwks.keys.0.d"],
    [
      "another curve",
      { code: "UZ", jwks: { keys: [{ ...good, crv: "X25519" }] } },
      "jwks.keys.0.crv",
    ],
    [
      "an RSA key",
      { code: "UZ", jwks: { keys: [{ kty: "RSA", n: "AQAB", e: "AQAB" }] } },
      "jwks.keys.0.kty",
    ],
    ["a short x", { code: "UZ", jwks: { keys: [{ ...good, x: "AAAA" }] } }, "jwks.keys.0.x"],
    [
      "a kid not the thumbprint",
      { code: "UZ", jwks: { keys: [{ ...good, kid: "k1" }] } },
      "jwks.keys.0.kid",
    ],
    ["no keys", { code: "UZ", jwks: { keys: [] } }, "jwks.keys"],
    ["the same key twice", { code: "UZ", jwks: { keys: [good, good] } }, "jwks.keys.1"],
    [
      "a bad classification",
      { code: "UZ", ...agreement({ maxClassification: "secret" }) },
      "agreement.maxClassification",
    ],
    [
      "a bad record type",
      { code: "UZ", ...agreement({ recordTypes: ["invoice"] }) },
      "agreement.recordTypes.0",
    ],
    [
      "an unknown country",
      { code: "UZ", ...agreement({ countries: ["XX"] }) },
      "agreement.countries.0",
    ],
    [
      "a lower-case country",
      { code: "UZ", ...agreement({ countries: ["kz"] }) },
      "agreement.countries.0",
    ],
    ["a 3-digit region", { code: "UZ", ...agreement({ regions: ["650"] }) }, "agreement.regions.0"],
    [
      "a region no province starts",
      { code: "UZ", ...agreement({ regions: ["99"] }) },
      "agreement.regions.0",
    ],
    ["a loopback baseUrl", { code: "UZ", baseUrl: "http://127.0.0.1:3000" }, "baseUrl"],
    ["a localhost baseUrl", { code: "UZ", baseUrl: "http://localhost:3000" }, "baseUrl"],
    ["a private-range baseUrl", { code: "UZ", baseUrl: "https://[::ffff:10.0.0.1]" }, "baseUrl"],
    ["a metadata address", { code: "UZ", baseUrl: "http://169.254.169.254" }, "baseUrl"],
    ["a non-http baseUrl", { code: "UZ", baseUrl: "ftp://kz.example" }, "baseUrl"],
    ["credentials in the baseUrl", { code: "UZ", baseUrl: "https://a:b@kz.example" }, "baseUrl"],
    ["a query in the baseUrl", { code: "UZ", baseUrl: "https://kz.example/?x=1" }, "baseUrl"],
    ["this node's own code", { code: "XJ" }, "code"],
    ["a malformed code", { code: "kz" }, "code"],
    ["an unknown kind", { code: "UZ", kind: "global" }, "kind"],
    ["an unknown field", { code: "UZ", secret: "x" }, "secret"],
  ])("refuses %s with a field-named 400", async (_, over, path) => {
    const res = await create(over);
    expect(res.status, show(res)).toBe(400);
    expect(res.body.error.code).toBe("BAD_REQUEST");
    expect(
      res.body.error.details.map((d: { path: string }) => d.path),
      show(res),
    ).toContain(path);
    const stored = await node.database.db
      .select()
      .from(federationPartners)
      .where(eq(federationPartners.code, "UZ"));
    expect(stored).toEqual([]);
  });

  it("accepts a loopback baseUrl where CARAVAN_EGRESS_ALLOW allows it", async () => {
    const lab = await createTestNode({ egressAllow: "127.0.0.0/8" });
    const res = await lab.call("POST", "/v1/partners", {
      key: lab.adminKey,
      body: await partnerBody({ code: "GS", baseUrl: "http://127.0.0.1:3001" }),
    });
    expect(res.status, show(res)).toBe(201);
  });

  it("checks a PATCH as it checks a registration", async () => {
    await create({ code: "KG" });
    for (const [body, path] of [
      [{ baseUrl: "http://10.1.2.3" }, "baseUrl"],
      [{ jwks: { keys: [privateJwk] } }, "jwks.keys.0.d"],
      [{ agreement: { maxClassification: "top" } }, "agreement.maxClassification"],
      [{}, "body"],
    ] as const) {
      const res = await node.call("PATCH", "/v1/partners/KG", { key: node.adminKey, body });
      expect(res.status, show(res)).toBe(400);
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
  });
});

describe("partners: who may do what", () => {
  const shipper = registerShipper(node);
  const carrier = registerCarrier(node);
  const regulator = createRegulator(node);
  const writes = [
    ["POST", "/v1/partners"],
    ["PATCH", "/v1/partners/KZ"],
    ["POST", "/v1/partners/KZ/suspend"],
    ["POST", "/v1/partners/KZ/resume"],
  ] as const;

  it("regulators read the registry but change nothing", async () => {
    const { key } = await regulator;
    expect((await node.call("GET", "/v1/partners", { key })).status).toBe(200);
    expect((await node.call("GET", "/v1/partners/KZ", { key })).status).toBe(200);
    for (const [method, path] of writes) {
      const body =
        method === "POST" && path === "/v1/partners"
          ? await partnerBody({ code: "TJ" })
          : { name: "x" };
      const res = await node.call(method, path, { key, body });
      expect(res.status, `${method} ${path}: ${show(res)}`).toBe(403);
      expect(res.body.error.code).toBe("FORBIDDEN");
    }
  });

  it("shippers and carriers may neither read nor write", async () => {
    for (const { key } of [await shipper, await carrier]) {
      for (const [method, path] of [
        ["GET", "/v1/partners"],
        ["GET", "/v1/partners/KZ"],
        ...writes,
      ] as const) {
        const body =
          path === "/v1/partners" && method === "POST"
            ? await partnerBody({ code: "TJ" })
            : method === "GET"
              ? undefined
              : { name: "x" };
        const res = await node.call(method, path, { key, body });
        expect(res.status, `${method} ${path}: ${show(res)}`).toBe(403);
      }
    }
  });

  it("without a key, 401", async () => {
    const res = await node.call("GET", "/v1/partners");
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("UNAUTHORIZED");
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import { loadBody } from "../marketplace/support";
import { createTestNode } from "../support/app";
import {
  contact,
  createRegulator,
  creditCode,
  qualifications,
  type Registered,
  registerCarrier,
  registerShipper,
  vehicleBody,
} from "../support/fixtures";

const node = await createTestNode();

let carrier: Registered;
let other: Registered;
let shipper: Registered;
let regulator: Registered;
let revokedKey: string;
let otherKeyId: string;
let vehicleId: string;

beforeAll(async () => {
  carrier = await registerCarrier(node);
  other = await registerCarrier(node);
  shipper = await registerShipper(node);
  regulator = await createRegulator(node);
  const extra = await node.call("POST", "/v1/api-keys", { key: carrier.key, body: { name: "ci" } });
  revokedKey = extra.body.key;
  expect(
    (await node.call("DELETE", `/v1/api-keys/${extra.body.id}`, { key: carrier.key })).status,
  ).toBe(200);
  const v = await node.call("POST", `/v1/carriers/${carrier.id}/vehicles`, {
    key: carrier.key,
    body: vehicleBody({ plate: "新B54321" }),
  });
  vehicleId = v.body.id;
  const keys = await node.call("GET", "/v1/api-keys", { key: other.key });
  otherKeyId = keys.body.items[0].id;
});

interface RouteCase {
  name: string;
  method: string;
  path: () => string;
  body?: () => unknown;
  /** A key of the right kind but the wrong role: 403. */
  wrongRole?: () => string;
  /** A key whose organisation must not see the object: 404. */
  stranger?: () => string;
}

const routes: RouteCase[] = [
  { name: "list orgs", method: "GET", path: () => "/v1/orgs" },
  { name: "list carriers", method: "GET", path: () => "/v1/carriers" },
  {
    name: "get carrier",
    method: "GET",
    path: () => `/v1/carriers/${carrier.id}`,
    stranger: () => other.key,
  },
  {
    name: "get shipper",
    method: "GET",
    path: () => `/v1/shippers/${shipper.id}`,
    stranger: () => carrier.key,
  },
  {
    name: "get org",
    method: "GET",
    path: () => `/v1/orgs/${carrier.id}`,
    stranger: () => shipper.key,
  },
  {
    name: "create org",
    method: "POST",
    path: () => "/v1/orgs",
    body: () => ({
      kind: "regulator",
      name: "R",
      country: "CN",
      creditCode: creditCode(),
      contact: contact(),
    }),
    wrongRole: () => carrier.key,
  },
  {
    name: "verify org",
    method: "POST",
    path: () => `/v1/orgs/${other.id}/verify`,
    wrongRole: () => regulator.key,
  },
  {
    name: "reject org",
    method: "POST",
    path: () => `/v1/orgs/${other.id}/reject`,
    body: () => ({ reason: "no" }),
    wrongRole: () => shipper.key,
  },
  {
    name: "suspend org",
    method: "POST",
    path: () => `/v1/orgs/${other.id}/suspend`,
    body: () => ({ reason: "no" }),
    wrongRole: () => regulator.key,
  },
  {
    name: "reinstate org",
    method: "POST",
    path: () => `/v1/orgs/${other.id}/reinstate`,
    wrongRole: () => shipper.key,
  },
  {
    name: "review qualifications",
    method: "POST",
    path: () => `/v1/carriers/${carrier.id}/qualifications/review`,
    body: () => ({ decision: "approve" }),
    wrongRole: () => carrier.key,
  },
  {
    name: "add vehicle",
    method: "POST",
    path: () => `/v1/carriers/${carrier.id}/vehicles`,
    body: () => vehicleBody(),
    stranger: () => other.key,
  },
  {
    name: "get vehicle",
    method: "GET",
    path: () => `/v1/carriers/${carrier.id}/vehicles/${vehicleId}`,
    stranger: () => other.key,
  },
  {
    name: "list vehicles",
    method: "GET",
    path: () => `/v1/carriers/${carrier.id}/vehicles`,
    stranger: () => other.key,
  },
  {
    name: "update qualifications",
    method: "PUT",
    path: () => `/v1/carriers/${carrier.id}/qualifications`,
    body: () => qualifications(),
    stranger: () => other.key,
  },
  { name: "list keys", method: "GET", path: () => "/v1/api-keys" },
  { name: "create key", method: "POST", path: () => "/v1/api-keys", body: () => ({ name: "k" }) },
  {
    name: "rotate key",
    method: "POST",
    path: () => `/v1/api-keys/${otherKeyId}/rotate`,
    stranger: () => carrier.key,
  },
  {
    name: "revoke key",
    method: "DELETE",
    path: () => `/v1/api-keys/${otherKeyId}`,
    stranger: () => carrier.key,
  },
  {
    name: "verify audit chain",
    method: "GET",
    path: () => "/v1/audit/verify",
    wrongRole: () => carrier.key,
  },
];

describe.each(routes)("$method $name", (route) => {
  const call = (key?: string) =>
    node.call(route.method, route.path(), { key, body: route.body?.() });

  it("refuses a request without a key (401)", async () => {
    const res = await call();
    expect(res.status, JSON.stringify(res.body)).toBe(401);
    expect(res.body.error.code).toBe("UNAUTHORIZED");
  });

  it("refuses a revoked key (401)", async () => {
    expect((await call(revokedKey)).status).toBe(401);
  });

  it("refuses an unknown key (401)", async () => {
    expect((await call("cvn_not_a_real_key_at_all_000000")).status).toBe(401);
  });

  it.runIf(route.wrongRole)("refuses the wrong role (403)", async () => {
    const res = await call(route.wrongRole?.());
    expect(res.status, JSON.stringify(res.body)).toBe(403);
    expect(res.body.error.code).toBe("FORBIDDEN");
  });

  it.runIf(route.stranger)("hides another organisation's object (404)", async () => {
    const res = await call(route.stranger?.());
    expect(res.status, JSON.stringify(res.body)).toBe(404);
    expect(res.body.error.code).toBe("NOT_FOUND");
  });
});

describe("keys", () => {
  it("lists prefixes only, rotates and revokes", async () => {
    const c = await registerCarrier(node);
    const list = await node.call("GET", "/v1/api-keys", { key: c.key });
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain(c.key);
    expect(c.key.startsWith(list.body.items[0].prefix)).toBe(true);
    const rotated = await node.call("POST", `/v1/api-keys/${list.body.items[0].id}/rotate`, {
      key: c.key,
    });
    expect(rotated.status).toBe(201);
    expect((await node.call("GET", "/v1/api-keys", { key: c.key })).status).toBe(401);
    expect((await node.call("GET", "/v1/api-keys", { key: rotated.body.key })).status).toBe(200);
  });

  it("stores keys only as hashes", async () => {
    const c = await registerCarrier(node);
    const rows = await node.database.sql`select * from api_keys`;
    expect(JSON.stringify(rows)).not.toContain(c.key);
  });

  it("lets a pending organisation read itself and prepare for review, but not transact", async () => {
    const c = await registerCarrier(node, { verify: false });
    const s = await registerShipper(node, { verify: false });
    expect((await node.call("GET", `/v1/carriers/${c.id}`, { key: c.key })).status).toBe(200);
    const vehicle = await node.call("POST", `/v1/carriers/${c.id}/vehicles`, {
      key: c.key,
      body: vehicleBody({ plate: "新B54322" }),
    });
    expect(vehicle.status, JSON.stringify(vehicle.body)).toBe(201);
    const q = await node.call("PUT", `/v1/carriers/${c.id}/qualifications`, {
      key: c.key,
      body: qualifications(),
    });
    expect(q.status, JSON.stringify(q.body)).toBe(200);
    const load = await node.call("POST", "/v1/loads", { key: s.key, body: loadBody() });
    expect(load.status, JSON.stringify(load.body)).toBe(403);
    expect(load.body.error.reason).toBe("SHIPPER_NOT_VERIFIED");
    const quote = await node.call("POST", "/v1/routes/quote", {
      key: c.key,
      body: { from: "CN-URC", to: "KZ-ALA", cargo: { weightKg: 1000 } },
    });
    expect(quote.status, JSON.stringify(quote.body)).toBe(403);
  });

  it.each(["reject", "suspend"])(
    "lets an organisation read itself after %s, and write nothing",
    async (to) => {
      const c = await registerCarrier(node);
      const [key] = (await node.call("GET", "/v1/api-keys", { key: c.key })).body.items;
      const decided = await node.call("POST", `/v1/orgs/${c.id}/${to}`, {
        key: node.adminKey,
        body: { reason: "forged papers" },
      });
      expect(decided.status, JSON.stringify(decided.body)).toBe(200);
      expect((await node.call("GET", `/v1/carriers/${c.id}`, { key: c.key })).status).toBe(200);
      const writes = [
        ["POST", `/v1/carriers/${c.id}/vehicles`, vehicleBody({ plate: "新B54323" })],
        ["PUT", `/v1/carriers/${c.id}/qualifications`, qualifications()],
        ["POST", "/v1/api-keys", { name: "k" }],
        ["POST", `/v1/api-keys/${key.id}/rotate`, undefined],
        ["DELETE", `/v1/api-keys/${key.id}`, undefined],
        ["POST", "/v1/webhooks", { url: "https://hooks.example.com/c" }],
      ] as const;
      for (const [method, path, body] of writes) {
        const res = await node.call(method, path, { key: c.key, body });
        expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(403);
        expect(res.body.error.code).toBe("FORBIDDEN");
      }
    },
  );
});

import { describe, expect, it } from "vitest";
import { createTestNode } from "../support/app";
import { registerCarrier, registerShipper } from "../support/fixtures";

// Every operation the OpenAPI document lists, called without a key and with a made-up one:
// only self-registration and the operational endpoints answer without a key, and nothing
// answers 5xx to a stranger.
const node = await createTestNode();
const doc = (await node.call("GET", "/openapi.json")).body as {
  paths: Record<string, Record<string, unknown>>;
};
const PUBLIC = new Set(["POST /v1/shippers", "POST /v1/carriers"]);
const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
  Object.keys(ops)
    .filter((m) => ["get", "post", "put", "patch", "delete"].includes(m))
    .map((m) => ({ method: m.toUpperCase(), path })),
);
const concrete = (path: string) =>
  path.replace(/\{(\w+)\}/g, (_, name: string) =>
    name === "number" ? "XJ-2026-00000001-0" : "org_01M844S8JXKX0ZZQGAVBAHEQG6",
  );

describe("every documented operation", () => {
  it("is documented (sanity)", () => {
    expect(operations.length).toBeGreaterThan(30);
    expect(operations).toEqual(
      expect.arrayContaining([
        { method: "POST", path: "/v1/orgs/{id}/suspend" },
        { method: "POST", path: "/v1/orgs/{id}/reinstate" },
        { method: "POST", path: "/v1/carriers/{id}/qualifications/review" },
      ]),
    );
  });

  it.each(
    operations.filter((o) => o.path.startsWith("/v1/") && !PUBLIC.has(`${o.method} ${o.path}`)),
  )("$method $path needs a key", async ({ method, path }) => {
    for (const key of [undefined, "cvn_made_up_key_0000000000000000"]) {
      const res = await node.call(method, concrete(path), {
        key,
        body: method === "GET" || method === "DELETE" ? undefined : {},
      });
      expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(401);
      expect(res.body.error.code).toBe("UNAUTHORIZED");
    }
  });

  it.each(operations.filter((o) => o.path.startsWith("/v1/")))(
    "$method $path answers an organisation's empty or wrong call with a 4xx, never a 5xx",
    async ({ method, path }) => {
      for (const key of [(await shipper).key, (await carrier).key, node.adminKey]) {
        for (const body of method === "GET" || method === "DELETE" ? [undefined] : [{}, []]) {
          const res = await node.call(method, concrete(path), { key, body });
          const shown = `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`;
          expect(res.status, shown).toBeLessThan(500);
          if (res.status >= 400) expect(res.body.error.code, shown).toMatch(/^[A-Z_]+$/);
        }
      }
    },
  );

  // Both kinds, each rejected and suspended: whatever the body, no write gets past the gate.
  it.each(
    operations.filter(
      (o) =>
        o.path.startsWith("/v1/") && o.method !== "GET" && !PUBLIC.has(`${o.method} ${o.path}`),
    ),
  )(
    "$method $path refuses a rejected or suspended organisation (403)",
    async ({ method, path }) => {
      for (const org of await outcasts) {
        for (const body of method === "DELETE" ? [undefined] : [{}]) {
          const res = await node.call(method, concrete(path), { key: org.key, body });
          const shown = `${org.status} ${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`;
          expect(res.status, shown).toBe(403);
          expect(res.body.error.reason, shown).toBe(`ORGANIZATION_${org.status.toUpperCase()}`);
        }
      }
    },
  );
});

const shipper = registerShipper(node);
const carrier = registerCarrier(node);
const outcasts = Promise.all(
  (["rejected", "suspended"] as const).flatMap((status) =>
    [registerShipper, registerCarrier].map(async (register) => {
      const org = await register(node);
      const to = status === "rejected" ? "reject" : "suspend";
      const res = await node.call("POST", `/v1/orgs/${org.id}/${to}`, {
        key: node.adminKey,
        body: { reason: "test" },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return { key: org.key, status };
    }),
  ),
);

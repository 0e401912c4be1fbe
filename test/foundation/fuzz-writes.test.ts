import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createTestNode } from "../support/app";
import { registerCarrier, registerShipper } from "../support/fixtures";

// Arbitrary JSON thrown at every documented write, as each kind of organisation: the answer
// is always the error envelope with a 4xx (or a success), never a 5xx.
const node = await createTestNode();
const shipper = await registerShipper(node);
const carrier = await registerCarrier(node);
const doc = (await node.call("GET", "/openapi.json")).body as {
  paths: Record<string, Record<string, unknown>>;
};
const writes = Object.entries(doc.paths).flatMap(([path, ops]) =>
  Object.keys(ops)
    .filter((m) => ["post", "put", "patch"].includes(m))
    .map((m) => ({ method: m.toUpperCase(), path })),
);
const concrete = (path: string) =>
  path.replace(/\{(\w+)\}/g, (_, name: string) =>
    name === "number"
      ? "XJ-2026-00000001-0"
      : name === "id"
        ? carrier.id
        : "bid_01M844S8JXKX0ZZQGAVBAHEQG6",
  );
const keys = [shipper.key, carrier.key, node.adminKey];

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

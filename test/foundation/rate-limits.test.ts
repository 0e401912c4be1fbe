import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createTestNode, type Reply, type TestNode } from "../support/app";
import { registerShipper, shipperBody } from "../support/fixtures";

const fakeKey = () => `cvn_${randomBytes(24).toString("base64url")}`;

function expectTooMany(res: Reply) {
  expect(res.status, JSON.stringify(res.body)).toBe(429);
  expect(res.body.error.code).toBe("TOO_MANY_REQUESTS");
  expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
}

async function statuses(n: number, send: (i: number) => Promise<Reply>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await send(i)).status);
  return out;
}

const count = (all: number[], status: number) => all.filter((s) => s === status).length;

describe("per organisation", () => {
  it("makes every key of one organisation spend from one budget", async () => {
    const node = await createTestNode({ rateLimitPerMinute: 20 });
    const shipper = await registerShipper(node);
    const keys = [shipper.key];
    for (let i = 0; i < 4; i++) {
      const res = await node.call("POST", "/v1/api-keys", {
        key: shipper.key,
        body: { name: `integration ${i}` },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      keys.push(res.body.key);
    }
    const got = await statuses(40, (i) =>
      node.call("GET", `/v1/shippers/${shipper.id}`, { key: keys[i % keys.length] }),
    );
    // 20 a minute in all, four of them spent on creating the keys; five budgets would pass all.
    expect(count(got, 200)).toBeGreaterThanOrEqual(14);
    expect(count(got, 200)).toBeLessThanOrEqual(18);
    expectTooMany(await node.call("GET", `/v1/shippers/${shipper.id}`, { key: keys[4] }));
    // Another organisation keeps its own budget.
    expect((await node.call("GET", "/v1/orgs", { key: node.adminKey })).status).toBe(200);
  });

  it("holds across two node processes on one database, within a small tolerance", async () => {
    const a = await createTestNode({ rateLimitPerMinute: 30 });
    const b = await createTestNode({ rateLimitPerMinute: 30, database: a.database });
    const shipper = await registerShipper(a);
    const path = `/v1/shippers/${shipper.id}`;
    const nodes: TestNode[] = [a, b];
    // One after another, alternating, then all at once: each process alone would allow 30.
    const first = await statuses(20, (i) =>
      (nodes[i % 2] as TestNode).call("GET", path, { key: shipper.key }),
    );
    const rest = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        (nodes[i % 2] as TestNode).call("GET", path, { key: shipper.key }),
      ),
    );
    const all = [...first, ...rest.map((r) => r.status)];
    expect(count(all, 200)).toBeGreaterThanOrEqual(28);
    expect(count(all, 200)).toBeLessThanOrEqual(34);
    expect(count(all, 429)).toBe(all.length - count(all, 200));
  });
});

describe("per client address", () => {
  it("answers key guessing with 429 once the address's budget is spent", async () => {
    const node = await createTestNode({ rateLimitPerMinute: 20 });
    const shipper = await registerShipper(node);
    const guesser = "198.51.100.7";
    const got = await statuses(30, () =>
      node.call("GET", "/v1/loads", { key: fakeKey(), remoteAddress: guesser }),
    );
    expect(count(got, 401)).toBe(20);
    expect(count(got, 429)).toBe(10);
    expectTooMany(await node.call("GET", "/v1/loads", { key: fakeKey(), remoteAddress: guesser }));
    // A live key from that address is refused alike, so the answer says nothing about keys.
    expectTooMany(
      await node.call("GET", `/v1/shippers/${shipper.id}`, {
        key: shipper.key,
        remoteAddress: guesser,
      }),
    );
    // Other addresses are unaffected.
    const other = { remoteAddress: "198.51.100.8" };
    expect((await node.call("GET", "/v1/loads", { key: fakeKey(), ...other })).status).toBe(401);
    const live = await node.call("GET", `/v1/shippers/${shipper.id}`, {
      key: shipper.key,
      ...other,
    });
    expect(live.status).toBe(200);
  });

  it("limits calls without a key per address", async () => {
    const node = await createTestNode({ rateLimitPerMinute: 10 });
    const got = await statuses(15, () =>
      node.call("GET", "/v1/loads", { remoteAddress: "203.0.113.9" }),
    );
    expect(count(got, 401)).toBe(10);
    expect(count(got, 429)).toBe(5);
    expect((await node.call("GET", "/v1/loads", { remoteAddress: "203.0.113.10" })).status).toBe(
      401,
    );
  });

  it("believes X-Forwarded-For only from a trusted proxy", async () => {
    const direct = await createTestNode({ rateLimitPerMinute: 5 });
    // A client naming a new address in each request still spends its own budget.
    const spoofed = await statuses(8, (i) =>
      direct.call("GET", "/v1/loads", {
        remoteAddress: "203.0.113.20",
        headers: { "x-forwarded-for": `192.0.2.${i}` },
      }),
    );
    expect(count(spoofed, 429)).toBe(3);

    const proxied = await createTestNode({ rateLimitPerMinute: 5, trustedProxies: "10.0.0.0/8" });
    const viaProxy = await statuses(8, (i) =>
      proxied.call("GET", "/v1/loads", {
        remoteAddress: "10.1.2.3",
        headers: { "x-forwarded-for": `192.0.2.${i}, 10.9.9.9` },
      }),
    );
    expect(count(viaProxy, 429)).toBe(0);
  });
});

describe("self-registration", () => {
  it("allows a few registrations per address per hour", async () => {
    const node = await createTestNode({ registrationsPerHour: 3 });
    const from = { remoteAddress: "192.0.2.50" };
    for (let i = 0; i < 3; i++) {
      const res = await node.call("POST", "/v1/shippers", { body: shipperBody(), ...from });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    const refused = await node.call("POST", "/v1/carriers", { body: shipperBody(), ...from });
    expectTooMany(refused);
    // One registration comes back every 20 minutes.
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(600);
    const elsewhere = await node.call("POST", "/v1/shippers", {
      body: shipperBody(),
      remoteAddress: "192.0.2.51",
    });
    expect(elsewhere.status, JSON.stringify(elsewhere.body)).toBe(201);
  });

  it("counts registrations made through any node process", async () => {
    const a = await createTestNode({ registrationsPerHour: 2 });
    const b = await createTestNode({ registrationsPerHour: 2, database: a.database });
    const from = { remoteAddress: "192.0.2.60" };
    expect((await a.call("POST", "/v1/shippers", { body: shipperBody(), ...from })).status).toBe(
      201,
    );
    expect((await b.call("POST", "/v1/shippers", { body: shipperBody(), ...from })).status).toBe(
      201,
    );
    expectTooMany(await a.call("POST", "/v1/shippers", { body: shipperBody(), ...from }));
    expectTooMany(await b.call("POST", "/v1/shippers", { body: shipperBody(), ...from }));
  });
});
